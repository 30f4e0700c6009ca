// wasm-opt -Oz on every module of the split app, dropping names, producers and target
// features:  node tools/wasm-opt-all.mjs <dir> [size limit, bytes]
//
// npm's wasm-opt is binaryen compiled to wasm: each run spends about a second starting
// up, which for the ~480 modules of the split app was most of the app build. Modules
// under the limit (nearly all, a few KB each) go through binaryen's JS API in this one
// process; the larger ones through the CLI on every core meanwhile, because on them the
// CLI's -Oz still ends a few KB smaller (on the small ones the two differ by 0.3%).
import binaryen from 'binaryen';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const [dir, limitArg] = process.argv.slice(2);
const limit = Number(limitArg ?? 32 * 1024);
const STRIP = ['strip-debug', 'strip-producers', 'strip-target-features'];
// Name sections of a kind binaryen does not know (the split modules carry one): harmless.
const NOISE = /unknown name subsection/;

const files = readdirSync(dir).filter((f) => f.endsWith('.wasm')).map((f) => path.join(dir, f));
const large = files.filter((f) => statSync(f).size >= limit);
const small = files.filter((f) => statSync(f).size < limit);

function cli(file) {
  return new Promise((resolve, reject) => {
    execFile('wasm-opt', ['-Oz', ...STRIP.map((p) => `--${p}`), file, '-o', file], (error, _stdout, stderr) => {
      const said = stderr.split('\n').filter((l) => l && !NOISE.test(l));
      if (said.length) process.stderr.write(`${file}: ${said.join('\n')}\n`);
      if (error) reject(new Error(`wasm-opt ${file}: ${error.message}`));
      else resolve();
    });
  });
}

// Largest first, so the main module does not start last.
large.sort((a, b) => statSync(b).size - statSync(a).size);
const queue = [...large];
const workers = Array.from({ length: Math.max(1, os.availableParallelism()) }, async () => {
  for (let file = queue.shift(); file; file = queue.shift()) await cli(file);
});

// The small ones here, between the CLI runs' callbacks.
const write = process.stderr.write.bind(process.stderr);
process.stderr.write = (chunk, ...rest) => (NOISE.test(String(chunk)) ? true : write(chunk, ...rest));
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
for (const file of small) {
  const module = binaryen.readBinary(readFileSync(file));
  module.optimize();
  module.runPasses(STRIP);
  if (!module.validate()) throw new Error(`${file}: invalid after optimisation`);
  writeFileSync(file, module.emitBinary());
  module.dispose();
  await new Promise((resolve) => setImmediate(resolve));
}
process.stderr.write = write;
await Promise.all(workers);
console.log(`wasm-opt: ${small.length} small modules in process, ${large.length} through the CLI`);

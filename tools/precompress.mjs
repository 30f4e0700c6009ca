// Writes `.br` (quality 11) and `.gz` (level 9) beside every compressible file in dist/,
// once at build time, so the server sends the smallest encoding without compressing on
// each request. Prints the first-load weight and fails when it exceeds the budget.
//   node tools/precompress.mjs dist budget-bytes-gzip first-load.json
import { readFileSync, writeFileSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';
import { filesUnder } from './files.mjs';

const dir = process.argv[2] ?? 'dist';
const budget = Number(process.argv[3] ?? 0);
// What each feature's first visit downloads (written by tools/web-dist.mjs).
const firstLoadFile = process.argv[4] ?? 'target/web-stage/first-load.json';
const compressible = new Set(['.wasm', '.bundle', '.js', '.css', '.html', '.svg', '.webmanifest', '.json']);

const sizes = {};
for (const name of filesUnder(dir)) {
  const path = join(dir, name);
  if (!compressible.has(extname(name))) continue;
  const raw = readFileSync(path);
  const gz = gzipSync(raw, { level: 9 });
  const br = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: raw.length },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  sizes[name] = { raw: raw.length, gz: gz.length, br: br.length };
}

// What a first visit downloads before its first screen, per feature (tools/web-dist.mjs
// lists them: the shell, its CSS, the JS glue, the main wasm and the feature's chunks;
// icons, the service worker and a non-English locale come later). The budget holds for
// the heaviest feature.
const firstLoad = JSON.parse(readFileSync(firstLoadFile, 'utf8'));
let heaviest = ['', 0];
for (const [feature, names] of Object.entries(firstLoad)) {
  const total = (k) => names.reduce((a, n) => a + sizes[n][k], 0);
  console.log(`first load of ${feature.padEnd(9)} ${String(names.length).padStart(3)} files ${String(total('raw')).padStart(9)} raw ${String(total('gz')).padStart(8)} gzip ${String(total('br')).padStart(8)} brotli`);
  if (total('gz') > heaviest[1]) heaviest = [feature, total('gz')];
}
const all = (k) => Object.entries(sizes).filter(([n]) => n.startsWith('pkg/')).reduce((a, [, s]) => a + s[k], 0);
console.log(`whole app (every chunk): ${all('raw')} bytes raw, ${all('gz')} gzip, ${all('br')} brotli`);
if (budget > 0 && heaviest[1] > budget) {
  console.error(`the first load of ${heaviest[0]} is ${heaviest[1]} bytes gzip, over the budget of ${budget}`);
  process.exit(1);
}

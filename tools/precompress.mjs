// Writes `.br` (quality 11) and `.gz` (level 9) beside every compressible file in dist/,
// once at build time, so the server sends the smallest encoding without compressing on
// each request. Prints the first-load weight and fails when it exceeds the budget.
//   node tools/precompress.mjs dist [budget-bytes-gzip]
import { readdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, extname } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const dir = process.argv[2] ?? 'dist';
const budget = Number(process.argv[3] ?? 0);
const compressible = new Set(['.wasm', '.js', '.css', '.html', '.svg', '.webmanifest', '.json']);

// Every file under dist/, subfolders included (locales/), by its path inside dist/.
function files(sub) {
  return readdirSync(join(dir, sub)).flatMap((entry) => {
    const name = sub ? `${sub}/${entry}` : entry;
    return statSync(join(dir, name)).isDirectory() ? files(name) : [name];
  });
}

const sizes = {};
for (const name of files('')) {
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

// What a first visit downloads before the first screen: the shell, its CSS, the JS glue
// and the wasm module (icons, the service worker and a non-English locale come later).
const firstLoad = Object.entries(sizes).filter(([n]) => !n.includes('/') && /\.(wasm|js|css|html)$/.test(n) && n !== 'sw.js');
const sum = (k) => firstLoad.reduce((a, [, s]) => a + s[k], 0);
for (const [name, s] of firstLoad) {
  console.log(`${name.padEnd(40)} ${String(s.raw).padStart(9)} raw ${String(s.gz).padStart(8)} gzip ${String(s.br).padStart(8)} brotli`);
}
console.log(`first load: ${sum('raw')} bytes raw, ${sum('gz')} gzip, ${sum('br')} brotli`);
if (budget > 0 && sum('gz') > budget) {
  console.error(`first load is ${sum('gz')} bytes gzip, over the budget of ${budget}`);
  process.exit(1);
}

// Writes the build's id and exact asset list into dist/sw.js, so every deploy installs as a
// new service worker version that precaches this build's files (the shell and every
// feature chunk, so each page opens offline) and removes the previous version's cache.
//   node tools/sw-precache.mjs dist
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesUnder } from './files.mjs';

const dir = process.argv[2] ?? 'dist';
const html = readFileSync(join(dir, 'index.html'), 'utf8');
const assets = new Set(['/manifest.webmanifest', '/icons/icon.svg', '/icons/icon-192.png']);
for (const m of html.matchAll(/(?:href|src)="(\/[^"]+)"/g)) assets.add(m[1]);
// Everything under pkg/ (JS glue, main wasm, chunks, CSS), without the compressed copies.
for (const name of filesUnder(join(dir, 'pkg'))) if (!/\.(br|gz)$/.test(name)) assets.add(`/pkg/${name}`);
const build = createHash('sha256').update(html).digest('hex').slice(0, 16);
const swPath = join(dir, 'sw.js');
const sw = readFileSync(swPath, 'utf8');
if (!sw.includes('__KSUITE_BUILD__') || !sw.includes("'__KSUITE_PRECACHE__'")) {
  console.error('sw.js has no build placeholders');
  process.exit(1);
}
writeFileSync(swPath, sw
  .replace('__KSUITE_BUILD__', build)
  .replace("'__KSUITE_PRECACHE__'", [...assets].sort().map((a) => JSON.stringify(a)).join(', ')));
console.log(`service worker: build ${build}, ${assets.size} assets precached`);

// Lays out dist/ from the split, bound and optimised app (scripts/build-app.sh):
//   dist/pkg/<build id>/  the JS glue, the main wasm, the feature chunks and main.css,
//                         named by one id over all their bytes (cached as immutable);
//   dist/index.html       the shell, which starts the app and, from its first byte, fetches
//                         the chunks the opened address needs, in parallel with the main wasm;
//   dist/icons, locales, manifest.webmanifest, sw.js   copied as they are;
//   dist/.first-load.json what each feature's first visit downloads, for the budget check.
//     node tools/web-dist.mjs <staged dir> <dist dir>
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const [stage, dist] = process.argv.slice(2);
if (!stage || !dist) {
  console.error('usage: node tools/web-dist.mjs <staged dir> <dist dir>');
  process.exit(2);
}

// Which chunk each address needs first; every other address is a signed-in page whose
// chunk the router fetches when it is opened.
const ROUTE_CHUNKS = [
  ['/login', 'auth'], ['/signup', 'auth'], ['/calendar', 'calendar'], ['/contacts', 'contacts'],
  ['/links', 'links'], ['/settings/mail', 'mail_admin'], ['/settings/admin', 'mail_admin'],
  ['/settings', 'settings'], ['/mail', 'mail'], ['/', 'mail'],
];

function walk(dir) {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const staged = walk(stage).map((p) => relative(stage, p)).sort();
const css = readFileSync('style/main.css');
const id = createHash('sha256');
for (const name of staged) id.update(name).update(readFileSync(join(stage, name)));
const build = id.update(css).digest('hex').slice(0, 16);
const pkg = `/pkg/${build}`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(join(dist, 'pkg', build), { recursive: true });
cpSync(stage, join(dist, 'pkg', build), { recursive: true });
writeFileSync(join(dist, 'pkg', build, 'main.css'), css);
cpSync('public/icons', join(dist, 'icons'), { recursive: true });
cpSync('app/locales', join(dist, 'locales'), { recursive: true });
cpSync('public/manifest.webmanifest', join(dist, 'manifest.webmanifest'));
cpSync('public/sw.js', join(dist, 'sw.js'));

// The split loader names each chunk's file and the shared chunks it waits for:
//   const __chunk_7 = makeLoad(() => { … fetch(new URL("./chunk_7.wasm", …)) … }, [deps]);
//   export const __wasm_split_load_mail = wrapAsyncCb(makeLoad(() => { … "./split_mail.wasm" … }, [deps]));
const loader = readFileSync(join(stage, '__wasm_split.js'), 'utf8');
const loads = new Map();
for (const m of loader.matchAll(/const (\w+) = (?:wrapAsyncCb\()?makeLoad\(\(\) => \{[^]*?new URL\("\.\/([^"]+)"[^]*?\n, \[([^\]]*)\]/g)) {
  loads.set(m[1], { file: m[2], deps: m[3].split(',').map((d) => d.trim()).filter(Boolean) });
}
function filesOf(name, seen = new Set()) {
  const load = loads.get(name);
  if (!load) throw new Error(`the split loader has no ${name}`);
  if (!seen.has(load.file)) {
    seen.add(load.file);
    for (const dep of load.deps) filesOf(dep, seen);
  }
  return seen;
}
const chunkFiles = {};
for (const [, chunk] of ROUTE_CHUNKS) chunkFiles[chunk] ??= [...filesOf(`__wasm_split_load_${chunk}`)].sort();

const snippets = staged.filter((n) => n.startsWith('snippets/') && n.endsWith('.js'));
const head = [
  `<link rel="stylesheet" href="${pkg}/main.css" />`,
  `<link rel="modulepreload" href="${pkg}/app.js" />`,
  `<link rel="modulepreload" href="${pkg}/__wasm_split.js" />`,
  ...snippets.map((s) => `<link rel="modulepreload" href="${pkg}/${s}" />`),
  `<link rel="preload" href="${pkg}/app_bg.wasm" as="fetch" type="application/wasm" crossorigin />`,
  // The opened address's chunks start downloading with the main module, not after it
  // (a classic script runs at once; a module's body waits for its imports).
  `<script>`,
  `const chunks = ${JSON.stringify(chunkFiles)};`,
  `const routes = ${JSON.stringify(ROUTE_CHUNKS)};`,
  `const path = location.pathname;`,
  `const hit = routes.find(([p]) => p === '/' ? path === '/' : path === p || path.startsWith(p + '/'));`,
  `for (const file of hit ? chunks[hit[1]] : []) {`,
  `  const link = Object.assign(document.createElement('link'), { rel: 'preload', as: 'fetch', href: '${pkg}/' + file, crossOrigin: 'anonymous' });`,
  `  link.type = 'application/wasm';`,
  `  document.head.append(link);`,
  `}`,
  `</script>`,
  `<script type="module">`,
  `import init from '${pkg}/app.js';`,
  `init({ module_or_path: '${pkg}/app_bg.wasm' });`,
  `</script>`,
].join('\n    ');
const template = readFileSync('app/index.html', 'utf8');
if (!template.includes('<!-- ksuite:assets -->')) {
  console.error('app/index.html has no <!-- ksuite:assets --> placeholder');
  process.exit(1);
}
writeFileSync(join(dist, 'index.html'), template.replace('<!-- ksuite:assets -->', head));

const shell = ['index.html', `pkg/${build}/main.css`, `pkg/${build}/app.js`, `pkg/${build}/__wasm_split.js`,
  `pkg/${build}/app_bg.wasm`, ...snippets.map((s) => `pkg/${build}/${s}`)];
const firstLoad = Object.fromEntries(Object.entries(chunkFiles).map(([chunk, files]) =>
  [chunk, [...shell, ...files.map((f) => `pkg/${build}/${f}`)]]));
writeFileSync(join(dist, '.first-load.json'), JSON.stringify(firstLoad, null, 1));
console.log(`web app: build ${build}, ${staged.length} files, chunks ${Object.keys(chunkFiles).join(', ')}`);

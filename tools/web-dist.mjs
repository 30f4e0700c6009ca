// Lays out dist/ from the split, bound and optimised app (scripts/build-app.sh):
//   dist/pkg/<build id>/  the JS glue, the main wasm, main.css, one bundle per chunk
//                         (`<chunk>.bundle`: the chunk's module and every shared module it
//                         needs, in one download) and each JS snippet's library (`x.lib.js`
//                         beside `x.js`, bundled with its npm dependencies, fetched only when
//                         the snippet asks), all named by one id over their bytes and cached
//                         as immutable;
//   dist/index.html       the shell, which starts the app and, from its first byte, fetches
//                         the bundle the opened address needs, in parallel with the main wasm;
//   dist/icons, manifest.webmanifest, sw.js   copied as they are; dist/locales as arrays;
//   <stage>/first-load.json what each chunk's first visit downloads, for the budget check.
//     node tools/web-dist.mjs <staged dir> <dist dir>
//
// Why bundles: wasm-split-cli writes one module per combination of chunks that share code
// (60+ small files for Mail). Fetched one by one that is dozens of round trips on a phone;
// the split loader is rewritten here to take them from the chunk's bundle instead.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildSync, transformSync } from 'esbuild';
import { filesUnder } from './files.mjs';

// wasm-bindgen's glue, the split loader, the app's JS snippets and the stylesheet are
// written for reading; minified they are 5 KB gzip lighter on every first load.
const minifiedJs = (code) => transformSync(code, { minify: true, format: 'esm', target: 'es2020' }).code;
const minifiedCss = (code) => transformSync(code, { loader: 'css', minify: true }).code;

const [stage, dist] = process.argv.slice(2);
if (!stage || !dist) {
  console.error('usage: node tools/web-dist.mjs <staged dir> <dist dir>');
  process.exit(2);
}

// Which chunk each address needs first; every other address is a signed-in page whose
// chunk the router fetches when it is opened. Chunks that no address opens (the composer,
// and the reader, event editor and contact form its page fetches once it is up) load
// when first used.
const ROUTE_CHUNKS = [
  ['/login', 'auth'], ['/signup', 'auth'], ['/calendar', 'calendar'], ['/contacts', 'contacts'],
  ['/links', 'links'], ['/settings/mail/filters', 'mail_filters'],
  ['/settings/mail/accounts', 'mail_accounts'], ['/settings/mail', 'mail_settings'], ['/settings/admin', 'admin'],
  ['/settings/security', 'security'], ['/settings/sync', 'sync'],
  ['/settings/notifications', 'notifications'], ['/settings', 'settings'], ['/mail', 'mail'], ['/', 'mail'],
];

// Chunks only ever loaded from within another one: their bundles leave out the modules
// that one already brought.
const LOADED_WITHIN = { composer: 'mail', reader: 'mail', mail_tools: 'mail', event_editor: 'calendar',
  calendar_settings: 'calendar', contact_form: 'contacts', filter_editor: 'mail_filters',
  book_sharing: 'contacts', dkim_card: 'admin' };

const staged = filesUnder(stage);
const css = readFileSync('style/main.css');

// A snippet app/src/…/x.js that imports './x.lib.js' gets that file bundled from
// app/src/…/x.lib.js with the npm packages it imports (tools/node_modules), written beside
// the staged snippet. It is not in any first load: the snippet imports it when needed.
const libraries = new Map();
for (const name of staged.filter((n) => /^snippets\/[^/]+\/src\/.+\.js$/.test(n))) {
  const source = join('app', name.replace(/^snippets\/[^/]+\//, '')).replace(/\.js$/, '.lib.js');
  if (!existsSync(source)) continue;
  const bundle = buildSync({
    entryPoints: [source], bundle: true, minify: true, format: 'esm', target: 'es2020',
    nodePaths: ['tools/node_modules'], write: false, legalComments: 'eof',
  });
  libraries.set(name.replace(/\.js$/, '.lib.js'), bundle.outputFiles[0].contents);
}

const id = createHash('sha256');
for (const name of staged) id.update(name).update(readFileSync(join(stage, name)));
for (const [name, bytes] of libraries) id.update(name).update(bytes);
// This script shapes the bundles and the loader: a change to it is a new build too.
const build = id.update(css).update(readFileSync(new URL(import.meta.url))).digest('hex').slice(0, 16);
const pkg = `/pkg/${build}`;
const out = join(dist, 'pkg', build);

// The split loader names each module's file and the shared modules it waits for:
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
const chunks = [...loads.keys()].filter((n) => n.startsWith('__wasm_split_load_'))
  .map((n) => n.slice('__wasm_split_load_'.length));
for (const [, chunk] of ROUTE_CHUNKS) {
  if (!chunks.includes(chunk)) throw new Error(`no chunk ${chunk}: see app/src/routes.rs`);
}

rmSync(dist, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const name of staged) {
  if (name.endsWith('.wasm') && name !== 'app_bg.wasm') continue; // they go into bundles
  if (name.endsWith('.js')) {
    mkdirSync(dirname(join(out, name)), { recursive: true });
    writeFileSync(join(out, name), minifiedJs(readFileSync(join(stage, name), 'utf8')));
  } else {
    cpSync(join(stage, name), join(out, name));
  }
}
for (const [name, bytes] of libraries) writeFileSync(join(out, name), bytes);
writeFileSync(join(out, 'main.css'), minifiedCss(css.toString()));
cpSync('public/icons', join(dist, 'icons'), { recursive: true });
// Each language as a JSON array in key order (the order of app/build.rs's `Key::ALL`:
// sorted key names), so the app needs no table of key names to read it.
mkdirSync(join(dist, 'locales'));
const english = JSON.parse(readFileSync('app/locales/en.json', 'utf8'));
const keyOrder = Object.keys(english).sort();
for (const file of readdirSync('app/locales').filter((f) => f.endsWith('.json'))) {
  const texts = JSON.parse(readFileSync(join('app/locales', file), 'utf8'));
  writeFileSync(join(dist, 'locales', file), JSON.stringify(keyOrder.map((k) => texts[k] ?? english[k])));
}
cpSync('public/manifest.webmanifest', join(dist, 'manifest.webmanifest'));
cpSync('public/sw.js', join(dist, 'sw.js'));

// A bundle: a 4-byte little-endian length, a JSON index {file: [offset, length]}, then
// the files' bytes one after another.
const bundleFiles = {};
for (const chunk of chunks) {
  const within = LOADED_WITHIN[chunk] ? filesOf(`__wasm_split_load_${LOADED_WITHIN[chunk]}`) : new Set();
  const files = [...filesOf(`__wasm_split_load_${chunk}`)].filter((f) => !within.has(f)).sort();
  const parts = files.map((f) => readFileSync(join(stage, f)));
  const index = {};
  let offset = 0;
  files.forEach((f, i) => { index[f] = [offset, parts[i].length]; offset += parts[i].length; });
  const json = Buffer.from(JSON.stringify(index));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(json.length);
  writeFileSync(join(out, `${chunk}.bundle`), Buffer.concat([size, json, ...parts]));
  bundleFiles[chunk] = files;
}

// The loader as wasm-split-cli writes it names every shared module and, for each chunk, the
// shared modules it waits for (hundreds of lines, 7 KB gzip of every first load). A bundle
// already lists its modules, and shared modules wait for nothing, so one generic loader
// does: a chunk's load opens its bundle, instantiates each module in it not yet
// instantiated (a module reached through another bundle first is not loaded twice), then
// the chunk's own module. Chunks loaded within another (LOADED_WITHIN) leave out what that
// one brought, which is instantiated by then.
const runtime = `
const __ksuiteBundles = new Map();
const __ksuiteModules = new Map();
// Either cache forgets a failure, so the next load tries again.
function __ksuiteOnce(cache, key, start) {
  let p = cache.get(key);
  if (!p) {
    p = start();
    p.catch(() => { if (cache.get(key) === p) cache.delete(key); });
    cache.set(key, p);
  }
  return p;
}
function __ksuiteOpenBundle(chunk) {
  return __ksuiteOnce(__ksuiteBundles, chunk, () =>
    fetch(new URL('./' + chunk + '.bundle', import.meta.url)).then(async (r) => {
      if (!r.ok) throw new Error(chunk + '.bundle: HTTP ' + r.status);
      const bytes = await r.arrayBuffer();
      const size = new DataView(bytes).getUint32(0, true);
      return { bytes, base: 4 + size, index: JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 4, size))) };
    }));
}
function __ksuiteInstantiate(bundle, file) {
  return __ksuiteOnce(__ksuiteModules, file, () => {
    const at = bundle.index[file];
    return WebAssembly.instantiate(new Uint8Array(bundle.bytes, bundle.base + at[0], at[1]), getSharedImports());
  });
}
function __ksuiteChunk(chunk) {
  const main = 'split_' + chunk + '.wasm';
  return async () => {
    const bundle = await __ksuiteOpenBundle(chunk);
    if (!bundle.index[main]) throw new Error(main + ' is not in ' + chunk + '.bundle');
    await Promise.all(Object.keys(bundle.index).filter((f) => f !== main).map((f) => __ksuiteInstantiate(bundle, f)));
    return __ksuiteInstantiate(bundle, main);
  };
}
`;
let rewritten = loader.replace(/^\/\* [^\n]* \*\/\n/gm, '');
rewritten = rewritten.replace(/^const __chunk_\d+ = makeLoad\(\(\) => \{[^]*?\n, \[[^\]]*\]\);\n/gm, '');
rewritten = rewritten.replace(/^export const __wasm_split_load_(\w+) = wrapAsyncCb\(makeLoad\(\(\) => \{[^]*?\n, \[[^\]]*\]\)\);\n/gm,
  'export const __wasm_split_load_$1 = wrapAsyncCb(__ksuiteChunk("$1"));\n');
rewritten = rewritten.replace(/^function makeLoad\(fetcher, deps\) \{\n[^]*?\n\}\n/m, '');
if (/makeLoad|__chunk_|fetch\(new URL/.test(rewritten) || (rewritten.match(/__ksuiteChunk\("/g) ?? []).length !== chunks.length) {
  throw new Error('the split loader has a shape tools/web-dist.mjs does not know');
}
const firstImport = rewritten.indexOf('\n', rewritten.indexOf('import '));
writeFileSync(join(out, '__wasm_split.js'), minifiedJs(rewritten.slice(0, firstImport + 1) + runtime + rewritten.slice(firstImport + 1)));

const snippets = staged.filter((n) => n.startsWith('snippets/') && n.endsWith('.js'));
const routeChunks = Object.fromEntries(ROUTE_CHUNKS);
const head = [
  `<link rel="stylesheet" href="${pkg}/main.css" />`,
  `<link rel="modulepreload" href="${pkg}/app.js" />`,
  `<link rel="modulepreload" href="${pkg}/__wasm_split.js" />`,
  ...snippets.map((s) => `<link rel="modulepreload" href="${pkg}/${s}" />`),
  `<link rel="preload" href="${pkg}/app_bg.wasm" as="fetch" type="application/wasm" crossorigin />`,
  // The opened address's bundle starts downloading with the main module, not after it
  // (a classic script runs at once; a module's body waits for its imports).
  `<script>`,
  `const routes = ${JSON.stringify(Object.entries(routeChunks))};`,
  `const path = location.pathname;`,
  `const hit = routes.find(([p]) => p === '/' ? path === '/' : path === p || path.startsWith(p + '/'));`,
  `if (hit) document.head.append(Object.assign(document.createElement('link'),`,
  `  { rel: 'preload', as: 'fetch', href: '${pkg}/' + hit[1] + '.bundle', crossOrigin: 'anonymous' }));`,
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
const firstLoad = Object.fromEntries([...new Set(Object.values(routeChunks))].map((chunk) =>
  [chunk, [...shell, `pkg/${build}/${chunk}.bundle`]]));
// Beside the staged build, not in dist/: the server would publish it.
writeFileSync(join(stage, 'first-load.json'), JSON.stringify(firstLoad, null, 1));
console.log(`web app: build ${build}, libraries ${[...libraries.keys()].join(', ') || 'none'}, bundles ${chunks.map((c) => `${c} (${bundleFiles[c].length} modules)`).join(', ')}`);

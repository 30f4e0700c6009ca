// Renames the main module's imports from wasm-bindgen's JS glue to short names, in the wasm
// and in the glue alike: wasm-bindgen names each one after the function and a 16-digit
// hash (`__wbg_fetch_8d9b732df7467c44`), and those ~240 names, written twice (import
// section and glue) and hard to compress, cost every first load ~4 KB gzip. The split
// chunks import only from the main module, so nothing else refers to these names.
//   node tools/minify-imports.mjs <staged dir>
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const GLUE_MODULE = './app_bg.js';
const stage = process.argv[2];
if (!stage) {
  console.error('usage: node tools/minify-imports.mjs <staged dir>');
  process.exit(2);
}
const wasmPath = join(stage, 'app_bg.wasm');
const jsPath = join(stage, 'app.js');
const wasm = readFileSync(wasmPath);
let js = readFileSync(jsPath, 'utf8');

function readLeb(buf, at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function leb(value) {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value > 0) byte |= 0x80;
    out.push(byte);
  } while (value > 0);
  return Buffer.from(out);
}

function name(buf, at) {
  const [len, start] = readLeb(buf, at);
  return [buf.subarray(start, start + len).toString('utf8'), start + len];
}

function withLength(bytes) {
  return Buffer.concat([leb(bytes.length), bytes]);
}

/** The bytes of an import's description (after its kind byte), from `at`. */
function descEnd(buf, kind, at) {
  switch (kind) {
    case 0: return readLeb(buf, at)[1]; // function: type index
    case 1: { // table: element type, limits
      const flags = buf[at + 1];
      let end = readLeb(buf, at + 2)[1];
      if (flags & 1) end = readLeb(buf, end)[1];
      return end;
    }
    case 2: { // memory: limits
      const flags = buf[at];
      let end = readLeb(buf, at + 1)[1];
      if (flags & 1) end = readLeb(buf, end)[1];
      return end;
    }
    case 3: return at + 2; // global: value type, mutability
    default: throw new Error(`import kind ${kind} is not handled`);
  }
}

/** a, b, … z, A … Z, aa, ab, …: valid JS property names, none of them a glue name. */
function shortName(index) {
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  let out = '';
  let n = index;
  do {
    out = letters[n % letters.length] + out;
    n = Math.floor(n / letters.length) - 1;
  } while (n >= 0);
  return out;
}

const parts = [wasm.subarray(0, 8)];
let at = 8;
let renamed = 0;
while (at < wasm.length) {
  const id = wasm[at];
  const [size, start] = readLeb(wasm, at + 1);
  const end = start + size;
  if (id !== 2) {
    parts.push(wasm.subarray(at, end));
    at = end;
    continue;
  }
  const [count, first] = readLeb(wasm, start);
  const entries = [leb(count)];
  let p = first;
  for (let i = 0; i < count; i++) {
    const [module, afterModule] = name(wasm, p);
    const [field, afterField] = name(wasm, afterModule);
    const kind = wasm[afterField];
    const after = descEnd(wasm, kind, afterField + 1);
    let newField = field;
    if (module === GLUE_MODULE) {
      newField = shortName(renamed++);
      // The glue lists each import once, as a key of its import object: `name: function`.
      const key = new RegExp(`(?<![\\w$])${field}(?=\\s*:)`, 'g');
      const uses = js.match(key)?.length ?? 0;
      if (uses !== 1 || js.split(field).length !== 2) {
        throw new Error(`${field} appears ${js.split(field).length - 1} times in the glue, not once as a key`);
      }
      js = js.replace(key, newField);
    }
    entries.push(
      withLength(Buffer.from(module, 'utf8')),
      withLength(Buffer.from(newField, 'utf8')),
      wasm.subarray(afterField, after),
    );
    p = after;
  }
  if (p !== end) throw new Error('the import section did not parse to its end');
  const body = Buffer.concat(entries);
  parts.push(Buffer.from([2]), leb(body.length), body);
  at = end;
}
const out = Buffer.concat(parts);
writeFileSync(wasmPath, out);
writeFileSync(jsPath, js);
console.log(`minify-imports: ${renamed} glue imports renamed, wasm ${wasm.length} -> ${out.length} bytes`);

// Shared by the build scripts in tools/.
import { readdirSync, statSync } from 'node:fs';
import { join, sep } from 'node:path';

/** Every file under `dir`, subfolders included, as sorted paths relative to it ("a/b.js"). */
export function filesUnder(dir) {
  return readdirSync(dir, { recursive: true })
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => name.split(sep).join('/'))
    .sort();
}

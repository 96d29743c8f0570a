// `npm run build`: builds pkg/ with wasm-pack (--target web, release profile, wasm-opt -Oz),
// then re-exports ThingcallError from the package entry and drops wasm-pack's pkg/.gitignore.
import { readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './lib.mjs';

export function build({ setup = true } = {}) {
  if (setup) run('bash', ['scripts/setup.sh']);
  run('wasm-pack', ['build', '--target', 'web', '--release', '--out-dir', 'pkg', '--out-name', 'thingcall', '--no-pack']);
  const pkg = join(root, 'pkg');
  const snippet = readdirSync(join(pkg, 'snippets')).map((d) => `./snippets/${d}/js/thingcall_error.js`)
    .find((p) => existsSync(join(pkg, p)));
  if (!snippet) throw new Error('build: the ThingcallError snippet is missing from pkg/snippets');
  const js = join(pkg, 'thingcall.js');
  const line = `export { ThingcallError } from '${snippet}';\n`;
  const text = readFileSync(js, 'utf8');
  if (!text.includes(line)) writeFileSync(js, text + line);
  rmSync(join(pkg, '.gitignore'), { force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(e.exitCode ?? 1);
  }
}

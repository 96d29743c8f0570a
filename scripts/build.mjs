// `npm run build`: builds pkg/ with wasm-pack (--target web, release profile, feature
// `panic-trap`, wasm-opt -Oz), then adds the JavaScript half of the client: js/client.js,
// js/options.js and js/results.js are copied next to the glue (their import of the
// snippets pointed at their place in pkg/snippets), and the package entry
// re-exports IotClient and ThingcallError. Last, esbuild bundles the glue and these modules
// into one minified ES module, pkg/thingcall.js, with a source map (pkg/thingcall.js.map,
// sources included) for debugging: what a bundler would ship, shipped as is.
import { readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { root, run } from './lib.mjs';

/** The JavaScript modules of the client that Rust does not import (so wasm-bindgen does not copy). */
const CLIENT_MODULES = ['client.js', 'options.js', 'results.js'];

export function build({ setup = true } = {}) {
  rmSync(join(root, 'pkg'), { recursive: true, force: true });
  if (setup) run('bash', ['scripts/setup.sh']);
  run('wasm-pack', ['build', '--target', 'web', '--release', '--out-dir', 'pkg', '--out-name', 'thingcall', '--no-pack',
    '--', '--features', 'panic-trap']);
  const pkg = join(root, 'pkg');
  const snippets = readdirSync(join(pkg, 'snippets')).map((d) => `./snippets/${d}/js`)
    .filter((d) => existsSync(join(pkg, d, 'thingcall_error.js')));
  if (snippets.length !== 1) throw new Error(`build: expected one snippet directory in pkg/snippets, found ${snippets.length}`);
  const [snippet] = snippets;
  for (const name of CLIENT_MODULES) {
    const source = readFileSync(join(root, 'js', name), 'utf8');
    writeFileSync(join(pkg, name), source.replaceAll(/from '\.\/(sign_input|thingcall_error)\.js'/g, `from '${snippet}/$1.js'`));
  }
  const entry = join(pkg, 'thingcall.js');
  const lines = `export { ThingcallError } from '${snippet}/thingcall_error.js';\nexport { IotClient } from './client.js';\n`;
  const glue = readFileSync(entry, 'utf8');
  if (!glue.includes(lines)) writeFileSync(entry, glue + lines);
  run('esbuild', ['pkg/thingcall.js', '--bundle', '--format=esm', '--minify', '--sourcemap',
    '--sources-content=true', '--legal-comments=none', '--target=es2022', '--allow-overwrite',
    '--outfile=pkg/thingcall.js', '--log-level=warning']);
  for (const name of CLIENT_MODULES) rmSync(join(pkg, name));
  rmSync(join(pkg, 'snippets'), { recursive: true });
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

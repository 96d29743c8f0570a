// `npm run build`: builds pkg/ with wasm-pack (--target web, release profile, feature
// `panic-trap`, this machine's paths remapped, wasm-opt -Oz); shortens the names between the wasm
// and its glue; adds the JavaScript half of the client (js/client.js, js/options.js and
// js/results.js, copied next to the glue with their imports of the snippets pointed at
// pkg/snippets) and re-exports IotClient and ThingcallError from the package entry. Last, esbuild
// bundles the glue and these modules into one minified ES module, pkg/thingcall.js, with a
// source map (pkg/thingcall.js.map, sources included) for debugging: what a bundler would ship,
// shipped as is.
import { readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { env, root, run } from './lib.mjs';

/** The JavaScript modules of the client that Rust does not import (so wasm-bindgen does not copy). */
const CLIENT_MODULES = ['client.js', 'options.js', 'results.js'];

export function build({ setup = true } = {}) {
  rmSync(join(root, 'pkg'), { recursive: true, force: true });
  if (setup) run('bash', ['scripts/setup.sh']);
  run('wasm-pack', ['build', '--target', 'web', '--release', '--out-dir', 'pkg', '--out-name', 'thingcall', '--no-pack',
    '--', '--features', 'panic-trap'], { env: { CARGO_ENCODED_RUSTFLAGS: remapPaths() } });
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
  minifyWasmNames(pkg, entry);
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

/**
 * rustc flags that replace this machine's paths (the cargo registry's and this checkout's) in
 * what the wasm keeps of file names (panic locations), so the package is the same, and the same
 * size, wherever it is built, and names no local directory.
 */
function remapPaths() {
  const registry = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'registry', 'src');
  const sources = existsSync(registry) ? readdirSync(registry).map((d) => [join(registry, d), '/crates']) : [];
  return [...sources, [root, '/thingcall']].map(([from, to]) => `--remap-path-prefix=${from}=${to}`).join('\x1f');
}

/**
 * Shortens the names the wasm and its glue know each other by: wasm-bindgen's import names carry
 * 16-hex-digit hashes and its exports long prefixes, about 0.6 KB of gzip in the two files
 * together. `wasm-opt --minify-imports-and-exports-and-modules` renames them in the wasm and
 * prints the mapping; the same renames are made in the glue, where every export is read as
 * `wasm.<name>`, every import is a key of the imports object and the module is
 * "./thingcall_bg.js". The build fails if any old name is left.
 */
function minifyWasmNames(pkg, entry) {
  const wasmFile = join(pkg, 'thingcall_bg.wasm');
  const out = execFileSync('wasm-opt', [wasmFile, '--minify-imports-and-exports-and-modules', '-Oz',
    '--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext', '--enable-mutable-globals',
    '--enable-reference-types', '--enable-multivalue', '-o', wasmFile], { cwd: root, env, encoding: 'utf8' });
  const map = JSON.parse(out.slice(out.indexOf('{')));
  let glue = readFileSync(entry, 'utf8');
  const modules = new Set(map.imports.map(([module]) => module));
  if (modules.size !== 1 || !modules.has('./thingcall_bg.js')) throw new Error(`build: unexpected import modules ${[...modules]}`);
  const count = (re) => (glue.match(re) ?? []).length;
  const replace = (re, to, what) => {
    if (count(re) === 0) throw new Error(`build: ${what} is not in the glue`);
    glue = glue.replace(re, to);
  };
  replace(/(["'])\.\/thingcall_bg\.js\1(?=\s*:)/g, '"a"', 'the import module');
  for (const [, from, to] of map.imports) replace(new RegExp(`\\b${from}(?=\\s*:)`, 'g'), to, `import ${from}`);
  for (const [from, to] of map.exports) {
    const re = new RegExp(`\\bwasm\\.${from}\\b`, 'g');
    if (count(re) > 0) glue = glue.replace(re, `wasm.${to}`);
  }
  const left = [...map.imports.map(([, from]) => from), ...map.exports.map(([from]) => `wasm.${from}`)]
    .filter((name) => new RegExp(`\\b${name.replace('.', '\\.')}\\b`).test(glue));
  if (left.length || glue.includes('./thingcall_bg.js')) throw new Error(`build: names left unrenamed in the glue: ${left}`);
  writeFileSync(entry, glue);
  // The declarations of the exports named before: now an opaque object.
  const dts = join(pkg, 'thingcall.d.ts');
  const types = readFileSync(dts, 'utf8').replace(/export interface InitOutput \{[\s\S]*?\n\}/,
    '/** The wasm instance\'s exports (internal; their names are minified). */\nexport interface InitOutput {\n  readonly [name: string]: unknown;\n}');
  if (!types.includes('readonly [name: string]: unknown;')) throw new Error('build: InitOutput not found in thingcall.d.ts');
  writeFileSync(dts, types);
  rmSync(join(pkg, 'thingcall_bg.wasm.d.ts'), { force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(e.exitCode ?? 1);
  }
}

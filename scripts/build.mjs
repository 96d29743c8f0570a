// `npm run build`: builds pkg/ with wasm-pack (--target web, release profile, this machine's
// paths remapped, wasm-opt -Oz), then bundles the package entry into one minified ES module,
// pkg/thingcall.js, with esbuild (source map pkg/thingcall.js.map, sources included, for
// debugging). The entry is wasm-bindgen's glue, unchanged, plus the one class the wasm imports
// and the package exports: ThingcallError (js/thingcall_error.js, a wasm-bindgen snippet).
import { readdirSync, readFileSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { root, run } from './lib.mjs';

export function build({ setup = true } = {}) {
  rmSync(join(root, 'pkg'), { recursive: true, force: true });
  if (setup) run('bash', ['scripts/setup.sh']);
  run('wasm-pack', ['build', '--target', 'web', '--release', '--out-dir', 'pkg', '--out-name', 'thingcall', '--no-pack', '--', '--features', 'js,fleet'],
    { env: { CARGO_ENCODED_RUSTFLAGS: remapPaths() } });
  const pkg = join(root, 'pkg');
  guardInit(join(pkg, 'thingcall.js'));
  const snippets = readdirSync(join(pkg, 'snippets')).map((d) => `./snippets/${d}/js`)
    .filter((d) => existsSync(join(pkg, d, 'thingcall_error.js')));
  if (snippets.length !== 1) throw new Error(`build: expected one snippet directory in pkg/snippets, found ${snippets.length}`);
  writeFileSync(join(pkg, 'entry.js'), [
    "export * from './thingcall.js';",
    "export { default } from './thingcall.js';",
    `export { ThingcallError } from '${snippets[0]}/thingcall_error.js';`,
    '',
  ].join('\n'));
  run('esbuild', ['pkg/entry.js', '--bundle', '--format=esm', '--minify', '--sourcemap',
    '--sources-content=true', '--legal-comments=none', '--target=es2022', '--allow-overwrite',
    '--outfile=pkg/thingcall.js', '--log-level=warning']);
  rmSync(join(pkg, 'entry.js'));
  rmSync(join(pkg, 'snippets'), { recursive: true });
  rmSync(join(pkg, '.gitignore'), { force: true });
  rmSync(join(pkg, 'thingcall_bg.wasm.d.ts'), { force: true });
  consumerDeclarations(join(pkg, 'thingcall.d.ts'));
}

/**
 * wasm-bindgen's glue keeps the instance's exports in `wasm`, undefined until `init()` (or
 * `initSync()`) has run: a call before that threw "Cannot read properties of undefined (reading
 * 'iotclient_new')". Until then `wasm` is an object whose every property read throws an error
 * that says what to do. The glue's "already loaded" checks compare against that object.
 * And `init()` with no argument works in Node too: the wasm file next to the module is read
 * from disk there.
 */
function guardInit(file) {
  const text = readFileSync(file, 'utf8');
  const declaration = 'let wasmModule, wasmInstance, wasm;';
  const loaded = 'if (wasm !== undefined) return wasm;';
  if (text.split(declaration).length !== 2 || text.split(loaded).length !== 3) {
    throw new Error("build: wasm-bindgen's glue changed: update guardInit in scripts/build.mjs");
  }
  const guard = [
    'const NOT_LOADED = new Proxy({}, { get() {',
    "  throw new Error('thingcall: call await init() (or initSync({ module })) first');",
    '} });',
    'let wasmModule, wasmInstance, wasm = NOT_LOADED;',
  ].join('\n');
  const fetchWasm = "    if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || (typeof URL === 'function' && module_or_path instanceof URL)) {";
  if (text.split(fetchWasm).length !== 2) throw new Error("build: wasm-bindgen's glue changed: update guardInit in scripts/build.mjs");
  // In Node `fetch` cannot read the file: URL the glue resolves next to itself: read the file
  // (process.getBuiltinModule: Node 20.16+, no import statement for a bundler to follow).
  const readLocal = [
    "    if (module_or_path instanceof URL && module_or_path.protocol === 'file:' && typeof globalThis.process?.getBuiltinModule === 'function') {",
    "        module_or_path = globalThis.process.getBuiltinModule('node:fs').readFileSync(module_or_path);",
    '    }',
  ].join('\n');
  writeFileSync(file, text.replace(declaration, guard).replaceAll(loaded, 'if (wasm !== NOT_LOADED) return wasm;')
    .replace(fetchWasm, `${readLocal}\n${fetchWasm}`));
}

/**
 * The .d.ts as a consumer's tsc reads it, whatever its `lib`:
 * - wasm-bindgen declares `[Symbol.dispose](): void` on each class, which compiles only with the
 *   `esnext.disposable` lib: under tsc's defaults or `es2022` + `dom` the package's own .d.ts
 *   would fail. The method stays at runtime (`using` works where the engine has it); the
 *   declarations keep `free()`.
 * - the methods return Promises and the job tasks are an async iterator: the declarations name
 *   the libs that declare them (the `Promise` constructor, `Symbol.asyncIterator`), so they
 *   compile under tsc's default (ES5) lib too, and so does a consumer's `async` function.
 */
function consumerDeclarations(file) {
  const text = readFileSync(file, 'utf8');
  const libs = ['es2015.promise', 'es2015.iterable', 'es2018.asynciterable'].map((l) => `/// <reference lib="${l}" />\n`).join('');
  const out = libs + text.replace(/^ *\[Symbol\.dispose\]\(\): void;\n/gm, '');
  if (/Symbol\.dispose/.test(out)) throw new Error('build: Symbol.dispose is left in thingcall.d.ts');
  writeFileSync(file, out);
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

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(e.exitCode ?? 1);
  }
}

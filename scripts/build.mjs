// `npm run build`: builds pkg/, the package's two entries.
// - The crate is built twice for wasm32 (release profile, this machine's paths remapped) and
//   each run through wasm-bindgen with its names kept: features `js` (what a page that makes
//   calls runs) and `js,fleet,v3` (everything). `scripts/split.mjs` splits the second into
//   pkg/thingcall_bg.wasm, the first entry's module, and pkg/thingcall_extras_bg.wasm, the
//   second entry's, which is loaded into the first's memory and table; each is then -Oz.
// - wasm-bindgen's glue (of the whole build) is bundled with the one class the wasm imports and
//   the package exports, ThingcallError (js/thingcall_error.js, a wasm-bindgen snippet), into
//   one minified ES module, pkg/thingcall.js, with esbuild (source map pkg/thingcall.js.map,
//   sources included, for debugging). pkg/extras.js, the second entry, is a few lines over it.
import { readdirSync, readFileSync, writeFileSync, rmSync, existsSync, mkdirSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { root, run } from './lib.mjs';
import { shortenNames } from './names.mjs';

export function build({ setup = true } = {}) {
  const pkg = join(root, 'pkg');
  rmSync(pkg, { recursive: true, force: true });
  if (setup) run('bash', ['scripts/setup.sh']);
  const work = join(root, 'target', 'split');
  rmSync(work, { recursive: true, force: true });
  const target = join(root, 'target', 'npm');
  for (const [dir, features] of [['calls', 'js'], ['full', 'js,fleet,v3']]) {
    run('cargo', ['build', '--quiet', '--release', '--target', 'wasm32-unknown-unknown', '--lib', '--features', features,
      ...STD_FOR_SIZE.cargo],
    {
      env: {
        ...STD_FOR_SIZE.env,
        CARGO_TARGET_DIR: target,
        // Each data segment left whole (one string, one static): the split moves the second
        // entry's data with its code (split.mjs, `moveData`).
        CARGO_ENCODED_RUSTFLAGS: [remapPaths(), '-Clink-arg=--no-merge-data-segments', ...STD_FOR_SIZE.rustflags].join('\x1f'),
      },
    });
    run('wasm-bindgen', ['--target', 'web', '--keep-debug', '--out-name', 'thingcall', '--out-dir', join(work, dir),
      join(target, 'wasm32-unknown-unknown', 'release', 'thingcall.wasm')]);
  }
  mkdirSync(pkg);
  // In a process of its own: split.mjs imports npm packages that setup.sh has just installed.
  run('node', [join(root, 'scripts', 'split.mjs'), join(work, 'calls', 'thingcall_bg.wasm'),
    join(work, 'full', 'thingcall_bg.wasm'), join(pkg, 'thingcall_bg.wasm'),
    join(pkg, 'thingcall_extras_bg.wasm'), work]);
  const parts = JSON.parse(readFileSync(join(work, 'split.json'), 'utf8'));
  cpSync(join(work, 'full', 'snippets'), join(pkg, 'snippets'), { recursive: true });
  cpSync(join(work, 'full', 'thingcall.js'), join(pkg, 'thingcall.js'));
  cpSync(join(work, 'full', 'thingcall.d.ts'), join(pkg, 'thingcall.d.ts'));
  guardInit(join(pkg, 'thingcall.js'));
  secondEntry(join(pkg, 'thingcall.js'), parts.movedExports);
  shortenNames({
    first: join(pkg, 'thingcall_bg.wasm'),
    second: join(pkg, 'thingcall_extras_bg.wasm'),
    glue: join(pkg, 'thingcall.js'),
    dts: join(pkg, 'thingcall.d.ts'),
  });
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
  consumerDeclarations(join(pkg, 'thingcall.d.ts'));
  writeFileSync(join(pkg, 'extras.js'), EXTRAS_JS);
  writeFileSync(join(pkg, 'extras.d.ts'), EXTRAS_DTS);
}

/**
 * The standard library rebuilt for the package (rust-src, which setup.sh adds), with panics that
 * trap at once and core's smaller algorithms: on wasm32-unknown-unknown a panic's message is
 * written nowhere (no hook prints it, and `panic = "abort"` traps after formatting it), so the
 * formatting, the locations and their strings are dead weight (BENCHMARKS.md). Both are unstable
 * options of the stable toolchain, enabled with RUSTC_BOOTSTRAP for this build only (its own
 * target directory, target/npm): tests and Rust apps build as usual.
 */
export const STD_FOR_SIZE = {
  cargo: ['-Zbuild-std=std,panic_abort', '-Zbuild-std-features=optimize_for_size'],
  rustflags: ['-Zunstable-options', '-Cpanic=immediate-abort', '-Zlocation-detail=none'],
  env: { RUSTC_BOOTSTRAP: '1' },
};

/** The second entry: loads the second module into the first (which must be initialized). */
const EXTRAS_JS = `import { __loadExtras, __loadExtrasSync } from './thingcall.js';
export function loadExtras(module_or_path) {
  return __loadExtras(module_or_path ?? new URL('thingcall_extras_bg.wasm', import.meta.url));
}
export function loadExtrasSync({ module }) {
  __loadExtrasSync(module);
}
`;

const EXTRAS_DTS = `/// <reference lib="es2015.promise" />
/**
 * Loads the package's second entry into the first: the fleet features (\`invokeMany\`,
 * \`setPropertyMany\`, \`checkArgs\`, \`thingModel\`, \`thingModelFromTsl\`, jobs), \`selfTest\`, and
 * \`presign\`, \`toCurl\`, \`explain\`. Call it after \`init()\`; a second call returns the same
 * promise. By default the wasm file next to this module is fetched (read from disk in Node).
 */
export function loadExtras(module_or_path?: { module_or_path: RequestInfo | URL | Response | BufferSource | WebAssembly.Module } | RequestInfo | URL | Response | BufferSource | WebAssembly.Module | Promise<Response>): Promise<void>;
/** \`loadExtras\` from bytes or a compiled module, synchronously (after \`initSync\`). */
export function loadExtrasSync(source: { module: BufferSource | WebAssembly.Module }): void;
`;

/**
 * The glue of the first entry learns of the second:
 * - the first module imports a placeholder for each signature of the second's functions that
 *   it may call through the table, and the glue calls the second's exports (its methods) as
 *   `extras.<name>`: until the second is loaded, each throws an error that says what to load;
 * - once the first is instantiated it is told it is the first of two, and `__loadExtras`
 *   instantiates the second with the first's exports (its memory, tables and functions) and the
 *   glue's JavaScript functions (the second imports those it calls as the first does), and
 *   tells the first the second is in.
 */
function secondEntry(file, movedExports) {
  const text = readFileSync(file, 'utf8');
  const importsAt = '        "./thingcall_bg.js": import0,';
  const started = '    wasm.__wbindgen_start();';
  const exported = 'export { initSync, __wbg_init as default };';
  const state = 'export function __thingcallExtras(loaded) {';
  for (const marker of [importsAt, started, exported, state]) {
    if (text.split(marker).length !== 2) throw new Error("build: wasm-bindgen's glue changed: update secondEntry in scripts/build.mjs");
  }
  if (!movedExports.includes('iotclient_invokeMany')) throw new Error('build: invokeMany stayed in the first module');
  const loader = `
const SECOND_ENTRY = new Proxy({}, { get() {
  return () => { throw new Error("thingcall: this is in the package's second entry: import { loadExtras } from 'thingcall/extras' and await loadExtras() first"); };
} });
// The second module's exports, which the glue's methods of the second entry call.
let extras = SECOND_ENTRY;
let extrasLoading;
function __loadExtrasSync(module) {
  if (wasm === NOT_LOADED) throw new Error('thingcall: call await init() (or initSync({ module })) before loading the extras');
  if (extrasLoading) return;
  const instance = new WebAssembly.Instance(module instanceof WebAssembly.Module ? module : new WebAssembly.Module(module), { ...__wbg_get_imports(), primary: wasm });
  extrasLoading = Promise.resolve(instance);
  extras = instance.exports;
  wasm.__thingcallExtras(1);
}
function __loadExtras(module_or_path) {
  if (wasm === NOT_LOADED) return Promise.reject(new Error('thingcall: call await init() (or initSync({ module })) before loadExtras()'));
  if (module_or_path !== undefined && Object.getPrototypeOf(module_or_path) === Object.prototype) ({ module_or_path } = module_or_path);
  extrasLoading ??= (async () => {
    if (module_or_path instanceof URL && module_or_path.protocol === 'file:' && typeof globalThis.process?.getBuiltinModule === 'function') {
      module_or_path = globalThis.process.getBuiltinModule('node:fs').readFileSync(module_or_path);
    } else if (typeof module_or_path === 'string' || (typeof Request === 'function' && module_or_path instanceof Request) || module_or_path instanceof URL) {
      module_or_path = fetch(module_or_path);
    }
    const { instance } = await __wbg_load(await module_or_path, { ...__wbg_get_imports(), primary: wasm });
    extras = instance.exports;
    wasm.__thingcallExtras(1);
    return instance;
  })();
  extrasLoading.catch(() => { extrasLoading = undefined; });
  return extrasLoading.then(() => undefined);
}
`;
  writeFileSync(file, text
    .replace(importsAt, `        placeholder: SECOND_ENTRY,\n${importsAt}`)
    .replace(started, `${started}\n    wasm.__thingcallExtras(0);`)
    .replace(state, 'function __thingcallExtras(loaded) {')
    .replace(exported, `${loader}\nexport { initSync, __wbg_init as default, __loadExtras, __loadExtrasSync };`));
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
 * rustc flags that replace this machine's paths (the cargo registry's, the toolchain's standard
 * library sources, which `-Zbuild-std` compiles, and this checkout's) in what the wasm keeps of
 * file names (panic locations), so the package is the same, and the same size, wherever it is
 * built, and names no local directory.
 */
function remapPaths() {
  const registry = join(process.env.CARGO_HOME || join(homedir(), '.cargo'), 'registry', 'src');
  const sources = existsSync(registry) ? readdirSync(registry).map((d) => [join(registry, d), '/crates']) : [];
  const sysroot = execFileSync('rustc', ['--print', 'sysroot']).toString().trim();
  const std = [join(sysroot, 'lib', 'rustlib', 'src', 'rust'), '/rust'];
  return [...sources, std, [root, '/thingcall']].map(([from, to]) => `--remap-path-prefix=${from}=${to}`).join('\x1f');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(e.exitCode ?? 1);
  }
}

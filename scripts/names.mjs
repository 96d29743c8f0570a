// Short names between the package's JavaScript and its first module (`npm run build` calls it
// on pkg/ before bundling). wasm-bindgen names each import after its JavaScript function and a
// hash (`__wbg_fetch_9b478faef8cda538`), each closure's export after its Rust types (a few
// hundred characters), and the glue writes every name again: in the module they are bytes a
// page loads and compresses poorly. Each import of wasm-bindgen's glue module and each export
// but `memory` gets a one- or two-letter name, in the module, in the glue (the import object's
// keys, every `wasm.<export>`) and in the second module's imports of the first; so does each
// module the first imports from (wasm-bindgen's glue, the snippets, the second entry's
// placeholders). The glue's import functions that the first module no longer imports (wasm-opt
// removed their last use) go. The second module's exports (the second entry's methods, which
// the glue calls as `extras.<name>` once it is loaded) get short names too.
import { readFileSync, writeFileSync } from 'node:fs';
import { sections, writeModule, readImports, encodeImports, readExports, encodeExports } from './wasm_binary.mjs';

/** wasm-bindgen's glue module, as the first module imports it. */
const GLUE = './thingcall_bg.js';
const KEEP = new Set(['memory']);

/** `a`, `b`, ... `Z`, `aa`, `ab`, ...: the i-th JavaScript identifier of letters and digits. */
function shortName(i) {
  const first = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const rest = `${first}0123456789`;
  let name = first[i % first.length];
  for (i = Math.floor(i / first.length); i > 0; i = Math.floor((i - 1) / rest.length)) {
    name += rest[(i - 1) % rest.length];
  }
  return name;
}

/** Renames in place: the first and second modules, the glue (`glue`, a file) and `dts`'s `InitOutput`. */
export function shortenNames({ first, second, glue, dts }) {
  const firstBytes = readFileSync(first);
  const firstSections = sections(firstBytes);
  const imports = new Map();
  const exports = new Map();
  const modules = new Map();
  let named = 0;
  const parts = firstSections.map((s) => {
    if (s.id === 2) {
      return {
        id: 2,
        body: encodeImports(readImports(s.body).map((i) => {
          if (!modules.has(i.module)) modules.set(i.module, shortName(modules.size));
          const module = modules.get(i.module);
          if (i.module !== GLUE) return { ...i, module };
          if (!imports.has(i.name)) imports.set(i.name, shortName(imports.size));
          return { ...i, module, name: imports.get(i.name) };
        })),
      };
    }
    if (s.id === 7) {
      return {
        id: 7,
        body: encodeExports(readExports(s.body).map((e) => {
          if (KEEP.has(e.name)) return e;
          exports.set(e.name, shortName(named++));
          return { ...e, name: exports.get(e.name) };
        })),
      };
    }
    return s;
  });
  writeModule(first, firstBytes, parts);

  // The second module imports the first's exports (`primary`: its tables, the stack pointer) by
  // name; it calls the first's functions through the table (split.mjs, `linkThroughTable`), and
  // the glue's JavaScript functions as the first does, from the same import object.
  // Its own exports are the second entry's methods, which the glue calls as `extras.<name>`.
  const secondBytes = readFileSync(second);
  const extras = new Map();
  writeModule(second, secondBytes, sections(secondBytes).map((s) => {
    if (s.id === 7) {
      return {
        id: 7,
        body: encodeExports(readExports(s.body).map((e) => {
          extras.set(e.name, shortName(extras.size));
          return { ...e, name: extras.get(e.name) };
        })),
      };
    }
    if (s.id !== 2) return s;
    return {
      id: 2,
      body: encodeImports(readImports(s.body).map((i) => {
        // A JavaScript function of the glue (or a snippet), imported as the first imports it.
        if (i.module !== 'primary') {
          if (!modules.has(i.module)) modules.set(i.module, shortName(modules.size));
          const module = modules.get(i.module);
          if (i.module !== GLUE) return { ...i, module };
          if (!imports.has(i.name)) imports.set(i.name, shortName(imports.size));
          return { ...i, module, name: imports.get(i.name) };
        }
        if (KEEP.has(i.name)) return i;
        if (!exports.has(i.name)) throw new Error(`build: the second module imports ${i.name}, which the first does not export`);
        return { ...i, name: exports.get(i.name) };
      })),
    };
  }));

  writeFileSync(glue, renameGlue(readFileSync(glue, 'utf8'), modules, imports, exports, extras));
  const types = readFileSync(dts, 'utf8');
  const initOutput = /^export interface InitOutput \{\n[^}]*\n\}$/m;
  if (!initOutput.test(types)) throw new Error("build: wasm-bindgen's .d.ts changed: update shortenNames in scripts/names.mjs");
  writeFileSync(dts, types.replace(initOutput, [
    '/** The module\'s exports: `memory`; the others are the package\'s own, with short names. */',
    'export interface InitOutput {',
    '    readonly memory: WebAssembly.Memory;',
    '}',
  ].join('\n')));
}

function renameGlue(text, modules, imports, exports, extras) {
  const start = text.indexOf('    const import0 = {\n        __proto__: null,\n');
  const end = text.indexOf('\n    };\n', start);
  const returned = `        "${GLUE}": import0,`;
  if (start < 0 || end < 0 || text.split(returned).length !== 2) {
    throw new Error("build: wasm-bindgen's glue changed: update renameGlue in scripts/names.mjs");
  }
  // The import object's entries, each from its key's line (8 spaces in) to the next one's.
  const body = text.slice(start, end);
  const keyAt = /^ {8}([A-Za-z_$][\w$]*): /gm;
  const keys = [...body.matchAll(keyAt)].filter((m) => m[1] !== '__proto__');
  const head = body.slice(0, keys[0].index);
  const found = new Set();
  const entries = keys.map((m, i) => {
    const entry = body.slice(m.index, keys[i + 1]?.index ?? body.length);
    if (!imports.has(m[1])) return '';
    found.add(m[1]);
    return entry.replace(`${m[1]}: `, `${imports.get(m[1])}: `);
  });
  const missing = [...imports.keys()].filter((k) => !found.has(k));
  if (missing.length) throw new Error(`build: the glue has no import ${missing.join(', ')}`);
  let out = text.slice(0, start) + head + entries.join('') + text.slice(end);
  for (const [module, short] of modules) {
    // The second entry's placeholders (build.mjs, `secondEntry`): an object of its own.
    if (module === 'placeholder') {
      const key = /^ {8}placeholder: /m;
      if (!key.test(out)) throw new Error('build: the glue has no placeholder import object');
      out = out.replace(key, `        ${short}: `);
      continue;
    }
    const line = new RegExp(`^ {8}"${module.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}": (import\\d+),$`, 'm');
    if (!line.test(out)) throw new Error(`build: the glue has no import object for ${module}`);
    out = out.replace(line, `        ${short}: $1,`);
  }
  return out.replace(/\bwasm\.([A-Za-z_$][\w$]*)/g, (whole, name) => {
    if (KEEP.has(name)) return whole;
    if (extras.has(name)) return `extras.${extras.get(name)}`;
    if (!exports.has(name)) throw new Error(`build: the glue calls wasm.${name}, which the first module does not export`);
    return `wasm.${exports.get(name)}`;
  });
}

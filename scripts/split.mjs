// Splits the package's wasm in two (`npm run build` calls it): the first module holds what a
// page that makes calls runs, the second (`thingcall/extras`) what only the fleet features,
// the self-test and presign/toCurl/explain run. The second is loaded into the first's memory
// and table: nothing of the first is copied into it.
//
// Which function goes where is read from two builds of the crate, both through wasm-bindgen
// with their names kept:
// - `calls`: features `js` only (no fleet, no extras);
// - `full`: features `js,fleet`: what is split.
// A function of `full` stays in the first module when it is reachable by direct calls from an
// export that `calls` has too, or from a table entry (a closure, a future's poll, a vtable's
// method) whose name, hash removed, `calls` has too: an indirect call cannot be followed
// statically, and the names say which indirect targets the calls' own code can reach. Anything
// else goes to the second module, where binaryen's wasm-split puts a placeholder in the first
// module's table for it; the package's glue makes each placeholder throw an error that says
// to load the second entry.
//
// Tools: binaryen's `wasm-split` (Debian's package: npm's binaryen has no wasm-split), its
// `wasm-opt` from npm for the call graph and the final -Oz, and binaryen.js for the module's
// names, exports and table.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { root } from './lib.mjs';

// npm's binaryen, whatever PATH says: Debian's (108, for wasm-split) names functions in its call
// graph another way and cannot read what 132 writes.
const WASM_OPT = join(root, 'node_modules', '.bin', 'wasm-opt');

/** The wasm features the package's modules use (as Cargo.toml's wasm-pack metadata lists). */
export const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

/** A function's name without the hashes that differ from one build of the crate to another. */
const stable = (name) => name.replace(/::h[0-9a-f]{16}/g, '').replace(/\[[0-9a-f]{16}\]/g, '');

function moduleFacts(file) {
  const m = binaryen.readBinary(readFileSync(file));
  try {
    const functions = [];
    for (let i = 0; i < m.getNumFunctions(); i++) functions.push(binaryen.getFunctionInfo(m.getFunctionByIndex(i)));
    const exports = [];
    for (let i = 0; i < m.getNumExports(); i++) exports.push(binaryen.getExportInfo(m.getExportByIndex(i)));
    const table = [];
    for (let i = 0; i < m.getNumElementSegments(); i++) {
      table.push(...binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i)).data);
    }
    return { functions, exports, table };
  } finally {
    m.dispose();
  }
}

/** Direct calls, caller → callees, from wasm-opt's call graph. */
function directCalls(file) {
  const dot = execFileSync(WASM_OPT, [file, ...FEATURES, '--print-call-graph', '-o', '/dev/null'],
    { maxBuffer: 1 << 28 }).toString();
  const calls = new Map();
  for (const [, from, to] of dot.matchAll(/^ {2}"(.*)" -> "(.*)"; \/\/ call$/gm)) {
    if (!calls.has(from)) calls.set(from, []);
    calls.get(from).push(to);
  }
  return calls;
}

/** The functions of `full` that stay in the first module, and the exports that move. */
export function firstModuleFunctions(callsWasm, fullWasm) {
  const calls = moduleFacts(callsWasm);
  const full = moduleFacts(fullWasm);
  const callsNames = new Set(calls.functions.map((f) => stable(f.name)));
  const callsExports = new Set(calls.exports.map((e) => e.name));
  const fnExports = full.exports.filter((e) => e.kind === binaryen.ExternalFunction);
  const edges = directCalls(fullWasm);
  const keep = new Set();
  const reach = (roots, admit) => {
    for (const stack = [...roots]; stack.length;) {
      const f = stack.pop();
      if (keep.has(f) || !admit(f)) continue;
      keep.add(f);
      for (const g of edges.get(f) ?? []) stack.push(g);
    }
  };
  // What the calls' exports reach, whatever its name (a helper the calls build inlined may be
  // a function of its own here).
  reach(fnExports.filter((e) => callsExports.has(e.name)).map((e) => e.value), () => true);
  // The table entries the calls build has too (closures, futures' polls, vtables), and what
  // they reach. Except behind a generic entry that this build has more instances of than the
  // calls build (a closure's `invoke`, `FnOnce::call_once`: shared by every closure of a
  // signature): there only what the calls build has too stays, and the second entry's closures
  // (their bodies never called before it is loaded) move.
  const count = (functions) => {
    const n = new Map();
    for (const f of functions) n.set(stable(f.name), (n.get(stable(f.name)) ?? 0) + 1);
    return n;
  };
  const callsCount = count(calls.functions);
  const fullCount = count(full.functions);
  const shared = (name) => fullCount.get(stable(name)) > callsCount.get(stable(name));
  const roots = full.table.filter((name) => callsNames.has(stable(name)));
  reach(roots.filter((name) => !shared(name)), () => true);
  reach(roots.filter(shared), (f) => callsNames.has(stable(f)));
  const defined = full.functions.filter((f) => !f.module);
  // The call graph's names are the module's: if they were not (another binaryen), next to
  // nothing would be reached, and the first module would lose what calls need.
  const callsDefined = calls.functions.filter((f) => !f.module).length;
  if (keep.size < callsDefined / 2) {
    throw new Error(`split: only ${keep.size} functions reached from the calls' ${callsDefined}: the call graph does not name this module's functions`);
  }
  return {
    keep: defined.filter((f) => keep.has(f.name)).map((f) => f.name),
    moved: defined.filter((f) => !keep.has(f.name)).map((f) => f.name),
    movedExports: fnExports.filter((e) => !callsExports.has(e.name)).map((e) => e.name),
  };
}

/** A name as binaryen's text format writes it (wasm-split's --keep-funcs reads that form). */
function watName(name) {
  return [...Buffer.from(name, 'utf8')].map((b) => {
    const c = String.fromCharCode(b);
    return b < 0x80 && /[0-9A-Za-z!#$%&'*+\-./:<=>?@^_`|~]/.test(c) ? c : `\\${b.toString(16).padStart(2, '0')}`;
  }).join('');
}

/**
 * Splits `fullWasm` (wasm-bindgen's output, names kept) into `first` and `second`, each then
 * optimized (-Oz) and stripped of names. The first imports its placeholders from module
 * `placeholder`; the second imports the first's memory, tables and functions from `primary`.
 */
export function split({ callsWasm, fullWasm, first, second, work }) {
  const { keep, moved, movedExports } = firstModuleFunctions(callsWasm, fullWasm);
  writeFileSync(`${work}/keep.txt`, `${keep.map(watName).join('\n')}\n`);
  writeFileSync(`${work}/moved.txt`, `${moved.join('\n')}\n`);
  execFileSync('wasm-split', [...FEATURES, fullWasm, '--keep-funcs', `@${work}/keep.txt`,
    '-o1', `${work}/first.wasm`, '-o2', `${work}/second.wasm`, '--import-namespace=primary',
    '--placeholder-namespace=placeholder', '--export-prefix=%', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  shortenLinks(`${work}/first.wasm`, `${work}/second.wasm`);
  for (const [from, to] of [[`${work}/first.wasm`, first], [`${work}/second.wasm`, second]]) {
    execFileSync(WASM_OPT, [...FEATURES, '-Oz', '--converge', '--strip-debug', '--strip-producers', from, '-o', to]);
  }
  return { kept: keep.length, moved: moved.length, movedExports };
}

// --- the links between the two modules, renamed ------------------------------------------
//
// wasm-split names each function the second module imports from the first after the function
// (`%` + its whole Rust name, a few hundred bytes for some): both sides get short names.

function leb(bytes, at) {
  let value = 0;
  let shift = 0;
  let byte;
  do {
    byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
  } while (byte & 0x80);
  return [value, at];
}

function encodeLeb(value) {
  const out = [];
  do {
    let byte = value % 128;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return out;
}

const encodeName = (s) => { const b = Buffer.from(s, 'utf8'); return [...encodeLeb(b.length), ...b]; };

function sections(bytes) {
  const out = [];
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, start] = leb(bytes, at + 1);
    out.push({ id, body: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return out;
}

function writeModule(file, bytes, parts) {
  const chunks = [bytes.subarray(0, 8)];
  for (const { id, body } of parts) chunks.push(Buffer.from([id, ...encodeLeb(body.length)]), body);
  writeFileSync(file, Buffer.concat(chunks));
}

function readName(body, at) {
  const [len, start] = leb(body, at);
  return [body.subarray(start, start + len).toString('utf8'), start + len];
}

/** The bytes of a value type, or a table's reference type, at `at`. */
function skipValueType(body, at) {
  const t = body[at];
  // (ref ht) and (ref null ht): a heap type follows.
  return t === 0x63 || t === 0x64 ? leb(body, at + 1)[1] : at + 1;
}

function skipLimits(body, at) {
  const flags = body[at];
  let p = leb(body, at + 1)[1];
  if (flags & 1) p = leb(body, p)[1];
  return p;
}

function shortenLinks(firstFile, secondFile) {
  const short = new Map();
  const shortName = (name) => {
    if (!short.has(name)) short.set(name, `%${short.size.toString(36)}`);
    return short.get(name);
  };
  const firstBytes = readFileSync(firstFile);
  const firstSections = sections(firstBytes);
  // wasm-split (binaryen 108) exports wasm-bindgen's externref table as its first table, the
  // function table: the export is pointed back at the externref table.
  const tableTypes = [];
  for (const s of firstSections.filter((x) => x.id === 4)) {
    let [count, at] = leb(s.body, 0);
    for (; count > 0; count--) {
      tableTypes.push(s.body[at]);
      at = skipLimits(s.body, skipValueType(s.body, at));
    }
  }
  const externrefs = tableTypes.indexOf(0x6f);
  if (externrefs < 0 || tableTypes.indexOf(0x70) < 0) throw new Error('split: the first module has no externref or no function table');
  const firstParts = firstSections.map((s) => {
    if (s.id !== 7) return s;
    const [count, start] = leb(s.body, 0);
    const out = [...encodeLeb(count)];
    let at = start;
    for (let i = 0; i < count; i++) {
      let name;
      [name, at] = readName(s.body, at);
      const kind = s.body[at];
      const [index, next] = leb(s.body, at + 1);
      at = next;
      let target = index;
      if (kind === 0x01) target = name === '__wbindgen_externrefs' ? externrefs : tableTypes.indexOf(0x70);
      out.push(...encodeName(name.startsWith('%') ? shortName(name) : name), kind, ...encodeLeb(target));
    }
    return { id: 7, body: Buffer.from(out) };
  });
  const secondBytes = readFileSync(secondFile);
  const secondParts = sections(secondBytes).map((s) => {
    if (s.id !== 2) return s;
    const [count, start] = leb(s.body, 0);
    const out = [...encodeLeb(count)];
    let at = start;
    for (let i = 0; i < count; i++) {
      let module;
      let name;
      [module, at] = readName(s.body, at);
      [name, at] = readName(s.body, at);
      const descStart = at;
      const kind = s.body[at++];
      if (kind === 0x00) at = leb(s.body, at)[1];
      else if (kind === 0x01) at = skipLimits(s.body, skipValueType(s.body, at));
      else if (kind === 0x02) at = skipLimits(s.body, at);
      else if (kind === 0x03) at = skipValueType(s.body, at) + 1;
      else throw new Error(`split: import kind ${kind} of ${module}.${name} is not read`);
      if (module === 'primary' && name.startsWith('%') && !short.has(name)) {
        throw new Error(`split: the second module imports ${name}, which the first does not export`);
      }
      const renamed = module === 'primary' && name.startsWith('%') ? short.get(name) : name;
      out.push(...encodeName(module), ...encodeName(renamed), ...s.body.subarray(descStart, at));
    }
    return { id: 2, body: Buffer.from(out) };
  });
  writeModule(firstFile, firstBytes, firstParts);
  writeModule(secondFile, secondBytes, secondParts);
}

// `node scripts/split.mjs CALLS FULL FIRST SECOND WORK` (what `npm run build` runs): writes the
// two modules and WORK/split.json ({ kept, moved, movedExports }).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [callsWasm, fullWasm, first, second, work] = process.argv.slice(2);
  const r = split({ callsWasm, fullWasm, first, second, work });
  writeFileSync(`${work}/split.json`, `${JSON.stringify(r)}\n`);
}

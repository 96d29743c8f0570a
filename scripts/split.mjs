// Splits the package's wasm in two (`npm run build` calls it): the first module holds what a
// page that makes calls runs, the second (`thingcall/extras`) what only the fleet features,
// the self-test and presign/toCurl/explain run. The second is loaded into the first's memory
// and table: nothing of the first is copied into it.
//
// Which function goes where is read from two builds of the crate, both through wasm-bindgen
// with their names kept:
// - `calls`: features `js` only (no fleet, no extras);
// - `full`: features `js,fleet,v3`: what is split.
// A function of `full` stays in the first module when it is reachable by direct calls from an
// export that `calls` has too, or from a table entry (a closure, a future's poll, a vtable's
// method) whose name, hash removed, `calls` has too: an indirect call cannot be followed
// statically, and the names say which indirect targets the calls' own code can reach. Anything
// else goes to the second module, where binaryen's wasm-split puts a placeholder in the first
// module's table for it (one import a signature: `sharePlaceholders`); the package's glue makes
// each placeholder throw an error that says to load the second entry. The second entry's
// methods are the second module's exports (`exportFromSecond`). The data that only the second
// module's code reads goes with it (`moveData`, below).
//
// Tools: binaryen's `wasm-split` (Debian's package: npm's binaryen has no wasm-split), its
// `wasm-opt` from npm for the call graph and the final -Oz, and binaryen.js for the module's
// names, exports and table.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import binaryen from 'binaryen';
import { root } from './lib.mjs';
import { orderForGzip } from './order.mjs';
import {
  leb, encodeLeb, sections, writeModule, skipValueType, skipLimits, readExports, encodeExports,
} from './wasm_binary.mjs';

// npm's binaryen, whatever PATH says: Debian's (108, for wasm-split) names functions in its call
// graph another way and cannot read what 132 writes.
const WASM_OPT = join(root, 'node_modules', '.bin', 'wasm-opt');

/** The wasm features the package's modules use (as Cargo.toml's wasm-pack metadata lists). */
export const FEATURES = ['--enable-bulk-memory', '--enable-nontrapping-float-to-int', '--enable-sign-ext',
  '--enable-mutable-globals', '--enable-reference-types', '--enable-multivalue'];

/**
 * A function's name without the hashes that differ from one build of the crate to another: a
 * symbol's `::h` and 16 hex digits, and a crate's disambiguator (`thingcall[59d0dd3742df5ec6]`),
 * printed without its leading zeros (15 digits or fewer one build in 16), and always after the
 * crate's name (a slice such as `[f64]` is not one).
 */
export const stable = (name) => name.replace(/::h[0-9a-f]{16}/g, '').replace(/(?<=\w)\[[0-9a-f]{1,16}\]/g, '');

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
  const deadShims = dropDeadClosureShims(fullWasm);
  const { keep, moved, movedExports } = firstModuleFunctions(callsWasm, fullWasm);
  writeFileSync(`${work}/keep.txt`, `${keep.map(watName).join('\n')}\n`);
  writeFileSync(`${work}/moved.txt`, `${moved.join('\n')}\n`);
  execFileSync('wasm-split', [...FEATURES, fullWasm, '--keep-funcs', `@${work}/keep.txt`,
    '-o1', `${work}/first.wasm`, '-o2', `${work}/second.wasm`, '--import-namespace=primary',
    '--placeholder-namespace=placeholder', '--export-prefix=%', '--quiet'], { stdio: ['ignore', 'ignore', 'inherit'] });
  pointTableExports(`${work}/first.wasm`);
  const data = moveData(`${work}/first.wasm`, `${work}/second.wasm`, fullWasm);
  // --low-memory-unused: the stack is first in memory, growing down from 1 MiB to 0, the data
  // after it; nothing lives in the lowest 1 KiB, so `load(p + c)` may fold `c` into the
  // load's offset (about 300 bytes gzip of the first module).
  for (const file of [`${work}/first.wasm`, `${work}/second.wasm`]) {
    const section = sections(readFileSync(file)).find((x) => x.id === 11);
    if (section && dataSegments(section.body).some((g) => g.offset !== null && g.offset < 1024)) {
      throw new Error(`split: ${file} has data in the lowest 1 KiB of memory: --low-memory-unused would be wrong`);
    }
  }
  const links = linkThroughTable(`${work}/first.wasm`, `${work}/second.wasm`);
  const secondExports = exportFromSecond(`${work}/first.wasm`, `${work}/second.wasm`, movedExports);
  const placeholders = sharePlaceholders(`${work}/first.wasm`);
  // A function with one caller is inlined only when small (20 bytes; -Oz: any size): the
  // callers then stay small functions with few locals, whose code repeats more, and gzip
  // gains more than the calls cost (0 to 100 measured; 15 to 20 the smallest: -1.5 % in the
  // first module, -5 % in the second; signRpc's rate in Chromium the same within its spread).
  const finish = ['--low-memory-unused', '--one-caller-inline-max-function-size=20', '--strip-debug',
    '--strip-producers', '--strip-target-features'];
  // The second module's control flow rebuilt first (--flatten --rereloop, then -Os, once): its
  // async state machines come out about 390 bytes gzip smaller (-Oz after them: 170; with
  // --converge: 300; the same for the first module: 117 larger; the first without --converge:
  // 113 larger).
  const passes = { [first]: ['-Oz', '--converge'], [second]: ['--flatten', '--rereloop', '-Os'] };
  for (const [from, to] of [[`${work}/first.wasm`, first], [`${work}/second.wasm`, second]]) {
    execFileSync(WASM_OPT, [...FEATURES, ...passes[to], ...finish, from, '-o', to]);
    // The functions in an order that compresses better (order.mjs): about 1 % of each module.
    orderForGzip(to, FEATURES, ['-Oz', ...finish]);
  }
  return { kept: keep.length, moved: moved.length, movedExports, secondExports, data, links, placeholders, deadShims };
}

// --- closure shims that nothing calls -------------------------------------------------------
//
// A closure's `invoke` shim (`wasm_bindgen::convert::closures::_::invoke::<..>`) is called only
// by the glue, through the export wasm-bindgen makes for it (`makeMutClosure`). Its table entry
// comes from the closure type's `describe` function, which took its address: wasm-bindgen reads
// and removes the describe functions, but leaves their table entries, and with them a shim for
// every closure type js-sys and web-sys declare (typed arrays' `forEach`, `Set`, `Array.find`,
// ...), about 45 functions that the first module would keep (they are table entries). Each such
// entry of a shim that is not exported is pointed at one function that traps instead: the slots
// keep their numbers, and the shims are gone after -Oz.

/** Points the table entries of `file`'s unexported closure shims at one trapping function. */
function dropDeadClosureShims(file) {
  const m = binaryen.readBinary(readFileSync(file));
  try {
    m.setFeatures(binaryenFeatures());
    const exported = new Set();
    for (let i = 0; i < m.getNumExports(); i++) {
      const e = binaryen.getExportInfo(m.getExportByIndex(i));
      if (e.kind === binaryen.ExternalFunction) exported.add(e.value);
    }
    const shim = (name) => /^wasm_bindgen\[[0-9a-f]{1,16}\]::convert::closures::_::invoke::</.test(name) && !exported.has(name);
    const segments = [];
    for (let i = 0; i < m.getNumElementSegments(); i++) segments.push(binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i)));
    let dropped = 0;
    const stub = '%dead_closure_shim';
    for (const seg of segments) {
      if (!seg.data.some(shim)) continue;
      const offset = binaryen.getExpressionInfo(seg.offset);
      if (offset.id !== binaryen.ConstId) throw new Error('split: an element segment whose offset is not a constant');
      if (dropped === 0) m.addFunction(stub, binaryen.none, binaryen.none, [], m.unreachable());
      const data = seg.data.map((name) => (shim(name) ? (dropped++, stub) : name));
      m.removeElementSegment(seg.name);
      m.addActiveElementSegment(seg.table, seg.name, data, m.i32.const(offset.value));
    }
    if (dropped === 0) return 0;
    if (!m.validate()) throw new Error('split: the module does not validate without its dead closure shims');
    binaryen.setDebugInfo(true);
    writeFileSync(file, m.emitBinary());
    return dropped;
  } finally {
    binaryen.setDebugInfo(false);
    m.dispose();
  }
}

// --- the second entry's exports, from the second module ---------------------------------------
//
// wasm-split leaves each export of a moved function in the first module, as a function that
// calls the moved one's table slot (a placeholder until the second module is in). The glue's
// methods of the second entry call them only once it is loaded: they call the second module's
// own exports instead (names.mjs), and the first module loses the exports, the functions behind
// them and their types.

/** The table slot each of `names` (functions of `file`) calls: their one `call_indirect`'s constant. */
function slotsCalled(file, names) {
  const text = wat(file);
  const out = new Map();
  for (const name of names) {
    const start = text.indexOf(`\n (func $${name} `);
    if (start < 0) throw new Error(`split: no function $${name} in the first module`);
    const body = text.slice(start, text.indexOf('\n )', start));
    // Its parameters passed on (`local.get`s) to the slot's function: one call, one constant.
    const calls = [...body.matchAll(/\(call_indirect \$0 /g)];
    const constants = [...body.matchAll(/\(i32\.const (\d+)\)/g)];
    if (calls.length !== 1 || constants.length !== 1) throw new Error(`split: $${name} is not one call of a table slot (wasm-split changed?)`);
    out.set(name, Number(constants[0][1]));
  }
  return out;
}

function exportFromSecond(firstFile, secondFile, movedExports) {
  const first = binaryen.readBinary(readFileSync(firstFile));
  const second = binaryen.readBinary(readFileSync(secondFile));
  try {
    first.setFeatures(binaryenFeatures());
    second.setFeatures(binaryenFeatures());
    const exports = new Map();
    for (let i = 0; i < first.getNumExports(); i++) {
      const e = binaryen.getExportInfo(first.getExportByIndex(i));
      if (e.kind === binaryen.ExternalFunction && movedExports.includes(e.name)) exports.set(e.name, e.value);
    }
    if (exports.size !== movedExports.length) throw new Error(`split: ${movedExports.length} exports moved, ${exports.size} found in the first module`);
    const slots = slotsCalled(firstFile, new Set(exports.values()));
    let secondTable = null;
    for (let i = 0; i < second.getNumTables(); i++) {
      const t = binaryen.getTableInfo(second.getTableByIndex(i));
      if (t.module === 'primary' && t.base === '%table') secondTable = t.name;
    }
    const filled = new Map(tableSlots(second, secondTable).map(({ slot, name }) => [slot, name]));
    for (const [name, func] of exports) {
      const target = filled.get(slots.get(func));
      if (!target) throw new Error(`split: the second module does not fill the slot that ${name} calls`);
      second.addFunctionExport(target, name);
      first.removeExport(name);
    }
    if (!first.validate() || !second.validate()) throw new Error('split: a module does not validate after moving the exports');
    writeFileSync(firstFile, first.emitBinary());
    writeFileSync(secondFile, second.emitBinary());
    return [...exports.keys()];
  } finally {
    first.dispose();
    second.dispose();
  }
}

// --- one placeholder a signature ------------------------------------------------------------
//
// Until the second module is in, each of its functions' table slots holds a placeholder, an
// import of the first module that throws (the glue's `SECOND_ENTRY`). wasm-split imports one
// for each function; one for each signature does the same, with fewer imports.

function sharePlaceholders(firstFile) {
  const m = binaryen.readBinary(readFileSync(firstFile));
  try {
    m.setFeatures(binaryenFeatures());
    const byType = new Map();
    const replace = new Map();
    for (let i = 0; i < m.getNumFunctions(); i++) {
      const f = binaryen.getFunctionInfo(m.getFunctionByIndex(i));
      if (f.module !== 'placeholder') continue;
      const type = `${f.params}:${f.results}`;
      if (byType.has(type)) replace.set(f.name, byType.get(type));
      else byType.set(type, f.name);
    }
    const segments = [];
    for (let i = 0; i < m.getNumElementSegments(); i++) segments.push(binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i)));
    for (const seg of segments) {
      const offset = binaryen.getExpressionInfo(seg.offset);
      if (offset.id !== binaryen.ConstId) throw new Error('split: an element segment whose offset is not a constant');
      m.removeElementSegment(seg.name);
      m.addActiveElementSegment(seg.table, seg.name, seg.data.map((n) => replace.get(n) ?? n), m.i32.const(offset.value));
    }
    for (const name of replace.keys()) m.removeFunction(name);
    if (!m.validate()) throw new Error('split: the first module does not validate with shared placeholders');
    writeFileSync(firstFile, m.emitBinary());
    return { before: byType.size + replace.size, after: byType.size };
  } finally {
    m.dispose();
  }
}

// --- the second module's calls into the first, through the table ------------------------------
//
// wasm-split links the modules by name: each function of the first that the second calls is an
// export of the first (`%...`) and an import of the second. An export costs the first module a
// name, a kind and an index (about 5 bytes each, for some 300 functions); a table entry costs
// an index (2 bytes). So the links go through the function table the two share: each linked
// function gets a slot (the one it has already, when the first's own element segments put it in
// the table, else a new one at the end), its export goes, and in the second module its import
// becomes a function of the same name and type that calls that slot (`call_indirect`), which
// `-Oz` then inlines where it pays.

/** The wasm features of `FEATURES`, for binaryen.js. */
const binaryenFeatures = () => binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt
  | binaryen.Features.SignExt | binaryen.Features.MutableGlobals | binaryen.Features.ReferenceTypes
  | binaryen.Features.Multivalue | (binaryen.Features.BulkMemoryOpt ?? 0);

/** `{ slot, name }`: where an element segment of `table` with a constant offset puts each function. */
function tableSlots(m, table) {
  const out = [];
  for (let i = 0; i < m.getNumElementSegments(); i++) {
    const seg = binaryen.getElementSegmentInfo(m.getElementSegmentByIndex(i));
    if (seg.table !== table) continue;
    const offset = binaryen.getExpressionInfo(seg.offset);
    if (offset.id !== binaryen.ConstId) throw new Error('split: an element segment whose offset is not a constant');
    seg.data.forEach((name, j) => out.push({ slot: offset.value + j, name }));
  }
  return out;
}

function linkThroughTable(firstFile, secondFile) {
  const first = binaryen.readBinary(readFileSync(firstFile));
  const second = binaryen.readBinary(readFileSync(secondFile));
  try {
    first.setFeatures(binaryenFeatures());
    second.setFeatures(binaryenFeatures());
    const exports = [];
    for (let i = 0; i < first.getNumExports(); i++) exports.push(binaryen.getExportInfo(first.getExportByIndex(i)));
    const tableExport = exports.find((e) => e.name === '%table' && e.kind === binaryen.ExternalTable);
    if (!tableExport) throw new Error('split: the first module exports no %table');
    const table = first.getTable(tableExport.value);
    const size = binaryen._BinaryenTableGetInitial(table);
    // The slots the second module's element segments fill (its placeholders') are not reused.
    const secondImports = [];
    for (let i = 0; i < second.getNumFunctions(); i++) {
      const f = binaryen.getFunctionInfo(second.getFunctionByIndex(i));
      if (f.module === 'primary') secondImports.push(f);
    }
    let secondTable = null;
    for (let i = 0; i < second.getNumTables(); i++) {
      const t = binaryen.getTableInfo(second.getTableByIndex(i));
      if (t.module === 'primary' && t.base === '%table') secondTable = t.name;
    }
    if (!secondTable) throw new Error('split: the second module does not import %table');
    const replaced = new Set(tableSlots(second, secondTable).map((x) => x.slot));
    const slotOf = new Map();
    for (const { slot, name } of tableSlots(first, tableExport.value)) {
      if (!replaced.has(slot) && !slotOf.has(name)) slotOf.set(name, slot);
    }
    // In the order of the functions, whatever order wasm-split lists its exports in.
    const order = new Map();
    for (let i = 0; i < first.getNumFunctions(); i++) order.set(binaryen.getFunctionInfo(first.getFunctionByIndex(i)).name, i);
    const linked = new Map(exports.filter((e) => e.kind === binaryen.ExternalFunction && e.name.startsWith('%'))
      .sort((a, b) => order.get(a.value) - order.get(b.value)).map((e) => [e.name, e.value]));
    // A JavaScript function the first module imports, the second imports too, from the glue:
    // no slot, and the first drops its import when its own code never calls it.
    const imported = new Map();
    for (const [name, func] of linked) {
      const f = binaryen.getFunctionInfo(first.getFunction(func));
      if (f.module && f.module !== 'placeholder') imported.set(name, f);
    }
    const added = [];
    const slotOfLink = new Map();
    for (const [name, func] of linked) {
      if (imported.has(name)) {
        first.removeExport(name);
        continue;
      }
      if (!slotOf.has(func)) {
        slotOf.set(func, size + added.length);
        added.push(func);
      }
      slotOfLink.set(name, slotOf.get(func));
      first.removeExport(name);
    }
    const newSize = size + added.length;
    if (added.length) first.addActiveElementSegment(tableExport.value, '%links', added, first.i32.const(size));
    binaryen._BinaryenTableSetInitial(table, newSize);
    binaryen._BinaryenTableSetMax(table, newSize);
    const importedTable = second.getTable(secondTable);
    binaryen._BinaryenTableSetInitial(importedTable, newSize);
    binaryen._BinaryenTableSetMax(importedTable, newSize);
    let calls = 0;
    for (const f of secondImports) {
      if (!f.base.startsWith('%')) continue;
      const js = imported.get(f.base);
      if (js) {
        second.removeFunction(f.name);
        second.addFunctionImport(f.name, js.module, js.base, f.params, f.results);
        calls++;
        continue;
      }
      const slot = slotOfLink.get(f.base);
      if (slot === undefined) throw new Error(`split: the second module imports ${f.base}, which the first does not export`);
      const operands = binaryen.expandType(f.params).map((type, i) => second.local.get(i, type));
      second.removeFunction(f.name);
      second.addFunction(f.name, f.params, f.results, [],
        second.call_indirect(secondTable, second.i32.const(slot), operands, f.params, f.results));
      calls++;
    }
    if (calls !== linked.size) throw new Error(`split: ${linked.size} links exported, ${calls} imported`);
    if (!first.validate() || !second.validate()) throw new Error('split: a module does not validate after linking through the table');
    writeFileSync(firstFile, first.emitBinary());
    writeFileSync(secondFile, second.emitBinary());
    return { functions: linked.size, newSlots: added.length, imports: imported.size };
  } finally {
    first.dispose();
    second.dispose();
  }
}

// --- the first module's table exports ------------------------------------------------------
//
// wasm-split (binaryen 108) exports wasm-bindgen's externref table as its first table, the
// function table: the export is pointed back at the externref table. (The tables' exports get
// short names after -Oz: names.mjs.)

function pointTableExports(firstFile) {
  const firstBytes = readFileSync(firstFile);
  const firstSections = sections(firstBytes);
  const tableTypes = [];
  for (const s of firstSections.filter((x) => x.id === 4)) {
    let [count, at] = leb(s.body, 0);
    for (; count > 0; count--) {
      tableTypes.push(s.body[at]);
      at = skipLimits(s.body, skipValueType(s.body, at));
    }
  }
  if (tableTypes.indexOf(0x6f) < 0 || tableTypes.indexOf(0x70) < 0) throw new Error('split: the first module has no externref or no function table');
  writeModule(firstFile, firstBytes, firstSections.map((s) => (s.id !== 7 ? s : {
    id: 7,
    body: encodeExports(readExports(s.body).map(({ name, kind, index }) => ({
      name,
      kind,
      index: kind !== 0x01 ? index : tableTypes.indexOf(name === '__wbindgen_externrefs' ? 0x6f : 0x70),
    }))),
  })));
}

// --- the second module's data, moved with its code -----------------------------------------
//
// The crate is linked with its data segments unmerged (`--no-merge-data-segments`: one segment a
// string literal, a static, a table), so each segment is one object at its own address. A segment
// that the first module's code never names (an `i32.const` or a load's or store's offset inside
// it), nor any segment it keeps (a 4-byte word pointing into it), but the second module's code
// does, moves to the second module as an active segment at the same address of the one memory
// they share: it is written there when the second module is instantiated, before any of its code
// runs, and nothing of the first module's reads it.

/** The data section's segments: `{ start, end (of its encoding), offset (or null), size }`. */
function dataSegments(body) {
  const [count, first] = leb(body, 0);
  const out = [];
  let at = first;
  for (let i = 0; i < count; i++) {
    const start = at;
    let flags;
    [flags, at] = leb(body, at);
    let offset = null;
    if (flags === 0 || flags === 2) {
      if (flags === 2) at = leb(body, at)[1];
      if (body[at] !== 0x41) throw new Error('split: a data segment whose offset is not an i32.const');
      [offset, at] = leb(body, at + 1, true);
      if (body[at++] !== 0x0b) throw new Error('split: a data segment offset of more than one instruction');
    }
    const [size, bytesAt] = leb(body, at);
    out.push({ start, end: bytesAt + size, offset, size, bytes: body.subarray(bytesAt, bytesAt + size) });
    at = bytesAt + size;
  }
  return out;
}

const wat = (file) => execFileSync(join(root, 'node_modules', '.bin', 'wasm-dis'), [file], { maxBuffer: 1 << 30 }).toString();

/** Every address-like number the code of `file` names: `i32.const` values and memory offsets. */
function namedAddresses(file) {
  const out = new Set();
  for (const line of wat(file).split('\n')) {
    if (line.startsWith(' (data ')) continue;
    for (const [, n] of line.matchAll(/(?:i32\.const |offset=)(\d+)/g)) out.add(Number(n));
  }
  return out;
}

/** The addresses of the read-only segments (`.rodata.*`, by the names `full` kept). */
function readOnly(fullWasm) {
  const out = new Set();
  for (const [, name, offset] of wat(fullWasm).matchAll(/^ \(data \$(\S+) \(i32\.const (\d+)\)/gm)) {
    if (name.startsWith('.rodata.')) out.add(Number(offset));
  }
  return out;
}

/** An active segment into memory 0 at `offset`. */
const segment = (offset, bytes) => Buffer.concat([Buffer.from([0, 0x41, ...encodeSleb(offset), 0x0b, ...encodeLeb(bytes.length)]), bytes]);

function encodeSleb(value) {
  const out = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && (byte & 0x40))) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/**
 * The segments `list` (sorted by address) as fewer: two are joined when what lies between them
 * may be written again with the same bytes (`fill(from, to)` gives them, or null when not), and
 * the gap is short enough not to cost more than a segment of its own.
 */
function joined(list, fill, maxGap) {
  const out = [];
  let run = null;
  for (const g of list) {
    const gap = run && fill(run.end, g.offset);
    if (run && gap && gap.length <= maxGap) {
      run.parts.push(gap, g.bytes);
      run.end = g.offset + g.size;
    } else {
      if (run) out.push(run);
      run = { offset: g.offset, end: g.offset + g.size, parts: [g.bytes] };
    }
  }
  if (run) out.push(run);
  return out.map((r) => segment(r.offset, Buffer.concat(r.parts)));
}

/**
 * `reach(addresses)`: the segments of `active` (sorted by address) that code naming `addresses`
 * may read: those an address falls in, ends at (a slice's end pointer) or sits between, and
 * every segment a 4-byte word of a reached one points into.
 */
function reacher(active) {
  /** The segments an address falls in, or ends at (a slice's end pointer), or sits between. */
  const at = (address) => {
    const hits = [];
    let lo = 0;
    let hi = active.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (active[mid].offset <= address) lo = mid + 1;
      else hi = mid - 1;
    }
    const before = active[hi];
    if (before && address <= before.offset + before.size) hits.push(before);
    // In the padding between two segments: both, to be safe.
    if (before && address > before.offset + before.size && active[hi + 1]) hits.push(before, active[hi + 1]);
    return hits;
  };
  const reach = (addresses) => {
    const seen = new Set();
    const stack = [...addresses].flatMap(at);
    while (stack.length) {
      const g = stack.pop();
      if (seen.has(g)) continue;
      seen.add(g);
      for (let i = (4 - (g.offset % 4)) % 4; i + 4 <= g.size; i += 4) {
        const word = g.bytes.readUInt32LE(i);
        if (word >= active[0].offset) stack.push(...at(word));
      }
    }
    return seen;
  };
  return reach;
}

function moveData(firstFile, secondFile, fullWasm) {
  const firstBytes = readFileSync(firstFile);
  const firstSections = sections(firstBytes);
  const dataSection = firstSections.find((x) => x.id === 11);
  if (!dataSection) return { segments: 0, bytes: 0 };
  const segments = dataSegments(dataSection.body);
  const active = segments.filter((g) => g.offset !== null).sort((a, b) => a.offset - b.offset);
  const reach = reacher(active);
  const kept = reach(namedAddresses(firstFile));
  const moved = [...reach(namedAddresses(secondFile))].filter((g) => !kept.has(g)).sort((a, b) => a.offset - b.offset);
  if (moved.length === 0) return { segments: 0, bytes: 0 };
  const movedSet = new Set(moved);
  const stay = active.filter((g) => !movedSet.has(g));
  if (segments.length !== active.length) throw new Error('split: passive data segments are not moved');
  // What memory holds between two segments when the first module starts: zeros where no
  // segment is (padding), a segment's own bytes where one is.
  const image = (from, to, admit) => {
    const out = Buffer.alloc(to - from);
    for (const g of active) {
      if (g.offset + g.size <= from || g.offset >= to) continue;
      if (!admit(g)) return null;
      const lo = Math.max(from, g.offset);
      g.bytes.copy(out, lo - from, lo - g.offset, Math.min(to, g.offset + g.size) - g.offset);
    }
    return out;
  };
  // The first: its segments joined over the moved ones' places, left zero (the second writes them).
  const firstSegments = joined(stay, (from, to) => image(from, to, (g) => !movedSet.has(g)) ?? Buffer.alloc(to - from), Infinity);
  // The second: over padding and read-only data only (written again with the same bytes); never
  // over a static the first module may have changed by then.
  const rodata = readOnly(fullWasm);
  const secondSegments = joined(moved, (from, to) => image(from, to, (g) => rodata.has(g.offset)), 24);
  const encode = (list) => Buffer.concat([Buffer.from(encodeLeb(list.length)), ...list]);
  const firstParts = firstSections.map((x) => {
    if (x.id === 11) return { id: 11, body: encode(firstSegments) };
    if (x.id === 12) return { id: 12, body: Buffer.from(encodeLeb(firstSegments.length)) };
    return x;
  });
  writeModule(firstFile, firstBytes, firstParts);
  // The second module: its segments after its code (a data section's place), into memory 0,
  // the first's, which it imports.
  const secondBytes = readFileSync(secondFile);
  const secondSections = sections(secondBytes);
  if (secondSections.some((x) => x.id === 11 || x.id === 12)) throw new Error('split: the second module has data of its own already');
  const code = secondSections.findIndex((x) => x.id === 10);
  secondSections.splice(code + 1, 0, { id: 11, body: encode(secondSegments) });
  writeModule(secondFile, secondBytes, secondSections);
  return { segments: moved.length, bytes: moved.reduce((n, g) => n + g.size, 0), secondSegments: secondSegments.length };
}

// `node scripts/split.mjs CALLS FULL FIRST SECOND WORK` (what `npm run build` runs): writes the
// two modules and WORK/split.json ({ kept, moved, movedExports }).
if (import.meta.url === `file://${process.argv[1]}`) {
  const [callsWasm, fullWasm, first, second, work] = process.argv.slice(2);
  const r = split({ callsWasm, fullWasm, first, second, work });
  writeFileSync(`${work}/split.json`, `${JSON.stringify(r)}\n`);
}

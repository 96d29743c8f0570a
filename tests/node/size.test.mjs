// The package's size: gzip -9 (Node's zlib) of what each entry loads. The first entry, what a page
// that makes calls loads: pkg/thingcall_bg.wasm + pkg/thingcall.js; the second adds
// pkg/thingcall_extras_bg.wasm + pkg/extras.js. The budgets each page is held to, reported as
// TODOs with the figure while they are missed; regression ceilings just above what the package
// measures now, so growth fails CI; and how much of the second entry is a copy of the first.
// BENCHMARKS.md says where the bytes go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';

// The history, in bytes of gzip -9 (BENCHMARKS.md has each step): 60,277 before the
// SignatureDoesNotMatch diagnosis (about 2,500), selfTest() (about 4,000), the exact-input
// checks (about 2,900), zeroize (300) and the notes on answers that are not the envelope (500);
// then the fleet features: bulk calls (about 10,000), and the thing-model check with checkArgs,
// the type generator's reader and platform jobs (about 26,600); then the property-name cache and
// the known parameter names (+800), less 1,300 of iterator adapters and a char counter, and
// signing from borrowed names (+400); then a one-pointer Error (-4,900): 101,276; then the
// action catalog and exact answers: 101,849; then the init() guard and init() in Node, the
// deadline's keep-alive timer, the self-test's signed probe and a revoked key renewed: 102,345;
// then misspelt request fields refused (+217, less 19 for a shorter init() message): 102,543;
// then the rate windows moved out of the bulk module for the paged reads (+7 bytes of code, but
// the string data laid out anew: +43 of gzip): 102,612; then QueryDevicePropertyData and
// QueryDevicePropertiesData in the catalog (+132): 102,744; then QueryDeviceEventData and
// QueryDeviceServiceData (+152): 102,896. Growth past the ceiling fails.
// The figures above were of one entry (everything in one wasm). Since the wasm is split
// (scripts/split.mjs): the first entry, what a page that makes calls loads, measured 71,473,
// and both entries together 108,638 (the split costs about 5,700 bytes: the second module's
// links to the first, the strings of the second's code that stay in the first's data, and
// helpers that can no longer be inlined across the two).
// Then the read side's JavaScript API (devices, deviceDetails, propertyHistory, eventHistory,
// serviceHistory) in the second entry: +12,436 there, +1,145 in the first (the strings of its
// code stay in the first module's data; the glue of its methods): 72,618 and 122,219.
// Then live values, `watch()` (client::watch over EventSource, core::live's merge and the relay's
// events read in Rust, LiveWatch): +10,656 in the second entry; +1,642 in the first module (the
// web-sys imports, the strings, the generic code its closures share with the calls') and +418
// in thingcall.js (LiveWatch's glue), once the split stopped keeping the second entry's closure
// bodies behind the generic table entries (a closure's `invoke`, `FnOnce::call_once`) that the
// calls' own closures share: 74,682 and 134,919.
// Then signature V3 (sha2's SHA-256, HMAC-SHA256, the canonical request; the Cargo feature `v3`),
// reached through a pointer so that it is in the second entry: +1,291 in the first (the
// options' reader, `x-acs-retry-after`), +4,463 in the second: 75,973 and 140,660; then
// `toCurl` and `explain` of V3 (+41 of strings in the first): 76,014 and 142,419; then V3's
// signature diagnosis (+233 in the first: its sentences, which stay in the first module's
// data, and the judge's choice of diagnosis): 76,238 and 143,408. Then the second module's
// data moved with its code (560 segments, 11,503 bytes raw; split.mjs, `moveData`): -3,921 in
// the first, +2,197 all together (strings compress less well apart): 72,317 and 145,605.
// Then the standard library rebuilt for size, short names and --low-memory-unused: 62,180 and
// 134,554. Then core::fmt out of the calls, the links through the table, the functions ordered
// for gzip, the retry table derived from the catalog, one-caller inlining limited to 20 bytes
// and -Zlocation-detail=none: 56,218 and 123,809; the placeholders' module short: 56,149 and
// 123,740; the live view's repeated report dropped: both 123,788. Then the second entry's methods
// called on the second module's exports, one placeholder a signature, the second module's
// JavaScript imports its own, and byte scans instead of core's searchers and from_utf8: 54,839
// (under the budget below) and 123,155. Then SHA-256's compact rounds and one shell quoting
// without `str::replace`: 54,849 and 121,582; one check of the platform's name bytes: 54,874
// and 121,441. Then a fix: a paced call counts in its rate window from when it went out (the
// call loop's `went_out` hook): 54,979 and 122,195; the second module's control flow rebuilt
// before -Os: both 121,806. Then one paced call for the reads and jobs, their iterators one
// class, and a two-stack queue for VecDeque: 54,910 and 120,595; the second entry's results
// set property by property (`record`) instead of 17 serializers: 54,812 and 118,677; the rate
// window's starts in a Vec: 54,669 and 118,449. Then generic code written once (plain loops
// instead of collected iterator chains, one redact, one sort, one name check, one rate-window
// lookup, one curl builder) and the table entries of closure shims nothing calls dropped:
// 53,126 and 113,409; a job's name checked by bytes: both 113,267; the parameters sorted in
// their own buffer (one allocation a signature fewer): 53,272 and 113,394; the live snapshot
// without a copy of its device list: 53,206 and 113,123. Then the results written as maps
// (serde-wasm-bindgen's hash table of field names no longer linked): 51,968 and 111,855;
// optional arguments as plain values, the endpoint and method as the engine's strings, one map
// entry type: 51,595 and 111,193; integers parsed without a 128-bit multiply: 51,500 and
// 110,842; the results' fields without an error path each: 50,975 and 110,305; the live
// watch's items shaped without an await: 50,995 and 110,281; `signRpc`'s stages under names
// made once (its rate back): 51,032 and 110,273; from the core's `SignedStages`: 51,045 and
// 110,286; the paged reads' requests sent through one function: 51,007 and 109,669; a job's
// NextToken kept until its answer: both 109,653; a history's thing model tried again: 109,614;
// a paced call's retries admitted by its rate window: 51,092 and 109,960; `signRpc`'s stages
// as one string: 51,045 and 109,921; the names of answers and results made once: 51,151 and
// 109,962; `invokeThingService`'s result without a copy of `Data.Result`: 51,135 and 109,946.
const CEILING_FIRST = 51_200;
const CEILING_BOTH = 110_000;
// A page that makes calls (invoke, set, query, `call`, STS, retries, deadlines, errors with their
// diagnosis, `signRpc`) loads at most what AWS's browser client for the same job weighs
// (`@aws-sdk/client-iot-data-plane`, bundled, gzip -9); both entries together at most 100 KB.
const FIRST_BUDGET = 55_260;
const ALL_TOGETHER = 102_400;
// The second entry adds to the first: at most 10 % of its bytes may be a copy of the first's.
const MAX_COPIED = 0.1;

const pkg = join(root, 'pkg');
const gzip = (f) => gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length;

/** The bodies of a module's functions (its code section), as buffers. */
function functionBodies(bytes) {
  const leb = (at) => {
    let value = 0;
    let shift = 0;
    let b;
    do { b = bytes[at++]; value += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return [value, at];
  };
  for (let at = 8; at < bytes.length;) {
    const id = bytes[at];
    const [size, start] = leb(at + 1);
    if (id === 10) {
      const bodies = [];
      let [count, p] = leb(start);
      for (; count > 0; count--) {
        const [n, q] = leb(p);
        bodies.push(bytes.subarray(q, q + n));
        p = q + n;
      }
      return bodies;
    }
    at = start + size;
  }
  return [];
}

test('the package ships two entries: these four files and nothing else', () => {
  const loaded = readdirSync(pkg).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  assert.deepEqual(loaded.sort(), ['extras.js', 'thingcall.js', 'thingcall_bg.wasm', 'thingcall_extras_bg.wasm']);
});

const first = gzip('thingcall_bg.wasm') + gzip('thingcall.js');
const second = gzip('thingcall_extras_bg.wasm') + gzip('extras.js');
const both = first + second;

test(`the first entry stays under its regression ceiling of ${CEILING_FIRST} bytes`, (t) => {
  t.diagnostic(`thingcall_bg.wasm ${gzip('thingcall_bg.wasm')}, thingcall.js ${gzip('thingcall.js')}: ${first}; second entry ${second}; both ${both}`);
  assert.ok(first <= CEILING_FIRST, `the first entry grew to ${first} bytes gzip (ceiling ${CEILING_FIRST})`);
});

test(`both entries stay under their regression ceiling of ${CEILING_BOTH} bytes`, () => {
  assert.ok(both <= CEILING_BOTH, `both entries grew to ${both} bytes gzip (ceiling ${CEILING_BOTH})`);
});

test(`a page that makes calls loads at most ${FIRST_BUDGET} bytes`, { todo: first > FIRST_BUDGET ? `over by ${first - FIRST_BUDGET} bytes (${first})` : false }, () => {
  assert.ok(first <= FIRST_BUDGET, `${first} bytes gzip: ${first - FIRST_BUDGET} over ${FIRST_BUDGET}`);
});

test(`both entries together are at most ${ALL_TOGETHER} bytes`, { todo: both > ALL_TOGETHER ? `over by ${both - ALL_TOGETHER} bytes (${both})` : false }, () => {
  assert.ok(both <= ALL_TOGETHER, `${both} bytes gzip: ${both - ALL_TOGETHER} over ${ALL_TOGETHER}`);
});

test('the second entry loads into the first: it copies at most 10 % of its bytes from it', (t) => {
  const firstModule = new WebAssembly.Module(readFileSync(join(pkg, 'thingcall_bg.wasm')));
  const secondBytes = readFileSync(join(pkg, 'thingcall_extras_bg.wasm'));
  const secondModule = new WebAssembly.Module(secondBytes);
  // It brings no memory, table or data of its own: it uses the first's.
  const imports = WebAssembly.Module.imports(secondModule);
  assert.ok(imports.some((i) => i.module === 'primary' && i.kind === 'memory'));
  assert.ok(imports.filter((i) => i.module === 'primary' && i.kind === 'table').length === 2);
  assert.deepEqual(WebAssembly.Module.customSections(secondModule, 'name'), []);
  // Every function of the second entry that is also a function of the first, byte for byte.
  const firstBodies = new Set(functionBodies(readFileSync(join(pkg, 'thingcall_bg.wasm'))).map((b) => b.toString('base64')));
  const bodies = functionBodies(secondBytes);
  const copied = bodies.filter((b) => firstBodies.has(b.toString('base64'))).reduce((n, b) => n + b.length, 0);
  t.diagnostic(`${copied} of ${secondBytes.length} bytes are functions the first module has too; the first imports ${WebAssembly.Module.imports(firstModule).filter((i) => /^\d+$/.test(i.name)).length} placeholders (one a signature)`);
  assert.ok(copied <= MAX_COPIED * secondBytes.length, `${copied} of ${secondBytes.length} bytes copied`);
});

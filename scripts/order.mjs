// The order of a module's functions, chosen for gzip (`scripts/split.mjs` calls it on each
// module after -Oz). Deflate finds repeats only within the last 32 KiB, and wasm-opt leaves the
// functions in the order the linker wrote them: a shim far from its like compresses alone. So
// the functions are laid out greedily, each next one the one that the last 32 KiB written
// compress best (the most bytes saved against compressing it alone, per fourth root of its
// length), starting from the largest. The module is rewritten through binaryen's text format,
// where functions are named (calls, the table, the exports follow by name), then -Oz again
// (its binary writer's stack optimizations are lost in the text form). Nothing else changes:
// same functions, same table slots, same exports.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { root } from './lib.mjs';
import { leb, sections } from './wasm_binary.mjs';

const BIN = join(root, 'node_modules', '.bin');
const WINDOW = 32 * 1024;
// The gain is divided by the length's fourth root: a long function saves more bytes anywhere,
// so its absolute gain would pull it forward at the expense of better-matched short ones
// (measured: 0 to 0.75 tried, 0.25 the smallest for both modules).
const POWER = 0.25;

/** The function bodies of the code section, in order. */
function bodies(bytes) {
  const code = sections(bytes).find((s) => s.id === 10)?.body;
  if (!code) return [];
  const out = [];
  let [count, at] = leb(code, 0);
  for (; count > 0; count--) {
    const [size, start] = leb(code, at);
    out.push(code.subarray(start, start + size));
    at = start + size;
  }
  return out;
}

/** The greedy order (indices into `list`). */
function gzipOrder(list) {
  const deflate = (bytes, dictionary) => zlib.deflateRawSync(bytes, { level: 9, ...(dictionary && { dictionary }) }).length;
  const alone = list.map((b) => deflate(b));
  const left = new Set(list.keys());
  let next = [...left].reduce((a, b) => (list[b].length > list[a].length ? b : a));
  const order = [];
  let tail = Buffer.alloc(0);
  for (;;) {
    left.delete(next);
    order.push(next);
    tail = Buffer.concat([tail, list[next]]);
    if (tail.length > WINDOW) tail = tail.subarray(tail.length - WINDOW);
    if (left.size === 0) return order;
    let best = Infinity;
    for (const j of left) {
      const gain = (deflate(list[j], tail) - alone[j]) / (list[j].length ** POWER);
      if (gain < best) {
        best = gain;
        next = j;
      }
    }
  }
}

/** Rewrites `file` (a module -Oz has just written) with its functions in the greedy order. */
export function orderForGzip(file, features, optimize) {
  const order = gzipOrder(bodies(readFileSync(file)));
  if (order.length === 0) return;
  const lines = execFileSync(join(BIN, 'wasm-dis'), [...features, file], { maxBuffer: 1 << 30 }).toString().split('\n');
  const first = lines.findIndex((l) => l.startsWith(' (func '));
  const end = lines.findLastIndex((l) => l === ')');
  const funcs = [];
  for (const line of lines.slice(first, end)) {
    if (line.startsWith(' (func ')) funcs.push([]);
    funcs[funcs.length - 1].push(line);
  }
  // Without names, wasm-dis names the k-th defined function `$k`.
  if (funcs.length !== order.length || funcs.some((f, k) => !new RegExp(`^ \\(func \\$${k}( |$)`).test(f[0]))) {
    throw new Error(`order: ${file}: wasm-dis's functions do not match the code section`);
  }
  const text = `${file}.ordered.wat`;
  writeFileSync(text, [...lines.slice(0, first), ...order.flatMap((k) => funcs[k]), ...lines.slice(end)].join('\n'));
  try {
    execFileSync(join(BIN, 'wasm-opt'), [...features, ...optimize, text, '-o', file]);
  } finally {
    rmSync(text, { force: true });
  }
}

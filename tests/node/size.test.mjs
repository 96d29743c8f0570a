// The size budget: gzip -9 of pkg/thingcall_bg.wasm + pkg/thingcall.js (the one minified module
// the build ships: glue, IotClient and ThingcallError) stays under LIMIT, set just above what
// the package measures now, so a regression fails CI. The goal is 30 KB (issue 6);
// BENCHMARKS.md says where the bytes go.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';

// Bytes. The package measures 29,177 (gzip -9 by zlib, as here); the goal is 30 KB.
const LIMIT = 29_500;
const GOAL = 30_000;

test(`package gzip size stays under ${LIMIT} bytes`, (t) => {
  const pkg = join(root, 'pkg');
  // Everything the package loads at run time: no other module may appear unnoticed.
  const loaded = readdirSync(pkg).filter((f) => f.endsWith('.js') || f.endsWith('.wasm'));
  assert.deepEqual(loaded.sort(), ['thingcall.js', 'thingcall_bg.wasm']);
  const sizes = loaded.map((f) => [f, gzipSync(readFileSync(join(pkg, f)), { level: 9 }).length]);
  const total = sizes.reduce((n, [, s]) => n + s, 0);
  t.diagnostic(`${sizes.map(([f, s]) => `${f} ${s}`).join(', ')}; total ${total} (goal ${GOAL}, limit ${LIMIT})`);
  assert.ok(total <= LIMIT, `the package grew to ${total} bytes gzip (limit ${LIMIT})`);
});

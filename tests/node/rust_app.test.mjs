// A Rust wasm app that uses thingcall::Client (examples/dashboard.rs, built for wasm32 by
// `npm test` without the `js` feature) ships the client it calls and none of the JavaScript
// binding: no IotClient, no signRpc, none of their glue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/lib.mjs';

const wasm = join(root, 'target', 'wasm32-unknown-unknown', 'debug', 'examples', 'dashboard.wasm');

test('a Rust app built without the js feature has none of the JavaScript binding', () => {
  assert.ok(existsSync(wasm), `${wasm} is not built: cargo build --example dashboard --target wasm32-unknown-unknown`);
  const module = new WebAssembly.Module(readFileSync(wasm));
  const exports = WebAssembly.Module.exports(module).map((e) => e.name);
  assert.ok(exports.some((n) => n.startsWith('start') || n.includes('dashboard') || n === 'main' || n.startsWith('__wbindgen')), `unexpected exports: ${exports.join(', ')}`);
  const binding = exports.filter((n) => /iotclient|signrpc|taskiterator|thingmodelfromtsl/i.test(n));
  assert.deepEqual(binding, [], `the JavaScript binding is in the app: ${binding.join(', ')}`);
  const imports = WebAssembly.Module.imports(module).map((i) => i.name);
  assert.ok(!imports.some((n) => /ThingcallError/.test(n)), 'imports ThingcallError');
});

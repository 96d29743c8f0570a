// The package's two entries, as a script that loads them would: the first alone makes every call
// (and says, when asked for a feature of the second, what to load, without breaking the client);
// `loadExtras()` then brings the second into the same client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../../scripts/lib.mjs';
import { emulatorUrl, DEMO, PK } from './helpers.mjs';

const entry = pathToFileURL(join(root, 'pkg', 'thingcall.js')).href;
const extras = pathToFileURL(join(root, 'pkg', 'extras.js')).href;

// Run in a process of its own: the tests' shared instance has both entries loaded.
const script = (endpoint) => `
import { readFileSync } from 'node:fs';
import { initSync, IotClient, signRpc, thingModelFromTsl } from ${JSON.stringify(entry)};
import { loadExtras } from ${JSON.stringify(extras)};
const out = {};
const attempt = async (name, f) => {
  try { out[name] = { ok: (await f()) ?? null }; } catch (e) { out[name] = { error: e.message, code: e.code }; }
};
await attempt('extrasBeforeInit', () => loadExtras());
initSync({ module: readFileSync(new URL('./thingcall_bg.wasm', ${JSON.stringify(entry)})) });
const client = new IotClient({ endpoint: ${JSON.stringify(endpoint)}, accessKeyId: '${DEMO.accessKeyId}', accessKeySecret: '${DEMO.accessKeySecret}' });
const lamp = { productKey: '${PK}', deviceName: 'lamp-01' };
const echo = { ...lamp, identifier: 'Echo', args: { text: 'hi' } };
// The first entry alone: every call.
await attempt('invoke', async () => (await client.invokeThingService(echo)).result.data);
await attempt('set', async () => typeof (await client.setDeviceProperty({ ...lamp, items: { Brightness: 40 } })).messageId);
await attempt('query', async () => (await client.queryDevicePropertyStatus(lamp)).properties.find((p) => p.identifier === 'Brightness').value);
await attempt('call', async () => (await client.call('QueryDeviceDetail', { ProductKey: '${PK}', DeviceName: 'lamp-01' })).data.DeviceName);
await attempt('signRpc', () => signRpc({ method: 'GET', params: { Action: 'X' }, accessKeySecret: 's' }).signature.length);
// Asked for the second entry's features: an error that says what to load.
await attempt('v3', () => new IotClient({ endpoint: ${JSON.stringify(endpoint)}, accessKeyId: 'k', accessKeySecret: 's', signature: 'v3' }) && 'made');
await attempt('invokeMany', () => client.invokeMany([lamp], { identifier: 'Echo' }));
await attempt('presign', () => client.presign('QueryProductList', {}));
await attempt('selfTest', () => client.selfTest());
await attempt('thingModelFromTsl', () => thingModelFromTsl('{}'));
await attempt('checkArgs', () => client.invokeThingService(echo, { checkArgs: true }));
// ... and the client goes on working.
await attempt('invokeAfter', async () => (await client.invokeThingService(echo)).result.data);
// The second entry, loaded into the first: the same client has it.
await attempt('load', () => loadExtras());
await attempt('loadAgain', () => loadExtras());
await attempt('invokeManyLoaded', async () => (await client.invokeMany([lamp, { ...lamp, deviceName: 'lamp-02' }], { identifier: 'Echo', args: { n: 1 } })).map((e) => e.ok));
await attempt('v3Loaded', async () => (await new IotClient({ endpoint: ${JSON.stringify(endpoint)}, accessKeyId: '${DEMO.accessKeyId}', accessKeySecret: '${DEMO.accessKeySecret}', signature: 'v3' }).invokeThingService(echo)).result.data);
await attempt('presignLoaded', () => new URL(client.presign('QueryProductList', {})).searchParams.has('Signature'));
await attempt('checkArgsLoaded', async () => (await client.invokeThingService({ ...lamp, identifier: 'Set', args: { Brightness: 150 } }, { checkArgs: true })) && 'sent');
await attempt('selfTestLoaded', async () => (await client.selfTest()).ok);
await attempt('freed', () => { client.free(); return true; });
console.log(JSON.stringify(out));
`;

test('the first entry makes every call alone; the second loads into it', async () => {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script(`${await emulatorUrl()}/`)], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const second = /this is in the package's second entry: import \{ loadExtras \} from 'thingcall\/extras' and await loadExtras\(\) first/;
  assert.match(out.extrasBeforeInit.error, /call await init\(\) \(or initSync\(\{ module \}\)\) before loadExtras\(\)/);
  assert.deepEqual(out.invoke, { ok: { text: 'hi' } });
  assert.deepEqual(out.set, { ok: 'string' });
  assert.deepEqual(out.query, { ok: 40 });
  assert.deepEqual(out.call, { ok: 'lamp-01' });
  assert.deepEqual(out.signRpc, { ok: 28 });
  for (const name of ['invokeMany', 'presign', 'selfTest', 'thingModelFromTsl']) {
    assert.match(out[name].error ?? 'resolved', second, name);
  }
  assert.equal(out.v3.code, 'InvalidArgument');
  assert.match(out.v3.error, /options\.signature: "v3" signs in the package's second entry/);
  assert.deepEqual(out.v3Loaded, { ok: { text: 'hi' } });
  assert.equal(out.checkArgs.code, 'InvalidArgument');
  assert.match(out.checkArgs.error, /checkArgs needs the thing-model check, in the package's second entry/);
  assert.deepEqual(out.invokeAfter, { ok: { text: 'hi' } });
  assert.deepEqual(out.load, { ok: null });
  assert.deepEqual(out.loadAgain, { ok: null });
  assert.deepEqual(out.invokeManyLoaded, { ok: [true, true] });
  assert.deepEqual(out.presignLoaded, { ok: true });
  // Checked against the thing model now: Brightness is 0..100, so nothing is sent.
  assert.equal(out.checkArgsLoaded.code, 'InvalidArgument');
  assert.match(out.checkArgsLoaded.error, /Brightness/);
  assert.deepEqual(out.selfTestLoaded, { ok: true });
  // The object the failed calls went through can still be freed (no borrow left behind).
  assert.deepEqual(out.freed, { ok: true });
});

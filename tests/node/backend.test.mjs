// deploy/backend against the emulator: /sts hands out STS keys limited by the dashboard's session
// policy (enforced by the emulator), the /iot/ relay forwards signed requests byte for byte, its
// failures never show the long-lived key, and its static files stay inside their directories.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { thingcall, emulatorUrl, deviceLog, DEMO, PK, V3 } from './helpers.mjs';
import { configFromEnv, dashboardPolicy, startBackend, DASHBOARD_ACTIONS } from '../../deploy/backend/server.mjs';
import { demoBackendEnv } from '../../scripts/lib.mjs';
import { raw } from '../raw_http.mjs';

const { IotClient, ThingcallError } = thingcall;
let backend;
const lines = [];

const env = (upstream, extra = {}) => demoBackendEnv({ url: upstream }, extra);

before(async () => {
  backend = await startBackend(configFromEnv(env(await emulatorUrl())), { log: (l) => lines.push(l) });
});
after(() => backend?.close());

const sts = async () => (await fetch(`${backend.url}/sts`, { method: 'POST', headers: { Origin: backend.url } })).json();
// With V3 the page signs the host the relay sends upstream (the emulator's, as the platform's).
const client = async (o = {}) => new IotClient({ endpoint: `${backend.url}/iot/`, credentials: sts, ...(V3 && { signedHost: new URL(await emulatorUrl()).host }), ...o });
const lamp = { productKey: PK, deviceName: 'lamp-09' };

test('the configuration names what is missing, and the policy is least privilege', () => {
  assert.throws(() => configFromEnv({}), /THINGCALL_ACCESS_KEY_ID is not set/);
  assert.throws(() => configFromEnv(env('http://x', { THINGCALL_DURATION_SECONDS: '60' })), /900 to 3600/);
  assert.deepEqual(dashboardPolicy(['InvokeThingService', 'QueryProductList'], ['pk1', 'pk2']), {
    Version: '1',
    Statement: [
      { Effect: 'Allow', Action: ['iot:InvokeThingService'], Resource: ['acs:iot:*:*:product/pk1', 'acs:iot:*:*:product/pk2'] },
      { Effect: 'Allow', Action: ['iot:QueryProductList'], Resource: '*' },
    ],
  });
  assert.equal(dashboardPolicy(['SetDeviceProperty'], []).Statement[0].Resource, '*');
  assert.ok(JSON.stringify(dashboardPolicy(DASHBOARD_ACTIONS, [PK])).length <= 2048, 'within STS\'s Policy size');
});

test('/sts: POST only, never cached, an STS key that works through the relay', async () => {
  assert.equal((await fetch(`${backend.url}/sts`)).status, 405);
  const r = await fetch(`${backend.url}/sts`, { method: 'POST', headers: { Origin: backend.url } });
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const c = await r.json();
  assert.deepEqual(Object.keys(c).sort(), ['accessKeyId', 'accessKeySecret', 'expiration', 'securityToken']);
  assert.match(c.accessKeyId, /^STS\./);
  assert.ok(!JSON.stringify(c).includes(DEMO.accessKeySecret));
  const same = await sts();
  assert.equal(same.accessKeyId, c.accessKeyId, 'reused until shortly before it expires');
  for (const method of ['POST', 'GET']) {
    const r = await (await client({ method })).invokeThingService({ ...lamp, identifier: 'Echo', args: { text: `${method} ~!*'()` } });
    assert.equal(r.result.data.text, `${method} ~!*'()`);
  }
});

test('the session policy is enforced: an action or a product outside it is RamActionPermissionDeny, nothing ran', async () => {
  const deviceLog = async () => (await fetch(`${await emulatorUrl()}/_emulator/log`)).json();
  const before = (await deviceLog()).length;
  const c = await client();
  for (const call of [
    () => c.invokeThingsService({ productKey: PK, deviceNames: ['lamp-09'], identifier: 'Blink', args: { times: 1 } }),
    () => c.invokeThingService({ productKey: 'a1OtherProd', deviceName: 'x', identifier: 'Echo' }),
  ]) {
    await assert.rejects(call(), (e) => {
      assert.ok(e instanceof ThingcallError);
      assert.equal(e.code, 'iot.common.RamActionPermissionDeny');
      assert.equal(e.outcome, 'rejected');
      assert.equal(e.retryable, false);
      assert.match(e.message, /policy/);
      return true;
    });
  }
  assert.equal((await deviceLog()).length, before);
  // What the policy does allow still works for the same key.
  assert.ok((await c.queryDevicePropertyStatus(lamp)).properties.length > 0);
});

test('the relay carries signature V3: its action checked from x-acs-action, its headers passed on', async () => {
  const platformHost = new URL(await emulatorUrl()).host;
  const c = new thingcall.IotClient({ endpoint: `${backend.url}/iot/`, signature: 'v3', signedHost: platformHost, accessKeyId: DEMO.accessKeyId, accessKeySecret: DEMO.accessKeySecret });
  const r = await c.invokeThingService({ productKey: PK, deviceName: 'lamp-01', identifier: 'Echo', args: { n: 3 } });
  assert.deepEqual(r.result.data, { n: 3 });
  // An action outside the dashboard's is refused by the relay, V3 or not.
  const e = await c.call('DeleteProduct', { ProductKey: PK }).catch((x) => x);
  assert.equal(e.code, 'iot.common.RamActionPermissionDeny', e.message);
  c.free();
});

test('the relay forwards the query and body unchanged, and passes the platform\'s status and Date', async () => {
  // An action of the dashboard's, on its product (the relay checks that), unsigned.
  const wire = `Action=QueryDevice&ProductKey=${PK}&Odd=%2A%7E%20%2B`;
  const direct = await fetch(`${await emulatorUrl()}/?${wire}`);
  const relayed = await fetch(`${backend.url}/iot/?${wire}`);
  assert.equal(relayed.status, direct.status);
  assert.equal((await relayed.json()).Code, (await direct.json()).Code);
  assert.ok(relayed.headers.get('date'));
  // Unsigned POST: the platform's own MissingParameter, as it answered.
  const r = await fetch(`${backend.url}/iot/`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'Action=QueryProductList' });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).Code, 'MissingParameter');
  assert.equal((await fetch(`${backend.url}/iot/`, { method: 'PUT' })).status, 405);
});

test('the relay forwards the platform API path only: its other paths and the emulator\'s test control are 404', async () => {
  const before = (await deviceLog()).length;
  for (const path of ['/iot/_emulator/log', '/iot/_emulator/reset', '/iot/_emulator/faults', '/iot/x', '/iot//', '/iot/%2e%2e/_emulator/log', '/iot/../_emulator/log', '/iot/..%2f_emulator/log', '/iot', '//evil.example/iot/', '/iot/./']) {
    for (const method of ['GET', 'POST']) {
      const r = await raw(backend.url, { method, path, body: method === 'POST' ? '{}' : undefined });
      // 404, or 405 where the path's dot segments lead out of /iot/ to the static files (which
      // take GET only): never forwarded.
      assert.ok(r.status === 404 || (r.status === 405 && !/^\/iot\/?$/.test(new URL(path, 'http://x').pathname)), `${method} ${path}: ${r.status}`);
    }
  }
  assert.equal((await deviceLog()).length, before);
  // The API itself still answers through it, query and all.
  const r = await fetch(`${backend.url}/iot/?Action=QueryProductList`);
  assert.equal((await r.json()).Code, 'MissingParameter');
});

test('a failing AssumeRole gives the page a code only, never the long-lived AccessKeyId', async () => {
  const bad = await startBackend(configFromEnv(env(await emulatorUrl(), { THINGCALL_ACCESS_KEY_SECRET: 'wrong-secret' })), { log: (l) => lines.push(l) });
  try {
    const r = await fetch(`${bad.url}/sts`, { method: 'POST', headers: { Origin: bad.url } });
    assert.equal(r.status, 502);
    const text = await r.text();
    assert.deepEqual(JSON.parse(text), { error: 'AssumeRole failed', code: 'SignatureDoesNotMatch' });
    assert.ok(!text.includes(DEMO.accessKeyId) && !text.includes('wrong-secret'));
    assert.ok(lines.every((l) => !l.includes('wrong-secret') && !l.includes(DEMO.accessKeyId)), lines.join('\n'));
    // The page's client reports it as a credentials failure, before sending anything.
    const c = new IotClient({ endpoint: `${bad.url}/iot/`, credentials: async () => {
      const a = await fetch(`${bad.url}/sts`, { method: 'POST', headers: { Origin: bad.url } });
      if (!a.ok) throw new Error(`/sts answered HTTP ${a.status}`);
      return a.json();
    } });
    await assert.rejects(c.queryDeviceDetail(lamp), (e) => e.code === 'CredentialsError' && e.outcome === 'not_sent');
  } finally {
    await bad.close();
  }
});

test('static files: the page and the package, nothing outside their directories', async () => {
  const page = await fetch(`${backend.url}/`);
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.equal((await fetch(`${backend.url}/pkg/thingcall_bg.wasm`)).headers.get('content-type'), 'application/wasm');
  // Raw paths (fetch would normalize them), as a hostile client sends them.
  for (const path of ['/../Cargo.toml', '/%2e%2e/Cargo.toml', '/pkg/%2e%2e/%2e%2e/Cargo.toml', '/..%2fCargo.toml']) {
    const { status } = await raw(backend.url, { path });
    assert.equal(status, 404, path);
  }
});

// Live values with the client's watch() in headless Chromium, through the deployment: the
// emulator's subscription (AMQP), the backend's /events, and between the page and the backend a
// TCP proxy this test can cut, or make answer 502 as a proxy whose upstream is down. The watch
// starts from the devices' properties, applies the stream, and after each cut (EventSource's
// own reconnect, and its giving up on a 502, then the watch's) ends with every value set while
// it was away, none applied twice, and an older value never over a newer one.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { join } from 'node:path';
import { demoBackendEnv, launchChromium, root, startEmulator } from '../../scripts/lib.mjs';
import { configFromEnv, startBackend } from '../../deploy/backend/server.mjs';
import { thingcall, DEMO } from '../node/helpers.mjs';

const { IotClient } = thingcall;
const PK = 'a1LampDemo0';
let emulator;
let backend;
let proxy;
let browser;
let page;

/** A TCP proxy to `p.port`: `cut()` closes every connection; `refusing` answers 502 instead. */
function startProxy() {
  const sockets = new Set();
  const p = {
    refusing: false,
    connections: 0,
    cut() {
      for (const s of sockets) s.destroy();
      sockets.clear();
    },
  };
  const server = net.createServer((client) => {
    p.connections++;
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (p.refusing) {
      client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const upstream = net.connect(p.port, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {});
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    p.url = `http://127.0.0.1:${server.address().port}`;
    p.close = () => new Promise((r) => { p.cut(); server.close(() => r()); });
    resolve(p);
  }));
}

before(async () => {
  emulator = await startEmulator({ args: ['--cors', 'off', '--amqp-port', '0', '--config', join(root, 'emulator', 'fixtures', 'two-products.json')] });
  const logged = [];
  proxy = await startProxy();
  backend = await startBackend(configFromEnv(demoBackendEnv(emulator, {
    // The page's Host is the proxy's.
    THINGCALL_HOSTS: new URL(proxy.url).host,
  })), { log: (l) => logged.push(l) });
  for (let i = 0; i < 100 && !logged.some((l) => /subscribed/.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
  proxy.port = Number(new URL(backend.url).port);
  browser = await launchChromium();
  page = await browser.newPage();
  // A page of the proxy's origin (one of the package's files, shown as text): the package and
  // the stream are same-origin, as on a deployed dashboard.
  await page.goto(`${proxy.url}/pkg/extras.js`);
  await page.evaluate(async ({ DEMO }) => {
    const { default: init, IotClient: Client } = await import('/pkg/thingcall.js');
    const { loadExtras } = await import('/pkg/extras.js');
    await init();
    await loadExtras();
    window.client = new Client({ endpoint: '/iot/', ...DEMO });
    window.items = [];
    window.errors = [];
  }, { DEMO });
});

after(async () => {
  await browser?.close();
  await proxy?.close();
  await backend?.close();
  await emulator?.stop();
});

const admin = () => new IotClient({ endpoint: emulator.url, ...DEMO });
const lamp = (n) => ({ productKey: PK, deviceName: `lamp-0${n}` });
const set = (n, v) => admin().setDeviceProperty({ ...lamp(n), items: { Brightness: v } });
const control = async (path, body) => {
  const r = await fetch(`${emulator.url}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body ?? {}) });
  assert.equal(r.status, 200);
  return r.json();
};

/** Starts a watch in the page: its items as JSON-friendly objects in `window.items`. */
const watch = (options) => page.evaluate((options) => {
  window.items = [];
  window.watch = window.client.watch(options);
  (async () => {
    try {
      for await (const it of window.watch) window.items.push({ ...it, value: typeof it.value === 'bigint' ? String(it.value) : it.value });
      window.items.push({ type: 'done' });
    } catch (e) {
      window.errors.push(String(e));
    }
  })();
}, options);

const items = () => page.evaluate(() => window.items);

async function until(pred, what, ms = 8000) {
  const started = Date.now();
  for (;;) {
    const all = await items();
    if (pred(all)) return all;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms: ${JSON.stringify(all.slice(-20))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const brightness = (all, dn) => all.filter((i) => i.type === 'property' && i.device.deviceName === dn && i.identifier === 'Brightness').map((i) => i.value);
const states = (all) => all.filter((i) => i.type === 'state').map((i) => i.state);

test('watch() starts from the properties read, then applies the stream', async () => {
  await set(1, 20);
  await set(2, 21);
  await watch({ devices: [lamp(1), lamp(2)], properties: ['Brightness'], messages: true });
  let all = await until((a) => states(a).includes('live') && brightness(a, 'lamp-02').length === 1, 'snapshot and live');
  assert.equal(states(all)[0], 'connecting');
  assert.deepEqual(brightness(all, 'lamp-01'), [20], 'the value read first, typed by the thing model');
  assert.ok(all.every((i) => i.type !== 'property' || i.identifier === 'Brightness'), 'only the properties asked');
  assert.equal(await page.evaluate(() => window.watch.state), 'live');
  await set(1, 22);
  all = await until((a) => brightness(a, 'lamp-01').includes(22), 'a set through the API');
  const item = all.find((i) => i.type === 'property' && i.value === 22);
  assert.equal(item.rawValue, '22');
  assert.ok(Math.abs(item.time - Date.now()) < 60_000);
  // Not followed: nothing of lamp-03.
  await set(3, 5);
  // An asynchronous call's reply, and a device's status.
  const { messageId } = await admin().invokeThingService({ ...lamp(1), identifier: 'Blink', args: { times: 1 } });
  all = await until((a) => a.some((i) => i.type === 'reply' && i.data.requestId === messageId), 'the reply');
  assert.equal(all.find((i) => i.type === 'reply').data.service, 'Blink');
  await control('presence', { ...lamp(2), online: false });
  all = await until((a) => a.some((i) => i.type === 'status'), 'the status');
  assert.deepEqual(all.filter((i) => i.type === 'status').map((i) => [i.device.deviceName, i.online]), [['lamp-02', false]]);
  await control('presence', { ...lamp(2), online: true });
  assert.ok(!all.some((i) => i.device?.deviceName === 'lamp-03'), 'a device not followed');
});

test('the stream cut by the proxy: EventSource resumes, nothing missed, nothing twice', async () => {
  const before = (await items()).length;
  proxy.cut();
  await set(1, 30);
  await set(1, 31);
  const all = await until((a) => brightness(a.slice(before), 'lamp-01').includes(31), 'the values set while cut');
  const after = all.slice(before);
  assert.deepEqual(brightness(after, 'lamp-01'), [30, 31], 'each once, in order');
  assert.ok(states(after).includes('reconnecting'), JSON.stringify(states(after)));
  await until((a) => states(a.slice(before)).at(-1) === 'live', 'live again');
});

test('a proxy answering 502: the watch opens a new stream from the last event id', async () => {
  const before = (await items()).length;
  proxy.refusing = true;
  proxy.cut();
  // EventSource retries (the backend's retry: 1000), gets the 502 and gives up; the watch's
  // back-off then opens a new one.
  await new Promise((r) => setTimeout(r, 1500));
  await set(1, 40);
  await set(2, 41);
  await set(1, 42);
  proxy.refusing = false;
  const all = await until((a) => brightness(a.slice(before), 'lamp-01').includes(42) && brightness(a.slice(before), 'lamp-02').includes(41), 'the values set while refused', 15_000);
  const after = all.slice(before);
  assert.deepEqual(brightness(after, 'lamp-01'), [40, 42]);
  assert.deepEqual(brightness(after, 'lamp-02'), [41]);
  assert.ok(states(after).includes('reconnecting'));
  assert.deepEqual(await page.evaluate(() => window.errors), []);
});

test('close() ends the iterator; a watch of bad options is refused before anything opens', async () => {
  await page.evaluate(() => window.watch.close());
  const all = await until((a) => a.at(-1)?.type === 'done', 'done');
  assert.equal(states(all).at(-1), 'closed');
  assert.equal(await page.evaluate(() => window.watch.state), 'closed');
  const refused = await page.evaluate(() => {
    const out = [];
    for (const o of [{ devices: [{ iotId: 'x' }] }, { devices: 'lamp-01' }, { retryMs: -1 }, { nope: 1 }]) {
      try {
        window.client.watch(o);
        out.push('accepted');
      } catch (e) {
        out.push(`${e.code}: ${e.message}`);
      }
    }
    return out;
  });
  assert.equal(refused.length, 4);
  assert.ok(refused.every((r) => r.startsWith('InvalidArgument: InvalidArgument: watch')), refused.join('\n'));
});

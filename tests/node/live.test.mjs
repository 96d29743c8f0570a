// Live values through the deployment: the emulator's server-side subscription (AMQP 1.0) consumed
// by the backend (rhea) and streamed to pages at GET /events (Server-Sent Events). A set through
// the API reaches a page within a second; a page that reconnects with Last-Event-ID gets what it
// missed; a page sees only the dashboard's products; the stream is the dashboard's own page's
// only; a wrong AMQP login is refused and reported.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { demoBackendEnv, root, startEmulator } from '../../scripts/lib.mjs';
import { configFromEnv, startBackend } from '../../deploy/backend/server.mjs';
import { createLive } from '../../deploy/backend/live.mjs';
import { createServer } from 'node:http';
import { thingcall, DEMO } from './helpers.mjs';

const { IotClient } = thingcall;
const OURS = 'a1LampDemo0';
const THEIRS = 'a1OtherProd0';
let emulator;
let backend;
const logged = [];

const env = (extra = {}) => demoBackendEnv(emulator, { THINGCALL_PRODUCTS: OURS, ...extra });

before(async () => {
  emulator = await startEmulator({ args: ['--cors', 'off', '--amqp-port', '0', '--config', join(root, 'emulator', 'fixtures', 'two-products.json')] });
  backend = await startBackend(configFromEnv(env()), { log: (l) => logged.push(l) });
  for (let i = 0; i < 100 && !logged.some((l) => /subscribed/.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(logged.some((l) => /subscribed to the platform/.test(l)), logged.join('\n'));
});

after(async () => {
  await backend?.close();
  await emulator?.stop();
});

const admin = () => new IotClient({ endpoint: emulator.url, ...DEMO });

/** A page's stream: its events as they come ({ id, event, data }). */
async function stream({ lastEventId, base = backend.url } = {}) {
  const ctl = new AbortController();
  const headers = { 'Sec-Fetch-Site': 'same-origin', Accept: 'text/event-stream' };
  if (lastEventId !== undefined) headers['Last-Event-ID'] = String(lastEventId);
  const r = await fetch(`${base}/events`, { headers, signal: ctl.signal });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/event-stream/);
  const events = [];
  const waiters = [];
  (async () => {
    const decoder = new TextDecoder();
    let text = '';
    try {
      for await (const chunk of r.body) {
        text += decoder.decode(chunk, { stream: true });
        let end;
        while ((end = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, end);
          text = text.slice(end + 2);
          const field = (name) => block.split('\n').find((l) => l.startsWith(`${name}: `))?.slice(name.length + 2);
          if (!field('event')) continue;
          events.push({ id: field('id') && Number(field('id')), event: field('event'), data: JSON.parse(field('data')) });
          for (const w of waiters.splice(0)) w();
        }
      }
    } catch { /* aborted */ }
  })();
  return {
    events,
    async until(pred, ms = 3000) {
      const started = Date.now();
      while (!events.some(pred)) {
        if (Date.now() - started > ms) throw new Error(`no such event within ${ms} ms: ${JSON.stringify(events)}`);
        await new Promise((r) => { waiters.push(r); setTimeout(r, 50); });
      }
      return events.find(pred);
    },
    close: () => ctl.abort(),
  };
}

const brightness = (dn, v) => (e) => e.event === 'property' && e.data.device.deviceName === dn && e.data.items.Brightness?.value === v;

test('a set through the API reaches a page within a second', async () => {
  const page = await stream();
  const started = Date.now();
  await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-01', items: { Brightness: 61 } });
  const e = await page.until(brightness('lamp-01', 61), 1000);
  assert.ok(Date.now() - started < 1000);
  assert.equal(e.data.device.productKey, OURS);
  assert.ok(e.id > 0);
  assert.ok(Number.isInteger(e.data.items.Brightness.time));
  // A Blink's event too.
  await admin().invokeThingService({ productKey: OURS, deviceName: 'lamp-01', identifier: 'Blink', args: { times: 1 } });
  const ev = await page.until((x) => x.event === 'event' && x.data.identifier === 'Blinked');
  assert.equal(ev.data.eventType, 'info');
  assert.deepEqual(ev.data.value, { times: 1 });
  page.close();
});

const control = async (path, body) => {
  const r = await fetch(`${emulator.url}/_emulator/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) });
  assert.equal(r.status, 200, path);
  return r.json();
};

test("an asynchronous call's reply and a device's status reach the page", async () => {
  const page = await stream();
  try {
    const { messageId } = await admin().invokeThingService({ productKey: OURS, deviceName: 'lamp-04', identifier: 'Blink', args: { times: 3 } });
    const reply = await page.until((e) => e.event === 'reply' && e.data.requestId === messageId);
    assert.equal(reply.data.service, 'Blink');
    assert.equal(reply.data.code, 200);
    assert.equal(reply.data.device.deviceName, 'lamp-04');
    const before = Date.now();
    await control('presence', { productKey: OURS, deviceName: 'lamp-04', online: false });
    const off = await page.until((e) => e.event === 'status' && e.data.device.deviceName === 'lamp-04');
    assert.equal(off.data.status, 'offline');
    assert.ok(Math.abs(off.data.time - before) < 60_000, 'the platform time, as Unix ms');
  } finally {
    await control('presence', { productKey: OURS, deviceName: 'lamp-04', online: true });
    page.close();
  }
  await page.until((e) => e.event === 'status' && e.data.status === 'online').catch(() => {});
});

test('the AMQP connection cut mid-stream: nothing missed, nothing streamed twice', async () => {
  const page = await stream();
  const subscribed = () => logged.filter((l) => /subscribed to the platform/.test(l)).length;
  const before = subscribed();
  const values = Array.from({ length: 40 }, (_, i) => 50 + i);
  try {
    for (const v of values) {
      await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-05', items: { Brightness: v } });
      if (v === 60 || v === 75) {
        // The second cut once the backend is back.
        for (let i = 0; i < 100 && subscribed() < before + (v === 60 ? 0 : 1); i++) await new Promise((r) => setTimeout(r, 20));
        assert.equal((await control('amqp/cut')).cut, 1, 'one consumer cut');
      }
    }
    for (const v of values) await page.until(brightness('lamp-05', v), 10_000);
    // Whatever was pushed again after a cut is not streamed a second time.
    await new Promise((r) => setTimeout(r, 300));
    // (lamp-05 may report other properties meanwhile: only its Brightness is counted.)
    const seen = page.events.filter((e) => e.event === 'property' && e.data.device.deviceName === 'lamp-05' && e.data.items.Brightness)
      .map((e) => e.data.items.Brightness.value);
    assert.deepEqual([...seen].sort((a, b) => a - b), values, 'each value once');
    assert.ok(subscribed() >= before + 2, 'the backend reconnected after each cut');
    assert.ok(logged.some((l) => /AMQP connection ended/.test(l)), 'the cut is reported');
  } finally {
    page.close();
  }
});

test('a page that reconnects with Last-Event-ID gets what it missed, once', async () => {
  const page = await stream();
  await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-02', items: { Brightness: 11 } });
  const seen = await page.until(brightness('lamp-02', 11));
  page.close();
  // While it is away.
  await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-02', items: { Brightness: 12 } });
  await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-02', items: { Brightness: 13 } });
  await new Promise((r) => setTimeout(r, 300));
  const back = await stream({ lastEventId: seen.id });
  await back.until(brightness('lamp-02', 13));
  const values = back.events.filter((e) => e.data.device?.deviceName === 'lamp-02').map((e) => e.data.items?.Brightness?.value);
  assert.deepEqual(values.filter((v) => v !== undefined), [12, 13], 'the missed ones, in order, none twice');
  assert.ok(back.events.every((e) => e.id > seen.id));
  back.close();
});

test('past what is kept, and for a page too slow to read, the stream says gap', async () => {
  // A feed that keeps 2 events and queues 3 per page, in a consumer group of its own (the
  // members of one group share its messages).
  const lines = [];
  const live = createLive({ url: emulator.amqpUrl, accessKeyId: DEMO.accessKeyId, accessKeySecret: DEMO.accessKeySecret, group: 'second', products: [OURS], replay: 2, queue: 3, log: (l) => lines.push(l) });
  const server = createServer((req, res) => live.handle(req, res));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  try {
    for (let i = 0; i < 100 && live.state() !== 'live'; i++) await new Promise((r) => setTimeout(r, 50));
    const first = await stream({ base });
    for (const v of [21, 22, 23]) await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-05', items: { Brightness: v } });
    await first.until(brightness('lamp-05', 23));
    const firstId = first.events.find(brightness('lamp-05', 21)).id;
    first.close();
    // From before the first: only the last two are kept, so a gap, then those two.
    const back = await stream({ base, lastEventId: firstId - 1 });
    await back.until(brightness('lamp-05', 23));
    assert.deepEqual(back.events.map((e) => e.event), ['gap', 'property', 'property']);
    assert.equal(back.events[0].data.reason, 'replay');
    back.close();
    // A page that does not read: its socket stays full (every write refused) until it drains.
    const written = [];
    let drain = null;
    const res = { writeHead() {}, write(chunk) { written.push(chunk); return false; }, once(name, f) { if (name === 'drain') drain = f; }, on() {} };
    live.handle({ headers: {}, url: '/events', on() {} }, res);
    for (let v = 30; v < 36; v++) await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-06', items: { Brightness: v } });
    for (let i = 0; i < 100 && !drain; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    // One event went into the full socket; three more queued; past them the queue became a gap.
    assert.equal(written.filter((c) => c.includes("event: property")).length, 1, JSON.stringify(written));
    written.length = 0;
    drain();
    assert.deepEqual(written, ['event: gap\ndata: {"reason":"slow"}\n\n']);
  } finally {
    await live.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("a page sees only the dashboard's products", async () => {
  const page = await stream();
  await admin().setDeviceProperty({ productKey: THEIRS, deviceName: 'other-01', items: { Brightness: 5 } });
  await admin().setDeviceProperty({ productKey: OURS, deviceName: 'lamp-03', items: { Brightness: 6 } });
  await page.until(brightness('lamp-03', 6));
  assert.ok(page.events.every((e) => e.data.device?.productKey !== THEIRS), JSON.stringify(page.events));
  page.close();
});

test("the stream is the dashboard's own page's only", async () => {
  const cross = await fetch(`${backend.url}/events`, { headers: { Origin: 'https://evil.example' } });
  assert.equal(cross.status, 403);
  const bare = await fetch(`${backend.url}/events`);
  assert.equal(bare.status, 403);
  await cross.body?.cancel();
  await bare.body?.cancel();
});

test('a wrong AMQP login is refused, reported, and leaves the stream empty', async () => {
  const lines = [];
  const wrong = await startBackend(configFromEnv(env({ THINGCALL_AMQP_GROUP: 'NO-SUCH-GROUP' })), { log: (l) => lines.push(l) });
  try {
    for (let i = 0; i < 100 && !lines.some((l) => /AMQP/.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(lines.some((l) => /AMQP connection ended|refused the AMQP/.test(l)), lines.join('\n'));
    assert.ok(!lines.some((l) => /subscribed/.test(l)), 'it did not subscribe');
  } finally {
    await wrong.close();
  }
  const none = await startBackend(configFromEnv(env({ THINGCALL_AMQP_URL: '' })), { log: () => {} });
  try {
    const r = await fetch(`${none.url}/events`, { headers: { 'Sec-Fetch-Site': 'same-origin' } });
    assert.equal(r.status, 404);
    await r.body?.cancel();
  } finally {
    await none.close();
  }
});

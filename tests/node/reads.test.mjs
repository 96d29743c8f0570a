// The read side against the emulator: a product's devices (paged, filtered, past the 10,000th
// device with NextToken), devices' details in groups of 100, a property's history (one property,
// several, newest first, typed by the thing model), events and service calls, an abort in the
// middle, and bad input refused before anything is sent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { root, startEmulator } from '../../scripts/lib.mjs';
import { actionOf, thingcall, emulatorUrl, control, DEMO, PK, refusal } from './helpers.mjs';

const { IotClient } = thingcall;
const HOUR = 3_600_000;
let big;

before(async () => {
  // A product of 10,030 generated devices beside the lamps: past the 10,000th, QueryDevice
  // pages must be asked for with NextToken.
  const world = JSON.parse(readFileSync(join(root, 'emulator', 'fixtures', 'default.json'), 'utf8'));
  world.products[0].generatedDevices = { prefix: 'sensor-', count: 10_030, offlineEvery: 7 };
  const dir = join(root, 'target', 'test-reads');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'big.json'), JSON.stringify(world));
  big = await startEmulator({ args: ['--config', join(dir, 'big.json')] });
});

after(async () => {
  await big?.stop();
});

const client = async (url) => new IotClient({ endpoint: `${url ?? await emulatorUrl()}/`, ...DEMO });
const lamp = (n) => ({ productKey: PK, deviceName: `lamp-${String(n).padStart(2, '0')}` });
const collect = async (it) => {
  const all = [];
  for await (const x of it) all.push(x);
  return all;
};

test('devices() lists every device of the product, a page at a time, each once', async () => {
  await control('reset');
  const c = await client();
  const all = await collect(c.devices(PK, { pageSize: 7 }));
  assert.equal(all.length, 21);
  assert.equal(new Set(all.map((d) => d.deviceName)).size, 21);
  const offline = all.find((d) => d.deviceName === 'lamp-offline');
  assert.equal(offline.status, 'OFFLINE');
  assert.equal(offline.productKey, PK);
  assert.match(offline.iotId, /\S/);
  const online = await collect(c.devices(PK, { status: 'ONLINE' }));
  assert.equal(online.length, 20);
  assert.ok(online.every((d) => d.status === 'ONLINE'));
  // The first page alone: stop after it.
  const it = c.devices(PK, { pageSize: 5 });
  const first = await it.next();
  assert.equal(first.done, false);
  assert.equal(typeof first.value.deviceName, 'string');
});

test('devices() goes past the 10,000th device with the NextToken the platform requires', async () => {
  const c = await client(big.url);
  const all = await collect(c.devices(PK));
  assert.equal(all.length, 10_030 + 21);
  assert.equal(new Set(all.map((d) => d.deviceName)).size, all.length, 'a device came twice');
  // 202 pages of 50 at QueryDevice's 50 QPS: the client paced them.
  const offline = all.filter((d) => d.status === 'OFFLINE').length;
  assert.equal(offline, Math.floor(10_030 / 7) + 1);
});

test('devices() of a product of 100,000 devices keeps to the 2 QPS the platform allows it', async () => {
  const world = JSON.parse(readFileSync(join(root, 'emulator', 'fixtures', 'default.json'), 'utf8'));
  world.products[0].generatedDevices = { prefix: 'sensor-', count: 100_000 };
  const file = join(root, 'target', 'test-reads', 'huge.json');
  writeFileSync(file, JSON.stringify(world));
  const huge = await startEmulator({ args: ['--config', file] });
  try {
    const c = await client(huge.url);
    const requests = async () => (await (await fetch(`${huge.url}/_emulator/stats`)).json()).requests;
    const before = await requests();
    const started = Date.now();
    let n = 0;
    for await (const d of c.devices(PK)) {
      if (++n === 350) break; // 7 pages of 50
      assert.ok(d.deviceName);
    }
    const ms = Date.now() - started;
    // After the first page's Total the pages go at 2 a second: 6 more take 2.5 s at least; and
    // none was throttled (the emulator throttles past 2), so none was sent twice.
    assert.ok(ms >= 2400, `${ms} ms for 7 pages`);
    assert.equal(await requests() - before, 7);
  } finally {
    await huge.stop();
  }
});

test('a throttled page is retried, and the listing goes on', async () => {
  await control('reset');
  await control('faults', { throttleNext: 2 });
  const c = await client();
  const all = await collect(c.devices(PK, { pageSize: 10 }));
  assert.equal(all.length, 21);
});

test('deviceDetails() asks 100 at a time, keeps the order, leaves unknown names out', async () => {
  await control('reset');
  const c = await client(big.url);
  const names = [...Array.from({ length: 150 }, (_, i) => `sensor-${String(i + 1).padStart(5, '0')}`), 'no-such-device', 'lamp-03'];
  const details = await c.deviceDetails(PK, names);
  assert.equal(details.length, 151);
  assert.deepEqual(details.map((d) => d.deviceName), names.filter((n) => n !== 'no-such-device'));
  assert.equal(typeof details[0].firmwareVersion, 'string');
  assert.ok('utcActive' in details[0]);
});

test('propertyHistory() of one property: the points the emulator holds, typed, oldest first', async () => {
  await control('reset');
  const c = await client();
  const to = Date.now();
  const from = to - HOUR;
  const pages = await collect(c.propertyHistory(lamp(1), 'Temperature', { from: new Date(from), to, pageSize: 7 }));
  const points = pages.flat();
  // Reported every minute: about 60 points in the hour.
  assert.ok(points.length >= 59 && points.length <= 61, `${points.length} points`);
  assert.ok(pages.length >= 9, `${pages.length} pages of 7`);
  assert.ok(points.every((p, i) => i === 0 || p.time > points[i - 1].time), 'oldest first, none twice');
  assert.ok(points.every((p) => p.time >= from && p.time <= to));
  assert.ok(points.every((p) => typeof p.value === 'number' && String(p.value) === String(Number(p.rawValue))));
  const untyped = (await collect(c.propertyHistory(lamp(1), 'Temperature', { from, to, typed: false }))).flat();
  assert.ok(untyped.every((p) => typeof p.value === 'string'));
  const newest = (await collect(c.propertyHistory(lamp(1), 'Temperature', { from, to, order: 'desc', pageSize: 13 }))).flat();
  assert.deepEqual(newest.map((p) => p.time), points.map((p) => p.time).reverse());
});

test('a refused read is asked for again by the next next(): the thing model, then a page, none skipped', async () => {
  await control('reset');
  const to = Date.now();
  const from = to - HOUR;
  const all = (await collect((await client()).propertyHistory(lamp(1), 'Temperature', { from, to, pageSize: 7 }))).flat();
  // A new client (thing models are kept per client): its QueryThingModel refused once, then the
  // second page once, as the platform refuses a request (not retried).
  const pages = (await client()).propertyHistory(lamp(1), 'Temperature', { from, to, pageSize: 7 });
  const refuse = ['QueryThingModel', 'QueryDevicePropertyData'];
  let asked = 0;
  const real = globalThis.fetch;
  globalThis.fetch = async (request) => {
    const action = await actionOf(request);
    if (action === 'QueryDevicePropertyData') asked++;
    if (action === refuse[0] && (action === 'QueryThingModel' || asked === 2)) {
      refuse.shift();
      return refusal('refused once');
    }
    return real(request);
  };
  const got = [];
  try {
    await assert.rejects(pages.next(), /refused once/);
    got.push(...(await pages.next()).value);
    await assert.rejects(pages.next(), /refused once/);
  } finally {
    globalThis.fetch = real;
  }
  assert.deepEqual(refuse, []);
  for (let r = await pages.next(); !r.done; r = await pages.next()) got.push(...r.value);
  assert.deepEqual(got.map((p) => p.time), all.map((p) => p.time));
  assert.ok(got.every((p) => typeof p.value === 'number'), 'typed by the model read on the second try');
});

test('propertyHistory() of several properties reads QueryDevicePropertiesData, its reversed range handled', async () => {
  await control('reset');
  const c = await client();
  await c.setDeviceProperty({ ...lamp(2), items: { Brightness: 77 } });
  const to = Date.now() + 1000;
  const from = to - HOUR;
  for (const order of ['asc', 'desc']) {
    const points = (await collect(c.propertyHistory(lamp(2), ['Temperature', 'Brightness'], { from, to, order, pageSize: 9 }))).flat();
    const temps = points.filter((p) => p.identifier === 'Temperature');
    const bright = points.filter((p) => p.identifier === 'Brightness');
    assert.ok(temps.length >= 59, `${order}: ${temps.length} temperature points`);
    assert.equal(new Set(temps.map((p) => p.time)).size, temps.length, `${order}: a point came twice`);
    assert.ok(bright.some((p) => p.value === 77), `${order}: the set value is in the history`);
    const sorted = [...temps].sort((a, b) => (order === 'asc' ? a.time - b.time : b.time - a.time));
    assert.deepEqual(temps.map((p) => p.time), sorted.map((p) => p.time), order);
  }
});

test('eventHistory() and serviceHistory() give the events raised and the calls answered', async () => {
  await control('reset');
  const c = await client();
  await c.invokeThingService({ ...lamp(4), identifier: 'Blink', args: { times: 3 } });
  await c.invokeThingService({ ...lamp(4), identifier: 'Echo', args: { text: 'kept' } });
  const to = Date.now() + 1000;
  const from = to - HOUR;
  const services = (await collect(c.serviceHistory(lamp(4), { from, to }))).flat();
  assert.deepEqual(services.map((s) => s.identifier).slice(-2), ['Blink', 'Echo']);
  assert.deepEqual(JSON.parse(services.at(-1).inputData), { text: 'kept' });
  const echoes = (await collect(c.serviceHistory(lamp(4), { from, to, identifier: 'Echo' }))).flat();
  assert.deepEqual(echoes.map((s) => s.identifier), ['Echo']);
  const info = (await collect(c.eventHistory(lamp(4), { type: 'info', from, to, order: 'desc' }))).flat();
  assert.equal(info[0].identifier, 'Blinked');
  assert.equal(info[0].eventType, 'info');
  assert.deepEqual(JSON.parse(info[0].outputData), { times: 3 });
});

test('an abort in the middle of a listing stops it with Aborted', async () => {
  await control('reset');
  const c = await client(big.url);
  const ctl = new AbortController();
  const it = c.devices(PK, { signal: ctl.signal });
  await it.next();
  ctl.abort();
  let code;
  try {
    for (let i = 0; i < 100; i++) await it.next();
  } catch (e) {
    code = e.code;
  }
  assert.equal(code, 'Aborted');
});

test('bad input is refused before anything is sent', async () => {
  await control('reset');
  const c = await client();
  const now = Date.now();
  const requests = async () => (await (await fetch(`${await emulatorUrl()}/_emulator/stats`)).json()).requests;
  const before = await requests();
  const refused = [
    () => c.devices(''),
    () => c.devices(PK, { status: 'SLEEPING' }),
    () => c.devices(PK, { pageSize: 51 }),
    () => c.devices(PK, { page: 2 }),
    () => c.propertyHistory(lamp(1), [], { from: now - HOUR, to: now }),
    () => c.propertyHistory(lamp(1), 'Temperature', { from: now, to: now - HOUR }),
    () => c.propertyHistory(lamp(1), 'Temperature', { from: now - 40 * 24 * HOUR, to: now }),
    () => c.propertyHistory(lamp(1), 'Temperature', { from: 'yesterday', to: now }),
    () => c.propertyHistory(lamp(1), 'Temperature', { from: now - HOUR, to: now, order: 'newest' }),
    () => c.eventHistory(lamp(1), { type: 'warning', from: now - HOUR, to: now }),
    () => c.serviceHistory(lamp(1), { from: now - HOUR, to: now, pageSize: 51 }),
  ];
  for (const f of refused) assert.throws(f, (e) => e.code === 'InvalidArgument', String(f));
  await assert.rejects(c.deviceDetails(PK, 'lamp-01'), (e) => e.code === 'InvalidArgument');
  assert.equal(await requests(), before, 'something was sent');
});

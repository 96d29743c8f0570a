// Bulk calls against the emulator: invokeMany and setPropertyMany give one entry per target in
// order and never reject for a device's failure; the rate window holds, retries included;
// throttling is survived; an abort stops new calls and lets those in flight settle; batch mode
// groups by 100; bad options are refused before anything is sent.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { thingcall, client, control, deviceLog, emulatorUrl, DEMO, PK, rejection } from './helpers.mjs';

const lamp = (n) => ({ productKey: PK, deviceName: `lamp-${String(n).padStart(2, '0')}` });
const lamps = (n) => Array.from({ length: n }, (_, i) => lamp((i % 20) + 1));
const stats = async () => (await fetch(`${await emulatorUrl()}/_emulator/stats`)).json();

/** Runs `f` with the global `fetch` (which the package calls) recording when each request
 * starts; returns what `f` returned and the start times. */
async function recordingStarts(f) {
  const real = globalThis.fetch;
  const starts = [];
  globalThis.fetch = (...args) => {
    starts.push(Date.now());
    return real(...args);
  };
  try {
    return [await f(), starts];
  } finally {
    globalThis.fetch = real;
  }
}

/** The most entries of `times` (ms) in any one-second window. */
function maxPerSecond(times) {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] > 1000) j++; // whole ms: 1000 apart may be 999.x in truth
    most = Math.max(most, i - j + 1);
  }
  return most;
}

beforeEach(async () => {
  await control('reset');
});

test('invokeMany: one entry per target in order, failures in their entries, each call once', async () => {
  const c = await client();
  const targets = [...lamps(20), { productKey: PK, deviceName: 'lamp-offline' }, { productKey: PK, deviceName: 'no-such-lamp' }, lamp(3)];
  const progress = [];
  const at = [];
  const entries = await c.invokeMany(targets, { identifier: 'Echo', args: { text: 'hi' } }, {
    concurrency: 8,
    onProgress: (p) => { progress.push(p); at.push(Date.now()); },
  });
  assert.equal(entries.length, targets.length);
  entries.forEach((e, i) => assert.equal(e.target, targets[i], 'the caller\'s own target object, in order'));
  const offline = entries[20];
  assert.equal(offline.ok, false);
  assert.ok(offline.error instanceof thingcall.ThingcallError);
  assert.equal(offline.error.code, 'iot.messagebroker.OFFLINE');
  assert.equal(entries[21].ok, false);
  assert.equal(entries[21].error.code, 'iot.device.NotExistedDevice');
  for (const e of [...entries.slice(0, 20), entries[22]]) {
    assert.equal(e.ok, true, e.error?.message);
    assert.equal(e.value.mode, 'sync');
    assert.deepEqual(e.value.result.data, { text: 'hi' });
  }
  const log = await deviceLog();
  assert.equal(log.length, 21, 'every ok call reached its device once');
  assert.equal(new Set(log.map((l) => l.messageId)).size, 21);
  const last = progress.at(-1);
  assert.deepEqual(last, { done: 23, total: 23, ok: 21, failed: 2 });
  for (let i = 1; i < progress.length - 1; i++) {
    assert.ok(at[i] - at[i - 1] >= 95, 'at most every 100 ms');
    assert.ok(progress[i].done >= progress[i - 1].done);
  }
  c.free();
});

test('invokeMany with no targets resolves to [] and reports once', async () => {
  const c = await client();
  const seen = [];
  assert.deepEqual(await c.invokeMany([], { identifier: 'Echo' }, { onProgress: (p) => seen.push(p) }), []);
  assert.deepEqual(seen, [{ done: 0, total: 0, ok: 0, failed: 0 }]);
  c.free();
});

test('no more than qps calls start in any second', async () => {
  const c = await client();
  const t0 = Date.now();
  const [entries, starts] = await recordingStarts(() => c.invokeMany(lamps(150), { identifier: 'Echo', args: {} }, { qps: 50, concurrency: 32 }));
  const elapsed = Date.now() - t0;
  assert.ok(entries.every((e) => e.ok));
  assert.equal(starts.length, 150);
  assert.equal((await deviceLog()).length, 150);
  const most = maxPerSecond(starts);
  assert.ok(most <= 50, `${most} calls started in one second at qps 50`);
  assert.ok(elapsed >= 1900, `150 calls at 50/s take 2 s at least (took ${elapsed} ms)`);
  c.free();
});

test('the rate window is shared by every bulk call of a client', async () => {
  const c = await client();
  const [[a, b], starts] = await recordingStarts(() => Promise.all([
    c.invokeMany(lamps(60), { identifier: 'Echo' }, { qps: 40 }),
    c.invokeMany(lamps(60), { identifier: 'Echo' }, { qps: 40 }),
  ]));
  assert.ok([...a, ...b].every((e) => e.ok));
  const most = maxPerSecond(starts);
  assert.ok(most <= 40, `${most} started in one second by two bulk calls of 40/s each`);
  c.free();
});

test('a call counts in the rate window from when it went out, not from its turn', async () => {
  // The first 40 are let through at once and then wait 300 ms for the provider's credentials:
  // they go out at about 300 ms, so the 41st may go out no sooner than 1.3 s.
  const c = await client({
    accessKeyId: undefined,
    accessKeySecret: undefined,
    credentials: () => new Promise((resolve) => setTimeout(() => resolve({ accessKeyId: DEMO.accessKeyId, accessKeySecret: DEMO.accessKeySecret }), 300)),
  });
  const [entries, starts] = await recordingStarts(() => c.invokeMany(lamps(50), { identifier: 'Echo' }, { qps: 40, concurrency: 50 }));
  assert.ok(entries.every((e) => e.ok), entries.find((e) => !e.ok)?.error?.message);
  assert.equal(starts.length, 50);
  const most = maxPerSecond(starts);
  assert.ok(most <= 40, `${most} started in one second at qps 40`);
  c.free();
});

test('a retry is admitted by the rate window too', async () => {
  // The first 20 requests are refused with ServiceUnavailable (nothing ran) and sent again: each
  // retry waits for the window beside the 20 calls not started yet, so no second has more than 20.
  await control('faults', { errorNext: 20 });
  const c = await client({ retry: { baseDelayMs: 50, maxDelayMs: 100 } });
  const [entries, starts] = await recordingStarts(() => c.invokeMany(lamps(40), { identifier: 'Echo' }, { qps: 20, concurrency: 40 }));
  assert.ok(entries.every((e) => e.ok), entries.find((e) => !e.ok)?.error?.message);
  assert.equal(entries.filter((e) => e.value.attempts === 2).length, 20);
  assert.equal(starts.length, 60);
  const most = maxPerSecond(starts);
  assert.ok(most <= 20, `${most} requests went out in one second at qps 20`);
  c.free();
});

test('throttling slows the bulk call down and every call still lands once', async () => {
  await control('faults', { qpsLimits: { InvokeThingService: 30 } });
  const c = await client({ retry: { maxAttempts: 10, baseDelayMs: 200, maxDelayMs: 1000 } });
  const entries = await c.invokeMany(lamps(120), { identifier: 'Echo' }, { concurrency: 16 });
  const failed = entries.filter((e) => !e.ok);
  assert.deepEqual(failed.map((e) => e.error.code), [], 'all landed');
  const retried = entries.filter((e) => e.value.attempts > 1).length;
  assert.ok(retried > 0, 'some were throttled and retried');
  const log = await deviceLog();
  assert.equal(log.length, 120);
  assert.equal(new Set(log.map((l) => l.messageId)).size, 120);
  c.free();
});

test('an abort stops new calls, lets those in flight settle, and marks the rest not_sent', async () => {
  const c = await client();
  const ctl = new AbortController();
  setTimeout(() => ctl.abort(), 600);
  const t0 = Date.now();
  const entries = await c.invokeMany(lamps(400), { identifier: 'Echo' }, { qps: 100, concurrency: 4, signal: ctl.signal });
  assert.ok(Date.now() - t0 < 1500, 'settles soon after the abort');
  const ok = entries.filter((e) => e.ok);
  const rest = entries.filter((e) => !e.ok);
  assert.ok(ok.length > 10 && rest.length > 100, `${ok.length} ok, ${rest.length} not`);
  for (const e of rest) {
    assert.equal(e.error.code, 'Aborted');
    assert.equal(e.error.outcome, 'not_sent');
  }
  // In order: what ran is a prefix, what did not is the rest.
  const firstNotSent = entries.findIndex((e) => !e.ok);
  assert.ok(entries.slice(firstNotSent).every((e) => !e.ok));
  assert.equal((await deviceLog()).length, ok.length, 'each ok call ran, and nothing else');
  c.free();
});

test('an already aborted signal sends nothing', async () => {
  const c = await client();
  const before = (await stats()).requests;
  const entries = await c.invokeMany(lamps(5), { identifier: 'Echo' }, { signal: AbortSignal.abort() });
  assert.ok(entries.every((e) => !e.ok && e.error.outcome === 'not_sent'));
  assert.equal((await stats()).requests, before);
  c.free();
});

test('batch: one InvokeThingsService per 100 devices', async () => {
  const c = await client();
  const before = (await stats()).requests;
  const targets = lamps(250);
  const progress = [];
  const entries = await c.invokeMany(targets, { identifier: 'Blink', args: { times: 2 } }, { batch: true, onProgress: (p) => progress.push(p) });
  assert.equal(entries.length, 250);
  assert.ok(entries.every((e) => e.ok), entries.find((e) => !e.ok)?.error?.message);
  assert.equal((await stats()).requests - before, 3, '3 requests for 250 devices');
  assert.deepEqual(entries[0].value, entries[99].value, 'the group\'s one answer');
  assert.notEqual(entries[99].value.requestId, entries[100].value.requestId);
  assert.equal((await deviceLog()).length, 250);
  assert.deepEqual(progress.at(-1), { done: 250, total: 250, ok: 250, failed: 0 });
});

test('setPropertyMany sets every device, singly and in batches', async () => {
  const c = await client();
  const entries = await c.setPropertyMany(lamps(20), { items: { Brightness: 42 } });
  assert.ok(entries.every((e) => e.ok && typeof e.value.messageId === 'string'));
  const r = await c.queryDevicePropertyStatus(lamp(7));
  assert.equal(r.properties.find((p) => p.identifier === 'Brightness').value, 42);
  const batch = await c.setPropertyMany(lamps(20), { items: '{"Brightness":7}' }, { batch: true });
  assert.ok(batch.every((e) => e.ok));
  const r2 = await c.queryDevicePropertyStatus(lamp(20));
  assert.equal(r2.properties.find((p) => p.identifier === 'Brightness').value, 7);
  // A read-only property is refused by the platform for each device: every entry says so.
  const ro = await c.setPropertyMany(lamps(3), { items: { Temperature: 1.5 } });
  assert.ok(ro.every((e) => !e.ok && e.error.code === 'iot.common.InvalidFormattedParameter'));
  c.free();
});

test('bad bulk options and targets are refused before anything is sent', async () => {
  const c = await client();
  const before = (await stats()).requests;
  const cases = [
    [() => c.invokeMany('lamp-01', { identifier: 'Echo' }), /targets must be an array/],
    [() => c.invokeMany([lamp(1), 'lamp-02'], { identifier: 'Echo' }), /targets\[1\]: expected a request object/],
    [() => c.invokeMany([{ productKey: PK }], { identifier: 'Echo' }), /targets\[0\]/],
    [() => c.invokeMany([{ ...lamp(1), devicename: 'x' }], { identifier: 'Echo' }), /targets\[0\]\.devicename: unknown option/],
    [() => c.invokeMany([{ productKey: PK, deviceName: 'a b' }], { identifier: 'Echo' }), /targets\[0\].*deviceName: only ASCII/],
    [() => c.invokeMany([lamp(1)], { identifier: '' }), /identifier is required/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo', args: { x: NaN } }), /args\.x: NaN/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo', arg: {} }), /invokeMany\.arg: unknown option/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { concurrency: 0 }), /concurrency: must be a whole number from 1 to 256/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { concurrency: 257 }), /concurrency/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { concurrency: 1.5 }), /concurrency/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { qps: 0 }), /qps must be above 0 and at most 500/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { qps: 501 }), /at most 500 \(the platform's limit for InvokeThingService\)/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { qps: NaN }), /qps: must be a finite number/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Blink' }, { batch: true, qps: 11 }), /at most 10 \(the platform's limit for InvokeThingsService\)/],
    [() => c.invokeMany([{ iotId: 'abc' }], { identifier: 'Blink' }, { batch: true }), /batch needs every target as productKey \+ deviceName of one product \(targets\[0\]/],
    [() => c.invokeMany([lamp(1), { productKey: 'other', deviceName: 'd' }], { identifier: 'Blink' }, { batch: true }), /targets\[1\] is not/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { batch: 'yes' }), /batch: must be a boolean/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { onProgress: 'x' }), /onProgress: must be a function/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { signal: {} }), /signal: must be an AbortSignal/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { timeoutMs: 0 }), /timeoutMs/],
    [() => c.invokeMany([lamp(1)], { identifier: 'Echo' }, { concurrncy: 4 }), /concurrncy: unknown option/],
    [() => c.setPropertyMany([lamp(1)], {}), /setPropertyMany\.items is required/],
    [() => c.setPropertyMany([lamp(1)], { items: '[1]' }), /items: the string is not a JSON object/],
  ];
  for (const [call, message] of cases) {
    const e = await rejection(call());
    assert.equal(e.code, 'InvalidArgument', String(message));
    assert.equal(e.outcome, 'not_sent');
    assert.match(e.message, message);
  }
  assert.equal((await stats()).requests, before, 'nothing reached the emulator');
  c.free();
});

test('a throwing onProgress does not stop the calls', async () => {
  const c = await client();
  const entries = await c.invokeMany(lamps(5), { identifier: 'Echo' }, { onProgress: () => { throw new Error('boom'); } });
  assert.ok(entries.every((e) => e.ok));
  c.free();
});

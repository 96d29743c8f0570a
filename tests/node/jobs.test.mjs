// Platform jobs through the package, against the emulator's job service: createJob over a
// product and over a device list, job() statistics as the tasks move through their states,
// tasks() as an async iterator over ListTask pages, cancelJob, checkArgs, and bad input.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { actionOf, client, control, deviceLog, emulatorUrl, PK, refusal, rejection } from './helpers.mjs';

const stats = async () => (await fetch(`${await emulatorUrl()}/_emulator/stats`)).json();

beforeEach(async () => {
  await control('reset');
});

async function untilEnded(c, jobId) {
  for (let i = 0; i < 100; i++) {
    const j = await c.job(jobId);
    const s = j.statistics;
    if (s.queued + s.sent + s.inProgress === 0) return j;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the job did not end');
}

test('a job over the whole product: every lamp\'s task ends, the offline one TIMED_OUT', async () => {
  const c = await client();
  const { jobId } = await c.createJob({ name: 'blink_all', productKey: PK, identifier: 'Blink', args: { times: 2 } });
  assert.match(jobId, /^\w+$/);
  const first = await c.job(jobId);
  assert.equal(first.statistics.total, 21);
  assert.equal(first.type, 'INVOKE_SERVICE');
  assert.equal(first.name, 'blink_all');
  const done = await untilEnded(c, jobId);
  assert.equal(done.status, 'COMPLETED');
  assert.deepEqual({ ...done.statistics }, { total: 21, queued: 0, sent: 0, inProgress: 0, succeeded: 20, failed: 0, rejected: 0, timedOut: 1, cancelled: 0 });
  const seen = [];
  for await (const task of c.tasks(jobId, { pageSize: 6 })) seen.push(task);
  assert.equal(seen.length, 21, 'four ListTask pages read through');
  assert.deepEqual(seen.filter((t) => t.status === 'TIMED_OUT').map((t) => t.deviceName), ['lamp-offline']);
  assert.ok(seen.every((t) => t.jobId === jobId && t.productKey === PK && t.taskId));
  const ok = [];
  for await (const task of c.tasks(jobId, { status: 'SUCCEEDED' })) ok.push(task.deviceName);
  assert.equal(ok.length, 20);
  const log = await deviceLog();
  assert.equal(log.filter((l) => l.identifier === 'Blink').length, 20, 'each lamp blinked once');
  c.free();
});

test('a tasks() page that was refused is asked for again: no task lost, none read twice', async () => {
  const c = await client();
  const { jobId } = await c.createJob({ name: 'blink_twice', productKey: PK, identifier: 'Blink', args: { times: 1 } });
  await untilEnded(c, jobId);
  const tasks = c.tasks(jobId, { pageSize: 6 });
  const seen = [];
  for (let i = 0; i < 6; i++) seen.push((await tasks.next()).value);
  // The second page's ListTask refused once, as the platform refuses a request (not retried).
  const real = globalThis.fetch;
  let refused = 0;
  globalThis.fetch = async (request) => {
    if (!refused && (await actionOf(request)) === 'ListTask') {
      refused++;
      return refusal('refused once');
    }
    return real(request);
  };
  try {
    await assert.rejects(tasks.next(), /refused once/);
  } finally {
    globalThis.fetch = real;
  }
  assert.equal(refused, 1);
  for (let r = await tasks.next(); !r.done; r = await tasks.next()) seen.push(r.value);
  assert.equal(seen.length, 21);
  assert.equal(new Set(seen.map((t) => t.taskId)).size, 21, 'each task once');
  c.free();
});

test('a property set over a device list, cancelled while it rolls out', async () => {
  const c = await client({ checkArgs: true });
  const targets = Array.from({ length: 20 }, (_, i) => ({ productKey: PK, deviceName: `lamp-${String(i + 1).padStart(2, '0')}` }));
  const { jobId } = await c.createJob({ name: 'dim_slowly', targets, items: { Brightness: 12 }, maximumPerMinute: 60 });
  await new Promise((r) => setTimeout(r, 1500));
  await c.cancelJob(jobId);
  const j = await c.job(jobId);
  assert.equal(j.status, 'CANCELLED');
  assert.ok(j.statistics.cancelled >= 17, JSON.stringify(j.statistics));
  assert.equal(j.statistics.cancelled + j.statistics.succeeded + j.statistics.inProgress + j.statistics.sent, 20);
  const cancelled = [];
  for await (const t of c.tasks(jobId, { status: 'CANCELLED' })) cancelled.push(t);
  assert.equal(cancelled.length, j.statistics.cancelled);
  c.free();
});

test('checkArgs checks a job before it is created; bad requests are refused before sending', async () => {
  const c = await client();
  await c.thingModel(PK);
  const before = (await stats()).requests;
  const cases = [
    [() => c.createJob({ name: 'ok_name', productKey: PK, identifier: 'Blink', args: { times: 0 } }, { checkArgs: true }), /createJob\.args\.times: 0 is below the minimum 1/],
    [() => c.createJob({ name: 'ok_name', productKey: PK, items: { Temperature: 3.5 } }, { checkArgs: true }), /createJob\.items\.Temperature: the property is read-only/],
    [() => c.createJob({ name: 'x', productKey: PK, identifier: 'Blink' }), /createJob\.name: 4 to 30/],
    [() => c.createJob({ name: 'ok_name', identifier: 'Blink' }), /give targets \(devices\) or productKey/],
    [() => c.createJob({ name: 'ok_name', productKey: PK }), /give identifier \(and args\) for a service call, or items/],
    [() => c.createJob({ name: 'ok_name', productKey: PK, identifier: 'Blink', items: {} }), /one of them/],
    [() => c.createJob({ name: 'ok_name', targets: [{ iotId: 'x' }], identifier: 'Blink' }), /targets\[0\]: a job's devices are given by productKey \+ deviceName/],
    [() => c.createJob({ name: 'ok_name', productKey: PK, identifier: 'Blink', maximumPerMinute: 10 }), /maximumPerMinute: 50 to 1000/],
    [() => c.createJob({ name: 'ok_name', productKey: PK, identifier: 'Blink', rollout: 5 }), /createJob\.rollout: unknown option/],
    [() => c.createJob({ name: 'ok_name', productKey: PK, identifier: 'Blink', args: { n: NaN } }), /createJob\.args\.n: NaN/],
    [() => c.job(''), /job: jobId is required/],
  ];
  for (const [call, message] of cases) {
    const e = await rejection(call());
    assert.equal(e.code, 'InvalidArgument', String(message));
    assert.equal(e.outcome, 'not_sent');
    assert.match(e.message, message);
  }
  assert.throws(() => c.tasks('id', { pageSize: 51 }), /pageSize: a whole number 1 to 50/);
  assert.throws(() => c.tasks('id', { status: 'DONE' }), /options\.status: one of QUEUED/);
  assert.equal((await stats()).requests, before, 'nothing was sent');
  // The platform's own refusal: a synchronous service.
  const sync = await rejection(c.createJob({ name: 'echo_all', productKey: PK, identifier: 'Echo' }));
  assert.equal(sync.code, 'iot.common.InvalidFormattedParameter');
  const missing = await rejection(c.job('noSuchJob'));
  assert.equal(missing.code, 'iot.job.NotExistedJob');
  c.free();
});

test('job calls keep to the platform\'s 5 per second', async () => {
  const c = await client();
  const { jobId } = await c.createJob({ name: 'blink_all', productKey: PK, identifier: 'Blink', args: { times: 1 } });
  const t0 = Date.now();
  // Ten job() calls are ten QueryJob and ten QueryJobStatistics: the second five of each wait
  // for the first to leave the one-second window, instead of being throttled.
  const before = (await stats()).requests;
  const all = await Promise.all(Array.from({ length: 10 }, () => c.job(jobId)));
  const took = Date.now() - t0;
  assert.ok(all.every((j) => j.jobId === jobId));
  assert.ok(took >= 1000 && took < 4000, `paced (${took} ms)`);
  assert.equal((await stats()).requests - before, 20, 'no request was throttled and sent again');
  c.free();
});

// IotClient in Node 20 against the running emulator: results, errors and their outcomes,
// deadlines and cancellation, each retry rule, clock skew, STS credentials, presigning.
// Run alone with `node --test tests/node/client.test.mjs` (it starts an emulator when
// THINGCALL_EMULATOR_URL is not set).
import { describe, test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { thingcall, client, control, deviceLog, rejection, emulatorUrl, v1Only, DEMO, PK } from './helpers.mjs';

const lamp = (n) => ({ productKey: PK, deviceName: `lamp-${String(n).padStart(2, '0')}` });

beforeEach(() => control('reset'));

describe('the everyday calls', () => {
  test('a sync Echo on lamp-01 returns its Unicode Args unchanged (POST and GET)', async () => {
    const args = { text: "灯 😀 𝄞 é ~*!'() &=+%20 \"quoted\" \\ \u2028", n: -42, x: 3.25 };
    for (const method of ['POST', 'GET']) {
      const c = await client({ method });
      const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo', args });
      assert.equal(r.mode, 'sync');
      assert.deepEqual(r.result.data, args);
      assert.equal(r.code, 200);
      assert.equal(r.result.message, 'success');
      assert.equal(typeof r.rawResult, 'string');
      assert.match(r.requestId, /^[0-9A-F-]{36}$/);
      assert.ok(r.messageId);
      assert.equal(r.attempts, 1);
      assert.ok(r.elapsedMs >= 0);
    }
  });

  test('args given as a JSON string are sent as they are (a float keeps its decimal point)', async () => {
    const c = await client();
    const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: '{"x":10.0}' });
    assert.equal(r.result.data.x, 10);
    // The same value as an object is serialized by JSON.stringify as 10: the platform wants 10.0.
    const e = await rejection(c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: { x: 10.0 } }));
    assert.equal(e.code, 'iot.common.InvalidFormattedParameter');
    assert.equal(e.outcome, 'rejected');
  });

  test('an async Blink returns a messageId and no result', async () => {
    const r = await (await client()).invokeThingService({ ...lamp(2), identifier: 'Blink', args: { times: 3 } });
    assert.equal(r.mode, 'async');
    assert.ok(r.messageId);
    assert.equal(r.result, undefined);
    assert.equal(r.rawResult, undefined);
    const log = await deviceLog();
    assert.deepEqual(log.map((e) => [e.device, e.identifier, e.args]), [[`${PK}/lamp-02`, 'Blink', { times: 3 }]]);
  });

  test('setDeviceProperty then queryDevicePropertyStatus shows the new value', async () => {
    const c = await client();
    const s = await c.setDeviceProperty({ ...lamp(3), items: { Brightness: 64, LightSwitch: 1 } });
    assert.ok(s.messageId);
    const q = await c.queryDevicePropertyStatus(lamp(3));
    const byId = Object.fromEntries(q.properties.map((p) => [p.identifier, p]));
    assert.equal(byId.Brightness.value, 64);
    assert.equal(byId.Brightness.unit, '%');
    assert.equal(byId.LightSwitch.value, 1);
    assert.equal(byId.Temperature.dataType, 'float');
    assert.equal(typeof byId.Temperature.time, 'number');
  });

  test('lamp-offline rejects with iot.messagebroker.OFFLINE, outcome rejected', async () => {
    const e = await rejection((await client()).invokeThingService({ productKey: PK, deviceName: 'lamp-offline', identifier: 'Echo' }));
    assert.equal(e.code, 'iot.messagebroker.OFFLINE');
    assert.equal(e.outcome, 'rejected');
    assert.equal(e.retryable, false);
    assert.equal(e.httpStatus, 200);
    assert.ok(e.requestId);
    assert.match(e.message, /offline/);
  });

  test('devices by iotId; queryDeviceDetail; batch actions; call() for any action', async () => {
    const c = await client();
    const d = await c.queryDeviceDetail(lamp(4));
    assert.equal(d.data.Status, 'ONLINE');
    const r = await c.invokeThingService({ iotId: d.data.IotId, identifier: 'Echo', args: { n: 1 } });
    assert.equal(r.result.data.n, 1);
    await c.invokeThingsService({ productKey: PK, deviceNames: ['lamp-05', 'lamp-06'], identifier: 'Blink', args: { times: 1 } });
    await c.setDevicesProperty({ productKey: PK, deviceNames: ['lamp-05'], items: { Brightness: 9 } });
    assert.equal((await deviceLog()).length, 4);
    const model = await c.call('QueryThingModel', { ProductKey: PK });
    assert.equal(JSON.parse(model.data.ThingModelJson).services.length, 3);
    const devices = await c.call('QueryDevice', { ProductKey: PK, PageSize: 50 });
    assert.equal(devices.data.DeviceInfo.length, 21);
  });
});

describe('bad input is refused before sending', () => {
  test('each case names its field, outcome not_sent, attempts 0', async () => {
    const c = await client();
    const cases = [
      [c.invokeThingService({ identifier: 'Echo' }), /iotId, or as productKey and deviceName/],
      [c.invokeThingService({ productKey: PK, identifier: 'Echo' }), /deviceName/],
      [c.invokeThingService({ ...lamp(1) }), /identifier/],
      [c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: '[1,2]' }), /args/],
      [c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: 'not json' }), /args/],
      [c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: [1] }), /args/],
      [c.invokeThingService({ ...lamp(1), identifier: 'Echo' }, { timeoutMs: -1 }), /timeoutMs/],
      [c.invokeThingService({ ...lamp(1), identifier: 'Echo' }, { signal: 'x' }), /signal/],
      [c.setDeviceProperty({ ...lamp(1) }), /items/],
      [c.invokeThingsService({ productKey: PK, deviceNames: Array.from({ length: 101 }, (_, i) => `d${i}`), identifier: 'Blink' }), /deviceNames/],
      [c.setDevicesProperty({ productKey: PK, deviceNames: [], items: {} }), /deviceNames/],
      [c.call('QueryDeviceDetail', { Timestamp: 'x' }), /Timestamp/],
      [c.call('QueryDeviceDetail', { ProductKey: { a: 1 } }), /params\.ProductKey/],
      [c.call('', {}), /action/],
    ];
    for (const [p, field] of cases) {
      const e = await rejection(p);
      assert.equal(e.code, 'InvalidArgument', e.message);
      assert.equal(e.outcome, 'not_sent');
      assert.equal(e.attempts, 0);
      assert.match(e.message, field);
    }
    assert.deepEqual(await deviceLog(), []);
  });

  test('bad client options throw InvalidArgument at construction', async () => {
    const endpoint = await emulatorUrl();
    for (const [opts, field] of [
      [{ endpoint: 'not a url', ...DEMO }, /endpoint/],
      [{ endpoint: 'ftp://x/', ...DEMO }, /endpoint/],
      [{ endpoint: `${endpoint}/?a=b`, ...DEMO }, /endpoint/],
      [{ endpoint }, /accessKeyId/],
      [{ endpoint, accessKeyId: 'x' }, /accessKeySecret/],
      [{ endpoint, ...DEMO, method: 'PUT' }, /method/],
      [{ endpoint, ...DEMO, retry: { maxAttempts: 0 } }, /maxAttempts/],
      [{ endpoint, ...DEMO, retry: { maxAtempts: 2 } }, /maxAtempts/],
      [{ endpoint, credentials: 'nope' }, /credentials/],
      // Node has no page location to resolve a relative endpoint against.
      [{ endpoint: '/iot/', ...DEMO }, /options\.endpoint: "\/iot\/" is relative/],
    ]) {
      assert.throws(() => new thingcall.IotClient(opts), (e) => {
        assert.equal(e.name, 'ThingcallError');
        assert.equal(e.code, 'InvalidArgument');
        assert.match(e.message, field);
        assert.ok(!e.message.includes(DEMO.accessKeySecret));
        return true;
      });
    }
  });
});

describe('deadlines and cancellation', () => {
  test('an abort rejects with Aborted within 50 ms and cancels the fetch', async () => {
    await control('faults', { latencyMs: 3000 });
    const c = await client();
    const ctl = new AbortController();
    const p = c.invokeThingService({ ...lamp(1), identifier: 'Echo' }, { signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 30));
    const t0 = performance.now();
    ctl.abort();
    const e = await rejection(p);
    const ms = performance.now() - t0;
    assert.equal(e.code, 'Aborted');
    assert.equal(e.outcome, 'unknown', 'the request had been sent');
    assert.ok(ms < 50, `rejected ${ms.toFixed(1)} ms after abort`);
  });

  test('an already-aborted signal is refused before sending', async () => {
    const e = await rejection((await client()).invokeThingService({ ...lamp(1), identifier: 'Echo' }, { signal: AbortSignal.abort() }));
    assert.equal(e.code, 'Aborted');
    assert.equal(e.outcome, 'not_sent');
  });

  test('the deadline covers the call: Timeout, outcome unknown', async () => {
    await control('faults', { latencyMs: 3000 });
    const t0 = performance.now();
    const e = await rejection((await client({ timeoutMs: 5000 })).invokeThingService({ ...lamp(1), identifier: 'Echo' }, { timeoutMs: 300 }));
    const ms = performance.now() - t0;
    assert.equal(e.code, 'Timeout');
    assert.equal(e.outcome, 'unknown');
    assert.ok(ms >= 290 && ms < 1500, `${ms} ms`);
  });

  test('one deadline covers back-off waits too', async () => {
    await control('faults', { throttleNext: 10 });
    const c = await client({ retry: { maxAttempts: 10, baseDelayMs: 400, maxDelayMs: 400 } });
    const t0 = performance.now();
    const e = await rejection(c.queryDeviceDetail(lamp(1), { timeoutMs: 500 }));
    assert.equal(e.code, 'Timeout');
    // Every answer was a refusal. The deadline usually falls in a back-off wait (`rejected`);
    // with full jitter a wait can be short, and the deadline can cut an attempt on the wire,
    // whose fate the client cannot know (`unknown`): both are the truthful outcome.
    assert.ok(['rejected', 'unknown'].includes(e.outcome), e.outcome);
    assert.ok(e.attempts >= 1);
    assert.ok(performance.now() - t0 < 1500);
  });
});

describe('retries', () => {
  test('throttling is retried (fresh signature each time) and succeeds; the device ran once', async () => {
    await control('faults', { throttleNext: 2 });
    const r = await (await client({ retry: { baseDelayMs: 10 } })).invokeThingService({ ...lamp(1), identifier: 'Echo', args: { n: 1 } });
    assert.equal(r.attempts, 3);
    assert.equal((await deviceLog()).length, 1);
  });

  test("a throttled call waits the platform's x-acs-retry-after, not its own back-off", async () => {
    for (const signature of ['v1', 'v3']) {
      await control('faults', { throttleNext: 1, retryAfterMs: 600 });
      const c = await client({ signature, retry: { baseDelayMs: 10, maxDelayMs: 20 } });
      const t0 = performance.now();
      const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: { n: 1 } });
      const ms = performance.now() - t0;
      assert.equal(r.attempts, 2, signature);
      assert.ok(ms >= 590 && ms < 3000, `${signature}: ${ms} ms`);
    }
  });

  test('ServiceUnavailable with a platform body is retried', async () => {
    await control('faults', { errorNext: 1 });
    const r = await (await client({ retry: { baseDelayMs: 10 } })).setDeviceProperty({ ...lamp(1), items: { Brightness: 3 } });
    assert.equal(r.attempts, 2);
  });

  test('SignatureNonceUsed means an earlier delivery of the same request: unknown, an invoke is not resent', async () => {
    // thingcall never reuses a nonce, so this answer only comes when a browser or proxy resent the
    // request after a dropped connection, and that first delivery may have run.
    await control('faults', { nonceUsedNext: 1 });
    const e = await rejection((await client()).invokeThingService({ ...lamp(1), identifier: 'Echo' }));
    assert.equal(e.code, 'SignatureNonceUsed');
    assert.equal(e.outcome, 'unknown');
    assert.equal(e.attempts, 1);
    assert.equal(e.retryable, false);
    assert.match(e.message, /may have run/);
  });

  test('SignatureNonceUsed on a read-only action, or with retryUnknown: signed again with a fresh nonce', async () => {
    await control('faults', { nonceUsedNext: 1 });
    assert.equal((await (await client()).queryDeviceDetail(lamp(1))).attempts, 2);
    await control('faults', { nonceUsedNext: 1 });
    const r = await (await client({ retry: { retryUnknown: true } })).invokeThingService({ ...lamp(1), identifier: 'Echo' });
    assert.equal(r.attempts, 2);
  });

  test('retries give up after maxAttempts: rejected, retryable', async () => {
    await control('faults', { throttleNext: 5 });
    const e = await rejection((await client({ retry: { maxAttempts: 2, baseDelayMs: 5 } })).invokeThingService({ ...lamp(1), identifier: 'Echo' }));
    assert.equal(e.code, 'Throttling.User');
    assert.equal(e.httpStatus, 400);
    assert.equal(e.attempts, 2);
    assert.equal(e.outcome, 'rejected');
    assert.equal(e.retryable, true);
    assert.deepEqual(await deviceLog(), []);
  });

  test('a dropped connection after the device acted: unknown, not retried, no duplicate', async () => {
    await control('faults', { dropNext: 1 });
    const e = await rejection((await client()).invokeThingService({ ...lamp(1), identifier: 'Echo', args: { n: 7 } }));
    assert.equal(e.code, 'NetworkError');
    assert.equal(e.outcome, 'unknown');
    assert.equal(e.attempts, 1);
    assert.equal(e.retryable, false);
    assert.equal((await deviceLog()).length, 1);
  });

  test('with retryUnknown the same call is sent again (and the device runs twice)', async () => {
    await control('faults', { dropNext: 1 });
    const r = await (await client({ retry: { retryUnknown: true, baseDelayMs: 5 } })).invokeThingService({ ...lamp(1), identifier: 'Echo' });
    assert.equal(r.attempts, 2);
    assert.equal((await deviceLog()).length, 2);
  });

  test('read-only actions are retried after an unknown outcome', async () => {
    await control('faults', { dropNext: 1 });
    const r = await (await client({ retry: { baseDelayMs: 5 } })).queryDevicePropertyStatus(lamp(1));
    assert.equal(r.attempts, 2);
  });

  test('a device that does not answer in the RRPC window: TIMEOUT, unknown, not retried', async () => {
    await control('faults', { deviceTimeoutNext: 1, rrpcTimeoutMs: 200 });
    const e = await rejection((await client()).invokeThingService({ ...lamp(1), identifier: 'Echo' }));
    assert.equal(e.code, 'iot.messagebroker.TIMEOUT');
    assert.equal(e.outcome, 'unknown');
    assert.equal(e.attempts, 1);
    assert.equal((await deviceLog()).length, 1);
  });

  test('clock skew: InvalidTimeStamp.Expired once, the offset is learned, the retry succeeds', async () => {
    await control('clock', { offsetMs: 20 * 60 * 1000 });
    const c = await client();
    const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo' });
    assert.equal(r.attempts, 2);
    assert.ok(Math.abs(c.clockOffsetMs - 1_200_000) < 3000, `offset ${c.clockOffsetMs}`);
    const again = await c.invokeThingService({ ...lamp(1), identifier: 'Echo' });
    assert.equal(again.attempts, 1, 'the offset is kept');
  });

  test('a wrong secret: SignatureDoesNotMatch, not retried, advice about the secret, no secret in it', async () => {
    const secret = 'a-wrong-secret-value';
    const e = await rejection((await client({ accessKeySecret: secret })).invokeThingService({ ...lamp(1), identifier: 'Echo' }), [secret]);
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.attempts, 1);
    assert.match(e.message, /AccessKeySecret/);
    assert.match(e.message, /server string to sign/);
  });
});

describe('STS credentials', () => {
  async function assumeRole(admin, durationSeconds = 900) {
    const r = await admin.call('AssumeRole', { RoleArn: 'acs:ram::1:role/thingcall-demo', RoleSessionName: 'test', DurationSeconds: durationSeconds });
    const c = r.body.Credentials;
    return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
  }

  test('100 concurrent calls during a refresh make one provider call', async () => {
    const admin = await client();
    let calls = 0;
    const c = await client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => { calls++; return assumeRole(admin); } });
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => c.invokeThingService({ ...lamp(i % 20 + 1), identifier: 'Echo', args: { n: i } })));
    assert.equal(calls, 1);
    results.forEach((r, i) => assert.equal(r.result.data.n, i));
  });

  test('credentials are fetched again shortly before expiration', async () => {
    const admin = await client();
    let calls = 0;
    const c = await client({
      accessKeyId: undefined, accessKeySecret: undefined,
      credentials: async () => { calls++; return { ...(await assumeRole(admin)), expiration: new Date(Date.now() + 2000) }; },
    });
    await c.queryDeviceDetail(lamp(1));
    await c.queryDeviceDetail(lamp(1));
    assert.equal(calls, 1);
    await new Promise((r) => setTimeout(r, 1100));
    await c.queryDeviceDetail(lamp(1));
    assert.equal(calls, 2);
  });

  test('after a clock correction, credentials past their expiration in server time are renewed first', async () => {
    const admin = await client();
    let calls = 0;
    const c = await client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => { calls++; return assumeRole(admin); } });
    await c.queryDeviceDetail(lamp(1));
    await control('clock', { offsetMs: 901_000 }); // past the 900 s token; also a clock skew
    const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo' });
    assert.equal(calls, 2);
    assert.equal(r.attempts, 2, 'skew, then success with renewed credentials');
  });

  test('a token the server finds expired is replaced and the call goes through', async () => {
    const admin = await client();
    let calls = 0;
    let last;
    // No expiration given: the client learns of the expiry from the platform's answer.
    const provider = async () => { calls++; last = await assumeRole(admin); return { ...last, expiration: undefined }; };
    const c = await client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: provider });
    await c.queryDeviceDetail(lamp(1));
    const first = last;
    await control('clock', { offsetMs: 901_000 });
    const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo' });
    assert.equal(calls, 2);
    assert.equal(r.attempts, 3, 'skew, then expired token, then success');
    assert.equal((await deviceLog()).length, 1);
    // The old token never shows in errors.
    const { expiration, ...staticKey } = first;
    const stale = await client(staticKey);
    const e = await rejection(stale.queryDeviceDetail(lamp(1)), [first.accessKeySecret, first.securityToken]);
    assert.equal(e.code, 'InvalidSecurityToken.Expired');
  });

  test('a failing provider rejects with CredentialsError, not_sent', async () => {
    const c = await client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => { throw new Error('no session'); } });
    const e = await rejection(c.invokeThingService({ ...lamp(1), identifier: 'Echo' }));
    assert.equal(e.code, 'CredentialsError');
    assert.equal(e.outcome, 'not_sent');
    assert.match(e.message, /no session/);
    const bad = await client({ accessKeyId: undefined, accessKeySecret: undefined, credentials: () => ({ accessKeyId: 'x' }) });
    assert.match((await rejection(bad.queryDeviceDetail(lamp(1)))).message, /accessKeySecret/);
  });
});

describe('presign, toCurl, explain', v1Only("a presigned URL, and V1's stages (V3's: v3.test.mjs)"), () => {
  test('presign is deterministic with nonce and timestamp, and the URL works', async () => {
    const c = await client();
    const opts = { nonce: 'fixed-nonce-1', timestamp: '2026-01-20T00:00:00Z' };
    const a = c.presign('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' }, opts);
    const b = c.presign('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' }, { ...opts, timestamp: new Date('2026-01-20T00:00:00.900Z') });
    assert.equal(a, b);
    assert.match(a, /^http:\/\/127\.0\.0\.1:\d+\/\?AccessKeyId=thingcall-demo&Action=QueryDeviceDetail&DeviceName=lamp-01&Format=JSON/);
    assert.match(a, /&Signature=[A-Za-z0-9%]+$/);
    const live = await fetch(c.presign('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' }));
    assert.equal((await live.json()).Data.DeviceName, 'lamp-01');
    assert.throws(() => c.presign('X', {}, { timestamp: '2026-01-20 00:00:00' }), /timestamp/);
  });

  test('toCurl gives a runnable command; explain redacts the security token', async () => {
    const c = await client();
    const curl = c.toCurl('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' });
    assert.match(curl, /^curl -X POST -H 'Content-Type: application\/x-www-form-urlencoded' --data '.*Signature=.*' 'http:\/\/127\.0\.0\.1:\d+\/'$/);
    const sts = await client({ securityToken: 'CAIS-secret-token-value' });
    const x = sts.explain('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' });
    const text = JSON.stringify(x);
    assert.ok(!text.includes('CAIS-secret-token-value') && !text.includes(DEMO.accessKeySecret));
    assert.deepEqual(x.params.find(([k]) => k === 'SecurityToken'), ['SecurityToken', '** redacted **']);
    assert.equal(x.method, 'POST');
    assert.ok(x.stringToSign.startsWith('POST&%2F&AccessKeyId%3Dthingcall-demo'));
  });
});

describe('a fetch that misbehaves never breaks the client', () => {
  test('a rejection that is not an Error, a throw, a non-Response: NetworkError, unknown; the next call works', async () => {
    const c = await client();
    const original = globalThis.fetch;
    const fakes = [
      ['rejects with a string', () => Promise.reject('offline')],
      ['rejects with undefined', () => Promise.reject(undefined)],
      ['throws a string synchronously', () => { throw 'no fetch today'; }],
      ['throws an Error synchronously', () => { throw new Error('boom'); }],
      ['resolves to something that is not a Response', () => Promise.resolve({ status: 200 })],
    ];
    for (const [what, fake] of fakes) {
      globalThis.fetch = fake;
      let e;
      try {
        e = await rejection(c.invokeThingService({ ...lamp(1), identifier: 'Echo' }));
      } finally {
        globalThis.fetch = original;
      }
      assert.equal(e.code, 'NetworkError', what);
      assert.equal(e.outcome, 'unknown', what);
      assert.equal(e.attempts, 1, what);
      const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: { text: what } });
      assert.equal(r.result.data.text, what, `the call after: ${what}`);
      assert.equal(globalThis.fetch, original, 'the global fetch is left as it was');
    }
  });
});

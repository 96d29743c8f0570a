// The shipped package's IotClient in a real browser page against the emulator (same origin: the
// emulator serves pkg/). This file is the body of an async function run in the page by
// client.test.mjs (in Chromium through playwright, in Firefox through geckodriver); it gets
// `origin` and `signature` (every scenario runs once with 'v1' and once with 'v3': the clients
// made here sign with it unless a scenario names one) and returns one `[name, error or null]`
// per scenario.
// The page is the demo dashboard served by the emulator itself, with no backend: as it loads it
// asks /sts for a key, finds none, and waits for one to be typed. Wait until it has settled, so
// that nothing of its own can take a fault meant for a scenario.
const status = () => document.querySelector('[data-testid=status]')?.textContent ?? '';
const settled = () => /no backend here/.test(status());
for (let i = 0; i < 400 && !settled(); i++) await new Promise((r) => setTimeout(r, 25));
if (!settled()) return [['the demo page settles without a backend', `status: ${status()}`]];
const { default: init, IotClient, ThingcallError } = await import(`${origin}/pkg/thingcall.js`);
const { loadExtras } = await import(`${origin}/pkg/extras.js`);
await init();
if (signature === 'v3') await loadExtras(); // V3 signs in the second entry
const PK = 'a1LampDemo0';
const DEMO = { accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' };
const lamp = (n) => ({ productKey: PK, deviceName: `lamp-${String(n).padStart(2, '0')}` });
const control = (path, body = {}) => fetch(`${origin}/_emulator/${path}`, { method: 'POST', body: JSON.stringify(body) });
const deviceLog = async () => (await fetch(`${origin}/_emulator/log`)).json();
const client = (o = {}) => new IotClient({ endpoint: origin, ...DEMO, signature, ...o });
const check = (cond, what) => { if (!cond) throw new Error(what); };
const rejection = async (p) => {
  try {
    await p;
  } catch (e) {
    check(e instanceof ThingcallError && e.name === 'ThingcallError', `not a ThingcallError: ${e}`);
    check(!e.message.includes(DEMO.accessKeySecret), 'the secret is in the message');
    return e;
  }
  throw new Error('expected a rejection');
};

const scenarios = {
  async 'a sync Echo round-trips Unicode Args, by POST and by GET'() {
    const args = { text: "灯 😀 𝄞 é ~*!'() &=+%20", n: -42, x: 3.25 };
    for (const method of ['POST', 'GET']) {
      const r = await client({ method }).invokeThingService({ ...lamp(1), identifier: 'Echo', args });
      const d = r.result.data;
      check(r.mode === 'sync' && d.text === args.text && d.n === args.n && d.x === args.x, `${method}: ${JSON.stringify(r)}`);
      check(r.attempts === 1 && r.requestId, `${method}: attempts ${r.attempts}`);
    }
  },
  async 'signature V3: an Echo by POST and by GET, its headers sent same-origin'() {
    await loadExtras(); // V3 signs in the second entry
    const args = { text: "灯 😀 é ~*!'() &=+", n: 7 };
    for (const method of ['POST', 'GET']) {
      const r = await client({ method, signature: 'v3' }).invokeThingService({ ...lamp(1), identifier: 'Echo', args });
      check(r.result.data.text === args.text && r.result.data.n === 7 && r.attempts === 1, `${method}: ${JSON.stringify(r)}`);
    }
    const e = await rejection(client({ signature: 'v3', accessKeySecret: 'wrong-secret' }).invokeThingService({ ...lamp(1), identifier: 'Echo', args }));
    check(e.code === 'SignatureDoesNotMatch', e.code);
  },
  async 'throttling is retried, and an abort cancels the fetch at once (outcome unknown)'() {
    await control('faults', { throttleNext: 2 });
    const c = client({ retry: { baseDelayMs: 10 } });
    const q = await c.queryDeviceDetail(lamp(3));
    check(q.attempts === 3, `three attempts, not ${q.attempts}`);
    await control('faults', { latencyMs: 3000 });
    const ctl = new AbortController();
    const p = c.invokeThingService({ ...lamp(3), identifier: 'Echo' }, { signal: ctl.signal });
    await new Promise((r) => setTimeout(r, 50));
    const t0 = performance.now();
    ctl.abort();
    const e = await rejection(p);
    const ms = performance.now() - t0;
    check(e.code === 'Aborted' && e.outcome === 'unknown', `${e.code} ${e.outcome}`);
    check(ms < 100, `rejected ${ms} ms after the abort`);
  },
  async 'the deadline covers the call: Timeout, outcome unknown'() {
    await control('faults', { latencyMs: 3000 });
    const t0 = performance.now();
    const e = await rejection(client().invokeThingService({ ...lamp(4), identifier: 'Echo' }, { timeoutMs: 200 }));
    check(e.code === 'Timeout' && e.outcome === 'unknown', `${e.code} ${e.outcome}`);
    check(performance.now() - t0 < 1500, 'on time');
  },
  async 'a dropped answer after the device acted: unknown, not sent again'() {
    await control('faults', { dropNext: 1 });
    const e = await rejection(client().invokeThingService({ ...lamp(5), identifier: 'Echo' }));
    // Firefox reports the lost answer; Chromium resends the request by itself on a new
    // connection, and the platform refuses the copy as a nonce reuse. Either way: unknown.
    check(['NetworkError', 'SignatureNonceUsed'].includes(e.code), e.code);
    check(e.outcome === 'unknown' && e.attempts === 1 && !e.retryable, `${e.outcome} ${e.attempts}`);
    check((await deviceLog()).length === 1, 'the device ran once');
  },
  async 'clock skew is corrected from the exposed Date header'() {
    await control('clock', { offsetMs: 20 * 60 * 1000 });
    const c = client({ method: 'GET' });
    check((await c.queryDeviceDetail(lamp(6))).attempts === 2, 'two attempts');
    check(Math.abs(c.clockOffsetMs - 1_200_000) < 3000, `offset ${c.clockOffsetMs}`);
  },
  async 'an STS provider is called once for 20 concurrent calls'() {
    const admin = client();
    let calls = 0;
    const c = new IotClient({
      endpoint: origin,
      signature,
      credentials: async () => {
        calls++;
        const r = await admin.call('AssumeRole', { RoleArn: 'acs:ram::1:role/t', RoleSessionName: 'web', DurationSeconds: 900 });
        const k = r.body.Credentials;
        return { accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret, securityToken: k.SecurityToken, expiration: k.Expiration };
      },
    });
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => c.invokeThingService({ ...lamp(i + 1), identifier: 'Echo', args: { n: i } })));
    check(all.every((r, i) => r.result.data.n === i), 'every result');
    check(calls === 1, `${calls} provider calls`);
  },
  async 'a relative endpoint resolves against the page (a same-origin relay)'() {
    const c = new IotClient({ endpoint: '/', ...DEMO, signature });
    check(c.endpoint === `${origin}/`, `endpoint ${c.endpoint}`);
    const r = await c.queryDeviceDetail(lamp(8));
    check(r.data.DeviceName === 'lamp-08', JSON.stringify(r.data));
  },
  async 'a fetch that rejects with a non-Error or throws: NetworkError, and the client goes on'() {
    const c = client();
    const original = globalThis.fetch;
    for (const fake of [() => Promise.reject('offline'), () => Promise.reject(undefined), () => { throw 'no fetch'; }]) {
      globalThis.fetch = fake;
      let e;
      try {
        e = await rejection(c.invokeThingService({ ...lamp(7), identifier: 'Echo' }));
      } finally {
        globalThis.fetch = original;
      }
      check(e.code === 'NetworkError' && e.outcome === 'unknown', `${e.code} ${e.outcome}`);
      const r = await c.invokeThingService({ ...lamp(7), identifier: 'Echo', args: { text: 'after' } });
      check(r.result.data.text === 'after', 'the next call');
    }
  },
  async 'answers kept exact: integers beyond 2^53, and Success true with a Code'() {
    const big = '1894186889322557440';
    const result = JSON.stringify(`{"code":200,"data":{"Counter":12345678901234567890,"small":7,"f":1.5},"id":"1","message":"success","version":"1.0"}`);
    const answer = `{"RequestId":"R-1","Success":true,"Code":"200","Data":{"MessageId":${big},"Result":${result}}}`;
    const original = globalThis.fetch;
    globalThis.fetch = async () => new Response(answer, { headers: { 'Content-Type': 'application/json' } });
    let r, c;
    try {
      r = await client().invokeThingService({ ...lamp(1), identifier: 'Echo' });
      c = await client().call('Pub', { ProductKey: PK, TopicFullName: `/${PK}/lamp-01/user/get`, MessageContent: 'eA==' });
    } finally {
      globalThis.fetch = original;
    }
    check(r.messageId === big, `messageId ${r.messageId}`);
    check(r.requestId === 'R-1' && r.mode === 'sync', 'requestId, mode');
    check(r.result.data.Counter === 12345678901234567890n, `Counter ${typeof r.result.data.Counter}`);
    check(r.result.data.small === 7 && r.result.data.f === 1.5, 'small numbers stay numbers');
    check(c.messageId === big && c.data.MessageId === BigInt(big) && c.body.Data.MessageId === BigInt(big), 'call');
  },
  async 'devices() lists a product a page at a time (the second entry, as the demo page loaded it)'() {
    const c = client();
    await loadExtras();
    const all = [];
    for await (const d of c.devices(PK, { pageSize: 6 })) all.push(d.deviceName);
    check(all.length === 21 && new Set(all).size === 21, `devices: ${all.length}`);
  },
  async 'property history in pages, several properties newest first, and an abort in the middle'() {
    await loadExtras();
    const c = client();
    const to = Date.now() + 1000;
    const from = to - 3_600_000;
    const pages = [];
    for await (const page of c.propertyHistory(lamp(5), ['Temperature', 'Brightness'], { from, to, order: 'desc', pageSize: 10 })) pages.push(page);
    const temps = pages.flat().filter((p) => p.identifier === 'Temperature');
    check(temps.length >= 59 && new Set(temps.map((p) => p.time)).size === temps.length, `${temps.length} points`);
    check(temps.every((p, i) => i === 0 || p.time < temps[i - 1].time), 'newest first');
    check(temps.every((p) => typeof p.value === 'number'), 'typed by the thing model');
    const ctl = new AbortController();
    const it = c.propertyHistory(lamp(5), 'Temperature', { from, to, pageSize: 5, signal: ctl.signal });
    await it.next();
    ctl.abort();
    const e = await rejection(it.next());
    check(e.code === 'Aborted', e.code);
  },
};

const out = [];
for (const [name, run] of Object.entries(scenarios)) {
  await control('reset');
  try {
    await run();
    out.push([`${signature}: ${name}`, null]);
  } catch (e) {
    out.push([`${signature}: ${name}`, String(e?.stack ?? e)]);
  }
}
await control('reset');
return out;

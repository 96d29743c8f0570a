// Secrets never leak: every error path is triggered with a known AccessKeySecret and
// SecurityToken (temporary credentials from the emulator), and neither appears in the error's
// message, toString(), JSON.stringify(error), its stack, the diagnosis, the self-test report,
// explain() or anything written to the console; a POST never carries them (or the signature)
// in its URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { thingcall, emulatorUrl, control, DEMO, PK } from './helpers.mjs';

const { IotClient, ThingcallError } = thingcall;
let url;
let creds;
let html;
const lamp = { productKey: PK, deviceName: 'lamp-02' };

before(async () => {
  url = await emulatorUrl();
  const admin = new IotClient({ endpoint: url, ...DEMO });
  const c = (await admin.call('AssumeRole', { RoleArn: 'acs:ram::local:role/t', RoleSessionName: 'secrets', DurationSeconds: 900 })).body.Credentials;
  creds = { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
  html = createServer((req, res) => { res.writeHead(502, { 'Content-Type': 'text/html' }); res.end('<html>bad gateway</html>'); });
  await new Promise((r) => html.listen(0, '127.0.0.1', r));
});
after(() => html?.close());

/** Runs `fn` with console output and fetch URLs recorded; returns { error, printed, urls, value }. */
async function watched(fn) {
  const printed = [];
  const urls = [];
  const saved = { ...console };
  const realFetch = globalThis.fetch;
  for (const k of ['log', 'info', 'warn', 'error', 'debug']) console[k] = (...a) => printed.push(a.map(String).join(' '));
  globalThis.fetch = (input, init) => {
    urls.push([init?.method ?? input?.method ?? 'GET', String(input?.url ?? input)]);
    return realFetch(input, init);
  };
  try {
    return { value: await fn(), printed, urls };
  } catch (error) {
    return { error, printed, urls };
  } finally {
    Object.assign(console, saved);
    globalThis.fetch = realFetch;
  }
}

function assertClean(what, texts) {
  const secrets = [creds.accessKeySecret, creds.securityToken, encodeURIComponent(creds.securityToken)];
  for (const t of texts) {
    for (const s of secrets) assert.ok(!String(t).includes(s), `${what}: a secret or the token in ${String(t).slice(0, 200)}`);
  }
}

const sts = (o = {}) => new IotClient({ endpoint: url, credentials: async () => creds, retry: { maxAttempts: 2, baseDelayMs: 5 }, ...o });
const PATHS = {
  'SignatureDoesNotMatch (the server quotes its string-to-sign, token included)': () =>
    new IotClient({ endpoint: url, credentials: async () => ({ ...creds, accessKeySecret: `${creds.accessKeySecret}x` }) }).queryDeviceDetail(lamp),
  'InvalidSecurityToken (a wrong token)': () =>
    new IotClient({ endpoint: url, credentials: async () => ({ ...creds, securityToken: `${creds.securityToken}x` }) }).queryDeviceDetail(lamp),
  'InvalidAccessKeyId.NotFound': () =>
    new IotClient({ endpoint: url, credentials: async () => ({ ...creds, accessKeyId: 'STS.unknown' }) }).queryDeviceDetail(lamp),
  'a business error (offline device)': () => sts().invokeThingService({ productKey: PK, deviceName: 'lamp-offline', identifier: 'Echo' }),
  'a thing-model error': () => sts().invokeThingService({ ...lamp, identifier: 'Echo', args: { nope: 1 } }),
  'throttled twice': async () => { await control('faults', { throttleNext: 2 }); return sts().queryDeviceDetail(lamp); },
  'a 503 twice': async () => { await control('faults', { errorNext: 2 }); return sts().invokeThingService({ ...lamp, identifier: 'Echo' }); },
  'a dropped answer': async () => { await control('faults', { dropNext: 1 }); return sts().invokeThingService({ ...lamp, identifier: 'Echo' }); },
  'a device timeout': async () => { await control('faults', { deviceTimeoutNext: 1, rrpcTimeoutMs: 100 }); return sts().invokeThingService({ ...lamp, identifier: 'Echo' }); },
  'the deadline': async () => { await control('faults', { latencyMs: 500 }); return sts({ timeoutMs: 100 }).queryDeviceDetail(lamp); },
  'abort': async () => { await control('faults', { latencyMs: 500 }); const a = new AbortController(); setTimeout(() => a.abort(), 50); return sts().invokeThingService({ ...lamp, identifier: 'Echo' }, { signal: a.signal }); },
  'an HTML error page from a proxy': () => new IotClient({ endpoint: `http://127.0.0.1:${html.address().port}/`, credentials: async () => creds }).queryDeviceDetail(lamp),
  'no answer': () => new IotClient({ endpoint: 'http://127.0.0.1:9/', credentials: async () => creds, timeoutMs: 2000 }).queryDeviceDetail(lamp),
  'bad input after credentials': async () => { const c = sts(); await c.refreshCredentials(); return c.call('QueryDevice', { Signature: creds.accessKeySecret }); },
  'expired credentials': async () => { await control('clock', { offsetMs: 901_000 }); try { return await new IotClient({ endpoint: url, credentials: async () => ({ ...creds, expiration: undefined }), retry: { maxAttempts: 1 } }).queryDeviceDetail(lamp); } finally { await control('clock', { offsetMs: 0 }); } },
};

for (const [name, run] of Object.entries(PATHS)) {
  test(`no secret in the error: ${name}`, async () => {
    await control('faults', {});
    const { error, printed, urls } = await watched(run);
    await control('faults', {});
    assert.ok(error instanceof ThingcallError, `expected a ThingcallError, got ${error}`);
    assertClean(name, [error.message, String(error), JSON.stringify(error), error.stack, JSON.stringify(error.diagnosis ?? null), ...printed]);
    for (const [method, u] of urls) {
      if (method === 'POST') assertClean(`${name}: a POST URL`, [u, u.includes('Signature=') ? creds.securityToken : '']);
      if (method === 'POST') assert.ok(!u.includes('Signature'), `a POST URL carries the signature: ${u}`);
    }
  });
}

test('explain(), toCurl() and selfTest() redact or leave out the token and the secret', async () => {
  const c = sts();
  await c.refreshCredentials();
  const x = c.explain('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-02' });
  const report = await c.selfTest();
  assertClean('explain/selfTest', [JSON.stringify(x), JSON.stringify(report)]);
  assert.match(JSON.stringify(x), /\*\* redacted \*\*/);
  // toCurl is a command to run: it carries the token (as presign does) but never the secret.
  assert.ok(!c.toCurl('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-02' }).includes(creds.accessKeySecret));
});

test('a POST call sends the parameters in the body only: no token or signature in the URL', async () => {
  const { value, urls } = await watched(() => sts().queryDeviceDetail(lamp));
  assert.ok(value.requestId);
  assert.ok(urls.length >= 1);
  for (const [method, u] of urls) {
    assert.equal(method, 'POST');
    assert.equal(new URL(u).search, '', u);
  }
});

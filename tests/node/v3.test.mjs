// Signature V3 (`signature: 'v3'`) in Node against the emulator, which verifies it with its own
// code: the everyday calls by POST and GET, STS keys (the token signed as a header), a wrong
// secret refused as the platform refuses it, the retries and the clock's correction as with V1,
// and what V3 cannot do (a presigned URL) refused before anything is signed.
import { test, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { client, control, rejection, PK } from './helpers.mjs';

const lamp = (n) => ({ productKey: PK, deviceName: `lamp-${String(n).padStart(2, '0')}` });

beforeEach(() => control('reset'));

test('invoke, set, query and call, signed with V3, by POST and GET', async () => {
  const args = { text: "灯 😀 é ~*!'() &=+%20", n: -42, x: 3.25 };
  for (const method of ['POST', 'GET']) {
    const c = await client({ method, signature: 'v3' });
    const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo', args });
    assert.deepEqual(r.result.data, args, method);
    assert.equal(r.attempts, 1);
    await c.setDeviceProperty({ ...lamp(2), items: { Brightness: 44 } });
    const status = await c.queryDevicePropertyStatus({ ...lamp(2) });
    assert.equal(status.properties.find((p) => p.identifier === 'Brightness').value, 44);
    const list = await c.call('QueryProductList', { CurrentPage: 1, PageSize: 10 });
    assert.equal(list.body.Success, true);
  }
});

test('STS keys sign with V3, their token a signed header', async () => {
  const admin = await client();
  const r = await admin.call('AssumeRole', { RoleArn: 'acs:ram::1:role/thingcall-demo', RoleSessionName: 'v3', DurationSeconds: 900 });
  const k = r.body.Credentials;
  const c = await client({ signature: 'v3', accessKeyId: undefined, accessKeySecret: undefined, credentials: async () => ({ accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret, securityToken: k.SecurityToken, expiration: k.Expiration }) });
  const out = await c.invokeThingService({ ...lamp(3), identifier: 'Echo', args: { n: 1 } });
  assert.deepEqual(out.result.data, { n: 1 });
});

test('a wrong secret is SignatureDoesNotMatch, not retried; throttling and clock skew as with V1', async () => {
  const wrong = await client({ signature: 'v3', accessKeySecret: 'not-the-secret' });
  const e = await rejection(wrong.invokeThingService({ ...lamp(1), identifier: 'Echo', args: {} }), ['not-the-secret']);
  assert.equal(e.code, 'SignatureDoesNotMatch');
  assert.equal(e.attempts, 1);
  assert.equal(e.outcome, 'rejected');

  await control('faults', { throttleNext: 1 });
  const c = await client({ signature: 'v3' });
  const r = await c.invokeThingService({ ...lamp(1), identifier: 'Echo', args: { n: 2 } });
  assert.equal(r.attempts, 2, 'throttled once, then sent again with a new nonce');

  await control('clock', { offsetMs: 30 * 60 * 1000 });
  const skewed = await client({ signature: 'v3' });
  const s = await skewed.invokeThingService({ ...lamp(1), identifier: 'Echo', args: { n: 3 } });
  assert.equal(s.attempts, 2, 'InvalidTimeStamp.Expired, then the server time');
  assert.ok(Math.abs(skewed.clockOffsetMs - 30 * 60 * 1000) < 60_000);
});

test('bad options and what V3 cannot do are refused before anything is signed', async () => {
  for (const [options, pattern] of [
    [{ signature: 'v2' }, /options\.signature: "v1" or "v3"/],
    [{ signature: 'v3', signedHost: 'a b' }, /options\.signedHost/],
  ]) {
    await assert.rejects(client(options), (e) => e.code === 'InvalidArgument' && pattern.test(e.message), JSON.stringify(options));
  }
  const c = await client({ signature: 'v3' });
  assert.throws(() => c.presign('QueryProductList', {}), (e) => e.code === 'InvalidArgument' && /signature "v1"/.test(e.message));
});

test("toCurl and explain show V3's headers and stages; the curl command runs", async () => {
  for (const method of ['POST', 'GET']) {
    const c = await client({ method, signature: 'v3' });
    const curl = c.toCurl('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-04' });
    assert.match(curl, /-H 'authorization: ACS3-HMAC-SHA256 Credential=thingcall-demo,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=[0-9a-f]{64}'/);
    const answer = JSON.parse(execFileSync('bash', ['-c', `${curl} --silent`], { encoding: 'utf8' }));
    assert.equal(answer.Data?.DeviceName, 'lamp-04', `${method}: ${JSON.stringify(answer)}`);
    const x = c.explain('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-04' }, { nonce: 'n1', timestamp: new Date(0) });
    assert.deepEqual(x.params, [['DeviceName', 'lamp-04'], ['ProductKey', PK]]);
    assert.match(x.canonicalRequest, new RegExp(`^${method}\\n/\\n`));
    assert.match(x.canonicalRequest, /\nx-acs-date:1970-01-01T00:00:00Z\nx-acs-signature-nonce:n1\n/);
    assert.match(x.stringToSign, /^ACS3-HMAC-SHA256\n[0-9a-f]{64}$/);
    assert.match(x.signature, /^[0-9a-f]{64}$/);
    assert.deepEqual(x.headers.map(([k]) => k).slice(0, 6), ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256', 'authorization']);
    assert.equal(x.body !== undefined, method === 'POST');
  }
  // An STS key's token is redacted wherever it would show.
  const admin = await client();
  const k = (await admin.call('AssumeRole', { RoleArn: 'acs:ram::1:role/thingcall-demo', RoleSessionName: 'v3', DurationSeconds: 900 })).body.Credentials;
  const sts = await client({ signature: 'v3', accessKeyId: k.AccessKeyId, accessKeySecret: k.AccessKeySecret, securityToken: k.SecurityToken });
  const shown = JSON.stringify([sts.toCurl('QueryProductList', {}), sts.explain('QueryProductList', {})]);
  assert.ok(!shown.includes(k.SecurityToken), 'the token');
  assert.ok(!shown.includes(k.AccessKeySecret), 'the secret');
  assert.match(shown, /x-acs-security-token: \*\* redacted \*\*/);
});

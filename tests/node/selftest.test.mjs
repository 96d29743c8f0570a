// client.selfTest() against the emulator: a working set-up, a wrong secret, an endpoint that is
// not the platform, one that does not answer, a skewed clock, and STS credentials whose policy
// does not allow even QueryProductList (the signature is still reported as accepted).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { thingcall, emulatorUrl, control, DEMO } from './helpers.mjs';

const { IotClient } = thingcall;
const servers = [];
after(() => servers.forEach((s) => s.close()));

const byName = (report) => Object.fromEntries(report.checks.map((c) => [c.name, c]));
const statuses = (report) => report.checks.map((c) => `${c.name}:${c.status}`).join(' ');

async function sts(policy) {
  const admin = new IotClient({ endpoint: await emulatorUrl(), ...DEMO });
  const params = { RoleArn: 'acs:ram::local:role/t', RoleSessionName: 'selftest', DurationSeconds: 900 };
  if (policy) params.Policy = JSON.stringify(policy);
  const c = (await admin.call('AssumeRole', params)).body.Credentials;
  return { accessKeyId: c.AccessKeyId, accessKeySecret: c.AccessKeySecret, securityToken: c.SecurityToken, expiration: c.Expiration };
}

test('all good with temporary credentials: five checks, the lifetime, the clock', async () => {
  const creds = await sts();
  const r = await new IotClient({ endpoint: await emulatorUrl(), credentials: async () => creds }).selfTest();
  assert.equal(statuses(r), 'endpoint:ok cors:ok clock:ok credentials:ok signature:ok');
  assert.equal(r.ok, true);
  assert.ok(r.credentialsExpireInMs > 800_000 && r.credentialsExpireInMs <= 900_000, `${r.credentialsExpireInMs}`);
  assert.ok(Math.abs(r.clockOffsetMs) < 2000);
  assert.match(byName(r).credentials.detail, /^temporary key STS\.\S+…, expires in \d+ s$/);
  // One signed probe, answered 200: nothing for a browser to log as a failed request.
  assert.equal(byName(r).endpoint.detail, "answers with the platform's JSON (HTTP 200, Success for a signed QueryProductList)");
  assert.equal(byName(r).signature.detail, 'a signed QueryProductList was accepted');
  assert.ok(!JSON.stringify(r).includes(creds.accessKeySecret) && !JSON.stringify(r).includes(creds.securityToken));
});

test('a long-lived key works but is a warning; a wrong secret fails the signature with the diagnosis', async () => {
  const url = await emulatorUrl();
  const good = await new IotClient({ endpoint: url, ...DEMO }).selfTest();
  assert.equal(statuses(good), 'endpoint:ok cors:ok clock:ok credentials:warn signature:ok');
  assert.match(byName(good).credentials.advice, /temporary credentials/);
  const bad = await new IotClient({ endpoint: url, accessKeyId: DEMO.accessKeyId, accessKeySecret: 'wrong-secret-99' }).selfTest();
  assert.equal(bad.ok, false);
  assert.equal(byName(bad).signature.status, 'fail');
  assert.match(byName(bad).signature.detail, /^SignatureDoesNotMatch/);
  assert.match(byName(bad).signature.advice, /AccessKeySecret is not the one of this AccessKeyId/);
  assert.ok(!JSON.stringify(bad).includes('wrong-secret-99'));
});

test('a policy that allows nothing: the signature is still accepted (the platform checked it first)', async () => {
  const creds = await sts({ Version: '1', Statement: [{ Effect: 'Allow', Action: 'iot:InvokeThingService', Resource: 'acs:iot:*:*:product/none' }] });
  const r = await new IotClient({ endpoint: await emulatorUrl(), credentials: async () => creds }).selfTest();
  assert.equal(byName(r).signature.status, 'ok');
  assert.match(byName(r).signature.detail, /accepted \(QueryProductList answered iot\.common\.RamActionPermissionDeny\)/);
});

test('an endpoint that is not the platform, and one that does not answer', async () => {
  const html = createServer((req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<h1>a web site</h1>'); });
  await new Promise((r) => html.listen(0, '127.0.0.1', r));
  servers.push(html);
  const site = await new IotClient({ endpoint: `http://127.0.0.1:${html.address().port}/`, ...DEMO }).selfTest();
  assert.equal(byName(site).endpoint.status, 'fail');
  assert.match(byName(site).endpoint.detail, /HTTP 200 without the platform's JSON/);
  assert.match(byName(site).endpoint.advice, /IoT Platform API/);

  const closed = createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const port = closed.address().port;
  await new Promise((r) => closed.close(r));
  const none = await new IotClient({ endpoint: `http://127.0.0.1:${port}/`, ...DEMO, timeoutMs: 3000 }).selfTest();
  assert.equal(statuses(none), 'endpoint:fail cors:fail clock:skipped credentials:warn signature:skipped');
  assert.match(byName(none).cors.advice, /same-origin relay/);
});

test('a clock 5 minutes off is a warning with the offset, and the signed request still goes through', async () => {
  await control('clock', { offsetMs: 5 * 60 * 1000 });
  try {
    const r = await new IotClient({ endpoint: await emulatorUrl(), ...DEMO }).selfTest();
    assert.equal(byName(r).clock.status, 'warn');
    assert.ok(Math.abs(r.clockOffsetMs - 300_000) < 2000, `${r.clockOffsetMs}`);
    assert.match(byName(r).clock.detail, /by 30\d s|by 29\d s/);
    assert.equal(byName(r).signature.status, 'ok');
  } finally {
    await control('clock', { offsetMs: 0 });
  }
});

test('a provider that fails: credentials fail, the signed request is skipped', async () => {
  const r = await new IotClient({ endpoint: await emulatorUrl(), credentials: async () => { throw new Error('backend down'); } }).selfTest();
  assert.equal(byName(r).credentials.status, 'fail');
  assert.match(byName(r).credentials.detail, /backend down/);
  assert.equal(byName(r).signature.status, 'skipped');
});

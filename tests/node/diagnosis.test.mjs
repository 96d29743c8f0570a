// SignatureDoesNotMatch diagnosis against the emulator (whose message, as the platform's, quotes
// the string-to-sign it computed): a wrong secret, a relay that rewrites a parameter on the way,
// one that drops a parameter, and one that turns a POST into a GET; with signature V3 (whose
// message quotes only the hash of the canonical request): a wrong secret, a host other than the
// signed one, and a relay that changes the query or is not named by `signedHost`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { thingcall, emulatorUrl, DEMO, PK } from './helpers.mjs';

const { IotClient, ThingcallError } = thingcall;
const relays = [];

/** A relay to the emulator that applies `rewrite({ method, query, body })` to each request. */
async function relay(rewrite) {
  const upstream = await emulatorUrl();
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const at = req.url.indexOf('?');
    const r = rewrite({ method: req.method, query: at < 0 ? '' : req.url.slice(at + 1), body: Buffer.concat(chunks).toString() });
    // V3's headers go on as they came.
    const v3 = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k.startsWith('x-acs-') || k === 'authorization'));
    const answer = await fetch(`${upstream}/${r.query ? `?${r.query}` : ''}`, {
      method: r.method,
      headers: r.method === 'POST' ? { ...v3, 'Content-Type': 'application/x-www-form-urlencoded' } : v3,
      body: r.method === 'POST' ? r.body : undefined,
    });
    res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  relays.push(server);
  return `http://127.0.0.1:${server.address().port}/`;
}
after(() => relays.forEach((s) => s.close()));

let token;
before(async () => {
  const admin = new IotClient({ endpoint: await emulatorUrl(), ...DEMO });
  token = (await admin.call('AssumeRole', { RoleArn: 'acs:ram::local:role/t', RoleSessionName: 'd' })).body.Credentials;
});

const echo = { productKey: PK, deviceName: 'lamp-04', identifier: 'Echo', args: { text: 'a+b c' } };

async function mismatch(client, secrets = []) {
  try {
    await client.invokeThingService(echo);
  } catch (e) {
    assert.ok(e instanceof ThingcallError);
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.equal(e.outcome, 'rejected');
    const text = `${e.message} ${JSON.stringify(e)} ${JSON.stringify(e.diagnosis)}`;
    for (const s of secrets) assert.ok(!text.includes(s), 'a secret or the token is in the error');
    assert.ok(e.diagnosis, 'a diagnosis');
    assert.ok(e.message.includes(`Diagnosis: ${e.diagnosis.explanation}`));
    return e.diagnosis;
  }
  throw new Error('expected SignatureDoesNotMatch');
}

test('a wrong secret: both sides signed the same string', async () => {
  const d = await mismatch(new IotClient({ endpoint: await emulatorUrl(), accessKeyId: DEMO.accessKeyId, accessKeySecret: 'wrong-secret-1234' }), ['wrong-secret-1234']);
  assert.deepEqual(Object.keys(d).sort(), ['cause', 'explanation']);
  assert.equal(d.cause, 'wrong_secret');
  assert.match(d.explanation, /AccessKeySecret is not the one of this AccessKeyId/);
});

test('a relay that decodes "+" as a space (a form framework): the parameter, both values, the position', async () => {
  // The body as a naive framework re-encodes it: %2B (a "+") becomes %20.
  const endpoint = await relay((r) => ({ ...r, body: r.body.replace(/%2B/g, '%20') }));
  const d = await mismatch(new IotClient({ endpoint, ...DEMO }));
  assert.equal(d.cause, 'parameter_changed');
  assert.equal(d.parameter, 'Args');
  assert.equal(d.sent, '{"text":"a+b c"}');
  assert.equal(d.received, '{"text":"a b c"}');
  assert.ok(Number.isInteger(d.position) && d.position > 0);
  assert.match(d.explanation, /^Args arrived with another value/);
});

test('a relay that drops a parameter, with STS credentials: missing; no secret or token in the error', async () => {
  const endpoint = await relay((r) => ({ ...r, body: r.body.split('&').filter((p) => !p.startsWith('Args=')).join('&') }));
  const client = new IotClient({ endpoint, accessKeyId: token.AccessKeyId, accessKeySecret: token.AccessKeySecret, securityToken: token.SecurityToken });
  const d = await mismatch(client, [token.AccessKeySecret, token.SecurityToken]);
  assert.equal(d.cause, 'parameter_missing');
  assert.equal(d.parameter, 'Args');
  assert.equal(d.sent, '{"text":"a+b c"}');
  assert.equal(d.received, undefined);
});

test('a relay that turns the POST into a GET: the method changed', async () => {
  const endpoint = await relay((r) => ({ method: 'GET', query: r.body, body: '' }));
  const d = await mismatch(new IotClient({ endpoint, ...DEMO }));
  assert.equal(d.cause, 'method_changed');
  assert.equal(d.position, 0);
  assert.equal(d.parameter, undefined);
  assert.deepEqual([d.sent, d.received], ['POST', 'GET']);
  assert.match(d.explanation, /Signed for POST but received as GET/);
});

test('V3, a wrong secret: the platform hashed the very canonical request signed', async () => {
  const c = new IotClient({ endpoint: await emulatorUrl(), accessKeyId: DEMO.accessKeyId, accessKeySecret: 'wrong-secret-v3', signature: 'v3' });
  const d = await mismatch(c, ['wrong-secret-v3']);
  assert.equal(d.cause, 'wrong_secret');
});

test('V3, signed for one host and received with the endpoint\'s: host_changed, both hosts', async () => {
  const endpoint = await emulatorUrl();
  const c = new IotClient({ endpoint, ...DEMO, signature: 'v3', signedHost: 'iot.cn-shanghai.aliyuncs.com' });
  const d = await mismatch(c);
  assert.equal(d.cause, 'host_changed');
  assert.equal(d.parameter, 'host');
  assert.deepEqual([d.sent, d.received], ['iot.cn-shanghai.aliyuncs.com', new URL(endpoint).host]);
  assert.match(d.explanation, /proxy_set_header Host iot\.cn-shanghai\.aliyuncs\.com;/);
});

test('V3 through a relay: a query rewritten, or the relay\'s host signed: rewritten, with the advice', async () => {
  const upstreamHost = new URL(await emulatorUrl()).host;
  const rewriting = await relay((r) => ({ ...r, query: r.query.replace(/%2B/g, '%20') }));
  const d = await mismatch(new IotClient({ endpoint: rewriting, ...DEMO, method: 'GET', signature: 'v3', signedHost: upstreamHost }));
  assert.equal(d.cause, 'rewritten');
  assert.match(d.explanation, /the query, the body or an x-acs-\* header/);
  const plain = await relay((r) => r);
  const unnamed = await mismatch(new IotClient({ endpoint: plain, ...DEMO, signature: 'v3' }));
  assert.equal(unnamed.cause, 'rewritten');
  assert.match(unnamed.explanation, /set signedHost to the host the platform receives/);
  // Named, the same relay carries the call.
  const ok = await new IotClient({ endpoint: plain, ...DEMO, signature: 'v3', signedHost: upstreamHost }).invokeThingService(echo);
  assert.equal(ok.result.data.text, 'a+b c');
});

test('other errors carry no diagnosis', async () => {
  const c = new IotClient({ endpoint: await emulatorUrl(), ...DEMO });
  await assert.rejects(c.invokeThingService({ ...echo, deviceName: 'lamp-offline' }), (e) => e.code === 'iot.messagebroker.OFFLINE' && !('diagnosis' in e));
});

// Bad answers: a server in front of the client answers the way broken proxies, gateways and
// networks do. Each is a clear ThingcallError with the right outcome, and an invoke (which may
// have run) is never sent twice, with the default retry policy.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { thingcall, DEMO, PK } from './helpers.mjs';

const { IotClient, ThingcallError } = thingcall;
const servers = [];
after(() => servers.forEach((s) => { s.closeAllConnections(); s.close(); }));

const json = (status, body, type = 'application/json;charset=utf-8') => (req, res) => { res.writeHead(status, { 'Content-Type': type }); res.end(body); };
const envelope = '{"RequestId":"R-1","Success":true,"Data":{"MessageId":"1"}}';

// [name, handler, code, outcome, message pattern]
const ANSWERS = [
  ['a body that is not JSON', json(200, 'hello'), 'InvalidResponse', 'unknown', /HTTP 200 with a body that is not the platform's JSON envelope/],
  ['an HTML error page from a proxy, 502', json(502, '<html><h1>502 Bad Gateway</h1></html>', 'text/html'), 'InvalidResponse', 'unknown', /HTTP 502 .*Content-Type text\/html: an error page, from a proxy or a gateway\?/],
  ['an HTML error page from a gateway, 504', json(504, '<html>504 Gateway Time-out</html>', 'text/html'), 'InvalidResponse', 'unknown', /HTTP 504 .*an error page/],
  ['an empty body', (req, res) => { res.writeHead(200); res.end(); }, 'InvalidResponse', 'unknown', /HTTP 200 with a body that is not the platform's JSON envelope/],
  ['truncated JSON', json(200, envelope.slice(0, 30)), 'InvalidResponse', 'unknown', /not the platform's JSON envelope/],
  ['a JSON array', json(200, '[1,2]'), 'InvalidResponse', 'unknown', /not the platform's JSON envelope/],
  ['JSON null', json(200, 'null'), 'InvalidResponse', 'unknown', /not the platform's JSON envelope/],
  ['Success false with HTTP 200', json(200, '{"RequestId":"R-2","Success":false,"Code":"iot.device.InvokeThingServiceFailed","ErrorMessage":"failed"}'), 'iot.device.InvokeThingServiceFailed', 'rejected', /failed/],
  ['Success false without a Code', json(200, '{"RequestId":"R-3","Success":false}'), 'InvalidResponse', 'unknown', /HTTP 200 without an error Code/],
  ['a body of 9 Mi characters', json(200, `{"RequestId":"R-4","Success":true,"Data":{"Pad":"${'x'.repeat(9 << 20)}"}}`), 'InvalidResponse', 'unknown', /longer than 8 Mi characters, so not read/],
  ['a reset before the request was read', (req) => req.socket.destroy(), 'NetworkError', 'unknown', /fetch failed/],
  ['a reset after the request was read', (req) => { req.on('end', () => req.socket.destroy()); req.resume(); }, 'NetworkError', 'unknown', /fetch failed/],
];

async function serve(handler) {
  let requests = 0;
  const s = createServer((req, res) => { requests++; handler(req, res); });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return { url: `http://127.0.0.1:${s.address().port}/`, requests: () => requests };
}

for (const [name, handler, code, outcome, message] of ANSWERS) {
  test(`bad answer: ${name}`, async () => {
    const s = await serve(handler);
    const c = new IotClient({ endpoint: s.url, ...DEMO, retry: { baseDelayMs: 5 } }); // default maxAttempts: 3
    let error;
    try {
      await c.invokeThingService({ productKey: PK, deviceName: 'lamp-01', identifier: 'Echo' });
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof ThingcallError, `not a ThingcallError: ${error}`);
    assert.equal(error.code, code, error.message);
    assert.equal(error.outcome, outcome, error.message);
    assert.match(error.message, message);
    assert.equal(error.attempts, 1, 'an invoke that may have run is not sent again');
    assert.equal(s.requests(), 1);
  });
}

test('a read-only action may be retried after an answer of unknown outcome, and then succeeds', async () => {
  let n = 0;
  const s = await serve((req, res) => (n++ === 0 ? json(502, '<html>502</html>', 'text/html') : json(200, envelope))(req, res));
  const r = await new IotClient({ endpoint: s.url, ...DEMO, retry: { baseDelayMs: 5 } }).queryDeviceDetail({ productKey: PK, deviceName: 'lamp-01' });
  assert.equal(r.attempts, 2);
  assert.equal(r.requestId, 'R-1');
});

test('the platform\'s envelope is accepted whatever its Content-Type says; a Result that is not JSON stays raw', async () => {
  const plain = await serve(json(200, envelope, 'text/plain'));
  const r = await new IotClient({ endpoint: plain.url, ...DEMO }).invokeThingService({ productKey: PK, deviceName: 'lamp-01', identifier: 'Echo' });
  assert.equal(r.mode, 'async');
  const raw = await serve(json(200, '{"RequestId":"R-5","Success":true,"Data":{"MessageId":"2","Result":"not json"}}'));
  const x = await new IotClient({ endpoint: raw.url, ...DEMO }).invokeThingService({ productKey: PK, deviceName: 'lamp-01', identifier: 'Echo' });
  assert.deepEqual([x.mode, x.rawResult, x.result], ['sync', 'not json', undefined]);
});

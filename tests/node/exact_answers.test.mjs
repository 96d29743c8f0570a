// Answers kept as the platform sent them: the envelope's Success decides (a compatible endpoint
// sends `Code: "200"` on success), and no number is rounded on its way to the caller: IDs are
// strings with exactly the digits sent, other integers beyond 2^53 are BigInt (in `data`, `body`
// and a device's `result`), and `rawResult` is the text as sent. The parser itself
// (js/exact_json.js) is checked against JSON.parse on random documents.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { thingcall, DEMO, PK } from './helpers.mjs';
import { parseExact } from '../../js/exact_json.js';

const { IotClient } = thingcall;
const servers = [];
after(() => servers.forEach((s) => { s.closeAllConnections(); s.close(); }));

async function serve(body) {
  const s = createServer((req, res) => {
    req.resume();
    req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json' }); res.end(body); });
  });
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  servers.push(s);
  return new IotClient({ endpoint: `http://127.0.0.1:${s.address().port}/`, ...DEMO });
}

const BIG = '1894186889322557440';
const lamp = { productKey: PK, deviceName: 'lamp-01' };

test('a MessageId beyond 2^53 keeps every digit: messageId a string, data and body a BigInt', async () => {
  const c = await serve(`{"RequestId":"R-1","Success":true,"Data":{"MessageId":${BIG}}}`);
  for (const r of [
    await c.call('Pub', { ProductKey: PK, TopicFullName: `/${PK}/lamp-01/user/get`, MessageContent: 'eA==' }),
    await c.setDeviceProperty({ ...lamp, items: { LightSwitch: 1 } }),
  ]) {
    assert.equal(r.messageId, BIG);
    assert.equal(r.data.MessageId, BigInt(BIG));
    assert.equal(r.body.Data.MessageId, BigInt(BIG));
  }
  const i = await c.invokeThingService({ ...lamp, identifier: 'Blink' });
  assert.deepEqual([i.mode, i.messageId], ['async', BIG]);
});

test("a device's Result keeps its large integers; rawResult is the text as sent", async () => {
  const raw = '{"code":200,"data":{"Counter":12345678901234567890,"Neg":-98765432109876543210,"n":42,"x":1.5e300},"id":"9","message":"success","version":"1.0"}';
  const c = await serve(JSON.stringify({ RequestId: 'R-2', Success: true, Data: { MessageId: 'm', Result: raw } }));
  const r = await c.invokeThingService({ ...lamp, identifier: 'Echo' });
  assert.equal(r.rawResult, raw);
  assert.deepEqual(r.result.data, { Counter: 12345678901234567890n, Neg: -98765432109876543210n, n: 42, x: 1.5e300 });
  assert.equal(r.code, 200);
});

test('Success true is a success whatever Code holds', async () => {
  const c = await serve('{"RequestId":"R-3","Success":true,"Code":"200","Data":{"MessageId":"7"}}');
  const r = await c.invokeThingService({ ...lamp, identifier: 'Blink' });
  assert.deepEqual([r.requestId, r.messageId, r.mode], ['R-3', '7', 'async']);
  const q = await c.call('QueryDeviceDetail', { ProductKey: PK, DeviceName: 'lamp-01' });
  assert.equal(q.requestId, 'R-3');
});

test('a result without RequestId or MessageId leaves the fields out', async () => {
  const c = await serve('{"Success":true,"Data":{}}');
  const r = await c.invokeThingService({ ...lamp, identifier: 'Blink' });
  assert.equal('requestId' in r, false);
  assert.equal('messageId' in r, false);
});

// Random JSON documents with integers of every size, written with their exact digits, read back.
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32);
}

function randomValue(r, depth) {
  const k = Math.floor(r() * (depth > 3 ? 6 : 8));
  const digits = (n) => Array.from({ length: n }, (_, i) => (i === 0 ? 1 + Math.floor(r() * 9) : Math.floor(r() * 10))).join('');
  switch (k) {
    case 0: return null;
    case 1: return r() < 0.5;
    case 2: { const n = BigInt((r() < 0.3 ? '-' : '') + digits(1 + Math.floor(r() * 30))); return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n; }
    case 3: return (r() - 0.5) * 10 ** (Math.floor(r() * 30) - 15); // never an integer beyond 2^53
    case 4: return ['', 'a"b\\c', '12345678901234567890', '\u00e9\ud83d\ude00', '{"x":1}', '\n\t', '__proto__'][Math.floor(r() * 7)];
    case 5: return digits(20);
    case 6: return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    default: {
      const o = {};
      for (let i = Math.floor(r() * 4); i > 0; i--) {
        Object.defineProperty(o, ['a', 'MessageId', '__proto__', '1', 'x y'][Math.floor(r() * 5)], { value: randomValue(r, depth + 1), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
  }
}

const write = (v) => JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `\u0000${x}\u0000` : x)).replace(/"\\u0000(-?\d+)\\u0000"/g, '$1');

test('parseExact equals JSON.parse but for integers beyond 2^53, which come back exact (2,000 documents)', () => {
  const r = rng(20261205);
  for (let i = 0; i < 2000; i++) {
    const v = randomValue(r, 0);
    const text = write(v);
    const space = i % 2 ? text : JSON.stringify(JSON.parse(text), null, 2); // whitespace, where no BigInt
    const got = parseExact(text);
    assert.deepStrictEqual(got, v, text);
    if (!/\d{16}/.test(text)) assert.deepStrictEqual(parseExact(space), JSON.parse(space));
  }
  assert.throws(() => parseExact('{"a":12345678901234567890'), SyntaxError);
  assert.equal(Object.getPrototypeOf(parseExact('{"__proto__":{"x":12345678901234567890}}')), Object.prototype);
});

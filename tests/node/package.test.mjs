// The built package in Node 20: initSync, the public vectors, bad input, and a cross-check of
// signRpc against an independent signer (node:crypto + encodeURIComponent) on 1,000 random requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { thingcall, assertThingcallError } from './helpers.mjs';

const { signRpc } = thingcall;

const VECTOR_A = {
  AccessKeyId: 'testid', Action: 'DescribeRegions', Format: 'XML', SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', SignatureVersion: '1.0',
  Timestamp: '2016-02-23T12:46:24Z', Version: '2014-05-26',
};

test('vector A, GET and POST, stage by stage', () => {
  const get = signRpc({ method: 'GET', params: VECTOR_A, accessKeySecret: 'testsecret' });
  assert.equal(get.canonicalQuery, 'AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1'
    + '&SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0&Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26');
  assert.equal(get.stringToSign, 'GET&%2F&AccessKeyId%3Dtestid%26Action%3DDescribeRegions%26Format%3DXML%26SignatureMethod%3DHMAC-SHA1'
    + '%26SignatureNonce%3D3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf%26SignatureVersion%3D1.0%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26');
  assert.equal(get.signature, 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
  const post = signRpc({ method: 'POST', params: VECTOR_A, accessKeySecret: 'testsecret' });
  assert.equal(post.stringToSign, get.stringToSign.replace(/^GET/, 'POST'));
  assert.equal(post.signature, 'MxbnVAM4w6sft9xjVpe/GCKueuk=');
});

test('vectors B and C', () => {
  const b = signRpc({
    method: 'GET', accessKeySecret: 'testsecret',
    params: {
      AccessKeyId: 'testid', Action: 'DescribeDedicatedHosts', Format: 'JSON', RegionId: 'cn-beijing',
      SignatureMethod: 'HMAC-SHA1', SignatureNonce: 'edb2b34af0af9a6d14deaf7c1a5315eb', SignatureVersion: '1.0',
      Timestamp: '2023-03-13T08:34:30Z', Version: '2014-05-26',
    },
  });
  assert.equal(b.signature, '9NaGiOspFP5UPcwX8Iwt2YJXXuk=');
  const c = signRpc({ method: 'GET', accessKeySecret: 'secret', params: { query: 'test', body: 'test' } });
  assert.deepEqual(c, {
    canonicalQuery: 'body=test&query=test',
    stringToSign: 'GET&%2F&body%3Dtest%26query%3Dtest',
    signature: 'XlUyV4sXjOuX5FnjUz9IF9tm5rU=',
  });
});

test('numbers and booleans are stringified as JavaScript does; null and undefined are left out', () => {
  const r = signRpc({ method: 'GET', accessKeySecret: 'secret', params: { a: 1.5, b: true, c: 10, d: null, e: undefined, Signature: 'x' } });
  assert.equal(r.canonicalQuery, 'a=1.5&b=true&c=10');
});

test('bad input throws an InvalidArgument ThingcallError naming the field', () => {
  const cases = [
    [{ method: 'PUT', params: {}, accessKeySecret: 's3cret!' }, /method/],
    [{ params: {}, accessKeySecret: 's3cret!' }, /method/],
    [{ method: 'GET', params: {} }, /accessKeySecret/],
    [{ method: 'GET', params: {}, accessKeySecret: '' }, /accessKeySecret/],
    [{ method: 'GET', params: 'a=b', accessKeySecret: 's3cret!' }, /params/],
    [{ method: 'GET', params: [1], accessKeySecret: 's3cret!' }, /params/],
    [{ method: 'GET', params: { Args: { a: 1 } }, accessKeySecret: 's3cret!' }, /params\.Args/],
    [{ method: 'GET', params: { Items: [1] }, accessKeySecret: 's3cret!' }, /params\.Items/],
    [null, /signRpc/],
  ];
  for (const [input, field] of cases) {
    assert.throws(() => signRpc(input), (e) => {
      assertThingcallError(e, ['s3cret!']);
      assert.equal(e.code, 'InvalidArgument');
      assert.equal(e.outcome, 'not_sent');
      assert.match(e.message, field);
      return true;
    });
  }
});

// ---- cross-check against an implementation that shares no code with ours ----

function rfc3986(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function referenceSign(method, params, secret) {
  const names = Object.keys(params).filter((k) => k !== 'Signature')
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const canonicalQuery = names.map((k) => `${rfc3986(k)}=${rfc3986(params[k])}`).join('&');
  const stringToSign = `${method}&${rfc3986('/')}&${rfc3986(canonicalQuery)}`;
  const signature = createHmac('sha1', `${secret}&`).update(stringToSign).digest('base64');
  return { canonicalQuery, stringToSign, signature };
}

function rng(seed) {
  let x = seed >>> 0;
  return () => ((x = (x * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const POOLS = [
  'abcXYZ019', "-_.~ !'()*+,/:;=?@#$&%[]{}\"<>\\^`|", 'éüß灯泡电', '😀🚀𝄞𐍈', '\u0000\u0001\t\n\r\u007f', '\u00a0\u2028\ufeff',
];

function randomString(r, maxLen) {
  const n = Math.floor(r() * (maxLen + 1));
  let s = '';
  for (let i = 0; i < n; i++) {
    const pool = [...POOLS[Math.floor(r() * POOLS.length)]];
    s += pool[Math.floor(r() * pool.length)];
  }
  return s;
}

test('1,000 random requests sign the same as node:crypto + encodeURIComponent', () => {
  const r = rng(20260120);
  for (let i = 0; i < 1000; i++) {
    const params = {};
    const count = 1 + Math.floor(r() * 12);
    for (let j = 0; j < count; j++) {
      const name = randomString(r, 10) || `p${j}`;
      params[name] = r() < 0.15 ? '' : randomString(r, 40);
    }
    const method = r() < 0.5 ? 'GET' : 'POST';
    const secret = randomString(r, 30) || 'k';
    const ours = signRpc({ method, params, accessKeySecret: secret });
    const theirs = referenceSign(method, params, secret);
    assert.deepEqual(ours, theirs, `request ${i}: ${JSON.stringify(params)}`);
  }
});

// Names most requests carry are looked up rather than copied out of the engine: they, and
// names that differ from one by a letter's case, a space or a lone surrogate, sign as written.
const KNOWN = ['AccessKeyId', 'Action', 'Format', 'SecurityToken', 'SignatureMethod', 'SignatureNonce', 'SignatureVersion',
  'Timestamp', 'Version', 'RegionId', 'IotInstanceId', 'ProductKey', 'DeviceName', 'IotId', 'Identifier', 'Args', 'Items', 'Qos'];
const NEAR = (k) => [k.toLowerCase(), `${k} `, ` ${k}`, `${k}\u0000`, k.slice(1), `${k}s`];

test('known parameter names, and names near them, sign the same as node:crypto', () => {
  const r = rng(20181020);
  for (let i = 0; i < 500; i++) {
    const params = {};
    for (const k of KNOWN) {
      if (r() < 0.6) params[k] = randomString(r, 20);
      if (r() < 0.2) params[NEAR(k)[Math.floor(r() * 6)]] = randomString(r, 20);
    }
    const method = r() < 0.5 ? 'GET' : 'POST';
    assert.deepEqual(signRpc({ method, params, accessKeySecret: 'k' }), referenceSign(method, params, 'k'), JSON.stringify(params));
  }
  // A lone surrogate after a known name is refused like any other.
  assert.throws(() => signRpc({ method: 'GET', accessKeySecret: 'k', params: { ['Action\ud800']: 'x' } }), /lone UTF-16 surrogate/);
});

test('getters that call back into thingcall while it reads its input', () => {
  const inner = () => signRpc({ method: 'GET', params: VECTOR_A, accessKeySecret: 'testsecret' }).signature;
  const input = {
    get method() { inner(); return 'GET'; },
    get accessKeySecret() { inner(); return 'testsecret'; },
    get params() { inner(); return VECTOR_A; },
  };
  assert.equal(signRpc(input).signature, inner());
  const options = { get endpoint() { new thingcall.IotClient({ endpoint: 'http://127.0.0.1:9/', ...{ accessKeyId: 'a', accessKeySecret: 'b' } }); return 'http://127.0.0.1:1/'; }, accessKeyId: 'a', get accessKeySecret() { inner(); return 'b'; } };
  assert.equal(new thingcall.IotClient(options).endpoint, 'http://127.0.0.1:1/');
});

test('ThingcallError ends its message with the advice for its code, found case-insensitively', () => {
  const e = new thingcall.ThingcallError('SIGNATUREDOESNOTMATCH', 'the server computed another.', undefined, 400, 'rejected', false, 1);
  assert.match(e.message, /^SIGNATUREDOESNOTMATCH: the server computed another\. .*AccessKeySecret/);
  assert.match(new thingcall.ThingcallError('InvalidTimeStamp.Expired', 'x', undefined, 400, 'rejected', true, 1).message, /clock/);
  assert.match(new thingcall.ThingcallError('Some.Unknown', 'x', undefined, 400, 'rejected', false, 1).message, /error code reference/);
});

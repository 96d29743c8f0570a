// In-page per-call time against the emulator (same origin): thingcall's invokeThingService beside
// the same request signed in JavaScript (WebCrypto, key imported once) and sent with raw fetch,
// that raw path plus the cancellable deadline thingcall always sets, and that one given a `Request`
// (how gloo-net sends). Rotating rounds at
// concurrency 1 and 32; `window.benchResult` holds the JSON when done.
import init, { IotClient } from '../pkg/thingcall.js';
import { rfc3986 } from './signers.js';

const DEMO = { accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' };
const PK = 'a1LampDemo0';
const device = (i) => `lamp-${String((i % 20) + 1).padStart(2, '0')}`;

async function rawInvoker(deadline, { request = false } = {}) {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', enc.encode(`${DEMO.accessKeySecret}&`), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  return async (i) => {
    const nonce = crypto.getRandomValues(new Uint8Array(16)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
    const params = {
      AccessKeyId: DEMO.accessKeyId, Action: 'InvokeThingService', Args: `{"n":${i}}`, DeviceName: device(i),
      Format: 'JSON', Identifier: 'Echo', ProductKey: PK, SignatureMethod: 'HMAC-SHA1', SignatureNonce: nonce,
      SignatureVersion: '1.0', Timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), Version: '2018-01-20',
    };
    let q = '';
    for (const k of Object.keys(params).sort()) q += `${q ? '&' : ''}${rfc3986(k)}=${rfc3986(params[k])}`;
    const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(`POST&%2F&${rfc3986(q)}`)));
    let bin = '';
    for (const b of mac) bin += String.fromCharCode(b);
    const init = { method: 'POST', headers, body: `${q}&Signature=${rfc3986(btoa(bin))}` };
    if (deadline) init.signal = AbortSignal.timeout(10_000);
    // `request`: sent as gloo-net must send it, a `Request` built first and passed to `fetch`.
    const r = await (request ? fetch(new Request(`${location.origin}/`, init)) : fetch(`${location.origin}/`, init));
    const body = JSON.parse(await r.text());
    if (!body.Success) throw new Error(`raw call failed: ${body.Code}`);
    return JSON.parse(body.Data.Result);
  };
}

async function pool(n, concurrency, task) {
  let next = 0;
  const worker = async () => {
    while (next < n) await task(next++);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return performance.now() - t0;
}

async function run() {
  await init();
  const client = new IotClient({ endpoint: `${location.origin}/`, ...DEMO });
  const thingcall = (i) => client.invokeThingService({ productKey: PK, deviceName: device(i), identifier: 'Echo', args: { n: i } });
  const paths = { thingcall, 'WebCrypto + fetch': await rawInvoker(false), 'WebCrypto + fetch + deadline': await rawInvoker(true),
    'WebCrypto + fetch(new Request) + deadline': await rawInvoker(true, { request: true }) };
  const names = Object.keys(paths);
  for (const name of names) await pool(500, 8, paths[name]); // warm-up
  const out = {};
  for (const c of [1, 32]) {
    const rounds = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        rounds[name].push(await pool(1000, c, paths[name]));
      }
    }
    const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    out[`c${c}`] = Object.fromEntries(names.map((n) => [n, { msPerCall: +(median(rounds[n]) / 1000).toFixed(3), rounds: rounds[n].map(Math.round) }]));
  }
  return { userAgent: navigator.userAgent, calls: 1000, results: out, clientCpu: await clientCpu(paths) };
}

/**
 * The main thread's own time per call, without the network: the same paths, one call at a time,
 * with the global `fetch` answering at once with a platform envelope (so every path still builds,
 * signs, sends, reads and parses). Network rounds spread by a few percent; this does not.
 */
async function clientCpu(paths) {
  const envelope = JSON.stringify({ RequestId: 'r', Success: true, Code: '', Data: { MessageId: 'm', Result: '{"n":1}' } });
  const real = globalThis.fetch;
  const stub = () => Promise.resolve(new Response(envelope, { headers: { 'Content-Type': 'application/json' } }));
  const names = Object.keys(paths);
  const rounds = Object.fromEntries(names.map((n) => [n, []]));
  globalThis.fetch = stub;
  try {
    const time = async (f, n) => {
      const t0 = performance.now();
      for (let i = 0; i < n; i++) await f(i);
      return ((performance.now() - t0) * 1000) / n;
    };
    for (const name of names) await time(paths[name], 2000); // warm-up
    for (let round = 0; round < 7; round++) {
      for (let i = 0; i < names.length; i++) {
        const name = names[(round + i) % names.length];
        rounds[name].push(await time(paths[name], 3000));
      }
    }
  } finally {
    globalThis.fetch = real;
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return Object.fromEntries(names.map((n) => [n, { usPerCall: +median(rounds[n]).toFixed(1), rounds: rounds[n].map((x) => +x.toFixed(1)) }]));
}

run().then(
  (r) => { window.benchResult = r; document.getElementById('out').textContent = JSON.stringify(r, null, 2); },
  (e) => { window.benchResult = { error: String(e?.stack ?? e) }; document.getElementById('out').textContent = String(e); },
);

// Signature robustness, run in a browser page of the emulator's origin by signatures.test.mjs:
// random requests (every ASCII punctuation, astral and combining characters, controls, empty and
// long values, up to hundreds of parameters) signed by the shipped package, each checked by the
// emulator's own decoder, canonicalizer and HMAC. This file is the body of an async function; it
// gets `origin`, `seed`, `count` (signRpc requests) and `calls` (requests sent by IotClient.call)
// and returns { signed, sent, mismatches, first }.
const { default: init, signRpc, IotClient } = await import(`${origin}/pkg/thingcall.js`);
await init();

// mulberry32: a small seeded generator, so that a failure can be replayed with its seed.
let state = seed >>> 0;
const random = () => {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const below = (n) => Math.floor(random() * n);
const pick = (xs) => xs[below(xs.length)];

const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)); // ' ' to '~'
const punctuation = ascii.filter((c) => !/[A-Za-z0-9]/.test(c));
const other = [
  '\t', '\n', '\r', '\x7f', '\x01', '\x1f', '\u0000',
  'é', 'e\u0301', 'ñ', '\u0301\u0308', 'ß', 'İ', '\u00a0', '\u200b', '\u2028', '\ufeff', '\ufffd',
  '灯', '亮度', 'ü', 'Ω', 'ﬁ', '\uffff',
  '😀', '👩‍👩‍👧', '🇨🇳', '𝄞', '\u{10ffff}', '\u{1f600}\u{fe0f}',
  '%', '%25', '%2B', '+', '&', '=', '&amp;', '%zz', '%E7%81%AF', '~', '*', '/',
];
const alphabets = [ascii, punctuation, other, [...ascii, ...other]];

function text(maxLength, noNul) {
  const alphabet = pick(alphabets);
  const n = below(maxLength + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += pick(alphabet);
  return noNul ? s.replaceAll('\0', '') : s;
}

function value(noNul) {
  const r = random();
  if (r < 0.1) return '';
  if (r < 0.13) return text(4000, noNul); // long
  return text(24, noNul);
}

// Names the client reserves for the common parameters, never given as extras.
const reserved = new Set(['Action', 'Version', 'Format', 'AccessKeyId', 'SignatureMethod', 'SignatureVersion',
  'SignatureNonce', 'Timestamp', 'Signature', 'SecurityToken', 'RegionId']);

function paramCount() {
  const r = random();
  if (r < 0.05) return 0;
  if (r < 0.1) return 100 + below(400); // many
  return 1 + below(12);
}

const secret = 'robust-secret-' + text(12, true).replace(/\s/g, '');
const verify = async (requests) => {
  const r = await fetch(`${origin}/_emulator/verify`, { method: 'POST', body: JSON.stringify({ secret, requests }) });
  if (!r.ok) throw new Error(`verify: ${r.status} ${await r.text()}`);
  return r.json();
};

let mismatches = 0;
const first = [];
const note = (v, offset) => {
  mismatches += v.mismatches;
  for (const f of v.first) if (first.length < 10) first.push({ ...f, index: f.index + offset });
};

// 1. signRpc: any names (not a reserved one), any values.
let batch = [];
for (let i = 0; i < count; i++) {
  const params = {};
  const n = paramCount();
  for (let j = 0; j < n; j++) {
    const name = text(16, false);
    if (name && !reserved.has(name)) params[name] = value(false);
  }
  const method = random() < 0.5 ? 'GET' : 'POST';
  const s = signRpc({ method, accessKeySecret: secret, params });
  const wire = `${s.canonicalQuery}${s.canonicalQuery ? '&' : ''}Signature=${encodeURIComponent(s.signature)}`;
  batch.push({ method, params: Object.entries(params), wire });
  if (batch.length === 250 || i === count - 1) {
    note(await verify(batch), i + 1 - batch.length);
    batch = [];
  }
}

// 2. The same through IotClient.call, sent for real and authenticated by the emulator: names as
// a call takes them (ASCII letters, digits, . _ -), values anything but NUL, GET and POST.
const nameChars = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-'];
const demo = { accessKeyId: 'thingcall-demo', accessKeySecret: 'thingcall-demo-secret' };
const clients = { GET: new IotClient({ endpoint: origin, ...demo, method: 'GET' }), POST: new IotClient({ endpoint: origin, ...demo }) };
let sent = 0;
const failures = [];
async function one() {
  while (sent < calls) {
    sent++;
    const method = random() < 0.3 ? 'GET' : 'POST';
    const params = {};
    const n = method === 'GET' ? below(8) : paramCount();
    for (let j = 0; j < n; j++) {
      let name = 'X';
      for (let k = below(10); k >= 0; k--) name += pick(nameChars);
      params[name] = method === 'GET' ? text(24, true) : value(true);
    }
    try {
      await clients[method].call('QueryProductList', params);
    } catch (e) {
      failures.push(`${method} ${JSON.stringify(params).slice(0, 200)}: ${e.code}: ${e.message.slice(0, 300)}`);
    }
  }
}
await Promise.all(Array.from({ length: 8 }, one));
for (const c of Object.values(clients)) c.free();
return { signed: count, sent, mismatches: mismatches + failures.length, first: [...first, ...failures.slice(0, 10)] };

// The signers compared by the benchmarks, shared by the browser page and the Node script. Each
// builds vector A's request (brief §2) and returns its signature; all are checked against it
// before anything is timed.

export const VECTOR_A = {
  AccessKeyId: 'testid', Action: 'DescribeRegions', Format: 'XML', SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf', SignatureVersion: '1.0',
  Timestamp: '2016-02-23T12:46:24Z', Version: '2014-05-26',
};
export const VECTOR_A_GET = 'OLeaidS1JvxuMvnyHOwuJ+uX5qY=';
export const SECRET = 'testsecret';

export function rfc3986(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The string-to-sign, canonicalized in plain JavaScript (the part every JS signer shares). */
export function stringToSignJs(method, params) {
  const names = Object.keys(params).sort();
  let q = '';
  for (const k of names) q += `${q ? '&' : ''}${rfc3986(k)}=${rfc3986(params[k])}`;
  return `${method}&%2F&${rfc3986(q)}`;
}

/** A crypto-js signer (the plain-JS way). */
export function cryptoJsSigner(CryptoJS) {
  const key = `${SECRET}&`;
  return (params) => CryptoJS.enc.Base64.stringify(CryptoJS.HmacSHA1(stringToSignJs('GET', params), key));
}

/** A WebCrypto signer with the key imported once; async, like every crypto.subtle call. */
export async function webCryptoSigner(subtle) {
  const enc = new TextEncoder();
  const key = await subtle.importKey('raw', enc.encode(`${SECRET}&`), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  return async (params) => {
    const mac = new Uint8Array(await subtle.sign('HMAC', key, enc.encode(stringToSignJs('GET', params))));
    let bin = '';
    for (const b of mac) bin += String.fromCharCode(b);
    return btoa(bin);
  };
}

/** Checks a presigned GET URL's signature with a JavaScript signer over its own parameters. */
export function checkPresigned(url, jsSigner) {
  const params = Object.fromEntries(new URL(url).searchParams);
  const { Signature, ...rest } = params;
  const expected = jsSigner(rest);
  if (Signature !== expected) throw new Error(`presign's signature ${Signature} differs from ${expected}`);
}

/**
 * ops/s of each signer (sync or async): a warm-up, then `rounds` rounds in which every signer runs
 * for about `windowMs` in turn, so that drift in the machine's load hits all of them alike; the
 * median round of each is reported with all the rounds.
 */
export async function measureAll(signers, { rounds = 7, windowMs = 250, now = () => performance.now() } = {}) {
  const runFor = async (fn, ms) => {
    const isAsync = fn(VECTOR_A) instanceof Promise;
    let n = 0;
    const t0 = now();
    let t = t0;
    while (t - t0 < ms) {
      for (let i = 0; i < 64; i++) {
        if (isAsync) await fn(VECTOR_A); else fn(VECTOR_A);
      }
      n += 64;
      t = now();
    }
    return (n * 1000) / (t - t0);
  };
  const names = Object.keys(signers);
  for (const name of names) await runFor(signers[name], windowMs); // warm-up
  const rates = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (const name of names) rates[name].push(await runFor(signers[name], windowMs));
  }
  return Object.fromEntries(names.map((n) => {
    const sorted = [...rates[n]].sort((a, b) => a - b);
    return [n, { opsPerSec: Math.round(sorted[Math.floor(sorted.length / 2)]), samples: rates[n].map(Math.round) }];
  }));
}

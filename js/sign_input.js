// Plain data plumbing at the boundary: a params object becomes one NUL-joined string, so it
// crosses into wasm at once instead of one crossing per string. Bad input throws a message
// naming the field (never a value: no secret can end up in it); the caller makes it a
// ThingcallError (InvalidArgument).

/** `pieces` joined with the first character from U+0000 up that is in none of them, after it. */
function withSeparator(pieces) {
  const all = pieces.join('');
  let c = 0;
  while (all.includes(String.fromCharCode(c))) c++;
  const sep = String.fromCharCode(c);
  return sep + pieces.join(sep);
}

/** The value of a parameter as sent, or `undefined` to leave it out; throws for other types. */
function paramValue(v, path) {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return undefined;
  throw `${path}: must be a string, number or boolean (got ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}); serialize objects with JSON.stringify`;
}

/**
 * `params` as one string: a separator character, then the pieces `name, value, name, value…`
 * (after the `head` pieces) joined with it. The separator is NUL, unless a piece holds one.
 * Numbers and booleans are stringified as `String()` does; `null`/`undefined` values are left
 * out. The Rust side (`wasm::flat`) splits it. (Plain concatenation: this runs for every
 * signature, and it is faster than building an array.)
 */
export function flattenParams(params, ctx = 'params', head = []) {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw `${ctx}: must be a plain object of strings`;
  }
  let out = '';
  let nul = false;
  for (const h of head) {
    out += `\0${h}`;
    nul ||= h.includes('\0');
  }
  for (const k in params) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) continue;
    const s = paramValue(params[k], `${ctx}.${k}`);
    if (s === undefined) continue;
    out += `\0${k}\0${s}`;
    nul ||= k.includes('\0') || s.includes('\0');
  }
  if (!nul) return out || '\0';
  const pieces = [...head];
  for (const k in params) {
    const s = Object.prototype.hasOwnProperty.call(params, k) ? paramValue(params[k], k) : undefined;
    if (s !== undefined) pieces.push(k, s);
  }
  return withSeparator(pieces);
}

/** `signRpc`'s whole input as one string: `method`, `accessKeySecret`, then the params. */
export function flattenSignInput(input) {
  if (input === null || typeof input !== 'object') throw 'signRpc: expected { method, params, accessKeySecret }';
  const { method, accessKeySecret, params } = input;
  if (method === undefined || method === null) throw 'method is required: "GET" or "POST"';
  if (typeof method !== 'string' || !/^(get|post)$/i.test(method)) throw 'method: must be "GET" or "POST"';
  if (typeof accessKeySecret !== 'string' || accessKeySecret === '') throw 'accessKeySecret is required (a non-empty string)';
  return flattenParams(params, 'params', [method, accessKeySecret]);
}

/** `signRpc`'s result from one NUL-joined string (none of the three parts can hold a NUL). */
export function signResult(joined) {
  const [canonicalQuery, stringToSign, signature] = joined.split('\0');
  return { canonicalQuery, stringToSign, signature };
}

// Plain data plumbing at the boundary: a params object becomes one NUL-joined string, so it
// crosses into wasm at once instead of one crossing per string. Bad input throws a message
// naming the field (never a value: no secret can end up in it); the caller makes it a
// ThingcallError (InvalidArgument).

/** The first character from U+0000 up that is in none of `pieces`. */
function separatorFor(pieces) {
  const all = pieces.join('');
  let c = 0;
  while (all.includes(String.fromCharCode(c))) c++;
  return String.fromCharCode(c);
}

/**
 * `params` as one string: a separator character (NUL, unless a piece holds one), then the
 * pieces `name, value, name, value…` (after the `head` pieces) joined with it. Numbers and
 * booleans are stringified as `String()` does; `null`/`undefined` values are left out. The
 * Rust side (`wasm::flat`) splits it.
 */
export function flattenParams(params, ctx = 'params', head = []) {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw `${ctx}: must be a plain object of strings`;
  }
  const pieces = [...head];
  let nul = false;
  for (const k in params) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) continue;
    const v = params[k];
    let s;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
    else if (v === null || v === undefined) continue;
    else throw `${ctx}.${k}: must be a string, number or boolean (got ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}); serialize objects with JSON.stringify`;
    nul ||= k.includes('\0') || s.includes('\0');
    pieces.push(k, s);
  }
  nul ||= head.some((h) => h.includes('\0'));
  const sep = nul ? separatorFor(pieces) : '\0';
  return sep + pieces.join(sep);
}

/** `signRpc`'s whole input as one string: `method\0accessKeySecret` then the params. */
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

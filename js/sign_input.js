// Plain data plumbing at the boundary: a params object becomes one NUL-joined string, so it
// crosses into wasm at once instead of one crossing per string. Bad input throws a message
// naming the field (never a value: no secret can end up in it); the caller makes it a
// ThingcallError (InvalidArgument).

const needsEscape = (s) => s.includes('\0') || s.includes('\u0001');
const escape = (s) => s.replaceAll('\u0001', '\u0001b').replaceAll('\0', '\u0001a');

/**
 * `params` as `name\0value\0name\0value…` (after the `head` pieces). Numbers and booleans are
 * stringified as `String()` does; `null`/`undefined` values are left out. When a piece holds a
 * NUL or U+0001, the whole string starts with U+0001 and every piece is escaped (U+0001 `a` for
 * NUL, U+0001 `b` for U+0001); the Rust side (`wasm::flat`) undoes it.
 */
export function flattenParams(params, ctx = 'params', head = []) {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw `${ctx}: must be a plain object of strings`;
  }
  let out = head.join('\0');
  let sep = head.length ? '\0' : '';
  let escaped = head.some(needsEscape);
  for (const k in params) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) continue;
    const v = params[k];
    let s;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
    else if (v === null || v === undefined) continue;
    else throw `${ctx}.${k}: must be a string, number or boolean (got ${Array.isArray(v) ? 'an array' : `a ${typeof v}`}); serialize objects with JSON.stringify`;
    escaped ||= needsEscape(k) || needsEscape(s);
    out += `${sep}${k}\0${s}`;
    sep = '\0';
  }
  return escaped ? `\u0001${flattenEscaped(params, head)}` : out;
}

/** The rare path: every piece escaped. */
function flattenEscaped(params, head) {
  const pieces = head.map(escape);
  for (const k in params) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) continue;
    const v = params[k];
    if (v === null || v === undefined) continue;
    pieces.push(escape(k), escape(String(v)));
  }
  return pieces.join('\0');
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

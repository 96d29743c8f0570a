/**
 * A params object as one NUL-joined string (`name\0value\0name\0value…`, after `head` when one is
 * given), so it crosses into wasm at once instead of one crossing per string. Numbers and booleans
 * are stringified as `String()` does; `null`/`undefined` values are left out. Returns `undefined`
 * for anything irregular (not a plain object, a non-scalar value, a NUL inside a string): the Rust
 * side then takes the slow path, which names the bad field.
 */
export function flattenParams(params, head) {
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return undefined;
  let out = head ?? '';
  let sep = head === undefined ? '' : '\0';
  for (const k in params) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) continue;
    const v = params[k];
    let s;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
    else if (v === null || v === undefined) continue;
    else return undefined;
    if (k.includes('\0') || s.includes('\0')) return undefined;
    out += `${sep}${k}\0${s}`;
    sep = '\0';
  }
  return out;
}

/** `signRpc`'s whole input as one string: `method\0accessKeySecret` then the params. */
export function flattenSignInput(input) {
  if (input === null || typeof input !== 'object') return undefined;
  const { method, accessKeySecret, params } = input;
  if (typeof method !== 'string' || typeof accessKeySecret !== 'string' || accessKeySecret === ''
    || method.includes('\0') || accessKeySecret.includes('\0')) return undefined;
  return flattenParams(params, `${method}\0${accessKeySecret}`);
}

/** `signRpc`'s result from one NUL-joined string (none of the three parts can hold a NUL). */
export function signResult(joined) {
  const [canonicalQuery, stringToSign, signature] = joined.split('\0');
  return { canonicalQuery, stringToSign, signature };
}

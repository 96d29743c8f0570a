/**
 * The fast path of `signRpc`'s input: `method`, `accessKeySecret` and every param name and value
 * joined by NUL into one string, so the whole input crosses into wasm at once instead of one
 * crossing per string. Returns `undefined` for anything irregular (a missing field, a non-scalar
 * value, a NUL inside a string); the Rust side then takes the slow path, which names the bad field.
 */
export function flattenSignInput(input) {
  if (input === null || typeof input !== 'object') return undefined;
  const { method, accessKeySecret, params } = input;
  if (typeof method !== 'string' || typeof accessKeySecret !== 'string' || accessKeySecret === ''
    || params === null || typeof params !== 'object' || Array.isArray(params)
    || method.includes('\0') || accessKeySecret.includes('\0')) return undefined;
  let out = `${method}\0${accessKeySecret}`;
  for (const k in params) {
    if (!Object.prototype.hasOwnProperty.call(params, k)) continue;
    const v = params[k];
    let s;
    if (typeof v === 'string') s = v;
    else if (typeof v === 'number' || typeof v === 'boolean') s = String(v);
    else if (v === null || v === undefined) continue;
    else return undefined;
    if (k.includes('\0') || s.includes('\0')) return undefined;
    out += `\0${k}\0${s}`;
  }
  return out;
}

/** `signRpc`'s result from one NUL-joined string (none of the three parts can hold a NUL). */
export function signResult(joined) {
  const [canonicalQuery, stringToSign, signature] = joined.split('\0');
  return { canonicalQuery, stringToSign, signature };
}

//! `signRpc`: the pure, synchronous signing export.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::js::{get, invalid};
use super::output::stages;
use super::params::param_pairs;
use crate::client::Error;
use crate::core::{sign, HttpMethod, SigningKey};

#[wasm_bindgen(typescript_custom_section)]
const TS_SIGN: &'static str = r#"
/** Input of `signRpc`. */
export interface SignRpcInput {
  method: HttpMethodName;
  /** Every parameter to sign, common ones included. */
  params: Params;
  accessKeySecret: string;
}

/** The three stages of the signature. */
export interface SignRpcResult {
  /** Sorted, RFC 3986-encoded `k=v` pairs joined with `&`. */
  canonicalQuery: string;
  /** `METHOD&%2F&` + the encoded canonical query. */
  stringToSign: string;
  /** base64(HMAC-SHA1(secret + "&", stringToSign)), not URL-encoded. */
  signature: string;
}
"#;

std::thread_local! {
    /// The key of the last secret signed with, by a fingerprint of that secret: most callers
    /// sign many requests with one secret. Neither the secret nor a reference to the caller's
    /// string is kept once `signRpc` returns (the copy read for the fingerprint is wiped).
    static LAST_KEY: RefCell<Option<(u64, SigningKey)>> = const { RefCell::new(None) };
}

/// FNV-1a (64-bit) of the secret and its length: tells one secret from another (a collision,
/// about 2^-64 for two different secrets, would sign with the wrong key and be refused by the
/// platform; it could never reveal anything).
fn fingerprint(secret: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ secret.len() as u64;
    for &b in secret.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn sign_input(input: &JsValue) -> Result<JsValue, Error> {
    if !input.is_object() {
        return Err(invalid(
            "signRpc: expected { method, params, accessKeySecret }",
        ));
    }
    let method = get(input, "method");
    if method.is_undefined() || method.is_null() {
        return Err(invalid("method is required: \"GET\" or \"POST\""));
    }
    let method: HttpMethod = method
        .as_string()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| invalid("method: must be \"GET\" or \"POST\""))?;
    let secret = get(input, "accessKeySecret");
    // The plaintext copy is wiped when this returns (after the key is derived, if it must be).
    let plain = zeroize::Zeroizing::new(secret.as_string().unwrap_or_default());
    if plain.is_empty() {
        return Err(invalid("accessKeySecret is required (a non-empty string)"));
    }
    let params = param_pairs(&get(input, "params"), "params")?;
    // As a `Vec`: `sign` then has one instance, the client's (about 600 bytes of wasm).
    let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(params.len());
    for (k, v) in &params {
        pairs.push((k, v));
    }
    let print = fingerprint(&plain);
    let signed = LAST_KEY.with_borrow_mut(|cell| {
        let key = match cell {
            Some((f, key)) if *f == print => key,
            slot => &mut slot.insert((print, SigningKey::new(&plain))).1,
        };
        sign(method, pairs, key)
    });
    drop(plain);
    Ok(stages(&signed))
}

/// Signs an RPC request (signature v1): sorts and RFC 3986-encodes `params` into the canonical
/// query, builds the string-to-sign for `method`, and signs it with HMAC-SHA1 under
/// `accessKeySecret + "&"`.
///
/// Pure and synchronous: `params` must already hold every parameter to sign, common ones
/// included (a `Signature` entry is ignored). Values may be strings, numbers or booleans
/// (stringified as JavaScript does); `null`/`undefined` values are left out.
///
/// Throws a `ThingcallError` with code `InvalidArgument` naming the bad field.
///
/// @example
/// const { signature } = signRpc({ method: "GET", accessKeySecret: "secret",
///   params: { query: "test", body: "test" } });
/// // signature === "XlUyV4sXjOuX5FnjUz9IF9tm5rU="
#[wasm_bindgen(js_name = signRpc, unchecked_return_type = "SignRpcResult")]
pub fn sign_rpc(
    #[wasm_bindgen(unchecked_param_type = "SignRpcInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    sign_input(&input).map_err(|e| to_js(&e))
}

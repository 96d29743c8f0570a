//! `signRpc`: the pure, synchronous signing export.

use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::input::{get, invalid, params};
use super::output::{stages, Stages};
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
    /// The key of the last secret signed with, by the JavaScript string it came from (compared
    /// in JavaScript, without copying the secret into wasm memory): most callers sign many
    /// requests with one secret.
    static LAST_KEY: RefCell<Option<(JsValue, SigningKey)>> = const { RefCell::new(None) };
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
    if !secret.is_string() || secret == "" {
        return Err(invalid("accessKeySecret is required (a non-empty string)"));
    }
    let params = params(&get(input, "params"), "params")?;
    let pairs = params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let signed = LAST_KEY.with_borrow_mut(|cell| {
        let key = match cell {
            Some((s, key)) if *s == secret => key,
            slot => {
                // The plaintext copy is wiped as soon as the key is derived.
                let plain = zeroize::Zeroizing::new(secret.as_string().unwrap_or_default());
                let key = SigningKey::new(&plain);
                &mut slot.insert((secret, key)).1
            }
        };
        sign(method, pairs, key)
    });
    Ok(stages(&Stages {
        canonical_query: signed.canonical.as_str(),
        string_to_sign: signed.string_to_sign.as_str(),
        signature: signed.signature.as_str(),
    }))
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

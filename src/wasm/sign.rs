//! `signRpc`: the pure, synchronous signing export.

use alloc::string::String;
use core::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::flat::{pairs, pieces};
use super::Local;
use crate::core::{sign, Failure, HttpMethod, SignedStages, SigningKey};

#[wasm_bindgen(module = "/js/sign_input.js")]
extern "C" {
    /// `method\0accessKeySecret\0name\0value…`, or throws the message naming the bad field.
    #[wasm_bindgen(js_name = flattenSignInput, catch)]
    fn flatten_sign_input(input: &JsValue) -> Result<String, JsValue>;
    #[wasm_bindgen(js_name = signResult)]
    fn sign_result(joined: &str) -> JsValue;
}

/// The key of the last secret signed with: most callers sign many requests with one secret.
static LAST_KEY: Local<RefCell<Option<(String, SigningKey)>>> = Local(RefCell::new(None));

/// Signs the flattened input with the cached key for its secret (derived only when the secret
/// changes).
fn sign_flat(flat: &str) -> Result<SignedStages, Failure> {
    let mut pieces = pieces(flat);
    let method: HttpMethod = pieces
        .next()
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| Failure::invalid("method: must be \"GET\" or \"POST\""))?;
    let secret = pieces.next().unwrap_or_default();
    let params = pairs(pieces);
    let mut cell = LAST_KEY.0.borrow_mut();
    let key = match &mut *cell {
        Some((s, key)) if s == secret => key,
        slot => &mut slot.insert((secret.into(), SigningKey::new(secret))).1,
    };
    Ok(sign(method, params, key))
}

/// The result object, made in JavaScript from one string (one crossing instead of six).
fn output(stages: &SignedStages) -> JsValue {
    let (c, t, g) = (
        stages.canonical.as_str(),
        stages.string_to_sign.as_str(),
        stages.signature.as_str(),
    );
    let mut joined = String::with_capacity(c.len() + t.len() + g.len() + 2);
    joined.push_str(c);
    joined.push('\0');
    joined.push_str(t);
    joined.push('\0');
    joined.push_str(g);
    sign_result(&joined)
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
    let flat =
        flatten_sign_input(&input).map_err(|m| Failure::invalid(m.as_string().unwrap_or_default()));
    // Field messages from JavaScript name fields, never values: there is no secret to scrub.
    match flat.and_then(|flat| sign_flat(&flat)) {
        Ok(stages) => Ok(output(&stages)),
        Err(f) => Err(to_js(f, [])),
    }
}

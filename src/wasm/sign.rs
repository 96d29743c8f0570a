//! `signRpc`: the pure, synchronous signing export.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use super::error::Failure;
use super::js::{get, is_plain_object, params_from_object, required_str};
use crate::core::{sign, HttpMethod, SignedStages, SigningKey};

#[wasm_bindgen(module = "/js/sign_input.js")]
extern "C" {
    #[wasm_bindgen(js_name = flattenSignInput)]
    fn flatten_sign_input(input: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = flattenParams)]
    fn flatten_params(params: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = signResult)]
    fn sign_result(joined: &str) -> JsValue;
}

thread_local! {
    /// The key of the last secret signed with: most callers sign many requests with one secret.
    static LAST_KEY: RefCell<Option<(String, SigningKey)>> = const { RefCell::new(None) };
}

/// Signs with the cached key for `secret`, deriving it only when the secret changes.
fn sign_cached<'a>(
    method: HttpMethod,
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    secret: &str,
) -> SignedStages {
    LAST_KEY.with(|cell| {
        let mut cell = cell.borrow_mut();
        if cell.as_ref().is_none_or(|(s, _)| s != secret) {
            *cell = Some((secret.to_string(), SigningKey::new(secret)));
        }
        let (_, key) = cell.as_ref().expect("just set");
        sign(method, params, key)
    })
}

/// `(name, value)` pairs from the NUL-separated pieces of a flattened params string.
fn pairs<'a>(mut parts: impl Iterator<Item = &'a str>) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::with_capacity(16);
    while let (Some(k), Some(v)) = (parts.next(), parts.next()) {
        out.push((k, v));
    }
    out
}

/// A params object's pairs through one boundary crossing, or `None` for the slow path.
pub fn flat_params(params: &JsValue) -> Option<Vec<(String, String)>> {
    let flat = flatten_params(params)?;
    Some(
        pairs(flat.split('\0'))
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
}

/// The fast path: one string crosses the boundary (see `js/sign_input.js`).
fn sign_flat(flat: &str) -> Option<Result<SignedStages, Failure>> {
    let mut parts = flat.split('\0');
    let method = parts.next()?;
    let secret = parts.next()?;
    let Ok(method) = method.parse::<HttpMethod>() else {
        return Some(Err(Failure::invalid("method: must be \"GET\" or \"POST\"")));
    };
    Some(Ok(sign_cached(method, pairs(parts), secret)))
}

/// The result object, made in JavaScript from one string (one crossing instead of six).
fn output(stages: &SignedStages) -> JsValue {
    let (c, t, g) = (
        stages.canonical.as_str(),
        stages.string_to_sign.as_str(),
        stages.signature.as_str(),
    );
    let mut joined = String::with_capacity(c.len() + t.len() + g.len() + 2);
    for (i, part) in [c, t, g].into_iter().enumerate() {
        if i > 0 {
            joined.push('\0');
        }
        joined.push_str(part);
    }
    sign_result(&joined)
}

/// Parses `"GET"`/`"POST"` (any case) at `path`.
pub fn parse_method(v: &JsValue, path: &str) -> Result<Option<HttpMethod>, Failure> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string()
        .and_then(|s| s.parse().ok())
        .map(Some)
        .ok_or_else(|| Failure::invalid(format!("{path}: must be \"GET\" or \"POST\"")))
}

fn sign_rpc_inner(input: &JsValue) -> Result<SignedStages, Failure> {
    if !is_plain_object(input) {
        return Err(Failure::invalid(
            "signRpc: expected { method, params, accessKeySecret }",
        ));
    }
    let method = parse_method(&get(input, "method"), "method")?
        .ok_or_else(|| Failure::invalid("method is required: \"GET\" or \"POST\""))?;
    let secret = required_str(input, "accessKeySecret", "signRpc")
        .map_err(|_| Failure::invalid("accessKeySecret is required (a non-empty string)"))?;
    let params_js = get(input, "params");
    if !is_plain_object(&params_js) {
        return Err(Failure::invalid(
            "params: must be a plain object of strings",
        ));
    }
    let params = params_from_object(&params_js, "params")?;
    Ok(sign_cached(
        method,
        params.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &secret,
    ))
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
    let fast = flatten_sign_input(&input).and_then(|flat| sign_flat(&flat));
    let stages = fast.unwrap_or_else(|| sign_rpc_inner(&input));
    stages.map(|s| output(&s)).map_err(|f| {
        let secret = get(&input, "accessKeySecret")
            .as_string()
            .unwrap_or_default();
        f.into_js([secret.as_str()])
    })
}

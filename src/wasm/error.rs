//! `Failure` (from the core) → the JavaScript `ThingcallError`, its message ending with the
//! advice for its code and scrubbed of every secret.

use alloc::string::String;
use wasm_bindgen::prelude::*;

use crate::core::attempts::concat;
use crate::core::outcome::{advice, redact};
use crate::core::{Failure, Outcome};

#[wasm_bindgen(module = "/js/thingcall_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = ThingcallError)]
    type JsThingcallError;

    #[wasm_bindgen(constructor, js_class = "ThingcallError")]
    fn new(
        code: &str,
        message: &str,
        request_id: Option<String>,
        http_status: Option<u16>,
        outcome: &str,
        retryable: bool,
        attempts: u32,
    ) -> JsThingcallError;
}

/// The `ThingcallError` for `f`, its message scrubbed of every value in `secrets`.
pub fn to_js<'a>(f: Failure, secrets: impl IntoIterator<Item = &'a str>) -> JsValue {
    let text = concat(&[&f.code, ": ", f.message.trim_end(), " ", advice(&f.code)]);
    let text = redact(&text, secrets);
    JsThingcallError::new(
        &f.code,
        &text,
        f.request_id,
        f.http_status,
        f.outcome.as_str(),
        f.retryable,
        f.attempts,
    )
    .into()
}

/// Internal (for `js/client.js`): the `ThingcallError` for a failure found in JavaScript (bad
/// options, an already-aborted signal), with the advice for `code` added. `outcome` is
/// `"not_sent"` unless it names another.
#[wasm_bindgen(js_name = "__thingcallError", skip_typescript)]
pub fn thingcall_error(code: &str, message: &str, outcome: &str) -> JsValue {
    let outcome = match outcome {
        "rejected" => Outcome::Rejected,
        "unknown" => Outcome::Unknown,
        _ => Outcome::NotSent,
    };
    to_js(Failure::new(code, message, outcome), [])
}

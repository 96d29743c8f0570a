//! `Failure` (from the core) → the JavaScript `ThingcallError`, its message scrubbed of every
//! secret (the class adds the code and the advice for it: `js/thingcall_error.js`).

use alloc::string::String;
use wasm_bindgen::prelude::*;

use crate::core::outcome::redact;
use crate::core::Failure;

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
    let text = redact(f.message.trim_ascii_end(), secrets);
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

//! [`Error`] → the JavaScript `ThingcallError` (an `Error` subclass, which wasm-bindgen cannot
//! declare: `js/thingcall_error.js`, which also adds the advice for each code).

use wasm_bindgen::prelude::*;

use crate::client::Error;

#[wasm_bindgen(module = "/js/thingcall_error.js")]
extern "C" {
    #[wasm_bindgen(js_name = ThingcallError)]
    type JsThingcallError;

    #[wasm_bindgen(constructor, js_class = "ThingcallError")]
    fn new(
        code: &str,
        message: &str,
        request_id: Option<&str>,
        http_status: Option<u16>,
        outcome: &str,
        retryable: bool,
        attempts: u32,
    ) -> JsThingcallError;
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &'static str = r#"
/** `"not_sent"`: refused before sending; `"rejected"`: the platform refused (nothing ran); `"unknown"`: the device may have acted. */
export type Outcome = "not_sent" | "rejected" | "unknown";

/** The error every failure rejects (or throws) with. */
export declare class ThingcallError extends Error {
  constructor(code: string, message: string, requestId?: string, httpStatus?: number, outcome?: Outcome, retryable?: boolean, attempts?: number);
  readonly name: "ThingcallError";
  /** The platform's `Code`, or `InvalidArgument`, `Timeout`, `Aborted`, `NetworkError`, `InvalidResponse`, `CredentialsError`. */
  readonly code: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly outcome: Outcome;
  /** Whether trying again later is safe and may succeed. */
  readonly retryable: boolean;
  readonly attempts: number;
}
"#;

/// The `ThingcallError` for `e` (its message was scrubbed of secrets when `e` was made).
pub fn to_js(e: &Error) -> JsValue {
    let f = e.failure();
    JsThingcallError::new(
        &f.code,
        &f.message,
        f.request_id.as_deref(),
        f.http_status,
        f.outcome.as_str(),
        f.retryable,
        f.attempts,
    )
    .into()
}

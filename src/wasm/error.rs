//! [`Error`] → the JavaScript `ThingcallError` (an `Error` subclass, which wasm-bindgen cannot
//! declare: `js/thingcall_error.js`, which also adds the advice for each code).

use wasm_bindgen::prelude::*;

use super::output::Fields;
use crate::client::Error;
use crate::core::diagnosis::Diagnosis;

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
        diagnosis: JsValue,
    ) -> JsThingcallError;
}

/// [`Diagnosis`] as JavaScript sees it (`SignatureDiagnosis` in the `.d.ts`).
struct DiagnosisOut<'a>(&'a Diagnosis);

impl serde::Serialize for DiagnosisOut<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        let mut m = Fields::new(s)?;
        m.put("cause", d.cause.as_str());
        // A number, not a u64 (whose serializer carries an error path with formatting).
        m.opt("position", &d.position.map(|p| p as f64));
        m.opt("parameter", &d.parameter);
        m.opt("sent", &d.sent);
        m.opt("received", &d.received);
        m.put("explanation", &d.explanation);
        m.end()
    }
}

fn diagnosis(d: &Diagnosis) -> JsValue {
    super::output::js(&DiagnosisOut(d))
}

#[wasm_bindgen(typescript_custom_section)]
const TS_ERROR: &'static str = r#"
/** `"not_sent"`: refused before sending; `"rejected"`: the platform refused (nothing ran); `"unknown"`: the device may have acted. */
export type Outcome = "not_sent" | "rejected" | "unknown";

/** The error every failure rejects (or throws) with. */
export declare class ThingcallError extends Error {
  constructor(code: string, message: string, requestId?: string, httpStatus?: number, outcome?: Outcome, retryable?: boolean, attempts?: number, diagnosis?: SignatureDiagnosis);
  readonly name: "ThingcallError";
  /** The platform's `Code`, or `InvalidArgument`, `Timeout`, `Aborted`, `NetworkError`, `InvalidResponse`, `CredentialsError`. */
  readonly code: string;
  readonly requestId?: string;
  readonly httpStatus?: number;
  readonly outcome: Outcome;
  /** Whether trying again later is safe and may succeed. */
  readonly retryable: boolean;
  readonly attempts: number;
  /** For `SignatureDoesNotMatch`, when the platform quoted the string-to-sign it computed. */
  readonly diagnosis?: SignatureDiagnosis;
}

/** Where the platform's string-to-sign differs from the one signed, and the likely cause. */
export interface SignatureDiagnosis {
  /** `wrong_secret`: the same string on both sides; the others: the request changed on the way (V3: `wrong_secret`, `host_changed` or `rewritten`, its platform quoting only a hash). */
  cause: "wrong_secret" | "method_changed" | "parameter_changed" | "parameter_missing" | "parameter_added" | "rewritten" | "host_changed";
  /** The first differing character of the string-to-sign (0-based); absent when identical. */
  position?: number;
  /** The parameter that position falls in. */
  parameter?: string;
  /** What was signed there (the method, or the value; a SecurityToken masked). */
  sent?: string;
  /** What the platform received there. */
  received?: string;
  /** The cause and what to do, in one sentence (also at the end of the message). */
  explanation: string;
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
        e.diagnosis().map_or(JsValue::UNDEFINED, diagnosis),
    )
    .into()
}

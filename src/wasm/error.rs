//! `Failure`, the Rust side of a `ThingcallError`, and its conversion to the JS class.

use wasm_bindgen::prelude::*;

use crate::core::outcome::{advice, codes, redact};
use crate::core::Outcome;

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

/// A failed call, before it becomes a `ThingcallError`.
#[derive(Clone, Debug)]
pub struct Failure {
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    pub outcome: Outcome,
    pub retryable: bool,
    pub attempts: u32,
}

impl Failure {
    /// A failure of the client's own, with no HTTP answer.
    pub fn new(code: &str, message: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            request_id: None,
            http_status: None,
            outcome,
            retryable: false,
            attempts: 0,
        }
    }

    /// Bad input, refused before anything was sent.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(codes::INVALID_ARGUMENT, message, Outcome::NotSent)
    }

    /// The `ThingcallError`, its message ending with the advice for its code and scrubbed of
    /// every value in `secrets`.
    pub fn into_js<'a>(self, secrets: impl IntoIterator<Item = &'a str>) -> JsValue {
        let text = format!(
            "{}: {} {}",
            self.code,
            self.message.trim_end(),
            advice(&self.code)
        );
        let text = redact(&text, secrets);
        JsThingcallError::new(
            &self.code,
            &text,
            self.request_id,
            self.http_status,
            self.outcome.as_str(),
            self.retryable,
            self.attempts,
        )
        .into()
    }
}

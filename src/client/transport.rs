//! One attempt on the wire: the signed request built as a `web_sys::Request` and sent with
//! gloo-net (`gloo_net::http::Request::send`), the answer read as text and parsed with the
//! engine's `JSON.parse`, integers beyond 2^53 kept exact (the body never enters wasm memory).
//!
//! gloo-net panics when `fetch` rejects with a value that is not an `Error`, resolves to
//! something that is not a `Response`, or throws synchronously; in the shipped wasm
//! (`panic = "abort"`) a panic traps and leaves the module unusable. So the global `fetch` is
//! guarded for the one synchronous step in which gloo-net calls it (`js/fetch_guard.js`): every
//! such failure becomes a `TypeError`, and so a `NetworkError`.

use alloc::boxed::Box;
use alloc::string::String;
use core::future::Future;
use core::pin::{pin, Pin};
use core::task::Poll;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, RequestInit};

use super::Pacing;
use crate::core::HttpMethod;

#[wasm_bindgen(module = "/js/fetch_guard.js")]
extern "C" {
    /// Installs (`true`) or removes the guarded `fetch`.
    #[wasm_bindgen(js_name = guardFetch)]
    fn guard_fetch(on: bool);
}

#[wasm_bindgen(module = "/js/exact_json.js")]
extern "C" {
    /// `JSON.parse` of a JavaScript string (not copied into wasm memory), except that an integer
    /// beyond 2^53 becomes a `BigInt` with exactly the digits sent (`js/exact_json.js`).
    #[wasm_bindgen(js_name = parseExact, catch)]
    pub(crate) fn json_parse(text: &JsValue) -> Result<JsValue, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The global `Request`.
    #[wasm_bindgen(js_name = Request)]
    type FetchRequest;
    /// `new Request(url, init)` with a JavaScript string made before (web-sys's takes a `&str`,
    /// decoded again on every call).
    #[wasm_bindgen(catch, constructor, js_class = "Request")]
    fn new(url: &JsValue, init: &RequestInit) -> Result<FetchRequest, JsValue>;
}

/// The request headers of a POST: made once per client, shared by its requests.
pub(crate) struct Transport {
    endpoint: String,
    /// The endpoint's JavaScript string, the URL of every POST.
    endpoint_js: JsValue,
    method: HttpMethod,
    form_headers: JsValue,
}

/// An HTTP answer: the status, the body parsed as JSON (`None` when it is not JSON) and as text,
/// and the response for reading headers on the rare paths that need them.
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub body: Option<JsValue>,
    /// The body as sent (a JavaScript string).
    pub text: JsValue,
    pub response: web_sys::Response,
    /// Longer than [`MAX_ANSWER_CHARS`]: not parsed.
    pub oversized: bool,
}

/// The longest answer parsed, in UTF-16 units: the platform's answers are a few KB (a thing
/// model is the largest), so anything near this is not the platform.
pub const MAX_ANSWER_CHARS: u32 = 8 << 20;

impl HttpAnswer {
    /// Why the body is not the platform's envelope, for the error: too long, or its
    /// `Content-Type` (an HTML page from a proxy says so).
    pub fn not_envelope_note(&self) -> String {
        if self.oversized {
            return String::from(" (longer than 8 Mi characters, so not read: not the platform)");
        }
        match self.response.headers().get("content-type") {
            Ok(Some(t)) if !t.is_empty() => crate::core::attempts::concat(&[
                " (Content-Type ",
                &t,
                if crate::core::text::find(&t, "html").is_some() {
                    ": an error page, from a proxy or a gateway?)"
                } else {
                    ")"
                },
            ]),
            _ => String::new(),
        }
    }

    /// The `x-acs-retry-after` header (ms), where the response exposes it.
    pub fn retry_after_ms(&self) -> Option<f64> {
        match self.response.headers().get("x-acs-retry-after") {
            Ok(Some(v)) => Some(js_sys::Number::parse_float(&v)).filter(|ms| ms.is_finite()),
            _ => None,
        }
    }

    /// The `Date` header as Unix ms (NaN when absent or unreadable).
    pub fn date_ms(&self) -> f64 {
        match self.response.headers().get("date") {
            Ok(Some(d)) => js_sys::Date::parse(&d),
            _ => f64::NAN,
        }
    }
}

impl Transport {
    pub fn new(endpoint: String, method: HttpMethod) -> Self {
        let headers = js_sys::Object::new();
        let _ = Reflect::set(
            &headers,
            &"Content-Type".into(),
            &"application/x-www-form-urlencoded".into(),
        );
        Self {
            endpoint_js: JsValue::from_str(&endpoint),
            endpoint,
            method,
            form_headers: headers.into(),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    pub fn method(&self) -> HttpMethod {
        self.method
    }

    /// Sends `wire` (the signed query or form body) under `signal`; `pacing` is told once
    /// `fetch` has been called. `Err` holds what `fetch` (or reading the body) failed with: the
    /// request may have arrived.
    /// Boxed, so that its two callers (the call loop, the self-test's probe) share one state
    /// machine in the wasm.
    pub fn send<'a>(
        &'a self,
        wire: &'a str,
        headers: Option<&'a JsValue>,
        signal: &'a AbortSignal,
        pacing: Option<&'a dyn Pacing>,
    ) -> Pin<Box<dyn Future<Output = Result<HttpAnswer, String>> + 'a>> {
        Box::pin(self.send_unboxed(wire, headers, signal, pacing))
    }

    /// `headers`: a signature V3 request's (the form's `Content-Type` among them for POST).
    async fn send_unboxed(
        &self,
        wire: &str,
        headers: Option<&JsValue>,
        signal: &AbortSignal,
        pacing: Option<&dyn Pacing>,
    ) -> Result<HttpAnswer, String> {
        let init = RequestInit::new();
        init.set_signal(Some(signal));
        let request = match self.method {
            HttpMethod::Post => {
                // The method as a string made once (`set_method` decodes its `&str`).
                let _ = Reflect::set(&init, &super::js_name("method"), &super::js_name("POST"));
                init.set_headers(headers.unwrap_or(&self.form_headers));
                init.set_body(&JsValue::from_str(wire));
                FetchRequest::new(&self.endpoint_js, &init).map(JsCast::unchecked_into)
            }
            HttpMethod::Get => {
                if let Some(h) = headers {
                    init.set_headers(h);
                }
                let mut url = String::with_capacity(self.endpoint.len() + 1 + wire.len());
                url.push_str(&self.endpoint);
                if !wire.is_empty() {
                    url.push('?');
                    url.push_str(wire);
                }
                web_sys::Request::new_with_str_and_init(&url, &init)
            }
        }
        .map_err(|e| describe(&e))?;
        let response = guarded(gloo_net::http::Request::from(request).send(), pacing)
            .await
            .map_err(|e| match e {
                gloo_net::Error::JsError(e) => e.message,
                // (Its text, without `Display`: `core::fmt` stays out of the wasm.)
                gloo_net::Error::GlooError(s) => s,
                // gloo-net's `json` feature, when a Rust app turns it on, adds a serde variant.
                #[allow(unreachable_patterns)]
                other => alloc::string::ToString::to_string(&other),
            })?;
        let response = web_sys::Response::from(response);
        let status = response.status();
        let text = response.text().map_err(|e| describe(&e))?;
        let text = JsFuture::from(text).await.map_err(|e| describe(&e))?;
        let oversized = text.unchecked_ref::<js_sys::JsString>().length() > MAX_ANSWER_CHARS;
        let body = if oversized {
            None
        } else {
            json_parse(&text).ok()
        };
        Ok(HttpAnswer {
            status,
            body,
            text,
            response,
            oversized,
        })
    }
}

/// `fut`'s first poll (where gloo-net calls `fetch`) with the global `fetch` guarded; then
/// `pacing` is told the request went out.
async fn guarded<F: Future>(fut: F, pacing: Option<&dyn Pacing>) -> F::Output {
    let mut fut = pin!(fut);
    let first = core::future::poll_fn(|cx| {
        guard_fetch(true);
        let r = fut.as_mut().poll(cx);
        guard_fetch(false);
        Poll::Ready(r)
    })
    .await;
    if let Some(pacing) = pacing {
        pacing.went_out();
    }
    match first {
        Poll::Ready(out) => out,
        Poll::Pending => fut.await,
    }
}

/// The message of a thrown value.
pub(crate) fn describe(e: &JsValue) -> String {
    if let Some(e) = e.dyn_ref::<js_sys::Error>() {
        return e.message().into();
    }
    e.as_string()
        .unwrap_or_else(|| String::from("a non-Error value"))
}

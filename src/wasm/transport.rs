//! Sending one attempt with `fetch` (web-sys `Request`/`Response` and the global `fetch`, so it
//! runs in windows, workers and Node alike), and the one deadline + `AbortSignal` that governs a
//! whole call: credentials, every attempt and every back-off wait.
//!
//! gloo-net did this first; it was replaced because its request builder round-trips the URL
//! through `URL`, and its panic and `Debug` paths cost more than this whole module (BENCHMARKS.md).

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, AbortSignal, RequestInit, Response};

use super::error::Failure;
use super::js::{clear_timeout, set_timeout};
use crate::core::outcome::codes;
use crate::core::{HttpMethod, Outcome};

/// Why a call was cut short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// The deadline passed.
    Timeout,
    /// The caller's signal fired.
    Aborted,
}

/// The result of waiting on a promise under a `Cancel`.
pub enum Raced {
    Resolved(JsValue),
    Rejected(JsValue),
    Cancelled(Failure),
}

/// One call's cancellation: an `AbortController` fired by the caller's `signal` or the deadline
/// timer. Both call the controller's own `abort`, bound in JavaScript, so no Rust closure is made
/// per call. Dropping it clears the timer and removes the listener.
pub struct Cancel {
    signal: AbortSignal,
    /// `ctl.abort.bind(ctl, undefined)`: the timer's and the listener's callback (it also keeps
    /// the controller alive).
    abort: Function,
    /// Resolves (with `undefined`) when the controller aborts; made on first need.
    aborted: std::cell::OnceCell<Promise>,
    timer: JsValue,
    user: Option<AbortSignal>,
    timeout_ms: f64,
}

impl Cancel {
    /// Starts the clock. Fails at once when `signal` has already fired.
    pub fn new(signal: Option<AbortSignal>, timeout_ms: f64) -> Result<Self, Failure> {
        if signal.as_ref().is_some_and(AbortSignal::aborted) {
            return Err(Failure::new(
                codes::ABORTED,
                "the AbortSignal had fired before the call started.",
                Outcome::NotSent,
            ));
        }
        let ctl = AbortController::new()
            .map_err(|_| Failure::invalid("AbortController is not available"))?;
        let abort = js_sys::Reflect::get(&ctl, &"abort".into())
            .map(|f| bind_with(&f, &ctl, &JsValue::UNDEFINED))
            .map_err(|_| Failure::invalid("AbortController.abort is not available"))?;
        let timer = set_timeout(&abort, timeout_ms);
        if let Some(s) = &signal {
            let _ = s.add_event_listener_with_callback("abort", &abort);
        }
        Ok(Self {
            signal: ctl.signal(),
            abort,
            aborted: std::cell::OnceCell::new(),
            timer,
            user: signal,
            timeout_ms,
        })
    }

    /// The signal that aborts this call's fetches.
    pub fn signal(&self) -> &AbortSignal {
        &self.signal
    }

    /// Why the call was cut short, if it was: the caller's signal, else the deadline.
    pub fn cause(&self) -> Option<Cause> {
        if !self.signal.aborted() {
            None
        } else if self.user.as_ref().is_some_and(AbortSignal::aborted) {
            Some(Cause::Aborted)
        } else {
            Some(Cause::Timeout)
        }
    }

    /// The failure for a cut-short call whose state so far is `outcome`.
    pub fn failure(&self, outcome: Outcome) -> Failure {
        match self.cause() {
            Some(Cause::Aborted) => Failure::new(
                codes::ABORTED,
                "the call was aborted by its AbortSignal.",
                outcome,
            ),
            _ => Failure::new(
                codes::TIMEOUT,
                format!(
                    "no answer within the call's deadline of {} ms.",
                    self.timeout_ms as u64
                ),
                outcome,
            ),
        }
    }

    /// Waits for `p`, unless the call is cut short first.
    pub async fn race(&self, p: &Promise) -> Raced {
        if self.cause().is_some() {
            return Raced::Cancelled(self.failure(Outcome::NotSent));
        }
        let aborted = self.aborted.get_or_init(|| {
            Promise::new(&mut |resolve: Function, _reject: Function| {
                let _ = self
                    .signal
                    .add_event_listener_with_callback("abort", &resolve);
            })
        });
        let both = Array::of2(p, aborted);
        let r = JsFuture::from(Promise::race(&both)).await;
        if self.cause().is_some() {
            return Raced::Cancelled(self.failure(Outcome::NotSent));
        }
        match r {
            Ok(v) => Raced::Resolved(v),
            Err(e) => Raced::Rejected(e),
        }
    }

    /// Waits `ms`, unless the call is cut short first (then `Err` with the cause).
    pub async fn sleep(&self, ms: f64) -> Result<(), Cause> {
        if ms > 0.0 {
            let p = Promise::new(&mut |resolve: Function, _reject: Function| {
                set_timeout(&resolve, ms);
            });
            let _ = self.race(&p).await;
        }
        match self.cause() {
            Some(c) => Err(c),
            None => Ok(()),
        }
    }
}

impl Drop for Cancel {
    fn drop(&mut self) {
        clear_timeout(&self.timer);
        if let Some(s) = &self.user {
            let _ = s.remove_event_listener_with_callback("abort", &self.abort);
        }
    }
}

/// What came back for one attempt.
pub struct HttpAnswer {
    pub status: u16,
    /// The `Date` header, where the response exposes it.
    pub date: Option<String>,
    /// The body text, left in JavaScript: it is only ever handed to `JSON.parse`.
    pub body: JsValue,
}

/// Why an attempt got no HTTP answer.
pub enum SendError {
    /// Cut short by the deadline or the signal.
    Cancelled,
    /// `fetch` or reading the body failed.
    Network(String),
    /// The request could not be built (a bad endpoint).
    Build(String),
}

#[wasm_bindgen]
extern "C" {
    /// `Function.prototype.bind.call(f, this, arg)`, i.e. `f.bind(this, arg)`.
    #[wasm_bindgen(js_namespace = ["Function", "prototype", "bind"], js_name = call)]
    fn bind_with(f: &JsValue, this: &JsValue, arg: &JsValue) -> Function;

    /// The global `fetch` (window, worker or Node 20), called with a URL and an init object:
    /// no `Request` object is built, which costs more than the signing in Node.
    #[wasm_bindgen(js_name = fetch)]
    fn fetch_with_init(url: &str, init: &RequestInit) -> Promise;
}

thread_local! {
    /// `{ "Content-Type": "application/x-www-form-urlencoded" }`, made once: `fetch` only reads it.
    static FORM_HEADERS: js_sys::Object = {
        let headers = js_sys::Object::new();
        let _ = js_sys::Reflect::set(
            &headers,
            &"Content-Type".into(),
            &"application/x-www-form-urlencoded".into(),
        );
        headers
    };
}

/// The message of a rejection value.
fn reason(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_default()
}

/// Sends `wire` (the signed parameters) to `endpoint`: as the query of a GET, or as the
/// `application/x-www-form-urlencoded` body of a POST (a CORS-safelisted content type). No other
/// header is set, so a browser sends no CORS preflight.
pub async fn send(
    endpoint: &str,
    method: HttpMethod,
    wire: &str,
    cancel: &Cancel,
) -> Result<HttpAnswer, SendError> {
    let init = RequestInit::new();
    init.set_method(method.as_str());
    init.set_signal(Some(cancel.signal()));
    let url = match method {
        HttpMethod::Get => {
            let mut url = String::with_capacity(endpoint.len() + 1 + wire.len());
            url.push_str(endpoint);
            url.push('?');
            url.push_str(wire);
            url
        }
        HttpMethod::Post => {
            FORM_HEADERS.with(|h| init.set_headers(h));
            init.set_body(&JsValue::from_str(wire));
            endpoint.to_string()
        }
    };
    let failed = |e: JsValue| match cancel.cause() {
        Some(_) => SendError::Cancelled,
        None => SendError::Network(reason(&e)),
    };
    let response = JsFuture::from(fetch_with_init(&url, &init))
        .await
        .map_err(failed)?;
    let response: Response = response
        .dyn_into()
        .map_err(|_| SendError::Build("fetch did not return a Response".into()))?;
    let status = response.status();
    let date = response.headers().get("date").ok().flatten();
    let text = response.text().map_err(failed)?;
    let body = JsFuture::from(text).await.map_err(failed)?;
    Ok(HttpAnswer { status, date, body })
}

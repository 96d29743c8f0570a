//! Time for one call: its deadline as an `AbortSignal` (web-sys), back-off sleeps and waits
//! raced against it (js-sys `Promise`, the global `setTimeout`), and the clock (`Date.now()`).

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(id: &JsValue);
}

#[wasm_bindgen(module = "/js/keep_alive.js")]
extern "C" {
    /// A timer that does nothing and keeps Node's event loop alive (`js/keep_alive.js`).
    #[wasm_bindgen(js_name = keepAlive)]
    fn keep_alive(ms: f64) -> JsValue;
}

/// Local time, Unix ms.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Waits `ms`, or less when `signal` (if any) fires first.
pub(crate) async fn sleep(ms: f64, signal: Option<&AbortSignal>) {
    if ms.is_nan() || ms <= 0.0 || signal.is_some_and(|s| s.aborted()) {
        return;
    }
    let mut timer = JsValue::UNDEFINED;
    let mut wake = None;
    let p = Promise::new(&mut |resolve, _| {
        timer = set_timeout(&resolve, ms);
        if let Some(s) = signal {
            let _ = s.add_event_listener_with_callback("abort", &resolve);
        }
        wake = Some(resolve);
    });
    let _ = JsFuture::from(p).await;
    clear_timeout(&timer);
    if let (Some(f), Some(s)) = (wake, signal) {
        let _ = s.remove_event_listener_with_callback("abort", &f);
    }
}

/// The largest delay a timer can hold (larger ones fire at once).
pub const MAX_TIMER_MS: u32 = i32::MAX as u32;

/// One call's deadline: a signal that aborts when `timeout_ms` has passed or the caller's
/// signal fires (`AbortSignal.timeout`, `AbortSignal.any`: no closure of our own).
///
/// `AbortSignal.timeout`'s timer does not keep Node's (or Deno's) event loop alive: a script
/// whose only pending work is a call (a credentials provider that never settles, say) would
/// exit before the deadline fires. So the deadline also holds a plain timer that does nothing,
/// for as long as the call runs, cleared when the call settles (the `Deadline` is dropped).
pub(crate) struct Deadline {
    signal: AbortSignal,
    caller: Option<AbortSignal>,
    keep_alive: JsValue,
    pub timeout_ms: u32,
}

impl Drop for Deadline {
    fn drop(&mut self) {
        clear_timeout(&self.keep_alive);
    }
}

impl Deadline {
    pub fn new(timeout_ms: u32, caller: Option<&AbortSignal>) -> Self {
        let timer = AbortSignal::timeout_with_u32(timeout_ms);
        let signal = match caller {
            Some(c) => AbortSignal::any(&Array::of2(c, &timer)),
            None => timer,
        };
        // A few ms past the signal's own timer, so that the signal has fired when it runs out.
        let keep_alive = keep_alive(f64::from(timeout_ms.saturating_add(5).min(MAX_TIMER_MS)));
        Self {
            signal,
            caller: caller.cloned(),
            keep_alive,
            timeout_ms,
        }
    }

    /// The signal `fetch` is given.
    pub fn signal(&self) -> &AbortSignal {
        &self.signal
    }

    /// Whether the call is cut short.
    pub fn passed(&self) -> bool {
        self.signal.aborted()
    }

    /// Whether it was the caller's signal (else the deadline).
    pub fn by_caller(&self) -> bool {
        self.caller.as_ref().is_some_and(|c| c.aborted())
    }

    /// Waits `ms`, or less when the deadline passes first.
    pub async fn sleep(&self, ms: f64) {
        sleep(ms, Some(&self.signal)).await
    }

    /// Waits for `promise`, or until the deadline passes (then `None`).
    pub async fn race(&self, promise: &Promise) -> Option<Result<JsValue, JsValue>> {
        if self.passed() {
            return None;
        }
        let mut wake = None;
        let aborted = Promise::new(&mut |resolve, _| {
            let _ = self
                .signal
                .add_event_listener_with_callback("abort", &resolve);
            wake = Some(resolve);
        });
        let r = JsFuture::from(Promise::race(&Array::of2(promise, &aborted))).await;
        if let Some(f) = wake {
            let _ = self.signal.remove_event_listener_with_callback("abort", &f);
        }
        (!self.passed()).then_some(r)
    }
}

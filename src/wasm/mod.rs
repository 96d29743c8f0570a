//! The thin wasm-bindgen layer over [`crate::client`]: JavaScript values in, typed Rust values
//! to the client, typed results out (serde-wasm-bindgen).
//!
//! - `iot_client`: the `IotClient` class, each method a [`crate::Client`] method.
//! - `input`: options and requests read from JavaScript (`js_sys::Reflect`), checked, each
//!   failure naming its field; unknown option names refused.
//! - `output`: results to JavaScript objects (`serde_wasm_bindgen::to_value`).
//! - `error`: [`crate::Error`] → `ThingcallError` (a JavaScript class: `js/thingcall_error.js`).
//! - `sign`: the `signRpc` export.
//! - `jobs`: the job API (`createJob`, `job`, `cancelJob`, `tasks` as an async iterator).
//!
//! The TypeScript declarations of each value stand beside the Rust code that reads or makes it
//! (`typescript_custom_section`); wasm-bindgen writes the rest of `thingcall.d.ts`.

/// A smaller allocator than the standard dlmalloc (single-threaded wasm only).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod error;
mod input;
mod iot_client;
mod jobs;
mod output;
mod sign;

/// An enum key (`"0"`, `"2"`) as a number, read by the engine.
fn model_number(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
}

/// A future of a JavaScript result, boxed: every async method goes through [`promise`], so the
/// glue of `future_to_promise` is in the wasm once, not once per method.
type JsResultFuture = core::pin::Pin<
    alloc::boxed::Box<
        dyn core::future::Future<Output = Result<wasm_bindgen::JsValue, wasm_bindgen::JsValue>>,
    >,
>;

/// The promise of `f`.
#[inline(never)]
fn promise(f: JsResultFuture) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(f)
}

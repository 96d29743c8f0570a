//! The thin wasm-bindgen layer over [`crate::client`]: JavaScript values in, typed Rust values
//! to the client, typed results out (serde-wasm-bindgen).
//!
//! - `iot_client`: the `IotClient` class, each method a [`crate::Client`] method.
//! - `js`: the generic readers (property names made once, strings checked for lone
//!   surrogates), each failure naming its field.
//! - `options`: client, call and presign options, the credentials function.
//! - `params`: RPC parameter objects (`call`, `presign`, `signRpc`).
//! - `payload`: `Args`/`Items` objects, checked to serialize as written.
//! - `device`: device requests, read by the action catalog.
//! - `fleet`: the bulk calls' service call, property set and options.
//! - `output`: results to JavaScript objects (`serde_wasm_bindgen::to_value`).
//! - `error`: [`crate::Error`] → `ThingcallError` (a JavaScript class: `js/thingcall_error.js`).
//! - `sign`: the `signRpc` export.
//! - `extras`: `presign`, `toCurl`, `explain`, `selfTest` and the way into the thing-model
//!   check: the package's second entry (with the fleet features), and the split's state.
//! - `reads`: the read side (`devices`, `deviceDetails`, `propertyHistory`, `eventHistory`,
//!   `serviceHistory`), in the second entry with the fleet features.
//! - `watch`: live values (`watch()`, an async iterator over the client's `Watch`), in the
//!   second entry with the fleet features.
//! - `jobs`: the job API (`createJob`, `job`, `cancelJob`, `tasks` as an async iterator).
//!
//! The TypeScript declarations of each value stand beside the Rust code that reads or makes it
//! (`typescript_custom_section`); wasm-bindgen writes the rest of `thingcall.d.ts`.

/// A smaller allocator than the standard dlmalloc (single-threaded wasm only).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod device;
mod error;
mod extras;
#[cfg(feature = "fleet")]
mod fleet;
#[cfg(feature = "fleet")]
mod fleet_output;
mod iot_client;
#[cfg(feature = "fleet")]
mod jobs;
mod js;
mod options;
mod output;
mod params;
mod payload;
#[cfg(feature = "fleet")]
mod reads;
mod sign;
#[cfg(feature = "fleet")]
mod watch;

/// Every async method's promise, through the client's one `future_to_promise`.
use crate::client::promise;

#[cfg(feature = "fleet")]
#[wasm_bindgen::prelude::wasm_bindgen(module = "/js/iterable.js")]
extern "C" {
    /// `it` (an exported class with `next()`: the reads' and the live watch's iterators) made
    /// async-iterable.
    #[wasm_bindgen(js_name = asyncIterable)]
    fn async_iterable(it: wasm_bindgen::JsValue) -> wasm_bindgen::JsValue;
}

/// An async iterator's step: `{ value, done: false }`, or `{ value: undefined, done: true }`.
#[cfg(feature = "fleet")]
fn iterator_result(value: Option<wasm_bindgen::JsValue>) -> wasm_bindgen::JsValue {
    let out = js_sys::Object::new();
    let done = value.is_none();
    let set = |k: &str, v: &wasm_bindgen::JsValue| {
        let _ = js_sys::Reflect::set(&out, &wasm_bindgen::JsValue::from_str(k), v);
    };
    set("value", &value.unwrap_or(wasm_bindgen::JsValue::UNDEFINED));
    set("done", &wasm_bindgen::JsValue::from_bool(done));
    out.into()
}

/// A plain object of `fields`, in order, each name from the name cache; a field whose value is
/// `None` is left out. (The second entry's results: one loop for every shape, where a
/// `#[derive(Serialize)]` writes a serializer for each.)
#[cfg(feature = "fleet")]
fn record(fields: &[(&'static str, Option<wasm_bindgen::JsValue>)]) -> wasm_bindgen::JsValue {
    let out = js_sys::Object::new();
    for (k, v) in fields {
        if let Some(v) = v {
            let _ = js_sys::Reflect::set(&out, &js::name(k), v);
        }
    }
    out.into()
}

/// A string field of a [`record`].
#[cfg(feature = "fleet")]
fn text(s: &str) -> Option<wasm_bindgen::JsValue> {
    Some(wasm_bindgen::JsValue::from_str(s))
}

/// A number field of a [`record`].
#[cfg(feature = "fleet")]
fn number(n: f64) -> Option<wasm_bindgen::JsValue> {
    Some(wasm_bindgen::JsValue::from_f64(n))
}

/// An enum key (`"0"`, `"2"`) as a number, read by the engine.
#[cfg(feature = "fleet")]
fn model_number(text: &str) -> f64 {
    js_sys::Number::parse_float(text)
}

//! thingcall: sign and send IoT Platform (API 2018-01-20) RPC calls from the browser.
//!
//! [`core`] is the pure signing core (tested natively). On `wasm32` the `wasm` module binds it
//! to JavaScript: `signRpc`, `IotClient` and `ThingcallError`.
#![warn(missing_docs)]

pub mod core;

/// The JavaScript bindings (public so that in-browser tests can drive them from Rust).
#[cfg(target_arch = "wasm32")]
pub mod wasm;

//! thingcall: sign and send IoT Platform (API 2018-01-20) RPC calls from the browser.
//!
//! [`core`] is the pure signing core (tested natively). On `wasm32` the `wasm` module binds it
//! to JavaScript: `signRpc`, the engine under `IotClient`, and `ThingcallError`.
//!
//! On wasm32 the crate is `no_std` (with `alloc`): in the shipped wasm, std's panic and formatting
//! machinery would be most of the binary (BENCHMARKS.md).
#![cfg_attr(target_arch = "wasm32", no_std)]
#![warn(missing_docs)]

extern crate alloc;
// std only for its panic handler, where the shipped build's own (feature `panic-trap`) is not
// used: a plain `cargo build --target wasm32-unknown-unknown`, and the in-browser tests.
#[cfg(any(test, all(target_arch = "wasm32", not(feature = "panic-trap"))))]
extern crate std;

pub mod core;

/// The JavaScript bindings (public so that in-browser tests can drive them from Rust).
#[cfg(target_arch = "wasm32")]
pub mod wasm;

//! The thin wasm-bindgen layer over [`crate::core`]: `signRpc`, `IotClient`, `ThingcallError`.
//!
//! - `sign`: the `signRpc` export.
//! - `client`: `IotClient` and the call loop (attempts, retries, results).
//! - `credentials`: static keys or a provider, single-flight.
//! - `transport`: `fetch` through web-sys, the deadline and cancellation.
//! - `error`: `Failure` → `ThingcallError`.
//! - `js`: reading fields and params at the boundary.
//! - `types`: the TypeScript declarations of option and result objects.

/// A smaller allocator than the standard dlmalloc (single-threaded wasm only).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod client;
mod credentials;
mod error;
mod js;
mod sign;
mod transport;
mod types;

pub use client::IotClient;
pub use sign::sign_rpc;

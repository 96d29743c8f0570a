//! The thin wasm-bindgen layer over [`crate::core`].
//!
//! - `sign`: the `signRpc` export.
//! - `engine`: the hidden `__Engine` and `__Call` classes that `IotClient` (in `js/client.js`)
//!   drives: credentials, clock offset, nonces, signing, and each call's retry decisions.
//! - `error`: `Failure` → `ThingcallError`.
//! - `flat`: the one-string form params cross the boundary in.
//! - `types`: the TypeScript declarations of the public API that is not a Rust export.
//!
//! The I/O (`fetch`, timers, `AbortSignal`, awaiting a credentials provider) is in JavaScript;
//! every decision is made here (ARCHITECTURE.md, "Why sans-I/O").

/// A smaller allocator than the standard dlmalloc (single-threaded wasm only).
#[cfg(not(target_feature = "atomics"))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// In the shipped wasm (feature `panic-trap`, no std linked) a panic traps at once: std's panic
/// hook, with its formatting machinery, was a third of the binary. No panic is expected (inputs
/// are checked and errors returned), so this only decides how a bug shows: as a
/// `RuntimeError: unreachable` instead of a message on the console.
#[cfg(feature = "panic-trap")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}

mod engine;
mod error;
mod flat;
mod sign;
mod types;

pub use engine::{Call, Engine};
pub use sign::sign_rpc;

/// A value in a `static` on single-threaded wasm (where `thread_local!`, a std macro, would
/// otherwise be used).
pub(crate) struct Local<T>(pub T);

// SAFETY: wasm32 without the `atomics` target feature has exactly one thread.
#[cfg(not(target_feature = "atomics"))]
unsafe impl<T> Sync for Local<T> {}

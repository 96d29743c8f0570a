//! thingcall: sign and send IoT Platform (API 2018-01-20) RPC calls from the browser.
//!
//! - [`core`]: the pure signing core (canonicalization, signature, common parameters, the
//!   retry state machine), tested natively; no JavaScript types.
//! - `client` (wasm32): [`Client`], which drives the core's attempts with real I/O (gloo-net
//!   `fetch`, `AbortSignal` deadlines, timers, a single-flight credentials provider). Rust wasm
//!   front-ends (Leptos, Yew, Dioxus) use it directly, with typed requests, results and errors.
//! - `wasm` (wasm32): the thin wasm-bindgen layer that exports the client to JavaScript as
//!   `IotClient`, and `signRpc`.
#![warn(missing_docs)]

extern crate alloc;

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod client;
#[cfg(target_arch = "wasm32")]
mod wasm;

#[cfg(target_arch = "wasm32")]
pub use client::{
    BulkEntry, BulkOptions, CallOptions, CallResult, Check, CheckStatus, Client, ClientOptions,
    CredentialsProvider, CredentialsSource, Device, Error, InvokeResult, InvokeThingService,
    InvokeThingsService, OnProgress, PresignOptions, Progress, PropertySet, PropertyStatus,
    PropertyStatusResult, PropertyValue, ProvidedCredentials, SelfTest, ServiceCall,
    SetDeviceProperty, SetDevicesProperty,
};
#[cfg(target_arch = "wasm32")]
pub use client::{
    JobCreated, JobInfo, JobRequest, JobStatistics, JobTargets, JobWork, Task, TaskPages,
    TaskStatus,
};
pub use core::diagnosis::{Cause, Diagnosis};
pub use core::{HttpMethod, Outcome, RetryPolicy};

//! thingcall: sign and send IoT Platform (API 2018-01-20) RPC calls from the browser.
//!
//! - [`core`]: the pure signing core (canonicalization, signature, common parameters, the
//!   retry state machine), tested natively; no JavaScript types.
//! - `client`: [`Client`], which drives the core's attempts with real I/O (gloo-net `fetch`,
//!   `AbortSignal` deadlines, timers, a single-flight credentials provider). Rust wasm
//!   front-ends (Leptos, Yew, Dioxus) use it directly, with typed requests, results and errors.
//!   It sends only in wasm32 (a page, a worker, Node); the crate builds on the host too, where
//!   the requests, results and errors are the same types and [`Client::new`] refuses with
//!   `Unsupported` (so server-side rendering compiles the same code).
//! - `wasm` (wasm32, feature `js`): the thin wasm-bindgen layer that exports the client to
//!   JavaScript as `IotClient`, and `signRpc`; the npm package's build turns it on.
#![warn(missing_docs)]

extern crate alloc;

pub mod core;

pub mod client;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
mod wasm;

#[cfg(feature = "fleet")]
pub use client::{BulkEntry, BulkOptions, OnProgress, Progress, PropertySet, ServiceCall};
pub use client::{
    CallOptions, CallResult, Check, CheckStatus, Client, ClientOptions, CredentialsProvider,
    CredentialsSource, Device, Error, ErrorKind, InvokeResult, InvokeThingService,
    InvokeThingsService, PresignOptions, PropertyStatus, PropertyStatusResult, PropertyValue,
    ProvidedCredentials, SelfTest, SetDeviceProperty, SetDevicesProperty,
};
#[cfg(feature = "fleet")]
pub use client::{
    JobCreated, JobInfo, JobRequest, JobStatistics, JobTargets, JobWork, Task, TaskPages,
    TaskStatus,
};
pub use client::{Payload, Request, Target};
pub use core::diagnosis::{Cause, Diagnosis};
pub use core::{Credentials, HttpMethod, Outcome, RetryPolicy, Secret};

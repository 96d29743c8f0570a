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
//!
//! # Quick start
//!
//! Invoke `Echo` on a lamp of the local emulator (`npm run emulator` in the repository) from a
//! Rust wasm app (the whole app: `examples/quickstart.rs`):
//!
//! ```no_run
//! use thingcall::{
//!     CallOptions, Client, ClientOptions, Credentials, CredentialsSource, Device, Error,
//!     InvokeThingService,
//! };
//!
//! async fn echo() -> Result<String, Error> {
//!     // A page holds temporary keys from its backend instead: CredentialsSource::Provider.
//!     let key = Credentials::new("thingcall-demo", "thingcall-demo-secret", None)?;
//!     let options = ClientOptions::new("http://127.0.0.1:8686/", CredentialsSource::Static(key));
//!     let client = Client::new(options)?;
//!     let request = InvokeThingService {
//!         device: Device::by_name("a1LampDemo0", "lamp-01"),
//!         identifier: "Echo".into(),
//!         args: r#"{"text":"hello from Rust"}"#.into(), // JSON text, sent as written
//!         iot_instance_id: None,
//!     };
//!     let answer = client
//!         .invoke_thing_service(&request, &CallOptions::default())
//!         .await?;
//!     Ok(answer.raw_result.unwrap_or_default())
//! }
//! ```
//!
//! Features: none for calls; `fleet` for bulk calls, the thing-model check and platform jobs;
//! `js` is the npm package's JavaScript binding, which a Rust app leaves off.
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
    CredentialsSource, Device, DeviceDetail, DeviceInfo, DeviceListOptions, DevicePages,
    DeviceRecord, DeviceStatus, Error, ErrorKind, HistoryOptions, HistoryPages, InvokeResult,
    InvokeThingService, InvokeThingsService, PresignOptions, PropertyPoint, PropertyStatus,
    PropertyStatusResult, PropertyValue, ProvidedCredentials, RecordPages, SelfTest,
    SetDeviceProperty, SetDevicesProperty, SignatureVersion, Watch, WatchHandle, WatchItem,
    WatchOptions,
};
#[cfg(feature = "fleet")]
pub use client::{
    JobCreated, JobInfo, JobRequest, JobStatistics, JobTargets, JobWork, Task, TaskPages,
    TaskStatus,
};
pub use client::{Payload, Request, Target};
pub use core::diagnosis::{Cause, Diagnosis};
pub use core::{Credentials, HttpMethod, Outcome, RetryPolicy, Secret};

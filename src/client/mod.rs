//! The client: [`Client`] drives one call's attempts ([`crate::core::attempts`]) with real I/O.
//!
//! - `transport`: one attempt, sent with gloo-net (`fetch`), the answer parsed with `JSON.parse`.
//! - `time`: the call's deadline (an `AbortSignal`), back-off sleeps, the clock.
//! - `credentials`: static keys or a provider (single-flight), the signing key, nonces.
//! - `requests` / `results`: the typed requests and results of the device actions.
//! - `error`: [`Error`].
//! - `selftest`: [`Client::self_test`], what works and what to do about what does not.
//! - `bulk`: [`Client::invoke_many`] and [`Client::set_property_many`], across a fleet under
//!   the client's rate window.
//! - `jobs`: platform jobs ([`Client::create_job`], [`Client::job`], [`Client::tasks`]).
//! - `model`: thing models for `check_args` ([`Client::thing_model`]).
//!
//! Rust wasm front-ends use [`Client`] directly; the JavaScript `IotClient` is a thin layer over
//! it. Every method takes typed values and returns typed results or an [`Error`].

#[cfg(feature = "fleet")]
mod bulk;
mod credentials;
mod error;
#[cfg(feature = "fleet")]
mod jobs;
#[cfg(feature = "fleet")]
mod model;
mod names;
mod pace;
mod reads;
mod requests;
mod results;
mod selftest;
mod time;
mod transport;
mod watch;

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::future::Future;
use core::pin::Pin;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

pub use crate::core::bulk::Progress;
#[cfg(feature = "fleet")]
pub use bulk::{BulkEntry, BulkOptions, OnProgress, PropertySet, ServiceCall};
#[cfg(all(target_arch = "wasm32", feature = "js", feature = "fleet"))]
pub(crate) use bulk::{BulkWork, Settled};
pub use credentials::{
    CredentialsProvider, CredentialsSource, ProvidedCredentials, ProviderFuture,
};
pub use error::{Error, ErrorKind};
#[cfg(feature = "fleet")]
pub use jobs::{
    JobCreated, JobInfo, JobRequest, JobStatistics, JobTargets, JobWork, Task, TaskPages,
    TaskStatus, JOB_QPS, MAX_TASK_PAGE,
};
#[cfg(all(target_arch = "wasm32", feature = "js", feature = "fleet"))]
pub(crate) use model::js_number;
pub(crate) use names::js_name;
#[cfg(all(target_arch = "wasm32", feature = "js", feature = "fleet"))]
pub(crate) use reads::PageRequest;
pub use reads::{
    DeviceDetail, DeviceInfo, DeviceListOptions, DevicePages, DeviceRecord, DeviceStatus,
    HistoryOptions, HistoryPages, PropertyPoint, RecordPages,
};
pub(crate) use requests::name_like;
pub use requests::{
    Device, InvokeThingService, InvokeThingsService, Params, Payload, Request, SetDeviceProperty,
    SetDevicesProperty, Target, MAX_BATCH,
};
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub(crate) use results::{at as value_at, text as number_text};
pub use results::{
    Body, CallMeta, CallResult, InvokeResult, PropertyStatus, PropertyStatusResult, PropertyValue,
};
pub use selftest::{Check, CheckStatus, SelfTest};
pub use time::MAX_TIMER_MS;
#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub(crate) use transport::{describe as describe_thrown, json_parse};
pub use watch::{Watch, WatchHandle, WatchItem, WatchOptions};

use self::credentials::{NoncePool, Signer};
use self::time::{now_ms, Deadline};
use self::transport::Transport;
use crate::core::action;
use crate::core::attempts::concat;
use crate::core::diagnosis::diagnose;
use crate::core::encode::percent_decode;
use crate::core::outcome::{codes, redact};
use crate::core::request::{check_params, sign_request, CommonParams};
use crate::core::text;
use crate::core::{
    Answer, Attempts, Failure, HttpMethod, Nonce, Outcome, RetryPolicy, SignedStages, StringToSign,
    Timestamp, Verdict,
};

/// The longest GET URL sent: nginx refuses a longer request line by default (414), and so do
/// many gateways; POST has no such limit.
pub const MAX_GET_URL: usize = 8192;

/// How a client is set up.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The API URL (e.g. `https://iot.cn-shanghai.aliyuncs.com/`), http(s), without query or
    /// fragment; a relative one (`/iot/`, a same-origin relay) is resolved against the page's
    /// or worker's location.
    pub endpoint: String,
    /// A key, or a provider of temporary ones.
    pub credentials: CredentialsSource,
    /// `RegionId`, sent with every request when set.
    pub region_id: Option<String>,
    /// `IotInstanceId`, sent with every device call (a request's own wins).
    pub iot_instance_id: Option<String>,
    /// POST (a form body, the default) or GET (the query).
    pub method: HttpMethod,
    /// The deadline of a whole call (credentials, attempts, back-off), ms. Default 10,000.
    pub timeout_ms: u32,
    /// Retry settings.
    pub retry: RetryPolicy,
    /// Check `Args` and `Items` against the product's thing model before sending (a call's
    /// own `check_args` wins). Default false.
    pub check_args: bool,
    /// The signature requests carry: V1 (HMAC-SHA1 in the parameters, the default) or V3
    /// (`ACS3-HMAC-SHA256` in headers, for a same-origin relay that passes them; the `v3`
    /// feature).
    pub signature: SignatureVersion,
    /// V3 signs the `host` header: the platform's host when the endpoint is a relay (the relay
    /// sends the request on with that host). Default: the endpoint's host.
    pub signed_host: Option<String>,
}

/// Which signature a client's requests carry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureVersion {
    /// HMAC-SHA1 over the parameters (`SignatureVersion=1.0`; the platform's pages call it V2):
    /// what the platform's API pages show, and no headers, so no CORS preflight.
    #[default]
    V1,
    /// `ACS3-HMAC-SHA256`: `Authorization` and `x-acs-*` headers (so a cross-origin call needs
    /// a preflight, which the platform does not answer: use a same-origin relay).
    V3,
}

impl ClientOptions {
    /// Options with the defaults: POST, a 10 s deadline, up to 3 attempts.
    pub fn new(endpoint: impl Into<String>, credentials: CredentialsSource) -> Self {
        Self {
            endpoint: endpoint.into(),
            credentials,
            region_id: None,
            iot_instance_id: None,
            method: HttpMethod::Post,
            timeout_ms: 10_000,
            retry: RetryPolicy::default(),
            check_args: false,
            signature: SignatureVersion::V1,
            signed_host: None,
        }
    }
}

/// Options of one call.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Cancels the call.
    pub signal: Option<AbortSignal>,
    /// Overrides the client's deadline for this call, ms.
    pub timeout_ms: Option<u32>,
    /// Checks `Args`/`Items` against the thing model first (the client's setting when `None`).
    pub check_args: Option<bool>,
}

/// Options of [`Client::presign`], [`Client::to_curl`] and [`Client::explain`].
#[derive(Clone, Debug, Default)]
pub struct PresignOptions {
    /// `SignatureNonce`; random when `None`.
    pub nonce: Option<String>,
    /// `Timestamp`; now (plus the learned clock offset) when `None`.
    pub timestamp: Option<Timestamp>,
}

/// A request signed with V3: what is sent, and its stages (for `explain`).
#[cfg(feature = "v3")]
struct V3Signed {
    wire: String,
    headers: Vec<(&'static str, String)>,
    canonical_query: String,
    canonical_request: String,
    string_to_sign: String,
    signature: String,
}

/// What an attempt signed, for the diagnosis of a `SignatureDoesNotMatch`.
enum Signed {
    V1(StringToSign),
    /// V3's canonical request.
    #[cfg(feature = "v3")]
    V3(String),
}

/// How a request is signed, for display (the SecurityToken and the secret redacted).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Explanation {
    /// `"GET"` or `"POST"`.
    pub method: &'static str,
    /// The sorted `(name, value)` pairs.
    pub params: Vec<(String, String)>,
    /// Stage 1.
    pub canonical_query: String,
    /// Stage 2.
    pub string_to_sign: String,
    /// Stage 3, not URL-encoded.
    pub signature: String,
    /// The signed GET URL (or the endpoint with the POST body as its query).
    pub url: String,
    /// The form body (POST only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The same request as a `curl` command line.
    pub curl: String,
    /// Signature V3's canonical request (stage 1 of V3; `canonical_query` is then its
    /// parameters' part).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub canonical_request: Option<String>,
    /// Signature V3's headers, as sent (`host` is the browser's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Vec<(String, String)>>,
}

/// A client of the IoT Platform RPC API (2018-01-20). Cheap to clone (the clones share state:
/// credentials, the learned clock offset, nonces).
#[derive(Clone)]
pub struct Client {
    inner: Rc<Inner>,
}

struct Inner {
    transport: Transport,
    /// V3's signed `host`, when the client signs with V3.
    v3_host: Option<String>,
    region_id: Option<String>,
    iot_instance_id: Option<String>,
    timeout_ms: u32,
    retry: RetryPolicy,
    provider: Option<CredentialsProvider>,
    /// Server minus local time, ms (learned from `InvalidTimeStamp.Expired`).
    offset_ms: Cell<f64>,
    signer: RefCell<Option<Signer>>,
    nonces: RefCell<NoncePool>,
    /// The provider call in flight, shared by every call waiting for credentials.
    pending: RefCell<Option<Promise>>,
    /// The rate windows, by action (shared by every call of this client that paces itself).
    windows: pace::RateWindows,
    /// Attempts answered `Throttling.*` so far (bulk calls slow down when it moves).
    throttles: Cell<u32>,
    /// Whether calls check their arguments against the thing model by default.
    check_args: bool,
    /// Thing models fetched for checks, by product.
    #[cfg(feature = "fleet")]
    models: model::Models,
}

impl core::fmt::Debug for Client {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.endpoint())
            .field("method", &self.method())
            .finish_non_exhaustive()
    }
}

/// The endpoint as an absolute http(s) URL without query or fragment, normalized by the engine's
/// `URL`. A relative one (`/iot/`, for a same-origin relay) is resolved against the page's or
/// worker's `location`; where there is none (Node), it is refused.
fn endpoint_url(s: &str) -> Result<String, Error> {
    let base = js_sys::Reflect::get(&js_sys::global(), &"location".into())
        .ok()
        .filter(|l| l.is_object())
        .and_then(|l| js_sys::Reflect::get(&l, &"href".into()).ok())
        .and_then(|h| h.as_string());
    let absolute = web_sys::Url::new(s).ok();
    let relative = absolute.is_none();
    let url = absolute
        .or_else(|| web_sys::Url::new_with_base(s, base.as_deref()?).ok())
        .filter(|u| {
            matches!(u.protocol().as_str(), "http:" | "https:")
                && u.search().is_empty()
                && u.hash().is_empty()
        });
    if url
        .as_ref()
        .is_some_and(|u| !u.username().is_empty() || !u.password().is_empty())
    {
        // Never echoed: what is in it may be a password.
        return Err(Error::invalid(
            "options.endpoint: has a user name or password in it (the platform authenticates by signature only)",
        ));
    }
    url.map(|u| u.href()).ok_or_else(|| {
        let why = if relative && base.is_none() {
            "\" is relative, and there is no page or worker location to resolve it against: give an absolute http(s) URL"
        } else {
            "\" is not an http(s) URL without a query"
        };
        Error::invalid(concat(&["options.endpoint: \"", s, why]))
    })
}

fn check_retry(r: &RetryPolicy) -> Result<(), Error> {
    if !(1..=10).contains(&r.max_attempts) {
        return Err(Error::invalid(
            "options.retry.maxAttempts: must be a whole number 1..10",
        ));
    }
    for (v, name) in [
        (r.base_delay_ms, "options.retry.baseDelayMs"),
        (r.max_delay_ms, "options.retry.maxDelayMs"),
    ] {
        if !(v >= 0.0 && v <= MAX_TIMER_MS as f64) {
            return Err(Error::invalid(concat(&[
                name,
                ": must be a number of ms from 0 to 2147483647",
            ])));
        }
    }
    Ok(())
}

/// A call's or client's deadline: 1 ms up to what a timer holds.
pub(crate) fn check_timeout(ms: u32, field: &str) -> Result<u32, Error> {
    if ms == 0 || ms > MAX_TIMER_MS {
        return Err(Error::invalid(concat(&[
            field,
            ": must be a positive number of ms up to 2147483647",
        ])));
    }
    Ok(ms)
}

/// What [`Client::new`] checks of its options: the normalized endpoint, the host V3 signs (with
/// [`SignatureVersion::V3`]) and the deadline.
fn checked(options: &ClientOptions) -> Result<(String, Option<String>, u32), Error> {
    let endpoint = endpoint_url(&options.endpoint)?;
    #[cfg(not(feature = "v3"))]
    if options.signature == SignatureVersion::V3 {
        return Err(Error::invalid(
            "options.signature: V3 needs the crate's `v3` feature",
        ));
    }
    let v3_host = match options.signature {
        SignatureVersion::V1 => None,
        SignatureVersion::V3 => Some(
            match options.signed_host.as_deref().filter(|h| !h.is_empty()) {
                Some(h) if text::alnum_or(h, b"-.:[]") => String::from(h),
                Some(_) => {
                    return Err(Error::invalid(
                        "options.signedHost: a host name, with a port when not the default",
                    ))
                }
                None => web_sys::Url::new(&endpoint)
                    .map(|u| u.host())
                    .unwrap_or_default(),
            },
        ),
    };
    check_retry(&options.retry)?;
    if let Some(id) = options.iot_instance_id.as_deref().filter(|s| !s.is_empty()) {
        name_like(id, "options", "iotInstanceId")?;
    }
    let timeout_ms = check_timeout(options.timeout_ms, "options.timeoutMs")?;
    Ok((endpoint, v3_host, timeout_ms))
}

impl Client {
    /// A client; bad options are an `InvalidArgument` [`Error`] naming the field.
    pub fn new(options: ClientOptions) -> Result<Self, Error> {
        if cfg!(not(target_arch = "wasm32")) {
            // Every step of a call is the engine's (fetch, timers, AbortSignal): off wasm32 the
            // types compile (server-side rendering) but nothing may run.
            return Err(Error::new(
                Failure::new(
                    codes::UNSUPPORTED,
                    "thingcall's client sends requests only in WebAssembly (a page, a worker, Node); on the host, use the core (signing) or call from the browser.",
                    Outcome::NotSent,
                ),
                &[],
            ));
        }
        // Checked by reference, so that a bad option drops `options` in one place.
        let (endpoint, v3_host, timeout_ms) = checked(&options)?;
        let (signer, provider) = match options.credentials {
            CredentialsSource::Static(c) => (Some(Signer::fixed(c)), None),
            CredentialsSource::Provider(p) => (None, Some(p)),
        };
        let non_empty = |s: Option<String>| s.filter(|s| !s.is_empty());
        Ok(Self {
            inner: Rc::new(Inner {
                transport: Transport::new(endpoint, options.method),
                v3_host,
                region_id: non_empty(options.region_id),
                iot_instance_id: non_empty(options.iot_instance_id),
                timeout_ms,
                retry: options.retry,
                provider,
                offset_ms: Cell::new(0.0),
                signer: RefCell::new(signer),
                nonces: RefCell::new(NoncePool::new()),
                pending: RefCell::new(None),
                windows: Default::default(),
                throttles: Cell::new(0),
                check_args: options.check_args,
                #[cfg(feature = "fleet")]
                models: Default::default(),
            }),
        })
    }

    /// The normalized endpoint URL.
    pub fn endpoint(&self) -> &str {
        self.inner.transport.endpoint()
    }

    /// The HTTP method requests are sent with.
    pub fn method(&self) -> HttpMethod {
        self.inner.transport.method()
    }

    /// The estimate of server time minus local time, ms (0 until an `InvalidTimeStamp.Expired`
    /// answer teaches it).
    pub fn clock_offset_ms(&self) -> f64 {
        self.inner.offset_ms.get()
    }

    /// The default `IotInstanceId` of device calls.
    pub fn iot_instance_id(&self) -> Option<&str> {
        self.inner.iot_instance_id.as_deref()
    }

    /// The client's default deadline, ms.
    pub fn timeout_ms(&self) -> u32 {
        self.inner.timeout_ms
    }

    /// `InvokeThingService`. A synchronous service answers with the device's `Result`.
    pub async fn invoke_thing_service(
        &self,
        request: &InvokeThingService,
        options: &CallOptions,
    ) -> Result<InvokeResult, Error> {
        let (meta, body) = self.perform(request.request()?, options).await?;
        Ok(InvokeResult::new(meta, body))
    }

    /// `SetDeviceProperty` (asynchronous: the result has the `MessageId`).
    pub async fn set_device_property(
        &self,
        request: &SetDeviceProperty,
        options: &CallOptions,
    ) -> Result<CallResult, Error> {
        let (meta, body) = self.perform(request.request()?, options).await?;
        Ok(CallResult::new(meta, body))
    }

    /// `QueryDevicePropertyStatus`: the device's properties as a flat list.
    pub async fn query_device_property_status(
        &self,
        device: &Device,
        iot_instance_id: Option<String>,
        options: &CallOptions,
    ) -> Result<PropertyStatusResult, Error> {
        let request = Request::new(
            &action::QUERY_DEVICE_PROPERTY_STATUS,
            Target::Device(device),
            iot_instance_id.as_deref(),
            &[],
        )?;
        // No field of it is checked against the thing model: sent as it is.
        let name = request.spec().name;
        let params = request.into_params(self.iot_instance_id());
        let (meta, body) = self.send(name, params, options).await?;
        Ok(PropertyStatusResult::new(meta, body))
    }

    /// `QueryDeviceDetail`: `Data` holds `IotId`, `ProductKey`, `DeviceName`, `Status`, ...
    pub async fn query_device_detail(
        &self,
        device: &Device,
        iot_instance_id: Option<String>,
        options: &CallOptions,
    ) -> Result<CallResult, Error> {
        let request = Request::new(
            &action::QUERY_DEVICE_DETAIL,
            Target::Device(device),
            iot_instance_id.as_deref(),
            &[],
        )?;
        let (meta, body) = self.perform(request, options).await?;
        Ok(CallResult::new(meta, body))
    }

    /// `InvokeThingsService`: one service on up to 100 devices (asynchronous).
    pub async fn invoke_things_service(
        &self,
        request: &InvokeThingsService,
        options: &CallOptions,
    ) -> Result<CallResult, Error> {
        let (meta, body) = self.perform(request.request()?, options).await?;
        Ok(CallResult::new(meta, body))
    }

    /// `SetDevicesProperty`: properties on up to 100 devices (asynchronous).
    pub async fn set_devices_property(
        &self,
        request: &SetDevicesProperty,
        options: &CallOptions,
    ) -> Result<CallResult, Error> {
        let (meta, body) = self.perform(request.request()?, options).await?;
        Ok(CallResult::new(meta, body))
    }

    /// Any action of the catalog, as a [`Request`]: its `Args`/`Items` checked against the thing
    /// model first when the call checks; the platform's answer.
    pub async fn send_request(
        &self,
        request: Request,
        options: &CallOptions,
    ) -> Result<CallResult, Error> {
        let (meta, body) = self.perform(request, options).await?;
        Ok(CallResult::new(meta, body))
    }

    /// Any RPC action with its own parameters; the common ones and the signature are added.
    /// Read-only actions (`Query*`, `Get*`, `List*`, `Describe*`) are retried when their
    /// outcome is unknown; others only with `retry_unknown`.
    pub fn call<'a>(
        &'a self,
        action: &'a str,
        params: Params,
        options: &'a CallOptions,
    ) -> impl Future<Output = Result<CallResult, Error>> + 'a {
        self.call_with(action, params, options, None)
    }

    /// [`Client::call`], each attempt paced by `pacing`.
    pub(crate) async fn call_with(
        &self,
        action: &str,
        params: Params,
        options: &CallOptions,
        pacing: Option<&dyn Pacing>,
    ) -> Result<CallResult, Error> {
        if action.is_empty() {
            return Err(Error::invalid("call: action is required"));
        }
        let (meta, body) = self.send_with(action, params, options, pacing).await?;
        Ok(CallResult::new(meta, body))
    }

    /// Sends `request`: checked against the thing model first when it has a checked field and
    /// the call checks, then [`Client::send`].
    pub(crate) async fn perform(
        &self,
        request: Request,
        options: &CallOptions,
    ) -> Result<(CallMeta, Body), Error> {
        let name = request.spec().name;
        let params = if self.checks_request(&request, options) {
            self.checked_request(request).await?
        } else {
            request.into_params(self.iot_instance_id())
        };
        self.send(name, params, options).await
    }

    /// Whether `request` is checked against the thing model before it is sent.
    pub(crate) fn checks_request(&self, request: &Request, options: &CallOptions) -> bool {
        request.checked_text().is_some() && self.checks(options)
    }

    /// Whether a call checks its arguments: its own option, else the client's.
    pub(crate) fn checks(&self, options: &CallOptions) -> bool {
        options.check_args.unwrap_or(self.inner.check_args)
    }

    /// Without the `fleet` feature there is no thing-model check: a call that asks for one is
    /// refused before anything is sent (never sent unchecked).
    #[cfg(not(feature = "fleet"))]
    pub(crate) async fn checked_request(&self, request: Request) -> Result<Params, Error> {
        let spec = request.spec();
        Err(Error::invalid(concat(&[
            spec.method.unwrap_or(spec.name),
            ": checkArgs needs thingcall's `fleet` feature (the thing-model check)",
        ])))
    }

    /// The parameters of `request` with its `Args`/`Items` checked against the thing model of
    /// the device's product (and sent as the check wrote them).
    #[cfg(feature = "fleet")]
    pub(crate) async fn checked_request(&self, request: Request) -> Result<Params, Error> {
        let spec = request.spec();
        let ctx = spec.method.unwrap_or(spec.name);
        let Some((text, _)) = request.checked_text() else {
            return Ok(request.into_params(self.iot_instance_id()));
        };
        let Some(pk) = request.param("ProductKey") else {
            return Err(Error::invalid(concat(&[
                ctx,
                ": checkArgs needs the device's productKey (an iotId alone does not name the product whose thing model to check against)",
            ])));
        };
        let what = match request.param("Identifier") {
            Some(id) => model::Checked::Args(id),
            None => model::Checked::Items,
        };
        let text = self.checked_for(ctx, pk, what, text).await?;
        Ok(request
            .with_checked_text(text)
            .into_params(self.iot_instance_id()))
    }

    /// Fetches credentials from the provider now (nothing to do for a fixed key), e.g. before
    /// [`Client::presign`].
    pub async fn refresh_credentials(&self) -> Result<(), Error> {
        if self.inner.provider.is_none() {
            return Ok(());
        }
        let deadline = Deadline::new(self.inner.timeout_ms, None);
        match self.fetch_credentials(&deadline).await {
            Ok(()) => Ok(()),
            Err(None) => Err(self.error(Attempts::new("").cancelled(
                false,
                deadline.timeout_ms as f64,
                false,
            ))),
            Err(Some(f)) => Err(self.error(f)),
        }
    }

    /// A signed GET URL for `action` (it carries the SecurityToken: treat it as a secret).
    /// Deterministic when both the nonce and the timestamp are given.
    pub fn presign(
        &self,
        action: &str,
        params: &[(String, String)],
        options: &PresignOptions,
    ) -> Result<String, Error> {
        let stages = self.presigned(action, params, HttpMethod::Get, options)?;
        Ok(concat(&[
            self.endpoint(),
            "?",
            &stages.canonical.with_signature(&stages.signature),
        ]))
    }

    /// The same request as a `curl` command line, with the client's method.
    pub fn to_curl(
        &self,
        action: &str,
        params: &[(String, String)],
        options: &PresignOptions,
    ) -> Result<String, Error> {
        #[cfg(feature = "v3")]
        if let Some(v3) = self.presigned_v3(action, params, options)? {
            let signer = self.inner.signer.borrow();
            let secrets = secret_texts(&signer);
            return Ok(redact(&self.curl_with(&v3.wire, &v3.headers), &secrets));
        }
        let stages = self.presigned(action, params, self.method(), options)?;
        Ok(self.curl(&stages.canonical.with_signature(&stages.signature)))
    }

    /// V3's stages for `toCurl` and `explain`, when the client signs with V3.
    #[cfg(feature = "v3")]
    fn presigned_v3(
        &self,
        action: &str,
        params: &[(String, String)],
        options: &PresignOptions,
    ) -> Result<Option<V3Signed>, Error> {
        let Some(host) = &self.inner.v3_host else {
            return Ok(None);
        };
        let (nonce, ts) = self.nonce_and_time(options)?;
        self.sign_v3_parts(action, params, host, &nonce, ts)
            .map(Some)
            .map_err(|f| self.error(f))
    }

    /// `curl` with headers (V3's, or V1's form type).
    fn curl_with(&self, wire: &str, headers: &[(&'static str, String)]) -> String {
        let mut out = String::from("curl");
        if self.method() == HttpMethod::Post {
            out.push_str(" -X POST");
        }
        for (k, v) in headers {
            out.push_str(" -H ");
            out.push_str(&shell_quote(&concat(&[k, ": ", v])));
        }
        match self.method() {
            HttpMethod::Post => {
                out.push_str(" --data ");
                out.push_str(&shell_quote(wire));
                out.push(' ');
                out.push_str(&shell_quote(self.endpoint()));
            }
            HttpMethod::Get => {
                out.push(' ');
                let url = if wire.is_empty() {
                    String::from(self.endpoint())
                } else {
                    concat(&[self.endpoint(), "?", wire])
                };
                out.push_str(&shell_quote(&url));
            }
        }
        out
    }

    /// How the request is signed, for display: every stage, the URL and `curl`, with the
    /// SecurityToken (and the secret, were it anywhere) as `** redacted **`.
    pub fn explain(
        &self,
        action: &str,
        params: &[(String, String)],
        options: &PresignOptions,
    ) -> Result<Explanation, Error> {
        let method = self.method();
        #[cfg(feature = "v3")]
        if let Some(v3) = self.presigned_v3(action, params, options)? {
            let signer = self.inner.signer.borrow();
            let secrets = secret_texts(&signer);
            let r = |s: &str| redact(s, &secrets);
            let params = explained_params(&v3.canonical_query, &r);
            let post = method == HttpMethod::Post;
            let url = if post || v3.wire.is_empty() {
                String::from(self.endpoint())
            } else {
                concat(&[self.endpoint(), "?", &v3.wire])
            };
            let mut headers = Vec::new();
            for (k, v) in &v3.headers {
                headers.push((String::from(*k), r(v)));
            }
            return Ok(Explanation {
                method: method.as_str(),
                params,
                url: r(&url),
                body: post.then(|| r(&v3.wire)),
                curl: r(&self.curl_with(&v3.wire, &v3.headers)),
                canonical_query: r(&v3.canonical_query),
                canonical_request: Some(r(&v3.canonical_request)),
                string_to_sign: v3.string_to_sign,
                signature: v3.signature,
                headers: Some(headers),
            });
        }
        let stages = self.presigned(action, params, method, options)?;
        let wire = stages.canonical.with_signature(&stages.signature);
        let signer = self.inner.signer.borrow();
        let secrets = secret_texts(&signer);
        let r = |s: &str| redact(s, &secrets);
        let params = explained_params(stages.canonical.as_str(), &r);
        let wire = r(&wire);
        Ok(Explanation {
            method: method.as_str(),
            params,
            canonical_query: r(stages.canonical.as_str()),
            string_to_sign: r(stages.string_to_sign.as_str()),
            signature: stages.signature.as_str().into(),
            url: concat(&[self.endpoint(), "?", &wire]),
            body: (method == HttpMethod::Post).then(|| wire.clone()),
            curl: self.curl(&wire),
            canonical_request: None,
            headers: None,
        })
    }

    fn curl(&self, wire: &str) -> String {
        let form = [(
            "Content-Type",
            String::from("application/x-www-form-urlencoded"),
        )];
        let headers: &[_] = if self.method() == HttpMethod::Post {
            &form
        } else {
            &[]
        };
        self.curl_with(wire, headers)
    }

    fn presigned(
        &self,
        action: &str,
        params: &[(String, String)],
        method: HttpMethod,
        options: &PresignOptions,
    ) -> Result<SignedStages, Error> {
        if self.inner.v3_host.is_some() {
            return Err(Error::invalid(
                "presign: a URL carries no headers, and signature V3 signs in them: presign with a client of signature \"v1\"",
            ));
        }
        check_params(params).map_err(|e| Error::invalid(e.message()))?;
        let (nonce, ts) = self.nonce_and_time(options)?;
        self.sign(action, params, method, &nonce, ts)
            .map_err(|f| self.error(f))
    }

    /// The nonce and timestamp `options` give, or a fresh nonce and the server's time.
    fn nonce_and_time(&self, options: &PresignOptions) -> Result<(Nonce, Timestamp), Error> {
        let nonce = match &options.nonce {
            Some(n) if !n.is_empty() => Nonce::from_string(n.clone()),
            _ => self
                .inner
                .nonces
                .borrow_mut()
                .nonce()
                .map_err(|f| self.error(f))?,
        };
        Ok((
            nonce,
            options.timestamp.unwrap_or_else(|| self.server_now()),
        ))
    }

    fn server_now(&self) -> Timestamp {
        Timestamp::from_unix_millis(now_ms() + self.inner.offset_ms.get())
    }

    fn sign(
        &self,
        action: &str,
        params: &[(String, String)],
        method: HttpMethod,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Result<SignedStages, Failure> {
        let signer = self.inner.signer.borrow();
        let signer = signer.as_ref().ok_or_else(|| {
            Failure::new(
                codes::CREDENTIALS_ERROR,
                "no credentials yet: make a call (or await refreshCredentials()) first.",
                Outcome::NotSent,
            )
        })?;
        let common = CommonParams {
            action,
            credentials: &signer.creds,
            region_id: self.inner.region_id.as_deref(),
            nonce,
            timestamp,
        };
        sign_request(method, &common, params, &signer.key)
            .map_err(|e| Failure::invalid(e.message()))
    }

    /// `f` as an [`Error`], scrubbed of the current secret and token.
    fn error(&self, f: Failure) -> Error {
        let signer = self.inner.signer.borrow();
        Error::new(f, &secret_texts(&signer))
    }

    fn needs_credentials(&self) -> bool {
        let server_now = now_ms() + self.inner.offset_ms.get();
        self.inner
            .signer
            .borrow()
            .as_ref()
            .is_none_or(|s| server_now >= s.refresh_at_ms)
    }

    /// Waits for the provider's credentials (one provider call for every caller waiting).
    /// `Err(None)`: the deadline passed first; `Err(Some(f))`: the provider failed.
    async fn fetch_credentials(&self, deadline: &Deadline) -> Result<(), Option<Failure>> {
        let Some(provider) = self.inner.provider.clone() else {
            return Ok(());
        };
        let existing = self.inner.pending.borrow().clone();
        let pending = existing.unwrap_or_else(|| {
            let client = self.clone();
            let p = promise(Box::pin(async move {
                let r = (provider.0)().await;
                let r = match r {
                    Ok(c) => {
                        Signer::provided(c, now_ms() + client.inner.offset_ms.get()).map(|s| {
                            client.inner.signer.replace(Some(s));
                        })
                    }
                    Err(m) => Err(Failure::new(codes::CREDENTIALS_ERROR, m, Outcome::NotSent)),
                };
                client.inner.pending.replace(None);
                r.map(|()| JsValue::UNDEFINED)
                    .map_err(|f| JsValue::from_str(&f.message))
            }));
            self.inner.pending.replace(Some(p.clone()));
            p
        });
        match deadline.race(&pending).await {
            None => Err(None),
            Some(Ok(_)) => Ok(()),
            Some(Err(m)) => Err(Some(Failure::new(
                codes::CREDENTIALS_ERROR,
                m.as_string().unwrap_or_default(),
                Outcome::NotSent,
            ))),
        }
    }

    /// Runs one call to completion: credentials, attempts, back-off, under one deadline.
    ///
    /// Boxed: every caller (each method, the JavaScript layer, the self-test) polls the one
    /// compiled state machine, instead of each embedding a copy of it in the wasm.
    pub(crate) fn send<'a>(
        &'a self,
        action: &'a str,
        params: Params,
        options: &'a CallOptions,
    ) -> SendFuture<'a> {
        self.send_with(action, params, options, None)
    }

    /// [`Client::send`] for a call that its caller's rate window admitted: each attempt after
    /// the first waits for the window too, and each tells the window when it went out.
    pub(crate) fn send_with<'a>(
        &'a self,
        action: &'a str,
        params: Params,
        options: &'a CallOptions,
        pacing: Option<&'a dyn Pacing>,
    ) -> SendFuture<'a> {
        Box::pin(self.send_unboxed(action, params, options, pacing))
    }

    async fn send_unboxed(
        &self,
        action: &str,
        params: Params,
        options: &CallOptions,
        pacing: Option<&dyn Pacing>,
    ) -> Result<(CallMeta, Body), Error> {
        check_params(&params).map_err(|e| Error::invalid(e.message()))?;
        requests::check_call(action, &params)?;
        let timeout_ms = match options.timeout_ms {
            Some(ms) => check_timeout(ms, "options.timeoutMs")?,
            None => self.inner.timeout_ms,
        };
        if options.signal.as_ref().is_some_and(|s| s.aborted()) {
            return Err(Error::new(
                Failure::new(
                    codes::ABORTED,
                    "the AbortSignal had fired before the call started.",
                    Outcome::NotSent,
                ),
                &[],
            ));
        }
        let started = now_ms();
        let deadline = Deadline::new(timeout_ms, options.signal.as_ref());
        let mut attempts = Attempts::new(action);
        let cut = |attempts: &Attempts, sending: bool| {
            self.error(attempts.cancelled(deadline.by_caller(), timeout_ms as f64, sending))
        };
        let inner = &self.inner;
        loop {
            if self.needs_credentials() {
                match self.fetch_credentials(&deadline).await {
                    Ok(()) => {}
                    Err(None) => return Err(cut(&attempts, false)),
                    Err(Some(f)) => {
                        let mut failed = attempts.credentials_failed(&f.message);
                        failed.code = f.code;
                        return Err(self.error(failed));
                    }
                }
            }
            let (wire, signed, headers) = self.sign_attempt(action, &params)?;
            attempts.begin();
            let sent = inner
                .transport
                .send(&wire, headers.as_ref(), deadline.signal(), pacing)
                .await;
            if deadline.passed() {
                return Err(cut(&attempts, true));
            }
            match self.judge(&mut attempts, sent, started, &signed) {
                Judged::Done(meta, body) => return Ok((meta, body)),
                Judged::Failed(e) => return Err(e),
                Judged::Retry(after_ms) => {
                    deadline.sleep(after_ms).await;
                    let admitted = match pacing {
                        Some(p) => p.admit_again(deadline.signal()).await,
                        None => true,
                    };
                    if !admitted || deadline.passed() {
                        return Err(cut(&attempts, false));
                    }
                }
            }
        }
    }

    /// The next attempt's wire string (query or form body), its string-to-sign (V1) or its
    /// headers (V3): a fresh nonce, the server's time.
    #[inline(never)]
    fn sign_attempt(
        &self,
        action: &str,
        params: &[(String, String)],
    ) -> Result<(String, Signed, Option<JsValue>), Error> {
        let inner = &self.inner;
        let nonce = inner
            .nonces
            .borrow_mut()
            .nonce()
            .map_err(|f| self.error(f))?;
        #[cfg(feature = "v3")]
        if let Some(host) = &inner.v3_host {
            // Through a pointer the optimizer cannot see through: the npm package keeps V3's
            // signing (SHA-256) in its second entry, which only a V3 client calls.
            type SignV3 = fn(
                &Client,
                &str,
                &[(String, String)],
                &str,
                &Nonce,
                Timestamp,
            ) -> Result<(String, JsValue, String), Failure>;
            let sign: SignV3 = core::hint::black_box(Client::sign_v3);
            let (wire, headers, request) =
                sign(self, action, params, host, &nonce, self.server_now())
                    .map_err(|f| self.error(f))?;
            self.check_get_length(&wire)?;
            return Ok((wire, Signed::V3(request), Some(headers)));
        }
        let stages = self
            .sign(
                action,
                params,
                inner.transport.method(),
                &nonce,
                self.server_now(),
            )
            .map_err(|f| self.error(f))?;
        let wire = stages.canonical.with_signature(&stages.signature);
        self.check_get_length(&wire)?;
        Ok((wire, Signed::V1(stages.string_to_sign), None))
    }

    fn check_get_length(&self, wire: &str) -> Result<(), Error> {
        if self.inner.transport.method() == HttpMethod::Get
            && self.endpoint().len() + 1 + wire.len() > MAX_GET_URL
        {
            return Err(Error::invalid(
                "options.method: the signed GET URL would be longer than 8,192 bytes, which servers and proxies refuse (nginx's default): use POST, which sends the parameters in the body",
            ));
        }
        Ok(())
    }

    /// A request signed with V3 (feature `v3`): the wire string (the form body for POST, the
    /// query for GET), the headers (`Authorization`, `x-acs-*`, the form's `Content-Type`)
    /// as a JS object, and the canonical request (for a diagnosis).
    #[cfg(feature = "v3")]
    fn sign_v3(
        &self,
        action: &str,
        params: &[(String, String)],
        host: &str,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Result<(String, JsValue, String), Failure> {
        let signed = self.sign_v3_parts(action, params, host, nonce, timestamp)?;
        let out = js_sys::Object::new();
        for (k, v) in &signed.headers {
            let _ = js_sys::Reflect::set(&out, &JsValue::from_str(k), &JsValue::from_str(v));
        }
        Ok((signed.wire, out.into(), signed.canonical_request))
    }

    /// A V3 `SignatureDoesNotMatch`'s diagnosis ([`crate::core::v3::diagnose`]): the endpoint's
    /// own host is the one a relay that passes the page's `Host` on would make the platform see.
    #[cfg(feature = "v3")]
    fn diagnose_v3(
        &self,
        request: &str,
        message: &str,
    ) -> Option<crate::core::diagnosis::Diagnosis> {
        let host = web_sys::Url::new(self.endpoint())
            .map(|u| u.host())
            .unwrap_or_default();
        crate::core::v3::diagnose(request, message, &[&host])
    }

    /// V3's stages and what is sent: the headers without `host` (the browser's to set; the
    /// platform sees its own).
    #[cfg(feature = "v3")]
    fn sign_v3_parts(
        &self,
        action: &str,
        params: &[(String, String)],
        host: &str,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Result<V3Signed, Failure> {
        use crate::core::v3::{hashed_payload, CanonicalRequest, StringToSignV3};
        let signer = self.inner.signer.borrow();
        let creds = &signer
            .as_ref()
            .ok_or_else(|| {
                Failure::new(
                    codes::CREDENTIALS_ERROR,
                    "no credentials yet: make a call (or await refreshCredentials()) first.",
                    Outcome::NotSent,
                )
            })?
            .creds;
        check_params(params).map_err(|e| Failure::invalid(e.message()))?;
        let method = self.inner.transport.method();
        // From a `Vec`, as V1 signs (one instance of the sort for both).
        let mut pairs: Vec<(&str, &str)> = Vec::with_capacity(params.len());
        for (k, v) in params {
            pairs.push((k, v));
        }
        let form = crate::core::CanonicalizedQueryString::new(pairs);
        let empty = crate::core::CanonicalizedQueryString::new(Vec::new());
        let query = if method == HttpMethod::Post {
            &empty
        } else {
            &form
        };
        let body = if method == HttpMethod::Post {
            form.as_str()
        } else {
            ""
        };
        let payload = hashed_payload(body.as_bytes());
        let mut date = String::new();
        timestamp.push_wire(&mut date);
        let mut headers: Vec<(&'static str, &str)> = alloc::vec![
            ("host", host),
            ("x-acs-action", action),
            ("x-acs-version", crate::core::API_VERSION),
            ("x-acs-date", &date),
            ("x-acs-signature-nonce", nonce.as_str()),
            ("x-acs-content-sha256", &payload),
        ];
        if let Some(token) = creds.security_token() {
            headers.push(("x-acs-security-token", token));
        }
        let request = CanonicalRequest::new(method, query, &headers, &payload);
        let string_to_sign = StringToSignV3::new(&request);
        let signature = creds.sign_v3(&string_to_sign);
        let mut sent: Vec<(&'static str, String)> = Vec::with_capacity(headers.len() + 1);
        for (k, v) in &headers[1..] {
            sent.push((k, String::from(*v)));
        }
        sent.push((
            "authorization",
            signature.authorization(creds.access_key_id(), &request),
        ));
        if method == HttpMethod::Post {
            sent.push(("content-type", "application/x-www-form-urlencoded".into()));
        }
        Ok(V3Signed {
            wire: String::from(form.as_str()),
            headers: sent,
            canonical_query: String::from(form.as_str()),
            canonical_request: String::from(request.as_str()),
            string_to_sign: String::from(string_to_sign.as_str()),
            signature: String::from(signature.as_str()),
        })
    }

    /// What an attempt's answer means ([`Attempts::answered`]), with the corrections a retry
    /// needs (clock offset, credentials) applied.
    #[inline(never)]
    fn judge(
        &self,
        attempts: &mut Attempts,
        sent: Result<transport::HttpAnswer, String>,
        started: f64,
        signed: &Signed,
    ) -> Judged {
        let inner = &self.inner;
        let unit = js_sys::Math::random();
        let mut diagnosis = None;
        let mut note = None;
        let verdict = match sent {
            Err(message) => attempts.network_error(&inner.retry, &message, unit),
            Ok(http) => {
                // The envelope is an object: `[…]`, `null`, a number or a string is not.
                let body = http
                    .body
                    .as_ref()
                    .filter(|b| b.is_object() && !js_sys::Array::is_array(b));
                if body.is_none() {
                    note = Some(http.not_envelope_note());
                }
                let field = |k: &'static str| {
                    body.and_then(|b| results::text(&results::at(b, &[k])))
                        .unwrap_or_default()
                };
                let code = field("Code");
                let mut message = field("Message");
                if message.is_empty() {
                    message = field("ErrorMessage");
                }
                let request_id = field("RequestId");
                if crate::core::bulk::is_throttling(&code) {
                    inner.throttles.set(inner.throttles.get().wrapping_add(1));
                }
                if code.eq_ignore_ascii_case("SignatureDoesNotMatch") {
                    // From the platform's own words (the failure's message gets punctuated and
                    // scrubbed); the diagnosis masks the token itself.
                    diagnosis = match signed {
                        Signed::V1(signed) => diagnose(signed.as_str(), &message),
                        // Through a pointer, as V3's signing: SHA-256 stays in the second entry.
                        #[cfg(feature = "v3")]
                        Signed::V3(request) => {
                            type DiagnoseV3 = fn(
                                &Client,
                                &str,
                                &str,
                            )
                                -> Option<crate::core::diagnosis::Diagnosis>;
                            let d: DiagnoseV3 = core::hint::black_box(Client::diagnose_v3);
                            d(self, request, &message)
                        }
                    };
                }
                let success = body.and_then(|b| results::at(b, &["Success"]).as_bool());
                let date_ms = if code.eq_ignore_ascii_case("InvalidTimeStamp.Expired") {
                    http.date_ms()
                } else {
                    f64::NAN
                };
                let answer = Answer {
                    status: http.status,
                    envelope: body.is_some(),
                    code: Some(&code),
                    success,
                    message: &message,
                    request_id: Some(request_id.as_str()).filter(|r| !r.is_empty()),
                    date_ms: Some(date_ms),
                    retry_after_ms: if crate::core::bulk::is_throttling(&code) {
                        http.retry_after_ms()
                    } else {
                        None
                    },
                };
                let verdict = attempts.answered(
                    &inner.retry,
                    inner.provider.is_some(),
                    &answer,
                    now_ms(),
                    unit,
                );
                if verdict == Verdict::Done {
                    let meta = CallMeta {
                        request_id: Some(request_id).filter(|r| !r.is_empty()),
                        attempts: attempts.attempts(),
                        elapsed_ms: now_ms() - started,
                    };
                    return Judged::Done(
                        meta,
                        Body {
                            value: http.body.unwrap_or(JsValue::UNDEFINED),
                            text: http.text,
                        },
                    );
                }
                verdict
            }
        };
        match verdict {
            Verdict::Retry {
                after_ms,
                clock_offset_ms,
                renew_credentials,
            } => {
                if let Some(offset) = clock_offset_ms {
                    inner.offset_ms.set(offset);
                }
                if renew_credentials {
                    inner.signer.replace(None);
                }
                Judged::Retry(after_ms)
            }
            // `Done` returned above: it only follows an HTTP answer.
            Verdict::Done | Verdict::Fail => {
                let mut failure = attempts.failure().cloned().unwrap_or_else(|| {
                    Failure::new(codes::INVALID_RESPONSE, "no answer.", Outcome::Unknown)
                });
                if let (Some(note), true) = (note, failure.code == codes::INVALID_RESPONSE) {
                    if failure.message.as_bytes().last() == Some(&b'.') {
                        failure.message.pop();
                    }
                    failure.message.push_str(&note);
                    failure.message.push('.');
                }
                Judged::Failed(self.error(failure).with_diagnosis(diagnosis))
            }
        }
    }
}

/// A future of a JavaScript result, boxed: the credentials provider's call here and every async
/// method of the JavaScript binding go through [`promise`], so the glue of `future_to_promise`
/// is in the wasm once, not once per future type.
pub(crate) type JsResultFuture = Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// The promise of `f`.
#[inline(never)]
pub(crate) fn promise(f: JsResultFuture) -> Promise {
    future_to_promise(f)
}

/// The parameters of a canonical query, decoded for display: each value scrubbed by `redact`,
/// a `SecurityToken` replaced whole.
fn explained_params(canonical: &str, redact: &dyn Fn(&str) -> String) -> Vec<(String, String)> {
    let mut params = Vec::new();
    for pair in text::split(canonical, b'&') {
        if pair.is_empty() {
            continue;
        }
        let (k, v) = text::split_once(pair, b'=').unwrap_or((pair, ""));
        let k = percent_decode(k);
        let v = if k == "SecurityToken" {
            String::from("** redacted **")
        } else {
            redact(&percent_decode(v))
        };
        params.push((k, v));
    }
    params
}

/// The secret and token of `signer`'s credentials, to scrub from a text (a plain loop: an
/// iterator chain collected is compiled again for each of its uses).
fn secret_texts(signer: &Option<Signer>) -> Vec<&str> {
    let mut out = Vec::new();
    if let Some(s) = signer {
        for t in s.creds.secrets() {
            out.push(t);
        }
    }
    out
}

/// What a call admitted by a rate window asks of it while it runs (the paced calls: bulk calls,
/// jobs, paged reads).
pub(crate) trait Pacing {
    /// Waits for the window to let another attempt (a retry) start, under `signal`; `false`
    /// when it fired first.
    fn admit_again<'a>(
        &'a self,
        signal: &'a AbortSignal,
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>>;
    /// The attempt's request went out (`fetch` called): its start in the window moves to now.
    fn went_out(&self);
}

/// A call in flight ([`Client::send`]).
type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(CallMeta, Body), Error>> + 'a>>;

/// What comes of one attempt.
enum Judged {
    Done(CallMeta, Body),
    Failed(Error),
    /// Send again after this wait, ms.
    Retry(f64),
}

/// `s` as one word of a POSIX shell: in single quotes, each `'` written `'\''`.
fn shell_quote(s: &str) -> String {
    let mut out = String::from("'");
    for (i, piece) in text::split(s, b'\'').enumerate() {
        if i > 0 {
            out.push_str("'\\''");
        }
        out.push_str(piece);
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn a_shell_word_keeps_its_quotes() {
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_quote("''"), "''\\'''\\'''");
    }
}

//! `IotClient`: builds, signs and sends RPC calls with retries, one deadline and cancellation,
//! and turns answers into results or `ThingcallError`s.

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Object, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use super::credentials::{Signer, Source};
use super::error::Failure;
use super::js::{check_keys, opt_bool, opt_number, opt_strings};
use super::js::{get, json_object_param, optional_str, params_from_object, required_str, set};
use super::sign::parse_method;
use super::transport::{send, Cancel, Cause, HttpAnswer, SendError};
use crate::core::outcome::{
    classify_platform_error, codes, is_idempotent_action, redact, RetryReason,
};
use crate::core::request::{check_params, sign_request, CommonParams, Nonce};
use crate::core::signature::SignedStages;
use crate::core::{HttpMethod, Outcome, RetryPolicy, Timestamp};

const DEFAULT_TIMEOUT_MS: f64 = 10_000.0;
const MAX_BATCH: usize = 100;

struct Inner {
    endpoint: String,
    method: HttpMethod,
    region_id: Option<String>,
    iot_instance_id: Option<String>,
    timeout_ms: f64,
    retry: RetryPolicy,
    source: Source,
    clock_offset_ms: Cell<f64>,
}

/// A parsed call: action and its own parameters.
struct Call {
    action: String,
    params: Vec<(String, String)>,
}

/// A successful answer.
struct Answer {
    body: JsValue,
    attempts: u32,
    elapsed_ms: f64,
}

fn positive(v: Option<f64>, path: &str) -> Result<Option<f64>, Failure> {
    match v {
        Some(x) if !(x.is_finite() && x > 0.0) => Err(Failure::invalid(format!(
            "{path}: must be a positive number of ms"
        ))),
        other => Ok(other),
    }
}

/// Checks and normalizes the endpoint: an absolute http(s) URL with no query or fragment.
fn parse_endpoint(s: &str) -> Result<String, Failure> {
    let bad = || {
        Failure::invalid(format!(
            "options.endpoint: \"{s}\" is not an absolute http(s) URL without a query"
        ))
    };
    let url = web_sys::Url::new(s).map_err(|_| bad())?;
    let scheme = url.protocol();
    if (scheme != "https:" && scheme != "http:")
        || !url.search().is_empty()
        || !url.hash().is_empty()
    {
        return Err(bad());
    }
    Ok(url.href())
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Random bytes for nonces, drawn from `crypto.getRandomValues` 1 KiB at a time: one call per
/// 64 nonces instead of one per request (each call costs about 20 µs in Node). Each byte is used once.
struct NoncePool {
    bytes: [u8; 1024],
    next: usize,
}

thread_local! {
    static NONCE_POOL: std::cell::RefCell<NoncePool> =
        const { std::cell::RefCell::new(NoncePool { bytes: [0; 1024], next: 1024 }) };
}

fn random_nonce() -> Result<Nonce, Failure> {
    NONCE_POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        if pool.next + 16 > pool.bytes.len() {
            getrandom::fill(&mut pool.bytes).map_err(|_| {
                Failure::invalid("crypto.getRandomValues is not available for the nonce")
            })?;
            pool.next = 0;
        }
        let mut bytes = [0u8; 16];
        let at = pool.next;
        bytes.copy_from_slice(&pool.bytes[at..at + 16]);
        pool.bytes[at..at + 16].fill(0);
        pool.next = at + 16;
        Ok(Nonce::from_random_bytes(bytes))
    })
}

fn str_of(v: &JsValue, key: &str) -> Option<String> {
    let x = get(v, key);
    x.as_string().or_else(|| {
        x.as_f64()?;
        x.unchecked_ref::<js_sys::Number>()
            .to_string_with_radix(10)
            .ok()
            .map(String::from)
    })
}

impl Inner {
    fn from_options(options: &JsValue) -> Result<Self, Failure> {
        if !options.is_object() {
            return Err(Failure::invalid(
                "new IotClient(options): options must be an object with an endpoint",
            ));
        }
        check_keys(
            options,
            &[
                "endpoint",
                "accessKeyId",
                "accessKeySecret",
                "securityToken",
                "credentials",
                "regionId",
                "iotInstanceId",
                "method",
                "timeoutMs",
                "retry",
            ],
            "options",
        )?;
        check_keys(
            &get(options, "retry"),
            &["maxAttempts", "baseDelayMs", "maxDelayMs", "retryUnknown"],
            "options.retry",
        )?;
        let endpoint = parse_endpoint(&required_str(options, "endpoint", "options")?)?;
        let method = parse_method(&get(options, "method"), "options.method")?.unwrap_or_default();
        let timeout_ms = positive(
            opt_number(options, "timeoutMs", "options")?,
            "options.timeoutMs",
        )?
        .unwrap_or(DEFAULT_TIMEOUT_MS);
        let mut retry = RetryPolicy::default();
        let r = get(options, "retry");
        if let Some(n) = opt_number(&r, "maxAttempts", "options.retry")? {
            if !(1.0..=10.0).contains(&n) || n.fract() != 0.0 {
                return Err(Failure::invalid(
                    "options.retry.maxAttempts: must be a whole number 1..10",
                ));
            }
            retry.max_attempts = n as u32;
        }
        for (name, slot) in [
            ("baseDelayMs", &mut retry.base_delay_ms),
            ("maxDelayMs", &mut retry.max_delay_ms),
        ] {
            if let Some(x) = opt_number(&r, name, "options.retry")? {
                if x < 0.0 {
                    return Err(Failure::invalid(format!(
                        "options.retry.{name}: must be >= 0"
                    )));
                }
                *slot = x;
            }
        }
        retry.retry_unknown = opt_bool(&r, "retryUnknown", "options.retry")?.unwrap_or(false);
        Ok(Self {
            endpoint,
            method,
            region_id: optional_str(options, "regionId", "options")?,
            iot_instance_id: optional_str(options, "iotInstanceId", "options")?,
            timeout_ms,
            retry,
            source: Source::from_options(options)?,
            clock_offset_ms: Cell::new(0.0),
        })
    }

    fn secrets(&self) -> Vec<String> {
        self.source
            .current()
            .map(|s| s.creds.secrets().map(String::from).collect())
            .unwrap_or_default()
    }

    fn fail(&self, f: Failure) -> JsValue {
        let secrets = self.secrets();
        f.into_js(secrets.iter().map(String::as_str))
    }

    fn sign(
        &self,
        signer: &Signer,
        call: &Call,
        method: HttpMethod,
        nonce: &Nonce,
        ts: Timestamp,
    ) -> Result<SignedStages, Failure> {
        let common = CommonParams {
            action: &call.action,
            credentials: &signer.creds,
            region_id: self.region_id.as_deref(),
            nonce,
            timestamp: ts,
        };
        sign_request(method, &common, &call.params, &signer.key)
            .map_err(|e| Failure::invalid(e.to_string()))
    }

    /// Runs a call to completion: attempts, retries, deadline.
    async fn execute(
        &self,
        call: Call,
        signal: Option<AbortSignal>,
        timeout_ms: f64,
    ) -> Result<Answer, Failure> {
        let started = now_ms();
        let cancel = Cancel::new(signal, timeout_ms)?;
        let idempotent = is_idempotent_action(&call.action);
        let mut outcome = Outcome::NotSent;
        let mut spent: Vec<RetryReason> = Vec::new();
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let signer = self
                .source
                .get(now_ms() + self.clock_offset_ms.get(), &cancel)
                .await
                .map_err(|mut f| {
                    f.outcome = f.outcome.max(outcome);
                    f.attempts = attempt - 1;
                    f
                })?;
            let ts = Timestamp::from_unix_millis(now_ms() + self.clock_offset_ms.get());
            let stages = self.sign(&signer, &call, self.method, &random_nonce()?, ts)?;
            let wire = stages.canonical.with_signature(&stages.signature);
            drop(stages);
            let sent = send(&self.endpoint, self.method, &wire, &cancel).await;
            let (mut failure, reason) = match sent {
                Err(SendError::Build(m)) => {
                    return Err(Failure::invalid(format!("options.endpoint: {m}")))
                }
                Err(SendError::Cancelled) => {
                    let mut f = cancel.failure(Outcome::Unknown);
                    f.attempts = attempt;
                    return Err(f);
                }
                Err(SendError::Network(m)) => (
                    Failure::new(
                        codes::NETWORK_ERROR,
                        format!("fetch failed: {m}."),
                        Outcome::Unknown,
                    ),
                    Some(RetryReason::OutcomeUnknown),
                ),
                Ok(answer) => match self.interpret(answer) {
                    Ok(body) => {
                        return Ok(Answer {
                            body,
                            attempts: attempt,
                            elapsed_ms: now_ms() - started,
                        })
                    }
                    Err((f, reason)) => (f, reason),
                },
            };
            outcome = outcome.max(failure.outcome);
            failure.outcome = outcome;
            failure.attempts = attempt;
            let server_ms = if reason == Some(RetryReason::ClockSkew) {
                self.server_time(&failure)
            } else {
                None
            };
            let reason = match reason {
                // Only a provider can give new credentials.
                Some(RetryReason::CredentialsExpired) if !self.source.refreshable() => None,
                // Without the server's time there is nothing to correct.
                Some(RetryReason::ClockSkew) if server_ms.is_none() => None,
                r => r,
            };
            failure.retryable = reason.is_some_and(|r| self.retry.is_safe(r, idempotent));
            let Some(r) = reason.filter(|r| self.retry.allows(*r, attempt, idempotent, &spent))
            else {
                return Err(failure);
            };
            match r {
                RetryReason::ClockSkew => {
                    if let Some(server_ms) = server_ms {
                        self.clock_offset_ms.set(server_ms - now_ms());
                    }
                }
                // Provided credentials ran out early: fetch new ones and sign again.
                RetryReason::CredentialsExpired => self.source.invalidate(),
                _ => {}
            }
            spent.push(r);
            let wait = self.retry.backoff_ms(r, attempt, js_sys::Math::random());
            if let Err(cause) = cancel.sleep(wait).await {
                let mut f = cancel.failure(outcome);
                if cause == Cause::Timeout {
                    f.message = format!(
                        "{} The last attempt failed with {}.",
                        f.message, failure.code
                    );
                }
                f.attempts = attempt;
                return Err(f);
            }
        }
    }

    /// The server's time (Unix ms, mid-second) from the answer's `Date` (which `interpret` put
    /// into the failure's message) or from the platform's message.
    fn server_time(&self, failure: &Failure) -> Option<f64> {
        const MARK: &str = "Server time is ";
        let at = crate::core::outcome::find(&failure.message, MARK)? + MARK.len();
        let server = Timestamp::parse(failure.message.get(at..at + 20)?).ok()?;
        Some((server.unix_seconds() as f64) * 1000.0 + 500.0)
    }

    /// A platform answer: its parsed body when it is a success, else the failure.
    fn interpret(&self, answer: HttpAnswer) -> Result<JsValue, (Failure, Option<RetryReason>)> {
        let status = answer.status;
        let body = super::js::json_parse(&answer.body)
            .ok()
            .filter(JsValue::is_object);
        let Some(body) = body else {
            let mut f = Failure::new(
                codes::INVALID_RESPONSE,
                format!("HTTP {status} with a body that is not the platform's JSON envelope."),
                Outcome::Unknown,
            );
            f.http_status = Some(status);
            return Err((f, Some(RetryReason::OutcomeUnknown)));
        };
        let code = get(&body, "Code").as_string().filter(|c| !c.is_empty());
        let success = get(&body, "Success").as_bool();
        if (200..300).contains(&status) && success != Some(false) && code.is_none() {
            return Ok(body);
        }
        let request_id = str_of(&body, "RequestId");
        let Some(code) = code else {
            let mut f = Failure::new(
                codes::INVALID_RESPONSE,
                format!("HTTP {status} without an error Code."),
                Outcome::Unknown,
            );
            f.http_status = Some(status);
            f.request_id = request_id;
            return Err((f, Some(RetryReason::OutcomeUnknown)));
        };
        let (outcome, reason) = classify_platform_error(&code, status);
        let platform_message = str_of(&body, "Message")
            .or_else(|| str_of(&body, "ErrorMessage"))
            .unwrap_or_default();
        let mut message = redact(&platform_message, self.secrets().iter().map(String::as_str));
        if !message.is_empty() && !message.ends_with('.') {
            message.push('.');
        }
        if reason == Some(RetryReason::ClockSkew) {
            if let Some(t) = answer.date.as_deref().and_then(Timestamp::parse_http_date) {
                message = format!("{message} Server time is {t}.");
            }
        }
        let mut f = Failure::new(&code, message, outcome);
        f.http_status = Some(status);
        f.request_id = request_id;
        Err((f, reason))
    }

    fn call_options(&self, options: &JsValue) -> Result<(Option<AbortSignal>, f64), Failure> {
        check_keys(options, &["signal", "timeoutMs"], "options")?;
        let signal = get(options, "signal");
        let signal = if signal.is_undefined() || signal.is_null() {
            None
        } else {
            Some(
                signal
                    .dyn_into::<AbortSignal>()
                    .map_err(|_| Failure::invalid("options.signal: must be an AbortSignal"))?,
            )
        };
        let timeout = positive(
            opt_number(options, "timeoutMs", "options")?,
            "options.timeoutMs",
        )?
        .unwrap_or(self.timeout_ms);
        Ok((signal, timeout))
    }

    /// Device addressing and instance: `IotId`, or `ProductKey` + `DeviceName`.
    fn device_params(
        &self,
        req: &JsValue,
        ctx: &str,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), Failure> {
        let iot_id = optional_str(req, "iotId", ctx)?;
        let pk = optional_str(req, "productKey", ctx)?;
        let dn = optional_str(req, "deviceName", ctx)?;
        if iot_id.is_none() && (pk.is_none() || dn.is_none()) {
            return Err(Failure::invalid(format!(
                "{ctx}: give the device as iotId, or as productKey and deviceName"
            )));
        }
        if let Some(v) = iot_id {
            out.push(("IotId".into(), v));
        }
        if let (Some(pk), Some(dn)) = (pk, dn) {
            out.push(("ProductKey".into(), pk));
            out.push(("DeviceName".into(), dn));
        }
        self.instance_param(req, ctx, out)
    }

    fn instance_param(
        &self,
        req: &JsValue,
        ctx: &str,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), Failure> {
        if let Some(v) =
            optional_str(req, "iotInstanceId", ctx)?.or_else(|| self.iot_instance_id.clone())
        {
            out.push(("IotInstanceId".into(), v));
        }
        Ok(())
    }

    fn batch_params(
        &self,
        req: &JsValue,
        ctx: &str,
        out: &mut Vec<(String, String)>,
    ) -> Result<(), Failure> {
        out.push(("ProductKey".into(), required_str(req, "productKey", ctx)?));
        let names = opt_strings(req, "deviceNames", ctx)?.unwrap_or_default();
        if names.is_empty() || names.len() > MAX_BATCH {
            return Err(Failure::invalid(format!(
                "{ctx}.deviceNames: give 1 to {MAX_BATCH} device names (got {})",
                names.len()
            )));
        }
        for (i, n) in names.into_iter().enumerate() {
            if n.is_empty() {
                return Err(Failure::invalid(format!("{ctx}.deviceNames[{i}]: empty")));
            }
            out.push((format!("DeviceName.{}", i + 1), n));
        }
        self.instance_param(req, ctx, out)
    }
}

fn require_object(req: &JsValue, ctx: &str) -> Result<(), Failure> {
    if req.is_object() && !Array::is_array(req) {
        Ok(())
    } else {
        Err(Failure::invalid(format!(
            "{ctx}: expected a request object"
        )))
    }
}

#[wasm_bindgen(module = "/js/results.js")]
extern "C" {
    #[wasm_bindgen(js_name = invokeResult)]
    fn invoke_result_js(body: &JsValue, attempts: u32, elapsed_ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = propertyStatusResult)]
    fn property_status_result_js(body: &JsValue, attempts: u32, elapsed_ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = callResult)]
    fn call_result_js(body: &JsValue, attempts: u32, elapsed_ms: f64) -> JsValue;
}

/// `{ requestId, messageId, mode, result?, rawResult?, code? }` (see `js/results.js`).
fn invoke_result(a: &Answer) -> JsValue {
    invoke_result_js(&a.body, a.attempts, a.elapsed_ms)
}

/// `{ requestId, properties: [...] }`.
fn property_status_result(a: &Answer) -> JsValue {
    property_status_result_js(&a.body, a.attempts, a.elapsed_ms)
}

/// `{ requestId, messageId?, data, body }`.
fn generic_result(a: &Answer) -> JsValue {
    call_result_js(&a.body, a.attempts, a.elapsed_ms)
}

/// A client of the IoT Platform RPC API (version 2018-01-20) that signs every request in
/// WebAssembly and sends it with `fetch`.
///
/// Calls reject with a `ThingcallError` (`code`, `outcome`, `retryable`, `attempts`, ...).
/// Retries are safe by default: an invoke or set whose outcome is unknown is never sent twice
/// unless `retry.retryUnknown` is set.
#[wasm_bindgen]
pub struct IotClient {
    inner: Rc<Inner>,
}

/// How a device action's request object becomes its parameters.
struct ActionSpec {
    /// The platform's action name.
    action: &'static str,
    /// The JS method name, for error messages.
    ctx: &'static str,
    /// One device (`iotId` or `productKey` + `deviceName`), or a batch (`deviceNames`).
    batch: bool,
    /// What follows the addressing.
    payload: Payload,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Payload {
    None,
    /// `Identifier` and `Args`.
    Service,
    /// `Items` (required).
    Items,
}

impl ActionSpec {
    const fn new(action: &'static str, ctx: &'static str, batch: bool, payload: Payload) -> Self {
        Self {
            action,
            ctx,
            batch,
            payload,
        }
    }
}

#[rustfmt::skip]
const INVOKE_THING_SERVICE: ActionSpec = ActionSpec::new("InvokeThingService", "invokeThingService", false, Payload::Service);
#[rustfmt::skip]
const SET_DEVICE_PROPERTY: ActionSpec = ActionSpec::new("SetDeviceProperty", "setDeviceProperty", false, Payload::Items);
#[rustfmt::skip]
const QUERY_DEVICE_PROPERTY_STATUS: ActionSpec = ActionSpec::new("QueryDevicePropertyStatus", "queryDevicePropertyStatus", false, Payload::None);
#[rustfmt::skip]
const QUERY_DEVICE_DETAIL: ActionSpec = ActionSpec::new("QueryDeviceDetail", "queryDeviceDetail", false, Payload::None);
#[rustfmt::skip]
const INVOKE_THINGS_SERVICE: ActionSpec = ActionSpec::new("InvokeThingsService", "invokeThingsService", true, Payload::Service);
#[rustfmt::skip]
const SET_DEVICES_PROPERTY: ActionSpec = ActionSpec::new("SetDevicesProperty", "setDevicesProperty", true, Payload::Items);

impl Inner {
    /// Shapes `req` for `spec`: addressing, then the payload.
    fn shape(&self, spec: &ActionSpec, req: &JsValue) -> Result<Call, Failure> {
        let ctx = spec.ctx;
        require_object(req, ctx)?;
        let mut params = Vec::with_capacity(6);
        if spec.batch {
            self.batch_params(req, ctx, &mut params)?;
        } else {
            self.device_params(req, ctx, &mut params)?;
        }
        match spec.payload {
            Payload::None => {}
            Payload::Service => {
                params.push(("Identifier".into(), required_str(req, "identifier", ctx)?));
                let args = json_object_param(&get(req, "args"), &format!("{ctx}.args"))?;
                params.push(("Args".into(), args));
            }
            Payload::Items => {
                let items = get(req, "items");
                if items.is_undefined() || items.is_null() {
                    return Err(Failure::invalid(format!("{ctx}.items is required")));
                }
                params.push((
                    "Items".into(),
                    json_object_param(&items, &format!("{ctx}.items"))?,
                ));
            }
        }
        Ok(Call {
            action: spec.action.into(),
            params,
        })
    }
}

impl IotClient {
    /// Parses the request, runs it and shapes the result; everything rejects, nothing throws.
    fn run(
        &self,
        request: JsValue,
        options: Option<JsValue>,
        spec: &'static ActionSpec,
        shape: fn(&Answer) -> JsValue,
    ) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let opts = options.unwrap_or(JsValue::UNDEFINED);
            let prepared = inner
                .call_options(&opts)
                .and_then(|o| Ok((inner.shape(spec, &request)?, o)));
            let (call, (signal, timeout)) = prepared.map_err(|f| inner.fail(f))?;
            match inner.execute(call, signal, timeout).await {
                Ok(answer) => Ok(shape(&answer)),
                Err(f) => Err(inner.fail(f)),
            }
        })
    }

    fn presigned(
        &self,
        action: &str,
        params: &JsValue,
        options: &JsValue,
        method: HttpMethod,
    ) -> Result<(SignedStages, Rc<Signer>), Failure> {
        let call = Call {
            action: action.to_string(),
            params: params_from_object(params, "params")?,
        };
        check_params(&call.params).map_err(|e| Failure::invalid(e.to_string()))?;
        let signer = self.inner.source.current().ok_or_else(|| {
            Failure::new(
                codes::CREDENTIALS_ERROR,
                "no credentials yet: make a call (or await refreshCredentials()) first.",
                Outcome::NotSent,
            )
        })?;
        check_keys(options, &["nonce", "timestamp"], "options")?;
        let nonce = match optional_str(options, "nonce", "options")? {
            Some(n) => Nonce::from_string(n),
            None => random_nonce()?,
        };
        let ts = get(options, "timestamp");
        let ts = if ts.is_undefined() || ts.is_null() {
            Timestamp::from_unix_millis(now_ms() + self.inner.clock_offset_ms.get())
        } else if let Some(d) = ts.dyn_ref::<js_sys::Date>() {
            let ms = d.get_time();
            if !ms.is_finite() {
                return Err(Failure::invalid("options.timestamp: an invalid Date"));
            }
            Timestamp::from_unix_millis(ms)
        } else if let Some(s) = ts.as_string() {
            Timestamp::parse(&s).map_err(|e| Failure::invalid(format!("options.timestamp: {e}")))?
        } else {
            return Err(Failure::invalid(
                "options.timestamp: a Date or a YYYY-MM-DDThh:mm:ssZ string",
            ));
        };
        let stages = self.inner.sign(&signer, &call, method, &nonce, ts)?;
        Ok((stages, signer))
    }
}

impl IotClient {
    /// A `curl` command line sending `wire` with `method`.
    fn curl(&self, method: HttpMethod, wire: &str) -> String {
        let endpoint = &self.inner.endpoint;
        match method {
            HttpMethod::Get => format!("curl {}", shell_quote(&format!("{endpoint}?{wire}"))),
            HttpMethod::Post => format!(
                "curl -X POST -H 'Content-Type: application/x-www-form-urlencoded' --data {} {}",
                shell_quote(wire),
                shell_quote(endpoint)
            ),
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

#[wasm_bindgen]
impl IotClient {
    /// Creates a client. `endpoint` is the whole API URL (e.g. `https://iot.cn-shanghai.aliyuncs.com/`).
    /// Credentials: `accessKeyId` + `accessKeySecret` (+ `securityToken`), or
    /// `credentials: async () => ({ accessKeyId, accessKeySecret, securityToken, expiration })`,
    /// called on first use and again shortly before `expiration` (one call at a time).
    /// Throws a `ThingcallError` (`InvalidArgument`) for bad options.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "IotClientOptions")] options: JsValue,
    ) -> Result<IotClient, JsValue> {
        Inner::from_options(&options)
            .map(|inner| IotClient {
                inner: Rc::new(inner),
            })
            .map_err(|f| {
                let secret = get(&options, "accessKeySecret")
                    .as_string()
                    .unwrap_or_default();
                let token = get(&options, "securityToken")
                    .as_string()
                    .unwrap_or_default();
                f.into_js([secret.as_str(), token.as_str()])
            })
    }

    /// Calls a service of a device's thing model (`InvokeThingService`). `args` is an object
    /// (serialized with `JSON.stringify`) or a JSON object string; `{}` when absent. A synchronous
    /// service resolves with the device's `result` (parsed `Data.Result`) and `mode: "sync"`; an
    /// asynchronous one with only a `messageId` and `mode: "async"`.
    #[wasm_bindgen(js_name = invokeThingService, unchecked_return_type = "Promise<InvokeThingServiceResult>")]
    pub fn invoke_thing_service(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InvokeThingServiceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.run(request, options, &INVOKE_THING_SERVICE, invoke_result)
    }

    /// Sets properties of a device (`SetDeviceProperty`, asynchronous): `items` is an object or a
    /// JSON object string. Resolves with the `messageId`.
    #[wasm_bindgen(js_name = setDeviceProperty, unchecked_return_type = "Promise<SetDevicePropertyResult>")]
    pub fn set_device_property(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SetDevicePropertyRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.run(request, options, &SET_DEVICE_PROPERTY, generic_result)
    }

    /// Reads a device's properties (`QueryDevicePropertyStatus`), as a flat list of
    /// `{ identifier, value, rawValue, time, dataType, name, unit }` in `properties`.
    #[wasm_bindgen(js_name = queryDevicePropertyStatus, unchecked_return_type = "Promise<QueryDevicePropertyStatusResult>")]
    pub fn query_device_property_status(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.run(
            request,
            options,
            &QUERY_DEVICE_PROPERTY_STATUS,
            property_status_result,
        )
    }

    /// Reads a device's details (`QueryDeviceDetail`): `data` is the platform's `Data`
    /// (`IotId`, `ProductKey`, `DeviceName`, `Status`, ...).
    #[wasm_bindgen(js_name = queryDeviceDetail, unchecked_return_type = "Promise<CallResult>")]
    pub fn query_device_detail(
        &self,
        #[wasm_bindgen(unchecked_param_type = "DeviceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.run(request, options, &QUERY_DEVICE_DETAIL, generic_result)
    }

    /// Calls a service on up to 100 devices of one product (`InvokeThingsService`, asynchronous).
    #[wasm_bindgen(js_name = invokeThingsService, unchecked_return_type = "Promise<CallResult>")]
    pub fn invoke_things_service(
        &self,
        #[wasm_bindgen(unchecked_param_type = "InvokeThingsServiceRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.run(request, options, &INVOKE_THINGS_SERVICE, generic_result)
    }

    /// Sets properties on up to 100 devices of one product (`SetDevicesProperty`, asynchronous).
    #[wasm_bindgen(js_name = setDevicesProperty, unchecked_return_type = "Promise<CallResult>")]
    pub fn set_devices_property(
        &self,
        #[wasm_bindgen(unchecked_param_type = "SetDevicesPropertyRequest")] request: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        self.run(request, options, &SET_DEVICES_PROPERTY, generic_result)
    }

    /// Calls any RPC action with its own parameters (strings, numbers or booleans); the common
    /// parameters and the signature are added. Resolves with `{ requestId, data, body, ... }`.
    /// Read-only actions (`Query*`, `Get*`, `List*`, `Describe*`) are retried when their outcome
    /// is unknown; others only with `retry.retryUnknown`.
    #[wasm_bindgen(unchecked_return_type = "Promise<CallResult>")]
    pub fn call(
        &self,
        action: &str,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "CallOptions")] options: Option<JsValue>,
    ) -> Promise {
        let action = action.to_string();
        let inner = self.inner.clone();
        future_to_promise(async move {
            let opts = options.unwrap_or(JsValue::UNDEFINED);
            let prepared = (|| {
                if action.is_empty() {
                    return Err(Failure::invalid("call: action is required"));
                }
                let params = params_from_object(&params, "params")?;
                check_params(&params).map_err(|e| Failure::invalid(e.to_string()))?;
                Ok((Call { action, params }, inner.call_options(&opts)?))
            })();
            let (call, (signal, timeout)) = prepared.map_err(|f| inner.fail(f))?;
            match inner.execute(call, signal, timeout).await {
                Ok(a) => Ok(generic_result(&a)),
                Err(f) => Err(inner.fail(f)),
            }
        })
    }

    /// Returns a signed GET URL for `action` with `params`. Deterministic when both `nonce` and
    /// `timestamp` (a `Date` or the wire string `YYYY-MM-DDThh:mm:ssZ`) are given. Uses the
    /// static credentials, or the provider's current ones (after a first call or
    /// `refreshCredentials()`). The URL carries the SecurityToken: treat it as a secret.
    #[wasm_bindgen]
    pub fn presign(
        &self,
        action: &str,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let opts = options.unwrap_or(JsValue::UNDEFINED);
        let (stages, _) = self
            .presigned(action, &params, &opts, HttpMethod::Get)
            .map_err(|f| self.inner.fail(f))?;
        Ok(format!(
            "{}?{}",
            self.inner.endpoint,
            stages.canonical.with_signature(&stages.signature)
        ))
    }

    /// Returns a ready `curl` command line for `action` with `params`, with the client's method
    /// (POST with a form body by default). Same options as `presign`.
    #[wasm_bindgen(js_name = toCurl)]
    pub fn to_curl(
        &self,
        action: &str,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: Option<JsValue>,
    ) -> Result<String, JsValue> {
        let opts = options.unwrap_or(JsValue::UNDEFINED);
        let method = self.inner.method;
        let (stages, _) = self
            .presigned(action, &params, &opts, method)
            .map_err(|f| self.inner.fail(f))?;
        Ok(self.curl(method, &stages.canonical.with_signature(&stages.signature)))
    }

    /// Shows how a request is signed, for display: the sorted parameters, canonical query,
    /// string-to-sign, signature and signed URL, with the SecurityToken (and the secret, were
    /// it anywhere) replaced by `** redacted **`. Same options as `presign`.
    #[wasm_bindgen(unchecked_return_type = "SigningExplanation")]
    pub fn explain(
        &self,
        action: &str,
        #[wasm_bindgen(unchecked_param_type = "Params")] params: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "PresignOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let opts = options.unwrap_or(JsValue::UNDEFINED);
        let method = self.inner.method;
        let (stages, signer) = self
            .presigned(action, &params, &opts, method)
            .map_err(|f| self.inner.fail(f))?;
        let secrets: Vec<&str> = signer.creds.secrets().collect();
        let r = |s: &str| redact(s, secrets.iter().copied());
        let out = Object::new();
        set(&out, "method", method.as_str());
        let sorted = Array::new();
        for pair in stages.canonical.as_str().split('&') {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = js_sys::decode_uri_component(k)
                .map(String::from)
                .unwrap_or_else(|_| k.into());
            let v = js_sys::decode_uri_component(v)
                .map(String::from)
                .unwrap_or_else(|_| v.into());
            let v = if k == "SecurityToken" {
                "** redacted **".to_string()
            } else {
                v
            };
            sorted.push(&Array::of2(&k.into(), &v.into()));
        }
        set(&out, "params", sorted);
        set(&out, "canonicalQuery", r(stages.canonical.as_str()));
        set(&out, "stringToSign", r(stages.string_to_sign.as_str()));
        set(&out, "signature", stages.signature.as_str());
        let wire = r(&stages.canonical.with_signature(&stages.signature));
        let url = format!("{}?{wire}", self.inner.endpoint);
        set(&out, "url", url.as_str());
        set(&out, "curl", self.curl(method, &wire));
        if method == HttpMethod::Post {
            set(&out, "body", wire);
        }
        Ok(out.into())
    }

    /// Fetches credentials from the provider now (a no-op for static keys), e.g. before
    /// `presign`. Rejects with `CredentialsError` when the provider fails.
    #[wasm_bindgen(js_name = refreshCredentials, unchecked_return_type = "Promise<void>")]
    pub fn refresh_credentials(&self) -> Promise {
        let inner = self.inner.clone();
        future_to_promise(async move {
            let cancel = Cancel::new(None, inner.timeout_ms).map_err(|f| inner.fail(f))?;
            inner
                .source
                .get(now_ms() + inner.clock_offset_ms.get(), &cancel)
                .await
                .map(|_| JsValue::UNDEFINED)
                .map_err(|f| inner.fail(f))
        })
    }

    /// The client's estimate of server time minus local time, in ms (learned from an
    /// `InvalidTimeStamp.Expired` answer; 0 until then).
    #[wasm_bindgen(getter, js_name = clockOffsetMs)]
    pub fn clock_offset_ms(&self) -> f64 {
        self.inner.clock_offset_ms.get()
    }

    /// The normalized endpoint URL.
    #[wasm_bindgen(getter)]
    pub fn endpoint(&self) -> String {
        self.inner.endpoint.clone()
    }

    /// `"GET"` or `"POST"`.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.inner.method.as_str().into()
    }
}

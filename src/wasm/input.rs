//! What JavaScript passes in, read with `js_sys::Reflect` and checked: client options, call
//! options, presign options, device requests and params objects, each turned into the client's
//! typed values. Every failure is an `InvalidArgument` naming its field (never a value, so no
//! secret can end up in a message); unknown option names are refused (catches `timeoutMS`).

use alloc::string::String;
use alloc::vec::Vec;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::client::{
    BulkOptions, CallOptions, ClientOptions, CredentialsProvider, CredentialsSource, Device, Error,
    InvokeThingService, InvokeThingsService, Params, Payload, PresignOptions, Progress,
    PropertySet, ProvidedCredentials, ServiceCall, SetDeviceProperty, SetDevicesProperty,
    MAX_TIMER_MS,
};
use crate::core::attempts::{concat, push_u64};
use crate::core::outcome::find;
use crate::core::request::RESERVED_PARAMS;
use crate::core::{Credentials, HttpMethod, RetryPolicy, Timestamp};

#[wasm_bindgen(typescript_custom_section)]
const TS_INPUT: &'static str = r#"
/** `"GET"` (parameters in the query) or `"POST"` (an `application/x-www-form-urlencoded` body). */
export type HttpMethodName = "GET" | "POST";
/** A parameter value: numbers and booleans are stringified as JavaScript does; `null`/`undefined` are left out. */
export type ParamValue = string | number | boolean | null | undefined;
/** RPC parameters by name. */
export type Params = Record<string, ParamValue>;

/** Temporary (STS) or long-lived credentials returned by a provider. */
export interface ProvidedCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** When they expire: a Date, an ISO 8601 string or Unix ms. Refreshed up to 5 minutes before. */
  expiration?: Date | string | number;
}

/** Retry settings: full-jitter exponential back-off. */
export interface RetryOptions {
  /** Attempts in all, the first included (1..10). Default 3. */
  maxAttempts?: number;
  /** Back-off ceiling of the first retry, ms. Default 100. */
  baseDelayMs?: number;
  /** Largest back-off, ms. Default 2000. */
  maxDelayMs?: number;
  /** Also retry invoke/set calls whose outcome is unknown (the device may act twice). Default false. */
  retryUnknown?: boolean;
}

/** Options of `new IotClient(...)`. */
export interface IotClientOptions {
  /** The API URL, e.g. `https://iot.cn-shanghai.aliyuncs.com/`; in a page or worker also a relative one (`/iot/`, a same-origin relay). */
  endpoint: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** Called for credentials on first use and shortly before `expiration`; one call at a time. */
  credentials?: () => ProvidedCredentials | Promise<ProvidedCredentials>;
  regionId?: string;
  /** Sent as `IotInstanceId` with every device call (a call's own wins). */
  iotInstanceId?: string;
  /** Default `"POST"`. */
  method?: HttpMethodName;
  /** Deadline of a whole call (credentials, attempts, back-off), ms (1 to 2147483647). Default 10000. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** Check `args` and `items` against the product's thing model before sending (see `thingModel`). Default false. */
  checkArgs?: boolean;
}

/** Per-call options. */
export interface CallOptions {
  signal?: AbortSignal;
  /** Overrides the client's `timeoutMs` for this call. */
  timeoutMs?: number;
  /** invokeThingService and setDeviceProperty: check `args`/`items` against the thing model first (the client's `checkArgs` when absent). */
  checkArgs?: boolean;
}

/** Options of `presign`, `toCurl` and `explain`. */
export interface PresignOptions {
  /** `SignatureNonce`; random when absent. */
  nonce?: string;
  /** `Timestamp`: a Date or `YYYY-MM-DDThh:mm:ssZ`; now when absent. */
  timestamp?: Date | string;
}

/** A device: by `iotId`, or by `productKey` + `deviceName` (`iotId` wins when both are given). */
export type DeviceRequest =
  | { iotId: string; productKey?: string; deviceName?: string; iotInstanceId?: string }
  | { iotId?: string; productKey: string; deviceName: string; iotInstanceId?: string };

export type InvokeThingServiceRequest = DeviceRequest & {
  /** The service's identifier (`module:service` for a non-default module). */
  identifier: string;
  /** An object (sent with JSON.stringify) or a JSON object string. Floats that must keep a decimal point (`10.0`) need the string form. */
  args?: Record<string, unknown> | string;
};

export type SetDevicePropertyRequest = DeviceRequest & { items: Record<string, unknown> | string };

export interface InvokeThingsServiceRequest {
  productKey: string;
  /** 1 to 100 device names. */
  deviceNames: string[];
  identifier: string;
  args?: Record<string, unknown> | string;
  iotInstanceId?: string;
}

/** A target of a bulk call: a device by `iotId`, or by `productKey` + `deviceName`. */
export type DeviceTarget =
  | { iotId: string; productKey?: string; deviceName?: string }
  | { iotId?: string; productKey: string; deviceName: string };

/** The service call of `invokeMany`, the same for every target. */
export interface BulkServiceCall {
  identifier: string;
  /** An object (sent with JSON.stringify) or a JSON object string. */
  args?: Record<string, unknown> | string;
  iotInstanceId?: string;
}

/** The property set of `setPropertyMany`, the same for every target. */
export interface BulkPropertySet {
  items: Record<string, unknown> | string;
  iotInstanceId?: string;
}

/** How far a bulk call is: settled targets, of which ok and failed. */
export interface BulkProgress {
  done: number;
  total: number;
  ok: number;
  failed: number;
}

/** Options of `invokeMany` and `setPropertyMany`. */
export interface BulkOptions {
  /** Calls in flight at once, 1 to 256. Default 16. */
  concurrency?: number;
  /** Calls started in any one second at most (shared by every bulk call of the client, slower after throttling). Default and maximum: the platform's limit, 500 (10 with `batch`). */
  qps?: number;
  /** Stops starting calls: those in flight settle, the rest are `not_sent` (`Aborted`). */
  signal?: AbortSignal;
  /** Called at most every 100 ms, and once at the end. */
  onProgress?: (progress: BulkProgress) => void;
  /** One InvokeThingsService / SetDevicesProperty per 100 devices (asynchronous services; every target by productKey + deviceName of one product). */
  batch?: boolean;
  /** The deadline of each call, ms. Default: the client's. */
  timeoutMs?: number;
  /** Check `args`/`items` against each product's thing model once, before any call. */
  checkArgs?: boolean;
}

export interface SetDevicesPropertyRequest {
  productKey: string;
  deviceNames: string[];
  items: Record<string, unknown> | string;
  iotInstanceId?: string;
}
"#;

#[cold]
#[inline(never)]
pub fn invalid(message: impl Into<String>) -> Error {
    Error::invalid(message)
}

/// `o[key]`, or `undefined` when `o` is not an object.
pub fn get(o: &JsValue, key: &'static str) -> JsValue {
    if !o.is_object() && !o.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(o, &name(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Slots of the property-name cache: more than the names the API reads.
const NAME_SLOTS: usize = 256;

std::thread_local! {
    /// Each property name read as a JavaScript string made once, found by the address and length
    /// of the crate's own `&'static str` (open addressing): reading an option or a request's
    /// field would otherwise decode a new string on every call.
    static NAMES: core::cell::RefCell<Vec<(usize, usize, JsValue)>> =
        const { core::cell::RefCell::new(Vec::new()) };
}

fn name(key: &'static str) -> JsValue {
    let (addr, len) = (key.as_ptr() as usize, key.len());
    // The borrow ends before the caller reads the property (a getter may call back in).
    NAMES.with_borrow_mut(|slots| {
        if slots.is_empty() {
            slots.resize(NAME_SLOTS, (0, 0, JsValue::UNDEFINED));
        }
        let mut i = (addr.wrapping_mul(0x9E37_79B9) >> 8) % NAME_SLOTS;
        for _ in 0..NAME_SLOTS {
            match slots.get_mut(i) {
                Some((a, l, name)) if *a == addr && *l == len => return name.clone(),
                Some(slot @ (0, _, _)) => {
                    *slot = (addr, len, JsValue::from_str(key));
                    return slot.2.clone();
                }
                _ => i = (i + 1) % NAME_SLOTS,
            }
        }
        JsValue::from_str(key)
    })
}

/// `v` as a Rust string when it is a JavaScript string; `Some(Err(()))` when it holds a lone
/// UTF-16 surrogate, which `as_string` would turn into U+FFFD (so something else would be sent).
fn js_str(v: &JsValue) -> Option<Result<String, ()>> {
    let s = v.as_string()?;
    // A lone surrogate comes out as U+FFFD: only then ask the engine whether the string had one
    // or a real U+FFFD (js-sys's `is_valid_utf16` makes one call per code unit).
    // (`find`: the crate's plain scan; `str::contains` brings a searcher of its own.)
    // (A byte test first: U+FFFD is EF BF BD in UTF-8, and most strings hold no 0xEF at all.)
    Some(
        if s.as_bytes().contains(&0xEF) && find(&s, "\u{FFFD}").is_some() && !well_formed(v) {
            Err(())
        } else {
            Ok(s)
        },
    )
}

/// Parameter names most requests carry besides the common ones ([`RESERVED_PARAMS`]): the
/// device calls'.
const DEVICE_PARAMS: [&str; 9] = [
    "RegionId",
    "IotInstanceId",
    "ProductKey",
    "DeviceName",
    "IotId",
    "Identifier",
    "Args",
    "Items",
    "Qos",
];

/// The `i`-th known parameter name: the common ones, then the device calls'.
fn known_param(i: usize) -> Option<&'static str> {
    match i.checked_sub(RESERVED_PARAMS.len()) {
        None => RESERVED_PARAMS.get(i).copied(),
        Some(j) => DEVICE_PARAMS.get(j).copied(),
    }
}

#[wasm_bindgen]
extern "C" {
    /// A `Map` from the known parameter names to their index ([`known_param`]).
    #[wasm_bindgen(extends = js_sys::Map)]
    type NameIndex;
    #[wasm_bindgen(method, js_name = get)]
    fn index_of(this: &NameIndex, name: &JsValue) -> Option<u32>;
}

std::thread_local! {
    static KNOWN: NameIndex = {
        let map = js_sys::Map::new();
        for (i, name) in RESERVED_PARAMS.iter().chain(&DEVICE_PARAMS).enumerate() {
            map.set(&JsValue::from_str(name), &JsValue::from(i as u32));
        }
        map.unchecked_into()
    };
}

/// A parameter name as [`js_str`] reads it; a known name is looked up in the engine instead of
/// copied out of it (one lookup, no memory written: most of a request's names are known).
fn param_name(key: &JsValue) -> Option<Result<ParamName, ()>> {
    let known = KNOWN.with(|m| m.index_of(key));
    match known.and_then(|i| known_param(i as usize)) {
        Some(name) => Some(Ok(ParamName::Borrowed(name))),
        None => js_str(key).map(|r| r.map(ParamName::Owned)),
    }
}

#[wasm_bindgen]
extern "C" {
    /// A JavaScript string, for its ES2024 methods.
    type Text;
    /// `String.prototype.isWellFormed`: no lone surrogate.
    #[wasm_bindgen(method, js_name = isWellFormed)]
    fn is_well_formed(this: &Text) -> bool;
}

fn well_formed(v: &JsValue) -> bool {
    v.unchecked_ref::<Text>().is_well_formed()
}

const SURROGATE: &str = ": holds a lone UTF-16 surrogate (it would be sent as U+FFFD)";
const SURROGATE_KEY: &str = " holds a lone UTF-16 surrogate (it would be sent as U+FFFD)";

pub(crate) fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

fn is_plain_object(v: &JsValue) -> bool {
    v.is_object() && !Array::is_array(v)
}

#[cold]
#[inline(never)]
fn field(ctx: &str, key: &str, what: &str) -> Error {
    invalid(concat(&[ctx, ".", key, what]))
}

/// Refuses keys of `o` other than `allowed`.
pub(crate) fn check_keys(o: &JsValue, allowed: &[&str], ctx: &str) -> Result<(), Error> {
    if !is_plain_object(o) {
        return Ok(());
    }
    for k in Object::keys(o.unchecked_ref::<Object>()).iter() {
        let k = k.as_string().unwrap_or_default();
        if !allowed.contains(&k.as_str()) {
            return Err(field(
                ctx,
                &k,
                &concat(&[": unknown option (known: ", &allowed.join(", "), ")"]),
            ));
        }
    }
    Ok(())
}

/// An optional string; the empty string counts as absent.
pub(crate) fn opt_string(
    o: &JsValue,
    key: &'static str,
    ctx: &str,
) -> Result<Option<String>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(None);
    }
    let s = match js_str(&v) {
        Some(Ok(s)) => s,
        Some(Err(())) => return Err(field(ctx, key, SURROGATE)),
        None => return Err(field(ctx, key, ": must be a string")),
    };
    Ok(Some(s).filter(|s| !s.is_empty()))
}

fn required_string(o: &JsValue, key: &'static str, ctx: &str) -> Result<String, Error> {
    opt_string(o, key, ctx)?.ok_or_else(|| field(ctx, key, " is required (a non-empty string)"))
}

pub(crate) fn opt_number(o: &JsValue, key: &'static str, ctx: &str) -> Result<Option<f64>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(None);
    }
    match v.as_f64() {
        Some(n) if n.is_finite() => Ok(Some(n)),
        _ => Err(field(ctx, key, ": must be a finite number")),
    }
}

/// A deadline: a whole number of ms, 1 to 2^31-1 (what a timer holds).
fn opt_timeout(o: &JsValue, key: &'static str, ctx: &str) -> Result<Option<u32>, Error> {
    match opt_number(o, key, ctx)? {
        None => Ok(None),
        Some(n) if n > 0.0 && n <= MAX_TIMER_MS as f64 => Ok(Some(n.ceil() as u32)),
        Some(_) => Err(field(
            ctx,
            key,
            ": must be a positive number of ms up to 2147483647",
        )),
    }
}

fn opt_bool(o: &JsValue, key: &'static str, ctx: &str) -> Result<Option<bool>, Error> {
    let v = get(o, key);
    if !present(&v) {
        return Ok(None);
    }
    v.as_bool()
        .map(Some)
        .ok_or_else(|| field(ctx, key, ": must be a boolean"))
}

fn opt_method(o: &JsValue, ctx: &str) -> Result<Option<HttpMethod>, Error> {
    let v = get(o, "method");
    if !present(&v) {
        return Ok(None);
    }
    v.as_string()
        .and_then(|s| s.parse().ok())
        .map(Some)
        .ok_or_else(|| field(ctx, "method", ": must be \"GET\" or \"POST\""))
}

const CLIENT_KEYS: [&str; 11] = [
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
    "checkArgs",
];
const RETRY_KEYS: [&str; 4] = ["maxAttempts", "baseDelayMs", "maxDelayMs", "retryUnknown"];

/// `new IotClient(options)`.
pub fn client_options(o: &JsValue) -> Result<ClientOptions, Error> {
    if !is_plain_object(o) {
        return Err(invalid(
            "new IotClient(options): options must be an object with an endpoint",
        ));
    }
    const CTX: &str = "options";
    check_keys(o, &CLIENT_KEYS, CTX)?;
    let r = get(o, "retry");
    check_keys(&r, &RETRY_KEYS, "options.retry")?;
    let endpoint = required_string(o, "endpoint", CTX)?;
    let mut retry = RetryPolicy::default();
    if let Some(n) = opt_number(&r, "maxAttempts", "options.retry")? {
        if n.fract() != 0.0 || !(1.0..=10.0).contains(&n) {
            return Err(invalid(
                "options.retry.maxAttempts: must be a whole number 1..10",
            ));
        }
        retry.max_attempts = n as u32;
    }
    for (key, slot) in [
        ("baseDelayMs", &mut retry.base_delay_ms),
        ("maxDelayMs", &mut retry.max_delay_ms),
    ] {
        if let Some(n) = opt_number(&r, key, "options.retry")? {
            if n < 0.0 {
                return Err(field("options.retry", key, ": must be >= 0"));
            }
            *slot = n;
        }
    }
    let unknown = get(&r, "retryUnknown");
    if present(&unknown) {
        retry.retry_unknown = unknown
            .as_bool()
            .ok_or_else(|| invalid("options.retry.retryUnknown: must be true or false"))?;
    }
    let provider = get(o, "credentials");
    let credentials = if present(&provider) {
        let f = provider.dyn_into::<Function>().map_err(|_| {
            invalid("options.credentials: must be a function returning credentials")
        })?;
        CredentialsSource::Provider(js_provider(f))
    } else {
        let Some(id) = opt_string(o, "accessKeyId", CTX)? else {
            return Err(invalid(
                "options: give accessKeyId and accessKeySecret, or a credentials provider",
            ));
        };
        let secret = required_string(o, "accessKeySecret", CTX)?;
        let token = opt_string(o, "securityToken", CTX)?;
        let creds = Credentials::new(id, secret, token)
            .map_err(|e| invalid(concat(&["options: ", e.as_str()])))?;
        CredentialsSource::Static(creds)
    };
    let mut out = ClientOptions::new(endpoint, credentials);
    out.region_id = opt_string(o, "regionId", CTX)?;
    out.iot_instance_id = opt_string(o, "iotInstanceId", CTX)?;
    out.method = opt_method(o, CTX)?.unwrap_or_default();
    if let Some(ms) = opt_timeout(o, "timeoutMs", CTX)? {
        out.timeout_ms = ms;
    }
    out.retry = retry;
    out.check_args = opt_bool(o, "checkArgs", CTX)?.unwrap_or(false);
    Ok(out)
}

/// A JavaScript credentials function as a provider: called with no arguments, its answer (or
/// the promise of one) read as `ProvidedCredentials`.
fn js_provider(f: Function) -> CredentialsProvider {
    CredentialsProvider::new(move || {
        let answer = f.call0(&JsValue::UNDEFINED);
        async move {
            let describe = crate::client::describe_thrown;
            let answer =
                answer.map_err(|e| concat(&["the credentials provider threw: ", &describe(&e)]))?;
            let answer = JsFuture::from(Promise::resolve(&answer))
                .await
                .map_err(|e| concat(&["the credentials provider failed: ", &describe(&e)]))?;
            provided_credentials(&answer)
        }
    })
}

/// A provider's answer: `{ accessKeyId, accessKeySecret, securityToken?, expiration? }`.
fn provided_credentials(v: &JsValue) -> Result<ProvidedCredentials, String> {
    let s = |key: &'static str, required: bool| -> Result<Option<String>, String> {
        let x = get(v, key);
        let x = match js_str(&x) {
            Some(Ok(s)) => Some(s).filter(|s| !s.is_empty()),
            Some(Err(())) => return Err(concat(&["credentials().", key, SURROGATE])),
            None if present(&x) => {
                return Err(concat(&["credentials().", key, ": must be a string"]))
            }
            None => None,
        };
        if required && x.is_none() {
            return Err(concat(&[
                "credentials().",
                key,
                " is required (a non-empty string)",
            ]));
        }
        Ok(x)
    };
    let e = get(v, "expiration");
    let expiration_ms = if present(&e) {
        let ms = if let Some(d) = e.dyn_ref::<js_sys::Date>() {
            d.get_time()
        } else if let Some(t) = e.as_string() {
            js_sys::Date::parse(&t)
        } else {
            e.as_f64().unwrap_or(f64::NAN)
        };
        if !ms.is_finite() {
            return Err(
                "credentials.expiration: expected a Date, an ISO 8601 string or Unix ms".into(),
            );
        }
        Some(ms)
    } else {
        None
    };
    Ok(ProvidedCredentials {
        access_key_id: s("accessKeyId", true)?.unwrap_or_default(),
        access_key_secret: s("accessKeySecret", true)?.unwrap_or_default(),
        security_token: s("securityToken", false)?,
        expiration_ms,
    })
}

/// `{ signal, timeoutMs }` of one call.
pub fn call_options(o: &JsValue) -> Result<CallOptions, Error> {
    if !present(o) {
        return Ok(CallOptions::default());
    }
    check_keys(o, &["signal", "timeoutMs", "checkArgs"], "options")?;
    let signal = get(o, "signal");
    let signal = if present(&signal) {
        Some(
            signal
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| invalid("options.signal: must be an AbortSignal"))?,
        )
    } else {
        None
    };
    Ok(CallOptions {
        signal,
        timeout_ms: opt_timeout(o, "timeoutMs", "options")?,
        check_args: opt_bool(o, "checkArgs", "options")?,
    })
}

/// `presign`'s options.
pub fn presign_options(o: &JsValue) -> Result<PresignOptions, Error> {
    check_keys(o, &["nonce", "timestamp"], "options")?;
    let t = get(o, "timestamp");
    let timestamp = if let Some(d) = t.dyn_ref::<js_sys::Date>() {
        let ms = d.get_time();
        if !ms.is_finite() {
            return Err(invalid("options.timestamp: an invalid Date"));
        }
        Some(Timestamp::from_unix_millis(ms))
    } else if let Some(s) = t.as_string().filter(|s| !s.is_empty()) {
        Some(Timestamp::parse(&s).map_err(|_| {
            invalid("options.timestamp: expected a UTC time as YYYY-MM-DDThh:mm:ssZ")
        })?)
    } else if present(&t) && t.as_string().is_none() {
        return Err(invalid(
            "options.timestamp: a Date or a YYYY-MM-DDThh:mm:ssZ string",
        ));
    } else {
        None
    };
    Ok(PresignOptions {
        nonce: opt_string(o, "nonce", "options")?,
        timestamp,
    })
}

/// The value of a parameter as sent, or `None` to leave it out.
fn param_value(v: &JsValue, ctx: &str, key: &str) -> Result<Option<String>, Error> {
    if let Some(s) = js_str(v) {
        return s.map(Some).map_err(|()| field(ctx, key, SURROGATE));
    }
    if let Some(b) = v.as_bool() {
        return Ok(Some(String::from(if b { "true" } else { "false" })));
    }
    if let Some(n) = v.as_f64() {
        if !n.is_finite() {
            return Err(field(
                ctx,
                key,
                ": NaN or Infinity is not a parameter value",
            ));
        }
        return Ok(crate::client::number_text(v));
    }
    if !present(v) {
        return Ok(None);
    }
    let got = if Array::is_array(v) {
        String::from("an array")
    } else {
        concat(&["a ", &v.js_typeof().as_string().unwrap_or_default()])
    };
    Err(invalid(concat(&[
        ctx,
        ".",
        key,
        ": must be a string, number or boolean (got ",
        &got,
        "); serialize objects with JSON.stringify",
    ])))
}

/// A parameter name: the crate's own string when it is a known one (no copy, no allocation).
pub type ParamName = alloc::borrow::Cow<'static, str>;

/// A params object as `(name, value)` pairs (own enumerable keys, in order).
pub fn params(o: &JsValue, ctx: &str) -> Result<Params, Error> {
    let pairs = param_pairs(o, ctx)?;
    let mut out = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        out.push((k.into_owned(), v));
    }
    Ok(out)
}

/// [`params`], each known name borrowed from the crate (what `signRpc` signs from).
pub fn param_pairs(o: &JsValue, ctx: &str) -> Result<Vec<(ParamName, String)>, Error> {
    if !is_plain_object(o) {
        return Err(invalid(concat(&[
            ctx,
            ": must be a plain object of strings",
        ])));
    }
    let keys = Object::keys(o.unchecked_ref::<Object>());
    let mut out = Vec::with_capacity(keys.length() as usize);
    for key in keys.iter() {
        let value = Reflect::get(o, &key).unwrap_or(JsValue::UNDEFINED);
        let Some(Ok(k)) = param_name(&key) else {
            return Err(invalid(concat(&[ctx, ": a parameter name", SURROGATE_KEY])));
        };
        if let Some(v) = param_value(&value, ctx, &k)? {
            out.push((k, v));
        }
    }
    Ok(out)
}

/// A JSON-object parameter (`Args`, `Items`): an object (sent with `JSON.stringify`) or a JSON
/// object string (checked by the client); `{}` when absent.
pub(crate) fn json_object(v: &JsValue, path: &str) -> Result<(String, Payload), Error> {
    if !present(v) {
        return Ok(("{}".into(), Payload::Serialized));
    }
    if let Some(s) = js_str(v) {
        let s = s.map_err(|()| invalid(concat(&[path, SURROGATE])))?;
        // Checked by the client, which refuses a string that is not a JSON object (and takes
        // an empty one as `{}`, which a JavaScript caller would not mean).
        if s.is_empty() {
            return Err(invalid(concat(&[
                path,
                ": the string is not a JSON object",
            ])));
        }
        return Ok((s, Payload::AsWritten));
    }
    if !is_plain_object(v) {
        return Err(invalid(concat(&[
            path,
            ": must be an object or a JSON object string",
        ])));
    }
    exact_json(v, path, 0)?;
    js_sys::JSON::stringify(v)
        .ok()
        .and_then(|s| s.as_string())
        .map(|s| (s, Payload::Serialized))
        .ok_or_else(|| {
            invalid(concat(&[
                path,
                ": JSON.stringify failed (a cycle or a BigInt?)",
            ]))
        })
}

/// Refuses what `JSON.stringify` would write as something other than the caller wrote: NaN and
/// ±Infinity (written `null`), `undefined`, functions and symbols (dropped, or `null` in an
/// array), symbol keys (dropped), a BigInt (it throws), lone surrogates (U+FFFD), objects that
/// are neither plain objects nor arrays (a `Date`'s `toJSON`, a `Map`'s `{}`), and nesting
/// deeper than 64 levels (a cycle ends there too). `-0` is written `0`, the same JSON number.
fn exact_json(v: &JsValue, path: &str, depth: u32) -> Result<(), Error> {
    let bad = |why: &str| Err(invalid(concat(&[path, why])));
    if v.is_null() || v.as_bool().is_some() {
        return Ok(());
    }
    if let Some(n) = v.as_f64() {
        return if n.is_finite() {
            Ok(())
        } else {
            bad(": NaN or Infinity (JSON.stringify would send null)")
        };
    }
    if v.is_string() {
        return if well_formed(v) {
            Ok(())
        } else {
            bad(SURROGATE)
        };
    }
    if v.is_undefined() || v.is_function() || v.is_symbol() {
        return bad(
            ": undefined, a function or a symbol (JSON.stringify would leave it out, or send null)",
        );
    }
    if v.is_bigint() {
        return bad(": a BigInt (JSON.stringify cannot write it: pass a number or a string)");
    }
    if depth >= 64 {
        return bad(": nested more than 64 levels deep (or a cycle)");
    }
    if Array::is_array(v) {
        for (i, x) in v.unchecked_ref::<Array>().iter().enumerate() {
            let mut p = String::from(path);
            p.push('[');
            push_u64(&mut p, i as u64);
            p.push(']');
            exact_json(&x, &p, depth + 1)?;
        }
        return Ok(());
    }
    // A plain object's prototype is `Object.prototype` (whose own prototype is null) or null.
    let proto = Object::get_prototype_of(v);
    if !(proto.is_null() || Object::get_prototype_of(&proto).is_null()) {
        return bad(": not a plain object or array (a Date, Map or class instance: JSON.stringify would write its toJSON or {})");
    }
    let o = v.unchecked_ref::<Object>();
    if Object::get_own_property_symbols(o).length() > 0 {
        return bad(": has symbol keys (JSON.stringify would leave them out)");
    }
    for key in Object::keys(o).iter() {
        let Some(Ok(k)) = js_str(&key) else {
            return bad(concat(&[": a key", SURROGATE_KEY]).as_str());
        };
        let x = Reflect::get(v, &key).unwrap_or(JsValue::UNDEFINED);
        exact_json(&x, &concat(&[path, ".", &k]), depth + 1)?;
    }
    Ok(())
}

pub(crate) fn request_object(r: &JsValue, ctx: &str) -> Result<(), Error> {
    if is_plain_object(r) {
        Ok(())
    } else {
        Err(invalid(concat(&[ctx, ": expected a request object"])))
    }
}

/// The device of a request object, and its own `iotInstanceId`.
pub fn device(r: &JsValue, ctx: &str) -> Result<(Device, Option<String>), Error> {
    request_object(r, ctx)?;
    Ok((
        Device {
            iot_id: opt_string(r, "iotId", ctx)?,
            product_key: opt_string(r, "productKey", ctx)?,
            device_name: opt_string(r, "deviceName", ctx)?,
        },
        opt_string(r, "iotInstanceId", ctx)?,
    ))
}

pub fn invoke_thing_service(r: &JsValue) -> Result<(InvokeThingService, Payload), Error> {
    const CTX: &str = "invokeThingService";
    let (device, iot_instance_id) = device(r, CTX)?;
    let identifier = opt_string(r, "identifier", CTX)?.unwrap_or_default();
    let (args, payload) = json_object(&get(r, "args"), "invokeThingService.args")?;
    let request = InvokeThingService {
        device,
        identifier,
        args,
        iot_instance_id,
    };
    Ok((request, payload))
}

fn items(r: &JsValue, ctx: &str) -> Result<(String, Payload), Error> {
    let v = get(r, "items");
    if !present(&v) {
        return Err(invalid(concat(&[ctx, ".items is required"])));
    }
    json_object(&v, &concat(&[ctx, ".items"]))
}

pub fn set_device_property(r: &JsValue) -> Result<(SetDeviceProperty, Payload), Error> {
    const CTX: &str = "setDeviceProperty";
    let (device, iot_instance_id) = device(r, CTX)?;
    let (items, payload) = items(r, CTX)?;
    let request = SetDeviceProperty {
        device,
        items,
        iot_instance_id,
    };
    Ok((request, payload))
}

fn device_names(r: &JsValue, ctx: &str) -> Result<Vec<String>, Error> {
    let v = get(r, "deviceNames");
    if !present(&v) {
        return Ok(Vec::new());
    }
    let bad = || field(ctx, "deviceNames", ": must be an array of strings");
    if !Array::is_array(&v) {
        return Err(bad());
    }
    let mut names = Vec::new();
    for n in Array::from(&v).iter() {
        names.push(n.as_string().ok_or_else(bad)?);
    }
    Ok(names)
}

pub fn invoke_things_service(r: &JsValue) -> Result<(InvokeThingsService, Payload), Error> {
    const CTX: &str = "invokeThingsService";
    request_object(r, CTX)?;
    let product_key = opt_string(r, "productKey", CTX)?.unwrap_or_default();
    let device_names = device_names(r, CTX)?;
    let identifier = opt_string(r, "identifier", CTX)?.unwrap_or_default();
    let (args, payload) = json_object(&get(r, "args"), "invokeThingsService.args")?;
    let request = InvokeThingsService {
        product_key,
        device_names,
        identifier,
        args,
        iot_instance_id: opt_string(r, "iotInstanceId", CTX)?,
    };
    Ok((request, payload))
}

pub fn set_devices_property(r: &JsValue) -> Result<(SetDevicesProperty, Payload), Error> {
    const CTX: &str = "setDevicesProperty";
    request_object(r, CTX)?;
    let product_key = opt_string(r, "productKey", CTX)?.unwrap_or_default();
    let device_names = device_names(r, CTX)?;
    let (items, payload) = items(r, CTX)?;
    let request = SetDevicesProperty {
        product_key,
        device_names,
        items,
        iot_instance_id: opt_string(r, "iotInstanceId", CTX)?,
    };
    Ok((request, payload))
}

/// The targets of a bulk call: an array of device objects.
pub fn targets(v: &JsValue, ctx: &str) -> Result<Vec<Device>, Error> {
    if !Array::is_array(v) {
        return Err(invalid(concat(&[
            ctx,
            ": targets must be an array of devices ({ productKey, deviceName } or { iotId })",
        ])));
    }
    // (Plain loops rather than collecting `Result`s: each such collect is its own iterator
    // adapter in the wasm.)
    let mut devices = Vec::new();
    for (i, t) in Array::from(v).iter().enumerate() {
        let mut c = concat(&[ctx, ".targets["]);
        push_u64(&mut c, i as u64);
        c.push(']');
        check_keys(&t, &["iotId", "productKey", "deviceName"], &c)?;
        devices.push(device(&t, &c)?.0);
    }
    Ok(devices)
}

/// `invokeMany`'s service call.
pub fn service_call(r: &JsValue) -> Result<(ServiceCall, Payload), Error> {
    const CTX: &str = "invokeMany";
    request_object(r, CTX)?;
    check_keys(r, &["identifier", "args", "iotInstanceId"], CTX)?;
    let (args, payload) = json_object(&get(r, "args"), "invokeMany.args")?;
    let call = ServiceCall {
        identifier: opt_string(r, "identifier", CTX)?.unwrap_or_default(),
        args,
        iot_instance_id: opt_string(r, "iotInstanceId", CTX)?,
    };
    Ok((call, payload))
}

/// `setPropertyMany`'s property set.
pub fn property_set(r: &JsValue) -> Result<(PropertySet, Payload), Error> {
    const CTX: &str = "setPropertyMany";
    request_object(r, CTX)?;
    check_keys(r, &["items", "iotInstanceId"], CTX)?;
    let (items, payload) = items(r, CTX)?;
    let set = PropertySet {
        items,
        iot_instance_id: opt_string(r, "iotInstanceId", CTX)?,
    };
    Ok((set, payload))
}

/// The options of a bulk call.
pub fn bulk_options(o: &JsValue, ctx: &str) -> Result<BulkOptions, Error> {
    let mut out = BulkOptions::default();
    if !present(o) {
        return Ok(out);
    }
    let ctx = &concat(&[ctx, ": options"]);
    check_keys(
        o,
        &[
            "concurrency",
            "qps",
            "signal",
            "onProgress",
            "batch",
            "timeoutMs",
            "checkArgs",
        ],
        ctx,
    )?;
    if let Some(n) = opt_number(o, "concurrency", ctx)? {
        if n.fract() != 0.0 || !(1.0..=256.0).contains(&n) {
            return Err(field(
                ctx,
                "concurrency",
                ": must be a whole number from 1 to 256",
            ));
        }
        out.concurrency = n as u32;
    }
    out.qps = opt_number(o, "qps", ctx)?;
    out.timeout_ms = opt_timeout(o, "timeoutMs", ctx)?;
    out.check_args = opt_bool(o, "checkArgs", ctx)?;
    let signal = get(o, "signal");
    if present(&signal) {
        out.signal = Some(
            signal
                .dyn_into::<web_sys::AbortSignal>()
                .map_err(|_| field(ctx, "signal", ": must be an AbortSignal"))?,
        );
    }
    out.batch = opt_bool(o, "batch", ctx)?.unwrap_or(false);
    let f = get(o, "onProgress");
    if present(&f) {
        let f: Function = f
            .dyn_into()
            .map_err(|_| field(ctx, "onProgress", ": must be a function"))?;
        out.on_progress = Some(alloc::rc::Rc::new(move |p: Progress| {
            // A callback that throws must not stop the calls.
            let _ = f.call1(&JsValue::NULL, &super::output::progress(p));
        }));
    }
    Ok(out)
}

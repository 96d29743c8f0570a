//! Options from JavaScript: the client's (`new IotClient`), a call's, `presign`'s, and the
//! credentials function as a [`CredentialsProvider`]. The reader checks types and refuses
//! unknown names (catches `timeoutMS`); the ranges are the client's to check, in one place.

use alloc::string::String;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::js::{
    check_keys, get, invalid, is_plain_object, js_str, opt_bool, opt_method, opt_number,
    opt_string, opt_timeout, present, required_string, SURROGATE,
};
use crate::client::{
    CallOptions, ClientOptions, CredentialsProvider, CredentialsSource, Error, ProvidedCredentials,
};
use crate::core::attempts::concat;
use crate::core::Credentials;
#[cfg(feature = "fleet")]
use crate::{client::PresignOptions, core::Timestamp};

#[wasm_bindgen(typescript_custom_section)]
const TS_OPTIONS: &'static str = r#"
/** `"GET"` (parameters in the query) or `"POST"` (an `application/x-www-form-urlencoded` body). */
export type HttpMethodName = "GET" | "POST";
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
  /**
   * The signature: `"v1"` (HMAC-SHA1 in the parameters, the default: no CORS preflight) or `"v3"`
   * (`ACS3-HMAC-SHA256` in `Authorization` and `x-acs-*` headers: for a same-origin relay that
   * passes them; it is in the second entry: `loadExtras()` first). `presign` needs `"v1"`.
   */
  signature?: "v1" | "v3";
  /** With `"v3"`: the platform's host that the relay sends the request on to (V3 signs `host`). Default: the endpoint's host. */
  signedHost?: string;
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
"#;

const CLIENT_KEYS: [&str; 13] = [
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
    "signature",
    "signedHost",
];
const RETRY_KEYS: [&str; 4] = ["maxAttempts", "baseDelayMs", "maxDelayMs", "retryUnknown"];

/// `new IotClient(options)`.
pub fn client_options(o: &JsValue) -> Result<ClientOptions, Error> {
    if !is_plain_object(o) {
        return Err(invalid(
            "new IotClient(options): options must be an object with an endpoint",
        ));
    }
    check_keys(o, &CLIENT_KEYS, CTX)?;
    let r = get(o, "retry");
    check_keys(&r, &RETRY_KEYS, "options.retry")?;
    let endpoint = required_string(o, "endpoint", CTX)?;
    let credentials = credentials_source(o)?;
    let mut out = ClientOptions::new(endpoint, credentials);
    // One way out for a bad option, so the options read so far are dropped in one place (a `?`
    // after each field would drop them at each: a copy of the drop each time in the wasm).
    other_options(o, &r, &mut out).map(|()| out)
}

const CTX: &str = "options";

/// `credentials`, or `accessKeyId`, `accessKeySecret` and `securityToken`.
fn credentials_source(o: &JsValue) -> Result<CredentialsSource, Error> {
    let provider = get(o, "credentials");
    if present(&provider) {
        let f = provider.dyn_into::<Function>().map_err(|_| {
            invalid("options.credentials: must be a function returning credentials")
        })?;
        return Ok(CredentialsSource::Provider(js_provider(f)));
    }
    let Some(id) = opt_string(o, "accessKeyId", CTX)? else {
        return Err(invalid(
            "options: give accessKeyId and accessKeySecret, or a credentials provider",
        ));
    };
    let secret = required_string(o, "accessKeySecret", CTX)?;
    let token = opt_string(o, "securityToken", CTX)?;
    let creds = Credentials::new(id, secret, token.map(Into::into))
        .map_err(|e| invalid(concat(&["options: ", e.as_str()])))?;
    Ok(CredentialsSource::Static(creds))
}

/// The options but the endpoint and the credentials, into `out`; `r` is `options.retry`.
fn other_options(o: &JsValue, r: &JsValue, out: &mut ClientOptions) -> Result<(), Error> {
    let retry = &mut out.retry;
    // Only types are checked here; the ranges are the client's (`Client::new`). A count that is
    // not a whole number in u32 becomes 0, which the client refuses with its message.
    if let Some(n) = opt_number(r, "maxAttempts", "options.retry")? {
        retry.max_attempts = if n.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&n) {
            n as u32
        } else {
            0
        };
    }
    if let Some(n) = opt_number(r, "baseDelayMs", "options.retry")? {
        retry.base_delay_ms = n;
    }
    if let Some(n) = opt_number(r, "maxDelayMs", "options.retry")? {
        retry.max_delay_ms = n;
    }
    let unknown = get(r, "retryUnknown");
    if present(&unknown) {
        retry.retry_unknown = unknown
            .as_bool()
            .ok_or_else(|| invalid("options.retry.retryUnknown: must be true or false"))?;
    }
    out.region_id = opt_string(o, "regionId", CTX)?;
    out.iot_instance_id = opt_string(o, "iotInstanceId", CTX)?;
    out.method = opt_method(o, CTX)?.unwrap_or_default();
    if let Some(ms) = opt_timeout(o, "timeoutMs", CTX)? {
        out.timeout_ms = ms;
    }
    out.check_args = opt_bool(o, "checkArgs", CTX)?.unwrap_or(false);
    out.signature = match opt_string(o, "signature", CTX)?.as_deref() {
        None | Some("v1") => crate::client::SignatureVersion::V1,
        // Signing with V3 (SHA-256) is in the package's second entry.
        Some("v3") if super::extras::second_missing() => {
            return Err(super::js::field(
                CTX,
                "signature",
                ": \"v3\" signs in the package's second entry: `import { loadExtras } from 'thingcall/extras'` and `await loadExtras()` first",
            ))
        }
        Some("v3") => crate::client::SignatureVersion::V3,
        Some(_) => return Err(super::js::field(CTX, "signature", ": \"v1\" or \"v3\"")),
    };
    out.signed_host = opt_string(o, "signedHost", CTX)?;
    Ok(())
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
        access_key_secret: s("accessKeySecret", true)?.unwrap_or_default().into(),
        security_token: s("securityToken", false)?.map(Into::into),
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
#[cfg(feature = "fleet")]
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

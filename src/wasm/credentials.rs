//! Where signing keys come from: a static AccessKey, or a `credentials` provider called once and
//! again shortly before expiry, single-flight (concurrent calls share one provider call).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::Failure;
use super::js::{get, optional_str, required_str};
use super::transport::{Cancel, Raced};
use crate::core::outcome::codes;
use crate::core::{Credentials, Outcome, SigningKey};

/// Credentials with their derived key and when to fetch new ones.
pub struct Signer {
    pub creds: Credentials,
    pub key: SigningKey,
    refresh_at_ms: f64,
}

impl Signer {
    fn new(creds: Credentials, refresh_at_ms: f64) -> Rc<Self> {
        Rc::new(Self {
            key: creds.signing_key(),
            creds,
            refresh_at_ms,
        })
    }
}

/// A `credentials` provider with its cache.
pub struct Provider {
    func: Function,
    current: RefCell<Option<Rc<Signer>>>,
    inflight: RefCell<Option<Promise>>,
}

/// Static or provided credentials.
pub enum Source {
    Static(Rc<Signer>),
    Provider(Provider),
}

fn cred_error(message: impl Into<String>) -> Failure {
    Failure::new(codes::CREDENTIALS_ERROR, message, Outcome::NotSent)
}

/// Parses `expiration` (a `Date`, an ISO string or Unix ms) into Unix ms.
fn expiration_ms(v: &JsValue) -> Result<Option<f64>, Failure> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    let ms = if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        d.get_time()
    } else if let Some(s) = v.as_string() {
        js_sys::Date::parse(&s)
    } else {
        v.as_f64().unwrap_or(f64::NAN)
    };
    if ms.is_finite() {
        Ok(Some(ms))
    } else {
        Err(cred_error(
            "credentials.expiration: expected a Date, an ISO 8601 string or Unix ms",
        ))
    }
}

/// Reads `{ accessKeyId, accessKeySecret, securityToken?, expiration? }` at `ctx`.
fn parse_credentials(v: &JsValue, ctx: &str, now_ms: f64) -> Result<Rc<Signer>, Failure> {
    let as_cred = |f: Failure| cred_error(f.message);
    let id = required_str(v, "accessKeyId", ctx).map_err(as_cred)?;
    let secret = required_str(v, "accessKeySecret", ctx).map_err(as_cred)?;
    let token = optional_str(v, "securityToken", ctx).map_err(as_cred)?;
    let creds = Credentials::new(id, secret, token).map_err(|e| cred_error(e.to_string()))?;
    let refresh_at = match expiration_ms(&get(v, "expiration"))? {
        Some(exp) => exp - (300_000f64).min(((exp - now_ms) / 2.0).max(0.0)),
        None => f64::INFINITY,
    };
    Ok(Signer::new(creds, refresh_at))
}

impl Source {
    /// From client options: `credentials` (a function) or `accessKeyId` + `accessKeySecret`.
    pub fn from_options(options: &JsValue) -> Result<Self, Failure> {
        let provider = get(options, "credentials");
        if !provider.is_undefined() && !provider.is_null() {
            let func = provider.dyn_into::<Function>().map_err(|_| {
                Failure::invalid("options.credentials: must be a function returning credentials")
            })?;
            return Ok(Source::Provider(Provider {
                func,
                current: RefCell::new(None),
                inflight: RefCell::new(None),
            }));
        }
        let id = required_str(options, "accessKeyId", "options").map_err(|_| {
            Failure::invalid(
                "options: give accessKeyId and accessKeySecret, or a credentials provider",
            )
        })?;
        let secret = required_str(options, "accessKeySecret", "options")?;
        let token = optional_str(options, "securityToken", "options")?;
        let creds =
            Credentials::new(id, secret, token).map_err(|e| Failure::invalid(e.to_string()))?;
        Ok(Source::Static(Signer::new(creds, f64::INFINITY)))
    }

    /// The credentials at hand without waiting (for presigning), if any.
    pub fn current(&self) -> Option<Rc<Signer>> {
        match self {
            Source::Static(s) => Some(s.clone()),
            Source::Provider(p) => p.current.borrow().clone(),
        }
    }

    /// Forgets provided credentials (after `InvalidSecurityToken.Expired`).
    pub fn invalidate(&self) {
        if let Source::Provider(p) = self {
            p.current.borrow_mut().take();
        }
    }

    /// Whether new credentials can be fetched.
    pub fn refreshable(&self) -> bool {
        matches!(self, Source::Provider(_))
    }

    /// The credentials to sign with now, fetching them first when needed.
    pub async fn get(&self, now_ms: f64, cancel: &Cancel) -> Result<Rc<Signer>, Failure> {
        let p = match self {
            Source::Static(s) => return Ok(s.clone()),
            Source::Provider(p) => p,
        };
        if let Some(s) = p
            .current
            .borrow()
            .as_ref()
            .filter(|s| now_ms < s.refresh_at_ms)
        {
            return Ok(s.clone());
        }
        let existing = p.inflight.borrow().clone();
        let promise = match existing {
            Some(promise) => promise,
            None => {
                let v = p.func.call0(&JsValue::UNDEFINED).map_err(|e| {
                    cred_error(format!("the credentials provider threw: {}", describe(&e)))
                })?;
                let promise = Promise::resolve(&v);
                *p.inflight.borrow_mut() = Some(promise.clone());
                promise
            }
        };
        let result = cancel.race(&promise).await;
        let mine = p
            .inflight
            .borrow()
            .as_ref()
            .is_some_and(|q| js_sys::Object::is(q, &promise));
        match result {
            Raced::Cancelled(f) => Err(f),
            Raced::Rejected(e) => {
                if mine {
                    p.inflight.borrow_mut().take();
                }
                Err(cred_error(format!(
                    "the credentials provider failed: {}",
                    describe(&e)
                )))
            }
            Raced::Resolved(v) => {
                if mine {
                    p.inflight.borrow_mut().take();
                    let s = parse_credentials(&v, "credentials()", now_ms)?;
                    *p.current.borrow_mut() = Some(s.clone());
                    return Ok(s);
                }
                // Another waiter of the same provider call already stored the result.
                p.current
                    .borrow()
                    .clone()
                    .map_or_else(|| parse_credentials(&v, "credentials()", now_ms), Ok)
            }
        }
    }
}

/// A short description of a thrown value (its message), for error text.
fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        String::from(err.message())
    } else {
        e.as_string().unwrap_or_else(|| "a non-Error value".into())
    }
}

//! The engine under `IotClient`: what a client knows (method, region, retry policy, credentials
//! and their signing key, the learned clock offset, a nonce pool) and `__Call`, one call's
//! attempts. `js/client.js` does the I/O and asks these what to send and what to do next.
//!
//! Both classes are internal: exported for `js/client.js`, left out of `thingcall.d.ts`.

use alloc::string::String;

use wasm_bindgen::prelude::*;

use super::error::to_js;
use super::flat::{pairs, pieces};
use crate::core::attempts::concat;
use crate::core::outcome::{codes, redact};
use crate::core::request::{check_params, sign_request, CommonParams, Nonce};
use crate::core::{
    Answer, Attempts, Credentials, Failure, HttpMethod, Outcome, RetryPolicy, SignedStages,
    SigningKey, Timestamp, Verdict,
};

/// Credentials with their derived key and when to fetch new ones.
struct Signer {
    creds: Credentials,
    key: SigningKey,
    /// Local time plus clock offset (server time) at which provided credentials are renewed.
    refresh_at_ms: f64,
}

/// Random bytes for nonces, drawn from `crypto.getRandomValues` 1 KiB at a time: one call per
/// 64 nonces instead of one per request (each call costs about 20 µs in Node). Each byte is
/// used once and zeroed.
struct NoncePool {
    bytes: [u8; 1024],
    next: usize,
}

impl NoncePool {
    fn nonce(&mut self) -> Result<Nonce, Failure> {
        if self.next + 16 > self.bytes.len() {
            getrandom::fill(&mut self.bytes).map_err(|_| {
                Failure::invalid("crypto.getRandomValues is not available for the nonce")
            })?;
            self.next = 0;
        }
        let mut bytes = [0u8; 16];
        let at = self.next;
        bytes.copy_from_slice(&self.bytes[at..at + 16]);
        self.bytes[at..at + 16].fill(0);
        self.next = at + 16;
        Ok(Nonce::from_random_bytes(bytes))
    }
}

/// Internal: a client's state and signing (see the module docs).
#[wasm_bindgen(js_name = "__Engine", skip_typescript)]
pub struct Engine {
    method: HttpMethod,
    region_id: Option<String>,
    retry: RetryPolicy,
    /// Credentials come from a provider (and can be renewed).
    provided: bool,
    offset_ms: f64,
    signer: Option<Signer>,
    nonces: NoncePool,
}

impl Engine {
    /// The values no error may show: the secret and the token.
    fn secrets(&self) -> impl Iterator<Item = &str> {
        self.signer.iter().flat_map(|s| s.creds.secrets())
    }

    /// The `ThingcallError` for `f`, scrubbed of this engine's secrets.
    fn fail(&self, f: Failure) -> JsValue {
        to_js(f, self.secrets())
    }

    fn signer(&self) -> Result<&Signer, Failure> {
        self.signer.as_ref().ok_or_else(|| {
            Failure::new(
                codes::CREDENTIALS_ERROR,
                "no credentials yet: make a call (or await refreshCredentials()) first.",
                Outcome::NotSent,
            )
        })
    }

    fn sign(
        &self,
        action: &str,
        params: &[(&str, &str)],
        method: HttpMethod,
        nonce: &Nonce,
        timestamp: Timestamp,
    ) -> Result<SignedStages, Failure> {
        let signer = self.signer()?;
        let common = CommonParams {
            action,
            credentials: &signer.creds,
            region_id: self.region_id.as_deref(),
            nonce,
            timestamp,
        };
        sign_request(method, &common, params, &signer.key)
            .map_err(|e| Failure::invalid(e.message()))
    }

    fn now(&self, now_ms: f64) -> Timestamp {
        Timestamp::from_unix_millis(now_ms + self.offset_ms)
    }
}

#[wasm_bindgen(js_class = "__Engine")]
impl Engine {
    /// A client's engine; the options were checked in JavaScript.
    #[wasm_bindgen(constructor)]
    pub fn new(
        post: bool,
        region_id: String,
        max_attempts: u32,
        base_delay_ms: f64,
        max_delay_ms: f64,
        retry_unknown: bool,
        provided: bool,
    ) -> Engine {
        Engine {
            method: if post {
                HttpMethod::Post
            } else {
                HttpMethod::Get
            },
            region_id: Some(region_id).filter(|r| !r.is_empty()),
            retry: RetryPolicy {
                max_attempts,
                base_delay_ms,
                max_delay_ms,
                retry_unknown,
            },
            provided,
            offset_ms: 0.0,
            signer: None,
            nonces: NoncePool {
                bytes: [0; 1024],
                next: 1024,
            },
        }
    }

    /// Takes credentials (static ones from the options, or a provider's answer) and derives
    /// their signing key. `expiration_ms` is Unix ms or NaN (never expires): provided
    /// credentials are renewed 5 minutes before it, or halfway there when it is closer.
    #[wasm_bindgen(js_name = setCredentials)]
    pub fn set_credentials(
        &mut self,
        access_key_id: String,
        access_key_secret: String,
        security_token: String,
        expiration_ms: f64,
        now_ms: f64,
    ) -> Result<(), JsValue> {
        let creds = Credentials::new(access_key_id, access_key_secret, Some(security_token));
        let creds = creds.map_err(|e| {
            let (code, ctx) = if self.provided {
                (codes::CREDENTIALS_ERROR, "credentials(): ")
            } else {
                (codes::INVALID_ARGUMENT, "options: ")
            };
            to_js(
                Failure::new(code, concat(&[ctx, e.as_str()]), Outcome::NotSent),
                [],
            )
        })?;
        let now = now_ms + self.offset_ms;
        let refresh_at_ms = if expiration_ms.is_finite() {
            expiration_ms - (300_000f64).min(((expiration_ms - now) / 2.0).max(0.0))
        } else {
            f64::INFINITY
        };
        self.signer = Some(Signer {
            key: creds.signing_key(),
            creds,
            refresh_at_ms,
        });
        Ok(())
    }

    /// Whether credentials must be fetched before the next attempt (none yet, or renewal is
    /// due in server time).
    #[wasm_bindgen(js_name = needsCredentials)]
    pub fn needs_credentials(&self, now_ms: f64) -> bool {
        self.signer
            .as_ref()
            .is_none_or(|s| now_ms + self.offset_ms >= s.refresh_at_ms)
    }

    /// The estimate of server time minus local time, in ms.
    #[wasm_bindgen(getter, js_name = clockOffsetMs)]
    pub fn clock_offset_ms(&self) -> f64 {
        self.offset_ms
    }

    /// `presign`, `toCurl` and `explain`: the signed wire string (query or form body) of
    /// `action` with `flat` params. `nonce` is random when empty; `timestamp` is the wire
    /// string, or empty for `timestamp_ms` (Unix ms, NaN for now). With `explain`, all the
    /// stages NUL-joined (canonical query, string-to-sign, signature, wire), with the secret and
    /// the token (as is and percent-encoded) replaced, for display.
    #[allow(clippy::too_many_arguments)]
    pub fn presign(
        &mut self,
        action: &str,
        flat: &str,
        post: bool,
        nonce: &str,
        timestamp: &str,
        timestamp_ms: f64,
        now_ms: f64,
        explain: bool,
    ) -> Result<String, JsValue> {
        let mut presigned = || -> Result<String, Failure> {
            let params = pairs(pieces(flat));
            check_params(&params).map_err(|e| Failure::invalid(e.message()))?;
            self.signer()?;
            let nonce = match nonce {
                "" => self.nonces.nonce()?,
                n => Nonce::from_string(n),
            };
            let ts = match timestamp {
                "" if timestamp_ms.is_finite() => Timestamp::from_unix_millis(timestamp_ms),
                "" => self.now(now_ms),
                s => Timestamp::parse(s).map_err(|_| {
                    Failure::invalid(
                        "options.timestamp: expected a UTC time as YYYY-MM-DDThh:mm:ssZ",
                    )
                })?,
            };
            let method = if post {
                HttpMethod::Post
            } else {
                HttpMethod::Get
            };
            let stages = self.sign(action, &params, method, &nonce, ts)?;
            let wire = stages.canonical.with_signature(&stages.signature);
            if !explain {
                return Ok(wire);
            }
            let all = concat(&[
                stages.canonical.as_str(),
                "\0",
                stages.string_to_sign.as_str(),
                "\0",
                stages.signature.as_str(),
                "\0",
                &wire,
            ]);
            Ok(redact(&all, self.secrets()))
        };
        presigned().map_err(|f| self.fail(f))
    }
}

/// Internal: one call's action, parameters and attempts (see the module docs).
#[wasm_bindgen(js_name = "__Call", skip_typescript)]
pub struct Call {
    action: String,
    /// The call's own parameters, flattened (`wasm::flat`), checked.
    flat: String,
    attempts: Attempts,
}

/// The number `js/client.js` gets for a verdict: a wait before the next attempt (>= 0), or one
/// of these.
const DONE: f64 = -1.0;
const FAIL: f64 = -2.0;

/// Why `__Call.error` is asked for an error (the JavaScript side names them the same).
#[allow(dead_code)] // TIMEOUT is what is neither of the others; it is named for js/client.js.
mod cause {
    /// The last attempt's failure (after a -2 verdict).
    pub const FAILED: u8 = 0;
    /// The caller's signal fired.
    pub const ABORTED: u8 = 1;
    /// The deadline passed.
    pub const TIMEOUT: u8 = 2;
    /// The credentials provider failed (the text says how).
    pub const CREDENTIALS: u8 = 3;
    /// Added to ABORTED or TIMEOUT: an attempt was in flight (so it may have arrived).
    pub const SENDING: u8 = 4;
}

#[wasm_bindgen(js_class = "__Call")]
impl Call {
    /// A call of `action` with its own parameters (flattened), checked now.
    #[wasm_bindgen(constructor)]
    pub fn new(action: String, flat: String) -> Result<Call, JsValue> {
        if action.is_empty() {
            return Err(to_js(Failure::invalid("call: action is required"), []));
        }
        check_params(&pairs(pieces(&flat)))
            .map_err(|e| to_js(Failure::invalid(e.message()), []))?;
        Ok(Call {
            attempts: Attempts::new(&action),
            action,
            flat,
        })
    }

    /// Signs the next attempt (a fresh nonce, the current time plus the clock offset) and
    /// returns its wire string: the query of a GET, the form body of a POST.
    pub fn sign(&mut self, engine: &mut Engine, now_ms: f64) -> Result<String, JsValue> {
        let signed = engine.nonces.nonce().and_then(|nonce| {
            let params = pairs(pieces(&self.flat));
            engine.sign(
                &self.action,
                &params,
                engine.method,
                &nonce,
                engine.now(now_ms),
            )
        });
        let stages = signed.map_err(|f| engine.fail(f))?;
        self.attempts.begin();
        Ok(stages.canonical.with_signature(&stages.signature))
    }

    /// The attempt's answer: the envelope's fields as read in JavaScript (empty strings for
    /// absent ones; the `Date` header as Unix ms or NaN), or `status` 0 when `fetch` rejected
    /// (with `message`). Returns -1 (the body is the result), -2 (failed: see `error`) or the
    /// wait in ms before the next attempt.
    #[allow(clippy::too_many_arguments)]
    pub fn answered(
        &mut self,
        engine: &mut Engine,
        status: u16,
        envelope: bool,
        code: &str,
        success_false: bool,
        message: &str,
        request_id: &str,
        date_ms: f64,
        now_ms: f64,
        unit: f64,
    ) -> f64 {
        let v = if status == 0 {
            self.attempts.network_error(&engine.retry, message, unit)
        } else {
            let answer = Answer {
                status,
                envelope,
                code: Some(code),
                success_false,
                message,
                request_id: Some(request_id).filter(|r| !r.is_empty()),
                date_ms: Some(date_ms),
            };
            self.attempts
                .answered(&engine.retry, engine.provided, &answer, now_ms, unit)
        };
        match v {
            Verdict::Done => DONE,
            Verdict::Fail => FAIL,
            Verdict::Retry {
                after_ms,
                clock_offset_ms,
                renew_credentials,
            } => {
                if let Some(offset) = clock_offset_ms {
                    engine.offset_ms = offset;
                }
                if renew_credentials {
                    engine.signer = None;
                }
                after_ms
            }
        }
    }

    /// The call's `ThingcallError` for `why` (see `cause`): its last failure, or a cut short
    /// call (`timeout_ms` is the deadline), or a failed credentials provider (`text`).
    pub fn error(&self, engine: &Engine, why: u8, timeout_ms: f64, text: &str) -> JsValue {
        let sending = why & cause::SENDING != 0;
        let f = match why & !cause::SENDING {
            cause::FAILED => self.attempts.failure().cloned().unwrap_or_else(|| {
                Failure::new(
                    codes::INVALID_RESPONSE,
                    "no answer was recorded.",
                    Outcome::Unknown,
                )
            }),
            cause::CREDENTIALS => self.attempts.credentials_failed(text),
            c => self
                .attempts
                .cancelled(c == cause::ABORTED, timeout_ms, sending),
        };
        engine.fail(f)
    }

    /// Attempts sent so far.
    #[wasm_bindgen(getter)]
    pub fn attempts(&self) -> u32 {
        self.attempts.attempts()
    }
}

//! [`Client::self_test`]: one call that says whether this client can work, and what to do when
//! it cannot. First the credentials (fetched from the provider when there is one), then one
//! probe: a signed `QueryProductList` with `PageSize=1` (read-only, the least an IoT key can be
//! allowed to do, and answered with a permission error, after the signature was checked, when
//! the key's policy does not allow even that). Its raw answer says whether the endpoint answers
//! with the platform's JSON, whether this page may read it, and the server's clock; when the
//! platform accepted it, it is also the signature check. Only when it did not is the request
//! made again as a call (clock correction, retries, the diagnosis of a refused signature).
//!
//! The probe is signed so that, when all is well, every answer is an HTTP 200: a browser logs
//! each 4xx answer in the console, and a working page's console stays clean. Without
//! credentials the probe goes unsigned (the platform answers `MissingParameter`, HTTP 400).

use alloc::string::String;
use alloc::vec::Vec;

use super::time::{now_ms, Deadline};
use super::{results, Client, Params};
use crate::core::attempts::{concat, push_u64};
use crate::core::outcome::codes;
use crate::core::text::find;

/// How one check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckStatus {
    /// Works.
    Ok,
    /// Works, with something to look at.
    Warn,
    /// Does not work: see the advice.
    Fail,
    /// Not run, because an earlier check failed.
    Skipped,
}

impl CheckStatus {
    /// `"ok"`, `"warn"`, `"fail"` or `"skipped"`.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Ok => "ok",
            CheckStatus::Warn => "warn",
            CheckStatus::Fail => "fail",
            CheckStatus::Skipped => "skipped",
        }
    }
}

/// One check of [`SelfTest`].
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    /// `endpoint`, `cors`, `clock`, `credentials` or `signature`.
    pub name: &'static str,
    /// How it came out.
    pub status: CheckStatus,
    /// What was found.
    pub detail: String,
    /// What to do, when there is something to do.
    pub advice: Option<String>,
}

/// What [`Client::self_test`] found: the five checks, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct SelfTest {
    /// `endpoint`, `cors`, `clock`, `credentials`, `signature`.
    pub checks: Vec<Check>,
    /// Server minus local time, ms, from the probe's `Date` header (whole seconds).
    pub clock_offset_ms: Option<f64>,
    /// How long the provider's credentials have left, ms (none for a fixed key, or without an
    /// `expiration`).
    pub credentials_expire_in_ms: Option<f64>,
}

impl SelfTest {
    /// Whether no check failed.
    pub fn ok(&self) -> bool {
        self.checks.iter().all(|c| c.status != CheckStatus::Fail)
    }
}

#[inline(never)]
fn check(name: &'static str, status: CheckStatus, detail: String, advice: Option<&str>) -> Check {
    Check {
        name,
        status,
        detail,
        advice: advice.map(String::from),
    }
}

fn seconds(out: &mut String, ms: f64) {
    // (floor(x + 0.5): `round` is a libm function of its own in the wasm.)
    let s = (ms.abs() / 1000.0 + 0.5).floor() as u64;
    if ms < 0.0 && s > 0 {
        out.push('-');
    }
    push_u64(out, s);
    out.push_str(" s");
}

const CORS_ADVICE: &str = "From a page, call the platform through a same-origin relay (an endpoint such as '/iot/'; docs/deploying.md): its RPC endpoint sends no CORS headers. Otherwise check the endpoint URL and the network.";

impl Client {
    /// Checks the endpoint, CORS or the relay, the clock, the credentials and a signed request,
    /// each with advice (see the module's documentation for the requests it makes). Never fails:
    /// what went wrong is in the checks.
    pub async fn self_test(&self) -> SelfTest {
        let inner = &self.inner;
        let mut checks = Vec::with_capacity(5);
        let mut clock_offset_ms = None;
        let mut reachable = false;

        // 4 (first: the probe is signed with them): the credentials.
        let mut credentials_expire_in_ms = None;
        let credentials = match self.refresh_credentials().await {
            Err(e) => check("credentials", CheckStatus::Fail, e.message().into(), Some("Make the credentials provider return { accessKeyId, accessKeySecret, securityToken, expiration } (from your backend's /sts).")),
            Ok(()) => {
                let signer = inner.signer.borrow();
                let id = signer.as_ref().map(|s| s.creds.access_key_id()).unwrap_or_default();
                let temporary = signer.as_ref().is_some_and(|s| s.creds.security_token().is_some());
                let mut detail = String::from(if temporary { "temporary key " } else { "AccessKey " });
                detail.push_str(id.get(..8).unwrap_or(id));
                detail.push('…');
                let expires = signer.as_ref().map(|s| s.expires_at_ms).filter(|e| e.is_finite());
                if let Some(at) = expires {
                    let left = at - (now_ms() + inner.offset_ms.get());
                    credentials_expire_in_ms = Some(left);
                    detail.push_str(", expires in ");
                    seconds(&mut detail, left);
                }
                if !temporary {
                    check("credentials", CheckStatus::Warn, detail, Some("A page should hold only temporary credentials from its backend (STS AssumeRole with a policy scoped to the dashboard), never a long-lived AccessKey."))
                } else if credentials_expire_in_ms.is_some_and(|l| l < 300_000.0) {
                    check("credentials", CheckStatus::Warn, detail, Some("They are about to expire: the provider is asked again 5 minutes before expiration."))
                } else {
                    check("credentials", CheckStatus::Ok, detail, None)
                }
            }
        };
        let have_credentials = credentials.status != CheckStatus::Fail;

        // 1-3: one probe, signed when there are credentials.
        let params: Params = alloc::vec![
            ("PageSize".into(), "1".into()),
            ("CurrentPage".into(), "1".into())
        ];
        let signed = have_credentials
            .then(|| self.sign_attempt("QueryProductList", &params).ok())
            .flatten();
        let wire = signed
            .as_ref()
            .map_or("Action=QueryProductList&Format=JSON", |(w, _, _)| w);
        let headers = signed.as_ref().and_then(|(_, _, h)| h.as_ref());
        let mut accepted = false;
        let deadline = Deadline::new(inner.timeout_ms, None);
        let sent_at = now_ms();
        match inner
            .transport
            .send(wire, headers, deadline.signal(), None)
            .await
        {
            Err(message) => {
                let detail =
                    concat(&["no HTTP answer from ", self.endpoint(), " (", &message, ")"]);
                checks.push(check(
                    "endpoint",
                    CheckStatus::Fail,
                    detail,
                    Some(CORS_ADVICE),
                ));
                checks.push(check(
                    "cors",
                    CheckStatus::Fail,
                    "the answer could not be read (no answer, or one the page may not read: CORS)"
                        .into(),
                    Some(CORS_ADVICE),
                ));
                checks.push(check(
                    "clock",
                    CheckStatus::Skipped,
                    "no answer to read the server's time from".into(),
                    None,
                ));
            }
            Ok(http) => {
                reachable = true;
                let body = http.body.as_ref();
                accepted = signed.is_some()
                    && (200..300).contains(&http.status)
                    && body.is_some_and(|b| results::at(b, &["Success"]).as_bool() == Some(true));
                let code = if accepted {
                    Some(String::from("Success"))
                } else {
                    body.and_then(|b| results::text(&results::at(b, &["Code"])))
                        .filter(|c| !c.is_empty())
                };
                let mut status = String::new();
                push_u64(&mut status, http.status.into());
                let kind = if signed.is_some() {
                    " for a signed QueryProductList)"
                } else {
                    " for an unsigned request)"
                };
                checks.push(match &code {
                    Some(c) => check(
                        "endpoint",
                        CheckStatus::Ok,
                        concat(&["answers with the platform's JSON (HTTP ", &status, ", ", c, kind]),
                        None,
                    ),
                    None => check(
                        "endpoint",
                        CheckStatus::Fail,
                        concat(&["HTTP ", &status, " without the platform's JSON envelope"]),
                        Some("Point the endpoint at the IoT Platform API (https://iot.<RegionId>.aliyuncs.com/), or at the relay that forwards to it."),
                    ),
                });
                checks.push(check(
                    "cors",
                    CheckStatus::Ok,
                    "the answer is readable here (same origin through a relay, or the endpoint allows this origin)".into(),
                    None,
                ));
                let date = http.date_ms();
                checks.push(if date.is_finite() {
                    // The header has whole seconds: compare with the middle of the exchange.
                    let offset = date + 500.0 - (sent_at + now_ms()) / 2.0;
                    clock_offset_ms = Some(offset);
                    let mut detail = String::from("this clock is off the server's by ");
                    seconds(&mut detail, offset);
                    if offset.abs() < 60_000.0 {
                        check("clock", CheckStatus::Ok, detail, None)
                    } else {
                        check(
                            "clock",
                            CheckStatus::Warn,
                            detail,
                            Some("Set this machine's clock. The platform refuses requests more than 15 minutes off; thingcall corrects for the offset after one refused attempt."),
                        )
                    }
                } else {
                    check(
                        "clock",
                        CheckStatus::Warn,
                        "the answer's Date header is not readable here".into(),
                        Some("Expose it (Access-Control-Expose-Headers: Date), or relay it: without it thingcall cannot correct a wrong clock."),
                    )
                });
            }
        }

        checks.push(credentials);

        // 5: one signed request.
        checks.push(if !(reachable && have_credentials) {
            check("signature", CheckStatus::Skipped, "needs an answering endpoint and credentials".into(), None)
        } else if accepted {
            check("signature", CheckStatus::Ok, "a signed QueryProductList was accepted".into(), None)
        } else {
            match self.send("QueryProductList", params, &Default::default()).await {
                Ok(_) => check("signature", CheckStatus::Ok, "a signed QueryProductList was accepted".into(), None),
                // Refused after the signature was checked: the key is good, its policy is narrow.
                Err(e) if e.http_status() == Some(200) || find(e.code(), "Permission").is_some() || e.code().starts_with("Throttling") => check(
                    "signature",
                    CheckStatus::Ok,
                    concat(&["the signature was accepted (QueryProductList answered ", e.code(), ")"]),
                    None,
                ),
                Err(e) => {
                    let advice = e.diagnosis().map(|d| d.explanation.clone());
                    let mut c = check("signature", CheckStatus::Fail, concat(&[e.code(), ": ", e.message()]), None);
                    c.advice = advice.or_else(|| {
                        Some(String::from(if e.code() == codes::NETWORK_ERROR || e.code() == codes::TIMEOUT {
                            CORS_ADVICE
                        } else {
                            "Check the AccessKeyId, the secret and the SecurityToken against the platform's error code."
                        }))
                    });
                    c
                }
            }
        });
        SelfTest {
            checks,
            clock_offset_ms,
            credentials_expire_in_ms,
        }
    }
}

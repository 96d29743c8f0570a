//! What a failed call means for the caller: did anything run (`Outcome`), may it be sent again
//! (`RetryPolicy`). Pure decisions, no I/O. (What to do about each code, the advice that ends
//! a `ThingcallError` message, is in `js/thingcall_error.js`, beside the error class.)

use alloc::string::{String, ToString};

use super::text::find;

/// What is known about a call that did not succeed. Ordered: a later, worse state wins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Refused before anything was sent.
    NotSent,
    /// The platform answered with an error: nothing ran.
    Rejected,
    /// Sent, but no definite answer: the device may have acted.
    Unknown,
}

impl Outcome {
    /// `"not_sent"`, `"rejected"` or `"unknown"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Outcome::NotSent => "not_sent",
            Outcome::Rejected => "rejected",
            Outcome::Unknown => "unknown",
        }
    }
}

/// Why a failed attempt may be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RetryReason {
    /// `Throttling.*` or `iot.messagebroker.RateLimit`: nothing ran, wait and try again.
    Throttled,
    /// `ServiceUnavailable` with a platform body: nothing ran.
    Unavailable,
    /// `SignatureNonceUsed`. thingcall never reuses a nonce (128 random bits each attempt), so this
    /// answer means the same signed request reached the platform before: a browser or proxy
    /// resent it after a dropped connection, and the first delivery may have run. Retried (with a
    /// fresh nonce) only where an unknown outcome may be: read-only actions, or `retryUnknown`.
    NonceUsed,
    /// `InvalidTimeStamp.Expired`: correct the clock offset and sign again (once).
    ClockSkew,
    /// Credentials the platform no longer takes, with a credentials provider: fetch new ones and
    /// sign again (once); nothing ran. `InvalidSecurityToken.Expired`, and a key revoked before
    /// its time (`InvalidAccessKeyId.*`: `.NotFound`, `.Inactive`; the role's sessions revoked,
    /// the account's key reset), which the dashboard's backend stops handing out when it sees it.
    CredentialsExpired,
    /// No definite answer (network failure, server error mid-call): only for idempotent
    /// actions or when the caller opts in.
    OutcomeUnknown,
}

/// The client's own error codes (the platform's codes are passed through as they come).
pub mod codes {
    /// Bad input, refused before sending.
    pub const INVALID_ARGUMENT: &str = "InvalidArgument";
    /// The call's deadline passed.
    pub const TIMEOUT: &str = "Timeout";
    /// The caller's `AbortSignal` fired.
    pub const ABORTED: &str = "Aborted";
    /// `fetch` failed: no HTTP answer.
    pub const NETWORK_ERROR: &str = "NetworkError";
    /// An answer that is not the platform's JSON envelope.
    pub const INVALID_RESPONSE: &str = "InvalidResponse";
    /// The credentials provider failed or returned something unusable.
    pub const CREDENTIALS_ERROR: &str = "CredentialsError";
    /// The client runs only in wasm32 (a page, a worker, Node): on the host it does not start.
    pub const UNSUPPORTED: &str = "Unsupported";
}

fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn starts_with(a: &str, prefix: &str) -> bool {
    a.len() >= prefix.len() && a.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Classifies an error answer from the platform (codes compared case-insensitively).
pub fn classify_platform_error(code: &str, http_status: u16) -> (Outcome, Option<RetryReason>) {
    if starts_with(code, "Throttling") || eq(code, "iot.messagebroker.RateLimit") {
        (Outcome::Rejected, Some(RetryReason::Throttled))
    } else if eq(code, "ServiceUnavailable") {
        (Outcome::Rejected, Some(RetryReason::Unavailable))
    } else if eq(code, "SignatureNonceUsed") {
        // This attempt was refused, but an earlier delivery of the very same request was not.
        (Outcome::Unknown, Some(RetryReason::NonceUsed))
    } else if eq(code, "InvalidSecurityToken.Expired") || starts_with(code, "InvalidAccessKeyId") {
        (Outcome::Rejected, Some(RetryReason::CredentialsExpired))
    } else if eq(code, "InvalidTimeStamp.Expired") {
        (Outcome::Rejected, Some(RetryReason::ClockSkew))
    } else if eq(code, "iot.messagebroker.TIMEOUT")
        || eq(code, "InternalError")
        || eq(code, "iot.system.SystemException")
        || (http_status >= 500 && http_status != 503)
    {
        // The call reached the platform (and perhaps the device), but how it ended is not known.
        (Outcome::Unknown, Some(RetryReason::OutcomeUnknown))
    } else {
        (Outcome::Rejected, None)
    }
}

/// Whether `action` is read-only, so safe to send twice: as the catalog says
/// ([`super::action::ActionSpec::idempotent`]); for an action it does not know (sent with `call`),
/// by the platform's naming (`Query*`, `Get*`, `List*`, `Describe*`).
pub fn is_idempotent_action(action: &str) -> bool {
    match super::action::idempotent(action) {
        Some(idempotent) => idempotent,
        None => ["Query", "Get", "List", "Describe"]
            .iter()
            .any(|p| action.starts_with(p)),
    }
}

/// The shortest value (in bytes) [`redact`] looks for.
pub const MIN_REDACTED_LEN: usize = 4;

/// Retry settings (`retry` option): full-jitter exponential back-off.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// The back-off ceiling of the first retry, in ms.
    pub base_delay_ms: f64,
    /// The largest back-off, in ms.
    pub max_delay_ms: f64,
    /// Also retry calls whose outcome is unknown (may run them twice).
    pub retry_unknown: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay_ms: 100.0,
            max_delay_ms: 2_000.0,
            retry_unknown: false,
        }
    }
}

impl RetryPolicy {
    /// Whether trying again later is safe: `retryable` of an error, ignoring the attempt count.
    pub fn is_safe(&self, reason: RetryReason, idempotent: bool) -> bool {
        match reason {
            RetryReason::Throttled
            | RetryReason::Unavailable
            | RetryReason::ClockSkew
            | RetryReason::CredentialsExpired => true,
            RetryReason::OutcomeUnknown | RetryReason::NonceUsed => {
                idempotent || self.retry_unknown
            }
        }
    }

    /// May attempt number `attempt` (1-based) that failed for `reason` be followed by another?
    /// `spent` lists the one-time retries already used (clock correction, new credentials).
    pub fn allows(
        &self,
        reason: RetryReason,
        attempt: u32,
        idempotent: bool,
        spent: &[RetryReason],
    ) -> bool {
        if attempt >= self.max_attempts || !self.is_safe(reason, idempotent) {
            return false;
        }
        match reason {
            RetryReason::ClockSkew | RetryReason::CredentialsExpired => !spent.contains(&reason),
            _ => true,
        }
    }

    /// The wait before retry number `retry` (1-based), given `unit` uniform in [0, 1):
    /// full jitter over `min(max, base * 2^(retry-1))`. Fresh-nonce, clock and credentials
    /// retries do not wait.
    pub fn backoff_ms(&self, reason: RetryReason, retry: u32, unit: f64) -> f64 {
        if matches!(
            reason,
            RetryReason::NonceUsed | RetryReason::ClockSkew | RetryReason::CredentialsExpired
        ) {
            return 0.0;
        }
        let exp = (1u64 << retry.saturating_sub(1).min(30)) as f64;
        let cap = (self.base_delay_ms * exp).min(self.max_delay_ms);
        // Non-negative, so truncation is `floor` (which `core` does not have).
        ((cap * unit.clamp(0.0, 1.0)) as u64) as f64
    }
}

/// Replaces every occurrence of each secret in `text` (as is, percent-encoded once and twice,
/// as it would appear in a string-to-sign) with `** redacted **`. Values shorter than
/// [`MIN_REDACTED_LEN`] are not searched for: they would match ordinary words.
pub fn redact(text: &str, secrets: &[&str]) -> String {
    use super::encode::percent_encode;
    let mut out = text.to_string();
    for &s in secrets {
        if s.len() < MIN_REDACTED_LEN {
            continue;
        }
        let once = percent_encode(s);
        let twice = percent_encode(&once);
        for form in [twice.as_str(), once.as_str(), s] {
            out = replace_all(&out, form, "** redacted **");
        }
    }
    out
}

fn replace_all(text: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = find(rest, from) {
        // `i` and `i + from.len()` are char boundaries: `from` is valid UTF-8 found at `i`.
        out.push_str(rest.get(..i).unwrap_or_default());
        out.push_str(to);
        rest = rest.get(i + from.len()..).unwrap_or_default();
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::{format, prelude::rust_2021::*, vec};

    #[test]
    fn classifies_codes_case_insensitively() {
        assert_eq!(
            classify_platform_error("throttling.user", 400),
            (Outcome::Rejected, Some(RetryReason::Throttled))
        );
        assert_eq!(
            classify_platform_error("ServiceUnavailable", 503),
            (Outcome::Rejected, Some(RetryReason::Unavailable))
        );
        assert_eq!(
            classify_platform_error("iot.messagebroker.timeout", 200),
            (Outcome::Unknown, Some(RetryReason::OutcomeUnknown))
        );
        assert_eq!(
            classify_platform_error("iot.messagebroker.OFFLINE", 200),
            (Outcome::Rejected, None)
        );
        assert_eq!(
            classify_platform_error("SignatureDoesNotMatch", 400),
            (Outcome::Rejected, None)
        );
        assert_eq!(
            classify_platform_error("SignatureNonceUsed", 400),
            (Outcome::Unknown, Some(RetryReason::NonceUsed))
        );
    }

    #[test]
    fn unknown_outcomes_retry_only_when_safe() {
        let p = RetryPolicy::default();
        assert!(!p.allows(RetryReason::OutcomeUnknown, 1, false, &[]));
        assert!(p.allows(RetryReason::OutcomeUnknown, 1, true, &[]));
        assert!(!p.allows(RetryReason::NonceUsed, 1, false, &[]));
        assert!(p.allows(RetryReason::NonceUsed, 1, true, &[]));
        let opt_in = RetryPolicy {
            retry_unknown: true,
            ..p
        };
        assert!(opt_in.allows(RetryReason::OutcomeUnknown, 1, false, &[]));
        assert!(opt_in.allows(RetryReason::NonceUsed, 1, false, &[]));
        assert!(!p.allows(RetryReason::Throttled, 3, false, &[]));
        assert!(p.allows(RetryReason::ClockSkew, 1, false, &[]));
        assert!(!p.allows(RetryReason::ClockSkew, 2, false, &[RetryReason::ClockSkew]));
        assert!(p.allows(
            RetryReason::CredentialsExpired,
            2,
            false,
            &[RetryReason::ClockSkew]
        ));
        assert!(!p.allows(
            RetryReason::CredentialsExpired,
            2,
            false,
            &[RetryReason::CredentialsExpired]
        ));
    }

    #[test]
    fn backoff_is_bounded_full_jitter() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_ms(RetryReason::Throttled, 1, 0.999_999), 99.0);
        assert_eq!(p.backoff_ms(RetryReason::Throttled, 3, 0.5), 200.0);
        assert_eq!(p.backoff_ms(RetryReason::Throttled, 20, 0.999_999), 1999.0);
        assert_eq!(p.backoff_ms(RetryReason::NonceUsed, 2, 0.9), 0.0);
    }

    #[test]
    fn idempotent_actions() {
        assert!(is_idempotent_action("QueryDeviceDetail"));
        assert!(!is_idempotent_action("InvokeThingService"));
        assert!(!is_idempotent_action("SetDeviceProperty"));
        assert!(!is_idempotent_action("CancelJob"));
        assert!(is_idempotent_action("ListTask"));
        // Not in the catalog: by its name.
        assert!(is_idempotent_action("QueryDeviceEventData"));
        assert!(!is_idempotent_action("Pub"));
    }

    #[test]
    fn redacts_every_form() {
        let t = "a tok/en+x b tok%2Fen%2Bx c tok%252Fen%252Bx";
        assert_eq!(
            redact(t, &["tok/en+x"]),
            "a ** redacted ** b ** redacted ** c ** redacted **"
        );
    }

    #[test]
    fn short_values_are_not_searched_for() {
        assert_eq!(redact("must be a string", &["s"]), "must be a string");
    }
}

//! One call's attempts as a state machine, with no I/O: the caller sends each attempt and reports
//! what came back (an HTTP answer's envelope fields, a network failure, a cancellation), and
//! [`Attempts`] says what happens next ([`Verdict`]): done, retry after a wait (and what to
//! correct first), or fail with a [`Failure`].
//!
//! In the browser the caller is the JavaScript driver (`js/client.js`): it owns `fetch`, timers
//! and the `AbortSignal`, this owns every decision.

use alloc::string::String;
use alloc::vec::Vec;

use super::outcome::{classify_platform_error, codes, Outcome, RetryPolicy, RetryReason};
use super::text::find;
use super::timestamp::Timestamp;

/// A failed call, with everything its `ThingcallError` carries.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// The platform's `Code`, or one of [`codes`].
    pub code: String,
    /// What happened (without the advice, which is added when the error is made).
    pub message: String,
    /// The platform's `RequestId`, when it answered.
    pub request_id: Option<String>,
    /// The HTTP status, when there was an answer.
    pub http_status: Option<u16>,
    /// Whether anything may have run.
    pub outcome: Outcome,
    /// Whether trying again later is safe.
    pub retryable: bool,
    /// Attempts sent.
    pub attempts: u32,
}

impl Failure {
    /// A failure with no HTTP answer.
    pub fn new(code: &str, message: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            request_id: None,
            http_status: None,
            outcome,
            retryable: false,
            attempts: 0,
        }
    }

    /// Bad input, refused before anything was sent.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(codes::INVALID_ARGUMENT, message, Outcome::NotSent)
    }
}

/// Appends `n` in decimal (without `core::fmt`, which the wasm build leaves out).
pub fn push_u64(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(b as char);
    }
}

/// `s` as `str::parse::<i64>` reads it (an optional sign, then ASCII digits, no overflow),
/// without its generic radix code.
pub fn parse_i64(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        all => (false, all),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulated negative, so that `i64::MIN` fits.
    let mut n: i64 = 0;
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        // (A bound, not `checked_mul`: on wasm32 that is a 128-bit multiply.)
        if n < i64::MIN / 10 {
            return None;
        }
        n = (n * 10).checked_sub(i64::from(d))?;
    }
    if negative {
        Some(n)
    } else {
        n.checked_neg()
    }
}

/// `parts` joined into one string.
#[inline(never)]
pub fn concat(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        s.push_str(p);
    }
    s
}

/// What one attempt got back when the platform (or something in its place) answered: the
/// fields of the parsed JSON envelope.
#[derive(Clone, Copy, Debug, Default)]
pub struct Answer<'a> {
    /// The HTTP status.
    pub status: u16,
    /// Whether the body parsed as a JSON object (the platform's envelope).
    pub envelope: bool,
    /// `Code`, when present and not empty.
    pub code: Option<&'a str>,
    /// `Success`, when the envelope has it as a boolean: it decides (`true` is a success
    /// whatever `Code` holds: compatible endpoints send a `Code` on success too).
    pub success: Option<bool>,
    /// `Message` (or `ErrorMessage`), as text.
    pub message: &'a str,
    /// `RequestId`, as text.
    pub request_id: Option<&'a str>,
    /// The `Date` header as Unix ms, where the response exposes it (parsed by the caller:
    /// `Date.parse` in the browser, [`Timestamp::parse_http_date`] elsewhere).
    pub date_ms: Option<f64>,
    /// The `x-acs-retry-after` header, ms, where the response exposes it: the platform's own
    /// back-off for a throttled call (it replaces the policy's).
    pub retry_after_ms: Option<f64>,
}

/// What the caller does next.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    /// The answer is the call's result.
    Done,
    /// Send again after `after_ms`, with a fresh nonce and timestamp, after the corrections.
    Retry {
        /// The back-off wait.
        after_ms: f64,
        /// The new server-minus-local clock offset to sign with, when it was learned.
        clock_offset_ms: Option<f64>,
        /// Drop the provided credentials and fetch new ones first.
        renew_credentials: bool,
    },
    /// The call failed: [`Attempts::failure`] says how.
    Fail,
}

/// One call's attempts.
#[derive(Clone, Debug)]
pub struct Attempts {
    idempotent: bool,
    attempt: u32,
    outcome: Outcome,
    spent: Vec<RetryReason>,
    last: Option<Failure>,
}

impl Attempts {
    /// A call to `action`; read-only actions (`Query*`, `Get*`, ...) may be sent twice.
    pub fn new(action: &str) -> Self {
        Self {
            idempotent: super::outcome::is_idempotent_action(action),
            attempt: 0,
            outcome: Outcome::NotSent,
            spent: Vec::new(),
            last: None,
        }
    }

    /// Counts the attempt about to be sent.
    pub fn begin(&mut self) {
        self.attempt += 1;
    }

    /// Attempts begun so far.
    pub fn attempts(&self) -> u32 {
        self.attempt
    }

    /// How the call failed, after [`Verdict::Fail`].
    pub fn failure(&self) -> Option<&Failure> {
        self.last.as_ref()
    }

    /// The attempt got an HTTP answer; `now_ms` is local time, `unit` uniform in [0, 1) for
    /// the back-off jitter; `refreshable` says whether new credentials can be fetched.
    pub fn answered(
        &mut self,
        policy: &RetryPolicy,
        refreshable: bool,
        a: &Answer<'_>,
        now_ms: f64,
        unit: f64,
    ) -> Verdict {
        let status = a.status;
        // "HTTP <status> <what>" (made only on these failure paths).
        let http = |what: &str| {
            let mut m = String::from("HTTP ");
            push_u64(&mut m, status as u64);
            m.push_str(what);
            m
        };
        if !a.envelope {
            let mut f = Failure::new(
                codes::INVALID_RESPONSE,
                http(" with a body that is not the platform's JSON envelope."),
                Outcome::Unknown,
            );
            f.http_status = Some(status);
            return self.failed(policy, f, Some(RetryReason::OutcomeUnknown), None, unit);
        }
        let code = a.code.filter(|c| !c.is_empty());
        if (200..300).contains(&status)
            && (a.success == Some(true) || (a.success.is_none() && code.is_none()))
        {
            return Verdict::Done;
        }
        let request_id = a.request_id.map(String::from);
        let Some(code) = code else {
            let mut f = Failure::new(
                codes::INVALID_RESPONSE,
                http(" without an error Code."),
                Outcome::Unknown,
            );
            f.http_status = Some(status);
            f.request_id = request_id;
            return self.failed(policy, f, Some(RetryReason::OutcomeUnknown), None, unit);
        };
        let (outcome, reason) = classify_platform_error(code, status);
        let mut message = String::from(a.message.trim_ascii_end());
        if !message.is_empty() && message.as_bytes().last() != Some(&b'.') {
            message.push('.');
        }
        let mut server_ms = None;
        if reason == Some(RetryReason::ClockSkew) {
            let from_header = a
                .date_ms
                .filter(|ms| ms.is_finite())
                .map(Timestamp::from_unix_millis);
            if let Some(t) = from_header {
                message.push_str(" Server time is ");
                t.push_wire(&mut message);
                message.push('.');
            }
            server_ms = from_header.or_else(|| server_time_in(a.message)).map(|t| {
                // Mid-second: the header has whole seconds.
                (t.unix_seconds() as f64) * 1000.0 + 500.0
            });
        }
        let reason = match reason {
            // Only a provider can give new credentials.
            Some(RetryReason::CredentialsExpired) if !refreshable => None,
            // Without the server's time there is nothing to correct.
            Some(RetryReason::ClockSkew) if server_ms.is_none() => None,
            r => r,
        };
        let mut f = Failure::new(code, message, outcome);
        f.http_status = Some(status);
        f.request_id = request_id;
        let offset = server_ms.map(|s| s - now_ms);
        let mut verdict = self.failed(policy, f, reason, offset, unit);
        if let (Verdict::Retry { after_ms, .. }, Some(RetryReason::Throttled), Some(wait)) =
            (&mut verdict, reason, a.retry_after_ms)
        {
            if wait.is_finite() && wait > 0.0 {
                *after_ms = wait;
            }
        }
        verdict
    }

    /// The attempt got no HTTP answer (`fetch` rejected): the request may have arrived.
    pub fn network_error(&mut self, policy: &RetryPolicy, message: &str, unit: f64) -> Verdict {
        let f = Failure::new(
            codes::NETWORK_ERROR,
            concat(&["fetch failed: ", message, "."]),
            Outcome::Unknown,
        );
        self.failed(policy, f, Some(RetryReason::OutcomeUnknown), None, unit)
    }

    fn failed(
        &mut self,
        policy: &RetryPolicy,
        mut f: Failure,
        reason: Option<RetryReason>,
        clock_offset_ms: Option<f64>,
        unit: f64,
    ) -> Verdict {
        self.outcome = self.outcome.max(f.outcome);
        f.outcome = self.outcome;
        f.attempts = self.attempt;
        f.retryable = reason.is_some_and(|r| policy.is_safe(r, self.idempotent));
        self.last = Some(f);
        let Some(r) =
            reason.filter(|r| policy.allows(*r, self.attempt, self.idempotent, &self.spent))
        else {
            return Verdict::Fail;
        };
        self.spent.push(r);
        Verdict::Retry {
            after_ms: policy.backoff_ms(r, self.attempt, unit),
            clock_offset_ms: clock_offset_ms.filter(|_| r == RetryReason::ClockSkew),
            renew_credentials: r == RetryReason::CredentialsExpired,
        }
    }

    /// The failure for a call cut short by the caller's signal (`aborted`) or the deadline of
    /// `timeout_ms`; `sending` says an attempt was in flight (so it may have arrived).
    pub fn cancelled(&self, aborted: bool, timeout_ms: f64, sending: bool) -> Failure {
        let outcome = if sending {
            self.outcome.max(Outcome::Unknown)
        } else {
            self.outcome
        };
        let mut f = if aborted {
            Failure::new(
                codes::ABORTED,
                "the call was aborted by its AbortSignal.",
                outcome,
            )
        } else {
            let mut m = String::from("no answer within the call's deadline of ");
            push_u64(&mut m, timeout_ms.max(0.0) as u64);
            m.push_str(" ms.");
            if let (false, Some(last)) = (sending, &self.last) {
                m.push_str(" The last attempt failed with ");
                m.push_str(&last.code);
                m.push('.');
            }
            Failure::new(codes::TIMEOUT, m, outcome)
        };
        f.attempts = self.attempt;
        f
    }

    /// The failure for a credentials provider that failed before the next attempt.
    pub fn credentials_failed(&self, message: &str) -> Failure {
        let mut f = Failure::new(codes::CREDENTIALS_ERROR, message, self.outcome);
        f.attempts = self.attempt;
        f
    }
}

/// The server's time named in a platform message (`... Server time is YYYY-MM-DDThh:mm:ssZ`).
fn server_time_in(message: &str) -> Option<Timestamp> {
    const MARK: &str = "Server time is ";
    let at = find(message, MARK)? + MARK.len();
    Timestamp::parse(message.get(at..at + 20)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::{format, prelude::rust_2021::*, vec};

    fn answer(status: u16, code: Option<&'static str>) -> Answer<'static> {
        Answer {
            status,
            envelope: true,
            code,
            message: "msg",
            request_id: Some("R1"),
            ..Answer::default()
        }
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn a_throttled_call_waits_what_the_platform_says() {
        let mut a = Attempts::new("QueryDeviceDetail");
        let mut throttled = answer(400, Some("Throttling.User"));
        throttled.retry_after_ms = Some(1234.0);
        assert!(matches!(
            a.answered(&policy(), false, &throttled, 0.0, 0.5),
            Verdict::Retry { after_ms, .. } if after_ms == 1234.0
        ));
        // Zero or absent: the policy's back-off.
        throttled.retry_after_ms = Some(0.0);
        assert!(matches!(
            a.answered(&policy(), false, &throttled, 0.0, 0.5),
            Verdict::Retry { after_ms, .. } if after_ms != 0.0 && after_ms < 1234.0
        ));
        // Another error's header is not a back-off.
        let mut b = Attempts::new("QueryDeviceDetail");
        let mut unavailable = answer(503, Some("ServiceUnavailable"));
        unavailable.retry_after_ms = Some(9999.0);
        assert!(matches!(
            b.answered(&policy(), false, &unavailable, 0.0, 0.5),
            Verdict::Retry { after_ms, .. } if after_ms < 9999.0
        ));
    }

    #[test]
    fn success_is_done() {
        let mut a = Attempts::new("InvokeThingService");
        a.begin();
        assert_eq!(
            a.answered(&policy(), false, &answer(200, None), 0.0, 0.5),
            Verdict::Done
        );
        let mut bad = answer(200, None);
        bad.success = Some(false);
        assert_eq!(a.answered(&policy(), false, &bad, 0.0, 0.5), Verdict::Fail);
        assert_eq!(a.failure().unwrap().code, codes::INVALID_RESPONSE);
    }

    #[test]
    fn the_envelope_success_decides_whatever_the_code() {
        // Compatible endpoints send `Code` on success: `{"Success": true, "Code": "200"}`.
        let mut a = Attempts::new("InvokeThingService");
        a.begin();
        let mut ok = answer(200, Some("200"));
        ok.success = Some(true);
        assert_eq!(a.answered(&policy(), false, &ok, 0.0, 0.5), Verdict::Done);
        // Without `Success`, a `Code` is the platform's error.
        let mut a = Attempts::new("InvokeThingService");
        a.begin();
        let failed = answer(200, Some("iot.device.NotExistedDevice"));
        assert_eq!(
            a.answered(&policy(), false, &failed, 0.0, 0.5),
            Verdict::Fail
        );
        // `Success: false` with a code is that code's failure.
        let mut a = Attempts::new("InvokeThingService");
        a.begin();
        let mut failed = answer(200, Some("iot.device.NotExistedDevice"));
        failed.success = Some(false);
        assert_eq!(
            a.answered(&policy(), false, &failed, 0.0, 0.5),
            Verdict::Fail
        );
        assert_eq!(a.failure().unwrap().code, "iot.device.NotExistedDevice");
    }

    #[test]
    fn throttling_retries_then_gives_up_retryable() {
        let mut a = Attempts::new("InvokeThingService");
        for n in 1..=3 {
            a.begin();
            let v = a.answered(
                &policy(),
                false,
                &answer(400, Some("Throttling.User")),
                0.0,
                0.5,
            );
            if n < 3 {
                assert!(
                    matches!(v, Verdict::Retry { after_ms, .. } if after_ms >= 0.0),
                    "{v:?}"
                );
            } else {
                assert_eq!(v, Verdict::Fail);
            }
        }
        let f = a.failure().unwrap();
        assert_eq!(
            (f.outcome, f.retryable, f.attempts),
            (Outcome::Rejected, true, 3)
        );
        assert_eq!(f.http_status, Some(400));
        assert_eq!(f.request_id.as_deref(), Some("R1"));
        assert_eq!(f.message, "msg.");
    }

    #[test]
    fn unknown_outcome_is_not_resent_for_an_invoke_but_is_for_a_query() {
        let mut invoke = Attempts::new("InvokeThingService");
        invoke.begin();
        assert_eq!(invoke.network_error(&policy(), "reset", 0.1), Verdict::Fail);
        let f = invoke.failure().unwrap();
        assert_eq!(
            (f.code.as_str(), f.outcome, f.retryable),
            ("NetworkError", Outcome::Unknown, false)
        );
        assert_eq!(f.message, "fetch failed: reset.");
        let mut query = Attempts::new("QueryDeviceDetail");
        query.begin();
        assert!(matches!(
            query.network_error(&policy(), "reset", 0.1),
            Verdict::Retry { .. }
        ));
        let opted = RetryPolicy {
            retry_unknown: true,
            ..policy()
        };
        let mut invoke = Attempts::new("InvokeThingService");
        invoke.begin();
        assert!(matches!(
            invoke.network_error(&opted, "reset", 0.1),
            Verdict::Retry { .. }
        ));
    }

    #[test]
    fn clock_skew_learns_the_offset_from_the_date_header_once() {
        let mut a = Attempts::new("InvokeThingService");
        let mut ans = answer(400, Some("InvalidTimeStamp.Expired"));
        let header = Timestamp::parse_http_date("Thu, 26 Nov 2026 17:00:00 GMT").unwrap();
        ans.date_ms = Some(header.unix_seconds() as f64 * 1000.0);
        let now = Timestamp::parse("2026-11-26T16:40:00Z")
            .unwrap()
            .unix_seconds() as f64
            * 1000.0;
        a.begin();
        let v = a.answered(&policy(), false, &ans, now, 0.5);
        assert_eq!(
            v,
            Verdict::Retry {
                after_ms: 0.0,
                clock_offset_ms: Some(1_200_500.0),
                renew_credentials: false
            }
        );
        a.begin();
        assert_eq!(
            a.answered(&policy(), false, &ans, now, 0.5),
            Verdict::Fail,
            "only once"
        );
        assert!(a
            .failure()
            .unwrap()
            .message
            .ends_with("Server time is 2026-11-26T17:00:00Z."));
        // Without a server time there is nothing to correct.
        let mut b = Attempts::new("InvokeThingService");
        b.begin();
        assert_eq!(
            b.answered(
                &policy(),
                false,
                &answer(400, Some("InvalidTimeStamp.Expired")),
                now,
                0.5
            ),
            Verdict::Fail
        );
    }

    #[test]
    fn expired_token_renews_only_with_a_provider() {
        for code in [
            "InvalidSecurityToken.Expired",
            "InvalidAccessKeyId.NotFound",
            "InvalidAccessKeyId.Inactive",
        ] {
            expired_renews(code);
        }
    }

    fn expired_renews(code: &'static str) {
        let ans = answer(400, Some(code));
        let mut a = Attempts::new("InvokeThingService");
        a.begin();
        assert_eq!(a.answered(&policy(), false, &ans, 0.0, 0.5), Verdict::Fail);
        let mut b = Attempts::new("InvokeThingService");
        b.begin();
        assert_eq!(
            b.answered(&policy(), true, &ans, 0.0, 0.5),
            Verdict::Retry {
                after_ms: 0.0,
                clock_offset_ms: None,
                renew_credentials: true
            }
        );
    }

    #[test]
    fn not_json_and_missing_code_are_invalid_responses() {
        let mut a = Attempts::new("QueryDeviceDetail");
        a.begin();
        let v = a.answered(
            &RetryPolicy {
                max_attempts: 1,
                ..policy()
            },
            false,
            &Answer {
                status: 502,
                ..Answer::default()
            },
            0.0,
            0.0,
        );
        assert_eq!(v, Verdict::Fail);
        let f = a.failure().unwrap();
        assert_eq!(
            f.message,
            "HTTP 502 with a body that is not the platform's JSON envelope."
        );
        assert_eq!((f.outcome, f.retryable), (Outcome::Unknown, true));
    }

    #[test]
    fn cancellation_keeps_what_is_known() {
        let mut a = Attempts::new("InvokeThingService");
        a.begin();
        let f = a.cancelled(false, 300.0, true);
        assert_eq!(
            (f.code.as_str(), f.outcome, f.attempts),
            ("Timeout", Outcome::Unknown, 1)
        );
        assert_eq!(f.message, "no answer within the call's deadline of 300 ms.");
        let _ = a.answered(
            &policy(),
            false,
            &answer(400, Some("Throttling.User")),
            0.0,
            0.5,
        );
        let f = a.cancelled(false, 500.0, false);
        assert_eq!(f.outcome, Outcome::Rejected);
        assert!(f
            .message
            .ends_with("The last attempt failed with Throttling.User."));
        assert_eq!(a.cancelled(true, 500.0, false).code, "Aborted");
        assert_eq!(a.credentials_failed("x").outcome, Outcome::Rejected);
    }

    #[test]
    fn push_u64_writes_decimal() {
        for n in [0u64, 7, 10, 503, u64::MAX] {
            let mut s = String::new();
            push_u64(&mut s, n);
            assert_eq!(s, n.to_string());
        }
    }

    #[test]
    fn parse_i64_reads_as_str_parse_does() {
        let mut cases: Vec<String> = [
            "",
            "+",
            "-",
            "0",
            "-0",
            "+0",
            "+5",
            "007",
            "-12",
            "1a",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "9223372036854775807",
            "9223372036854775808",
            "-9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999",
            "\u{0661}",
            "--1",
            "+-1",
            "1e3",
        ]
        .iter()
        .map(|s| String::from(*s))
        .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = x as i64 >> (x % 64);
            let mut s = String::new();
            if n < 0 {
                s.push('-');
            }
            push_u64(&mut s, n.unsigned_abs());
            cases.push(s);
        }
        for s in &cases {
            assert_eq!(parse_i64(s), s.parse::<i64>().ok(), "{s:?}");
        }
    }
}

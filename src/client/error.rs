//! [`Error`]: how a call failed, typed for Rust callers (the JavaScript layer turns it into a
//! `ThingcallError`). Its message never holds a secret: it is scrubbed when the error is made.

use alloc::string::String;
use core::fmt;

use alloc::boxed::Box;

use crate::core::diagnosis::Diagnosis;
use crate::core::outcome::{codes, redact};
use crate::core::{Failure, Outcome};

/// A failed call: the platform's `Code` (or one of the client's own, [`codes`]), what happened,
/// and whether anything may have run ([`Outcome`]).
///
/// One pointer wide (the failure is boxed): every `?` on a `Result<_, Error>` moves a pointer,
/// not the whole failure, which keeps the wasm smaller.
#[derive(Clone, PartialEq)]
pub struct Error(Box<Inner>);

/// What kind of failure an [`Error`] is, to match on instead of comparing code strings. New
/// kinds may come; [`ErrorKind::Platform`] is any other code of the platform's (see
/// [`Error::code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Bad input, refused before anything was sent (`InvalidArgument`).
    InvalidArgument,
    /// The call's deadline passed (`Timeout`).
    Timeout,
    /// The caller's signal fired (`Aborted`).
    Aborted,
    /// No HTTP answer (`NetworkError`).
    Network,
    /// An answer that is not the platform's envelope (`InvalidResponse`).
    InvalidResponse,
    /// The credentials provider failed (`CredentialsError`).
    Credentials,
    /// The client does not run here (`Unsupported`: off wasm32).
    Unsupported,
    /// Too many requests (`Throttling*`, `iot.messagebroker.RateLimit`).
    Throttled,
    /// The request's key, token, time or signature was refused (`SignatureDoesNotMatch`,
    /// `InvalidAccessKeyId.NotFound`, `InvalidSecurityToken*`, `InvalidTimeStamp*`,
    /// `IncompleteSignature`, `SignatureNonceUsed`).
    Authentication,
    /// The key's policy does not allow the action (`iot.common.RamActionPermissionDeny`).
    PermissionDenied,
    /// The device is offline (`iot.messagebroker.OFFLINE`).
    DeviceOffline,
    /// The device did not answer in the RRPC window (`iot.messagebroker.TIMEOUT`): it may have
    /// acted.
    DeviceTimeout,
    /// No such product or device (`iot.prod.NotExistedProduct`, `iot.device.NotExistedDevice`,
    /// `iot.device.InvalidIoTId`).
    NotFound,
    /// Any other code of the platform's.
    Platform,
}

impl ErrorKind {
    /// The kind of error `code` is (compared case-insensitively, as the platform's codes are).
    pub fn of(code: &str) -> Self {
        let is = |c: &str| code.eq_ignore_ascii_case(c);
        let starts = |p: &str| {
            code.len() >= p.len() && code.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
        };
        if is(codes::INVALID_ARGUMENT) {
            Self::InvalidArgument
        } else if is(codes::TIMEOUT) {
            Self::Timeout
        } else if is(codes::ABORTED) {
            Self::Aborted
        } else if is(codes::NETWORK_ERROR) {
            Self::Network
        } else if is(codes::INVALID_RESPONSE) {
            Self::InvalidResponse
        } else if is(codes::CREDENTIALS_ERROR) {
            Self::Credentials
        } else if is(codes::UNSUPPORTED) {
            Self::Unsupported
        } else if crate::core::bulk::is_throttling(code) {
            Self::Throttled
        } else if is("SignatureDoesNotMatch")
            || is("InvalidAccessKeyId.NotFound")
            || starts("InvalidSecurityToken")
            || starts("InvalidTimeStamp")
            || is("IncompleteSignature")
            || is("SignatureNonceUsed")
        {
            Self::Authentication
        } else if is("iot.common.RamActionPermissionDeny") {
            Self::PermissionDenied
        } else if is("iot.messagebroker.OFFLINE") {
            Self::DeviceOffline
        } else if is("iot.messagebroker.TIMEOUT") {
            Self::DeviceTimeout
        } else if is("iot.prod.NotExistedProduct")
            || is("iot.device.NotExistedDevice")
            || is("iot.device.InvalidIoTId")
        {
            Self::NotFound
        } else {
            Self::Platform
        }
    }
}

#[derive(Clone, PartialEq)]
struct Inner {
    failure: Failure,
    diagnosis: Option<Diagnosis>,
}

impl Error {
    /// `failure`, its message scrubbed of every value in `secrets`.
    pub(crate) fn new(mut failure: Failure, secrets: &[&str]) -> Self {
        failure.message = redact(failure.message.trim_ascii_end(), secrets);
        Self::from_failure(failure)
    }

    /// Bad input, refused before anything was sent (messages name fields, never values).
    #[cold]
    #[inline(never)]
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::from_failure(Failure::invalid(message.into()))
    }

    fn from_failure(failure: Failure) -> Self {
        Self(Box::new(Inner {
            failure,
            diagnosis: None,
        }))
    }

    /// The platform's `Code`, or `InvalidArgument`, `Timeout`, `Aborted`, `NetworkError`,
    /// `InvalidResponse`, `CredentialsError`.
    pub fn code(&self) -> &str {
        &self.0.failure.code
    }

    /// What kind of failure this is ([`ErrorKind`]), for a `match`.
    pub fn kind(&self) -> ErrorKind {
        ErrorKind::of(self.code())
    }

    /// What happened (scrubbed of secrets).
    pub fn message(&self) -> &str {
        &self.0.failure.message
    }

    /// Whether anything may have run: `NotSent`, `Rejected` (nothing ran) or `Unknown`.
    pub fn outcome(&self) -> Outcome {
        self.0.failure.outcome
    }

    /// Whether trying again later is safe and may succeed.
    pub fn retryable(&self) -> bool {
        self.0.failure.retryable
    }

    /// Attempts sent.
    pub fn attempts(&self) -> u32 {
        self.0.failure.attempts
    }

    /// The platform's `RequestId`, when it answered.
    pub fn request_id(&self) -> Option<&str> {
        self.0.failure.request_id.as_deref()
    }

    /// The HTTP status, when there was an answer.
    pub fn http_status(&self) -> Option<u16> {
        self.0.failure.http_status
    }

    /// Whether the code is `code`, compared case-insensitively as the platform's codes are.
    pub fn is(&self, code: &str) -> bool {
        self.0.failure.code.eq_ignore_ascii_case(code)
    }

    /// Whether the call was refused before sending because of bad input.
    pub fn is_invalid_argument(&self) -> bool {
        self.is(codes::INVALID_ARGUMENT)
    }

    /// For `SignatureDoesNotMatch` when the platform quoted its string-to-sign: where it differs
    /// from the one signed, and the likely cause (a wrong secret, or a request changed on the way).
    pub fn diagnosis(&self) -> Option<&Diagnosis> {
        self.0.diagnosis.as_ref()
    }

    /// Adds `d`, and its explanation to the message.
    pub(crate) fn with_diagnosis(mut self, d: Option<Diagnosis>) -> Self {
        if let Some(d) = &d {
            self.0.failure.message.push_str(" Diagnosis: ");
            self.0.failure.message.push_str(&d.explanation);
        }
        self.0.diagnosis = d;
        self
    }

    #[cfg(all(target_arch = "wasm32", feature = "js"))]
    pub(crate) fn failure(&self) -> &Failure {
        &self.0.failure
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("code", &self.0.failure.code)
            .field("message", &self.0.failure.message)
            .field("outcome", &self.0.failure.outcome)
            .field("retryable", &self.0.failure.retryable)
            .field("attempts", &self.0.failure.attempts)
            .field("request_id", &self.0.failure.request_id)
            .field("http_status", &self.0.failure.http_status)
            .field("diagnosis", &self.0.diagnosis)
            .finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.failure.code)?;
        f.write_str(": ")?;
        f.write_str(&self.0.failure.message)
    }
}

impl core::error::Error for Error {}

/// A key refused by [`Credentials::new`](crate::core::Credentials::new): `InvalidArgument`, so
/// that `?` carries it in a function that returns [`Error`].
impl From<crate::core::CredentialsError> for Error {
    fn from(e: crate::core::CredentialsError) -> Self {
        Self::invalid(e.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorKind;

    #[test]
    fn kinds_of_codes() {
        for (code, kind) in [
            ("InvalidArgument", ErrorKind::InvalidArgument),
            ("Timeout", ErrorKind::Timeout),
            ("networkerror", ErrorKind::Network),
            ("Unsupported", ErrorKind::Unsupported),
            ("Throttling.User", ErrorKind::Throttled),
            ("iot.messagebroker.RateLimit", ErrorKind::Throttled),
            ("SignatureDoesNotMatch", ErrorKind::Authentication),
            ("InvalidSecurityToken.Expired", ErrorKind::Authentication),
            ("InvalidTimeStamp.Expired", ErrorKind::Authentication),
            (
                "iot.common.RamActionPermissionDeny",
                ErrorKind::PermissionDenied,
            ),
            ("iot.messagebroker.OFFLINE", ErrorKind::DeviceOffline),
            ("iot.messagebroker.TIMEOUT", ErrorKind::DeviceTimeout),
            ("iot.device.NotExistedDevice", ErrorKind::NotFound),
            ("iot.device.InvokeThingServiceFailed", ErrorKind::Platform),
            ("200", ErrorKind::Platform),
        ] {
            assert_eq!(ErrorKind::of(code), kind, "{code}");
        }
    }
}

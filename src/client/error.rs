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

#[derive(Clone, PartialEq)]
struct Inner {
    failure: Failure,
    diagnosis: Option<Diagnosis>,
}

impl Error {
    /// `failure`, its message scrubbed of every value in `secrets`.
    pub(crate) fn new<'a>(
        mut failure: Failure,
        secrets: impl IntoIterator<Item = &'a str>,
    ) -> Self {
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

//! The platform's error answers: gateway errors (an HTTP status and `Code`/`Message`) and business
//! errors (HTTP 200, `Success: false`, `Code`/`ErrorMessage`).

/// An error answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The platform's `Code`.
    pub code: String,
    /// Its message.
    pub message: String,
    /// A business error (HTTP 200, `ErrorMessage`) rather than a gateway error (`Message`).
    pub business: bool,
}

impl ApiError {
    /// A gateway error.
    pub fn gateway(status: u16, code: &str, message: &str) -> Self {
        Self {
            status,
            code: code.into(),
            message: message.into(),
            business: false,
        }
    }

    /// A business error of the IoT platform (HTTP 200, `Success: false`).
    pub fn business(code: &str, message: impl Into<String>) -> Self {
        Self {
            status: 200,
            code: code.into(),
            message: message.into(),
            business: true,
        }
    }

    /// `MissingParameter` for `name`.
    pub fn missing(name: &str) -> Self {
        Self::gateway(
            400,
            "MissingParameter",
            &format!("The input parameter \"{name}\" that is mandatory for processing this request is not supplied."),
        )
    }

    /// `IncompleteSignature`.
    pub fn incomplete_signature() -> Self {
        Self::gateway(
            400,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        )
    }

    /// `iot.common.InvalidFormattedParameter`.
    pub fn invalid_format(message: impl Into<String>) -> Self {
        Self::business("iot.common.InvalidFormattedParameter", message)
    }

    /// `Throttling.User`.
    pub fn throttled() -> Self {
        Self::gateway(
            400,
            "Throttling.User",
            "Request was denied due to user flow control.",
        )
    }

    /// `ServiceUnavailable`.
    pub fn unavailable() -> Self {
        Self::gateway(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )
    }
}

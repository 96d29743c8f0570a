//! The signing core: pure Rust, no JavaScript types, tested natively.
//!
//! - [`action`]: the action catalog, one [`action::ActionSpec`] per platform action.
//! - [`encode`]: RFC 3986 percent-encoding.
//! - [`signature`]: the three signing stages and the reusable [`signature::SigningKey`].
//! - [`v3`]: signature V3 (`ACS3-HMAC-SHA256`): its three stages and `Authorization`.
//! - [`request`]: credentials, nonce and the common parameters of a request.
//! - [`secret`]: [`secret::Secret`], a zeroized, redacted string.
//! - [`timestamp`]: the wire form of `Timestamp` and HTTP dates.
//! - [`outcome`]: what a failure means (outcome, retry, advice).
//! - [`attempts`]: one call's attempts as a state machine (what to do after each answer).
//! - [`diagnosis`]: why a signature did not match, from the platform's string-to-sign.
//! - [`bulk`]: bulk calls' rate window, progress pacing and batch groups.
//! - [`paging`]: walking a product's devices page by page (`QueryDevice`'s `NextToken`).
//! - [`live`]: live values: a snapshot merged with a stream, and the stream's connection state.
//! - [`fifo`]: [`fifo::Fifo`], a first-in, first-out queue on two stacks.
//! - [`text`]: plain byte scans of short texts (splitting, searching, the UTF-8 check).
//! - [`json`]: a JSON reader that keeps number tokens (for [`thing_model`]).
//! - [`thing_model`]: a product's TSL, and the check of `Args`/`Items` against it.

pub mod action;
pub mod attempts;
pub mod bulk;
pub mod diagnosis;
pub mod encode;
pub mod fifo;
pub mod json;
pub mod live;
pub mod outcome;
pub mod paging;
pub mod request;
pub mod secret;
pub mod signature;
pub mod text;
pub mod thing_model;
pub mod timestamp;
pub mod v3;

pub use attempts::{Answer, Attempts, Failure, Verdict};
pub use outcome::{Outcome, RetryPolicy, RetryReason};
pub use request::{sign_request, CommonParams, Credentials, CredentialsError, Nonce, API_VERSION};
pub use secret::Secret;
pub use signature::{
    sign, CanonicalizedQueryString, HttpMethod, Signature, SignedStages, SigningKey, StringToSign,
};
pub use timestamp::Timestamp;

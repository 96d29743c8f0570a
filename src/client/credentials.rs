//! Where a client's credentials come from ([`CredentialsSource`]), and what it holds once it has
//! them: the key, its HMAC state, and when to renew (`Signer`). Nonces come from a pool of
//! random bytes (`NoncePool`).

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use core::fmt;
use core::future::Future;
use core::pin::Pin;

use crate::core::attempts::concat;
use crate::core::{Credentials, Failure, Nonce, Secret, SigningKey};

/// What a credentials provider returns: temporary (STS) credentials from the page's own
/// backend, or any key. `Debug` never prints the secret or the token (each a [`Secret`]:
/// redacted, and zeroized when dropped).
#[derive(Clone, Debug, PartialEq)]
pub struct ProvidedCredentials {
    /// `AccessKeyId`.
    pub access_key_id: String,
    /// `AccessKeySecret`.
    pub access_key_secret: Secret,
    /// `SecurityToken` (STS).
    pub security_token: Option<Secret>,
    /// When they expire, in Unix ms; they are renewed up to 5 minutes before.
    pub expiration_ms: Option<f64>,
}

impl zeroize::ZeroizeOnDrop for ProvidedCredentials {}

impl ProvidedCredentials {
    /// The temporary credentials in an `AssumeRole` answer (`Credentials.AccessKeyId`,
    /// `AccessKeySecret`, `SecurityToken`, `Expiration`), as a backend relays them or a client
    /// gets them from `call("AssumeRole", ...)`; `None` when the answer has no key.
    pub fn from_assume_role(body: &super::Body) -> Option<Self> {
        let field = |k: &'static str| body.text_of(&["Credentials", k]).filter(|s| !s.is_empty());
        Some(Self {
            access_key_id: field("AccessKeyId")?,
            access_key_secret: field("AccessKeySecret")?.into(),
            security_token: field("SecurityToken").map(Secret::from),
            expiration_ms: field("Expiration")
                .map(|e| js_sys::Date::parse(&e))
                .filter(|ms| ms.is_finite()),
        })
    }
}

/// The future a provider returns: credentials, or a message saying why there are none.
pub type ProviderFuture = Pin<Box<dyn Future<Output = Result<ProvidedCredentials, String>>>>;

/// An async function that fetches credentials (e.g. from the dashboard's backend, which calls
/// `AssumeRole`). The client calls it on first use and again shortly before `expiration_ms`,
/// once for every call waiting (single-flight).
#[derive(Clone)]
pub struct CredentialsProvider(pub(crate) Rc<dyn Fn() -> ProviderFuture>);

impl CredentialsProvider {
    /// A provider from an async closure.
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<ProvidedCredentials, String>> + 'static,
    {
        Self(Rc::new(move || Box::pin(f()) as ProviderFuture))
    }
}

impl fmt::Debug for CredentialsProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CredentialsProvider")
    }
}

/// Where a client's credentials come from.
#[derive(Clone, Debug)]
pub enum CredentialsSource {
    /// A fixed key (and token): fine on a server, not in a page.
    Static(Credentials),
    /// Fetched, and renewed before they expire.
    Provider(CredentialsProvider),
}

/// Credentials with their derived key and when to fetch new ones.
pub(crate) struct Signer {
    pub creds: Credentials,
    pub key: SigningKey,
    /// Server time (local time plus the clock offset, Unix ms) at which provided credentials
    /// are renewed.
    pub refresh_at_ms: f64,
    /// Server time at which they expire (infinite when unknown).
    pub expires_at_ms: f64,
}

impl Signer {
    /// `creds` that never need renewing.
    pub fn fixed(creds: Credentials) -> Self {
        Self {
            key: creds.signing_key(),
            creds,
            refresh_at_ms: f64::INFINITY,
            expires_at_ms: f64::INFINITY,
        }
    }

    /// A provider's answer at server time `now_ms`: renewed 5 minutes before expiration, or
    /// halfway there when it is closer.
    pub fn provided(mut c: ProvidedCredentials, now_ms: f64) -> Result<Self, Failure> {
        // Moved out (what is left behind is empty, and zeroized on drop anyway).
        let creds = Credentials::new(
            core::mem::take(&mut c.access_key_id),
            core::mem::take(&mut c.access_key_secret),
            c.security_token.take(),
        )
        .map_err(|e| {
            Failure::new(
                crate::core::outcome::codes::CREDENTIALS_ERROR,
                concat(&["credentials(): ", e.as_str()]),
                crate::core::Outcome::NotSent,
            )
        })?;
        let expires_at_ms = c
            .expiration_ms
            .filter(|e| e.is_finite())
            .unwrap_or(f64::INFINITY);
        if expires_at_ms <= now_ms {
            return Err(Failure::new(
                crate::core::outcome::codes::CREDENTIALS_ERROR,
                "credentials(): already expired (its expiration is in the past, by the server's clock)",
                crate::core::Outcome::NotSent,
            ));
        }
        let refresh_at_ms = if expires_at_ms.is_finite() {
            expires_at_ms - (300_000f64).min(((expires_at_ms - now_ms) / 2.0).max(0.0))
        } else {
            f64::INFINITY
        };
        Ok(Self {
            key: creds.signing_key(),
            creds,
            refresh_at_ms,
            expires_at_ms,
        })
    }
}

/// Random bytes for nonces, drawn with getrandom (`crypto.getRandomValues`) 1 KiB at a time: one
/// call per 64 nonces instead of one per request. Each byte is used once and zeroed.
pub(crate) struct NoncePool {
    bytes: [u8; 1024],
    next: usize,
}

impl NoncePool {
    pub const fn new() -> Self {
        Self {
            bytes: [0; 1024],
            next: 1024,
        }
    }

    pub fn nonce(&mut self) -> Result<Nonce, Failure> {
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

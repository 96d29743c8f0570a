//! The common parameters every RPC request carries, and the assembly of a signed request from
//! them plus the action's own parameters. Time and nonce come from the caller.

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::encode::push_ascii;
use super::secret::Secret;
use super::signature::{sign, HttpMethod, SignedStages, SigningKey};
use super::timestamp::Timestamp;

/// The IoT Platform API version thingcall speaks.
pub const API_VERSION: &str = "2018-01-20";

/// Parameter names the client sets itself; a caller's params may not use them.
pub const RESERVED_PARAMS: [&str; 10] = [
    "AccessKeyId",
    "Action",
    "Format",
    "SecurityToken",
    "Signature",
    "SignatureMethod",
    "SignatureNonce",
    "SignatureVersion",
    "Timestamp",
    "Version",
];

/// An AccessKey (long-lived, or an STS temporary one with its `SecurityToken`).
///
/// `Debug` never prints the secret or the token (each a [`Secret`]: redacted, and zeroized when
/// dropped).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    access_key_id: String,
    access_key_secret: Secret,
    security_token: Option<Secret>,
}

/// Why credentials were refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialsError {
    /// `accessKeyId` is empty.
    MissingAccessKeyId,
    /// `accessKeySecret` is empty.
    MissingAccessKeySecret,
}

impl CredentialsError {
    /// What is wrong, naming the field.
    pub const fn as_str(self) -> &'static str {
        match self {
            CredentialsError::MissingAccessKeyId => "accessKeyId is required",
            CredentialsError::MissingAccessKeySecret => "accessKeySecret is required",
        }
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Credentials {
    /// Checks and holds a key; an empty `security_token` counts as none.
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: impl Into<Secret>,
        security_token: Option<Secret>,
    ) -> Result<Self, CredentialsError> {
        let access_key_id = access_key_id.into();
        let access_key_secret = access_key_secret.into();
        if access_key_id.is_empty() {
            return Err(CredentialsError::MissingAccessKeyId);
        }
        if access_key_secret.is_empty() {
            return Err(CredentialsError::MissingAccessKeySecret);
        }
        Ok(Self {
            access_key_id,
            access_key_secret,
            security_token: security_token.filter(|t| !t.is_empty()),
        })
    }

    /// The AccessKeyId (not secret).
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The STS token, when these are temporary credentials.
    pub fn security_token(&self) -> Option<&str> {
        self.security_token.as_ref().map(Secret::expose)
    }

    /// Signature V3 of `string_to_sign` with this secret (it stays inside).
    pub fn sign_v3(&self, string_to_sign: &super::v3::StringToSignV3) -> super::v3::SignatureV3 {
        super::v3::SignatureV3::new(self.access_key_secret.expose().as_bytes(), string_to_sign)
    }

    /// The HMAC key for this secret.
    pub fn signing_key(&self) -> SigningKey {
        SigningKey::new(self.access_key_secret.expose())
    }

    /// The values that must never appear in an error, a log or a page.
    pub fn secrets(&self) -> impl Iterator<Item = &str> {
        core::iter::once(self.access_key_secret.expose())
            .chain(self.security_token.as_ref().map(Secret::expose))
    }
}

impl zeroize::ZeroizeOnDrop for Credentials {}

/// A `SignatureNonce`: 128 random bits as 32 lowercase hex digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nonce(String);

impl Nonce {
    /// From 16 random bytes supplied by the caller (`crypto.getRandomValues` in the browser).
    pub fn from_random_bytes(bytes: [u8; 16]) -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(32);
        for b in bytes {
            push_ascii(&mut s, HEX[(b >> 4) as usize]);
            push_ascii(&mut s, HEX[(b & 15) as usize]);
        }
        Self(s)
    }

    /// A caller-chosen nonce (for deterministic presigned URLs and tests).
    pub fn from_string(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The nonce text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The common parameters of one request.
#[derive(Clone, Copy, Debug)]
pub struct CommonParams<'a> {
    /// `Action`.
    pub action: &'a str,
    /// `AccessKeyId`, and `SecurityToken` when temporary.
    pub credentials: &'a Credentials,
    /// `RegionId`, when the endpoint wants it.
    pub region_id: Option<&'a str>,
    /// `SignatureNonce`.
    pub nonce: &'a Nonce,
    /// `Timestamp`.
    pub timestamp: Timestamp,
}

/// A parameter of the caller's that cannot be sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamError {
    /// The action name is empty.
    MissingAction,
    /// A parameter has an empty name.
    EmptyName,
    /// A parameter uses a name the client sets itself.
    Reserved(String),
}

impl ParamError {
    /// What is wrong, naming the parameter (built without `core::fmt`).
    pub fn message(&self) -> String {
        match self {
            ParamError::MissingAction => "action is required".into(),
            ParamError::EmptyName => "params: a parameter name is empty".into(),
            ParamError::Reserved(n) => {
                let mut s = String::from("params.");
                s.push_str(n);
                s.push_str(": this common parameter is set by thingcall and may not be given");
                s
            }
        }
    }
}

impl fmt::Display for ParamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// Checks the caller's parameter names.
pub fn check_params<S: AsRef<str>>(params: &[(S, S)]) -> Result<(), ParamError> {
    for (k, _) in params {
        let k = k.as_ref();
        if k.is_empty() {
            return Err(ParamError::EmptyName);
        }
        if RESERVED_PARAMS.contains(&k) {
            return Err(ParamError::Reserved(k.to_string()));
        }
    }
    Ok(())
}

/// Adds the common parameters to `params` and signs the whole for `method`.
///
/// `RegionId` from `common` is added only when `params` has none of its own.
pub fn sign_request<S: AsRef<str>>(
    method: HttpMethod,
    common: &CommonParams<'_>,
    params: &[(S, S)],
    key: &SigningKey,
) -> Result<SignedStages, ParamError> {
    if common.action.is_empty() {
        return Err(ParamError::MissingAction);
    }
    check_params(params)?;
    let timestamp = common.timestamp.wire();
    let mut all: Vec<(&str, &str)> = Vec::with_capacity(params.len() + 10);
    all.extend_from_slice(&[
        ("AccessKeyId", common.credentials.access_key_id()),
        ("Action", common.action),
        ("Format", "JSON"),
        ("SignatureMethod", "HMAC-SHA1"),
        ("SignatureNonce", common.nonce.as_str()),
        ("SignatureVersion", "1.0"),
        ("Timestamp", timestamp.as_str()),
        ("Version", API_VERSION),
    ]);
    if let Some(token) = common.credentials.security_token() {
        all.push(("SecurityToken", token));
    }
    let has_region = params.iter().any(|(k, _)| k.as_ref() == "RegionId");
    if let (Some(region), false) = (common.region_id, has_region) {
        all.push(("RegionId", region));
    }
    for (k, v) in params {
        all.push((k.as_ref(), v.as_ref()));
    }
    Ok(sign(method, all, key))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::{format, prelude::rust_2021::*, vec};

    #[test]
    fn the_secret_and_the_token_are_zeroed_before_they_are_freed() {
        fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
        zeroize_on_drop::<Credentials>();
        zeroize_on_drop::<SigningKey>();
        let mut c =
            Credentials::new("id", "the-secret-value", Some("the-token-value".into())).unwrap();
        let secret = c.access_key_secret.buffer();
        let token = c.security_token.as_ref().map(Secret::buffer).unwrap();
        // What dropping them does.
        c.access_key_secret.wipe();
        c.security_token.as_mut().map(Secret::wipe);
        for (ptr, cap) in [secret, token] {
            // The buffers are still allocated (wiping keeps the capacity): read them back.
            let bytes = unsafe { core::slice::from_raw_parts(ptr, cap) };
            assert!(bytes.iter().all(|&b| b == 0), "{bytes:?}");
        }
        assert!(c.secrets().all(str::is_empty));
        assert_eq!(c.access_key_id(), "id", "the AccessKeyId is not secret");
    }

    fn creds(token: Option<&str>) -> Credentials {
        Credentials::new("id", "s3cr3t-value", token.map(Secret::from)).unwrap()
    }

    #[test]
    fn debug_redacts_secret_and_token() {
        let d = format!("{:?}", creds(Some("tok-value")));
        assert!(d.contains("id"));
        assert!(!d.contains("s3cr3t-value"));
        assert!(!d.contains("tok-value"));
        assert!(!format!("{:?}", creds(None).signing_key()).contains("s3cr3t"));
    }

    #[test]
    fn empty_credentials_are_refused() {
        assert_eq!(
            Credentials::new("", "x", None),
            Err(CredentialsError::MissingAccessKeyId)
        );
        assert_eq!(
            Credentials::new("x", "", None),
            Err(CredentialsError::MissingAccessKeySecret)
        );
    }

    #[test]
    fn adds_common_params_and_token() {
        let c = creds(Some("tok"));
        let nonce = Nonce::from_random_bytes([0xab; 16]);
        let common = CommonParams {
            action: "QueryDeviceDetail",
            credentials: &c,
            region_id: Some("cn-shanghai"),
            nonce: &nonce,
            timestamp: Timestamp::from_unix_seconds(0),
        };
        let s = sign_request(
            HttpMethod::Get,
            &common,
            &[("IotId", "x y")],
            &c.signing_key(),
        )
        .unwrap();
        assert_eq!(
            s.canonical.as_str(),
            "AccessKeyId=id&Action=QueryDeviceDetail&Format=JSON&IotId=x%20y&RegionId=cn-shanghai\
             &SecurityToken=tok&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=abababababababababababababababab&SignatureVersion=1.0\
             &Timestamp=1970-01-01T00%3A00%3A00Z&Version=2018-01-20"
        );
    }

    #[test]
    fn reserved_and_empty_names_are_refused() {
        let c = creds(None);
        let nonce = Nonce::from_string("n");
        let common = CommonParams {
            action: "X",
            credentials: &c,
            region_id: None,
            nonce: &nonce,
            timestamp: Timestamp::from_unix_seconds(0),
        };
        let key = c.signing_key();
        assert_eq!(
            sign_request(HttpMethod::Post, &common, &[("Timestamp", "1")], &key),
            Err(ParamError::Reserved("Timestamp".into()))
        );
        assert_eq!(
            sign_request(HttpMethod::Post, &common, &[("", "1")], &key),
            Err(ParamError::EmptyName)
        );
        let no_action = CommonParams {
            action: "",
            ..common
        };
        assert_eq!(
            sign_request::<&str>(HttpMethod::Post, &no_action, &[], &key),
            Err(ParamError::MissingAction)
        );
    }
}

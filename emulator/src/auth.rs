//! Request authentication as the platform does it: common parameters, timestamp window, AccessKey
//! and STS token lookup, signature (with code of the emulator's own, independent of thingcall's
//! signing core), and nonce reuse. Also issues STS credentials for `AssumeRole`, each
//! with the session policy it was given.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::clock::{format_iso, parse_iso, Clock};
use crate::error::ApiError;
use crate::policy::Policy;

/// The window either side of server time in which a `Timestamp` is accepted.
pub const TIMESTAMP_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Decoded request parameters: query and form body together, by name (each name once).
pub type Params = BTreeMap<String, String>;

/// Looks a parameter up by name.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params.get(name).map(String::as_str)
}

/// Decodes `application/x-www-form-urlencoded` bytes (`+` is a space) into `out`, as the
/// platform reads a query or a form body: percent-escapes must decode to UTF-8, and a name may
/// come only once (in the query and the body together).
pub fn decode_form(text: &[u8], out: &mut Params) -> Result<(), ApiError> {
    // `&`, `=` and `+` are ASCII, so the whole text decodes to UTF-8 exactly when every name
    // and value does (form_urlencoded itself would replace bad bytes with U+FFFD).
    if percent_encoding::percent_decode(text)
        .decode_utf8()
        .is_err()
    {
        return Err(ApiError::gateway(
            400,
            "InvalidParameter",
            "The request's parameters are not UTF-8 (a percent-escape decodes to bytes that are not).",
        ));
    }
    for (name, value) in form_urlencoded::parse(text) {
        match out.entry(name.into_owned()) {
            Entry::Vacant(e) => {
                e.insert(value.into_owned());
            }
            Entry::Occupied(e) => {
                return Err(ApiError::gateway(
                    400,
                    "InvalidParameter",
                    &format!(
                        "The parameter {:?} is given more than once.",
                        shortened(e.key())
                    ),
                ))
            }
        }
    }
    Ok(())
}

/// At most 64 characters of `s`, for messages that quote what a request sent.
fn shortened(s: &str) -> String {
    match s.char_indices().nth(64) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

/// RFC 3986 unreserved characters stay; everything else is escaped (the emulator's own
/// encoder, on the `percent-encoding` crate, deliberately not thingcall's).
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn rfc3986(s: &str) -> String {
    utf8_percent_encode(s, RFC3986).to_string()
}

/// The string-to-sign the server computes for `method` over `params`.
pub fn server_string_to_sign(method: &str, params: &Params) -> String {
    // A BTreeMap of Strings iterates in byte order of the names' UTF-8, as the platform sorts.
    let joined = params
        .iter()
        .filter(|(k, _)| *k != "Signature")
        .map(|(k, v)| format!("{}={}", rfc3986(k), rfc3986(v)))
        .collect::<Vec<_>>()
        .join("&");
    format!("{method}&%2F&{}", rfc3986(&joined))
}

/// `base64(HMAC-SHA1(secret + "&", text))`.
pub fn hmac_b64(secret: &str, text: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(format!("{secret}&").as_bytes()).expect("any key");
    mac.update(text.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Compares two strings in time that depends only on their lengths.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A request's time (`Timestamp`, or V3's `x-acs-date`) as Unix ms, when it is well formed
/// and within the window of the server's `now`.
fn in_window(ts: &str, now: i64) -> Result<i64, ApiError> {
    let ts_ms = parse_iso(ts).ok_or_else(|| {
        ApiError::gateway(
            400,
            "InvalidTimeStamp.Format",
            &format!("Specified time stamp or date value is not well formatted: {ts:?}; use YYYY-MM-DDThh:mm:ssZ."),
        )
    })?;
    if (now - ts_ms).unsigned_abs() > TIMESTAMP_WINDOW.as_millis() as u64 {
        return Err(ApiError::gateway(
            400,
            "InvalidTimeStamp.Expired",
            &format!(
                "Specified time stamp or date value is expired. Server time is {}; the request's is {ts}.",
                format_iso(now)
            ),
        ));
    }
    Ok(ts_ms)
}

/// A temporary credential issued by `AssumeRole`.
#[derive(Clone, Debug)]
pub struct StsCredential {
    /// Its secret.
    pub secret: String,
    /// Its `SecurityToken`.
    pub token: String,
    /// Unix ms after which it is refused.
    pub expires_at_ms: i64,
    /// The session policy passed to `AssumeRole`, if any: what requests signed with it may do.
    pub policy: Option<Arc<Policy>>,
}

/// What signature V3 covers of a request: its method, raw query, headers and body.
pub struct V3Request<'a> {
    /// `GET` or `POST`.
    pub method: &'a str,
    /// The query as sent (percent-encoded).
    pub query: &'a str,
    /// Every header (`host` included), as sent.
    pub headers: Vec<(String, String)>,
    /// The `Authorization` header.
    pub authorization: &'a str,
    /// The body as sent.
    pub body: &'a [u8],
}

/// Whom a request was authenticated as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The AccessKeyId used.
    pub access_key_id: String,
    /// Whether it is an STS temporary key.
    pub temporary: bool,
    /// The session policy of an STS key, when `AssumeRole` was given one.
    pub policy: Option<Arc<Policy>>,
}

/// The emulator's key store and nonce cache.
#[derive(Debug, Default)]
pub struct Auth {
    accounts: HashMap<String, String>,
    sts: HashMap<String, StsCredential>,
    nonces: HashMap<(String, String), i64>,
    last_sweep_ms: i64,
}

impl Auth {
    /// A store holding the configured long-lived keys.
    pub fn new(accounts: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            accounts: accounts.into_iter().collect(),
            ..Self::default()
        }
    }

    /// The secret of a long-lived key (the AMQP subscription signs with one).
    pub fn account_secret(&self, access_key_id: &str) -> Option<String> {
        self.accounts.get(access_key_id).cloned()
    }

    /// Forgets issued STS keys and used nonces.
    pub fn reset(&mut self) {
        self.sts.clear();
        self.nonces.clear();
    }

    /// How many nonces are remembered (for the bounded-memory test).
    pub fn nonce_count(&self) -> usize {
        self.nonces.len()
    }

    /// Authenticates a request, in the platform's order of checks.
    pub fn authenticate(
        &mut self,
        method: &str,
        params: &Params,
        clock: &Clock,
    ) -> Result<Principal, ApiError> {
        for name in [
            "AccessKeyId",
            "SignatureMethod",
            "SignatureVersion",
            "SignatureNonce",
            "Timestamp",
            "Version",
        ] {
            if param(params, name).is_none_or(str::is_empty) {
                return Err(ApiError::missing(name));
            }
        }
        let signature = match param(params, "Signature") {
            Some(s) if !s.is_empty() => s,
            _ => return Err(ApiError::incomplete_signature()),
        };
        if param(params, "SignatureMethod") != Some("HMAC-SHA1") {
            return Err(ApiError::gateway(
                400,
                "InvalidParameter",
                "The specified SignatureMethod is not supported: use HMAC-SHA1.",
            ));
        }
        if param(params, "SignatureVersion") != Some("1.0") {
            return Err(ApiError::gateway(
                400,
                "InvalidParameter",
                "The specified SignatureVersion is not supported: use 1.0.",
            ));
        }
        if let Some(f) = param(params, "Format") {
            if !f.eq_ignore_ascii_case("JSON") && !f.eq_ignore_ascii_case("XML") {
                return Err(ApiError::gateway(
                    400,
                    "InvalidParameter",
                    "The specified Format is not valid.",
                ));
            }
        }
        let ts = param(params, "Timestamp").unwrap_or_default();
        let now = clock.now_ms();
        let ts_ms = in_window(ts, now)?;
        let key_id = param(params, "AccessKeyId").unwrap_or_default().to_string();
        let (secret, temporary, policy) =
            self.secret_of(&key_id, param(params, "SecurityToken"), now)?;
        let sts = server_string_to_sign(method, params);
        let expected = hmac_b64(&secret, &sts);
        if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(ApiError::gateway(
                400,
                "SignatureDoesNotMatch",
                &format!("Specified signature is not matched with our calculation. server string to sign is:{sts}"),
            ));
        }
        let nonce = param(params, "SignatureNonce").unwrap_or_default();
        self.remember_nonce(&key_id, nonce, ts_ms, now)?;
        Ok(Principal {
            access_key_id: key_id,
            temporary,
            policy,
        })
    }

    /// The secret of `key_id` (a long-lived key, or an STS key with its token), whether it is
    /// temporary, and its session policy.
    fn secret_of(
        &self,
        key_id: &str,
        token: Option<&str>,
        now: i64,
    ) -> Result<(String, bool, Option<Arc<Policy>>), ApiError> {
        if let Some(secret) = self.accounts.get(key_id) {
            return Ok((secret.clone(), false, None));
        }
        let Some(sts) = self.sts.get(key_id) else {
            return Err(ApiError::gateway(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ));
        };
        match token {
            None | Some("") => Err(ApiError::gateway(
                400,
                "InvalidSecurityToken.MismatchWithAccessKey",
                "A temporary AccessKeyId needs its SecurityToken.",
            )),
            Some(t) if !constant_time_eq(t.as_bytes(), sts.token.as_bytes()) => {
                Err(ApiError::gateway(
                    400,
                    "InvalidSecurityToken.MismatchWithAccessKey",
                    "The SecurityToken does not belong to this AccessKeyId.",
                ))
            }
            _ if now > sts.expires_at_ms => Err(ApiError::gateway(
                400,
                "InvalidSecurityToken.Expired",
                "Specified SecurityToken is expired.",
            )),
            _ => Ok((sts.secret.clone(), true, sts.policy.clone())),
        }
    }

    /// Remembers a signature's nonce until its time leaves the window; a nonce seen before is
    /// `SignatureNonceUsed`.
    fn remember_nonce(
        &mut self,
        key_id: &str,
        nonce: &str,
        ts_ms: i64,
        now: i64,
    ) -> Result<(), ApiError> {
        self.sweep(now);
        // A nonce can be replayed only while its time is inside the window: it is remembered
        // until then, so the cache holds at most one window of requests.
        let expiry = ts_ms + TIMESTAMP_WINDOW.as_millis() as i64;
        if self
            .nonces
            .insert((key_id.to_string(), nonce.to_string()), expiry)
            .is_some()
        {
            return Err(ApiError::gateway(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        Ok(())
    }

    /// Authenticates a request signed with signature V3 (`ACS3-HMAC-SHA256`): its
    /// `Authorization` header, the signed headers, the body's hash, the date's window, the key,
    /// the signature (the emulator's own canonicalization, on `sha2` and `hmac`), the nonce.
    pub fn authenticate_v3(
        &mut self,
        request: &V3Request<'_>,
        clock: &Clock,
    ) -> Result<Principal, ApiError> {
        let incomplete = |what: &str| {
            ApiError::gateway(
                400,
                "IncompleteSignature",
                &format!("The request signature does not conform to Aliyun standards: {what}."),
            )
        };
        let auth = request.authorization;
        let rest = auth
            .strip_prefix("ACS3-HMAC-SHA256 ")
            .ok_or_else(|| incomplete("Authorization must start with ACS3-HMAC-SHA256"))?;
        let mut credential = None;
        let mut signed_headers = None;
        let mut signature = None;
        for part in rest.split(',') {
            let (k, v) = part.trim().split_once('=').ok_or_else(|| {
                incomplete("Authorization is Credential=...,SignedHeaders=...,Signature=...")
            })?;
            match k {
                "Credential" => credential = Some(v),
                "SignedHeaders" => signed_headers = Some(v),
                "Signature" => signature = Some(v),
                _ => return Err(incomplete("Authorization has an unknown part")),
            }
        }
        let (Some(key_id), Some(signed_headers), Some(signature)) =
            (credential, signed_headers, signature)
        else {
            return Err(incomplete(
                "Authorization lacks Credential, SignedHeaders or Signature",
            ));
        };
        let header = |name: &str| {
            request
                .headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim())
        };
        let names: Vec<&str> = signed_headers.split(';').collect();
        for required in [
            "host",
            "x-acs-action",
            "x-acs-version",
            "x-acs-date",
            "x-acs-signature-nonce",
            "x-acs-content-sha256",
        ] {
            if header(required).is_none_or(str::is_empty) {
                return Err(ApiError::missing(required));
            }
            if !names.contains(&required) {
                return Err(incomplete(&format!("the header {required} is not signed")));
            }
        }
        if header("x-acs-security-token").is_some() && !names.contains(&"x-acs-security-token") {
            return Err(incomplete("the header x-acs-security-token is not signed"));
        }
        let body_sha256 = hex::encode(Sha256::digest(request.body));
        if !constant_time_eq(
            body_sha256.as_bytes(),
            header("x-acs-content-sha256")
                .unwrap_or_default()
                .as_bytes(),
        ) {
            return Err(ApiError::gateway(
                400,
                "InvalidParameter",
                "The x-acs-content-sha256 header does not match the SHA-256 of the request body.",
            ));
        }
        let date = header("x-acs-date").unwrap_or_default();
        let now = clock.now_ms();
        let ts_ms = in_window(date, now)?;
        let (secret, temporary, policy) =
            self.secret_of(key_id, header("x-acs-security-token"), now)?;
        // The canonical request, as the server computes it.
        let mut query: Vec<(String, String)> = form_urlencoded::parse(request.query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        query.sort();
        let query = query
            .iter()
            .map(|(k, v)| format!("{}={}", rfc3986(k), rfc3986(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut sorted: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        sorted.sort();
        let mut canonical = format!("{}\n/\n{query}\n", request.method);
        for name in &sorted {
            let value = header(name).unwrap_or_default();
            canonical.push_str(&format!("{name}:{value}\n"));
        }
        canonical.push_str(&format!("\n{}\n{body_sha256}", sorted.join(";")));
        let string_to_sign = format!(
            "ACS3-HMAC-SHA256\n{}",
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
        mac.update(string_to_sign.as_bytes());
        let expected = hex::encode(mac.finalize().into_bytes());
        if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(ApiError::gateway(
                400,
                "SignatureDoesNotMatch",
                &format!("Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"),
            ));
        }
        let nonce = header("x-acs-signature-nonce").unwrap_or_default();
        self.remember_nonce(key_id, nonce, ts_ms, now)?;
        Ok(Principal {
            access_key_id: key_id.to_string(),
            temporary,
            policy,
        })
    }

    /// Drops nonces older than the window, at most once a second.
    fn sweep(&mut self, now: i64) {
        if now - self.last_sweep_ms >= 1_000 {
            self.nonces.retain(|_, exp| *exp > now);
            self.sts.retain(|_, c| c.expires_at_ms + 86_400_000 > now);
            self.last_sweep_ms = now;
        }
    }

    /// Issues a temporary key for `duration_s` seconds, limited by `policy` when given.
    pub fn assume_role(
        &mut self,
        now_ms: i64,
        duration_s: i64,
        policy: Option<Policy>,
    ) -> (String, StsCredential) {
        let id = format!("STS.{}", random_token(24));
        let cred = StsCredential {
            secret: random_token(40),
            token: format!("CAIS{}", random_token(120)),
            expires_at_ms: now_ms + duration_s * 1000,
            policy: policy.map(Arc::new),
        };
        self.sts.insert(id.clone(), cred.clone());
        (id, cred)
    }
}

fn random_token(n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..n)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_signer_matches_public_vector_a() {
        let mut params = Params::new();
        decode_form(
            b"AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26",
            &mut params,
        )
        .unwrap();
        let sts = server_string_to_sign("GET", &params);
        assert_eq!(hmac_b64("testsecret", &sts), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
        assert_eq!(
            hmac_b64("testsecret", &server_string_to_sign("POST", &params)),
            "MxbnVAM4w6sft9xjVpe/GCKueuk="
        );
    }

    #[test]
    fn form_decoding() {
        let mut p = Params::new();
        decode_form(b"a=b+c&d=%E7%81%AF&e=%2B&f&g=%zz", &mut p).unwrap();
        assert_eq!(param(&p, "a"), Some("b c"));
        assert_eq!(param(&p, "d"), Some("灯"));
        assert_eq!(param(&p, "e"), Some("+"));
        assert_eq!(param(&p, "f"), Some(""));
        assert_eq!(param(&p, "g"), Some("%zz"));
        let code = |text: &[u8]| decode_form(text, &mut Params::new()).unwrap_err().message;
        assert!(code(b"a=%C3%28").contains("not UTF-8"));
        assert!(code(b"a=\xff").contains("not UTF-8"));
        assert!(code(b"a=1&b=2&a=1").contains("\"a\" is given more than once"));
        let mut q = Params::new();
        decode_form(b"a=1", &mut q).unwrap();
        assert!(
            decode_form(b"a=2", &mut q).is_err(),
            "a name in the query and the body"
        );
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

//! Request authentication as the platform does it: common parameters, timestamp window, AccessKey
//! and STS token lookup, signature (with code of the emulator's own, independent of thingcall's
//! signing core), and nonce reuse. Also issues STS credentials for `AssumeRole`, each
//! with the session policy it was given.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::clock::{format_iso, parse_iso, Clock};
use crate::error::ApiError;
use crate::policy::Policy;

/// The window either side of server time in which a `Timestamp` is accepted.
pub const TIMESTAMP_WINDOW: Duration = Duration::from_secs(15 * 60);

/// Decoded request parameters: query and form body together, in arrival order.
pub type Params = Vec<(String, String)>;

/// Looks a parameter up by name.
pub fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Decodes `application/x-www-form-urlencoded` text (`+` is a space).
pub fn decode_form(text: &str, out: &mut Params) {
    for part in text.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        out.push((unescape(k), unescape(v)));
    }
}

fn unescape(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => match (hexval(b[i + 1]), hexval(b[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hexval(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// The emulator's own RFC 3986 encoder (deliberately not thingcall's).
fn rfc3986(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for &c in s.as_bytes() {
        if c.is_ascii_alphanumeric() || b"-_.~".contains(&c) {
            out.push(c as char);
        } else {
            out.push_str(&format!("%{c:02X}"));
        }
    }
    out
}

/// The string-to-sign the server computes for `method` over `params`.
pub fn server_string_to_sign(method: &str, params: &Params) -> String {
    let mut raw: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "Signature").collect();
    // Names in byte order of their UTF-8 (then values, for repeated names).
    raw.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(&b.1)));
    let pairs: Vec<(String, String)> = raw.iter().map(|(k, v)| (rfc3986(k), rfc3986(v))).collect();
    let joined = pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
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
        let ts_ms = parse_iso(ts).ok_or_else(|| {
            ApiError::gateway(
                400,
                "InvalidTimeStamp.Format",
                &format!("Specified time stamp or date value is not well formatted: {ts:?}; use YYYY-MM-DDThh:mm:ssZ."),
            )
        })?;
        let now = clock.now_ms();
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
        let key_id = param(params, "AccessKeyId").unwrap_or_default().to_string();
        let (secret, temporary, policy) = if let Some(secret) = self.accounts.get(&key_id) {
            (secret.clone(), false, None)
        } else if let Some(sts) = self.sts.get(&key_id) {
            match param(params, "SecurityToken") {
                None | Some("") => {
                    return Err(ApiError::gateway(
                        400,
                        "InvalidSecurityToken.MismatchWithAccessKey",
                        "A temporary AccessKeyId needs its SecurityToken.",
                    ))
                }
                Some(t) if !constant_time_eq(t.as_bytes(), sts.token.as_bytes()) => {
                    return Err(ApiError::gateway(
                        400,
                        "InvalidSecurityToken.MismatchWithAccessKey",
                        "The SecurityToken does not belong to this AccessKeyId.",
                    ))
                }
                _ if now > sts.expires_at_ms => {
                    return Err(ApiError::gateway(
                        400,
                        "InvalidSecurityToken.Expired",
                        "Specified SecurityToken is expired.",
                    ))
                }
                _ => (sts.secret.clone(), true, sts.policy.clone()),
            }
        } else {
            return Err(ApiError::gateway(
                404,
                "InvalidAccessKeyId.NotFound",
                "Specified access key is not found.",
            ));
        };
        let sts = server_string_to_sign(method, params);
        let expected = hmac_b64(&secret, &sts);
        if !constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
            return Err(ApiError::gateway(
                400,
                "SignatureDoesNotMatch",
                &format!("Specified signature is not matched with our calculation. server string to sign is:{sts}"),
            ));
        }
        self.sweep(now);
        let nonce = param(params, "SignatureNonce")
            .unwrap_or_default()
            .to_string();
        let expiry = now + 2 * TIMESTAMP_WINDOW.as_millis() as i64;
        if self
            .nonces
            .insert((key_id.clone(), nonce), expiry)
            .is_some()
        {
            return Err(ApiError::gateway(
                400,
                "SignatureNonceUsed",
                "Specified signature nonce was used already.",
            ));
        }
        Ok(Principal {
            access_key_id: key_id,
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
            "AccessKeyId=testid&Action=DescribeRegions&Format=XML&SignatureMethod=HMAC-SHA1\
             &SignatureNonce=3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf&SignatureVersion=1.0\
             &Timestamp=2016-02-23T12%3A46%3A24Z&Version=2014-05-26",
            &mut params,
        );
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
        decode_form("a=b+c&d=%E7%81%AF&e=%2B&f&g=%zz", &mut p);
        assert_eq!(param(&p, "a"), Some("b c"));
        assert_eq!(param(&p, "d"), Some("灯"));
        assert_eq!(param(&p, "e"), Some("+"));
        assert_eq!(param(&p, "f"), Some(""));
        assert_eq!(param(&p, "g"), Some("%zz"));
    }

    #[test]
    fn constant_time_compare() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }
}

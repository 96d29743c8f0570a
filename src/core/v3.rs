//! Signature V3 (`ACS3-HMAC-SHA256`), the platform's newer signature beside the HMAC-SHA1 one
//! ([`super::signature`]): three stages, a type each, whose `Display` is the stage's text:
//! [`CanonicalRequest`] → [`StringToSignV3`] → [`SignatureV3`], and the `Authorization`
//! header that carries it.
//!
//! For the RPC style the canonical URI is `/`, the business parameters stay in the query (or
//! the form body, whose SHA-256 is then the payload hash), and the action, version, date, nonce
//! and payload hash travel as `x-acs-*` headers, signed with `host` (and `content-type` when
//! sent).
//!
//! - `CanonicalRequest = METHOD \n / \n CanonicalQueryString \n CanonicalHeaders \n SignedHeaders \n HashedPayload`,
//!   the headers' names lowercased, their values trimmed, sorted by name, each `name:value\n`;
//! - `StringToSign = "ACS3-HMAC-SHA256\n" + hex(SHA-256(CanonicalRequest))`;
//! - `Signature = hex(HMAC-SHA256(AccessKeySecret, StringToSign))` (the secret as it is, no `&`).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::attempts::concat;
use super::diagnosis::{server_string_to_sign, wrong_secret, Cause, Diagnosis};
use super::signature::{CanonicalizedQueryString, HttpMethod};
use super::text::find;

/// The algorithm's name, first in the string to sign and in `Authorization`.
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";

/// `x-acs-content-sha256` of an empty body.
pub const EMPTY_PAYLOAD_SHA256: &str =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// `hex(SHA-256(payload))`: the `x-acs-content-sha256` header and the canonical request's last
/// line.
pub fn hashed_payload(payload: &[u8]) -> String {
    hex(&Sha256::digest(payload))
}

/// Stage 1: what is signed of the request: its method, the URI `/`, the canonical query, the
/// signed headers (name and value) and their names, and the payload's hash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalRequest {
    text: String,
    signed_headers: String,
}

impl CanonicalRequest {
    /// From the request's parts: `headers` in any order and letter case (each one given is
    /// signed; two of the same name are refused by the caller, not here: the last one wins the
    /// sort's tie), `payload_sha256` as [`hashed_payload`] makes it.
    pub fn new(
        method: HttpMethod,
        query: &CanonicalizedQueryString,
        headers: &[(&str, &str)],
        payload_sha256: &str,
    ) -> Self {
        // Insertion by name: a request signs a handful of headers, and this keeps a
        // general-purpose sort (several KB of wasm) out of the package. Values are trimmed of
        // ASCII whitespace (the headers signed are ASCII; Unicode's whitespace table is not
        // needed).
        let mut sorted: Vec<(String, &str)> = Vec::with_capacity(headers.len());
        for (name, value) in headers {
            let name = name.to_ascii_lowercase();
            let at = sorted.partition_point(|(n, _)| n.as_str() <= name.as_str());
            sorted.insert(at, (name, value.trim_ascii()));
        }
        let mut text = String::with_capacity(
            query.as_str().len()
                + 128
                + headers
                    .iter()
                    .map(|(n, v)| n.len() * 2 + v.len() + 2)
                    .sum::<usize>(),
        );
        text.push_str(method.as_str());
        text.push_str("\n/\n");
        text.push_str(query.as_str());
        text.push('\n');
        let mut signed_headers = String::new();
        for (i, (name, value)) in sorted.iter().enumerate() {
            text.push_str(name);
            text.push(':');
            text.push_str(value);
            text.push('\n');
            if i > 0 {
                signed_headers.push(';');
            }
            signed_headers.push_str(name);
        }
        text.push('\n');
        text.push_str(&signed_headers);
        text.push('\n');
        text.push_str(payload_sha256);
        Self {
            text,
            signed_headers,
        }
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The signed headers' names, lowercased, sorted, joined with `;`.
    pub fn signed_headers(&self) -> &str {
        &self.signed_headers
    }
}

impl fmt::Display for CanonicalRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Stage 2: `"ACS3-HMAC-SHA256\n" + hex(SHA-256(CanonicalRequest))`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringToSignV3(String);

impl StringToSignV3 {
    /// The string to sign of `request`.
    pub fn new(request: &CanonicalRequest) -> Self {
        let mut out = String::with_capacity(ALGORITHM.len() + 65);
        out.push_str(ALGORITHM);
        out.push('\n');
        out.push_str(&hashed_payload(request.as_str().as_bytes()));
        Self(out)
    }

    /// The text that is signed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `hex(SHA-256(CanonicalRequest))`, the second line.
    pub fn hashed_canonical_request(&self) -> &str {
        &self.0[ALGORITHM.len() + 1..]
    }
}

impl fmt::Display for StringToSignV3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Stage 3: `hex(HMAC-SHA256(AccessKeySecret, StringToSign))`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignatureV3(String);

impl SignatureV3 {
    /// Signs `string_to_sign` with the AccessKeySecret (as it is: V3 adds no `&`).
    pub fn new(secret: &[u8], string_to_sign: &StringToSignV3) -> Self {
        // HMAC takes a key of any length.
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("any key length");
        mac.update(string_to_sign.as_str().as_bytes());
        Self(hex(&mac.finalize().into_bytes()))
    }

    /// The hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The `Authorization` header: `ACS3-HMAC-SHA256 Credential=<id>,SignedHeaders=<names>,Signature=<hex>`.
    pub fn authorization(&self, access_key_id: &str, request: &CanonicalRequest) -> String {
        let mut out = String::with_capacity(
            ALGORITHM.len() + access_key_id.len() + request.signed_headers().len() + 100,
        );
        out.push_str(ALGORITHM);
        out.push_str(" Credential=");
        out.push_str(access_key_id);
        out.push_str(",SignedHeaders=");
        out.push_str(request.signed_headers());
        out.push_str(",Signature=");
        out.push_str(&self.0);
        out
    }
}

impl fmt::Display for SignatureV3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a V3 signature did not match. The platform's `SignatureDoesNotMatch` quotes its string
/// to sign, `ACS3-HMAC-SHA256` and the hash of the canonical request it computed: the same
/// hash as `canonical_request`'s (the one signed) means the request arrived as signed and the
/// secret is wrong; the hash of `canonical_request` with one of `hosts` in place of the signed
/// `host` means the host changed on the way; any other hash, that something else did (a hash
/// does not say what). `None` when the message quotes no V3 string to sign.
#[cold]
#[inline(never)]
pub fn diagnose(canonical_request: &str, message: &str, hosts: &[&str]) -> Option<Diagnosis> {
    // `get` and `find`, not indexing, `replacen` or a char pattern: no panic path (and the
    // Unicode tables its message formats) in the wasm.
    let server = server_string_to_sign(message)?
        .strip_prefix(ALGORITHM)?
        .trim_ascii_start();
    // Some messages carry the newline escaped.
    let server = server
        .strip_prefix("\\n")
        .unwrap_or(server)
        .trim_ascii_start();
    let theirs = server
        .get(..64)
        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))?;
    if theirs.eq_ignore_ascii_case(&hashed_payload(canonical_request.as_bytes())) {
        return Some(wrong_secret());
    }
    // The signed host's line: `\nhost:<host>\n`, `at` its value's start.
    let at = find(canonical_request, "\nhost:").map_or(0, |i| i + 6);
    let rest = canonical_request.get(at..).unwrap_or_default();
    let signed_host = rest
        .get(..find(rest, "\n").unwrap_or(0))
        .unwrap_or_default();
    let before = canonical_request.get(..at).unwrap_or_default();
    let after = rest.get(signed_host.len()..).unwrap_or_default();
    let changed = hosts.iter().find(|host| {
        at > 0 && **host != signed_host && {
            let with = concat(&[before, host, after]);
            theirs.eq_ignore_ascii_case(&hashed_payload(with.as_bytes()))
        }
    });
    Some(match changed {
        Some(host) => Diagnosis {
            cause: Cause::HostChanged,
            position: None,
            parameter: Some(String::from("host")),
            sent: Some(String::from(signed_host)),
            received: Some(String::from(*host)),
            explanation: concat(&[
                "Signed for host ",
                signed_host,
                " but the platform received ",
                host,
                ": have the relay send that Host (nginx: proxy_set_header Host ",
                signed_host,
                ";), or set signedHost to ",
                host,
                ".",
            ]),
        },
        None => Diagnosis {
            cause: Cause::Rewritten,
            position: None,
            parameter: None,
            sent: None,
            received: None,
            explanation: String::from(
                "The platform hashed another canonical request than thingcall signed (see explain()): the host, the query, the body or an x-acs-* header changed on the way. Through a relay, set signedHost to the host the platform receives.",
            ),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The platform's own example ("V3 request structure and signature"): POST `RunInstances`
    /// of ECS 2014-05-26 with two query parameters and an empty body.
    fn official() -> (CanonicalizedQueryString, [(&'static str, &'static str); 6]) {
        let query = CanonicalizedQueryString::new([
            ("RegionId", "cn-shanghai"),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
        ]);
        let headers = [
            ("x-acs-version", "2014-05-26"),
            ("host", "ecs.cn-shanghai.aliyuncs.com"),
            ("x-acs-action", "RunInstances"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-signature-nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-content-sha256", EMPTY_PAYLOAD_SHA256),
        ];
        (query, headers)
    }

    #[test]
    fn the_official_vector_stage_by_stage() {
        assert_eq!(hashed_payload(b""), EMPTY_PAYLOAD_SHA256);
        let (query, headers) = official();
        let request =
            CanonicalRequest::new(HttpMethod::Post, &query, &headers, EMPTY_PAYLOAD_SHA256);
        assert_eq!(
            request.as_str(),
            "POST\n/\n\
             ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\n\
             x-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\n\
             x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\
             \n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let sts = StringToSignV3::new(&request);
        assert_eq!(
            sts.hashed_canonical_request(),
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            sts.as_str(),
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        let signature = SignatureV3::new(b"YourAccessKeySecret", &sts);
        assert_eq!(
            signature.as_str(),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        assert_eq!(
            signature.authorization("YourAccessKeyId", &request),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
             SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn header_names_are_lowercased_and_values_trimmed() {
        let (query, headers) = official();
        let shouted: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| (n.to_ascii_uppercase(), alloc::format!("  {v} \t")))
            .collect();
        let shouted: Vec<(&str, &str)> = shouted
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            CanonicalRequest::new(HttpMethod::Post, &query, &shouted, EMPTY_PAYLOAD_SHA256),
            CanonicalRequest::new(HttpMethod::Post, &query, &headers, EMPTY_PAYLOAD_SHA256)
        );
    }

    #[test]
    fn a_form_body_is_hashed_and_get_is_signed_as_get() {
        let body = b"Args=%7B%22n%22%3A1%7D&Identifier=Echo";
        // As `printf %s '...' | sha256sum` gives it.
        assert_eq!(
            hashed_payload(body),
            "262911977febd9df286af30646138ed5147c1ba5044d993d1cfe998a0545c493"
        );
        let (query, headers) = official();
        let post = CanonicalRequest::new(HttpMethod::Post, &query, &headers, EMPTY_PAYLOAD_SHA256);
        let get = CanonicalRequest::new(HttpMethod::Get, &query, &headers, EMPTY_PAYLOAD_SHA256);
        assert!(get.as_str().starts_with("GET\n/\n"));
        assert_ne!(
            SignatureV3::new(b"k", &StringToSignV3::new(&post)),
            SignatureV3::new(b"k", &StringToSignV3::new(&get))
        );
    }

    fn quoted(request: &CanonicalRequest) -> String {
        concat(&[
            "Specified signature is not matched with our calculation. server string to sign is:",
            StringToSignV3::new(request).as_str(),
        ])
    }

    #[test]
    fn a_mismatch_is_diagnosed_from_the_quoted_hash() {
        let (query, headers) = official();
        let ours = CanonicalRequest::new(HttpMethod::Post, &query, &headers, EMPTY_PAYLOAD_SHA256);
        let d = diagnose(ours.as_str(), &quoted(&ours), &[]).unwrap();
        assert_eq!(d.cause, Cause::WrongSecret);
        // The platform received the relay's host.
        let mut relayed = headers;
        relayed[1] = ("host", "dash.example.com");
        let theirs =
            CanonicalRequest::new(HttpMethod::Post, &query, &relayed, EMPTY_PAYLOAD_SHA256);
        let d = diagnose(
            ours.as_str(),
            &quoted(&theirs),
            &["ecs.cn-shanghai.aliyuncs.com", "dash.example.com"],
        )
        .unwrap();
        assert_eq!(d.cause, Cause::HostChanged);
        assert_eq!(
            (d.sent.as_deref(), d.received.as_deref()),
            (
                Some("ecs.cn-shanghai.aliyuncs.com"),
                Some("dash.example.com")
            )
        );
        assert!(d
            .explanation
            .contains("proxy_set_header Host ecs.cn-shanghai.aliyuncs.com;"));
        // Without that host among the candidates, or with the body changed: rewritten.
        assert_eq!(
            diagnose(ours.as_str(), &quoted(&theirs), &[])
                .unwrap()
                .cause,
            Cause::Rewritten
        );
        let other = CanonicalRequest::new(HttpMethod::Get, &query, &headers, EMPTY_PAYLOAD_SHA256);
        let d = diagnose(ours.as_str(), &quoted(&other), &["dash.example.com"]).unwrap();
        assert_eq!(d.cause, Cause::Rewritten);
        assert!(d.explanation.contains("signedHost"));
        // The escaped newline some messages carry; no V3 string, no diagnosis.
        let escaped = quoted(&ours).replace('\n', "\\n");
        assert_eq!(
            diagnose(ours.as_str(), &escaped, &[]).unwrap().cause,
            Cause::WrongSecret
        );
        assert_eq!(
            diagnose(ours.as_str(), "Specified signature is not matched.", &[]),
            None
        );
        assert_eq!(
            diagnose(
                ours.as_str(),
                "server string to sign is:POST&%2F&AccessKeyId%3Dx",
                &[]
            ),
            None
        );
    }
}

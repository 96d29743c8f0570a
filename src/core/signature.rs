//! The three stages of RPC signature v1, a type each, whose `Display` is the stage's text
//! (in the style of `aws-sigv4`): [`CanonicalizedQueryString`] → [`StringToSign`] → [`Signature`].

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::encode::{percent_encode_into, percent_encode_twice_into, push_ascii};

/// The HTTP method a request is sent with; it is part of what is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum HttpMethod {
    /// Parameters in the URL's query.
    Get,
    /// Parameters in an `application/x-www-form-urlencoded` body (the default: no URL length limit).
    #[default]
    Post,
}

impl HttpMethod {
    /// `"GET"` or `"POST"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
        }
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A method name other than GET or POST.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnsupportedMethod;

impl FromStr for HttpMethod {
    type Err = UnsupportedMethod;
    /// Accepts `GET` and `POST` in any letter case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.eq_ignore_ascii_case("GET") {
            Ok(HttpMethod::Get)
        } else if s.eq_ignore_ascii_case("POST") {
            Ok(HttpMethod::Post)
        } else {
            Err(UnsupportedMethod)
        }
    }
}

/// The name of the parameter that carries the result; it is never itself signed.
pub const SIGNATURE_PARAM: &str = "Signature";

/// The pairs without `Signature`, sorted by name in byte order (then by value). Binary
/// insertion where the pairs are: parameter lists are short, and this keeps a general-purpose
/// sort (several KB of wasm) out of the package. A `Vec` given is sorted in its own buffer
/// (collecting a `Vec`'s iterator gives the `Vec` back), so signing allocates no second list.
fn sorted<'a, I>(params: I) -> Vec<(&'a str, &'a str)>
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params.into_iter().collect();
    // Names first, values only between equal names (`then_with`: not compared otherwise).
    let after = |q: &(&str, &str), p: &(&str, &str)| {
        q.0.as_bytes()
            .cmp(p.0.as_bytes())
            .then_with(|| q.1.cmp(p.1))
            == core::cmp::Ordering::Greater
    };
    // `pairs[..n]` is sorted; the slots from `n` to `i` have been read already.
    let mut n = 0;
    for i in 0..pairs.len() {
        let p = pairs[i];
        if p.0 == SIGNATURE_PARAM {
            continue;
        }
        let mut at = n;
        // Most lists come partly in order (the common parameters do): append without a search.
        if n > 0 && after(&pairs[n - 1], &p) {
            at = pairs[..n].partition_point(|q| !after(q, &p));
            let mut j = n;
            while j > at {
                pairs[j] = pairs[j - 1];
                j -= 1;
            }
        }
        pairs[at] = p;
        n += 1;
    }
    pairs.truncate(n);
    pairs
}

/// A capacity guess for the canonical text, not an extra pass over every byte: names are mostly
/// unreserved, values grow by escapes (JSON Args the most).
fn capacity(pairs: &[(&str, &str)]) -> usize {
    pairs
        .iter()
        .map(|(k, v)| k.len() + v.len() + v.len() / 2 + 2)
        .sum::<usize>()
        + 48
}

/// Stage 1: every parameter but `Signature`, sorted by name in byte order, names and values
/// percent-encoded (RFC 3986), `k=v` joined with `&`.
///
/// The text is also a valid query string and form body, so the request is this text plus
/// `&Signature=...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CanonicalizedQueryString(String);

impl CanonicalizedQueryString {
    /// Builds the canonical text from `(name, value)` pairs in any order. A pair named `Signature`
    /// is left out; pairs with equal names keep a deterministic order (by value).
    pub fn new<'a, I>(params: I) -> Self
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        let pairs = sorted(params);
        let mut out = String::with_capacity(capacity(&pairs));
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                out.push('&');
            }
            percent_encode_into(k, &mut out);
            out.push('=');
            percent_encode_into(v, &mut out);
        }
        Self(out)
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The wire form of the whole request: the canonical text followed by `&Signature=<encoded>`.
    /// Usable as a URL query or as a form body.
    pub fn with_signature(&self, signature: &Signature) -> String {
        let mut out = String::with_capacity(self.0.len() + 12 + 3 * signature.0.len());
        out.push_str(&self.0);
        if !out.is_empty() {
            push_ascii(&mut out, b'&');
        }
        out.push_str("Signature=");
        percent_encode_into(&signature.0, &mut out);
        out
    }
}

impl fmt::Display for CanonicalizedQueryString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Stage 2: `METHOD & enc("/") & enc(CanonicalizedQueryString)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringToSign(String);

impl StringToSign {
    /// Builds the string to sign for `method` over `canonical`.
    pub fn new(method: HttpMethod, canonical: &CanonicalizedQueryString) -> Self {
        let c = canonical.as_str();
        // Only `%`, `=` and `&` of the canonical text are escaped again.
        let mut out = String::with_capacity(8 + c.len() + c.len() / 2);
        out.push_str(method.as_str());
        out.push_str("&%2F&");
        percent_encode_into(c, &mut out);
        Self(out)
    }

    /// The text that is signed.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Stage 3: `base64(HMAC-SHA1(AccessKeySecret + "&", StringToSign))`, not yet URL-encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(String);

impl Signature {
    /// The base64 text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The HMAC key derived from an AccessKeySecret (`secret + "&"`), with the HMAC's keyed state
/// computed once and reused for every signature made with the same secret.
#[derive(Clone)]
pub struct SigningKey {
    mac: Hmac<Sha1>,
}

impl SigningKey {
    /// Derives the signing key from `access_key_secret`.
    pub fn new(access_key_secret: &str) -> Self {
        let mut key = Vec::with_capacity(access_key_secret.len() + 1);
        key.extend_from_slice(access_key_secret.as_bytes());
        key.push(b'&');
        let mac = Hmac::<Sha1>::new_from_slice(&key).expect("HMAC accepts keys of any length");
        key.fill(0);
        Self { mac }
    }

    /// Signs `string_to_sign`.
    pub fn sign(&self, string_to_sign: &StringToSign) -> Signature {
        let mut mac = self.mac.clone();
        mac.update(string_to_sign.as_str().as_bytes());
        let tag = mac.finalize().into_bytes();
        // Into a stack buffer (20 bytes are 28 base64 characters): `encode` would add a UTF-8
        // check whose panic message pulls `Debug` formatting into the wasm.
        let mut buf = [0u8; 28];
        let n = base64::engine::general_purpose::STANDARD
            .encode_slice(tag, &mut buf)
            .unwrap_or(0);
        let mut text = String::with_capacity(n);
        // base64 output is ASCII.
        text.extend(buf[..n].iter().map(|&b| b as char));
        Signature(text)
    }
}

impl Drop for SigningKey {
    /// The HMAC's keyed state (derived from the secret: as good as it for signing) is
    /// overwritten with zeros before its memory is freed.
    fn drop(&mut self) {
        // SAFETY: `Hmac<Sha1>` is a flat value: arrays of integers (the SHA-1 states of the
        // inner and outer keyed hashes, a block buffer) and integer counters, with no pointer,
        // reference or niche, so all-zero bytes are a valid value of it; it is not used after
        // this, and `drop_in_place` of its fields (which own nothing) runs on those zeros.
        unsafe { zeroize::zeroize_flat_type(&mut self.mac) }
    }
}

impl zeroize::ZeroizeOnDrop for SigningKey {}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey(** redacted **)")
    }
}

/// All three stages of one signing, for callers that want to show or check them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedStages {
    /// Stage 1.
    pub canonical: CanonicalizedQueryString,
    /// Stage 2.
    pub string_to_sign: StringToSign,
    /// Stage 3.
    pub signature: Signature,
}

/// Runs the three stages over `params` with `key`.
pub fn sign<'a, I>(method: HttpMethod, params: I, key: &SigningKey) -> SignedStages
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    // Stages 1 and 2 in one pass: the string-to-sign is the canonical text encoded again, so
    // each name and value is written to both at once (`percent_encode_twice_into`). The result
    // equals `StringToSign::new(method, &CanonicalizedQueryString::new(params))` (tested).
    let pairs = sorted(params);
    let cap = capacity(&pairs);
    let mut canonical = String::with_capacity(cap);
    let mut sts = String::with_capacity(cap + cap / 2 + 8);
    sts.push_str(method.as_str());
    sts.push_str("&%2F&");
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            push_ascii(&mut canonical, b'&');
            sts.push_str("%26");
        }
        percent_encode_twice_into(k, &mut canonical, &mut sts);
        push_ascii(&mut canonical, b'=');
        sts.push_str("%3D");
        percent_encode_twice_into(v, &mut canonical, &mut sts);
    }
    let string_to_sign = StringToSign(sts);
    let signature = key.sign(&string_to_sign);
    SignedStages {
        canonical: CanonicalizedQueryString(canonical),
        string_to_sign,
        signature,
    }
}

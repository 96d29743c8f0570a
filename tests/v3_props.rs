//! Property tests of signature V3's stages: the canonical request does not depend on the order
//! or letter case the headers come in, it parses back into what was signed (method, query,
//! each header once, sorted, the signed names, the payload hash), and the signature is
//! HMAC-SHA256 of the string to sign as an independent computation (RFC 2104 over `sha2`) gives.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use sha2::{Digest, Sha256};
use thingcall::core::v3::{hashed_payload, hex, CanonicalRequest, SignatureV3, StringToSignV3};
use thingcall::core::{CanonicalizedQueryString, HttpMethod};

/// HMAC-SHA256 written out from RFC 2104, to check the crate's against.
fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut k = if key.len() > 64 {
        Sha256::digest(key).to_vec()
    } else {
        key.to_vec()
    };
    k.resize(64, 0);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::digest([ipad.as_slice(), message].concat());
    Sha256::digest([opad.as_slice(), inner.as_slice()].concat()).to_vec()
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::btree_map("x-acs-[a-z-]{1,12}", "[ -~]{0,24}", 1..8).prop_map(|m| {
        let mut v: Vec<(String, String)> = m.into_iter().collect();
        v.push(("host".into(), "iot.cn-shanghai.aliyuncs.com".into()));
        v
    })
}

proptest! {
    #[test]
    fn the_canonical_request_is_what_was_signed(
        params in proptest::collection::vec(("[A-Za-z]{1,8}", any::<String>()), 0..8),
        hs in headers(),
        shuffle in any::<u64>(),
        upper in any::<bool>(),
        body in any::<Vec<u8>>(),
        get in any::<bool>(),
    ) {
        let query = CanonicalizedQueryString::new(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let method = if get { HttpMethod::Get } else { HttpMethod::Post };
        let payload = hashed_payload(&body);
        let given: Vec<(&str, &str)> = hs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let base = CanonicalRequest::new(method, &query, &given, &payload);

        // Another order and letter case: the same request.
        let mut other: Vec<(String, String)> = hs
            .iter()
            .map(|(n, v)| (if upper { n.to_ascii_uppercase() } else { n.clone() }, v.clone()))
            .collect();
        let n = other.len();
        other.rotate_left((shuffle as usize) % n);
        let other: Vec<(&str, &str)> = other.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        prop_assert_eq!(&CanonicalRequest::new(method, &query, &other, &payload), &base);

        // It reads back into its parts.
        let lines: Vec<&str> = base.as_str().split('\n').collect();
        prop_assert_eq!(lines[0], method.as_str());
        prop_assert_eq!(lines[1], "/");
        prop_assert_eq!(lines[2], query.as_str());
        let mut sorted: Vec<(String, String)> = hs.iter().map(|(n, v)| (n.clone(), v.trim().to_string())).collect();
        sorted.sort();
        for (i, (name, value)) in sorted.iter().enumerate() {
            prop_assert_eq!(lines[3 + i], format!("{name}:{value}"));
        }
        prop_assert_eq!(lines[3 + sorted.len()], "");
        let names: Vec<&str> = sorted.iter().map(|(n, _)| n.as_str()).collect();
        prop_assert_eq!(lines[4 + sorted.len()], names.join(";"));
        prop_assert_eq!(base.signed_headers(), names.join(";"));
        prop_assert_eq!(lines[5 + sorted.len()], payload.as_str());
        prop_assert_eq!(lines.len(), 6 + sorted.len());
        prop_assert_eq!(payload, hex(&Sha256::digest(&body)));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_the_string_to_sign(
        secret in proptest::collection::vec(any::<u8>(), 0..100),
        params in proptest::collection::vec(("[A-Za-z]{1,8}", any::<String>()), 0..6),
        hs in headers(),
    ) {
        let query = CanonicalizedQueryString::new(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let given: Vec<(&str, &str)> = hs.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let request = CanonicalRequest::new(HttpMethod::Post, &query, &given, &hashed_payload(b""));
        let sts = StringToSignV3::new(&request);
        prop_assert_eq!(
            sts.as_str(),
            format!("ACS3-HMAC-SHA256\n{}", hex(&Sha256::digest(request.as_str().as_bytes())))
        );
        let signature = SignatureV3::new(&secret, &sts);
        prop_assert_eq!(signature.as_str(), hex(&hmac_sha256(&secret, sts.as_str().as_bytes())));
    }
}

//! Property tests of the emulator's request parser and verifier against thingcall's core (each
//! written independently of the other): any bytes get an answer from the parser, never a panic;
//! any parameters the core signs, the emulator decodes back exactly and verifies.
//! A longer run: `PROPTEST_CASES=100000 cargo test -p thingcall-emulator --test parser_props`.

use proptest::prelude::*;
use thingcall::core::{sign_request, CommonParams, Credentials, HttpMethod, Nonce, Timestamp};
use thingcall_emulator::auth::{decode_form, hmac_b64, server_string_to_sign, Params};

/// Text as requests carry it: anything, form syntax, escapes, astral and combining characters.
fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ !\"#$%&'()*+,/:;<=>?@\\[\\]^`{|}~a-z0-9😀灯\u{301}\u{10FFFF}\u{0}\t\n-]{0,24}",
        proptest::collection::vec(any::<char>(), 0..16).prop_map(|v| v.into_iter().collect()),
    ]
}

/// Bytes that look like a query or form body, broken in every way.
fn form_like() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..256),
        proptest::collection::vec(
            prop_oneof![
                Just(b"%".to_vec()),
                Just(b"&".to_vec()),
                Just(b"=".to_vec()),
                Just(b"+".to_vec()),
                Just(b"%FF".to_vec()),
                Just(b"%C3".to_vec()),
                Just(b"%A9".to_vec()),
                Just(b"%zz".to_vec()),
                Just(b"%E7%81%AF".to_vec()),
                "[a-zA-Z0-9]{1,4}".prop_map(String::into_bytes),
            ],
            0..40
        )
        .prop_map(|v| v.concat()),
    ]
}

const COMMON: [&str; 9] = [
    "Action",
    "Version",
    "Format",
    "AccessKeyId",
    "SignatureMethod",
    "SignatureVersion",
    "SignatureNonce",
    "Timestamp",
    "Signature",
];

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::btree_map(tricky(), tricky(), 0..12).prop_map(|m| {
        m.into_iter()
            .filter(|(k, _)| {
                !k.is_empty()
                    && !COMMON.contains(&k.as_str())
                    && k != "SecurityToken"
                    && k != "RegionId"
            })
            .collect()
    })
}

proptest! {
    #[test]
    fn the_parser_answers_any_bytes(text in form_like(), more in form_like()) {
        let mut p = Params::new();
        if decode_form(&text, &mut p).is_ok() {
            // What it accepted is UTF-8 by construction; a second part (the body after the
            // query) either adds new names or is refused for a repeated one.
            let before = p.len();
            match decode_form(&more, &mut p) {
                Ok(()) => prop_assert!(p.len() >= before),
                Err(e) => prop_assert_eq!(e.status, 400),
            }
        }
    }

    #[test]
    fn what_the_core_signs_the_emulator_decodes_and_verifies(
        params in params(),
        secret in "[ -~]{1,40}",
        post in any::<bool>(),
    ) {
        let method = if post { HttpMethod::Post } else { HttpMethod::Get };
        let creds = Credentials::new("robust-id", &secret, None).unwrap();
        let nonce = Nonce::from_random_bytes([7; 16]);
        let common = CommonParams {
            action: "QueryProductList",
            credentials: &creds,
            region_id: None,
            nonce: &nonce,
            timestamp: Timestamp::from_unix_seconds(1_764_633_600),
        };
        let s = sign_request(method, &common, &params, &creds.signing_key()).unwrap();
        let wire = s.canonical.with_signature(&s.signature);
        let mut decoded = Params::new();
        decode_form(wire.as_bytes(), &mut decoded).unwrap();
        for (k, v) in &params {
            prop_assert_eq!(decoded.get(k), Some(v), "{:?}", k);
        }
        prop_assert_eq!(decoded.len(), params.len() + 9);
        let sts = server_string_to_sign(if post { "POST" } else { "GET" }, &decoded);
        prop_assert_eq!(&sts, s.string_to_sign.as_str());
        let expected = hmac_b64(&secret, &sts);
        prop_assert_eq!(decoded.get("Signature"), Some(&expected));
    }
}

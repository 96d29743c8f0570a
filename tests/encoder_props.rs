//! Property tests of the RFC 3986 encoder, of `sign`'s one-pass stages 1 and 2, and of the crate's
//! substring search and UTF-8 check.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use thingcall::core::encode::{is_unreserved, percent_encode, percent_encode_twice_into};
use thingcall::core::{sign, CanonicalizedQueryString, HttpMethod, SigningKey, StringToSign};

fn decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

fn tricky() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ !'()*~+/%&=?#a-z😀灯\u{10FFFF}\u{0}]{0,24}",
        proptest::collection::vec(any::<char>(), 0..16).prop_map(|v| v.into_iter().collect()),
    ]
}

proptest! {
    #[test]
    fn only_unreserved_bytes_stay(s in tricky()) {
        let e = percent_encode(&s);
        let b = e.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                prop_assert!(i + 2 < b.len());
                let (h, l) = (b[i + 1], b[i + 2]);
                prop_assert!(h.is_ascii_digit() || (b'A'..=b'F').contains(&h));
                prop_assert!(l.is_ascii_digit() || (b'A'..=b'F').contains(&l));
                let byte = u8::from_str_radix(&e[i + 1..i + 3], 16).unwrap();
                prop_assert!(!is_unreserved(byte), "unreserved byte {byte:#x} was escaped");
                i += 3;
            } else {
                prop_assert!(is_unreserved(b[i]), "reserved byte {:#x} kept", b[i]);
                i += 1;
            }
        }
    }

    #[test]
    fn decoding_gives_back_the_input(s in tricky()) {
        prop_assert_eq!(decode(&percent_encode(&s)), s.as_bytes());
    }

    #[test]
    fn space_and_plus_never_stay(s in tricky()) {
        let e = percent_encode(&s);
        prop_assert!(!e.contains(' ') && !e.contains('+') && !e.contains('*'));
    }
}

proptest! {
    /// The one-pass encoder for the string-to-sign writes what two passes write.
    #[test]
    fn encoding_twice_in_one_pass_is_encoding_twice(s in tricky(), a in tricky(), b in tricky()) {
        let (mut once, mut twice) = (a.clone(), b.clone());
        percent_encode_twice_into(&s, &mut once, &mut twice);
        prop_assert_eq!(once, format!("{a}{}", percent_encode(&s)));
        prop_assert_eq!(twice, format!("{b}{}", percent_encode(&percent_encode(&s))));
    }

    /// `sign` builds stages 1 and 2 in one pass; each equals the stage built on its own.
    #[test]
    fn sign_matches_the_stages_built_one_by_one(
        params in proptest::collection::vec((tricky(), tricky()), 0..8),
        secret in tricky(),
        post in any::<bool>(),
    ) {
        let method = if post { HttpMethod::Post } else { HttpMethod::Get };
        let pairs = || params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        let key = SigningKey::new(&secret);
        let fused = sign(method, pairs(), &key);
        let canonical = CanonicalizedQueryString::new(pairs());
        let string_to_sign = StringToSign::new(method, &canonical);
        prop_assert_eq!(&fused.canonical, &canonical);
        prop_assert_eq!(&fused.string_to_sign, &string_to_sign);
        prop_assert_eq!(fused.signature, key.sign(&string_to_sign));
    }
}

proptest! {
    /// The canonical order is by name in byte order, then by value, whatever the input order
    /// (checked against the standard library's sort; names repeat often here).
    #[test]
    fn canonical_order_is_the_byte_order_of_names_then_values(
        params in proptest::collection::vec(("[a-c]{0,2}", "[a-c]{0,2}"), 0..12),
    ) {
        let mut reference: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        reference.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()).then(a.1.cmp(b.1)));
        let expected = reference.iter().map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v))).collect::<Vec<_>>().join("&");
        let canonical = CanonicalizedQueryString::new(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        prop_assert_eq!(canonical.as_str(), expected);
    }
}

proptest! {
    /// The crate's plain substring search (kept out of the wasm instead of `str::find`) finds
    /// what the standard library finds, including needles that repeat their first byte.
    #[test]
    fn find_agrees_with_std(
        hay in "[abc\u{FFFD}é]{0,40}",
        needle in prop_oneof!["[abc\u{FFFD}é]{0,4}", Just(String::from("\u{FFFD}"))],
    ) {
        prop_assert_eq!(thingcall::core::text::find(&hay, &needle), if needle.is_empty() { None } else { hay.find(&needle) });
    }
}

/// The crate's UTF-8 check (`percent_decode`'s, kept out of the wasm instead of `str::from_utf8`)
/// decides as core does on every input of up to three bytes.
#[test]
fn is_utf8_agrees_with_core_on_every_short_input() {
    use thingcall::core::text::is_utf8;
    assert!(is_utf8(b""));
    for a in 0..=255u8 {
        assert_eq!(is_utf8(&[a]), std::str::from_utf8(&[a]).is_ok(), "{a:02x}");
        for b in 0..=255u8 {
            assert_eq!(
                is_utf8(&[a, b]),
                std::str::from_utf8(&[a, b]).is_ok(),
                "{a:02x} {b:02x}"
            );
            for c in 0..=255u8 {
                let s = [a, b, c];
                assert_eq!(is_utf8(&s), std::str::from_utf8(&s).is_ok(), "{s:02x?}");
            }
        }
    }
}

proptest! {
    /// ... and on longer inputs, made of pieces near UTF-8 (four-byte forms, cut sequences,
    /// continuation bytes alone).
    #[test]
    fn is_utf8_agrees_with_core(pieces in proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_map(|c| c.to_string().into_bytes()),
            proptest::collection::vec(prop_oneof![0x80..=0xBFu8, 0xC0..=0xFFu8, any::<u8>()], 1..5),
        ],
        0..12,
    )) {
        let bytes: Vec<u8> = pieces.concat();
        prop_assert_eq!(thingcall::core::text::is_utf8(&bytes), std::str::from_utf8(&bytes).is_ok());
    }
}

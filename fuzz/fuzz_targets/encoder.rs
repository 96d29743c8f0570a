//! The RFC 3986 encoder on any text: only unreserved bytes and uppercase `%XY` come out, and
//! decoding gives the text back.
#![no_main]

use libfuzzer_sys::fuzz_target;
use thingcall::core::encode::{is_unreserved, percent_decode, percent_encode};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let e = percent_encode(s);
    let b = e.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
            assert!(i + 2 < b.len() && hex(b[i + 1]) && hex(b[i + 2]), "{e}");
            let byte = u8::from_str_radix(&e[i + 1..i + 3], 16).unwrap();
            assert!(!is_unreserved(byte), "{byte:#x} escaped in {e}");
            i += 3;
        } else {
            assert!(is_unreserved(b[i]), "{:#x} kept in {e}", b[i]);
            i += 1;
        }
    }
    assert_eq!(percent_decode(&e), s);
});

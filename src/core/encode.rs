//! RFC 3986 percent-encoding as the RPC signature (v1) requires it.
//!
//! Every byte of the UTF-8 input stays as it is when it is unreserved
//! (`A-Z a-z 0-9 - _ . ~`) and becomes `%XY` (uppercase hex) otherwise. A space
//! is `%20`, never `+`; `*` is `%2A`; `~` is kept.

use alloc::string::String;

/// Which bytes stay as they are, by byte value.
static UNRESERVED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.' | b'~');
        b += 1;
    }
    t
};

/// `%00%01…%FF`: the escape of byte `b` is `ESCAPES[3b..3b+3]`.
static ESCAPES: [u8; 768] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut t = [0u8; 768];
    let mut b = 0;
    while b < 256 {
        t[3 * b] = b'%';
        t[3 * b + 1] = HEX[b >> 4];
        t[3 * b + 2] = HEX[b & 15];
        b += 1;
    }
    t
};

/// Is `b` one of RFC 3986's unreserved characters?
#[inline(always)]
pub fn is_unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

/// Appends the percent-encoding of `input` to `out`: runs of unreserved bytes are copied whole,
/// other bytes become their escape from a table (this is the hottest loop of signing). Not
/// inlined: signing calls it for every name and value, and one copy keeps the wasm small.
#[inline(never)]
pub fn percent_encode_into(input: &str, out: &mut String) {
    let bytes = input.as_bytes();
    // SAFETY: only ASCII is appended (unreserved bytes are ASCII; every other byte, all of a
    // multi-byte character's included, becomes a `%XY` escape), so `out` stays valid UTF-8.
    let buf = unsafe { out.as_mut_vec() };
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !is_unreserved(b) {
            buf.extend_from_slice(&bytes[start..i]);
            let at = 3 * b as usize;
            buf.extend_from_slice(&ESCAPES[at..at + 3]);
            start = i + 1;
        }
    }
    buf.extend_from_slice(&bytes[start..]);
}

/// The number of bytes `percent_encode_into` will append for `input`.
#[inline]
pub fn encoded_len(input: &str) -> usize {
    input.len() + 2 * input.bytes().filter(|&b| !is_unreserved(b)).count()
}

/// Returns the percent-encoding of `input`.
pub fn percent_encode(input: &str) -> String {
    let mut out = String::with_capacity(encoded_len(input));
    percent_encode_into(input, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::{format, prelude::rust_2021::*, vec};

    #[test]
    fn keeps_unreserved_and_escapes_the_rest() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(percent_encode(" "), "%20");
        assert_eq!(percent_encode("*"), "%2A");
        assert_eq!(percent_encode("+"), "%2B");
        assert_eq!(percent_encode("!'()"), "%21%27%28%29");
        assert_eq!(percent_encode("/"), "%2F");
        assert_eq!(percent_encode("a=b&c"), "a%3Db%26c");
        assert_eq!(percent_encode("灯"), "%E7%81%AF");
        assert_eq!(percent_encode("😀"), "%F0%9F%98%80");
        assert_eq!(percent_encode(""), "");
    }

    #[test]
    fn encoded_len_matches() {
        for s in ["", "abc", "a b", "灯😀", "{\"a\":1}"] {
            assert_eq!(encoded_len(s), percent_encode(s).len());
        }
    }
}

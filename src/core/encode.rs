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

/// Uppercase hex digits, for the `%XY` escapes.
const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Is `b` one of RFC 3986's unreserved characters?
#[inline(always)]
pub fn is_unreserved(b: u8) -> bool {
    UNRESERVED[b as usize]
}

/// Appends the percent-encoding of `input` to `out`: reserves room for the worst case once,
/// then writes each byte or its escape straight into the buffer. Not inlined: one copy keeps
/// the wasm small.
#[inline(never)]
pub fn percent_encode_into(input: &str, out: &mut String) {
    let bytes = input.as_bytes();
    // SAFETY: only ASCII is appended (unreserved bytes are ASCII; every other byte, all of a
    // multi-byte character's included, becomes a `%XY` escape), so `out` stays valid UTF-8; room
    // for the worst case (every byte escaped) is reserved first, and the length is set over
    // exactly what was written.
    let buf = unsafe { out.as_mut_vec() };
    buf.reserve(3 * bytes.len());
    unsafe {
        let p0 = buf.as_mut_ptr().add(buf.len());
        let mut p = p0;
        for &b in bytes {
            if is_unreserved(b) {
                *p = b;
                p = p.add(1);
            } else {
                *p = b'%';
                *p.add(1) = HEX[(b >> 4) as usize];
                *p.add(2) = HEX[(b & 15) as usize];
                p = p.add(3);
            }
        }
        buf.set_len(buf.len() + p.offset_from(p0) as usize);
    }
}

/// Appends `input` percent-encoded to `once`, and encoded twice to `twice` (as it stands in a
/// string-to-sign, which encodes the canonical query again: each `%XY` becomes `%25XY`). One
/// pass for what [`percent_encode_into`] would do in two.
#[inline(never)]
pub fn percent_encode_twice_into(input: &str, once: &mut String, twice: &mut String) {
    let bytes = input.as_bytes();
    // SAFETY: as in `percent_encode_into`: only ASCII is appended; room for the worst case (every
    // byte escaped: 3 and 5 bytes) is reserved first, and the lengths are set over exactly what
    // was written.
    let (a, b) = unsafe { (once.as_mut_vec(), twice.as_mut_vec()) };
    a.reserve(3 * bytes.len());
    b.reserve(5 * bytes.len());
    unsafe {
        let (p0, q0) = (a.as_mut_ptr().add(a.len()), b.as_mut_ptr().add(b.len()));
        let (mut p, mut q) = (p0, q0);
        for &c in bytes {
            if is_unreserved(c) {
                *p = c;
                *q = c;
                p = p.add(1);
                q = q.add(1);
            } else {
                let (hi, lo) = (HEX[(c >> 4) as usize], HEX[(c & 15) as usize]);
                *p = b'%';
                *p.add(1) = hi;
                *p.add(2) = lo;
                *q = b'%';
                *q.add(1) = b'2';
                *q.add(2) = b'5';
                *q.add(3) = hi;
                *q.add(4) = lo;
                p = p.add(3);
                q = q.add(5);
            }
        }
        a.set_len(a.len() + p.offset_from(p0) as usize);
        b.set_len(b.len() + q.offset_from(q0) as usize);
    }
}

/// Appends the ASCII byte `b` (cheaper than `String::push`, which encodes a `char` as UTF-8 out
/// of line in the size-optimized wasm).
#[inline]
pub fn push_ascii(out: &mut String, b: u8) {
    assert!(b.is_ascii());
    // SAFETY: an ASCII byte is a whole UTF-8 character.
    unsafe { out.as_mut_vec() }.push(b);
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

/// Decodes `%XY` escapes (for display of an encoded query); invalid escapes and invalid UTF-8
/// are kept as they are.
pub fn percent_decode(input: &str) -> String {
    let b = input.as_bytes();
    let mut out = alloc::vec::Vec::with_capacity(b.len());
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    if super::text::is_utf8(&out) {
        // SAFETY: `is_utf8` has just checked it (as `String::from_utf8` would, with more code).
        unsafe { String::from_utf8_unchecked(out) }
    } else {
        input.into()
    }
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
    fn decode_reverses_encode() {
        for s in ["", "abc", "a b&c=d%", "灯😀", "{\"a\":1}", "%zz", "%4"] {
            assert_eq!(percent_decode(&percent_encode(s)), s);
        }
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }

    #[test]
    fn encoded_len_matches() {
        for s in ["", "abc", "a b", "灯😀", "{\"a\":1}"] {
            assert_eq!(encoded_len(s), percent_encode(s).len());
        }
    }
}

//! RFC 3986 percent-encoding as the RPC signature (v1) requires it.
//!
//! Every byte of the UTF-8 input stays as it is when it is unreserved
//! (`A-Z a-z 0-9 - _ . ~`) and becomes `%XY` (uppercase hex) otherwise. A space
//! is `%20`, never `+`; `*` is `%2A`; `~` is kept.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Is `b` one of RFC 3986's unreserved characters?
#[inline]
pub const fn is_unreserved(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~')
}

/// Appends the percent-encoding of `input` to `out` (no allocation beyond `out`'s growth).
pub fn percent_encode_into(input: &str, out: &mut String) {
    let bytes = input.as_bytes();
    // Copy runs of unreserved bytes in one go; they are ASCII, so slicing is on char boundaries.
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !is_unreserved(b) {
            // Run boundaries sit next to ASCII bytes, so `get` always succeeds.
            out.push_str(input.get(start..i).unwrap_or_default());
            out.push('%');
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0x0F) as usize] as char);
            start = i + 1;
        }
    }
    out.push_str(input.get(start..).unwrap_or_default());
}

/// The number of bytes `percent_encode_into` will append for `input`.
#[inline]
pub fn encoded_len(input: &str) -> usize {
    input
        .bytes()
        .map(|b| if is_unreserved(b) { 1 } else { 3 })
        .sum()
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

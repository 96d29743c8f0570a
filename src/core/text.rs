//! Plain scans of short texts: the byte searches the crate needs, without core's searchers.
//!
//! core's `str::split(char)`, `str::split_once(char)`, `str::contains(char)` and
//! `<[u8]>::contains` search with a char searcher and a word-at-a-time `memchr`, and
//! `str::from_utf8` checks a word at a time too: about 1,600 bytes of wasm in all, for texts of
//! a few hundred bytes at most (parameters, a query, a header), where a byte loop is as fast.

/// The byte offset of the first `b` in `s`.
#[inline]
pub fn position(s: &[u8], b: u8) -> Option<usize> {
    s.iter().position(|&x| x == b)
}

/// Whether every byte of `s` is an ASCII letter or digit, or one of `extra` (one loop for
/// every such check of a name: a closure given to `bytes().all` is compiled for each).
pub fn alnum_or(s: &str, extra: &[u8]) -> bool {
    for &b in s.as_bytes() {
        if !b.is_ascii_alphanumeric() && position(extra, b).is_none() {
            return false;
        }
    }
    true
}

/// Whether `s` holds the byte `b`.
#[inline]
pub fn contains(s: &str, b: u8) -> bool {
    position(s.as_bytes(), b).is_some()
}

/// `s` around its first `sep` (an ASCII byte): the text before it and the text after it.
pub fn split_once(s: &str, sep: u8) -> Option<(&str, &str)> {
    debug_assert!(sep.is_ascii());
    let i = position(s.as_bytes(), sep)?;
    // An ASCII byte is a whole character: both sides are on character boundaries.
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// The pieces of `s` between the ASCII byte `sep`s (as `str::split` gives them: `""` gives
/// one empty piece).
pub fn split(s: &str, sep: u8) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    core::iter::from_fn(move || {
        let t = rest?;
        Some(match split_once(t, sep) {
            Some((piece, after)) => {
                rest = Some(after);
                piece
            }
            None => {
                rest = None;
                t
            }
        })
    })
}

/// The byte offset of the first `needle` in `hay` (a plain scan: the texts are short, and it
/// keeps the two-way searcher out of the wasm).
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let n = needle.len();
    if n == 0 || n > hay.len() {
        return None;
    }
    let (h, nb) = (hay.as_bytes(), needle.as_bytes());
    // The first byte by `contains`-style scanning, then the rest compared in place: comparing
    // every window as a slice is several times slower on the signing path's short strings.
    let first = nb[0];
    let mut from = 0;
    while let Some(at) = h.get(from..).and_then(|t| position(t, first)) {
        let i = from + at;
        match h.get(i..i + n) {
            Some(w) if w == nb => return Some(i),
            Some(_) => from = i + 1,
            None => return None,
        }
    }
    None
}

/// Whether `b` is UTF-8, as `str::from_utf8` decides it: no overlong form, no surrogate, nothing
/// above U+10FFFF, no sequence cut short.
pub fn is_utf8(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&lead) = b.get(i) {
        // The sequence's length, and the smallest code point it may encode (less would be an
        // overlong form).
        let (len, min) = match lead {
            0x00..=0x7F => {
                i += 1;
                continue;
            }
            0xC2..=0xDF => (2, 0x80),
            0xE0..=0xEF => (3, 0x800),
            0xF0..=0xF4 => (4, 0x1_0000),
            _ => return false,
        };
        let Some(rest) = b.get(i + 1..i + len) else {
            return false;
        };
        let mut c = u32::from(lead) & (0x7F >> len);
        for &x in rest {
            if x & 0xC0 != 0x80 {
                return false;
            }
            c = c << 6 | u32::from(x & 0x3F);
        }
        if c < min || c > 0x10_FFFF || (0xD800..=0xDFFF).contains(&c) {
            return false;
        }
        i += len;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::{prelude::rust_2021::*, vec};

    #[test]
    fn split_is_strs_split() {
        for s in ["", "&", "a", "a&b", "&a&&b&", "灯&😀&", "a=b&c="] {
            assert_eq!(
                split(s, b'&').collect::<Vec<_>>(),
                s.split('&').collect::<Vec<_>>(),
                "{s:?}"
            );
            assert_eq!(split_once(s, b'&'), s.split_once('&'), "{s:?}");
            assert_eq!(contains(s, b'&'), s.contains('&'), "{s:?}");
        }
    }

    #[test]
    fn find_is_strs_find() {
        for (hay, needle) in [
            ("abcabd", "abd"),
            ("aaa", "aa"),
            ("ab", "abc"),
            ("灯😀", "😀"),
            ("", "a"),
            ("a", ""),
        ] {
            let expected = if needle.is_empty() {
                None
            } else {
                hay.find(needle)
            };
            assert_eq!(find(hay, needle), expected, "{hay:?} {needle:?}");
        }
    }
}

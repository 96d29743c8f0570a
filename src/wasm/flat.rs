//! The flattened strings `js/sign_input.js` makes, one boundary crossing for a whole params
//! object: pieces split at NUL; when the string starts with U+0001, every piece is escaped
//! (U+0001 `a` for NUL, U+0001 `b` for U+0001).

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// The pieces of `flat`, borrowed unless they had to be unescaped.
pub fn pieces(flat: &str) -> Vec<Cow<'_, str>> {
    match flat.strip_prefix('\u{1}') {
        None => flat.split('\0').map(Cow::Borrowed).collect(),
        Some(rest) => rest.split('\0').map(|p| Cow::Owned(unescape(p))).collect(),
    }
}

fn unescape(piece: &str) -> String {
    let mut out = String::with_capacity(piece.len());
    let mut chars = piece.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1}' {
            out.push(if chars.next() == Some('a') { '\0' } else { '\u{1}' });
        } else {
            out.push(c);
        }
    }
    out
}

/// `(name, value)` pairs from pieces (a trailing odd piece is ignored).
pub fn pairs<'a>(pieces: &'a [Cow<'a, str>]) -> Vec<(&'a str, &'a str)> {
    pieces
        .chunks_exact(2)
        .map(|kv| (kv[0].as_ref(), kv[1].as_ref()))
        .collect()
}

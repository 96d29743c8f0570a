//! The flattened strings `js/sign_input.js` makes, one boundary crossing for a whole params
//! object: the first character is the separator (NUL, unless a piece holds one), then the
//! pieces joined with it.

use alloc::vec::Vec;

/// The pieces of `flat`.
pub fn pieces(flat: &str) -> impl Iterator<Item = &str> {
    let mut chars = flat.chars();
    let sep = chars.next().unwrap_or('\0');
    chars.as_str().split(sep)
}

/// `(name, value)` pairs from pieces (a trailing odd piece is ignored).
pub fn pairs<'a>(mut pieces: impl Iterator<Item = &'a str>) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::with_capacity(16);
    while let (Some(k), Some(v)) = (pieces.next(), pieces.next()) {
        out.push((k, v));
    }
    out
}

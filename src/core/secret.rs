//! [`Secret`]: a secret string (an AccessKeySecret, a SecurityToken) that is overwritten with
//! zeros before its memory is freed and never printed: its `Debug` is `"** redacted **"`, and it
//! has no `Display`. Everything that holds a secret holds one of these, so a derived `Debug` of
//! the holder is safe.

use alloc::string::String;
use core::fmt;

use zeroize::Zeroize;

/// A secret string: zeroized on drop, redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Holds `s` as a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The secret itself, for signing (and for scrubbing it out of messages).
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether it is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Overwrites it with zeros and empties it (the buffer is kept until drop).
    pub(crate) fn wipe(&mut self) {
        self.0.zeroize();
    }

    /// Where its buffer is and how large (for the test that reads it back after a wipe).
    #[cfg(test)]
    pub(crate) fn buffer(&self) -> (*const u8, usize) {
        (self.0.as_ptr(), self.0.capacity())
    }
}

impl From<String> for Secret {
    fn from(s: String) -> Self {
        Self(s)
    }
}

impl From<&str> for Secret {
    fn from(s: &str) -> Self {
        Self(s.into())
    }
}

impl From<&String> for Secret {
    fn from(s: &String) -> Self {
        Self(s.clone())
    }
}

impl Drop for Secret {
    /// Overwritten with zeros before the memory is freed.
    fn drop(&mut self) {
        self.wipe();
    }
}

impl zeroize::ZeroizeOnDrop for Secret {}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"** redacted **\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn debug_is_redacted() {
        let s = Secret::from("the-secret-value");
        assert_eq!(format!("{s:?}"), "\"** redacted **\"");
        assert_eq!(format!("{:?}", Some(s.clone())), "Some(\"** redacted **\")");
        assert_eq!(s.expose(), "the-secret-value");
    }

    #[test]
    fn a_wipe_zeroes_the_buffer() {
        let mut s = Secret::from(String::from("0123456789abcdef0123456789abcdef"));
        let (ptr, cap) = s.buffer();
        s.wipe();
        // Still allocated (a wipe keeps the capacity): read it back.
        let bytes = unsafe { core::slice::from_raw_parts(ptr, cap) };
        assert!(bytes.iter().all(|&b| b == 0), "{bytes:?}");
        assert!(s.is_empty());
    }
}

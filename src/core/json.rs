//! A small JSON reader for the thing-model check: it keeps every number as its source token
//! (and where it ends), so that a checked `Args` can be sent as the caller wrote it, with only a
//! `.0` added where the model says float. Numbers are turned into values by a parser the caller
//! passes (the engine's `parseFloat` in the browser), so no float parsing is in the wasm.

use alloc::string::String;
use alloc::vec::Vec;

/// A JSON value; numbers as their source text.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number: its token, and the byte offset just after it in the source.
    Number {
        /// As written (`10`, `-1.5e3`).
        text: String,
        /// Where it ends in the source.
        end: usize,
    },
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object's members in source order.
    Object(Vec<(String, Json)>),
}

impl Json {
    /// An object's member `key` (the first of that name).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string's text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as the platform's text form of a property value: a number as its token, a
    /// string as itself, `true`/`false`, `null`, and an object or array as its JSON.
    pub fn to_platform_text(&self) -> String {
        match self {
            Json::String(s) => s.clone(),
            other => {
                let mut out = String::new();
                write(other, &mut out);
                out
            }
        }
    }

    /// Whether a number token is written as an integer (no `.`, `e` or `E`).
    pub fn is_integer_token(text: &str) -> bool {
        !text.bytes().any(|b| matches!(b, b'.' | b'e' | b'E'))
    }
}

/// Why a text is not JSON (the byte offset where reading stopped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyntaxError(pub usize);

/// The deepest nesting read (deeper is refused, as a cycle's or a bomb's).
pub const MAX_DEPTH: u32 = 64;

/// Reads `text` as one JSON value (whitespace around it allowed).
pub fn parse(text: &str) -> Result<Json, SyntaxError> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        i: 0,
    };
    let v = r.value(0)?;
    r.ws();
    if r.i != r.b.len() {
        return Err(SyntaxError(r.i));
    }
    Ok(v)
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
}

impl Reader<'_> {
    fn ws(&mut self) {
        while self.i < self.b.len() && matches!(self.b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn err<T>(&self) -> Result<T, SyntaxError> {
        Err(SyntaxError(self.i))
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn literal(&mut self, word: &[u8], v: Json) -> Result<Json, SyntaxError> {
        if self.b.len() - self.i >= word.len() && &self.b[self.i..self.i + word.len()] == word {
            self.i += word.len();
            Ok(v)
        } else {
            self.err()
        }
    }

    fn value(&mut self, depth: u32) -> Result<Json, SyntaxError> {
        if depth > MAX_DEPTH {
            return self.err();
        }
        self.ws();
        match self.peek() {
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'"') => self.string().map(Json::String),
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(Json::Array(items));
                        }
                        _ => return self.err(),
                    }
                }
            }
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return self.err();
                    }
                    let k = self.string()?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return self.err();
                    }
                    self.i += 1;
                    members.push((k, self.value(depth + 1)?));
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(Json::Object(members));
                        }
                        _ => return self.err(),
                    }
                }
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => self.err(),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return self.err(),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return self.err();
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return self.err();
            }
        }
        Ok(Json::Number {
            text: self.text.get(start..self.i).unwrap_or_default().into(),
            end: self.i,
        })
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut v = 0;
        for _ in 0..4 {
            let d = match self.peek() {
                Some(c @ b'0'..=b'9') => c - b'0',
                Some(c @ b'a'..=b'f') => c - b'a' + 10,
                Some(c @ b'A'..=b'F') => c - b'A' + 10,
                _ => return self.err(),
            };
            v = v * 16 + d as u32;
            self.i += 1;
        }
        Ok(v)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        let mut run = self.i;
        loop {
            let Some(c) = self.peek() else {
                return self.err();
            };
            match c {
                b'"' => {
                    out.push_str(self.text.get(run..self.i).unwrap_or_default());
                    self.i += 1;
                    return Ok(out);
                }
                b'\\' => {
                    out.push_str(self.text.get(run..self.i).unwrap_or_default());
                    self.i += 1;
                    let e = self.peek();
                    self.i += 1;
                    let ch = match e {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hi = self.hex4()?;
                            let code = if (0xD800..0xDC00).contains(&hi) {
                                // A surrogate pair, or a lone surrogate (not text: refused).
                                if self.b.get(self.i..self.i + 2) != Some(b"\\u") {
                                    return self.err();
                                }
                                self.i += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return self.err();
                                }
                                0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                            } else {
                                hi
                            };
                            match char::from_u32(code) {
                                Some(ch) => ch,
                                None => return self.err(),
                            }
                        }
                        _ => return self.err(),
                    };
                    out.push(ch);
                    run = self.i;
                }
                0..=0x1f => return self.err(),
                _ => self.i += 1,
            }
        }
    }
}

/// Writes `v` as JSON text: numbers as their tokens, members in their order.
pub fn write(v: &Json, out: &mut String) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number { text, .. } => out.push_str(text),
        Json::String(s) => write_string(s, out),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(k, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

/// `s` as a JSON string, quoted and escaped, appended to `out`. Byte by byte: only ASCII
/// bytes are escaped, and every byte of a multi-byte character is 0x80 or above, so the runs
/// between escapes are whole characters, copied as they are.
pub fn write_string(s: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let mut run = 0;
    for (i, &b) in s.as_bytes().iter().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + 1;
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 15) as usize] as char);
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Characters (Unicode scalar values) in `s`, as the platform counts a text's length.
pub fn char_count(s: &str) -> usize {
    s.bytes().filter(|b| (b & 0xC0) != 0x80).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn escapes_strings_as_json_does() {
        let written = |s: &str| {
            let mut out = String::new();
            write_string(s, &mut out);
            out
        };
        assert_eq!(
            written("a\"b\\c\nd\re\tf\u{1}g\u{1f}é灯\u{7f}"),
            "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001fé灯\u{7f}\""
        );
        assert_eq!(written(""), "\"\"");
        assert_eq!(written("\n"), "\"\\n\"");
    }

    #[test]
    fn writes_what_it_reads() {
        for text in [
            r#"{"a":[1,-2.50,3e2,true,null],"b\u00e9\n":"x\"\\\u0001\u706f"}"#,
            "[]",
            "{}",
            "\"\"",
            "18446744073709551617",
        ] {
            let v = parse(text).unwrap();
            let mut out = String::new();
            write(&v, &mut out);
            assert_eq!(
                parse(&out).unwrap().to_platform_text(),
                v.to_platform_text()
            );
            assert_eq!(parse(&out).map(|_| ()), Ok(()), "{out}");
        }
        let v = parse(r#"{"n":1.50,"s":"on","o":{"k":[1]}}"#).unwrap();
        assert_eq!(v.get("n").unwrap().to_platform_text(), "1.50");
        assert_eq!(v.get("s").unwrap().to_platform_text(), "on");
        assert_eq!(v.get("o").unwrap().to_platform_text(), r#"{"k":[1]}"#);
        assert_eq!(v.get("s").and_then(Json::as_str), Some("on"));
        assert!(v.get("missing").is_none());
    }

    fn num(text: &str, end: usize) -> Json {
        Json::Number {
            text: text.into(),
            end,
        }
    }

    #[test]
    fn reads_values_and_keeps_number_tokens() {
        assert_eq!(
            parse(r#" {"a": [1, -2.50, 3e2, true, null], "b\u00e9\n": "x\"\u706f\ud83d\ude00"} "#)
                .unwrap(),
            Json::Object(vec![
                (
                    "a".into(),
                    Json::Array(vec![
                        num("1", 9),
                        num("-2.50", 16),
                        num("3e2", 21),
                        Json::Bool(true),
                        Json::Null
                    ])
                ),
                ("bé\n".into(), Json::String("x\"灯😀".into())),
            ])
        );
        assert!(Json::is_integer_token("-10"));
        assert!(!Json::is_integer_token("1e2"));
        assert!(!Json::is_integer_token("1.0"));
    }

    #[test]
    fn refuses_what_is_not_json() {
        for bad in [
            "",
            "{",
            "{a:1}",
            "[1,]",
            "01",
            "1.",
            "-",
            "1e",
            "\"\\ud800\"",
            "\"\\x\"",
            "\"a",
            "{\"a\":1}}",
            "\"\u{1}\"",
            "nul",
            "[1 2]",
            "NaN",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
        let deep = "[".repeat(70) + &"]".repeat(70);
        assert!(parse(&deep).is_err());
    }

    #[test]
    fn counts_characters() {
        assert_eq!(char_count("a灯😀e\u{301}"), 5);
    }
}

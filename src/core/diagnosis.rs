//! Why a signature did not match: the platform's `SignatureDoesNotMatch` message carries the
//! string-to-sign it computed ("… server string to sign is:POST&%2F&…"); set beside the one the
//! client signed, the first difference says what went wrong. Identical strings mean the request
//! arrived as signed and the secret is wrong; a different method, or a parameter whose value
//! changed, went missing or appeared, means something on the way (a proxy, a framework, a
//! rewriting relay) changed the request.

use alloc::string::String;
use alloc::vec::Vec;

use super::attempts::{concat, push_u64};
use super::encode::percent_decode;
use super::text::{self, find};

/// What the platform's message says it signed follows this.
pub const SERVER_STRING_TO_SIGN: &str = "server string to sign is:";

/// The likely cause of a `SignatureDoesNotMatch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cause {
    /// Both sides signed the same string: the AccessKeySecret is wrong for the AccessKeyId.
    WrongSecret,
    /// The request arrived with another HTTP method than it was signed for.
    MethodChanged,
    /// A parameter arrived with another value than was signed (re-encoded or rewritten).
    ParameterChanged,
    /// A signed parameter did not arrive.
    ParameterMissing,
    /// A parameter arrived that was not signed.
    ParameterAdded,
    /// The strings differ outside the method and the parameters (V1), or the canonical
    /// requests differ in a way that their hashes cannot tell (V3).
    Rewritten,
    /// V3: the platform hashed the canonical request with another `host` than was signed.
    HostChanged,
}

impl Cause {
    /// `"wrong_secret"`, `"method_changed"`, `"parameter_changed"`, `"parameter_missing"`,
    /// `"parameter_added"`, `"rewritten"` or `"host_changed"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::WrongSecret => "wrong_secret",
            Cause::MethodChanged => "method_changed",
            Cause::ParameterChanged => "parameter_changed",
            Cause::ParameterMissing => "parameter_missing",
            Cause::ParameterAdded => "parameter_added",
            Cause::Rewritten => "rewritten",
            Cause::HostChanged => "host_changed",
        }
    }
}

/// Where the client's and the platform's strings-to-sign part, and what that likely means.
/// Values are decoded for reading; a `SecurityToken` is masked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnosis {
    /// The likely cause.
    pub cause: Cause,
    /// The first differing character of the string-to-sign (0-based); `None` when identical.
    pub position: Option<usize>,
    /// The parameter that position falls in, when it falls in one.
    pub parameter: Option<String>,
    /// What the client signed there (the method, or the parameter's value).
    pub sent: Option<String>,
    /// What the platform received there.
    pub received: Option<String>,
    /// One sentence for a person: the cause and what to do.
    pub explanation: String,
}

/// The string-to-sign the platform quotes in `message`, trimmed; `None` when it quotes none.
pub fn server_string_to_sign(message: &str) -> Option<&str> {
    let at = find(message, SERVER_STRING_TO_SIGN)?;
    // `get`, not indexing: no panic path (and its formatting) in the wasm.
    Some(
        message
            .get(at + SERVER_STRING_TO_SIGN.len()..)?
            .trim_ascii(),
    )
    .filter(|s| !s.is_empty())
}

/// The diagnosis when both sides signed the same string.
pub(crate) fn wrong_secret() -> Diagnosis {
    Diagnosis {
        cause: Cause::WrongSecret,
        position: None,
        parameter: None,
        sent: None,
        received: None,
        explanation: String::from(
            "The platform signed the very string thingcall signed, so the request arrived as sent: the AccessKeySecret is not the one of this AccessKeyId.",
        ),
    }
}

/// The diagnosis of a `SignatureDoesNotMatch` whose `message` quotes the server's
/// string-to-sign, against `signed`, the string-to-sign the client signed (V1's; V3's is
/// `v3::diagnose`). `None` when the message does not carry it.
#[cold]
#[inline(never)]
pub fn diagnose(signed: &str, message: &str) -> Option<Diagnosis> {
    let server = server_string_to_sign(message)?;
    let position = signed
        .bytes()
        .zip(server.bytes())
        .position(|(a, b)| a != b)
        .or((signed.len() != server.len()).then(|| signed.len().min(server.len())))
        // Back to the start of a character (the strings are ASCII when they come from a signer).
        .map(|p| {
            (0..=p)
                .rev()
                .find(|&i| signed.is_char_boundary(i) && server.is_char_boundary(i))
                .unwrap_or(0)
        });
    let Some(position) = position else {
        return Some(wrong_secret());
    };
    let (ours, theirs) = (Parts::of(signed), Parts::of(server));
    let mut d = Diagnosis {
        cause: Cause::Rewritten,
        position: Some(position),
        parameter: None,
        sent: None,
        received: None,
        explanation: String::from(
            "The string-to-sign the platform computed differs from the one thingcall signed: something on the way rewrote the request.",
        ),
    };
    if ours.method != theirs.method {
        d.cause = Cause::MethodChanged;
        d.sent = Some(ours.method.into());
        d.received = Some(theirs.method.into());
        d.explanation = concat(&[
            "Signed for ",
            ours.method,
            " but received as ",
            theirs.method,
            ": something on the way (a redirect, a proxy) changed the HTTP method. Call the endpoint without redirects, or sign with the method that arrives.",
        ]);
        return Some(d);
    }
    if ours.path != theirs.path {
        return Some(d);
    }
    let (a, b) = (ours.params(), theirs.params());
    let first = (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i))?;
    let (name, sent, received, cause) = match (a.get(first), b.get(first)) {
        (Some((n, v)), Some((m, w))) if n == m => (n, Some(v), Some(w), Cause::ParameterChanged),
        // The lists are sorted by name: the smaller name is the one the other side lacks.
        (Some((n, v)), Some((m, _))) if n < m => (n, Some(v), None, Cause::ParameterMissing),
        (Some((n, v)), None) => (n, Some(v), None, Cause::ParameterMissing),
        (_, Some((m, w))) => (m, None, Some(w), Cause::ParameterAdded),
        (None, None) => return Some(d),
    };
    let masked = |v: &String| mask(name, v);
    d.cause = cause;
    d.sent = sent.map(masked);
    d.received = received.map(masked);
    d.explanation = match cause {
        Cause::ParameterChanged => concat(&[
            name,
            " arrived with another value than was signed: something on the way (a proxy, a framework, a relay) re-encoded or rewrote it. Forward the query and the body byte for byte.",
        ]),
        Cause::ParameterMissing => concat(&[
            name,
            " was signed but did not arrive: something on the way dropped it (a relay forwarding only the query or only the body?).",
        ]),
        _ => concat(&[
            name,
            " arrived but was not signed: something on the way added it. Relay the request without adding parameters.",
        ]),
    };
    d.parameter = Some(name.clone());
    Some(d)
}

/// `METHOD&path&query` of a string-to-sign (the path and query percent-encoded once more).
struct Parts<'a> {
    method: &'a str,
    path: &'a str,
    query: &'a str,
}

impl<'a> Parts<'a> {
    fn of(s: &'a str) -> Self {
        let (method, rest) = text::split_once(s, b'&').unwrap_or((s, ""));
        let (path, query) = text::split_once(rest, b'&').unwrap_or((rest, ""));
        Self {
            method,
            path,
            query,
        }
    }

    /// The canonical query's `(name, value)` pairs, decoded for reading.
    fn params(&self) -> Vec<(String, String)> {
        let once = percent_decode(self.query);
        let mut out = Vec::new();
        for p in text::split(&once, b'&') {
            if !p.is_empty() {
                let (k, v) = text::split_once(p, b'=').unwrap_or((p, ""));
                out.push((percent_decode(k), percent_decode(v)));
            }
        }
        out
    }
}

/// `value`, or for a `SecurityToken` its first four characters and its length (tokens are
/// ASCII; counted in bytes).
fn mask(name: &str, value: &str) -> String {
    if name != "SecurityToken" {
        return value.into();
    }
    let mut out = String::from(value.get(..4).unwrap_or(""));
    out.push_str("… (");
    push_u64(&mut out, value.len() as u64);
    out.push_str(" characters, masked)");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{sign, HttpMethod, SigningKey};

    fn sts(method: HttpMethod, params: &[(&str, &str)]) -> String {
        sign(method, params.iter().copied(), &SigningKey::new("s"))
            .string_to_sign
            .as_str()
            .into()
    }

    fn message(server: &str) -> String {
        concat(&[
            "Specified signature is not matched with our calculation. ",
            SERVER_STRING_TO_SIGN,
            server,
        ])
    }

    const P: &[(&str, &str)] = &[
        ("AccessKeyId", "testid"),
        ("Action", "InvokeThingService"),
        ("Args", "{\"text\":\"a b+c\"}"),
        ("SecurityToken", "CAISsecrettokenvalue"),
        ("Timestamp", "2026-12-01T00:00:00Z"),
    ];

    #[test]
    fn no_string_to_sign_no_diagnosis() {
        assert_eq!(
            diagnose("POST&%2F&a%3Db", "Specified signature is not matched."),
            None
        );
        assert_eq!(diagnose("POST&%2F&a%3Db", &message("  ")), None);
    }

    #[test]
    fn the_same_string_means_a_wrong_secret() {
        let s = sts(HttpMethod::Post, P);
        let d = diagnose(&s, &message(&s)).unwrap();
        assert_eq!(
            (d.cause, d.position, d.parameter),
            (Cause::WrongSecret, None, None)
        );
        assert!(d.explanation.contains("AccessKeySecret"));
    }

    #[test]
    fn a_changed_method() {
        let (ours, theirs) = (sts(HttpMethod::Post, P), sts(HttpMethod::Get, P));
        let d = diagnose(&ours, &message(&theirs)).unwrap();
        assert_eq!(d.cause, Cause::MethodChanged);
        assert_eq!(d.position, Some(0));
        assert_eq!(
            (d.sent.as_deref(), d.received.as_deref()),
            (Some("POST"), Some("GET"))
        );
        assert!(d
            .explanation
            .contains("Signed for POST but received as GET"));
    }

    #[test]
    fn a_rewritten_value_names_the_parameter_and_both_values() {
        let ours = sts(HttpMethod::Post, P);
        // A framework that turned "+" into a space on the way.
        let mut q = P.to_vec();
        q[2] = ("Args", "{\"text\":\"a b c\"}");
        let theirs = sts(HttpMethod::Post, &q);
        let d = diagnose(&ours, &message(&theirs)).unwrap();
        assert_eq!(d.cause, Cause::ParameterChanged);
        assert_eq!(d.parameter.as_deref(), Some("Args"));
        assert_eq!(d.sent.as_deref(), Some("{\"text\":\"a b+c\"}"));
        assert_eq!(d.received.as_deref(), Some("{\"text\":\"a b c\"}"));
        let p = d.position.unwrap();
        assert_eq!(ours[..p], theirs[..p]);
        assert_ne!(ours.as_bytes()[p], theirs.as_bytes()[p]);
        assert!(
            ours[..p].ends_with("Args%3D%257B%2522text%2522%253A%2522a%2520b%252"),
            "{}",
            &ours[..p]
        );
    }

    #[test]
    fn the_security_token_is_masked() {
        let ours = sts(HttpMethod::Post, P);
        let mut q = P.to_vec();
        q[3] = ("SecurityToken", "CAISanothertoken");
        let d = diagnose(&ours, &message(&sts(HttpMethod::Post, &q))).unwrap();
        assert_eq!(d.parameter.as_deref(), Some("SecurityToken"));
        assert_eq!(d.sent.as_deref(), Some("CAIS… (20 characters, masked)"));
        assert_eq!(d.received.as_deref(), Some("CAIS… (16 characters, masked)"));
        assert!(!alloc::format!("{d:?}").contains("secrettoken"));
    }

    #[test]
    fn a_dropped_and_an_added_parameter() {
        let ours = sts(HttpMethod::Post, P);
        let dropped: Vec<_> = P.iter().copied().filter(|(k, _)| *k != "Args").collect();
        let d = diagnose(&ours, &message(&sts(HttpMethod::Post, &dropped))).unwrap();
        assert_eq!(
            (d.cause, d.parameter.as_deref(), d.received),
            (Cause::ParameterMissing, Some("Args"), None)
        );
        let last_dropped = &P[..4];
        let d = diagnose(&ours, &message(&sts(HttpMethod::Post, last_dropped))).unwrap();
        assert_eq!(
            (d.cause, d.parameter.as_deref()),
            (Cause::ParameterMissing, Some("Timestamp"))
        );
        let mut added = P.to_vec();
        added.push(("Extra", "1"));
        let d = diagnose(&ours, &message(&sts(HttpMethod::Post, &added))).unwrap();
        assert_eq!(
            (
                d.cause,
                d.parameter.as_deref(),
                d.sent,
                d.received.as_deref()
            ),
            (Cause::ParameterAdded, Some("Extra"), None, Some("1"))
        );
    }
}

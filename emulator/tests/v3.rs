//! Signature V3 (`ACS3-HMAC-SHA256`): requests signed with thingcall's core (`core::v3`), verified
//! by the emulator's own code. A good request runs, by POST (a form body, its hash signed) and
//! by GET; a wrong secret is `SignatureDoesNotMatch` with the server's string to sign; a stale
//! date, a reused nonce, an unsigned required header and a body that is not what its hash says
//! are each refused with the platform's code.

mod common;

use common::*;
use serde_json::Value;
use thingcall::core::v3::{hashed_payload, CanonicalRequest, SignatureV3, StringToSignV3};
use thingcall::core::{CanonicalizedQueryString, HttpMethod, Timestamp};

/// A V3 request: what to send, and what to spoil.
struct V3 {
    method: HttpMethod,
    action: &'static str,
    params: Vec<(&'static str, &'static str)>,
    secret: &'static str,
    date: String,
    nonce: String,
    /// Leaves this header out of the signed ones (it is still sent).
    unsigned: Option<&'static str>,
    /// Sent instead of the signed body.
    body_sent: Option<String>,
}

impl V3 {
    fn new(
        method: HttpMethod,
        action: &'static str,
        params: &[(&'static str, &'static str)],
    ) -> Self {
        Self {
            method,
            action,
            params: params.to_vec(),
            secret: SECRET,
            date: Timestamp::from_unix_seconds(now_s()).to_string(),
            nonce: format!("{:032x}", fastrand::u128(..)),
            unsigned: None,
            body_sent: None,
        }
    }

    async fn send(&self, e: &Emu) -> (u16, Value) {
        let host = e.base.trim_start_matches("http://").to_string();
        let form = CanonicalizedQueryString::new(self.params.iter().copied());
        // POST: the parameters in a form body (its hash signed), none in the query.
        let (query, body) = match self.method {
            HttpMethod::Post => (CanonicalizedQueryString::new([]), form.as_str().to_string()),
            HttpMethod::Get => (form, String::new()),
        };
        let payload = hashed_payload(body.as_bytes());
        let mut headers: Vec<(&str, &str)> = vec![
            ("host", &host),
            ("x-acs-action", self.action),
            ("x-acs-version", "2018-01-20"),
            ("x-acs-date", &self.date),
            ("x-acs-signature-nonce", &self.nonce),
            ("x-acs-content-sha256", &payload),
        ];
        let sent = headers.clone();
        headers.retain(|(n, _)| Some(*n) != self.unsigned);
        let request = CanonicalRequest::new(self.method, &query, &headers, &payload);
        let signature = SignatureV3::new(self.secret.as_bytes(), &StringToSignV3::new(&request));
        let url = if query.as_str().is_empty() {
            format!("{}/", e.base)
        } else {
            format!("{}/?{}", e.base, query.as_str())
        };
        let mut r = match self.method {
            HttpMethod::Get => e.http.get(url),
            HttpMethod::Post => e
                .http
                .post(url)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(self.body_sent.clone().unwrap_or(body)),
        };
        for (n, v) in sent.iter().filter(|(n, _)| *n != "host") {
            r = r.header(*n, *v);
        }
        r = r.header("authorization", signature.authorization(ID, &request));
        let r = r.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }
}

#[tokio::test]
async fn a_v3_request_runs_by_post_and_by_get() {
    let e = start().await;
    let args = r#"{"text":"灯 & ~*'()","n":1}"#;
    for method in [HttpMethod::Post, HttpMethod::Get] {
        let (st, b) = V3::new(
            method,
            "InvokeThingService",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-01"),
                ("Identifier", "Echo"),
                ("Args", args),
            ],
        )
        .send(&e)
        .await;
        assert_eq!(st, 200, "{method:?}: {b}");
        assert_eq!(b["Success"], true, "{b}");
        let result: Value = serde_json::from_str(b["Data"]["Result"].as_str().unwrap()).unwrap();
        assert_eq!(result["data"]["text"], "灯 & ~*'()");
    }
}

#[tokio::test]
async fn v3_refusals_have_the_platforms_codes() {
    let e = start().await;
    let list = || {
        V3::new(
            HttpMethod::Post,
            "QueryProductList",
            &[("PageSize", "1"), ("CurrentPage", "1")],
        )
    };
    let (st, b) = list().send(&e).await;
    assert_eq!((st, b["Success"].clone()), (200, Value::Bool(true)), "{b}");

    let mut wrong = list();
    wrong.secret = "not-the-secret";
    let (st, b) = wrong.send(&e).await;
    assert_eq!((st, code(&b)), (400, "SignatureDoesNotMatch"), "{b}");
    assert!(
        b["Message"]
            .as_str()
            .unwrap()
            .contains("ACS3-HMAC-SHA256\n"),
        "{b}"
    );

    let mut stale = list();
    stale.date = Timestamp::from_unix_seconds(now_s() - 3600).to_string();
    let (st, b) = stale.send(&e).await;
    assert_eq!((st, code(&b)), (400, "InvalidTimeStamp.Expired"), "{b}");

    let once = list();
    assert_eq!(once.send(&e).await.0, 200);
    let (st, b) = once.send(&e).await;
    assert_eq!((st, code(&b)), (400, "SignatureNonceUsed"), "{b}");

    let mut unsigned = list();
    unsigned.unsigned = Some("x-acs-signature-nonce");
    let (st, b) = unsigned.send(&e).await;
    assert_eq!((st, code(&b)), (400, "IncompleteSignature"), "{b}");

    let mut swapped = list();
    swapped.body_sent = Some("CurrentPage=1&PageSize=2".into());
    let (st, b) = swapped.send(&e).await;
    assert_eq!((st, code(&b)), (400, "InvalidParameter"), "{b}");
    assert!(
        b["Message"]
            .as_str()
            .unwrap()
            .contains("x-acs-content-sha256"),
        "{b}"
    );
}

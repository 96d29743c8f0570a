//! Malformed requests get the platform's errors, never a crash or a hang; and the nonce cache,
//! the one thing that grows with traffic, stays bounded by the Timestamp window.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::{json, Value};
use thingcall::core::HttpMethod;
use thingcall_emulator::server::{MAX_BODY, MAX_URL};

/// Every answer must come within this (none hangs).
const PATIENCE: Duration = Duration::from_secs(20);

fn code(v: &Value) -> &str {
    v["Code"].as_str().unwrap_or("")
}

/// Sends `r`: its status and JSON answer, which must come within [`PATIENCE`].
async fn answer(r: reqwest::RequestBuilder) -> (u16, Value) {
    let r = tokio::time::timeout(PATIENCE, r.send())
        .await
        .expect("answered in time")
        .expect("answered");
    let status = r.status().as_u16();
    (status, r.json().await.expect("a JSON answer"))
}

impl Emu {
    /// A POST of `body` with `content_type` (none when `None`).
    async fn post(&self, content_type: Option<&str>, body: Vec<u8>) -> (u16, Value) {
        let mut r = self.http.post(format!("{}/", self.base)).body(body);
        if let Some(ct) = content_type {
            r = r.header("content-type", ct);
        }
        answer(r).await
    }

    async fn get_query(&self, query: &str) -> (u16, Value) {
        answer(self.http.get(format!("{}/?{query}", self.base))).await
    }

    /// The emulator still answers a correct call.
    async fn still_serves(&self) {
        let (st, b) = self.call("QueryProductList", &[]).await;
        assert_eq!(st, 200, "{b}");
    }
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

/// The status line of a GET of `target` written on a bare connection (a URL too long for an
/// HTTP client library to build).
async fn raw_get_status(base: &str, target: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(base.trim_start_matches("http://"))
        .await
        .unwrap();
    s.write_all(
        format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await
    .unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(PATIENCE, s.read_to_end(&mut answer))
        .await
        .expect("answered in time")
        .ok();
    let text = String::from_utf8_lossy(&answer);
    text.lines().next().unwrap_or("").to_string()
}

#[tokio::test]
async fn a_url_longer_than_the_gateway_reads_is_refused() {
    let e = start().await;
    // 20 KB: the platform's error.
    let long = format!("Action=QueryProductList&x={}", "a".repeat(20 * 1024));
    let (st, b) = e.get_query(&long).await;
    assert_eq!((st, code(&b)), (414, "InvalidParameter"), "{}", b["Code"]);
    assert!(
        b["Message"].as_str().unwrap().contains("POST"),
        "{}",
        b["Message"]
    );
    // 100 KB: more than an HTTP/1 request line may hold here, refused by the HTTP layer.
    let huge = format!("/?Action=QueryProductList&x={}", "a".repeat(100 * 1024));
    let status = raw_get_status(&e.base, &huge).await;
    assert!(status.starts_with("HTTP/1.1 414"), "{status}");
    // Just under the limit, a signed GET is read (the signature then decides).
    let wire = sign(
        HttpMethod::Get,
        &demo(),
        "QueryProductList",
        &[("Pad", &"p".repeat(MAX_URL - 600))],
        now_s(),
        &nonce(),
    );
    assert!(wire.len() + 2 <= MAX_URL, "{}", wire.len());
    let (st, b) = e.send_raw(HttpMethod::Get, &wire).await;
    assert_eq!(st, 200, "{b}");
    e.still_serves().await;
}

#[tokio::test]
async fn ten_thousand_parameters_are_read_and_verified() {
    let e = start().await;
    let names: Vec<String> = (0..10_000).map(|i| format!("P{i:05}")).collect();
    let params: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    let wire = sign(
        HttpMethod::Post,
        &demo(),
        "QueryProductList",
        &params,
        now_s(),
        &nonce(),
    );
    let (st, b) = e.post(FORM, wire.clone().into_bytes()).await;
    assert_eq!(st, 200, "{b}");
    // The same parameters with a signature that does not match.
    let forged = wire.replace("P00000=v", "P00000=w");
    let (st, b) = e.post(FORM, forged.into_bytes()).await;
    assert_eq!(
        (st, code(&b)),
        (400, "SignatureDoesNotMatch"),
        "{}",
        b["Code"]
    );
    e.still_serves().await;
}

#[tokio::test]
async fn percent_escapes_that_are_not_utf8_are_refused() {
    let e = start().await;
    for bad in [
        "Action=%FF",
        "Action=QueryProductList&N=%C3%28",
        "%ED%A0%80=x",
        "A=%F0%9F%98",
    ] {
        let (st, b) = e.post(FORM, bad.as_bytes().to_vec()).await;
        assert_eq!((st, code(&b)), (400, "InvalidParameter"), "{bad}: {b}");
        assert!(b["Message"].as_str().unwrap().contains("not UTF-8"), "{b}");
        let (st, b) = e.get_query(&format!("Action=QueryProductList&{bad}")).await;
        assert_eq!((st, code(&b)), (400, "InvalidParameter"), "{bad}: {b}");
    }
    // Raw bytes that are not UTF-8 in a body, too.
    let (st, b) = e.post(FORM, b"Action=Query\xffList".to_vec()).await;
    assert_eq!((st, code(&b)), (400, "InvalidParameter"), "{b}");
    // A stray `%` that escapes nothing is a literal `%` (then the signature decides).
    let (st, b) = e
        .post(FORM, b"Action=QueryProductList&N=100%".to_vec())
        .await;
    assert_eq!((st, code(&b)), (400, "MissingParameter"), "{b}");
    e.still_serves().await;
}

#[tokio::test]
async fn a_parameter_given_twice_is_refused() {
    let e = start().await;
    let wire = sign(
        HttpMethod::Post,
        &demo(),
        "QueryProductList",
        &[],
        now_s(),
        &nonce(),
    );
    let (st, b) = e
        .post(FORM, format!("{wire}&Action=QueryProductList").into_bytes())
        .await;
    assert_eq!((st, code(&b)), (400, "InvalidParameter"), "{b}");
    assert!(b["Message"]
        .as_str()
        .unwrap()
        .contains("\"Action\" is given more than once"));
    // In the query and the body together.
    let r = e
        .http
        .post(format!("{}/?Version=2018-01-20", e.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(wire)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let b: Value = r.json().await.unwrap();
    assert!(
        b["Message"].as_str().unwrap().contains("\"Version\""),
        "{b}"
    );
    e.still_serves().await;
}

#[tokio::test]
async fn a_post_body_is_read_only_as_a_form() {
    let e = start().await;
    let wire = || {
        sign(
            HttpMethod::Post,
            &demo(),
            "QueryProductList",
            &[],
            now_s(),
            &nonce(),
        )
        .into_bytes()
    };
    for ct in [
        None,
        Some("text/plain;charset=UTF-8"),
        Some("application/json"),
        Some("multipart/form-data; boundary=x"),
    ] {
        let (st, b) = e.post(ct, wire()).await;
        assert_eq!((st, code(&b)), (400, "InvalidParameter"), "{ct:?}: {b}");
        let m = b["Message"].as_str().unwrap();
        assert!(m.contains("application/x-www-form-urlencoded"), "{m}");
        assert!(
            m.contains(ct.map_or("none", |c| c.split(';').next().unwrap())),
            "{m}"
        );
    }
    for ct in [
        "application/x-www-form-urlencoded;charset=UTF-8",
        "Application/X-WWW-Form-Urlencoded",
    ] {
        let (st, b) = e.post(Some(ct), wire()).await;
        assert_eq!(st, 200, "{ct}: {b}");
    }
    // All parameters in the query and an empty POST body: no form needed.
    let r = e
        .http
        .post(format!(
            "{}/?{}",
            e.base,
            String::from_utf8(wire()).unwrap()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_body_larger_than_allowed_is_refused() {
    let e = start().await;
    let mut body = b"Action=QueryProductList&Pad=".to_vec();
    body.resize(MAX_BODY + 1, b'x');
    let (st, b) = e.post(FORM, body).await;
    assert_eq!((st, code(&b)), (413, "InvalidParameter"), "{b}");
    assert!(
        b["Message"].as_str().unwrap().contains("larger than"),
        "{b}"
    );
    e.still_serves().await;
}

#[tokio::test]
async fn garbage_gets_an_answer() {
    let e = start().await;
    for junk in [
        &b""[..],
        b"&&&&",
        b"===",
        b"%",
        b"%%%%%%",
        b"Action",
        b"Action=",
        b"\0\0\0=\0",
        b"Action=QueryProductList&Signature=",
    ] {
        let (st, b) = e.post(FORM, junk.to_vec()).await;
        assert_eq!(st, 400, "{:?}: {b}", String::from_utf8_lossy(junk));
        assert!(!code(&b).is_empty(), "{b}");
    }
    e.still_serves().await;
}

/// 50,000 requests with unique nonces: every one is remembered while its Timestamp can still be
/// replayed, and forgotten once the 15-minute window has passed it, so the cache is bounded by
/// the window, not by the traffic.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_nonce_cache_is_bounded_by_the_timestamp_window() {
    const N: usize = 50_000;
    let e = Arc::new(start().await);
    let before = e.get_json("/_emulator/stats").await;
    assert_eq!(before["nonceWindowMs"], 900_000);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (e, next) = (e.clone(), next.clone());
            tokio::spawn(async move {
                let ts = now_s();
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < N {
                    let wire = list_request(ts, &nonce());
                    let (st, b) = e.send_raw(HttpMethod::Post, &wire).await;
                    assert_eq!(st, 200, "{b}");
                }
            })
        })
        .collect();
    for w in workers {
        w.await.unwrap();
    }
    let full = e.get_json("/_emulator/stats").await;
    assert_eq!(
        full["nonces"], N,
        "every nonce inside the window is remembered"
    );
    println!(
        "after {N} requests: {} nonces, rss {} MB (was {} MB)",
        full["nonces"],
        full["rssBytes"].as_u64().unwrap_or(0) >> 20,
        before["rssBytes"].as_u64().unwrap_or(0) >> 20
    );
    // Sixteen minutes later, every one of those Timestamps is outside the window.
    e.control("clock", json!({ "offsetMs": 16 * 60 * 1000 }))
        .await;
    let (st, b) = e
        .send_raw(HttpMethod::Post, &list_request(now_s() + 16 * 60, &nonce()))
        .await;
    assert_eq!(st, 200, "{b}");
    let after = e.get_json("/_emulator/stats").await;
    assert_eq!(after["nonces"], 1, "only the last request's nonce is left");
    assert_eq!(after["requests"], N as u64 + 1);
}

//! In-browser tests (`wasm-pack test --headless --chrome --firefox`): the public vectors through
//! `signRpc`, and the engine under `IotClient` (`__Engine`, `__Call`) against the running
//! emulator, driven here by a small loop that does what `js/client.js` does (sign, `fetch`, read
//! the envelope, follow the verdict). The emulator's URL comes from `THINGCALL_EMULATOR_URL` at
//! build time; the page's origin differs, so CORS (and the exposed `Date` header) is exercised
//! in both browsers. The shipped JavaScript client itself is tested in Node and in Chromium
//! (tests/node, tests/e2e).
#![cfg(target_arch = "wasm32")]

use js_sys::{Promise, Reflect, JSON};
use thingcall::wasm::{sign_rpc, Call, Engine};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EMULATOR: Option<&str> = option_env!("THINGCALL_EMULATOR_URL");
const PK: &str = "a1LampDemo0";

fn js(v: &str) -> JsValue {
    JSON::parse(v).expect("test JSON")
}

fn get(v: &JsValue, k: &str) -> JsValue {
    Reflect::get(v, &k.into()).unwrap()
}

fn s(v: &JsValue, k: &str) -> String {
    get(v, k).as_string().unwrap_or_default()
}

fn base() -> &'static str {
    EMULATOR.expect("THINGCALL_EMULATOR_URL")
}

#[wasm_bindgen_test]
fn vector_a_get_and_post() {
    let params = r#"{"AccessKeyId":"testid","Action":"DescribeRegions","Format":"XML","SignatureMethod":"HMAC-SHA1",
        "SignatureNonce":"3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf","SignatureVersion":"1.0",
        "Timestamp":"2016-02-23T12:46:24Z","Version":"2014-05-26"}"#;
    let get_ = sign_rpc(js(&format!(
        r#"{{"method":"GET","accessKeySecret":"testsecret","params":{params}}}"#
    )))
    .unwrap();
    assert_eq!(s(&get_, "signature"), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    assert!(s(&get_, "stringToSign")
        .ends_with("%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"));
    assert!(s(&get_, "canonicalQuery").starts_with("AccessKeyId=testid&Action=DescribeRegions&"));
    let post = sign_rpc(js(&format!(
        r#"{{"method":"POST","accessKeySecret":"testsecret","params":{params}}}"#
    )))
    .unwrap();
    assert_eq!(s(&post, "signature"), "MxbnVAM4w6sft9xjVpe/GCKueuk=");
}

#[wasm_bindgen_test]
fn vectors_b_and_c() {
    let b = sign_rpc(js(r#"{"method":"GET","accessKeySecret":"testsecret","params":{"AccessKeyId":"testid",
        "Action":"DescribeDedicatedHosts","Format":"JSON","RegionId":"cn-beijing","SignatureMethod":"HMAC-SHA1",
        "SignatureNonce":"edb2b34af0af9a6d14deaf7c1a5315eb","SignatureVersion":"1.0",
        "Timestamp":"2023-03-13T08:34:30Z","Version":"2014-05-26"}}"#))
    .unwrap();
    assert_eq!(s(&b, "signature"), "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
    let c = sign_rpc(js(
        r#"{"method":"GET","accessKeySecret":"secret","params":{"query":"test","body":"test"}}"#,
    ))
    .unwrap();
    assert_eq!(s(&c, "canonicalQuery"), "body=test&query=test");
    assert_eq!(s(&c, "stringToSign"), "GET&%2F&body%3Dtest%26query%3Dtest");
    assert_eq!(s(&c, "signature"), "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
}

#[wasm_bindgen_test]
fn bad_input_throws_a_thingcall_error_naming_the_field() {
    let e = sign_rpc(js(
        r#"{"method":"PUT","accessKeySecret":"testsecret","params":{}}"#,
    ))
    .unwrap_err();
    assert!(e.is_instance_of::<js_sys::Error>());
    assert_eq!(s(&e, "name"), "ThingcallError");
    assert_eq!(s(&e, "code"), "InvalidArgument");
    assert!(s(&e, "message").contains("method"));
    let e = sign_rpc(js(
        r#"{"method":"GET","accessKeySecret":"testsecret","params":{"Args":[1]}}"#,
    ))
    .unwrap_err();
    assert!(s(&e, "message").contains("params.Args"));
    let e = sign_rpc(js(r#"{"method":"GET","params":{}}"#)).unwrap_err();
    assert!(s(&e, "message").contains("accessKeySecret"));
}

// ---- the engine against the emulator ----

fn global_fn(name: &str) -> js_sys::Function {
    Reflect::get(&js_sys::global(), &name.into())
        .unwrap()
        .unchecked_into()
}

async fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response, JsValue> {
    let p: Promise = global_fn("fetch")
        .call2(&JsValue::UNDEFINED, &url.into(), init)?
        .unchecked_into();
    Ok(JsFuture::from(p).await?.unchecked_into())
}

async fn emulator(path: &str, body: &str) {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    fetch(&format!("{}/_emulator/{path}", base()), &init)
        .await
        .unwrap();
}

async fn emulator_log_len() -> u32 {
    let resp = fetch(
        &format!("{}/_emulator/log", base()),
        &web_sys::RequestInit::new(),
    )
    .await
    .unwrap();
    let log = JsFuture::from(resp.json().unwrap()).await.unwrap();
    js_sys::Array::from(&log).length()
}

async fn sleep(ms: f64) {
    let p = Promise::new(&mut |resolve, _| {
        global_fn("setTimeout")
            .call2(&JsValue::UNDEFINED, &resolve, &ms.into())
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// The engine with the demo key, and the method it signs for (`js/client.js` keeps it too).
struct Client {
    engine: Engine,
    post: bool,
}

impl Client {
    fn new(post: bool) -> Self {
        let mut engine = Engine::new(post, String::new(), 3, 10.0, 50.0, false, false);
        engine
            .set_credentials(
                "thingcall-demo".into(),
                "thingcall-demo-secret".into(),
                String::new(),
                f64::NAN,
                js_sys::Date::now(),
            )
            .unwrap();
        Self { engine, post }
    }
}

/// `InvokeThingService` of `Echo` on `device`, with `args`.
fn echo<'a>(device: &'a str, args: &'a str) -> [(&'a str, &'a str); 4] {
    [
        ("ProductKey", PK),
        ("DeviceName", device),
        ("Identifier", "Echo"),
        ("Args", args),
    ]
}

/// `QueryDeviceDetail` of `device`.
fn detail(device: &str) -> [(&str, &str); 2] {
    [("ProductKey", PK), ("DeviceName", device)]
}

/// Params in the one-string form (`wasm::flat`): NUL, then the pieces joined with NUL.
fn flat(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .flat_map(|(k, v)| ["\0", k, "\0", v])
        .skip(1)
        .fold(String::from("\0"), |s, p| s + p)
}

/// A call run to completion the way `js/client.js` runs it: the platform's body, or the
/// `ThingcallError`, and the attempts made.
async fn run(
    client: &mut Client,
    action: &str,
    params: &[(&str, &str)],
) -> (Result<JsValue, JsValue>, u32) {
    let (engine, post) = (&mut client.engine, client.post);
    let mut call = Call::new(action.into(), flat(params)).unwrap();
    loop {
        let now = js_sys::Date::now();
        let wire = call.sign(engine, now).unwrap();
        let init = web_sys::RequestInit::new();
        let url = if post {
            init.set_method("POST");
            let headers = web_sys::Headers::new().unwrap();
            headers
                .set("Content-Type", "application/x-www-form-urlencoded")
                .unwrap();
            init.set_headers(&headers);
            init.set_body(&wire.into());
            base().to_string()
        } else {
            format!("{}?{wire}", base())
        };
        let answer = match fetch(&url, &init).await {
            Ok(r) => JsFuture::from(r.text().unwrap())
                .await
                .map(|t| (r, t.as_string().unwrap())),
            Err(e) => Err(e),
        };
        let (verdict, body) = match answer {
            Err(e) => {
                let msg = s(&e, "message");
                let v = call.answered(engine, 0, false, "", false, &msg, "", f64::NAN, now, 0.5);
                (v, JsValue::NULL)
            }
            Ok((resp, text)) => {
                let body = JSON::parse(&text).unwrap_or(JsValue::NULL);
                let envelope = body.is_object();
                let field = |k: &str| if envelope { s(&body, k) } else { String::new() };
                let date = resp.headers().get("date").unwrap().unwrap_or_default();
                let date_ms = js_sys::Date::parse(&date);
                let v = call.answered(
                    engine,
                    resp.status(),
                    envelope,
                    &field("Code"),
                    envelope && get(&body, "Success") == JsValue::FALSE,
                    &field("Message"),
                    &field("RequestId"),
                    date_ms,
                    js_sys::Date::now(),
                    0.5,
                );
                (v, body)
            }
        };
        if verdict == -1.0 {
            return (Ok(body), call.attempts());
        }
        if verdict == -2.0 {
            return (Err(call.error(engine, 0, 0.0, "")), call.attempts());
        }
        sleep(verdict).await;
    }
}

#[wasm_bindgen_test]
async fn sync_echo_round_trips_unicode_by_post_and_get() {
    emulator("reset", "").await;
    for post in [true, false] {
        let args = r#"{"text":"灯 😀 !'()*~+ &=%","n":-7,"x":1.25}"#;
        let mut c = Client::new(post);
        let (r, attempts) = run(&mut c, "InvokeThingService", &echo("lamp-01", args)).await;
        let body = r.expect("the call succeeds");
        assert_eq!(attempts, 1);
        let result = js(&s(&get(&body, "Data"), "Result"));
        let data = get(&result, "data");
        assert_eq!(s(&data, "text"), "灯 😀 !'()*~+ &=%");
        assert_eq!(get(&data, "n").as_f64(), Some(-7.0));
        assert!(!s(&body, "RequestId").is_empty());
    }
}

#[wasm_bindgen_test]
async fn offline_device_is_rejected_without_the_secret() {
    emulator("reset", "").await;
    let mut c = Client::new(true);
    let (r, _) = run(&mut c, "InvokeThingService", &echo("lamp-offline", "{}")).await;
    let err = r.expect_err("the call fails");
    assert_eq!(s(&err, "name"), "ThingcallError");
    assert_eq!(s(&err, "code"), "iot.messagebroker.OFFLINE");
    assert_eq!(s(&err, "outcome"), "rejected");
    assert_eq!(get(&err, "httpStatus").as_f64(), Some(200.0));
    assert!(!s(&err, "requestId").is_empty());
    assert!(s(&err, "message").contains("offline"));
    assert!(!s(&err, "message").contains("thingcall-demo-secret"));
}

#[wasm_bindgen_test]
async fn throttling_is_retried_with_fresh_signatures() {
    emulator("reset", "").await;
    emulator("faults", r#"{"throttleNext":2}"#).await;
    let mut c = Client::new(true);
    let (r, attempts) = run(&mut c, "QueryDeviceDetail", &detail("lamp-03")).await;
    assert_eq!(attempts, 3);
    assert_eq!(s(&get(&r.unwrap(), "Data"), "Status"), "ONLINE");
}

#[wasm_bindgen_test]
async fn a_dropped_answer_is_unknown_and_not_repeated() {
    emulator("reset", "").await;
    emulator("faults", r#"{"dropNext":1}"#).await;
    let mut c = Client::new(true);
    let (r, attempts) = run(&mut c, "InvokeThingService", &echo("lamp-04", "{}")).await;
    let err = r.expect_err("the call fails");
    // Firefox reports the lost answer; Chromium silently resends the request on a new connection,
    // and the platform refuses the resend as a nonce reuse. Either way: unknown, and not repeated.
    let code = s(&err, "code");
    assert!(
        code == "NetworkError" || code == "SignatureNonceUsed",
        "{code}"
    );
    assert_eq!(s(&err, "outcome"), "unknown");
    assert_eq!(attempts, 1);
    assert_eq!(emulator_log_len().await, 1, "the device ran once");
    emulator("reset", "").await;
}

#[wasm_bindgen_test]
async fn clock_skew_is_corrected_from_the_exposed_date_header() {
    emulator("reset", "").await;
    emulator("clock", r#"{"offsetMs":1200000}"#).await;
    let mut c = Client::new(false);
    let (r, attempts) = run(&mut c, "QueryDeviceDetail", &detail("lamp-05")).await;
    r.expect("the retry succeeds");
    assert_eq!(attempts, 2);
    assert!((c.engine.clock_offset_ms() - 1_200_000.0).abs() < 3000.0);
    emulator("reset", "").await;
}

#[wasm_bindgen_test]
async fn a_presigned_url_is_accepted() {
    emulator("reset", "").await;
    let mut c = Client::new(false);
    let wire = c
        .engine
        .presign(
            "QueryDeviceDetail",
            &flat(&detail("lamp-06")),
            false,
            "",
            "",
            f64::NAN,
            js_sys::Date::now(),
            false,
        )
        .unwrap();
    let resp = fetch(&format!("{}?{wire}", base()), &web_sys::RequestInit::new())
        .await
        .unwrap();
    let body = JsFuture::from(resp.json().unwrap()).await.unwrap();
    assert_eq!(s(&get(&body, "Data"), "DeviceName"), "lamp-06");
}

//! In-browser tests (`wasm-pack test --headless --chrome --firefox`): the public vectors through
//! the core compiled to wasm, and the shipped client, [`thingcall::Client`], against the running
//! emulator: results, errors and outcomes, retries, clock skew, STS credentials from a provider,
//! cancellation, presigned URLs, and a `fetch` that misbehaves (the client must not trap). The
//! emulator's URL comes from `THINGCALL_EMULATOR_URL` at build time; the test page's origin
//! differs, so CORS (and the exposed `Date` header) is exercised in both browsers.
#![cfg(target_arch = "wasm32")]

use std::cell::Cell;
use std::rc::Rc;

use futures_util::future::{join, join_all};
use js_sys::{Function, Reflect, JSON};
use thingcall::core::{sign, HttpMethod, SigningKey};
use thingcall::{
    CallOptions, Cause, CheckStatus, Client, ClientOptions, CredentialsProvider, CredentialsSource,
    Device, InvokeThingService, Outcome, PresignOptions, ProvidedCredentials, RetryPolicy,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EMULATOR: Option<&str> = option_env!("THINGCALL_EMULATOR_URL");
const PK: &str = "a1LampDemo0";
const SECRET: &str = "thingcall-demo-secret";

fn base() -> &'static str {
    EMULATOR.expect("THINGCALL_EMULATOR_URL")
}

// ---- the vectors, through the core compiled to wasm ----

const VECTOR_A: [(&str, &str); 8] = [
    ("AccessKeyId", "testid"),
    ("Action", "DescribeRegions"),
    ("Format", "XML"),
    ("SignatureMethod", "HMAC-SHA1"),
    ("SignatureNonce", "3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf"),
    ("SignatureVersion", "1.0"),
    ("Timestamp", "2016-02-23T12:46:24Z"),
    ("Version", "2014-05-26"),
];

#[wasm_bindgen_test]
fn vector_a_get_and_post() {
    let key = SigningKey::new("testsecret");
    let get = sign(HttpMethod::Get, VECTOR_A, &key);
    assert_eq!(get.signature.as_str(), "OLeaidS1JvxuMvnyHOwuJ+uX5qY=");
    assert!(get
        .string_to_sign
        .as_str()
        .ends_with("%26Timestamp%3D2016-02-23T12%253A46%253A24Z%26Version%3D2014-05-26"));
    let post = sign(HttpMethod::Post, VECTOR_A, &key);
    assert_eq!(post.signature.as_str(), "MxbnVAM4w6sft9xjVpe/GCKueuk=");
}

#[wasm_bindgen_test]
fn vector_c() {
    let c = sign(
        HttpMethod::Get,
        [("query", "test"), ("body", "test")],
        &SigningKey::new("secret"),
    );
    assert_eq!(c.canonical.as_str(), "body=test&query=test");
    assert_eq!(
        c.string_to_sign.as_str(),
        "GET&%2F&body%3Dtest%26query%3Dtest"
    );
    assert_eq!(c.signature.as_str(), "XlUyV4sXjOuX5FnjUz9IF9tm5rU=");
}

// ---- the emulator's test control ----

async fn emulator(path: &str, body: &str) {
    let r = gloo_net::http::Request::post(&format!("{}/_emulator/{path}", base()))
        .body(body)
        .unwrap()
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "control {path}");
}

async fn device_log_len() -> u32 {
    let r = gloo_net::http::Request::get(&format!("{}/_emulator/log", base()))
        .send()
        .await
        .unwrap();
    let log = JSON::parse(&r.text().await.unwrap()).unwrap();
    js_sys::Array::from(&log).length()
}

fn demo_key() -> CredentialsSource {
    CredentialsSource::Static(
        thingcall::core::Credentials::new("thingcall-demo", SECRET, None).unwrap(),
    )
}

/// `THINGCALL_SIGNATURE=v3` at build time (with the `v3` feature): every client these tests make
/// signs with V3 unless a test says otherwise (`npm test` runs them with each signature).
const SIGNATURE: Option<&str> = option_env!("THINGCALL_SIGNATURE");

fn with_signature(o: &mut ClientOptions) {
    #[cfg(feature = "v3")]
    if SIGNATURE == Some("v3") {
        o.signature = thingcall::SignatureVersion::V3;
    }
    #[cfg(not(feature = "v3"))]
    assert_ne!(SIGNATURE, Some("v3"), "V3 needs the `v3` feature");
    let _ = o;
}

fn client_with(f: impl FnOnce(&mut ClientOptions)) -> Client {
    let mut o = ClientOptions::new(base(), demo_key());
    o.retry = RetryPolicy {
        base_delay_ms: 10.0,
        ..RetryPolicy::default()
    };
    with_signature(&mut o);
    f(&mut o);
    Client::new(o).unwrap()
}

fn client() -> Client {
    client_with(|_| {})
}

fn echo(device: &str, args: &str) -> InvokeThingService {
    InvokeThingService {
        device: Device::by_name(PK, device),
        identifier: "Echo".into(),
        args: args.into(),
        iot_instance_id: None,
    }
}

fn no_options() -> CallOptions {
    CallOptions::default()
}

fn field(json: &str, path: &[&str]) -> JsValue {
    let mut v = JSON::parse(json).unwrap();
    for k in path {
        v = Reflect::get(&v, &(*k).into()).unwrap();
    }
    v
}

// ---- the client against the emulator ----

#[wasm_bindgen_test]
async fn sync_echo_round_trips_unicode_by_post_and_get() {
    emulator("reset", "").await;
    for method in [HttpMethod::Post, HttpMethod::Get] {
        let args = r#"{"text":"灯 😀 !'()*~+ &=%","n":-7,"x":1.25}"#;
        let c = client_with(|o| o.method = method);
        let r = c
            .invoke_thing_service(&echo("lamp-01", args), &no_options())
            .await
            .expect("the call succeeds");
        assert_eq!(r.meta.attempts, 1);
        assert!(r.is_sync());
        let raw = r.raw_result.as_deref().unwrap();
        assert_eq!(
            field(raw, &["data", "text"]).as_string().unwrap(),
            "灯 😀 !'()*~+ &=%"
        );
        assert_eq!(field(raw, &["data", "n"]).as_f64(), Some(-7.0));
        assert!(r.meta.request_id.is_some());
        assert!(r.message_id.is_some());
        assert!(r.body.json().contains("\"Success\":true"));
    }
}

#[wasm_bindgen_test]
async fn offline_device_is_rejected_without_the_secret() {
    emulator("reset", "").await;
    let e = client()
        .invoke_thing_service(&echo("lamp-offline", "{}"), &no_options())
        .await
        .expect_err("the call fails");
    assert!(e.is("iot.messagebroker.OFFLINE"), "{e}");
    assert_eq!(e.outcome(), Outcome::Rejected);
    assert_eq!(e.http_status(), Some(200));
    assert!(e.request_id().is_some());
    assert!(e.message().contains("offline"));
    assert!(!format!("{e} {e:?}").contains(SECRET));
}

#[wasm_bindgen_test]
async fn bad_input_is_refused_before_sending() {
    emulator("reset", "").await;
    let c = client();
    let mut no_device = echo("x", "{}");
    no_device.device = Device::default();
    let e = c
        .invoke_thing_service(&no_device, &no_options())
        .await
        .unwrap_err();
    assert!(e.is_invalid_argument() && e.message().contains("iotId"));
    assert_eq!((e.outcome(), e.attempts()), (Outcome::NotSent, 0));
    let e = c
        .invoke_thing_service(&echo("lamp-01", "[1]"), &no_options())
        .await
        .unwrap_err();
    assert!(e.message().contains("args"), "{e}");
    let e = c
        .call(
            "QueryDeviceDetail",
            vec![("Timestamp".into(), "x".into())],
            &no_options(),
        )
        .await
        .unwrap_err();
    assert!(e.message().contains("Timestamp"), "{e}");
    assert_eq!(device_log_len().await, 0);
}

#[wasm_bindgen_test]
async fn throttling_is_retried_with_fresh_signatures() {
    emulator("reset", "").await;
    emulator("faults", r#"{"throttleNext":2}"#).await;
    let r = client()
        .query_device_detail(&Device::by_name(PK, "lamp-03"), None, &no_options())
        .await
        .unwrap();
    assert_eq!(r.meta.attempts, 3);
    assert_eq!(
        r.body.text_at(&["Data", "Status"]).as_deref(),
        Some("ONLINE")
    );
}

#[wasm_bindgen_test]
async fn a_dropped_answer_is_unknown_and_not_repeated() {
    emulator("reset", "").await;
    emulator("faults", r#"{"dropNext":1}"#).await;
    let e = client()
        .invoke_thing_service(&echo("lamp-04", "{}"), &no_options())
        .await
        .expect_err("the call fails");
    // Firefox reports the lost answer; Chromium silently resends the request on a new connection,
    // and the platform refuses the resend as a nonce reuse. Either way: unknown, and not repeated.
    assert!(e.is("NetworkError") || e.is("SignatureNonceUsed"), "{e}");
    assert_eq!(e.outcome(), Outcome::Unknown);
    assert_eq!(e.attempts(), 1);
    assert_eq!(device_log_len().await, 1, "the device ran once");
    emulator("reset", "").await;
}

#[wasm_bindgen_test]
async fn clock_skew_is_corrected_from_the_exposed_date_header() {
    emulator("reset", "").await;
    emulator("clock", r#"{"offsetMs":1200000}"#).await;
    let c = client_with(|o| o.method = HttpMethod::Get);
    let r = c
        .query_device_detail(&Device::by_name(PK, "lamp-05"), None, &no_options())
        .await
        .expect("the retry succeeds");
    assert_eq!(r.meta.attempts, 2);
    assert!((c.clock_offset_ms() - 1_200_000.0).abs() < 3000.0);
    emulator("reset", "").await;
}

#[wasm_bindgen_test]
async fn an_abort_cancels_the_call_and_a_deadline_times_it_out() {
    emulator("reset", "").await;
    emulator("faults", r#"{"latencyMs":3000}"#).await;
    let c = client();
    let ctl = web_sys::AbortController::new().unwrap();
    let request = echo("lamp-06", "{}");
    let with_signal = CallOptions {
        signal: Some(ctl.signal()),
        ..CallOptions::default()
    };
    let call = c.invoke_thing_service(&request, &with_signal);
    let abort = async {
        sleep(50).await;
        ctl.abort();
    };
    let (r, ()) = join(call, abort).await;
    let e = r.unwrap_err();
    assert!(e.is("Aborted"), "{e}");
    assert_eq!(e.outcome(), Outcome::Unknown, "it had been sent");
    let e = c
        .invoke_thing_service(
            &echo("lamp-06", "{}"),
            &CallOptions {
                timeout_ms: Some(200),
                ..CallOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.is("Timeout"), "{e}");
    assert_eq!(e.outcome(), Outcome::Unknown);
    emulator("reset", "").await;
}

#[wasm_bindgen_test]
async fn a_provider_is_called_once_for_concurrent_calls() {
    emulator("reset", "").await;
    let admin = client();
    let calls = Rc::new(Cell::new(0));
    let counted = calls.clone();
    let provider = CredentialsProvider::new(move || {
        let admin = admin.clone();
        counted.set(counted.get() + 1);
        async move {
            let params = vec![
                ("RoleArn".into(), "acs:ram::1:role/web".into()),
                ("RoleSessionName".into(), "web".into()),
                ("DurationSeconds".into(), "900".into()),
            ];
            let r = admin
                .call("AssumeRole", params, &CallOptions::default())
                .await
                .map_err(|e| e.to_string())?;
            let c = ProvidedCredentials::from_assume_role(&r.body).ok_or("no credentials")?;
            assert!(c.security_token.is_some() && c.expiration_ms.is_some());
            Ok(c)
        }
    });
    let mut o = ClientOptions::new(base(), CredentialsSource::Provider(provider));
    with_signature(&mut o);
    let c = Client::new(o).unwrap();
    let requests: Vec<_> = (1..=10)
        .map(|n| echo(&format!("lamp-{n:02}"), &format!("{{\"n\":{n}}}")))
        .collect();
    let opts = no_options();
    let all = join_all(requests.iter().map(|r| c.invoke_thing_service(r, &opts))).await;
    for (i, r) in all.into_iter().enumerate() {
        let raw = r.unwrap().raw_result.unwrap();
        assert_eq!(field(&raw, &["data", "n"]).as_f64(), Some(i as f64 + 1.0));
    }
    assert_eq!(calls.get(), 1);
}

#[wasm_bindgen_test]
async fn a_presigned_url_is_accepted() {
    emulator("reset", "").await;
    let url = client_with(|o| {
        o.method = HttpMethod::Get;
        // A URL carries no headers: presigned URLs are V1's.
        #[cfg(feature = "v3")]
        {
            o.signature = thingcall::SignatureVersion::V1;
        }
    })
    .presign(
        "QueryDeviceDetail",
        &[
            ("ProductKey".into(), PK.into()),
            ("DeviceName".into(), "lamp-06".into()),
        ],
        &PresignOptions::default(),
    )
    .unwrap();
    let r = gloo_net::http::Request::get(&url).send().await.unwrap();
    let text = r.text().await.unwrap();
    assert_eq!(
        field(&text, &["Data", "DeviceName"]).as_string().as_deref(),
        Some("lamp-06")
    );
}

/// Replaces the global `fetch` with `f` (JavaScript source) for the duration of `run`.
async fn with_fetch<F: std::future::Future>(source: &str, run: F) -> F::Output {
    let global = js_sys::global();
    let original = Reflect::get(&global, &"fetch".into()).unwrap();
    let f: Function = js_sys::eval(source).unwrap().into();
    Reflect::set(&global, &"fetch".into(), &f).unwrap();
    let out = run.await;
    Reflect::set(&global, &"fetch".into(), &original).unwrap();
    out
}

#[wasm_bindgen_test]
async fn a_fetch_that_misbehaves_is_a_network_error_and_the_client_goes_on() {
    emulator("reset", "").await;
    let c = client();
    for source in [
        "(() => Promise.reject('offline'))",
        "(() => Promise.reject(undefined))",
        "(() => { throw 'no fetch today'; })",
        "(() => Promise.resolve({ status: 200 }))",
    ] {
        let e = with_fetch(
            source,
            c.invoke_thing_service(&echo("lamp-07", "{}"), &no_options()),
        )
        .await
        .expect_err(source);
        assert!(e.is("NetworkError"), "{source}: {e}");
        assert_eq!(e.outcome(), Outcome::Unknown, "{source}");
        let r = c
            .invoke_thing_service(&echo("lamp-07", r#"{"text":"after"}"#), &no_options())
            .await
            .expect("the next call succeeds");
        assert!(r.is_sync());
    }
}

async fn sleep(ms: i32) {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &ms.into())
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

#[wasm_bindgen_test]
async fn self_test_and_the_signature_diagnosis_from_rust() {
    let report = client().self_test().await;
    let names: Vec<_> = report.checks.iter().map(|c| (c.name, c.status)).collect();
    assert_eq!(
        names,
        [
            ("endpoint", CheckStatus::Ok),
            ("cors", CheckStatus::Ok),
            ("clock", CheckStatus::Ok),
            // A long-lived key in a page.
            ("credentials", CheckStatus::Warn),
            ("signature", CheckStatus::Ok),
        ]
    );
    assert!(report.ok());
    let wrong = client_with(|o| {
        o.credentials = CredentialsSource::Static(
            thingcall::core::Credentials::new("thingcall-demo", "not-the-secret", None).unwrap(),
        )
    });
    let e = wrong
        .query_device_detail(&Device::by_name(PK, "lamp-01"), None, &no_options())
        .await
        .expect_err("a wrong secret");
    let d = e.diagnosis().expect("a diagnosis");
    assert_eq!(d.cause, Cause::WrongSecret);
    assert!(e.message().ends_with(&d.explanation));
    assert!(!wrong.self_test().await.ok());
}

/// Signature V3 from Rust, cross-origin (the emulator answers the preflight of its headers):
/// invoke by POST and GET, a throttled call and a skewed clock retried, a wrong secret and a
/// host other than the signed one diagnosed, and the self-test.
#[cfg(feature = "v3")]
#[wasm_bindgen_test]
async fn signature_v3_from_rust() {
    use thingcall::SignatureVersion;
    emulator("reset", "").await;
    let v3 = |f: fn(&mut ClientOptions)| {
        client_with(move |o| {
            o.signature = SignatureVersion::V3;
            f(o)
        })
    };
    for method in [HttpMethod::Post, HttpMethod::Get] {
        let r = client_with(|o| {
            o.signature = SignatureVersion::V3;
            o.method = method;
        })
        .invoke_thing_service(&echo("lamp-01", r#"{"text":"灯 ~*'"}"#), &no_options())
        .await
        .expect("a V3 call");
        assert_eq!(
            field(r.raw_result.as_deref().unwrap(), &["data", "text"]).as_string(),
            Some("灯 ~*'".into())
        );
    }
    emulator("faults", r#"{"throttleNext":1}"#).await;
    let lamp = Device::by_name(PK, "lamp-02");
    let r = v3(|_| {})
        .query_device_detail(&lamp, None, &no_options())
        .await
        .unwrap();
    assert_eq!(r.meta.attempts, 2);
    emulator("clock", r#"{"offsetMs":1200000}"#).await;
    let skewed = v3(|_| {});
    let r = skewed
        .query_device_detail(&lamp, None, &no_options())
        .await
        .unwrap();
    assert_eq!(r.meta.attempts, 2);
    emulator("reset", "").await;
    let wrong = v3(|o| {
        o.credentials = CredentialsSource::Static(
            thingcall::core::Credentials::new("thingcall-demo", "not-the-secret", None).unwrap(),
        )
    });
    let e = wrong
        .query_device_detail(&lamp, None, &no_options())
        .await
        .expect_err("a wrong secret");
    assert_eq!(e.code(), "SignatureDoesNotMatch");
    assert_eq!(e.diagnosis().map(|d| d.cause), Some(Cause::WrongSecret));
    let elsewhere = v3(|o| o.signed_host = Some("iot.cn-shanghai.aliyuncs.com".into()));
    let e = elsewhere
        .query_device_detail(&lamp, None, &no_options())
        .await
        .expect_err("another host");
    let d = e.diagnosis().expect("a diagnosis");
    assert_eq!(d.cause, Cause::HostChanged);
    assert_eq!(d.sent.as_deref(), Some("iot.cn-shanghai.aliyuncs.com"));
    assert!(v3(|_| {}).self_test().await.ok());
}

#[cfg(feature = "fleet")]
#[wasm_bindgen_test]
async fn bulk_calls_from_rust_one_entry_per_target_in_order() {
    use thingcall::{BulkOptions, Progress, PropertySet, ServiceCall};
    let c = client();
    let mut targets: Vec<Device> = (1..=20)
        .map(|n| Device::by_name(PK, format!("lamp-{n:02}")))
        .collect();
    targets.push(Device::by_name(PK, "lamp-offline"));
    let last = Rc::new(Cell::new(Progress::default()));
    let seen = last.clone();
    let options = BulkOptions {
        concurrency: 4,
        qps: Some(100.0),
        on_progress: Some(Rc::new(move |p| seen.set(p))),
        ..BulkOptions::default()
    };
    let call = ServiceCall {
        identifier: "Echo".into(),
        args: r#"{"text":"bulk"}"#.into(),
        iot_instance_id: None,
    };
    let entries = c.invoke_many(&targets, &call, &options).await.unwrap();
    assert_eq!(entries.len(), 21);
    for (e, t) in entries.iter().zip(&targets) {
        assert_eq!(&e.target, t);
    }
    for e in &entries[..20] {
        let r = e.result.as_ref().expect("an online lamp answers");
        assert!(r.is_sync());
        assert_eq!(
            r.raw_result.as_deref().map(|s| s.contains("bulk")),
            Some(true)
        );
    }
    let offline = entries[20].result.as_ref().unwrap_err();
    assert!(offline.is("iot.messagebroker.OFFLINE"));
    assert_eq!(
        last.get(),
        Progress {
            done: 21,
            total: 21,
            ok: 20,
            failed: 1
        }
    );
    // Batch mode: one SetDevicesProperty for the twenty.
    let set = PropertySet {
        items: r#"{"Brightness":33}"#.into(),
        iot_instance_id: None,
    };
    let batch = BulkOptions {
        batch: true,
        ..BulkOptions::default()
    };
    let entries = c
        .set_property_many(&targets[..20], &set, &batch)
        .await
        .unwrap();
    assert!(entries.iter().all(|e| e.result.is_ok()));
    // Bad options are refused before anything is sent.
    let bad = BulkOptions {
        concurrency: 0,
        ..BulkOptions::default()
    };
    let e = c
        .invoke_many(&targets, &call, &bad)
        .await
        .expect_err("concurrency 0");
    assert!(e.is_invalid_argument());
}

#[cfg(feature = "fleet")]
#[wasm_bindgen_test]
async fn thing_model_checks_and_a_platform_job_from_rust() {
    use thingcall::{JobRequest, JobTargets, JobWork, TaskStatus};
    let c = client_with(|o| o.check_args = true);
    let m = c.thing_model(PK).await.unwrap();
    assert!(m.property("Temperature").unwrap().read_only);
    // 10 for a double goes out as 10.0 (the emulator refuses an integer there).
    let r = c
        .invoke_thing_service(&echo("lamp-09", r#"{"x":10}"#), &no_options())
        .await
        .unwrap();
    assert!(r.raw_result.unwrap().contains("10"));
    let e = c
        .invoke_thing_service(&echo("lamp-09", r#"{"x":"ten"}"#), &no_options())
        .await
        .expect_err("a string for a double");
    assert!(e.is_invalid_argument());
    assert!(e.message().contains("args.x"), "{e}");
    let job = c
        .create_job(
            &JobRequest {
                name: "rust_blink".into(),
                targets: JobTargets::Devices(vec![
                    Device::by_name(PK, "lamp-10"),
                    Device::by_name(PK, "lamp-11"),
                ]),
                work: JobWork::InvokeService {
                    identifier: "Blink".into(),
                    args: r#"{"times":1}"#.into(),
                },
                description: None,
                maximum_per_minute: None,
                timeout_minutes: None,
                iot_instance_id: None,
            },
            &no_options(),
        )
        .await
        .unwrap();
    let mut info = c.job(&job.job_id).await.unwrap();
    for _ in 0..40 {
        if info.statistics.ended() == info.statistics.total {
            break;
        }
        sleep(200).await;
        info = c.job(&job.job_id).await.unwrap();
    }
    assert_eq!(info.statistics.total, 2);
    assert_eq!(info.statistics.succeeded, 2, "{:?}", info.statistics);
    let mut tasks = c.tasks(&job.job_id, None, 1).unwrap();
    let mut n = 0;
    while let Some(t) = tasks.next().await.unwrap() {
        assert_eq!(t.status, Some(TaskStatus::Succeeded));
        n += 1;
    }
    assert_eq!(n, 2, "two pages of one");
}

#[wasm_bindgen_test]
async fn devices_are_listed_page_by_page_and_detailed_by_name() {
    use thingcall::{DeviceListOptions, DeviceStatus};
    let c = client();
    // Five pages of 5 (21 devices), each device once, in the platform's order.
    let mut pages = c
        .devices(
            PK,
            &DeviceListOptions {
                page_size: Some(5),
                ..Default::default()
            },
        )
        .unwrap();
    let mut names = Vec::new();
    while let Some(d) = pages.next().await.unwrap() {
        assert_eq!(d.product_key, PK);
        assert!(!d.iot_id.is_empty());
        names.push(d.device_name);
    }
    assert_eq!(pages.requests, 5);
    assert_eq!(names.len(), 21);
    assert_eq!(names[0], "lamp-01");
    let mut unique = names.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 21);
    // A filter by state (applied to what the platform lists).
    let offline = c
        .devices(
            PK,
            &DeviceListOptions {
                status: Some(DeviceStatus::Offline),
                ..Default::default()
            },
        )
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(
        offline
            .iter()
            .map(|d| d.device_name.as_str())
            .collect::<Vec<_>>(),
        ["lamp-offline"]
    );
    // Bad options are refused before anything is sent.
    for (pk, size) in [("a1LampDemo0", 0), ("a1LampDemo0", 51), ("bad pk&", 10)] {
        let e = c
            .devices(
                pk,
                &DeviceListOptions {
                    page_size: Some(size),
                    ..Default::default()
                },
            )
            .err()
            .expect("refused");
        assert_eq!(e.code(), "InvalidArgument", "{pk} {size}: {e}");
    }
    // Details of 150 names in two groups (100, then 50), unknown names left out.
    let mut wanted: Vec<String> = (1..=20).map(|i| format!("lamp-{i:02}")).collect();
    wanted.extend((0..130).map(|i| format!("no-such-lamp-{i}")));
    let details = c.device_details(PK, &wanted, &no_options()).await.unwrap();
    assert_eq!(details.len(), 20);
    assert_eq!(details[0].info.device_name, "lamp-01");
    assert_eq!(details[0].info.status, DeviceStatus::Online);
    assert_eq!(details[0].firmware_version, "1.0.0");
}

#[wasm_bindgen_test]
async fn property_history_pages_one_property_and_several() {
    use thingcall::HistoryOptions;
    let c = client();
    let now = js_sys::Date::now() as i64;
    let lamp = Device::by_name(PK, "lamp-03");
    let hour = HistoryOptions {
        from_ms: now - 3_600_000,
        to_ms: now,
        page_size: Some(7),
        ..Default::default()
    };
    // One property, pages of 7, oldest first: a point a minute.
    let mut pages = c
        .property_history(&lamp, &["Temperature".into()], &hour)
        .unwrap();
    let mut points = Vec::new();
    while let Some(page) = pages.next_page().await.unwrap() {
        assert!(page.len() <= 7);
        points.extend(page);
    }
    assert!((60..=61).contains(&points.len()), "{}", points.len());
    assert!(points
        .windows(2)
        .all(|w| w[1].time_ms - w[0].time_ms == 60_000));
    assert!(points
        .iter()
        .all(|p| p.identifier == "Temperature" && p.value.parse::<f64>().is_ok()));
    // Newest first: the same points reversed.
    let down = c
        .property_history(
            &lamp,
            &["Temperature".into()],
            &HistoryOptions {
                newest_first: true,
                ..hour.clone()
            },
        )
        .unwrap()
        .collect()
        .await
        .unwrap();
    let mut reversed = down.clone();
    reversed.reverse();
    assert_eq!(reversed, points);
    // Two properties at once (QueryDevicePropertiesData, newest first: its reversed range).
    let both = c
        .property_history(
            &lamp,
            &["Temperature".into(), "Brightness".into()],
            &HistoryOptions {
                newest_first: true,
                page_size: Some(10),
                ..hour.clone()
            },
        )
        .unwrap()
        .collect()
        .await
        .unwrap();
    let temps: Vec<_> = both
        .iter()
        .filter(|p| p.identifier == "Temperature")
        .collect();
    assert_eq!(temps.len(), points.len());
    // Bad input is refused before anything is sent.
    for (ids, o) in [
        (vec![], hour.clone()),
        (
            vec!["Temperature".to_string()],
            HistoryOptions {
                from_ms: now,
                to_ms: now - 1,
                ..hour.clone()
            },
        ),
        (
            vec!["Temperature".to_string()],
            HistoryOptions {
                from_ms: now - 31 * 86_400_000,
                ..hour.clone()
            },
        ),
        (
            vec!["Temperature".to_string()],
            HistoryOptions {
                page_size: Some(51),
                ..hour.clone()
            },
        ),
        (vec!["Temp&erature".to_string()], hour.clone()),
    ] {
        let e = c.property_history(&lamp, &ids, &o).err().expect("refused");
        assert_eq!(e.code(), "InvalidArgument", "{ids:?}: {e}");
    }
}

#[wasm_bindgen_test]
async fn event_and_service_history_give_what_a_blink_left() {
    use thingcall::{HistoryOptions, InvokeThingService};
    let c = client();
    let lamp = Device::by_name(PK, "lamp-09");
    c.invoke_thing_service(
        &InvokeThingService {
            device: lamp.clone(),
            identifier: "Blink".into(),
            args: r#"{"times":4}"#.into(),
            iot_instance_id: None,
        },
        &no_options(),
    )
    .await
    .unwrap();
    let now = js_sys::Date::now() as i64;
    let range = HistoryOptions {
        from_ms: now - 3_600_000,
        to_ms: now + 1_000,
        newest_first: true,
        page_size: Some(5),
        ..Default::default()
    };
    let calls = c
        .service_history(&lamp, Some("Blink"), &range)
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert!(!calls.is_empty());
    assert_eq!(calls[0].identifier, "Blink");
    assert_eq!(calls[0].input_data, r#"{"times":4}"#);
    assert!(calls[0].event_type.is_empty());
    let events = c
        .event_history(&lamp, "info", Some("Blinked"), &range)
        .unwrap()
        .collect()
        .await
        .unwrap();
    assert_eq!(events[0].identifier, "Blinked");
    assert_eq!(events[0].event_type, "info");
    assert!(events[0].output_data.contains("\"times\":4"));
    assert!(events.windows(2).all(|w| w[0].time_ms >= w[1].time_ms));
    // Bad input is refused before anything is sent.
    let e = c
        .event_history(&lamp, "warning", None, &range)
        .err()
        .expect("refused");
    assert_eq!(e.code(), "InvalidArgument");
    let e = c
        .service_history(
            &lamp,
            None,
            &HistoryOptions {
                page_size: Some(51),
                ..range.clone()
            },
        )
        .err()
        .expect("refused");
    assert_eq!(e.code(), "InvalidArgument");
}

//! The emulator over real HTTP: every error code, GET/POST/mixed signing, STS, the device world,
//! fault injection, the log, CORS, static files and behaviour under load. Requests are signed
//! with thingcall's core; the emulator verifies them with its own code.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::{json, Value};
use thingcall::core::{Credentials, HttpMethod};
use thingcall_emulator::Config;

#[tokio::test]
async fn get_post_and_mixed_signing_are_accepted() {
    let e = start().await;
    let p = [("ProductKey", PK), ("DeviceName", "lamp-01")];
    for m in [HttpMethod::Get, HttpMethod::Post] {
        let (status, body) = e.call_as(m, &demo(), "QueryDeviceDetail", &p).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["Success"], true);
        assert_eq!(body["Data"]["DeviceName"], "lamp-01");
        let rid = body["RequestId"].as_str().unwrap();
        assert_eq!(rid, rid.to_uppercase());
        assert_eq!(rid.len(), 36);
    }
    // Mixed: signed as POST over all params, half of them in the query, half in the body.
    let wire = sign(
        HttpMethod::Post,
        &demo(),
        "QueryDeviceDetail",
        &p,
        now_s(),
        &nonce(),
    );
    let parts: Vec<&str> = wire.split('&').collect();
    let (q, b) = parts.split_at(parts.len() / 2);
    let r = e
        .http
        .post(format!("{}/?{}", e.base, q.join("&")))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(b.join("&"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn gateway_error_codes() {
    let e = start().await;
    let (st, b) = e
        .send_raw(HttpMethod::Get, "Action=QueryDeviceDetail")
        .await;
    assert_eq!((st, code(&b)), (400, "MissingParameter"));
    assert!(b["Message"].as_str().unwrap().contains("AccessKeyId"));

    let other = Credentials::new("nobody", "x", None).unwrap();
    let (st, b) = e
        .call_as(HttpMethod::Post, &other, "QueryProductList", &[])
        .await;
    assert_eq!((st, code(&b)), (404, "InvalidAccessKeyId.NotFound"));

    let wrong = Credentials::new(ID, "wrong-secret", None).unwrap();
    let (st, b) = e
        .call_as(HttpMethod::Get, &wrong, "QueryProductList", &[])
        .await;
    assert_eq!((st, code(&b)), (400, "SignatureDoesNotMatch"));
    assert!(b["Message"]
        .as_str()
        .unwrap()
        .contains("server string to sign is:GET&%2F&AccessKeyId%3Dthingcall-demo"));

    let wire = list_request(now_s() - 16 * 60, &nonce());
    let (st, b) = e.send_raw(HttpMethod::Post, &wire).await;
    assert_eq!((st, code(&b)), (400, "InvalidTimeStamp.Expired"));
    assert!(b["Message"].as_str().unwrap().contains("Server time is "));
    let wire = list_request(now_s() + 14 * 60, &nonce());
    assert_eq!(e.send_raw(HttpMethod::Post, &wire).await.0, 200);

    let n = nonce();
    let first = list_request(now_s(), &n);
    assert_eq!(e.send_raw(HttpMethod::Post, &first).await.0, 200);
    let again = list_request(now_s(), &n);
    let (st, b) = e.send_raw(HttpMethod::Post, &again).await;
    assert_eq!((st, code(&b)), (400, "SignatureNonceUsed"));

    let wire = list_request(now_s(), &nonce());
    let unsigned = wire.split("&Signature=").next().unwrap();
    let (st, b) = e.send_raw(HttpMethod::Post, unsigned).await;
    assert_eq!((st, code(&b)), (400, "IncompleteSignature"));

    for (from, to, want) in [
        ("Timestamp=20", "Timestamp=x20", "InvalidTimeStamp.Format"),
        (
            "SignatureMethod=HMAC-SHA1",
            "SignatureMethod=HMAC-SHA256",
            "InvalidParameter",
        ),
        (
            "SignatureVersion=1.0",
            "SignatureVersion=2.0",
            "InvalidParameter",
        ),
    ] {
        let wire = list_request(now_s(), &nonce());
        let (st, b) = e
            .send_raw(HttpMethod::Post, &wire.replacen(from, to, 1))
            .await;
        assert_eq!((st, code(&b)), (400, want), "{b}");
    }

    let (st, b) = e.call("NoSuchAction", &[]).await;
    assert_eq!((st, code(&b)), (404, "InvalidAction.NotFound"));
}

#[tokio::test]
async fn sts_assume_role_and_expiry() {
    let e = start().await;
    let (st, b) = e
        .call(
            "AssumeRole",
            &[
                ("RoleArn", "acs:ram::1:role/demo"),
                ("RoleSessionName", "t"),
                ("DurationSeconds", "900"),
            ],
        )
        .await;
    assert_eq!(st, 200, "{b}");
    let c = &b["Credentials"];
    let id = c["AccessKeyId"].as_str().unwrap();
    let secret = c["AccessKeySecret"].as_str().unwrap();
    assert!(id.starts_with("STS."));
    assert!(c["Expiration"].as_str().unwrap().ends_with('Z'));
    let sts = Credentials::new(
        id,
        secret,
        Some(c["SecurityToken"].as_str().unwrap().into()),
    )
    .unwrap();
    let (st, b) = e
        .call_as(
            HttpMethod::Get,
            &sts,
            "QueryDeviceDetail",
            &[("ProductKey", PK), ("DeviceName", "lamp-05")],
        )
        .await;
    assert_eq!(st, 200, "{b}");

    let bare = Credentials::new(id, secret, None).unwrap();
    let (_, b) = e
        .call_as(HttpMethod::Get, &bare, "QueryProductList", &[])
        .await;
    assert_eq!(code(&b), "InvalidSecurityToken.MismatchWithAccessKey");

    let (st, b) = e.call("AssumeRole", &[("DurationSeconds", "60")]).await;
    assert_eq!((st, code(&b)), (400, "InvalidParameter.DurationSeconds"));

    // Expired: move the emulator's clock past the expiry and sign with its time.
    e.control("clock", json!({ "offsetMs": 901_000 })).await;
    let wire = sign(
        HttpMethod::Post,
        &sts,
        "QueryProductList",
        &[],
        now_s() + 901,
        &nonce(),
    );
    let (st, b) = e.send_raw(HttpMethod::Post, &wire).await;
    assert_eq!((st, code(&b)), (400, "InvalidSecurityToken.Expired"));
}

/// STS credentials from `AssumeRole` with `policy` (none when `None`).
async fn assume(e: &Emu, policy: Option<&str>) -> Credentials {
    let mut params = vec![
        ("RoleArn", "acs:ram::local:role/demo"),
        ("RoleSessionName", "t"),
    ];
    if let Some(p) = policy {
        params.push(("Policy", p));
    }
    let (st, b) = e.call("AssumeRole", &params).await;
    assert_eq!(st, 200, "{b}");
    let c = &b["Credentials"];
    Credentials::new(
        c["AccessKeyId"].as_str().unwrap(),
        c["AccessKeySecret"].as_str().unwrap(),
        Some(c["SecurityToken"].as_str().unwrap().into()),
    )
    .unwrap()
}

#[tokio::test]
async fn a_session_policy_limits_what_the_sts_key_may_do() {
    let e = start().await;
    let policy = r#"{"Version":"1","Statement":[
        {"Effect":"Allow","Action":["iot:Query*","iot:InvokeThingService"],"Resource":"acs:iot:*:*:product/a1LampDemo0"},
        {"Effect":"Allow","Action":"iot:QueryProductList","Resource":"*"},
        {"Effect":"Deny","Action":"iot:QueryThingModel","Resource":"*"}]}"#;
    let sts = assume(&e, Some(policy)).await;
    let call = |action: &'static str, params: Vec<(&'static str, String)>| {
        let (e, sts) = (&e, &sts);
        async move {
            let p: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            e.call_as(HttpMethod::Post, sts, action, &p).await
        }
    };
    let lamp = |dn: &str| {
        vec![
            ("ProductKey", PK.to_string()),
            ("DeviceName", dn.to_string()),
        ]
    };
    let invoke = |dn: &str| {
        let mut p = lamp(dn);
        p.push(("Identifier", "Echo".into()));
        p.push(("Args", r#"{"text":"hi"}"#.into()));
        p
    };

    // Allowed: the listed actions on the dashboard's product, and the product list.
    let (st, b) = call("InvokeThingService", invoke("lamp-01")).await;
    assert_eq!((st, b["Success"].as_bool()), (200, Some(true)), "{b}");
    let (_, b) = call("QueryDeviceDetail", lamp("lamp-01")).await;
    assert_eq!(b["Success"], true, "{b}");
    let (_, b) = call("QueryProductList", vec![]).await;
    assert_eq!(b["Success"], true, "{b}");
    // A device named by IotId is authorized by its product.
    let iot_id = e.iot_id("lamp-02").await;
    let (_, b) = call("QueryDeviceDetail", vec![("IotId", iot_id)]).await;
    assert_eq!(b["Success"], true, "{b}");

    // Denied, with the platform's code, as a business error; nothing reached a device.
    let before = e.log().await.len();
    for (action, params) in [
        ("SetDeviceProperty", {
            let mut p = lamp("lamp-01");
            p.push(("Items", r#"{"Brightness":5}"#.into()));
            p
        }),
        (
            "InvokeThingsService",
            vec![
                ("ProductKey", PK.into()),
                ("DeviceName.1", "lamp-01".into()),
                ("Identifier", "Blink".into()),
                ("Args", r#"{"times":1}"#.into()),
            ],
        ),
        ("QueryThingModel", vec![("ProductKey", PK.into())]),
    ] {
        let (st, b) = call(action, params).await;
        assert_eq!(
            (st, code(&b), b["Success"].as_bool()),
            (200, "iot.common.RamActionPermissionDeny", Some(false)),
            "{action}: {b}"
        );
        assert!(b["ErrorMessage"].as_str().unwrap().contains(action), "{b}");
    }
    // Another product, and no product at all, are not the dashboard's resource.
    let (_, b) = call("InvokeThingService", {
        let mut p = invoke("lamp-01");
        p[0].1 = "a1OtherProd".into();
        p
    })
    .await;
    assert_eq!(code(&b), "iot.common.RamActionPermissionDeny", "{b}");
    let (_, b) = call(
        "QueryDeviceDetail",
        vec![("IotId", "no-such-iot-id".into())],
    )
    .await;
    assert_eq!(code(&b), "iot.common.RamActionPermissionDeny", "{b}");
    assert_eq!(e.log().await.len(), before);

    // An unknown action is still InvalidAction.NotFound; the long-lived key and an STS key
    // without a policy are not limited.
    let (st, b) = call("NoSuchAction", vec![]).await;
    assert_eq!((st, code(&b)), (404, "InvalidAction.NotFound"));
    let (_, b) = e.call("QueryThingModel", &[("ProductKey", PK)]).await;
    assert_eq!(b["Success"], true, "{b}");
    let free = assume(&e, None).await;
    let (_, b) = e
        .call_as(
            HttpMethod::Post,
            &free,
            "QueryThingModel",
            &[("ProductKey", PK)],
        )
        .await;
    assert_eq!(b["Success"], true, "{b}");

    // A malformed policy is refused when the role is assumed.
    for (p, want) in [
        ("{", "InvalidParameter.PolicyGrammar"),
        (
            r#"{"Version":"1","Statement":[{"Effect":"Allow","Action":"*"}]}"#,
            "InvalidParameter.PolicyGrammar",
        ),
        ("", "InvalidParameter.PolicySize"),
    ] {
        let (st, b) = e
            .call(
                "AssumeRole",
                &[("RoleArn", "acs:ram::local:role/demo"), ("Policy", p)],
            )
            .await;
        assert_eq!((st, code(&b)), (400, want), "{p}: {b}");
    }
}

#[tokio::test]
async fn sync_async_offline_and_thing_model_checks() {
    let e = start().await;
    let invoke = |dn: &'static str, id: &'static str, args: &'static str| {
        let e = &e;
        async move {
            e.call(
                "InvokeThingService",
                &[
                    ("ProductKey", PK),
                    ("DeviceName", dn),
                    ("Identifier", id),
                    ("Args", args),
                ],
            )
            .await
        }
    };
    let (st, b) = invoke("lamp-01", "Echo", r#"{"text":"灯😀","x":1.5}"#).await;
    assert_eq!(st, 200);
    let result: Value = serde_json::from_str(b["Data"]["Result"].as_str().unwrap()).unwrap();
    assert_eq!(result["code"], 200);
    assert_eq!(result["message"], "success");
    assert_eq!(result["data"]["text"], "灯😀");
    let (_, b) = invoke("lamp-01", "Blink", r#"{"times":2}"#).await;
    assert!(b["Data"]["MessageId"].is_string());
    assert!(b["Data"].get("Result").is_none());
    let (_, b) = invoke("lamp-01", "Set", r#"{"Brightness":33,"LightSwitch":1}"#).await;
    assert!(b["Data"]["Result"].as_str().unwrap().contains("33"));
    let (_, b) = e
        .call(
            "QueryDevicePropertyStatus",
            &[("ProductKey", PK), ("DeviceName", "lamp-01")],
        )
        .await;
    let list = b["Data"]["List"]["PropertyStatusInfo"].as_array().unwrap();
    let br = list
        .iter()
        .find(|p| p["Identifier"] == "Brightness")
        .unwrap();
    assert_eq!(br["Value"], "33");
    assert_eq!(br["DataType"], "int");

    for (dn, id, args, want) in [
        ("lamp-offline", "Echo", "{}", "iot.messagebroker.OFFLINE"),
        ("lamp-99", "Echo", "{}", "iot.device.NotExistedDevice"),
        (
            "lamp-01",
            "Nope",
            "{}",
            "iot.device.InvokeThingServiceFailed",
        ),
        (
            "lamp-01",
            "Echo",
            r#"{"bogus":1}"#,
            "iot.common.InvalidFormattedParameter",
        ),
        (
            "lamp-01",
            "Echo",
            r#"{"n":"1"}"#,
            "iot.common.InvalidFormattedParameter",
        ),
        (
            "lamp-01",
            "Echo",
            r#"{"x":10}"#,
            "iot.common.InvalidFormattedParameter",
        ),
        (
            "lamp-01",
            "Set",
            r#"{"Brightness":101}"#,
            "iot.common.InvalidFormattedParameter",
        ),
        (
            "lamp-01",
            "Echo",
            "[1]",
            "iot.common.InvalidFormattedParameter",
        ),
    ] {
        let (st, b) = invoke(dn, id, args).await;
        assert_eq!(
            (st, code(&b), b["Success"].as_bool()),
            (200, want, Some(false)),
            "{dn} {id} {args}: {b}"
        );
        assert!(b["ErrorMessage"].is_string());
    }
    let (_, b) = e
        .call(
            "InvokeThingService",
            &[("IotId", "nope"), ("Identifier", "Echo"), ("Args", "{}")],
        )
        .await;
    assert_eq!(code(&b), "iot.device.InvalidIoTId");
    let (_, b) = e
        .call(
            "InvokeThingService",
            &[
                ("ProductKey", "nope"),
                ("DeviceName", "x"),
                ("Identifier", "Echo"),
                ("Args", "{}"),
            ],
        )
        .await;
    assert_eq!(code(&b), "iot.prod.NotExistedProduct");
    let (st, b) = e
        .call(
            "InvokeThingService",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-01"),
                ("Identifier", "Echo"),
            ],
        )
        .await;
    assert_eq!((st, code(&b)), (400, "MissingParameter"));
    let (_, b) = e
        .call(
            "SetDeviceProperty",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-01"),
                ("Items", r#"{"Temperature":20.5}"#),
            ],
        )
        .await;
    assert_eq!(code(&b), "iot.common.InvalidFormattedParameter");
    let iot_id = e.iot_id("lamp-07").await;
    let (_, b) = e
        .call(
            "SetDeviceProperty",
            &[("IotId", &iot_id), ("Items", r#"{"LightSwitch":1}"#)],
        )
        .await;
    assert_eq!(b["Success"], true, "{b}");
}

#[tokio::test]
async fn batch_actions_model_and_lists() {
    let e = start().await;
    let (_, b) = e
        .call(
            "InvokeThingsService",
            &[
                ("ProductKey", PK),
                ("DeviceName.1", "lamp-01"),
                ("DeviceName.2", "lamp-02"),
                ("Identifier", "Blink"),
                ("Args", r#"{"times":1}"#),
            ],
        )
        .await;
    assert_eq!(b["Success"], true, "{b}");
    let (_, b) = e
        .call(
            "SetDevicesProperty",
            &[
                ("ProductKey", PK),
                ("DeviceName.1", "lamp-03"),
                ("DeviceName.2", "lamp-offline"),
                ("Items", r#"{"Brightness":5}"#),
            ],
        )
        .await;
    assert_eq!(b["Success"], true, "{b}");
    assert_eq!(e.log().await.len(), 3);
    let (_, b) = e.call("QueryThingModel", &[("ProductKey", PK)]).await;
    let tsl: Value = serde_json::from_str(b["Data"]["ThingModelJson"].as_str().unwrap()).unwrap();
    assert_eq!(tsl["services"].as_array().unwrap().len(), 3);
    assert_eq!(tsl["services"][0]["callType"], "sync");
    let (_, b) = e.call("QueryProductList", &[]).await;
    assert_eq!(b["Data"]["List"]["ProductInfo"][0]["ProductKey"], PK);
    let (_, b) = e
        .call("QueryDevice", &[("ProductKey", PK), ("PageSize", "50")])
        .await;
    assert_eq!(b["Data"]["DeviceInfo"].as_array().unwrap().len(), 21);
    assert_eq!(b["Total"], 21);
    assert_eq!(b["PageCount"], 1);
    assert!(b.get("NextToken").is_none(), "no page after the last");
}

#[tokio::test]
async fn faults_log_and_reset() {
    let e = start().await;
    let invoke = [
        ("ProductKey", PK),
        ("DeviceName", "lamp-04"),
        ("Identifier", "Echo"),
        ("Args", "{}"),
    ];
    e.control("faults", json!({ "errorNext": 1, "throttleNext": 1 }))
        .await;
    let (st, b) = e.call("InvokeThingService", &invoke).await;
    assert_eq!((st, code(&b)), (503, "ServiceUnavailable"));
    let (st, b) = e.call("InvokeThingService", &invoke).await;
    assert_eq!((st, code(&b)), (400, "Throttling.User"));
    assert!(e.log().await.is_empty(), "nothing reached the device");

    // A sync service timing out after the (shortened) RRPC window: the device did get it.
    e.control(
        "faults",
        json!({ "deviceTimeoutNext": 1, "rrpcTimeoutMs": 200 }),
    )
    .await;
    let t = std::time::Instant::now();
    let (st, b) = e.call("InvokeThingService", &invoke).await;
    assert_eq!((st, code(&b)), (200, "iot.messagebroker.TIMEOUT"));
    assert!(t.elapsed().as_millis() >= 200);
    assert_eq!(e.log().await.len(), 1);

    // A dropped connection after the device acted.
    e.control("faults", json!({ "dropNext": 1 })).await;
    let wire = sign(
        HttpMethod::Post,
        &demo(),
        "InvokeThingService",
        &invoke,
        now_s(),
        &nonce(),
    );
    let r = e
        .http
        .post(format!("{}/", e.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(wire)
        .send()
        .await;
    let failed = match r {
        Err(_) => true,
        Ok(resp) => resp.bytes().await.is_err(),
    };
    assert!(failed, "the answer must not arrive");
    let log = e.log().await;
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["device"], format!("{PK}/lamp-04"));
    assert_eq!(log[1]["identifier"], "Echo");
    assert!(log[1]["messageId"].is_string() && log[1]["at"].is_i64());

    e.control("faults", json!({ "latencyMs": 150 })).await;
    let t = std::time::Instant::now();
    e.call("QueryProductList", &[]).await;
    assert!(t.elapsed().as_millis() >= 150);

    e.control("reset", json!({})).await;
    assert!(e.log().await.is_empty());
    let f = e.get_json("/_emulator/faults").await;
    assert_eq!(f["latencyMs"], 0);
}

#[tokio::test]
async fn qps_limit_throttles() {
    let mut cfg = Config::default_fixture();
    cfg.qps_limits.insert("QueryProductList".into(), 5);
    let e = start_with(cfg).await;
    let mut throttled = 0;
    for _ in 0..12 {
        let (_, b) = e.call("QueryProductList", &[]).await;
        if code(&b) == "Throttling.User" {
            throttled += 1;
        }
    }
    assert!(
        throttled >= 1,
        "12 calls in about a second against a limit of 5"
    );
}

/// A browser's CORS preflight for a POST with a `Content-Type` header.
async fn preflight(e: &Emu) -> reqwest::Response {
    e.http
        .request(reqwest::Method::OPTIONS, format!("{}/", e.base))
        .header("Origin", "http://example.test")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", "content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_preflight_static_files_and_date() {
    let e = start().await;
    let r = preflight(&e).await;
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert_eq!(r.headers()["access-control-allow-headers"], "content-type");
    assert_eq!(r.headers()["access-control-max-age"], "600");
    assert!(r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let r = e
        .http
        .get(format!("{}/?Action=QueryProductList", e.base))
        .send()
        .await
        .unwrap();
    // Header names are case-insensitive (tower-http writes them in lower case).
    assert!(r.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .eq_ignore_ascii_case("Date,x-acs-retry-after"));
    assert!(r.headers().contains_key("date"));
    let r = e.http.get(format!("{}/", e.base)).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().contains("<html"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_concurrent_requests_without_errors() {
    let e = Arc::new(start().await);
    let mut tasks = Vec::new();
    for i in 0..2000 {
        let e = e.clone();
        tasks.push(tokio::spawn(async move {
            let dn = format!("lamp-{:02}", i % 20 + 1);
            let (st, b) = e
                .call(
                    "QueryDeviceDetail",
                    &[("ProductKey", PK), ("DeviceName", &dn)],
                )
                .await;
            assert_eq!(st, 200, "{b}");
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let stats = e.get_json("/_emulator/stats").await;
    assert_eq!(stats["nonces"], 2000);
}

#[tokio::test]
async fn with_cors_off_no_access_control_header_is_sent_and_a_preflight_gets_no_grant() {
    let mut config = Config::default_fixture();
    config.cors = thingcall_emulator::Cors::Off;
    let e = start_with(config).await;
    let r = preflight(&e).await;
    assert_eq!(r.status(), 204);
    let access_control = |h: &reqwest::header::HeaderMap| {
        h.keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(access_control(r.headers()), Vec::<String>::new());
    // A signed call still works (a relay or a server has no CORS to need), with no grant.
    let r = e
        .http
        .get(format!("{}/?Action=QueryProductList", e.base))
        .header("Origin", "http://example.test")
        .send()
        .await
        .unwrap();
    assert_eq!(access_control(r.headers()), Vec::<String>::new());
    assert!(r.headers().contains_key("date"));
    let text = r.text().await.unwrap();
    assert!(text.contains("MissingParameter"), "{text}");
    // `cors = "off"` in a config file means the same.
    let from_toml: Config = toml_config("cors = \"off\"");
    assert_eq!(from_toml.cors, thingcall_emulator::Cors::Off);
}

/// The default fixture written as a TOML config file with its `cors` line replaced by `line`, and
/// read back.
fn toml_config(line: &str) -> Config {
    let text = toml::to_string(&Config::default_fixture())
        .unwrap()
        .replace("cors = \"on\"", line);
    let path = std::env::temp_dir().join(format!("thingcall-cors-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    let c = Config::from_file(&path).unwrap();
    std::fs::remove_file(&path).ok();
    c
}

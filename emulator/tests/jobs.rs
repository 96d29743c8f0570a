//! Device jobs over HTTP: CreateJob over a product or a device list, tasks progressing on the
//! emulator's clock through the platform's states, ListTask paged, CancelJob, the checks of
//! CreateJob, and the jobs' QPS limits.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{json, Value};

fn code(v: &Value) -> &str {
    v["Code"].as_str().unwrap_or("")
}

/// A call, again after a pause while the jobs' 5 QPS throttle it.
async fn patient(e: &Emu, action: &str, p: &[(&str, &str)]) -> (u16, Value) {
    loop {
        let (st, b) = e.call(action, p).await;
        if code(&b) != "Throttling.User" {
            return (st, b);
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn create(
    e: &Emu,
    kind: &str,
    doc: Value,
    target: Value,
    extra: &[(&str, &str)],
) -> (u16, Value) {
    let doc = doc.to_string();
    let target = target.to_string();
    let mut p = vec![
        ("JobName", "lampJob_1"),
        ("Type", kind),
        ("JobDocument", doc.as_str()),
        ("TargetConfig", target.as_str()),
    ];
    p.extend_from_slice(extra);
    patient(e, "CreateJob", &p).await
}

async fn statistics(e: &Emu, id: &str) -> Value {
    loop {
        let (st, b) = e.call("QueryJobStatistics", &[("JobId", id)]).await;
        if st == 200 && b["Success"] == true {
            return b["Data"].clone();
        }
        assert_eq!(code(&b), "Throttling.User", "{b}");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

async fn until_done(e: &Emu, id: &str) -> Value {
    for _ in 0..100 {
        let s = statistics(e, id).await;
        let open = ["Queued", "Sent", "InProgress"]
            .iter()
            .map(|k| s[k].as_u64().unwrap())
            .sum::<u64>();
        if open == 0 {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    panic!("the job did not finish");
}

#[tokio::test]
async fn a_job_over_a_product_runs_every_device_through_the_states() {
    let e = start().await;
    let (st, b) = create(
        &e,
        "INVOKE_SERVICE",
        json!({ "serviceIdentifier": "Blink", "params": { "times": 2 } }),
        json!({ "targetType": "PRODUCT_KEY", "targetProduct": PK }),
        &[],
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let id = b["Data"]["JobId"].as_str().unwrap().to_string();
    let first = statistics(&e, &id).await;
    assert_eq!(first["Total"], 21);
    let (_, job) = patient(&e, "QueryJob", &[("JobId", &id)]).await;
    assert_eq!(job["Data"]["Status"], "IN_PROGRESS");
    assert_eq!(job["Data"]["Type"], "INVOKE_SERVICE");
    let done = until_done(&e, &id).await;
    assert_eq!(done["Succeeded"], 20, "{done}");
    assert_eq!(done["TimeOut"], 1, "the offline lamp: {done}");
    let (_, job) = patient(&e, "QueryJob", &[("JobId", &id)]).await;
    assert_eq!(job["Data"]["Status"], "COMPLETED");
    let log = e.log().await;
    assert_eq!(
        log.iter().filter(|l| l["identifier"] == "Blink").count(),
        20
    );
    // ListTask, 8 at a time.
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let mut p = vec![("JobId", id.as_str()), ("Limit", "8")];
        if !token.is_empty() {
            p.push(("NextToken", token.as_str()));
        }
        let (st, b) = e.call("ListTask", &p).await;
        if code(&b) == "Throttling.User" {
            tokio::time::sleep(Duration::from_millis(250)).await;
            continue;
        }
        assert_eq!(st, 200, "{b}");
        let page = b["Data"]["Data"]["Task"].as_array().unwrap().clone();
        assert!(page.len() <= 8);
        seen.extend(page);
        match b["Data"]["NextToken"].as_str() {
            Some(t) => token = t.into(),
            None => break,
        }
    }
    assert_eq!(seen.len(), 21);
    let offline: Vec<_> = seen.iter().filter(|t| t["Status"] == "TIMED_OUT").collect();
    assert_eq!(offline.len(), 1);
    assert_eq!(offline[0]["DeviceName"], "lamp-offline");
    let (_, b) = patient(
        &e,
        "ListTask",
        &[("JobId", &id), ("Limit", "50"), ("Status", "SUCCEEDED")],
    )
    .await;
    assert_eq!(b["Data"]["Data"]["Task"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn cancel_and_faults_and_a_property_set_over_a_device_list() {
    let e = start().await;
    e.control("faults", json!({ "taskFailNext": 1, "taskRejectNext": 1 }))
        .await;
    let devices: Vec<Value> = (1..=4)
        .map(|n| json!({ "productKey": PK, "deviceName": format!("lamp-{n:02}") }))
        .collect();
    let (st, b) = create(
        &e,
        "SET_PROPERTY",
        json!({ "params": { "Brightness": 77 } }),
        json!({ "targetType": "DEVICE", "targetDevices": devices }),
        &[],
    )
    .await;
    assert_eq!(st, 200, "{b}");
    let id = b["Data"]["JobId"].as_str().unwrap().to_string();
    let done = until_done(&e, &id).await;
    assert_eq!(
        (
            done["Succeeded"].as_u64(),
            done["Failed"].as_u64(),
            done["Rejected"].as_u64()
        ),
        (Some(2), Some(1), Some(1)),
        "{done}"
    );
    // A slow rollout, cancelled while it runs.
    let (_, b) = create(
        &e,
        "INVOKE_SERVICE",
        json!({ "serviceIdentifier": "Blink", "params": { "times": 1 } }),
        json!({ "targetType": "PRODUCT_KEY", "targetProduct": PK }),
        &[("RolloutConfig", r#"{"maximumPerMinute":60}"#)],
    )
    .await;
    let id = b["Data"]["JobId"].as_str().unwrap().to_string();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (st, b) = patient(&e, "CancelJob", &[("JobId", &id)]).await;
    assert_eq!(st, 200, "{b}");
    let s = statistics(&e, &id).await;
    assert!(s["Cancelled"].as_u64().unwrap() >= 18, "{s}");
    assert_eq!(s["Queued"], 0);
    let (_, job) = patient(&e, "QueryJob", &[("JobId", &id)]).await;
    assert_eq!(job["Data"]["Status"], "CANCELLED");
}

#[tokio::test]
async fn create_job_checks_what_it_is_given() {
    let e = start().await;
    let product = json!({ "targetType": "PRODUCT_KEY", "targetProduct": PK });
    let blink = json!({ "serviceIdentifier": "Blink", "params": { "times": 2 } });
    let cases = [
        (
            create(
                &e,
                "INVOKE_SERVICE",
                json!({ "serviceIdentifier": "Echo", "params": {} }),
                product.clone(),
                &[],
            )
            .await,
            "synchronous",
        ),
        (
            create(
                &e,
                "INVOKE_SERVICE",
                json!({ "serviceIdentifier": "Blink", "params": { "times": 0 } }),
                product.clone(),
                &[],
            )
            .await,
            "out of range",
        ),
        (
            create(
                &e,
                "INVOKE_SERVICE",
                json!({ "serviceIdentifier": "Blink", "params": {} }),
                product.clone(),
                &[],
            )
            .await,
            "required",
        ),
        (
            create(
                &e,
                "SET_PROPERTY",
                json!({ "params": { "Temperature": 3.5 } }),
                product.clone(),
                &[],
            )
            .await,
            "read-only",
        ),
        (
            create(&e, "OTA", blink.clone(), product.clone(), &[]).await,
            "INVOKE_SERVICE and SET_PROPERTY",
        ),
        (
            create(
                &e,
                "INVOKE_SERVICE",
                blink.clone(),
                json!({ "targetType": "GROUP" }),
                &[],
            )
            .await,
            "targetType",
        ),
        (
            create(
                &e,
                "INVOKE_SERVICE",
                blink.clone(),
                product.clone(),
                &[("RolloutConfig", r#"{"maximumPerMinute":5}"#)],
            )
            .await,
            "50 to 1000",
        ),
    ];
    for ((st, b), what) in cases {
        assert_eq!(st, 200, "{b}");
        assert_eq!(b["Success"], false);
        assert!(
            b["ErrorMessage"].as_str().unwrap().contains(what),
            "{what}: {b}"
        );
    }
    let (_, b) = patient(
        &e,
        "CreateJob",
        &[
            ("JobName", "x"),
            ("Type", "INVOKE_SERVICE"),
            ("JobDocument", &blink.to_string()),
            ("TargetConfig", &product.to_string()),
        ],
    )
    .await;
    assert!(
        b["ErrorMessage"].as_str().unwrap().contains("JobName"),
        "{b}"
    );
    let (_, b) = patient(&e, "QueryJob", &[("JobId", "nope")]).await;
    assert_eq!(code(&b), "iot.job.NotExistedJob");
    let (_, b) = patient(&e, "ListTask", &[("JobId", "nope")]).await;
    assert_eq!(code(&b), "MissingParameter");
    // The documented limit: 5 per second.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let mut throttled = 0;
    for _ in 0..8 {
        let (_, b) = e.call("QueryJob", &[("JobId", "nope")]).await;
        throttled += usize::from(code(&b) == "Throttling.User");
    }
    assert!(throttled >= 2, "{throttled} of 8 in well under a second");
}

//! Device lists as the platform pages them: `QueryDevice` with its paging beside `Data`, the
//! `NextToken` needed past 10,000 devices, and `BatchQueryDeviceDetail` by name, over real HTTP
//! against a product of 12,345 generated devices.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;
use thingcall_emulator::config::GeneratedDevices;
use thingcall_emulator::Config;

fn big() -> Config {
    let mut c = Config::default_fixture();
    c.products[0].generated_devices = Some(GeneratedDevices {
        prefix: "sensor-".into(),
        count: 12_345 - 21,
        offline_every: Some(7),
    });
    c
}

fn names(b: &Value) -> Vec<String> {
    b["Data"]["DeviceInfo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["DeviceName"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn query_device_pages_beside_data_and_needs_a_token_past_ten_thousand() {
    let e = start_with(big()).await;
    // The first page: the paging beside Data, a token for the next.
    let (st, b) = e
        .call("QueryDevice", &[("ProductKey", PK), ("PageSize", "50")])
        .await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(b["Success"], true);
    assert_eq!(b["Total"], 12_345);
    assert_eq!(b["PageSize"], 50);
    assert_eq!(b["Page"], 1);
    assert_eq!(b["PageCount"], 247);
    assert_eq!(names(&b).len(), 50);
    assert!(
        b["Data"].get("Total").is_none(),
        "the paging is not under Data"
    );
    assert!(b["NextToken"].as_str().is_some_and(|t| !t.is_empty()));

    // Page 200 of 50 is device 10,000: still without a token; page 201 needs one.
    let (_, b) = e
        .call(
            "QueryDevice",
            &[
                ("ProductKey", PK),
                ("PageSize", "50"),
                ("CurrentPage", "200"),
            ],
        )
        .await;
    assert_eq!(names(&b).len(), 50, "{b}");
    let token = b["NextToken"].as_str().unwrap().to_string();
    let (_, refused) = e
        .call(
            "QueryDevice",
            &[
                ("ProductKey", PK),
                ("PageSize", "50"),
                ("CurrentPage", "201"),
            ],
        )
        .await;
    assert_eq!(refused["Success"], false, "{refused}");
    assert_eq!(refused["Code"], "iot.common.InvalidFormattedParameter");
    assert!(refused["ErrorMessage"]
        .as_str()
        .unwrap()
        .contains("NextToken"));

    // Every device once, in order, the rest of the way by tokens.
    let mut seen: Vec<String> = Vec::new();
    let mut page = 1;
    let mut next: Option<String> = None;
    loop {
        let p = page.to_string();
        let mut params = vec![
            ("ProductKey", PK),
            ("PageSize", "50"),
            ("CurrentPage", p.as_str()),
        ];
        if let Some(t) = next.as_deref() {
            params.push(("NextToken", t));
        }
        let (st, b) = e.call("QueryDevice", &params).await;
        assert_eq!(st, 200, "{b}");
        assert_eq!(b["Success"], true, "page {page}: {b}");
        seen.extend(names(&b));
        match b["NextToken"].as_str() {
            Some(t) => next = Some(t.to_string()),
            None => break,
        }
        page += 1;
        // Past the 10,000th device the tokens carry on (page 200's token led here).
        if page == 201 {
            assert_eq!(next.as_deref(), Some(token.as_str()));
        }
    }
    assert_eq!(seen.len(), 12_345);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        12_345,
        "no device twice"
    );
    assert_eq!(seen[0], "lamp-01");
    assert_eq!(seen[12_344], "sensor-12324");

    // Out of range and foreign tokens are refused.
    for bad in [
        vec![("ProductKey", PK), ("PageSize", "51")],
        vec![("ProductKey", PK), ("PageSize", "0")],
        vec![
            ("ProductKey", PK),
            ("PageSize", "10"),
            ("NextToken", "bm90LWEtdG9rZW4"),
        ],
    ] {
        let (_, b) = e.call("QueryDevice", &bad).await;
        assert_eq!(
            b["Code"], "iot.common.InvalidFormattedParameter",
            "{bad:?}: {b}"
        );
    }
}

#[tokio::test]
async fn batch_query_device_detail_by_name() {
    let e = start_with(big()).await;
    let mut params: Vec<(String, String)> = vec![("ProductKey".into(), PK.into())];
    let wanted = ["lamp-01", "lamp-offline", "sensor-00007", "no-such-device"];
    for (i, n) in wanted.iter().enumerate() {
        params.push((format!("DeviceName.{}", i + 1), n.to_string()));
    }
    let p: Vec<(&str, &str)> = params
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let (st, b) = e.call("BatchQueryDeviceDetail", &p).await;
    assert_eq!(st, 200, "{b}");
    let list = b["Data"]["Data"].as_array().unwrap();
    let got: Vec<(&str, &str)> = list
        .iter()
        .map(|d| {
            (
                d["DeviceName"].as_str().unwrap(),
                d["Status"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("lamp-01", "ONLINE"),
            ("lamp-offline", "OFFLINE"),
            ("sensor-00007", "OFFLINE")
        ],
        "in the order asked, unknown names left out"
    );
    assert!(list
        .iter()
        .all(|d| d["IotId"].as_str().is_some_and(|s| !s.is_empty())));

    // 101 names, and none: refused.
    let mut many: Vec<(String, String)> = vec![("ProductKey".into(), PK.into())];
    for i in 1..=101 {
        many.push((format!("DeviceName.{i}"), format!("sensor-{i:05}")));
    }
    let p: Vec<(&str, &str)> = many.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    let (_, b) = e.call("BatchQueryDeviceDetail", &p).await;
    assert_eq!(b["Code"], "iot.common.InvalidFormattedParameter", "{b}");
    let (st, b) = e
        .call("BatchQueryDeviceDetail", &[("ProductKey", PK)])
        .await;
    assert_eq!((st, b["Code"].as_str().unwrap()), (400, "MissingParameter"));
}

#[tokio::test]
async fn query_device_of_a_product_of_100_000_devices_is_served_at_2_qps() {
    let mut c = Config::default_fixture();
    c.products[0].generated_devices = Some(GeneratedDevices {
        prefix: "sensor-".into(),
        count: 100_000,
        offline_every: None,
    });
    let e = start_with(c).await;
    // Three requests in one second: the third is throttled. The clock is the emulator's: wait
    // for the start of a second so that the three fall in the same one.
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_millis();
    if ms > 500 {
        tokio::time::sleep(std::time::Duration::from_millis(u64::from(1010 - ms))).await;
    }
    let mut codes = Vec::new();
    for _ in 0..3 {
        let (_, b) = e
            .call("QueryDevice", &[("ProductKey", PK), ("PageSize", "1")])
            .await;
        codes.push(b["Code"].as_str().unwrap_or("ok").to_string());
    }
    assert_eq!(codes, ["ok", "ok", "Throttling.User"], "{codes:?}");
    // A small product keeps the action's 50 QPS.
    let e = start_with(Config::default_fixture()).await;
    for _ in 0..3 {
        let (st, b) = e.call("QueryDevice", &[("ProductKey", PK)]).await;
        assert_eq!(st, 200, "{b}");
    }
}

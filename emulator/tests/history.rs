//! Property history over real HTTP: the reported `Temperature` (a point a minute, generated),
//! the set `Brightness` (kept as it is set), `QueryDevicePropertyData`'s pages by `NextTime`
//! both ways, `QueryDevicePropertiesData`'s top-level answer and its shared stop, the 30 days,
//! and the refusals.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;

const MINUTE: i64 = 60_000;

fn now_ms() -> i64 {
    now_s() * 1000
}

fn points(list: &Value) -> Vec<(i64, String)> {
    list["PropertyInfo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["Time"].as_i64().unwrap(),
                p["Value"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Every point of one property in `from..=to`, page by page.
async fn walk(
    e: &Emu,
    identifier: &str,
    from: i64,
    to: i64,
    asc: bool,
    size: usize,
) -> (Vec<(i64, String)>, u32) {
    let mut all = Vec::new();
    let (mut lo, mut hi) = (from, to);
    let mut requests = 0;
    loop {
        let (s, t, z) = (lo.to_string(), hi.to_string(), size.to_string());
        let (st, b) = e
            .call(
                "QueryDevicePropertyData",
                &[
                    ("ProductKey", PK),
                    ("DeviceName", "lamp-02"),
                    ("Identifier", identifier),
                    ("StartTime", &s),
                    ("EndTime", &t),
                    ("Asc", if asc { "1" } else { "0" }),
                    ("PageSize", &z),
                ],
            )
            .await;
        assert_eq!((st, &b["Success"]), (200, &Value::Bool(true)), "{b}");
        requests += 1;
        let page = points(&b["Data"]["List"]);
        assert!(page.len() <= size);
        all.extend(page);
        if b["Data"]["NextValid"] != true {
            break;
        }
        let next = b["Data"]["NextTime"].as_i64().unwrap();
        if asc {
            lo = next;
        } else {
            hi = next;
        }
        assert!(requests < 1000, "the walk does not end");
    }
    (all, requests)
}

#[tokio::test]
async fn a_reported_property_pages_by_next_time_both_ways() {
    let e = start().await;
    let now = now_ms();
    let from = now - 60 * MINUTE;
    let (up, requests) = walk(&e, "Temperature", from, now, true, 7).await;
    // A point a minute: 60 or 61 in the hour, each once, oldest first.
    assert!((60..=61).contains(&up.len()), "{}", up.len());
    assert_eq!(requests as usize, up.len().div_ceil(7));
    assert!(up.windows(2).all(|w| w[1].0 - w[0].0 == MINUTE));
    assert_eq!(
        up.iter().map(|p| p.0).collect::<HashSet<_>>().len(),
        up.len()
    );
    for (_, v) in &up {
        let v: f64 = v.parse().unwrap();
        assert!((18.5..=24.5).contains(&v), "drifts around 21.5 by 3: {v}");
    }
    // Newest first: the same points, reversed.
    let (down, _) = walk(&e, "Temperature", from, now, false, 9).await;
    let mut reversed = down.clone();
    reversed.reverse();
    assert_eq!(reversed, up);
}

#[tokio::test]
async fn a_set_property_keeps_what_was_set_and_the_status_shows_the_drift() {
    let e = start().await;
    let start = now_ms() - 1000;
    for b in ["10", "20", "30"] {
        let items = format!(r#"{{"Brightness":{b}}}"#);
        let (_, r) = e
            .call(
                "SetDeviceProperty",
                &[
                    ("ProductKey", PK),
                    ("DeviceName", "lamp-02"),
                    ("Items", &items),
                ],
            )
            .await;
        assert_eq!(r["Success"], true, "{r}");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let (kept, _) = walk(&e, "Brightness", start, now_ms() + 1000, true, 2).await;
    assert_eq!(
        kept.iter().map(|p| p.1.as_str()).collect::<Vec<_>>(),
        ["10", "20", "30"]
    );
    // The status's Temperature is the latest report.
    let (_, s) = e
        .call(
            "QueryDevicePropertyStatus",
            &[("ProductKey", PK), ("DeviceName", "lamp-02")],
        )
        .await;
    let temp = s["Data"]["List"]["PropertyStatusInfo"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["Identifier"] == "Temperature")
        .unwrap()
        .clone();
    let t: i64 = temp["Time"].as_str().unwrap().parse().unwrap();
    assert_eq!(t % MINUTE, 0);
    assert!(now_ms() - t <= MINUTE);
}

#[tokio::test]
async fn several_properties_answer_at_the_top_level_and_stop_together() {
    let e = start().await;
    let begin = now_ms() - 1000;
    for b in 0..12 {
        let items = format!(r#"{{"Brightness":{b}}}"#);
        e.call(
            "SetDeviceProperty",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-02"),
                ("Items", &items),
            ],
        )
        .await;
    }
    let end = now_ms() + 1000;
    let from = begin - 30 * MINUTE;
    // Ascending, 5 per property a page: walk by NextTime; every point comes once.
    let mut seen: Vec<(String, i64, String)> = Vec::new();
    let mut lo = from;
    for round in 0.. {
        assert!(round < 100);
        let (s, t) = (lo.to_string(), end.to_string());
        let (st, b) = e
            .call(
                "QueryDevicePropertiesData",
                &[
                    ("ProductKey", PK),
                    ("DeviceName", "lamp-02"),
                    ("Identifier.1", "Temperature"),
                    ("Identifier.2", "Brightness"),
                    ("StartTime", &s),
                    ("EndTime", &t),
                    ("Asc", "1"),
                    ("PageSize", "5"),
                ],
            )
            .await;
        assert_eq!(st, 200, "{b}");
        assert!(b.get("Data").is_none(), "answered at the top level: {b}");
        for info in b["PropertyDataInfos"]["PropertyDataInfo"]
            .as_array()
            .unwrap()
        {
            let id = info["Identifier"].as_str().unwrap().to_string();
            for (t, v) in points(&info["List"]) {
                seen.push((id.clone(), t, v));
            }
        }
        if b["NextValid"] != true {
            break;
        }
        lo = b["NextTime"].as_i64().unwrap();
    }
    let temps = seen.iter().filter(|p| p.0 == "Temperature").count();
    let brightness: Vec<&str> = seen
        .iter()
        .filter(|p| p.0 == "Brightness")
        .map(|p| p.2.as_str())
        .collect();
    assert!((30..=32).contains(&temps), "{temps}");
    assert_eq!(brightness.len(), 12, "{brightness:?}");
    let unique: HashSet<_> = seen
        .iter()
        .map(|p| (p.0.clone(), p.1, p.2.clone()))
        .collect();
    assert_eq!(unique.len(), seen.len(), "no point twice");

    // Descending needs StartTime after EndTime.
    let (s, t) = (end.to_string(), from.to_string());
    let (_, down) = e
        .call(
            "QueryDevicePropertiesData",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-02"),
                ("Identifier.1", "Temperature"),
                ("StartTime", &s),
                ("EndTime", &t),
                ("Asc", "0"),
                ("PageSize", "3"),
            ],
        )
        .await;
    let first = points(&down["PropertyDataInfos"]["PropertyDataInfo"][0]["List"]);
    assert_eq!(first.len(), 3);
    assert!(first[0].0 > first[1].0, "newest first");
}

/// An action, its identifiers, start, end, asc and page size.
type Case<'a> = (&'a str, Vec<&'a str>, &'a str, &'a str, &'a str, &'a str);

#[tokio::test]
async fn history_requests_out_of_bounds_are_refused() {
    let e = start().await;
    let now = now_ms();
    let (n, h, old) = (
        now.to_string(),
        (now - 60 * MINUTE).to_string(),
        (now - 40 * 24 * 60 * MINUTE).to_string(),
    );
    // (identifiers, start, end, asc, page size): each breaks one rule.
    let (single, several) = ("QueryDevicePropertyData", "QueryDevicePropertiesData");
    let eleven: Vec<&str> = ["Temperature"; 11].to_vec();
    let cases: Vec<Case> = vec![
        (single, vec!["Temperature"], &n, &h, "1", "10"),
        (single, vec!["Temperature"], &h, &n, "2", "10"),
        (single, vec!["Temperature"], &h, &n, "1", "51"),
        (single, vec!["Humidity"], &h, &n, "1", "10"),
        (several, vec!["Temperature"], &h, &n, "0", "10"),
        (several, eleven, &h, &n, "1", "10"),
        (several, vec!["Temperature"], &h, &n, "1", "101"),
    ];
    let cases = cases
        .into_iter()
        .map(|(action, ids, start, end, asc, size)| {
            let mut p: Vec<(String, String)> = vec![
                ("ProductKey".into(), PK.into()),
                ("DeviceName".into(), "lamp-02".into()),
            ];
            for (i, id) in ids.iter().enumerate() {
                let name = if action == single {
                    "Identifier".to_string()
                } else {
                    format!("Identifier.{}", i + 1)
                };
                p.push((name, id.to_string()));
            }
            for (k, v) in [
                ("StartTime", start),
                ("EndTime", end),
                ("Asc", asc),
                ("PageSize", size),
            ] {
                p.push((k.into(), v.into()));
            }
            (action, p)
        });
    for (action, params) in cases {
        let p: Vec<(&str, &str)> = params
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        let (_, b) = e.call(action, &p).await;
        assert_eq!(
            b["Code"], "iot.common.InvalidFormattedParameter",
            "{action} {params:?}: {b}"
        );
    }
    // 40 days back: only the last 30 come.
    let (all, _) = walk(&e, "Temperature", old.parse().unwrap(), now, true, 50).await;
    let oldest = all.first().unwrap().0;
    assert!(
        now - oldest <= 30 * 24 * 60 * MINUTE,
        "older than 30 days: {oldest}"
    );
    assert!((43_199..=43_201).contains(&all.len()), "{}", all.len());
}

#[tokio::test]
async fn service_calls_and_the_events_they_raise_are_kept_and_paged() {
    let e = start().await;
    let from = (now_ms() - 1000).to_string();
    for times in 1..=5 {
        let args = format!(r#"{{"times":{times}}}"#);
        let (_, r) = e
            .call(
                "InvokeThingService",
                &[
                    ("ProductKey", PK),
                    ("DeviceName", "lamp-04"),
                    ("Identifier", "Blink"),
                    ("Args", &args),
                ],
            )
            .await;
        assert_eq!(r["Success"], true, "{r}");
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    e.call(
        "InvokeThingService",
        &[
            ("ProductKey", PK),
            ("DeviceName", "lamp-04"),
            ("Identifier", "Echo"),
            ("Args", r#"{"text":"x"}"#),
        ],
    )
    .await;
    let to = (now_ms() + 1000).to_string();
    // Services: all six, or Blink's five, in pages of 2 by NextTime.
    let walk = |identifier: Option<&'static str>| {
        let (from, to) = (from.clone(), to.clone());
        let e = &e;
        async move {
            let mut lo = from;
            let mut all = Vec::new();
            loop {
                let mut p = vec![
                    ("ProductKey", PK.to_string()),
                    ("DeviceName", "lamp-04".to_string()),
                    ("StartTime", lo.clone()),
                    ("EndTime", to.clone()),
                    ("Asc", "1".to_string()),
                    ("PageSize", "2".to_string()),
                ];
                if let Some(i) = identifier {
                    p.push(("Identifier", i.to_string()));
                }
                let q: Vec<(&str, &str)> = p.iter().map(|(a, b)| (*a, b.as_str())).collect();
                let (_, b) = e.call("QueryDeviceServiceData", &q).await;
                assert_eq!(b["Success"], true, "{b}");
                for s in b["Data"]["List"]["ServiceInfo"].as_array().unwrap() {
                    all.push((
                        s["Identifier"].as_str().unwrap().to_string(),
                        s["InputData"].as_str().unwrap().to_string(),
                    ));
                }
                if b["Data"]["NextValid"] != true {
                    break;
                }
                lo = b["Data"]["NextTime"].as_i64().unwrap().to_string();
            }
            all
        }
    };
    let every = walk(None).await;
    assert_eq!(every.len(), 6, "{every:?}");
    assert_eq!(every[5].0, "Echo");
    let blinks = walk(Some("Blink")).await;
    assert_eq!(
        blinks.iter().map(|b| b.1.as_str()).collect::<Vec<_>>(),
        [
            r#"{"times":1}"#,
            r#"{"times":2}"#,
            r#"{"times":3}"#,
            r#"{"times":4}"#,
            r#"{"times":5}"#
        ]
    );

    // Each Blink raised an info event with its Args; none is an alert.
    let q = |kind: &'static str| {
        vec![
            ("ProductKey", PK),
            ("DeviceName", "lamp-04"),
            ("EventType", kind),
            ("StartTime", from.as_str()),
            ("EndTime", to.as_str()),
            ("Asc", "0"),
            ("PageSize", "50"),
        ]
    };
    let (_, info) = e.call("QueryDeviceEventData", &q("info")).await;
    let events = info["Data"]["List"]["EventInfo"].as_array().unwrap();
    assert_eq!(events.len(), 5, "{info}");
    assert_eq!(events[0]["Identifier"], "Blinked");
    assert_eq!(events[0]["EventType"], "info");
    assert_eq!(events[0]["OutputData"], r#"{"times":5}"#, "newest first");
    let (_, bad) = e.call("QueryDeviceEventData", &q("warning")).await;
    assert_eq!(bad["Code"], "iot.common.InvalidFormattedParameter");

    // Overheat alerts come from the reported temperature: one each time it rises past 24 °C.
    let (a, b) = ((now_ms() - 6 * 3_600_000).to_string(), now_ms().to_string());
    let (_, alerts) = e
        .call(
            "QueryDeviceEventData",
            &[
                ("ProductKey", PK),
                ("DeviceName", "lamp-04"),
                ("EventType", "alert"),
                ("StartTime", &a),
                ("EndTime", &b),
                ("Asc", "1"),
                ("PageSize", "50"),
            ],
        )
        .await;
    let list = alerts["Data"]["List"]["EventInfo"].as_array().unwrap();
    // A one-hour drift of ±3 around 21.5 crosses 24 once an hour: 5 to 7 times in six hours.
    assert!((5..=7).contains(&list.len()), "{alerts}");
    for a in list {
        assert_eq!(a["Identifier"], "Overheat");
        let out: Value = serde_json::from_str(a["OutputData"].as_str().unwrap()).unwrap();
        assert!(out["Temperature"].as_f64().unwrap() >= 24.0);
    }
}

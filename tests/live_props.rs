//! Live values merged from a snapshot and a stream that shuffles, repeats and delays messages:
//! whatever the order, each property ends at its newest value (by the platform's time, then the
//! stream's event id), and what is shown for a property only ever moves forward.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::HashMap;

use proptest::prelude::*;
use thingcall::core::live::{Applied, Change, LiveView, Message, Version};

const DEVICES: [&str; 3] = ["pk/lamp-01", "pk/lamp-02", "pk/lamp-03"];
const PROPS: [&str; 3] = ["Brightness", "LightSwitch", "Temperature"];

/// One report as the platform sent it: device, property, time, value.
#[derive(Clone, Debug)]
struct Report {
    device: usize,
    prop: usize,
    time: i64,
    value: u32,
}

fn report() -> impl Strategy<Value = Report> {
    (0..3usize, 0..3usize, 0i64..50, any::<u32>()).prop_map(|(device, prop, time, value)| Report {
        device,
        prop,
        time,
        value,
    })
}

/// What a delivery does: a message of the stream (its index), or a snapshot read now (the
/// platform's newest value of each property among the reports up to `upto`).
#[derive(Clone, Debug)]
enum Step {
    Message(usize),
    Snapshot(usize),
}

proptest! {
    #[test]
    fn any_order_ends_at_the_newest_values_and_never_goes_back(
        reports in prop::collection::vec(report(), 1..60),
        order_seed in prop::collection::vec(any::<u32>(), 60..200),
        snapshots in prop::collection::vec(0usize..60, 0..4),
    ) {
        let n = reports.len();
        // The stream: every message once with its event id (1..=n), then shuffled, some
        // repeated, with snapshots between them.
        let mut steps: Vec<(u32, Step)> = (0..n).map(|i| (order_seed[i % order_seed.len()], Step::Message(i))).collect();
        for (k, i) in (n..order_seed.len()).enumerate() {
            if k % 3 == 0 { steps.push((order_seed[i], Step::Message(order_seed[i] as usize % n))); }
        }
        for (k, &s) in snapshots.iter().enumerate() {
            steps.push((order_seed[(k * 7) % order_seed.len()].wrapping_add(k as u32), Step::Snapshot(s.min(n))));
        }
        steps.sort_by_key(|(key, _)| *key);

        let version = |i: usize| Version { time_ms: reports[i].time, event_id: i as u64 + 1 };
        let mut view = LiveView::new();
        // An initial snapshot, older than every report.
        for d in DEVICES {
            view.apply_snapshot(d, PROPS.iter().map(|p| (p.to_string(), -1, "initial".to_string())));
        }
        let mut shown: HashMap<(String, String), Version> = HashMap::new();
        let check = |changes: Vec<Change>, shown: &mut HashMap<(String, String), Version>| -> Result<(), TestCaseError> {
            for c in changes {
                if let Change::Property { device, identifier, value } = c {
                    let key = (device, identifier);
                    if let Some(before) = shown.get(&key) {
                        prop_assert!(value.version > *before, "{key:?} went back: {:?} after {:?}", value.version, before);
                    }
                    shown.insert(key, value.version);
                }
            }
            Ok(())
        };
        for (_, step) in &steps {
            match *step {
                Step::Message(i) => {
                    let r = &reports[i];
                    let m = Message::Properties {
                        device: DEVICES[r.device].into(),
                        items: vec![(PROPS[r.prop].into(), r.time, r.value.to_string())],
                    };
                    match view.apply(i as u64 + 1, m) {
                        Applied::Changes(c) => check(c, &mut shown)?,
                        Applied::Resync => prop_assert!(false, "no gap was sent"),
                    }
                }
                Step::Snapshot(upto) => {
                    // The platform's newest value of each property among the first `upto` reports.
                    for (d, device) in DEVICES.iter().enumerate() {
                        let items: Vec<(String, i64, String)> = PROPS.iter().enumerate().filter_map(|(p, prop)| {
                            (0..upto).filter(|&i| reports[i].device == d && reports[i].prop == p)
                                .max_by_key(|&i| version(i))
                                .map(|i| (prop.to_string(), reports[i].time, reports[i].value.to_string()))
                        }).collect();
                        let c = view.apply_snapshot(device, items);
                        check(c, &mut shown)?;
                    }
                }
            }
        }
        // Every message was delivered at least once: each property is at its newest report.
        for (d, device) in DEVICES.iter().enumerate() {
            for (p, prop) in PROPS.iter().enumerate() {
                let newest = (0..n).filter(|&i| reports[i].device == d && reports[i].prop == p).max_by_key(|&i| version(i));
                let got = view.property(device, prop).unwrap();
                match newest {
                    Some(i) => {
                        prop_assert_eq!(&got.value, &reports[i].value.to_string());
                        prop_assert_eq!(got.version.time_ms, reports[i].time);
                    }
                    None => prop_assert_eq!(&got.value, "initial"),
                }
            }
        }
        prop_assert_eq!(view.last_event_id(), n as u64);
    }
}

//! Paging through devices against a model of the platform's rules (`QueryDevice`: a page past
//! the 10,000th device needs the previous page's `NextToken`, which names where the next page
//! starts): whatever the number of devices and the page size, every device comes once, in
//! order, and the walk ends.
#![cfg(not(target_arch = "wasm32"))]

use proptest::prelude::*;
use thingcall::core::paging::{DevicePaging, NEXT_TOKEN_AFTER};

/// The platform's answer to one page request: the devices, the total, the next token; or a
/// refusal (a rule broken).
fn platform(total: u64, params: &[(String, String)]) -> Result<(Vec<u64>, Option<String>), String> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let page: u64 = get("CurrentPage").unwrap().parse().unwrap();
    let size: u64 = get("PageSize").unwrap().parse().unwrap();
    let start = match get("NextToken") {
        None if page * size > NEXT_TOKEN_AFTER => return Err(format!("page {page} needs a token")),
        None => (page - 1) * size,
        Some(t) => t.strip_prefix("at-").unwrap().parse().unwrap(),
    };
    let end = (start + size).min(total);
    let devices: Vec<u64> = (start.min(total)..end).collect();
    let token = (end < total).then(|| format!("at-{end}"));
    Ok((devices, token))
}

proptest! {
    #[test]
    fn every_device_once_in_order(total in 0u64..25_000, size in 1u32..=50, tell_total in any::<bool>()) {
        let mut paging = DevicePaging::new(size).unwrap();
        let mut seen = Vec::new();
        let mut requests = 0;
        while let Some(params) = paging.request() {
            requests += 1;
            prop_assert!(requests <= total / u64::from(size) + 2, "the walk does not end");
            let (devices, token) = platform(total, &params).map_err(TestCaseError::fail)?;
            let got = devices.len();
            seen.extend(devices);
            paging.answered(got, tell_total.then_some(total), token);
        }
        prop_assert_eq!(seen, (0..total).collect::<Vec<_>>());
    }
}

mod history {
    use super::*;
    use thingcall::core::paging::{HistoryPaging, RangeForm};

    const NOW: i64 = 1_800_000_000_000;

    /// The platform's answer to one history page over the points `times` (sorted, distinct):
    /// up to `size` points in the request's range and order, and `NextTime` (the first one
    /// left) when some are left.
    fn platform(
        times: &[i64],
        form: RangeForm,
        size: usize,
        request: &[(&str, String); 3],
    ) -> (Vec<i64>, Option<i64>) {
        let start: i64 = request[0].1.parse().unwrap();
        let end: i64 = request[1].1.parse().unwrap();
        let asc = request[2].1 == "1";
        let (lo, hi) = match (form, asc) {
            (RangeForm::FromStart, false) => (end, start),
            _ => (start, end),
        };
        let mut inside: Vec<i64> = times
            .iter()
            .copied()
            .filter(|t| (lo..=hi).contains(t))
            .collect();
        if !asc {
            inside.reverse();
        }
        let next = inside.get(size).copied();
        inside.truncate(size);
        (inside, next)
    }

    proptest! {
        #[test]
        fn every_point_once_in_order(
            mut times in proptest::collection::vec(NOW - 86_400_000..NOW, 0..400),
            size in 1usize..=50,
            asc in any::<bool>(),
            from_start in any::<bool>(),
        ) {
            times.sort_unstable();
            times.dedup();
            let form = if from_start { RangeForm::FromStart } else { RangeForm::Ordered };
            let mut paging = HistoryPaging::new(NOW - 86_400_000, NOW, asc, form, NOW).unwrap();
            let mut seen = Vec::new();
            let mut requests = 0;
            while let Some(r) = paging.request() {
                requests += 1;
                prop_assert!(requests <= times.len() / size + 2, "the walk does not end");
                let (points, next) = platform(&times, form, size, &r);
                seen.extend(points);
                paging.answered(next);
            }
            let mut expected = times.clone();
            if !asc {
                expected.reverse();
            }
            prop_assert_eq!(seen, expected);
        }
    }
}

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

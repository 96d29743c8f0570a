//! The API gateway's own concerns, apart from the device world: fault injection that refuses or
//! loses a request before or after the action runs (latency, 503, throttling, dropped answers,
//! a nonce reported as used), and the per-action QPS windows. Authentication and STS are
//! [`crate::auth`]'s; session policies [`crate::policy`]'s; the devices and their state
//! [`crate::world`]'s.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::Serialize;

use crate::error::ApiError;
use crate::world::DeviceFaults;

/// A fault that fires at `rate` (0..1), or on each of the next `next` requests (which counts
/// down: deterministic for tests).
pub(crate) fn roll(rate: f64, next: &mut u32) -> bool {
    if *next > 0 {
        *next -= 1;
        return true;
    }
    rate > 0.0 && fastrand::f64() < rate
}

/// The gateway's fault settings: rates are 0..1, `*Next` counters make the next N requests
/// fail that way.
#[derive(Clone, Debug, Default, serde::Deserialize, Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GatewayFaults {
    /// Delay before a request is handled, in ms.
    pub latency_ms: u64,
    /// 503 `ServiceUnavailable` before anything runs.
    pub error_rate: f64,
    /// `Throttling.User` before anything runs.
    pub throttle_rate: f64,
    /// Connection closed after the action ran (the device was invoked).
    pub drop_rate: f64,
    /// The next N requests get 503.
    pub error_next: u32,
    /// The next N requests get `Throttling.User`.
    pub throttle_next: u32,
    /// The next N requests that ran lose their answer (the connection closes).
    pub drop_next: u32,
    /// The next N correctly signed requests are answered `SignatureNonceUsed`, as if their
    /// nonce had been seen before (the client cannot be made to repeat one).
    pub nonce_used_next: u32,
    /// Overrides per-action QPS limits.
    pub qps_limits: Option<HashMap<String, u32>>,
    /// The `x-acs-retry-after` header (ms) of every `Throttling.*` answer; none when absent.
    pub retry_after_ms: Option<u64>,
}

/// Everything `/_emulator/faults` sets, in one JSON object: the gateway's faults and the
/// devices' (`DeviceFaults`: RRPC time-outs, job task ends).
#[derive(Clone, Debug, Default, serde::Deserialize, Serialize)]
#[serde(default)]
pub struct Faults {
    /// The gateway's.
    #[serde(flatten)]
    pub gateway: GatewayFaults,
    /// The devices'.
    #[serde(flatten)]
    pub devices: DeviceFaults,
}

/// The gateway: its faults and the QPS windows.
/// `QueryDevice`'s QPS for a product of [`LARGE_PRODUCT_DEVICES`] devices or more (the
/// platform's API page: 50 QPS, and 2 for such a product).
pub const LARGE_PRODUCT_QUERY_DEVICE_QPS: u32 = 2;
/// From how many devices a product is large.
pub const LARGE_PRODUCT_DEVICES: usize = 100_000;

pub struct Gateway {
    faults: Mutex<GatewayFaults>,
    /// The configured QPS limit of each action (the platform's, from the config).
    limits: BTreeMap<String, u32>,
    /// action → (the second, requests in it)
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

impl Gateway {
    /// A gateway with the configured QPS `limits` and no faults.
    pub fn new(limits: BTreeMap<String, u32>) -> Self {
        Self {
            faults: Mutex::default(),
            limits,
            windows: Mutex::default(),
        }
    }

    /// No faults, empty windows.
    pub fn reset(&self) {
        *self.faults.lock().unwrap() = GatewayFaults::default();
        self.windows.lock().unwrap().clear();
    }

    /// Replaces the fault settings.
    pub fn set_faults(&self, f: GatewayFaults) {
        *self.faults.lock().unwrap() = f;
    }

    /// The current fault settings.
    pub fn faults(&self) -> GatewayFaults {
        self.faults.lock().unwrap().clone()
    }

    /// The latency to add, and the fault that refuses this request before anything runs.
    pub fn before(&self) -> (u64, Option<ApiError>) {
        let mut f = self.faults.lock().unwrap();
        let latency = f.latency_ms;
        let (er, tr) = (f.error_rate, f.throttle_rate);
        if roll(er, &mut f.error_next) {
            return (latency, Some(ApiError::unavailable()));
        }
        if roll(tr, &mut f.throttle_next) {
            return (latency, Some(ApiError::throttled()));
        }
        (latency, None)
    }

    /// The `x-acs-retry-after` of throttled answers, ms.
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.faults.lock().unwrap().retry_after_ms
    }

    /// Whether the answer to a request that ran is lost (the connection closes).
    pub fn drop_answer(&self) -> bool {
        let mut f = self.faults.lock().unwrap();
        let rate = f.drop_rate;
        roll(rate, &mut f.drop_next)
    }

    /// Whether this authenticated request is answered `SignatureNonceUsed` by fault injection.
    pub fn nonce_used(&self) -> bool {
        roll(0.0, &mut self.faults.lock().unwrap().nonce_used_next)
    }

    /// Counts a request against its action's QPS limit (a one-second window). `large`: the
    /// request lists the devices of a product of 100,000 devices or more, which the platform
    /// serves at `QueryDevice`'s lower limit (2 QPS, a window of its own) unless the test
    /// control set the action's limit.
    pub fn admit(&self, action: &str, now_ms: i64, large: bool) -> Result<(), ApiError> {
        let (limit, window) = {
            let f = self.faults.lock().unwrap();
            let set = f.qps_limits.as_ref().and_then(|m| m.get(action).copied());
            match set {
                Some(l) => (Some(l), action.to_string()),
                None if large && action == "QueryDevice" => (
                    Some(LARGE_PRODUCT_QUERY_DEVICE_QPS),
                    format!("{action} of a large product"),
                ),
                None => (self.limits.get(action).copied(), action.to_string()),
            }
        };
        let Some(limit) = limit else { return Ok(()) };
        let sec = now_ms.div_euclid(1000);
        let mut q = self.windows.lock().unwrap();
        let e = q.entry(window).or_insert((sec, 0));
        if e.0 != sec {
            *e = (sec, 0);
        }
        e.1 += 1;
        if e.1 > limit {
            Err(ApiError::throttled())
        } else {
            Ok(())
        }
    }
}

//! The client's rate windows: one per action, shared by every call of the client that paces
//! itself (bulk calls, jobs, the paged reads), so that together they keep to the platform's
//! documented QPS.

use alloc::vec::Vec;
use core::cell::RefCell;

use web_sys::AbortSignal;

use super::time::{now_ms, sleep};
use super::Client;
use crate::core::bulk::RateWindow;

/// The rate windows of one client, by action.
#[derive(Default)]
pub(crate) struct RateWindows(RefCell<Vec<(&'static str, RateWindow)>>);

impl RateWindows {
    pub(crate) fn with<R>(&self, action: &'static str, f: impl FnOnce(&mut RateWindow) -> R) -> R {
        let mut all = self.0.borrow_mut();
        let i = match all.iter().position(|(a, _)| *a == action) {
            Some(i) => i,
            None => {
                all.push((action, RateWindow::new()));
                all.len() - 1
            }
        };
        f(&mut all[i].1)
    }
}

impl Client {
    /// Waits until the client's rate window for `action` lets one more call start under `qps`
    /// (and counts it); `false` when `signal` fired first.
    pub(crate) async fn pace(
        &self,
        action: &'static str,
        qps: f64,
        signal: Option<&AbortSignal>,
    ) -> bool {
        loop {
            if signal.is_some_and(|s| s.aborted()) {
                return false;
            }
            match self.inner.windows.with(action, |w| w.admit(now_ms(), qps)) {
                Ok(()) => return true,
                Err(ms) => sleep(ms, signal).await,
            }
        }
    }
}

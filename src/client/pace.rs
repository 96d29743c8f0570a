//! The client's rate windows: one per action, shared by every call of the client that paces
//! itself (bulk calls, jobs, the paged reads), so that together they keep to the platform's
//! documented QPS. A call is admitted by its window, and its start counts from the moment its
//! request went out (`fetch` called).

use alloc::vec::Vec;
use core::cell::{RefCell, RefMut};

use web_sys::AbortSignal;

use super::time::{now_ms, sleep};
use super::{CallOptions, CallResult, Client, Error, Params};
use crate::core::bulk::RateWindow;
use crate::core::outcome::codes;
use crate::core::{Failure, Outcome};

/// The rate windows of one client, by action.
#[derive(Default)]
pub(crate) struct RateWindows(RefCell<Vec<(&'static str, RateWindow)>>);

impl RateWindows {
    /// The window of `action` (made on first use).
    pub(crate) fn of(&self, action: &'static str) -> RefMut<'_, RateWindow> {
        let mut all = self.0.borrow_mut();
        let i = match all.iter().position(|(a, _)| *a == action) {
            Some(i) => i,
            None => {
                all.push((action, RateWindow::new()));
                all.len() - 1
            }
        };
        RefMut::map(all, |all| &mut all[i].1)
    }

    /// The call `admitted` went out at `now_ms`.
    pub(crate) fn sent(&self, admitted: &Admitted, now_ms: f64) {
        let mut all = self.0.borrow_mut();
        if let Some((_, w)) = all.iter_mut().find(|(a, _)| *a == admitted.action) {
            w.sent(admitted.at_ms, now_ms);
        }
    }
}

/// A call let through by its action's rate window, not yet sent.
pub(crate) struct Admitted {
    action: &'static str,
    at_ms: f64,
}

impl Admitted {
    /// The call's request went out (`fetch` called): its start in the window moves to now.
    /// (For [`Client::send_with`]'s and [`Client::call_with`]'s `went_out`.)
    pub(crate) fn went_out(&self, client: &Client) {
        client.inner.windows.sent(self, now_ms());
    }
}

impl Client {
    /// Waits until the client's rate window for `action` lets one more call start under `qps`
    /// (and counts it); `None` when `signal` fired first. The call is sent with
    /// [`Admitted::went_out`] as its `went_out`, which moves its start to when it went out.
    pub(crate) async fn pace(
        &self,
        action: &'static str,
        qps: f64,
        signal: Option<&AbortSignal>,
    ) -> Option<Admitted> {
        loop {
            if signal.is_some_and(|s| s.aborted()) {
                return None;
            }
            let now = now_ms();
            let admitted = self.inner.windows.of(action).admit(now, qps);
            match admitted {
                Ok(()) => return Some(Admitted { action, at_ms: now }),
                Err(ms) => sleep(ms, signal).await,
            }
        }
    }

    /// One paced call of `action`: admitted by its rate window under `qps` (`Aborted` when the
    /// options' signal fires first), then sent, its start counted from when it went out.
    pub(crate) async fn paced_call(
        &self,
        action: &'static str,
        qps: f64,
        params: Params,
        options: &CallOptions,
    ) -> Result<CallResult, Error> {
        let Some(admitted) = self.pace(action, qps, options.signal.as_ref()).await else {
            return Err(Error::new(
                Failure::new(
                    codes::ABORTED,
                    "the listing was cancelled by its AbortSignal.",
                    Outcome::NotSent,
                ),
                &[],
            ));
        };
        let went_out = || admitted.went_out(self);
        self.call_with(action, params, options, Some(&went_out))
            .await
    }
}

//! The client's rate windows: one per action, shared by every call of the client that paces
//! itself (bulk calls, jobs, the paged reads), so that together they keep to the platform's
//! documented QPS. Each attempt of such a call is admitted by its window (a retry too), and
//! its start counts from the moment its request went out (`fetch` called).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cell::{Cell, RefCell, RefMut};
use core::future::Future;
use core::pin::Pin;

use web_sys::AbortSignal;

use super::time::{now_ms, sleep};
use super::{CallOptions, CallResult, Client, Error, Pacing, Params};
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

    /// The attempt of `action` admitted at `at_ms` went out at `now_ms`.
    fn sent(&self, action: &str, at_ms: f64, now_ms: f64) {
        let mut all = self.0.borrow_mut();
        if let Some((_, w)) = all.iter_mut().find(|(a, _)| *a == action) {
            w.sent(at_ms, now_ms);
        }
    }
}

/// A call let through by its action's rate window: sent with it as its [`Pacing`], so that each
/// later attempt (a retry) waits for the window too, and each attempt counts from when it went
/// out.
pub(crate) struct Admitted<'c> {
    client: &'c Client,
    action: &'static str,
    qps: f64,
    /// When the window admitted the latest attempt.
    at_ms: Cell<f64>,
}

impl Admitted<'_> {
    /// Waits for the window to let one more attempt start (counted from now); `false` when
    /// `signal` fired first. Boxed: the first admission and a retry's poll the one state machine.
    fn admit<'a>(
        &'a self,
        signal: Option<&'a AbortSignal>,
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
        Box::pin(async move {
            loop {
                if signal.is_some_and(|s| s.aborted()) {
                    return false;
                }
                let now = now_ms();
                let admitted = self
                    .client
                    .inner
                    .windows
                    .of(self.action)
                    .admit(now, self.qps);
                match admitted {
                    Ok(()) => {
                        self.at_ms.set(now);
                        return true;
                    }
                    Err(ms) => sleep(ms, signal).await,
                }
            }
        })
    }
}

impl Pacing for Admitted<'_> {
    fn admit_again<'a>(
        &'a self,
        signal: &'a AbortSignal,
    ) -> Pin<Box<dyn Future<Output = bool> + 'a>> {
        self.admit(Some(signal))
    }

    fn went_out(&self) {
        let windows = &self.client.inner.windows;
        windows.sent(self.action, self.at_ms.get(), now_ms());
    }
}

impl Client {
    /// Waits until the client's rate window for `action` lets one more call start under `qps`
    /// (and counts it); `None` when `signal` fired first. The call is sent with the
    /// [`Admitted`] as its [`Pacing`].
    pub(crate) async fn pace(
        &self,
        action: &'static str,
        qps: f64,
        signal: Option<&AbortSignal>,
    ) -> Option<Admitted<'_>> {
        let admitted = Admitted {
            client: self,
            action,
            qps,
            at_ms: Cell::new(0.0),
        };
        admitted.admit(signal).await.then_some(admitted)
    }

    /// One paced call of `action`: admitted by its rate window under `qps` (`Aborted` when the
    /// options' signal fires first), then sent, each attempt admitted and counted from when it
    /// went out.
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
        self.call_with(action, params, options, Some(&admitted))
            .await
    }
}

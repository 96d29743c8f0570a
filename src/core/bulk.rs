//! Bulk calls without I/O: the platform's QPS limits, the rate window that a client's bulk calls
//! share (no more than `qps` calls start in any one second, slower after throttling), the
//! pacing of progress reports, and the grouping of a fleet into batch calls.

/// How long the rate window is, ms.
pub const WINDOW_MS: f64 = 1000.0;

/// How much longer than [`WINDOW_MS`] a start is remembered, ms: the clock has whole ms
/// (`Date.now()`), so with this margin two calls a window apart are a full second apart on the
/// wire too. It costs 1 % of the rate.
pub const MARGIN_MS: f64 = 10.0;

/// The least time between two halvings of the rate after throttling, ms: calls in flight that
/// were throttled together halve it once, and a burst is cut to its sixteenth within a second.
pub const SLOW_DOWN_EVERY_MS: f64 = 200.0;

/// The least time between two progress reports, ms (the last one is always made).
pub const PROGRESS_EVERY_MS: f64 = 100.0;

/// The default number of calls in flight at once of a bulk call.
pub const DEFAULT_CONCURRENCY: u32 = 16;

/// The most calls in flight at once a bulk call allows (a browser holds about six connections
/// per origin over HTTP/1.1 anyway, and many more over HTTP/2).
pub const MAX_CONCURRENCY: u32 = 256;

/// The platform's documented QPS limit of an action for one account, from the catalog
/// ([`super::action`]): `InvokeThingService` and `SetDeviceProperty` 500/s, the batch actions
/// 10/s, the job actions 5/s. `None` for an action the catalog does not know.
pub fn platform_qps(action: &str) -> Option<f64> {
    super::action::find(action).map(|a| a.qps as f64)
}

/// Whether a platform code means the request was refused for its rate (`Throttling.*`,
/// `iot.messagebroker.RateLimit`), compared ignoring case.
pub fn is_throttling(code: &str) -> bool {
    let b = code.as_bytes();
    (b.len() >= 10 && b[..10].eq_ignore_ascii_case(b"Throttling"))
        || code.eq_ignore_ascii_case("iot.messagebroker.RateLimit")
}

/// The start times of the calls of the last second, for one action of one client, and how much
/// of the allowed rate may be used after throttling (1: all of it).
///
/// A call may start when fewer than `limit` calls started in the last [`WINDOW_MS`], where
/// `limit` is the caller's `qps` scaled by that share (at least 1). A throttled call halves the
/// share, at most once per [`SLOW_DOWN_EVERY_MS`] however many calls in flight were throttled
/// together; a call that was not throttled wins back a tenth of the rate, at most once per
/// window, up to all of it (additive increase, multiplicative decrease).
#[derive(Debug)]
pub struct RateWindow {
    /// Oldest first.
    starts: Vec<f64>,
    share: f64,
    /// When the share last changed (ms; it changes at most once per window).
    changed_ms: f64,
}

impl Default for RateWindow {
    fn default() -> Self {
        Self::new()
    }
}

impl RateWindow {
    /// An empty window with the whole rate allowed.
    pub fn new() -> Self {
        Self {
            starts: Vec::new(),
            share: 1.0,
            changed_ms: f64::NEG_INFINITY,
        }
    }

    /// How many calls may start per window under `qps`, now.
    pub fn limit(&self, qps: f64) -> usize {
        let l = (qps * self.share) as usize;
        l.max(1)
    }

    /// At `now_ms`, under `qps` calls per second: `Ok(())` when a call may start now (and it is
    /// counted as started), or `Err(ms)`, how long to wait before asking again.
    pub fn admit(&mut self, now_ms: f64, qps: f64) -> Result<(), f64> {
        // Those that left the window, moved out by one copy (a window holds at most `qps`).
        let s = &mut self.starts;
        let left = s
            .iter()
            .take_while(|&&t| t < now_ms - WINDOW_MS - MARGIN_MS)
            .count();
        let len = s.len();
        s.copy_within(left..len, 0);
        s.truncate(len - left);
        let limit = self.limit(qps);
        if self.starts.len() < limit {
            self.starts.push(now_ms);
            return Ok(());
        }
        // The call that must leave the window before one more may start.
        let oldest = self.starts[self.starts.len() - limit];
        Err((oldest + WINDOW_MS + MARGIN_MS + 1.0 - now_ms).max(1.0))
    }

    /// The call admitted at `admitted_ms` went out at `now_ms`: its start moves to then.
    ///
    /// A call goes out a moment after it is admitted (signing, fresh credentials, a busy event
    /// loop or machine): counting it from the moment it was sent keeps a window's calls a full
    /// window apart on the wire, however long that moment was.
    pub fn sent(&mut self, admitted_ms: f64, now_ms: f64) {
        let s = &mut self.starts;
        let Some(mut i) = (0..s.len()).rev().find(|&i| s[i] == admitted_ms) else {
            return;
        };
        // Those admitted after it and sent before it move up one: usually there are none.
        while i + 1 < s.len() && s[i + 1] < now_ms {
            s[i] = s[i + 1];
            i += 1;
        }
        s[i] = now_ms;
    }

    /// A call was throttled at `now_ms`: use half the rate (down to one call per window).
    pub fn throttled(&mut self, now_ms: f64) {
        if now_ms - self.changed_ms >= SLOW_DOWN_EVERY_MS {
            self.share *= 0.5;
            self.changed_ms = now_ms;
        }
    }

    /// A call ended at `now_ms` without being throttled: win back a tenth of the rate.
    pub fn not_throttled(&mut self, now_ms: f64) {
        if self.share < 1.0 && now_ms - self.changed_ms >= WINDOW_MS {
            self.share = (self.share + 0.1).min(1.0);
            self.changed_ms = now_ms;
        }
    }

    /// The share of the rate in use (1 until a throttle).
    pub fn share(&self) -> f64 {
        self.share
    }
}

/// Progress of a bulk call: how many targets are settled, and how.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Settled targets (ok, failed, or not sent after an abort).
    pub done: u32,
    /// All targets.
    pub total: u32,
    /// Succeeded.
    pub ok: u32,
    /// Failed (not sent included).
    pub failed: u32,
}

/// When to report progress: at most every [`PROGRESS_EVERY_MS`], and once at the end.
#[derive(Debug)]
pub struct ProgressPacer {
    progress: Progress,
    last_ms: f64,
    /// The final report was made.
    ended: bool,
}

impl ProgressPacer {
    /// Pacing for `total` targets from `start_ms` (the first report comes 100 ms later at the
    /// earliest, or at the end).
    pub fn new(total: u32, start_ms: f64) -> Self {
        Self {
            progress: Progress {
                total,
                ..Progress::default()
            },
            last_ms: start_ms,
            ended: false,
        }
    }

    /// Counts one settled target; the progress to report now, if any.
    pub fn settled(&mut self, ok: bool, now_ms: f64) -> Option<Progress> {
        let p = &mut self.progress;
        p.done += 1;
        if ok {
            p.ok += 1;
        } else {
            p.failed += 1;
        }
        if p.done == p.total {
            self.ended = true;
            self.last_ms = now_ms;
            return Some(*p);
        }
        if now_ms - self.last_ms >= PROGRESS_EVERY_MS {
            self.last_ms = now_ms;
            return Some(*p);
        }
        None
    }

    /// The final report, if it was not made yet (an empty call, or targets left unsent are
    /// counted in by [`ProgressPacer::settled`] first).
    pub fn finish(&mut self) -> Option<Progress> {
        if self.ended {
            return None;
        }
        self.ended = true;
        Some(self.progress)
    }

    /// The progress so far.
    pub fn progress(&self) -> Progress {
        self.progress
    }
}

/// Splits `0..n` into runs of at most `size` (the groups of a batch call).
pub fn groups(n: usize, size: usize) -> impl Iterator<Item = core::ops::Range<usize>> {
    let size = size.max(1);
    (0..n.div_ceil(size)).map(move |g| g * size..((g + 1) * size).min(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Starts as many calls as the window admits, at 1 ms steps, for `ms`; their start times.
    fn run(window: &mut RateWindow, qps: f64, ms: u32) -> Vec<f64> {
        let mut starts = Vec::new();
        let mut t = 0.0;
        while t < ms as f64 {
            match window.admit(t, qps) {
                Ok(()) => starts.push(t),
                Err(wait) => {
                    assert!(wait >= 1.0);
                    t += wait.min(1.0);
                }
            }
        }
        starts
    }

    fn max_in_any_window(starts: &[f64]) -> usize {
        starts
            .iter()
            .map(|&t| {
                starts
                    .iter()
                    .filter(|&&s| s >= t && s < t + WINDOW_MS)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn no_more_than_qps_start_in_any_second() {
        for qps in [1.0, 7.0, 200.0, 500.0] {
            let mut w = RateWindow::new();
            let starts = run(&mut w, qps, 5_000);
            assert!(max_in_any_window(&starts) <= qps as usize, "qps {qps}");
            // And it uses the rate: about qps per second over 5 s.
            assert!(
                starts.len() >= (qps * 5.0) as usize,
                "qps {qps}: {}",
                starts.len()
            );
        }
    }

    #[test]
    fn the_wait_is_until_the_oldest_start_leaves() {
        let mut w = RateWindow::new();
        assert!(w.admit(0.0, 2.0).is_ok());
        assert!(w.admit(300.0, 2.0).is_ok());
        assert_eq!(w.admit(400.0, 2.0), Err(611.0));
        assert_eq!(w.admit(999.0, 2.0), Err(12.0));
        assert_eq!(w.admit(1010.0, 2.0), Err(1.0), "the margin");
        assert!(w.admit(1011.0, 2.0).is_ok());
        // A caller with a larger qps is not held back by one with a smaller.
        assert!(w.admit(1011.0, 5.0).is_ok());
        // Two of the three in the window must leave for a caller of 2/s: 300, then 1011.
        assert_eq!(w.admit(1012.0, 2.0), Err(1010.0));
    }

    #[test]
    fn a_start_counts_from_when_the_call_went_out() {
        let mut w = RateWindow::new();
        assert!(w.admit(0.0, 2.0).is_ok());
        assert!(w.admit(0.0, 2.0).is_ok());
        // The first went out 1 ms after its admission, the second 40 ms (a stalled event loop).
        w.sent(0.0, 1.0);
        w.sent(0.0, 40.0);
        assert_eq!(w.starts, [1.0, 40.0]);
        assert_eq!(w.admit(1011.0, 2.0), Err(1.0));
        assert!(w.admit(1012.0, 2.0).is_ok());
        assert_eq!(w.admit(1012.0, 2.0), Err(39.0));
        assert!(w.admit(1051.0, 2.0).is_ok());
        // A start that already left the window is not brought back.
        w.sent(0.0, 2000.0);
        assert_eq!(w.starts, [1012.0, 1051.0]);
    }

    #[test]
    fn throttling_halves_the_rate_and_calm_wins_it_back() {
        let mut w = RateWindow::new();
        assert_eq!(w.limit(200.0), 200);
        w.throttled(0.0);
        assert_eq!(w.limit(200.0), 100);
        // Calls in flight throttled together halve it once.
        w.throttled(10.0);
        w.throttled(150.0);
        assert_eq!(w.limit(200.0), 100);
        w.throttled(200.0);
        assert_eq!(w.limit(200.0), 50);
        // Calm wins back a tenth per window, not per call.
        w.not_throttled(700.0);
        assert_eq!(w.limit(200.0), 50);
        for t in 0..30 {
            w.not_throttled(1200.0 + t as f64);
        }
        assert_eq!(w.limit(200.0), 70);
        for s in 3..20 {
            w.not_throttled(s as f64 * 1000.0);
        }
        assert_eq!(w.limit(200.0), 200);
        for s in 20..60 {
            w.throttled(s as f64 * 1000.0);
        }
        assert_eq!(w.limit(200.0), 1, "never below one call per window");
        let starts = run(&mut w, 200.0, 3_000);
        assert!(max_in_any_window(&starts) <= 1);
    }

    #[test]
    fn throttling_codes() {
        assert!(is_throttling("Throttling.User"));
        assert!(is_throttling("throttling.api"));
        assert!(is_throttling("Throttling"));
        assert!(is_throttling("iot.messagebroker.ratelimit"));
        assert!(!is_throttling("Throttl"));
        assert!(!is_throttling("ServiceUnavailable"));
    }

    #[test]
    fn progress_at_most_every_100_ms_and_at_the_end() {
        let mut p = ProgressPacer::new(5, 0.0);
        assert_eq!(p.settled(true, 10.0), None);
        let r = p.settled(false, 120.0).unwrap();
        assert_eq!((r.done, r.ok, r.failed, r.total), (2, 1, 1, 5));
        assert_eq!(p.settled(true, 150.0), None);
        assert_eq!(p.settled(true, 219.0), None);
        let r = p.settled(true, 221.0).unwrap();
        assert_eq!(
            (r.done, r.ok, r.failed),
            (5, 4, 1),
            "the end is always reported"
        );
        assert_eq!(p.finish(), None, "once");
        let mut empty = ProgressPacer::new(0, 0.0);
        assert_eq!(empty.finish(), Some(Progress::default()));
        assert_eq!(empty.finish(), None);
    }

    #[test]
    fn groups_of_a_batch() {
        let g: Vec<_> = groups(250, 100).collect();
        assert_eq!(g, [0..100, 100..200, 200..250]);
        assert_eq!(groups(0, 100).count(), 0);
        let one: Vec<_> = groups(100, 100).collect();
        assert_eq!(one.len(), 1);
        assert_eq!(one[0], 0..100);
    }
}

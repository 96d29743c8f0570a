//! Property history: what `QueryDevicePropertyData` and `QueryDevicePropertiesData` read.
//!
//! Two kinds of property: one the device reports on a schedule (the config's `report`: the
//! lamps' `Temperature`), whose points are generated from the time (any length, none stored),
//! and one set through the API (`SetDeviceProperty`, a `Set` service, a job), whose points are
//! kept as they are set. Both keep the platform's 30 days.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;

use crate::config::Report;

/// How far back the platform keeps property data.
pub const RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;
/// The most points kept per property of a device (the oldest dropped first).
const MAX_KEPT: usize = 100_000;

/// One point: unix ms and the value as the platform writes it (text).
pub type Point = (i64, String);

/// The value a reported property has at `t` on device `device` (a drift around `initial`).
pub fn reported_value(report: &Report, initial: f64, device: usize, t: i64) -> f64 {
    let period = report.period_ms.max(1) as f64;
    // Each device at its own phase, so that the lamps' curves differ.
    let phase = (device as f64 * 0.618_034).fract() * period;
    let x = (t as f64 + phase) / period * std::f64::consts::TAU;
    ((initial + report.amplitude * x.sin()) * 10.0).round() / 10.0
}

/// The text a value is answered with (`Value` is a string in the platform's answer).
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Up to `limit` points with times in `lo..=hi`, in time order (`asc`) or the reverse, and the
/// time of the next point after them, if one is left in the range.
pub fn page(
    source: &Source<'_>,
    lo: i64,
    hi: i64,
    asc: bool,
    limit: usize,
) -> (Vec<Point>, Option<i64>) {
    if lo > hi || limit == 0 {
        return (Vec::new(), None);
    }
    match source {
        Source::Reported {
            report,
            initial,
            device,
        } => {
            let every = report.every_ms.max(1) as i64;
            // The report times are the multiples of `every`.
            let first =
                lo.div_euclid(every) * every + if lo.rem_euclid(every) == 0 { 0 } else { every };
            let last = hi.div_euclid(every) * every;
            if first > last {
                return (Vec::new(), None);
            }
            let count = ((last - first) / every + 1) as usize;
            let take = count.min(limit);
            let at = |i: usize| {
                if asc {
                    first + i as i64 * every
                } else {
                    last - i as i64 * every
                }
            };
            let points = (0..take)
                .map(|i| {
                    let t = at(i);
                    let v = reported_value(report, *initial, *device, t);
                    (t, format_number(v))
                })
                .collect();
            (points, (count > take).then(|| at(take)))
        }
        Source::Kept(points) => {
            let (page, next) = records(points, lo, hi, asc, limit);
            (page.into_iter().map(|(t, v)| (t, text(&v))).collect(), next)
        }
    }
}

/// Up to `limit` records with times in `lo..=hi`, in time order (`asc`) or the reverse, and
/// the time of the first one left. A page never ends inside a run of records of the same time
/// (the next page, which starts at that time, would give them again): the run goes to the next
/// page, unless it fills the whole page (then the walk moves past that time).
pub fn records<T: Clone>(
    all: &VecDeque<(i64, T)>,
    lo: i64,
    hi: i64,
    asc: bool,
    limit: usize,
) -> (Vec<(i64, T)>, Option<i64>) {
    if lo > hi || limit == 0 {
        return (Vec::new(), None);
    }
    let inside = all.iter().filter(|(t, _)| (lo..=hi).contains(t));
    let ordered: Vec<&(i64, T)> = if asc {
        inside.collect()
    } else {
        let mut v: Vec<_> = inside.collect();
        v.reverse();
        v
    };
    let mut next = ordered.get(limit).map(|(t, _)| *t);
    let mut take = ordered.len().min(limit);
    if let Some(t) = next {
        let kept = ordered[..take].iter().take_while(|(x, _)| *x != t).count();
        if kept > 0 {
            take = kept;
        } else {
            next = ordered[take..].iter().map(|(x, _)| *x).find(|x| *x != t);
        }
    }
    let out = ordered.into_iter().take(take).cloned().collect();
    (out, next)
}

/// A float as the platform writes it: `21.5`, `22` for a whole value.
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v}")
    }
}

/// Where a property's points come from.
pub enum Source<'a> {
    /// Reported on a schedule: generated from the time.
    Reported {
        /// The schedule.
        report: &'a Report,
        /// The value the drift is around.
        initial: f64,
        /// The device's index (its phase).
        device: usize,
    },
    /// Set through the API: as kept.
    Kept(&'a VecDeque<(i64, Value)>),
}

/// One service call, as `QueryDeviceServiceData` answers it.
#[derive(Clone, Debug)]
pub struct ServiceCall {
    /// The service.
    pub identifier: String,
    /// Its name.
    pub name: String,
    /// The Args, as JSON text.
    pub input: String,
    /// What the device answered, as JSON text.
    pub output: String,
}

/// One event, as `QueryDeviceEventData` answers it.
#[derive(Clone, Debug)]
pub struct EventRaised {
    /// The event.
    pub identifier: String,
    /// Its name.
    pub name: String,
    /// `info`, `alert` or `error`.
    pub kind: &'static str,
    /// Its output, as JSON text.
    pub output: String,
}

/// The points of the properties set through the API, per device and identifier; the service
/// calls and the events raised, per device.
#[derive(Default)]
pub struct Kept {
    points: HashMap<(usize, String), VecDeque<(i64, Value)>>,
    services: HashMap<usize, VecDeque<(i64, ServiceCall)>>,
    events: HashMap<usize, VecDeque<(i64, EventRaised)>>,
}

fn keep<T>(q: &mut VecDeque<(i64, T)>, t: i64, item: T) {
    q.push_back((t, item));
    while q.len() > MAX_KEPT || q.front().is_some_and(|(old, _)| *old < t - RETENTION_MS) {
        q.pop_front();
    }
}

impl Kept {
    /// Notes that `identifier` of device `device` became `value` at `t` (dropping what is
    /// older than the retention).
    pub fn record(&mut self, device: usize, identifier: &str, value: &Value, t: i64) {
        let q = self
            .points
            .entry((device, identifier.to_string()))
            .or_default();
        keep(q, t, value.clone());
    }

    /// Notes a service call of `device`.
    pub fn service(&mut self, device: usize, call: ServiceCall, t: i64) {
        keep(self.services.entry(device).or_default(), t, call);
    }

    /// Notes an event of `device`.
    pub fn event(&mut self, device: usize, event: EventRaised, t: i64) {
        keep(self.events.entry(device).or_default(), t, event);
    }

    /// The service calls of `device`.
    pub fn services_of(&self, device: usize) -> Option<&VecDeque<(i64, ServiceCall)>> {
        self.services.get(&device)
    }

    /// The events of `device`.
    pub fn events_of(&self, device: usize) -> Option<&VecDeque<(i64, EventRaised)>> {
        self.events.get(&device)
    }

    /// The points of `identifier` of `device` (empty when none was set).
    pub fn of(&self, device: usize, identifier: &str) -> Option<&VecDeque<(i64, Value)>> {
        self.points.get(&(device, identifier.to_string()))
    }

    /// Forgets everything.
    pub fn clear(&mut self) {
        self.points.clear();
        self.services.clear();
        self.events.clear();
    }
}

/// The report times in `lo..=hi` at which a reported property rises to `threshold` or above
/// (from below at the report before): when a `when_above` event is raised, with the value.
pub fn crossings(
    report: &Report,
    initial: f64,
    device: usize,
    threshold: f64,
    lo: i64,
    hi: i64,
) -> VecDeque<(i64, f64)> {
    let every = report.every_ms.max(1) as i64;
    let mut out = VecDeque::new();
    if lo > hi {
        return out;
    }
    let first = lo.div_euclid(every) * every;
    let mut before = reported_value(report, initial, device, first - every);
    let mut t = first;
    while t <= hi {
        let v = reported_value(report, initial, device, t);
        if t >= lo && v >= threshold && before < threshold {
            out.push_back((t, v));
        }
        before = v;
        t += every;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            every_ms: 1000,
            amplitude: 2.0,
            period_ms: 60_000,
        }
    }

    #[test]
    fn reported_points_are_the_multiples_of_the_period_in_range() {
        let r = report();
        let s = Source::Reported {
            report: &r,
            initial: 20.0,
            device: 3,
        };
        let (p, next) = page(&s, 1500, 5000, true, 10);
        assert_eq!(
            p.iter().map(|(t, _)| *t).collect::<Vec<_>>(),
            [2000, 3000, 4000, 5000]
        );
        assert_eq!(next, None);
        let (p, next) = page(&s, 1000, 5000, false, 2);
        assert_eq!(p.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [5000, 4000]);
        assert_eq!(next, Some(3000));
        for (_, v) in &p {
            let v: f64 = v.parse().unwrap();
            assert!((18.0..=22.0).contains(&v));
        }
    }

    #[test]
    fn kept_points_page_and_expire() {
        let mut k = Kept::default();
        for t in [10, 20, 30] {
            k.record(0, "Brightness", &Value::from(t), t);
        }
        let s = Source::Kept(k.of(0, "Brightness").unwrap());
        let (p, next) = page(&s, 0, 100, true, 2);
        assert_eq!(p, [(10, "10".to_string()), (20, "20".to_string())]);
        assert_eq!(next, Some(30));
        k.record(0, "Brightness", &Value::from(1), 30 + RETENTION_MS + 1);
        assert_eq!(k.of(0, "Brightness").unwrap().len(), 1);
    }
}

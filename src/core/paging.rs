//! Paging as the platform's list and history actions require, pure: the client sends what
//! `request` says and tells `answered` what came back.
//!
//! - [`DevicePaging`]: a product's devices by `QueryDevice`: `CurrentPage` and `PageSize`, and,
//!   once the previous page gave one, its `NextToken` (the platform refuses a page past the
//!   10,000th device without it).
//! - [`HistoryPaging`]: a time range by `QueryDevicePropertyData` or
//!   `QueryDevicePropertiesData`: the next page starts at the answer's `NextTime`.

use alloc::string::String;
use alloc::vec::Vec;

use super::attempts::push_u64;

/// The most devices one `QueryDevice` page holds.
pub const MAX_DEVICE_PAGE: u32 = 50;
/// Past this many devices (`PageSize` × `CurrentPage`) a page needs the previous `NextToken`.
pub const NEXT_TOKEN_AFTER: u64 = 10_000;
/// The most devices `QueryDevice` lists (with a token, `PageSize` × `CurrentPage` stays under).
pub const MAX_DEVICES_LISTED: u64 = 1_000_000;

/// Where a walk through a product's devices is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePaging {
    page_size: u32,
    page: u32,
    token: Option<String>,
    seen: u64,
    done: bool,
}

impl DevicePaging {
    /// A walk `page_size` devices a page (1 to 50).
    pub fn new(page_size: u32) -> Result<Self, &'static str> {
        if !(1..=MAX_DEVICE_PAGE).contains(&page_size) {
            return Err("pageSize: a whole number from 1 to 50");
        }
        Ok(Self {
            page_size,
            page: 1,
            token: None,
            seen: 0,
            done: false,
        })
    }

    /// Whether every page has been read.
    pub fn done(&self) -> bool {
        self.done
    }

    /// The paging parameters of the next page (`None` when done): `CurrentPage`, `PageSize` and
    /// the previous page's `NextToken` when it gave one.
    pub fn request(&self) -> Option<Vec<(String, String)>> {
        if self.done {
            return None;
        }
        let number = |n: u64| {
            let mut s = String::new();
            push_u64(&mut s, n);
            s
        };
        let mut p = Vec::with_capacity(3);
        p.push(("CurrentPage".into(), number(self.page.into())));
        p.push(("PageSize".into(), number(self.page_size.into())));
        if let Some(t) = &self.token {
            p.push(("NextToken".into(), t.clone()));
        }
        Some(p)
    }

    /// A page came back with `got` devices, the product's `total` (when given) and its
    /// `NextToken` (when given).
    pub fn answered(&mut self, got: usize, total: Option<u64>, next_token: Option<String>) {
        self.seen += got as u64;
        let token = next_token.filter(|t| !t.is_empty());
        let more = match (&token, total) {
            (Some(_), _) => true,
            // Without a token, the page size says whether the list went on: a full page may
            // have a successor, which `Total` settles when it is given.
            (None, Some(total)) => self.seen < total && got == self.page_size as usize,
            (None, None) => got == self.page_size as usize,
        };
        let next_page = u64::from(self.page) + 1;
        let beyond = next_page * u64::from(self.page_size);
        self.done = !more
            || got == 0
            || (token.is_none() && beyond > NEXT_TOKEN_AFTER)
            || beyond >= MAX_DEVICES_LISTED;
        self.page += 1;
        self.token = token;
    }
}

/// The platform keeps property history this long.
pub const HISTORY_RETENTION_MS: i64 = 30 * 24 * 3600 * 1000;

/// How a history action names its range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeForm {
    /// `QueryDevicePropertyData`: `StartTime` < `EndTime` whatever the order; newest first
    /// continues with `NextTime` as the `EndTime`.
    Ordered,
    /// `QueryDevicePropertiesData`: `StartTime` is where the reading starts (after `EndTime`
    /// when newest first); it continues with `NextTime` as the `StartTime`.
    FromStart,
}

/// Where a walk through a time range is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryPaging {
    lo: i64,
    hi: i64,
    asc: bool,
    form: RangeForm,
    done: bool,
}

impl HistoryPaging {
    /// A walk through `from..=to` (unix ms), oldest first when `asc`. `now_ms` is the
    /// server's time: a range ending in the future, or starting more than 30 days back, is
    /// refused (the platform keeps 30 days).
    pub fn new(
        from: i64,
        to: i64,
        asc: bool,
        form: RangeForm,
        now_ms: i64,
    ) -> Result<Self, &'static str> {
        if from >= to {
            return Err("from: must be before to");
        }
        if from < now_ms - HISTORY_RETENTION_MS {
            return Err("from: the platform keeps the last 30 days only");
        }
        Ok(Self {
            lo: from,
            hi: to,
            asc,
            form,
            done: false,
        })
    }

    /// Whether every page has been read.
    pub fn done(&self) -> bool {
        self.done
    }

    /// `StartTime`, `EndTime` and `Asc` of the next page (`None` when done).
    pub fn request(&self) -> Option<[(&'static str, String); 3]> {
        if self.done {
            return None;
        }
        let number = |n: i64| {
            let mut s = String::new();
            push_u64(&mut s, n.max(0) as u64);
            s
        };
        let (start, end) = match (self.form, self.asc) {
            (RangeForm::FromStart, false) => (self.hi, self.lo),
            _ => (self.lo, self.hi),
        };
        Some([
            ("StartTime", number(start)),
            ("EndTime", number(end)),
            ("Asc", String::from(if self.asc { "1" } else { "0" })),
        ])
    }

    /// A page came back: `next` is its `NextTime` when `NextValid` (the time of the first
    /// point not yet read).
    pub fn answered(&mut self, next: Option<i64>) {
        match next {
            // The range shrinks from the side being read; a `NextTime` outside it (or that
            // would not move the walk on) ends it, rather than loop.
            Some(t) if self.asc && t > self.lo && t <= self.hi => self.lo = t,
            Some(t) if !self.asc && t < self.hi && t >= self.lo => self.hi = t,
            _ => self.done = true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_ranges_are_checked_and_walked() {
        let now = 100 * 86_400_000;
        assert!(HistoryPaging::new(10, 10, true, RangeForm::Ordered, now).is_err());
        assert!(
            HistoryPaging::new(now - 31 * 86_400_000, now, true, RangeForm::Ordered, now).is_err()
        );
        let mut up = HistoryPaging::new(now - 1000, now, true, RangeForm::Ordered, now).unwrap();
        assert_eq!(up.request().unwrap()[2].1, "1");
        up.answered(Some(now - 500));
        assert_eq!(up.request().unwrap()[0].1, (now - 500).to_string());
        up.answered(None);
        assert!(up.done());
        // Newest first, FromStart: StartTime is the newer end.
        let mut down =
            HistoryPaging::new(now - 1000, now, false, RangeForm::FromStart, now).unwrap();
        let r = down.request().unwrap();
        assert_eq!(
            (r[0].1.as_str(), r[1].1.as_str()),
            (now.to_string().as_str(), (now - 1000).to_string().as_str())
        );
        down.answered(Some(now - 300));
        assert_eq!(down.request().unwrap()[0].1, (now - 300).to_string());
        // A NextTime that does not move the walk on ends it.
        down.answered(Some(now - 300));
        assert!(down.done());
    }

    #[test]
    fn page_size_is_checked() {
        assert!(DevicePaging::new(0).is_err());
        assert!(DevicePaging::new(51).is_err());
        assert!(DevicePaging::new(50).is_ok());
    }

    #[test]
    fn the_token_is_carried_and_the_end_found() {
        let mut p = DevicePaging::new(10).unwrap();
        let first = p.request().unwrap();
        assert_eq!(
            first,
            [
                ("CurrentPage".into(), "1".into()),
                ("PageSize".into(), "10".into())
            ]
        );
        p.answered(10, Some(25), Some("t1".into()));
        let second = p.request().unwrap();
        assert_eq!(second[0].1, "2");
        assert_eq!(second[2], ("NextToken".into(), "t1".into()));
        p.answered(10, Some(25), Some("t2".into()));
        p.answered(5, Some(25), None);
        assert!(p.done());
        assert_eq!(p.request(), None);
    }
}

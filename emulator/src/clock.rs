//! The emulator's clock: system time plus an offset that tests may set (`/_emulator/clock`),
//! and the date forms the platform uses (ISO 8601 `Timestamp`s and `Expiration`s, the HTTP
//! `Date` header), read and written with the `time` crate.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use time::format_description::FormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};

/// `YYYY-MM-DDThh:mm:ssZ`, the only `Timestamp` form the platform accepts.
const ISO: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// IMF-fixdate (RFC 9110), the HTTP `Date` header.
const HTTP_DATE: &[FormatItem<'static>] = format_description!(
    "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
);

/// System time shifted by a settable offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset_ms: AtomicI64,
}

impl Clock {
    /// Unix ms, offset applied.
    pub fn now_ms(&self) -> i64 {
        let sys = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        sys + self.offset_ms.load(Ordering::Relaxed)
    }

    /// Sets the offset from system time.
    pub fn set_offset_ms(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
    }

    /// The current offset.
    pub fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }
}

fn utc(ms: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000)).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Parses `YYYY-MM-DDThh:mm:ssZ` strictly (four-digit year, no fraction, no offset); Unix ms.
pub fn parse_iso(s: &str) -> Option<i64> {
    if s.len() != 20 || !s.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let t = PrimitiveDateTime::parse(s, ISO).ok()?.assume_utc();
    Some(t.unix_timestamp() * 1000)
}

/// Formats Unix ms as `YYYY-MM-DDThh:mm:ssZ`.
pub fn format_iso(ms: i64) -> String {
    utc(ms).format(ISO).unwrap_or_default()
}

/// Formats Unix ms as an HTTP `Date` (IMF-fixdate).
pub fn format_http(ms: i64) -> String {
    utc(ms).format(HTTP_DATE).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_round_trip() {
        assert_eq!(parse_iso("2016-02-23T12:46:24Z"), Some(1_456_231_584_000));
        assert_eq!(format_iso(1_456_231_584_999), "2016-02-23T12:46:24Z");
        assert_eq!(parse_iso("2016-02-30T12:46:24Z"), None);
        assert_eq!(parse_iso("2016-04-31T12:46:24Z"), None);
        assert_eq!(parse_iso("2016-02-23T12:46:24.000Z"), None);
        assert_eq!(parse_iso("2016-02-23T12:46:24+00:00"), None);
        assert_eq!(parse_iso("2016-02-23 12:46:24Z"), None);
        assert_eq!(parse_iso("+016-02-23T12:46:24Z"), None);
        assert_eq!(parse_iso("2016-02-23T24:00:00Z"), None);
        assert_eq!(
            format_http(784_111_777_000),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
    }
}

//! The wire form of `Timestamp` (`YYYY-MM-DDThh:mm:ssZ`, UTC, no milliseconds) and the
//! HTTP `Date` header, both to and from Unix time. The core never reads a clock: callers pass time in.

use alloc::format;
use alloc::string::String;

use super::encode::push_ascii;
use core::fmt;

/// A UTC instant with whole-second precision, as the platform's `Timestamp` parameter carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    unix_seconds: i64,
}

/// Why a timestamp string was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimestampFormatError;

impl fmt::Display for TimestampFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("expected a UTC time as YYYY-MM-DDThh:mm:ssZ")
    }
}

// Howard Hinnant's civil-from-days / days-from-civil algorithms.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// `x` rounded down (`f64::floor` is a std method); saturates like `as`.
fn floor(x: f64) -> i64 {
    let t = x as i64;
    if (t as f64) > x {
        t - 1
    } else {
        t
    }
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn digits(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(s.iter().fold(0u32, |n, &b| n * 10 + (b - b'0') as u32))
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl Timestamp {
    /// From seconds since the Unix epoch.
    pub const fn from_unix_seconds(unix_seconds: i64) -> Self {
        Self { unix_seconds }
    }

    /// From milliseconds since the Unix epoch (as `Date.now()` gives), truncated to the second.
    pub fn from_unix_millis(ms: f64) -> Self {
        Self {
            unix_seconds: floor(ms / 1000.0),
        }
    }

    /// Seconds since the Unix epoch.
    pub const fn unix_seconds(self) -> i64 {
        self.unix_seconds
    }

    /// Parses the wire form `YYYY-MM-DDThh:mm:ssZ` exactly (no fraction, no offset).
    pub fn parse(s: &str) -> Result<Self, TimestampFormatError> {
        let b = s.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return Err(TimestampFormatError);
        }
        let num = |r: core::ops::Range<usize>| digits(&b[r]).ok_or(TimestampFormatError);
        let (y, mo, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
        let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo)
            || d == 0
            || d > days_in_month(y, mo)
            || h > 23
            || mi > 59
            || se > 59
        {
            return Err(TimestampFormatError);
        }
        Ok(Self::from_civil(y, mo, d, h, mi, se))
    }

    fn from_civil(y: i64, mo: u32, d: u32, h: u32, mi: u32, se: u32) -> Self {
        Self {
            unix_seconds: days_from_civil(y, mo, d) * 86_400 + (h * 3600 + mi * 60 + se) as i64,
        }
    }

    /// Parses an HTTP `Date` header (IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`).
    pub fn parse_http_date(s: &str) -> Option<Self> {
        let mut it = s.split_ascii_whitespace();
        let _weekday = it.next()?;
        let d = digits(it.next()?.as_bytes())?;
        let mon = it.next()?;
        let mo = MONTHS.iter().position(|m| *m == mon)? as u32 + 1;
        let y = digits(it.next()?.as_bytes())? as i64;
        let mut hms = super::text::split(it.next()?, b':');
        let h = digits(hms.next()?.as_bytes())?;
        let mi = digits(hms.next()?.as_bytes())?;
        let se = digits(hms.next()?.as_bytes())?;
        if it.next()? != "GMT" || d == 0 || d > 31 || h > 23 || mi > 59 || se > 60 {
            return None;
        }
        Some(Self::from_civil(y, mo, d, h, mi, se.min(59)))
    }

    /// Formats as an HTTP `Date` header value.
    pub fn to_http_date(self) -> String {
        const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        format!(
            "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
            DAYS[days.rem_euclid(7) as usize],
            d,
            MONTHS[m as usize - 1],
            y,
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl Timestamp {
    /// Appends the wire form, `YYYY-MM-DDThh:mm:ssZ`, to `out` (without `core::fmt`, which the
    /// wasm build leaves out).
    pub fn push_wire(self, out: &mut String) {
        let days = self.unix_seconds.div_euclid(86_400);
        let secs = self.unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let y = y.clamp(0, 9999) as u32;
        let fields = [
            (y / 100, b'\0'),
            (y % 100, b'-'),
            (m, b'-'),
            (d, b'T'),
            ((secs / 3600) as u32, b':'),
            ((secs / 60 % 60) as u32, b':'),
            ((secs % 60) as u32, b'Z'),
        ];
        // Two digits each, then the separator that follows (none after the century).
        for (n, sep) in fields {
            push_ascii(out, b'0' + (n / 10 % 10) as u8);
            push_ascii(out, b'0' + (n % 10) as u8);
            if sep != b'\0' {
                push_ascii(out, sep);
            }
        }
    }

    /// The wire form as a new string.
    pub fn wire(self) -> String {
        let mut s = String::with_capacity(20);
        self.push_wire(&mut s);
        s
    }
}

impl fmt::Display for Timestamp {
    /// The wire form, `YYYY-MM-DDThh:mm:ssZ`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.wire())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[allow(unused_imports)]
    use std::{format, prelude::rust_2021::*, vec};

    #[test]
    fn formats_and_parses_the_wire_form() {
        let t = Timestamp::from_unix_seconds(1_456_231_584);
        assert_eq!(t.to_string(), "2016-02-23T12:46:24Z");
        assert_eq!(Timestamp::parse("2016-02-23T12:46:24Z"), Ok(t));
        assert_eq!(
            Timestamp::from_unix_seconds(0).to_string(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::parse("2024-02-29T23:59:59Z")
                .unwrap()
                .to_string(),
            "2024-02-29T23:59:59Z"
        );
    }

    #[test]
    fn refuses_other_forms() {
        for s in [
            "2016-02-23T12:46:24.000Z",
            "2016-02-23 12:46:24Z",
            "2016-02-23T12:46:24+08:00",
            "2023-02-29T00:00:00Z",
            "2016-13-01T00:00:00Z",
            "2016-02-23T24:00:00Z",
            "",
        ] {
            assert_eq!(Timestamp::parse(s), Err(TimestampFormatError), "{s}");
        }
    }

    #[test]
    fn millis_truncate() {
        assert_eq!(
            Timestamp::from_unix_millis(1_456_231_584_999.0).to_string(),
            "2016-02-23T12:46:24Z"
        );
    }

    #[test]
    fn http_date_round_trip() {
        let t = Timestamp::from_unix_seconds(784_111_777);
        assert_eq!(t.to_http_date(), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(
            Timestamp::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(t)
        );
        assert_eq!(Timestamp::parse_http_date("garbage"), None);
    }
}

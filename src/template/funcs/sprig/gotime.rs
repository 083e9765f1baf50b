//! Go's `time` package as far as templates see it: reference-time layouts (`2006-01-02T15:04:05Z07:00`)
//! for formatting and parsing, locations (`UTC`, `Local`, IANA names, fixed zones made up by a parse),
//! `Time.String()`, and `time.Duration`'s `String()` and `ParseDuration`.
//!
//! Layout chunks follow Go's `nextStdChunk` (`Jan January 1 01 Mon Monday 2 _2 02 __2 002 15 3 03 4 04
//! 5 05 2006 06 PM pm MST Z0700 Z07:00 Z07 -0700 -07:00 -07 …` and `.000`/`.999`/`,000` fractions);
//! errors are Go's `ParseError` texts. IANA zones come from `chrono-tz`; `Local` is `$TZ` or the zone
//! `/etc/localtime` links to, else UTC (Go reads the same sources, but from the system's zoneinfo files,
//! so a system whose tzdata differs from chrono-tz's may name a zone's abbreviation differently).
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone, Timelike};
use chrono_tz::{OffsetName, Tz};

/// A `*time.Location`.
#[derive(Clone, Debug, PartialEq)]
pub enum Zone {
    Utc,
    /// Go's `time.Local`.
    Local,
    /// A zone from the IANA database.
    Named(Tz),
    /// `time.FixedZone(name, offset)`, as a parse creates for offsets it cannot place.
    Fixed {
        name: String,
        offset: i32,
    },
}

/// The zone `Local` stands for.
fn local_tz() -> Option<Tz> {
    static LOCAL: OnceLock<Option<Tz>> = OnceLock::new();
    *LOCAL.get_or_init(|| {
        if let Ok(tz) = std::env::var("TZ") {
            return tz.trim_start_matches(':').parse::<Tz>().ok();
        }
        let target = std::fs::read_link("/etc/localtime").ok()?;
        let target = target.to_string_lossy().into_owned();
        let name = target.split("zoneinfo/").nth(1)?;
        name.parse::<Tz>().ok()
    })
}

impl Zone {
    /// The abbreviation and offset (seconds east of UTC) in effect at `unix` seconds.
    pub fn lookup(&self, unix: i64) -> (String, i32) {
        let tz = match self {
            Zone::Utc => return ("UTC".to_string(), 0),
            Zone::Fixed { name, offset } => return (name.clone(), *offset),
            Zone::Local => match local_tz() {
                Some(tz) => tz,
                None => return ("UTC".to_string(), 0),
            },
            Zone::Named(tz) => *tz,
        };
        let Some(utc) = chrono::DateTime::from_timestamp(unix, 0) else {
            return ("UTC".to_string(), 0);
        };
        let offset = tz.offset_from_utc_datetime(&utc.naive_utc());
        let name = offset.abbreviation().unwrap_or("").to_string();
        (name, offset.fix().local_minus_utc())
    }

    /// Whether daylight saving time is in effect at `unix` seconds (Go's `Time.IsDST`).
    pub fn is_dst(&self, unix: i64) -> bool {
        use chrono_tz::OffsetComponents;
        let tz = match self {
            Zone::Utc | Zone::Fixed { .. } => return false,
            Zone::Local => match local_tz() {
                Some(tz) => tz,
                None => return false,
            },
            Zone::Named(tz) => *tz,
        };
        let Some(utc) = chrono::DateTime::from_timestamp(unix, 0) else {
            return false;
        };
        !tz.offset_from_utc_datetime(&utc.naive_utc())
            .dst_offset()
            .is_zero()
    }

    /// The offset of this zone for a wall-clock time in it, and whether the abbreviation `name`
    /// is used at that time (Go's `lookupName`).
    fn offset_named(&self, name: &str, unix_guess: i64) -> Option<i32> {
        let (abbrev, offset) = self.lookup(unix_guess - i64::from(self.lookup(unix_guess).1));
        (abbrev == name).then_some(offset)
    }
}

/// Go's `time.LoadLocation`: "" and "UTC" are UTC, "Local" is local, else an IANA name.
pub fn load_location(name: &str) -> Option<Zone> {
    match name {
        "" | "UTC" => Some(Zone::Utc),
        "Local" => Some(Zone::Local),
        other => other.parse::<Tz>().ok().map(Zone::Named),
    }
}

/// A `time.Time`: an instant, its location, and (for `now`) a monotonic clock reading in nanoseconds.
#[derive(Clone, Debug, PartialEq)]
pub struct GoTime {
    pub unix: i64,
    pub nanos: u32,
    pub zone: Zone,
    pub monotonic: Option<i64>,
}

const SECONDS_PER_DAY: i64 = 86_400;

impl GoTime {
    /// Go's zero `time.Time`: January 1, year 1, 00:00:00 UTC.
    pub fn zero() -> GoTime {
        GoTime {
            unix: -62_135_596_800,
            nanos: 0,
            zone: Zone::Utc,
            monotonic: None,
        }
    }

    pub fn from_unix(unix: i64, nanos: u32, zone: Zone) -> GoTime {
        GoTime {
            unix,
            nanos,
            zone,
            monotonic: None,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.unix == -62_135_596_800 && self.nanos == 0
    }

    /// The same instant in another location (Go's `In`), without the monotonic reading.
    pub fn in_zone(&self, zone: Zone) -> GoTime {
        GoTime {
            zone,
            monotonic: None,
            ..self.clone()
        }
    }

    /// Go's `Add`: shifts the instant (and the monotonic reading) by `ns` nanoseconds.
    pub fn add_nanos(&self, ns: i64) -> GoTime {
        let total = i128::from(self.nanos) + i128::from(ns);
        let secs = total.div_euclid(1_000_000_000) as i64;
        let nanos = total.rem_euclid(1_000_000_000) as u32;
        GoTime {
            unix: self.unix.saturating_add(secs),
            nanos,
            zone: self.zone.clone(),
            monotonic: self.monotonic.map(|m| m.saturating_add(ns)),
        }
    }

    /// Nanoseconds from `other` to `self` (Go's `Sub`, saturating).
    pub fn sub_nanos(&self, other: &GoTime) -> i64 {
        let d = i128::from(self.unix - other.unix) * 1_000_000_000 + i128::from(self.nanos)
            - i128::from(other.nanos);
        d.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    /// The wall clock in this time's zone, with the zone's abbreviation and offset.
    fn wall(&self) -> (NaiveDateTime, String, i32) {
        let (name, offset) = self.zone.lookup(self.unix);
        let local = self.unix + i64::from(offset);
        let days = local.div_euclid(SECONDS_PER_DAY);
        let secs = local.rem_euclid(SECONDS_PER_DAY) as u32;
        let date =
            NaiveDate::from_num_days_from_ce_opt((days + 719_163) as i32).unwrap_or(NaiveDate::MIN);
        let time = chrono::NaiveTime::from_num_seconds_from_midnight_opt(secs, self.nanos)
            .unwrap_or_default();
        (date.and_time(time), name, offset)
    }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`, plus ` m=±S.NNNNNNNNN` when
    /// the time carries a monotonic reading.
    pub fn go_string(&self) -> String {
        let mut s = format(self, "2006-01-02 15:04:05.999999999 -0700 MST");
        if let Some(m) = self.monotonic {
            let sign = if m < 0 { '-' } else { '+' };
            let m = m.unsigned_abs();
            s.push_str(&format!(
                " m={sign}{}.{:09}",
                m / 1_000_000_000,
                m % 1_000_000_000
            ));
        }
        s
    }

    /// RFC 3339 with nanoseconds, as `MarshalJSON` writes it.
    pub fn rfc3339_nano(&self) -> String {
        format(self, "2006-01-02T15:04:05.999999999Z07:00")
    }

    pub fn year(&self) -> i32 {
        self.wall().0.year()
    }

    /// The month (1–12) in this time's zone.
    pub fn month(&self) -> u32 {
        self.wall().0.month()
    }

    /// The weekday (0 = Sunday) in this time's zone.
    pub fn weekday(&self) -> u32 {
        self.wall().0.weekday().num_days_from_sunday()
    }

    /// The location's name as Go's `Location.String()` prints it.
    pub fn location_name(&self) -> String {
        match &self.zone {
            Zone::Utc => "UTC".to_string(),
            Zone::Local => "Local".to_string(),
            Zone::Named(tz) => tz.name().to_string(),
            Zone::Fixed { name, .. } => name.clone(),
        }
    }

    /// Go's `AddDate`: the civil date shifted by years, months and days, normalised as Go's `Date`
    /// does (October 31 + 1 month is December 1), at the same wall-clock time in the same zone.
    pub fn add_date(&self, years: i64, months: i64, days: i64) -> GoTime {
        let (wall, _, _) = self.wall();
        let month_index =
            i64::from(wall.year()) * 12 + i64::from(wall.month0()) + years * 12 + months;
        let (year, month0) = (month_index.div_euclid(12), month_index.rem_euclid(12));
        let first =
            NaiveDate::from_ymd_opt(year as i32, month0 as u32 + 1, 1).unwrap_or(NaiveDate::MIN);
        let day_number = i64::from(first.num_days_from_ce()) + i64::from(wall.day()) - 1 + days;
        let secs_of_day = i64::from(wall.num_seconds_from_midnight());
        let wall_secs = (day_number - 719_163) * SECONDS_PER_DAY + secs_of_day;
        let (_, guess) = self.zone.lookup(wall_secs);
        let (_, offset) = self.zone.lookup(wall_secs - i64::from(guess));
        GoTime {
            unix: wall_secs - i64::from(offset),
            nanos: self.nanos,
            zone: self.zone.clone(),
            monotonic: None,
        }
    }
}

/// One element of a layout.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Chunk {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    /// Numeric zone: (iso `Z` form, colon, with minutes, with seconds).
    NumTz {
        iso: bool,
        colon: bool,
        minutes: bool,
        seconds: bool,
    },
    /// Fractional seconds: (digits, trailing zeros trimmed, separator).
    Frac {
        digits: usize,
        trim: bool,
        sep: u8,
    },
}

fn starts_with_lower(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_lowercase)
}

/// Go's `nextStdChunk`: (literal prefix, chunk and its layout text, rest of the layout).
fn next_chunk(layout: &str) -> (&str, Option<(Chunk, &str)>, &str) {
    let b = layout.as_bytes();
    for i in 0..b.len() {
        if !layout.is_char_boundary(i) {
            continue;
        }
        let rest = &layout[i..];
        let found: Option<(Chunk, usize)> = match b[i] {
            b'J' if rest.starts_with("January") => Some((Chunk::LongMonth, 7)),
            b'J' if rest.starts_with("Jan") && !starts_with_lower(&rest[3..]) => {
                Some((Chunk::Month, 3))
            }
            b'M' if rest.starts_with("Monday") => Some((Chunk::LongWeekDay, 6)),
            b'M' if rest.starts_with("Mon") && !starts_with_lower(&rest[3..]) => {
                Some((Chunk::WeekDay, 3))
            }
            b'M' if rest.starts_with("MST") => Some((Chunk::Tz, 3)),
            b'0' if rest.starts_with("002") => Some((Chunk::ZeroYearDay, 3)),
            b'0' if rest.len() >= 2 && (b'1'..=b'6').contains(&b[i + 1]) => Some((
                [
                    Chunk::ZeroMonth,
                    Chunk::ZeroDay,
                    Chunk::ZeroHour12,
                    Chunk::ZeroMinute,
                    Chunk::ZeroSecond,
                    Chunk::Year,
                ][usize::from(b[i + 1] - b'1')],
                2,
            )),
            b'1' if rest.starts_with("15") => Some((Chunk::Hour, 2)),
            b'1' => Some((Chunk::NumMonth, 1)),
            b'2' if rest.starts_with("2006") => Some((Chunk::LongYear, 4)),
            b'2' => Some((Chunk::Day, 1)),
            b'_' if rest.starts_with("_2006") => {
                // A literal `_` followed by the year.
                return (
                    &layout[..i + 1],
                    Some((Chunk::LongYear, &layout[i + 1..i + 5])),
                    &layout[i + 5..],
                );
            }
            b'_' if rest.starts_with("_2") => Some((Chunk::UnderDay, 2)),
            b'_' if rest.starts_with("__2") => Some((Chunk::UnderYearDay, 3)),
            b'3' => Some((Chunk::Hour12, 1)),
            b'4' => Some((Chunk::Minute, 1)),
            b'5' => Some((Chunk::Second, 1)),
            b'P' if rest.starts_with("PM") => Some((Chunk::PM, 2)),
            b'p' if rest.starts_with("pm") => Some((Chunk::Pm, 2)),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let tail = &rest[1..];
                [
                    ("07:00:00", true, true, true),
                    ("070000", false, true, true),
                    ("07:00", true, true, false),
                    ("0700", false, true, false),
                    ("07", false, false, false),
                ]
                .iter()
                .find(|(p, ..)| tail.starts_with(p))
                .map(|&(p, colon, minutes, seconds)| {
                    (
                        Chunk::NumTz {
                            iso,
                            colon,
                            minutes,
                            seconds,
                        },
                        p.len() + 1,
                    )
                })
            }
            b'.' | b',' if rest.len() > 1 && (b[i + 1] == b'0' || b[i + 1] == b'9') => {
                let digit = b[i + 1];
                let mut j = i + 1;
                while j < b.len() && b[j] == digit {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    None
                } else {
                    Some((
                        Chunk::Frac {
                            digits: j - i - 1,
                            trim: digit == b'9',
                            sep: b[i],
                        },
                        j - i,
                    ))
                }
            }
            _ => None,
        };
        if let Some((chunk, len)) = found {
            return (
                &layout[..i],
                Some((chunk, &layout[i..i + len])),
                &layout[i + len..],
            );
        }
    }
    (layout, None, "")
}

/// Go's `time.Month` names.
pub(crate) const LONG_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
/// Go's `time.Weekday` names.
pub(crate) const LONG_DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn pad(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", n.unsigned_abs()));
}

/// Go's `Time.Format`.
pub fn format(t: &GoTime, layout: &str) -> String {
    let (wall, zone_name, offset) = t.wall();
    let mut out = String::new();
    let mut layout = layout;
    loop {
        let (prefix, chunk, rest) = next_chunk(layout);
        out.push_str(prefix);
        let Some((chunk, _)) = chunk else { break };
        layout = rest;
        let hour = wall.hour() as i64;
        match chunk {
            Chunk::LongMonth => out.push_str(LONG_MONTHS[wall.month0() as usize]),
            Chunk::Month => out.push_str(&LONG_MONTHS[wall.month0() as usize][..3]),
            Chunk::NumMonth => pad(&mut out, i64::from(wall.month()), 0),
            Chunk::ZeroMonth => pad(&mut out, i64::from(wall.month()), 2),
            Chunk::LongWeekDay => {
                out.push_str(LONG_DAYS[wall.weekday().num_days_from_sunday() as usize])
            }
            Chunk::WeekDay => {
                out.push_str(&LONG_DAYS[wall.weekday().num_days_from_sunday() as usize][..3])
            }
            Chunk::Day => pad(&mut out, i64::from(wall.day()), 0),
            Chunk::UnderDay => out.push_str(&format!("{:>2}", wall.day())),
            Chunk::ZeroDay => pad(&mut out, i64::from(wall.day()), 2),
            Chunk::UnderYearDay => out.push_str(&format!("{:>3}", wall.ordinal())),
            Chunk::ZeroYearDay => pad(&mut out, i64::from(wall.ordinal()), 3),
            Chunk::Hour => pad(&mut out, hour, 2),
            Chunk::Hour12 | Chunk::ZeroHour12 => {
                let h = if hour % 12 == 0 { 12 } else { hour % 12 };
                pad(&mut out, h, if chunk == Chunk::Hour12 { 0 } else { 2 });
            }
            Chunk::Minute => pad(&mut out, i64::from(wall.minute()), 0),
            Chunk::ZeroMinute => pad(&mut out, i64::from(wall.minute()), 2),
            Chunk::Second => pad(&mut out, i64::from(wall.second()), 0),
            Chunk::ZeroSecond => pad(&mut out, i64::from(wall.second()), 2),
            Chunk::LongYear => pad(&mut out, i64::from(wall.year()), 4),
            Chunk::Year => pad(&mut out, i64::from(wall.year().rem_euclid(100)), 2),
            Chunk::PM => out.push_str(if hour >= 12 { "PM" } else { "AM" }),
            Chunk::Pm => out.push_str(if hour >= 12 { "pm" } else { "am" }),
            Chunk::Tz => {
                if zone_name.is_empty() {
                    write_offset(&mut out, offset, false, true, false);
                } else {
                    out.push_str(&zone_name);
                }
            }
            Chunk::NumTz {
                iso,
                colon,
                minutes,
                seconds,
            } => {
                if iso && offset == 0 {
                    out.push('Z');
                } else {
                    write_offset(&mut out, offset, colon, minutes, seconds);
                }
            }
            Chunk::Frac { digits, trim, sep } => {
                let frac = format!("{:09}", t.nanos);
                let mut frac = &frac[..digits.min(9)];
                if trim {
                    frac = frac.trim_end_matches('0');
                    if frac.is_empty() {
                        continue;
                    }
                }
                out.push(sep as char);
                out.push_str(frac);
            }
        }
    }
    out
}

fn write_offset(out: &mut String, offset: i32, colon: bool, minutes: bool, seconds: bool) {
    let abs = offset.unsigned_abs();
    out.push(if offset < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", abs / 3600));
    if minutes {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs / 60 % 60));
    }
    if seconds {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs % 60));
    }
}

/// The `time` package's own `quote`: `"` and `\\` escaped, and every byte of a non-ASCII or control
/// character written as `\xNN`.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if !c.is_ascii() || c < ' ' {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{byte:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    if !b.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    if !b.get(1).is_some_and(u8::is_ascii_digit) {
        if fixed {
            return None;
        }
        return Some((i64::from(b[0] - b'0'), &s[1..]));
    }
    Some((
        i64::from(b[0] - b'0') * 10 + i64::from(b[1] - b'0'),
        &s[2..],
    ))
}

fn getnum3(s: &str, fixed: bool) -> Option<(i64, &str)> {
    let b = s.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < 3 && i < b.len() && b[i].is_ascii_digit() {
        n = n * 10 + i64::from(b[i] - b'0');
        i += 1;
    }
    if i == 0 || (fixed && i != 3) {
        return None;
    }
    Some((n, &s[i..]))
}

fn lookup_name<'a>(names: &[&str], value: &'a str, len: Option<usize>) -> Option<(usize, &'a str)> {
    for (i, name) in names.iter().enumerate() {
        let name = len.map_or(*name, |l| &name[..l]);
        if value
            .get(..name.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(name))
        {
            return Some((i, &value[name.len()..]));
        }
    }
    None
}

/// Go's `skip`: matches a literal layout prefix, where a space matches any run of spaces.
fn skip<'a>(mut value: &'a str, mut prefix: &str) -> Result<&'a str, &'a str> {
    while let Some(p) = prefix.chars().next() {
        if p == ' ' {
            if value.as_bytes().first().is_some_and(|c| *c != b' ') {
                return Err(value);
            }
            prefix = prefix.trim_start_matches(' ');
            value = value.trim_start_matches(' ');
            continue;
        }
        // Go compares bytes; comparing whole characters fails at the same character.
        match value.strip_prefix(p) {
            Some(rest) => value = rest,
            None => return Err(value),
        }
        prefix = &prefix[p.len_utf8()..];
    }
    Ok(value)
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `value`.
fn time_zone_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.len() < 3 {
        return None;
    }
    if value.starts_with("ChST") || value.starts_with("MeST") {
        return Some(4);
    }
    if value.starts_with("GMT") {
        return Some(gmt_len(value));
    }
    if b[0] == b'+' || b[0] == b'-' {
        return sign_offset_len(value);
    }
    let upper = b.iter().take_while(|c| c.is_ascii_uppercase()).count();
    match upper {
        0..=2 => None,
        5 => (b[4] == b'T').then_some(5),
        4 => (b[3] == b'T' || value.starts_with("WITA")).then_some(4),
        3 => Some(3),
        _ => None,
    }
}

fn gmt_len(value: &str) -> usize {
    let rest = &value[3..];
    if rest.is_empty() {
        return 3;
    }
    sign_offset_len(rest).map_or(3, |n| 3 + n)
}

fn sign_offset_len(value: &str) -> Option<usize> {
    let b = value.as_bytes();
    if b.is_empty() || (b[0] != b'+' && b[0] != b'-') {
        return None;
    }
    let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let n: i64 = value[1..1 + digits].parse().ok()?;
    (n <= 23).then_some(1 + digits)
}

fn days_in(month: i64, year: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn parse_nanos(value: &str, n: usize) -> Option<i64> {
    let digits = &value[1..n];
    let mut ns: i64 = 0;
    for (i, c) in digits.bytes().enumerate() {
        if i >= 9 {
            break;
        }
        ns = ns * 10 + i64::from(c - b'0');
    }
    for _ in digits.len().min(9)..9 {
        ns *= 10;
    }
    Some(ns)
}

/// Go's `time.ParseInLocation(layout, value, loc)`; the error is Go's `ParseError` text.
pub fn parse_in(layout: &str, value_in: &str, local: &Zone) -> Result<GoTime, String> {
    let bad = |layout_elem: &str, value_elem: &str| {
        format!(
            "parsing time {} as {}: cannot parse {} as {}",
            quote(value_in),
            quote(layout),
            quote(value_elem),
            quote(layout_elem)
        )
    };
    let range_err = |what: &str| format!("parsing time {}: {what} out of range", quote(value_in));
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let (mut pm_set, mut am_set) = (false, false);
    let mut utc = false;
    let mut zone_offset: Option<i32> = None;
    let mut zone_name = String::new();
    let mut layout_rest = layout;
    let mut value = value_in;
    loop {
        let (prefix, chunk, rest) = next_chunk(layout_rest);
        value = skip(value, prefix).map_err(|v| bad(prefix, v))?;
        let Some((chunk, chunk_text)) = chunk else {
            if !value.is_empty() {
                return Err(format!(
                    "parsing time {}: extra text: {}",
                    quote(value_in),
                    quote(value)
                ));
            }
            break;
        };
        layout_rest = rest;
        let hold = value;
        let fail = || bad(chunk_text, hold);
        match chunk {
            Chunk::Year => {
                let digits = value
                    .get(..2)
                    .filter(|d| d.bytes().all(|c| c.is_ascii_digit()))
                    .ok_or_else(fail)?;
                year = digits.parse::<i64>().map_err(|_| fail())?;
                year += if year >= 69 { 1900 } else { 2000 };
                value = &value[2..];
            }
            Chunk::LongYear => {
                let digits = value
                    .get(..4)
                    .filter(|d| d.bytes().all(|c| c.is_ascii_digit()))
                    .ok_or_else(fail)?;
                year = digits.parse::<i64>().map_err(|_| fail())?;
                value = &value[4..];
            }
            Chunk::Month | Chunk::LongMonth => {
                let len = (chunk == Chunk::Month).then_some(3);
                let (m, rest) = lookup_name(&LONG_MONTHS, value, len).ok_or_else(fail)?;
                month = m as i64 + 1;
                value = rest;
            }
            Chunk::NumMonth | Chunk::ZeroMonth => {
                let (m, rest) = getnum(value, chunk == Chunk::ZeroMonth).ok_or_else(fail)?;
                if !(1..=12).contains(&m) {
                    return Err(range_err("month"));
                }
                month = m;
                value = rest;
            }
            Chunk::WeekDay | Chunk::LongWeekDay => {
                let len = (chunk == Chunk::WeekDay).then_some(3);
                let (_, rest) = lookup_name(&LONG_DAYS, value, len).ok_or_else(fail)?;
                value = rest;
            }
            Chunk::Day | Chunk::UnderDay | Chunk::ZeroDay => {
                if chunk == Chunk::UnderDay && value.starts_with(' ') {
                    value = &value[1..];
                }
                let (d, rest) = getnum(value, chunk == Chunk::ZeroDay).ok_or_else(fail)?;
                day = d;
                value = rest;
            }
            Chunk::UnderYearDay | Chunk::ZeroYearDay => {
                if chunk == Chunk::UnderYearDay {
                    for _ in 0..2 {
                        if value.starts_with(' ') {
                            value = &value[1..];
                        }
                    }
                }
                let (d, rest) = getnum3(value, chunk == Chunk::ZeroYearDay).ok_or_else(fail)?;
                yday = d;
                value = rest;
            }
            Chunk::Hour => {
                let (h, rest) = getnum(value, false).ok_or_else(fail)?;
                if !(0..24).contains(&h) {
                    return Err(range_err("hour"));
                }
                hour = h;
                value = rest;
            }
            Chunk::Hour12 | Chunk::ZeroHour12 => {
                let (h, rest) = getnum(value, chunk == Chunk::ZeroHour12).ok_or_else(fail)?;
                if !(0..=12).contains(&h) {
                    return Err(range_err("hour"));
                }
                hour = h;
                value = rest;
            }
            Chunk::Minute | Chunk::ZeroMinute => {
                let (m, rest) = getnum(value, chunk == Chunk::ZeroMinute).ok_or_else(fail)?;
                if !(0..60).contains(&m) {
                    return Err(range_err("minute"));
                }
                min = m;
                value = rest;
            }
            Chunk::Second | Chunk::ZeroSecond => {
                let (s, rest) = getnum(value, chunk == Chunk::ZeroSecond).ok_or_else(fail)?;
                if !(0..60).contains(&s) {
                    return Err(range_err("second"));
                }
                sec = s;
                value = rest;
                // A fraction in the value that the layout does not spell out is accepted.
                let b = value.as_bytes();
                if b.len() >= 2 && (b[0] == b'.' || b[0] == b',') && b[1].is_ascii_digit() {
                    let next_is_frac =
                        matches!(next_chunk(layout_rest).1, Some((Chunk::Frac { .. }, _)));
                    if !next_is_frac {
                        let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                        nsec = parse_nanos(value, n).ok_or_else(fail)?;
                        value = &value[n..];
                    }
                }
            }
            Chunk::PM | Chunk::Pm => {
                let p = value.get(..2).ok_or_else(fail)?;
                let p = if chunk == Chunk::PM {
                    p.to_string()
                } else {
                    p.to_ascii_uppercase()
                };
                match p.as_str() {
                    "PM" if chunk == Chunk::PM || value.starts_with("pm") => pm_set = true,
                    "AM" if chunk == Chunk::PM || value.starts_with("am") => am_set = true,
                    _ => return Err(fail()),
                }
                value = &value[2..];
            }
            Chunk::NumTz {
                iso,
                colon,
                minutes,
                seconds,
            } => {
                if iso && value.starts_with('Z') {
                    value = &value[1..];
                    utc = true;
                    continue;
                }
                let b = value.as_bytes();
                let need = 3
                    + if minutes { 2 + usize::from(colon) } else { 0 }
                    + if seconds { 2 + usize::from(colon) } else { 0 };
                if b.len() < need || (b[0] != b'+' && b[0] != b'-') {
                    return Err(fail());
                }
                let num = |i: usize| -> Option<i32> {
                    let s = value.get(i..i + 2)?;
                    s.bytes()
                        .all(|c| c.is_ascii_digit())
                        .then(|| s.parse().ok())
                        .flatten()
                };
                let hh = num(1).ok_or_else(fail)?;
                let mut pos = 3;
                let mut mm = 0;
                let mut ss = 0;
                if minutes {
                    if colon {
                        if b[pos] != b':' {
                            return Err(fail());
                        }
                        pos += 1;
                    }
                    mm = num(pos).ok_or_else(fail)?;
                    pos += 2;
                }
                if seconds {
                    if colon {
                        if b[pos] != b':' {
                            return Err(fail());
                        }
                        pos += 1;
                    }
                    ss = num(pos).ok_or_else(fail)?;
                    pos += 2;
                }
                let mut off = (hh * 60 + mm) * 60 + ss;
                if b[0] == b'-' {
                    off = -off;
                }
                zone_offset = Some(off);
                value = &value[pos..];
            }
            Chunk::Tz => {
                if value.starts_with("UTC") {
                    value = &value[3..];
                    utc = true;
                    continue;
                }
                let n = time_zone_len(value).ok_or_else(fail)?;
                zone_name = value[..n].to_string();
                value = &value[n..];
            }
            Chunk::Frac { digits, trim, .. } => {
                let b = value.as_bytes();
                if trim {
                    if b.len() < 2 || !(b[0] == b'.' || b[0] == b',') || !b[1].is_ascii_digit() {
                        continue;
                    }
                    let n = 1 + b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
                    nsec = parse_nanos(value, n).ok_or_else(fail)?;
                    value = &value[n..];
                } else {
                    let n = 1 + digits;
                    if b.len() < n || !b[1..n].iter().all(u8::is_ascii_digit) {
                        return Err(fail());
                    }
                    nsec = parse_nanos(value, n).ok_or_else(fail)?;
                    value = &value[n..];
                }
            }
        }
    }
    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }
    if yday >= 0 {
        let leap = days_in(2, year) == 29;
        if yday < 1 || yday > if leap { 366 } else { 365 } {
            return Err(range_err("day-of-year"));
        }
        let mut m = 1;
        let mut d = yday;
        while d > days_in(m, year) {
            d -= days_in(m, year);
            m += 1;
        }
        if (month >= 0 && month != m) || (day >= 0 && day != d) {
            return Err(range_err("day-of-year"));
        }
        month = m;
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }
    if day < 1 || day > days_in(month, year) {
        return Err(format!(
            "parsing time {}: day out of range",
            quote(value_in)
        ));
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)
        .ok_or_else(|| range_err("day"))?;
    let wall_secs = (i64::from(date.num_days_from_ce()) - 719_163) * SECONDS_PER_DAY
        + hour * 3600
        + min * 60
        + sec;
    let at = |unix: i64, zone: Zone| GoTime::from_unix(unix, nsec as u32, zone);
    if utc {
        return Ok(at(wall_secs, Zone::Utc));
    }
    if let Some(off) = zone_offset {
        let unix = wall_secs - i64::from(off);
        let (name, local_off) = local.lookup(unix);
        if local_off == off && (zone_name.is_empty() || name == zone_name) {
            return Ok(at(unix, local.clone()));
        }
        return Ok(at(
            unix,
            Zone::Fixed {
                name: zone_name,
                offset: off,
            },
        ));
    }
    if !zone_name.is_empty() {
        if let Some(off) = local.offset_named(&zone_name, wall_secs) {
            return Ok(at(wall_secs - i64::from(off), local.clone()));
        }
        let mut off = 0;
        if zone_name.len() > 3 && zone_name.starts_with("GMT") {
            off = zone_name[3..].parse::<i32>().unwrap_or(0) * 3600;
        }
        // Go keeps the wall clock as the UTC instant here (it does not shift by the made-up offset).
        return Ok(at(
            wall_secs,
            Zone::Fixed {
                name: zone_name,
                offset: off,
            },
        ));
    }
    let (_, off) = local.lookup(wall_secs);
    let unix = wall_secs - i64::from(off);
    // Re-check the offset at the instant itself (DST transitions).
    let (_, off2) = local.lookup(unix);
    Ok(at(wall_secs - i64::from(off2), local.clone()))
}

/// Go's `time.Duration.String()`: `1h2m3.5s`, `1.5ms`, `0s`.
pub fn duration_string(d: i64) -> String {
    if d == 0 {
        return "0s".to_string();
    }
    let neg = d < 0;
    let u = d.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        out.push_str(&frac_string(u, scale));
        out.push_str(unit);
    } else {
        let secs_total = u / 1_000_000_000;
        let nanos = u % 1_000_000_000;
        let hours = secs_total / 3600;
        let mins = secs_total / 60 % 60;
        let secs = secs_total % 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if hours > 0 || mins > 0 {
            out.push_str(&format!("{mins}m"));
        }
        out.push_str(&frac_string(secs * 1_000_000_000 + nanos, 1_000_000_000));
        out.push('s');
    }
    if neg {
        out.insert(0, '-');
    }
    out
}

fn frac_string(v: u64, scale: u64) -> String {
    let whole = v / scale;
    let frac = v % scale;
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.ilog10() as usize;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", quote(s));
    let mut rest = s;
    let mut neg = false;
    if let Some(r) = rest.strip_prefix('-') {
        neg = true;
        rest = r;
    } else if let Some(r) = rest.strip_prefix('+') {
        rest = r;
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &r[..n];
            rest = &r[n..];
            if int_part.is_empty() && frac_part.is_empty() {
                return Err(invalid());
            }
        } else if int_part.is_empty() {
            return Err(invalid());
        }
        let unit_len = rest
            .bytes()
            .take_while(|c| *c != b'.' && !c.is_ascii_digit())
            .count();
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        if unit.is_empty() {
            return Err(format!("time: missing unit in duration {}", quote(s)));
        }
        let scale: u128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit),
                    quote(s)
                ))
            }
        };
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| invalid())?
        };
        let mut v = whole.checked_mul(scale).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let mut f: f64 = 0.0;
            let mut sc = 1.0;
            for c in frac_part.bytes().take(18) {
                f = f * 10.0 + f64::from(c - b'0');
                sc *= 10.0;
            }
            v += (f * (scale as f64 / sc)) as u128;
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > 1u128 << 63 {
            return Err(invalid());
        }
    }
    if total == 1u128 << 63 {
        return if neg { Ok(i64::MIN) } else { Err(invalid()) };
    }
    let t = total as i64;
    Ok(if neg { -t } else { t })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unix(s: i64) -> GoTime {
        GoTime::from_unix(s, 0, Zone::Utc)
    }

    // Expected values from helm v3.17.3 with TZ=UTC, e.g.
    // {{ date "Monday January 2 __2 002 06 3:4:5 pm PM Z0700 -07 Z07:00:00 ,000" 1700000000 }}.
    #[test]
    fn formats_like_go() {
        assert_eq!(
            format(
                &unix(1_700_000_000),
                "Monday January 2 __2 002 06 3:4:5 pm PM Z0700 -07 Z07:00:00 ,000"
            ),
            "Tuesday November 14 318 318 23 10:13:20 pm PM Z +00 Z ,000"
        );
        assert_eq!(
            format(
                &unix(0),
                "2006-01-02T15:04:05.000Z07:00 Mon Jan _2 3PM .999 MST"
            ),
            "1970-01-01T00:00:00.000Z Thu Jan  1 12AM  UTC"
        );
        let kolkata = unix(1_700_000_000).in_zone(load_location("Asia/Kolkata").unwrap());
        assert_eq!(format(&kolkata, "Jan 2 15:04 MST"), "Nov 15 03:43 IST");
        assert_eq!(GoTime::zero().go_string(), "0001-01-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn parses_like_go() {
        let t = parse_in(
            "2006-01-02T15:04:05.999Z07:00",
            "2024-03-01T10:20:30.5+05:30",
            &Zone::Utc,
        )
        .unwrap();
        assert_eq!(t.go_string(), "2024-03-01 10:20:30.5 +0530 +0530");
        assert_eq!(
            t.in_zone(Zone::Utc).go_string(),
            "2024-03-01 04:50:30.5 +0000 UTC"
        );
        let t = parse_in("2006-01-02 MST", "2024-03-01 PST", &Zone::Utc).unwrap();
        assert_eq!(t.go_string(), "2024-03-01 00:00:00 +0000 PST");
        assert_eq!(
            parse_in("2006-01-02", "2024-02-30", &Zone::Utc).unwrap_err(),
            "parsing time \"2024-02-30\": day out of range"
        );
        assert_eq!(
            parse_in("2006-01-02", "2024-02-3x", &Zone::Utc).unwrap_err(),
            "parsing time \"2024-02-3x\" as \"2006-01-02\": cannot parse \"3x\" as \"02\""
        );
        assert_eq!(
            parse_in("2006-01-02 15:04", "2024-02-03", &Zone::Utc).unwrap_err(),
            "parsing time \"2024-02-03\" as \"2006-01-02 15:04\": cannot parse \"\" as \"15\""
        );
    }

    #[test]
    fn non_ascii_input_does_not_panic() {
        for (layout, value) in [
            ("Jan 2006", "a€b"),
            ("MST", "a€€"),
            ("2006 é", "2020 €"),
            ("€", "é"),
        ] {
            assert!(
                parse_in(layout, value, &Zone::Utc).is_err(),
                "{layout} {value}"
            );
        }
        assert!(parse_in("€ 2006", "€ 2020", &Zone::Utc).is_ok());
        // helm: {{ mustToDate "Jan 2006" "J€ 2020" }}
        assert_eq!(
            parse_in("Jan 2006", "J€ 2020", &Zone::Utc).unwrap_err(),
            r#"parsing time "J\xe2\x82\xac 2020" as "Jan 2006": cannot parse "J\xe2\x82\xac 2020" as "Jan""#
        );
    }

    #[test]
    fn durations_like_go() {
        for (ns, want) in [
            (0, "0s"),
            (95_000_000_000, "1m35s"),
            (3_600_000_000_000, "1h0m0s"),
            (1_500_000_000, "1.5s"),
            (1_500, "1.5µs"),
            (-1_000_000_000, "-1s"),
            (86_461_000_000_000, "24h1m1s"),
        ] {
            assert_eq!(duration_string(ns), want);
        }
        assert_eq!(parse_duration("-1.5h").unwrap(), -5_400_000_000_000);
        assert_eq!(parse_duration("1h30m").unwrap(), 5_400_000_000_000);
        assert_eq!(
            parse_duration("bad").unwrap_err(),
            "time: invalid duration \"bad\""
        );
        assert_eq!(
            parse_duration("1x").unwrap_err(),
            "time: unknown unit \"x\" in duration \"1x\""
        );
        assert_eq!(
            parse_duration("1").unwrap_err(),
            "time: missing unit in duration \"1\""
        );
    }
}

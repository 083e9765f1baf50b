//! Sprig's date functions: `ago date date_in_zone dateInZone date_modify dateModify mustDateModify
//! must_date_modify duration durationRound htmlDate htmlDateInZone now toDate mustToDate unixEpoch`.
//!
//! Times are `time.Time` host objects ([`TimeObject`]) over [`super::gotime`], which implements Go's
//! layouts, zones and durations. `now` reads the injected clock (`FuncEnv::now`) and carries a
//! monotonic reading, so `{{ now }}` prints Go's `… +0000 UTC m=+0.001234567` shape.
//!
//! As in Sprig, `date` and friends accept a `time.Time` or Unix seconds as `int`, `int32` or `int64`
//! (anything else means "now"); `duration` takes only `string` or `int64` seconds (a template `int`
//! gives `0s`); `durationRound` takes a duration string, `int64` nanoseconds or a `time.Time`.
use std::any::Any;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::Instant;

use super::gotime::{self, GoTime, Zone};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{IntKind, Object, Value};

const STR: GoType = GoType::String;
const ANY: GoType = GoType::Interface;
/// The Go type of a time value.
pub const TIME: GoType = GoType::Named("time.Time");

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "ago",
        sig: Signature::fixed(&[ANY]),
        imp: ago,
    },
    FuncDef {
        name: "date",
        sig: Signature::fixed(&[STR, ANY]),
        imp: date,
    },
    FuncDef {
        name: "date_in_zone",
        sig: Signature::fixed(&[STR, ANY, STR]),
        imp: date_in_zone,
    },
    FuncDef {
        name: "dateInZone",
        sig: Signature::fixed(&[STR, ANY, STR]),
        imp: date_in_zone,
    },
    FuncDef {
        name: "date_modify",
        sig: Signature::fixed(&[STR, TIME]),
        imp: date_modify,
    },
    FuncDef {
        name: "dateModify",
        sig: Signature::fixed(&[STR, TIME]),
        imp: date_modify,
    },
    FuncDef {
        name: "must_date_modify",
        sig: Signature::fixed(&[STR, TIME]),
        imp: must_date_modify,
    },
    FuncDef {
        name: "mustDateModify",
        sig: Signature::fixed(&[STR, TIME]),
        imp: must_date_modify,
    },
    FuncDef {
        name: "duration",
        sig: Signature::fixed(&[ANY]),
        imp: duration,
    },
    FuncDef {
        name: "durationRound",
        sig: Signature::fixed(&[ANY]),
        imp: duration_round,
    },
    FuncDef {
        name: "htmlDate",
        sig: Signature::fixed(&[ANY]),
        imp: html_date,
    },
    FuncDef {
        name: "htmlDateInZone",
        sig: Signature::fixed(&[ANY, STR]),
        imp: html_date_in_zone,
    },
    FuncDef {
        name: "now",
        sig: Signature::fixed(&[]),
        imp: now,
    },
    FuncDef {
        name: "toDate",
        sig: Signature::fixed(&[STR, STR]),
        imp: to_date,
    },
    FuncDef {
        name: "mustToDate",
        sig: Signature::fixed(&[STR, STR]),
        imp: must_to_date,
    },
    FuncDef {
        name: "unixEpoch",
        sig: Signature::fixed(&[TIME]),
        imp: unix_epoch,
    },
];

/// A `time.Time` seen from a template.
#[derive(Debug)]
pub struct TimeObject(pub GoTime);

impl TimeObject {
    pub fn value(t: GoTime) -> Value {
        Value::Object(Rc::new(TimeObject(t)))
    }
}

/// The time inside a `time.Time` argument.
pub fn time_of(v: &Value) -> Option<GoTime> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<TimeObject>().map(|t| t.0.clone()),
        _ => None,
    }
}

impl Object for TimeObject {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn kind_name(&self) -> &str {
        "struct"
    }

    fn field(&self, _: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "Format" => Signature::fixed(&[GoType::String]),
            "AddDate" => Signature::fixed(&[GoType::INT, GoType::INT, GoType::INT]),
            "Sub" | "After" | "Before" | "Equal" | "Compare" => Signature::fixed(&[TIME]),
            "Add" | "Round" | "Truncate" => Signature::fixed(&[DURATION]),
            "In" => Signature::fixed(&[LOCATION]),
            "Month" | "Weekday" | "Location" => Signature::fixed(&[]),
            "Year" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond" | "YearDay" | "Unix"
            | "UnixMilli" | "UnixMicro" | "UnixNano" | "UTC" | "Local" | "String" | "IsZero"
            | "IsDST" | "MarshalJSON" | "MarshalText" | "MarshalBinary" | "GobEncode" => {
                Signature::fixed(&[])
            }
            // Callable by name, refused for their results (see `bad_results`).
            "Date" | "Clock" | "ISOWeek" | "Zone" | "ZoneBounds" => Signature::fixed(&[]),
            "AppendFormat" => Signature::fixed(&[GoType::Bytes, GoType::String]),
            _ => return None,
        })
    }

    fn bad_results(&self, name: &str) -> Option<String> {
        Some(match name {
            "Date" | "Clock" => format!("function {name} has 3 return values; should be 1 or 2"),
            "ISOWeek" | "Zone" => format!(
                "invalid function signature for {name}: second return value should be error; is int"
            ),
            "ZoneBounds" => "invalid function signature for ZoneBounds: second return value \
                             should be error; is time.Time"
                .to_string(),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let t = &self.0;
        let nanos = i64::from(t.nanos);
        let field = |layout: &str| gotime::format(t, layout).trim().parse::<i64>().unwrap_or(0);
        Ok(match name {
            "Format" => Value::string(gotime::format(
                t,
                args.first().and_then(Value::as_str).unwrap_or(""),
            )),
            "Year" => Value::int(i64::from(t.year())),
            "Day" => Value::int(field("2")),
            "Hour" => Value::int(field("15")),
            "Minute" => Value::int(field("4")),
            "Second" => Value::int(field("5")),
            "YearDay" => Value::int(field("002")),
            "Nanosecond" => Value::int(nanos),
            "Unix" => Value::int64(t.unix),
            "UnixMilli" => Value::int64(t.unix * 1_000 + nanos / 1_000_000),
            "UnixMicro" => Value::int64(t.unix * 1_000_000 + nanos / 1_000),
            "UnixNano" => Value::int64(t.unix.wrapping_mul(1_000_000_000).wrapping_add(nanos)),
            "UTC" => TimeObject::value(t.in_zone(Zone::Utc)),
            "Local" => TimeObject::value(t.in_zone(Zone::Local)),
            "String" => Value::string(t.go_string()),
            "IsZero" => Value::Bool(t.is_zero()),
            "IsDST" => Value::Bool(t.zone.is_dst(t.unix)),
            "MarshalJSON" | "MarshalText" => {
                let year = t.year();
                if !(0..=9999).contains(&year) {
                    return Err(format!("Time.{name}: year outside of range [0,9999]"));
                }
                let text = t.rfc3339_nano();
                let text = if name == "MarshalJSON" {
                    format!("\"{text}\"")
                } else {
                    text
                };
                Value::Bytes(Rc::from(text.as_bytes()))
            }
            "AppendFormat" => {
                let mut out = match args.first() {
                    Some(Value::Bytes(b)) => b.to_vec(),
                    _ => Vec::new(),
                };
                let layout = args.get(1).and_then(Value::as_str).unwrap_or("");
                out.extend_from_slice(gotime::format(t, layout).as_bytes());
                Value::Bytes(Rc::from(out))
            }
            "Month" => GoNamed::value(
                "time.Month",
                "int",
                gotime::LONG_MONTHS[t.month() as usize - 1],
            ),
            "Weekday" => GoNamed::value(
                "time.Weekday",
                "int",
                gotime::LONG_DAYS[t.weekday() as usize],
            ),
            "Location" => LocationObject::value(t.zone.clone(), t.location_name()),
            "Sub" => DurationObject::value(sub(t, &time_arg(&args, 0))),
            "After" => Value::Bool(compare(t, &time_arg(&args, 0)).is_gt()),
            "Before" => Value::Bool(compare(t, &time_arg(&args, 0)).is_lt()),
            "Equal" => Value::Bool(compare(t, &time_arg(&args, 0)).is_eq()),
            "Compare" => Value::int(compare(t, &time_arg(&args, 0)) as i64),
            "Add" => TimeObject::value(t.add_nanos(duration_arg(&args))),
            "Truncate" => TimeObject::value(truncate(t, duration_arg(&args), false)),
            "Round" => TimeObject::value(truncate(t, duration_arg(&args), true)),
            "In" => match args.first() {
                Some(Value::Object(o)) => match o.as_any().downcast_ref::<LocationObject>() {
                    Some(loc) => TimeObject::value(t.in_zone(loc.zone.clone())),
                    None => return Err("time: missing Location in call to Time.In".into()),
                },
                _ => return Err("time: missing Location in call to Time.In".into()),
            },
            "AddDate" => {
                let n = |i: usize| match args.get(i) {
                    Some(Value::Int(n, _)) => *n,
                    _ => 0,
                };
                TimeObject::value(t.add_date(n(0), n(1), n(2)))
            }
            other => return Err(format!("method {other} not implemented")),
        })
    }

    fn format_v(&self) -> String {
        self.0.go_string()
    }

    /// `MarshalJSON`: RFC 3339 with nanoseconds.
    fn to_json_value(&self) -> Option<Value> {
        Some(Value::string(self.0.rfc3339_nano()))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The Go type of a duration (`Time.Sub`).
pub const DURATION: GoType = GoType::Named("time.Duration");
/// The Go type of a location (`Time.Location`, the argument of `Time.In`).
pub const LOCATION: GoType = GoType::Named("*time.Location");

fn duration_arg(args: &[Value]) -> i64 {
    match args.first() {
        Some(Value::Object(o)) => o
            .as_any()
            .downcast_ref::<DurationObject>()
            .map_or(0, |d| d.0),
        Some(Value::Int(n, _)) => *n,
        _ => 0,
    }
}

/// Go's `Time.Sub`: by the monotonic readings when both times have one, else by the wall clock;
/// saturating.
fn sub(t: &GoTime, u: &GoTime) -> i64 {
    match (t.monotonic, u.monotonic) {
        (Some(a), Some(b)) => a.saturating_sub(b),
        _ => t.sub_nanos(u),
    }
}

/// Go's `Time.Compare` (and `After`/`Before`/`Equal`): monotonic readings when both have one.
fn compare(t: &GoTime, u: &GoTime) -> std::cmp::Ordering {
    match (t.monotonic, u.monotonic) {
        (Some(a), Some(b)) => a.cmp(&b),
        _ => (t.unix, t.nanos).cmp(&(u.unix, u.nanos)),
    }
}

/// Go's `Time.Truncate(d)` / `Time.Round(d)`: to a multiple of `d` since the zero time, without the
/// monotonic reading; `d <= 0` only strips it.
fn truncate(t: &GoTime, d: i64, round: bool) -> GoTime {
    let stripped = GoTime {
        monotonic: None,
        ..t.clone()
    };
    if d <= 0 {
        return stripped;
    }
    let since_zero = (i128::from(t.unix) + 62_135_596_800) * 1_000_000_000 + i128::from(t.nanos);
    let r = since_zero.rem_euclid(i128::from(d)) as i64;
    if round && (r as u64).wrapping_add(r as u64) >= d as u64 {
        stripped.add_nanos(d - r)
    } else {
        stripped.add_nanos(-r)
    }
}

/// A `time.Duration` (what `Time.Sub` gives): nanoseconds, printed through `String()` (`1h0m0s`).
#[derive(Debug)]
pub struct DurationObject(pub i64);

impl DurationObject {
    pub fn value(ns: i64) -> Value {
        Value::Object(Rc::new(DurationObject(ns)))
    }
}

impl Object for DurationObject {
    fn type_name(&self) -> &str {
        "time.Duration"
    }

    fn kind_name(&self) -> &str {
        "int64"
    }

    fn int_value(&self) -> Option<i64> {
        Some(self.0)
    }

    fn field(&self, _: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Signature> {
        Some(match name {
            "Round" | "Truncate" => Signature::fixed(&[DURATION]),
            "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds" | "Nanoseconds"
            | "String" | "Abs" => Signature::fixed(&[]),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let d = self.0;
        let split = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
        Ok(match name {
            "Hours" => Value::Float(split(3_600_000_000_000)),
            "Minutes" => Value::Float(split(60_000_000_000)),
            "Seconds" => Value::Float(split(1_000_000_000)),
            "Milliseconds" => Value::int64(d / 1_000_000),
            "Microseconds" => Value::int64(d / 1_000),
            "Nanoseconds" => Value::int64(d),
            "String" => Value::string(gotime::duration_string(d)),
            "Abs" => DurationObject::value(if d == i64::MIN { i64::MAX } else { d.abs() }),
            "Round" => {
                let m = duration_arg(&args);
                DurationObject::value(if m <= 0 { d } else { round_duration(d, m) })
            }
            "Truncate" => {
                let m = duration_arg(&args);
                DurationObject::value(if m <= 0 { d } else { d - d % m })
            }
            other => return Err(format!("method {other} not implemented")),
        })
    }

    fn format_v(&self) -> String {
        gotime::duration_string(self.0)
    }

    fn to_json_value(&self) -> Option<Value> {
        Some(Value::int64(self.0))
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A `*time.Location` (`Time.Location`), printed by its name; `Time.In` takes it.
#[derive(Debug)]
pub struct LocationObject {
    zone: Zone,
    name: String,
}

impl LocationObject {
    fn value(zone: Zone, name: String) -> Value {
        Value::Object(Rc::new(LocationObject { zone, name }))
    }
}

impl Object for LocationObject {
    fn type_name(&self) -> &str {
        "*time.Location"
    }

    fn kind_name(&self) -> &str {
        "ptr"
    }

    fn field(&self, _: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::fixed(&[]))
    }

    fn call_method(&self, _: &str, _: Vec<Value>) -> Result<Value, String> {
        Ok(Value::str(&self.name))
    }

    fn format_v(&self) -> String {
        self.name.clone()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A value of a small named Go type that prints through its `String()` method (`time.Month`,
/// `time.Weekday`). Known gap: the integer behind a month or weekday is not
/// exposed, so `printf "%d"` or `int` of one does not give Go's number.
#[derive(Debug)]
pub struct GoNamed {
    type_name: &'static str,
    kind: &'static str,
    text: String,
}

impl GoNamed {
    fn value(type_name: &'static str, kind: &'static str, text: &str) -> Value {
        Value::Object(Rc::new(GoNamed {
            type_name,
            kind,
            text: text.to_string(),
        }))
    }
}

impl Object for GoNamed {
    fn type_name(&self) -> &str {
        self.type_name
    }

    fn kind_name(&self) -> &str {
        self.kind
    }

    fn field(&self, _: &str) -> Option<Value> {
        None
    }

    fn method(&self, name: &str) -> Option<Signature> {
        (name == "String").then(|| Signature::fixed(&[]))
    }

    fn call_method(&self, _: &str, _: Vec<Value>) -> Result<Value, String> {
        Ok(Value::str(&self.text))
    }

    fn format_v(&self) -> String {
        self.text.clone()
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The monotonic reading Go attaches to `time.Now()`: time since the process started.
fn monotonic_now() -> i64 {
    static START: OnceLock<Instant> = OnceLock::new();
    let start = *START.get_or_init(Instant::now);
    i64::try_from(start.elapsed().as_nanos())
        .unwrap_or(i64::MAX)
        .max(1)
}

fn current_time(ctx: &CallCtx<'_>) -> GoTime {
    let now = ctx.env.now();
    GoTime {
        unix: now.timestamp(),
        nanos: now.timestamp_subsec_nanos(),
        zone: Zone::Local,
        monotonic: Some(monotonic_now()),
    }
}

/// Sprig's reading of a date argument in `date`/`dateInZone`/`htmlDate`: a time, or Unix seconds.
fn date_arg(ctx: &CallCtx<'_>, v: &Value, allow_int32: bool) -> GoTime {
    match v {
        Value::Int(n, IntKind::Int | IntKind::Int64) => GoTime::from_unix(*n, 0, Zone::Local),
        Value::Int(n, IntKind::Int32) if allow_int32 => GoTime::from_unix(*n, 0, Zone::Local),
        other => time_of(other).unwrap_or_else(|| current_time(ctx)),
    }
}

fn str_at(args: &[Value], i: usize) -> &str {
    args.get(i).and_then(Value::as_str).unwrap_or("")
}

fn format_in_zone(ctx: &CallCtx<'_>, layout: &str, date: &Value, zone: &str) -> Value {
    let t = date_arg(ctx, date, true);
    let zone = gotime::load_location(zone).unwrap_or(Zone::Utc);
    Value::string(gotime::format(&t.in_zone(zone), layout))
}

fn date(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(format_in_zone(ctx, str_at(&args, 0), &args[1], "Local"))
}

fn date_in_zone(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(format_in_zone(
        ctx,
        str_at(&args, 0),
        &args[1],
        str_at(&args, 2),
    ))
}

fn html_date(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(format_in_zone(ctx, "2006-01-02", &args[0], "Local"))
}

fn html_date_in_zone(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(format_in_zone(
        ctx,
        "2006-01-02",
        &args[0],
        str_at(&args, 1),
    ))
}

fn time_arg(args: &[Value], i: usize) -> GoTime {
    args.get(i).and_then(time_of).unwrap_or_else(GoTime::zero)
}

/// `dateModify "-1.5h" $t`: the time shifted by a Go duration; unchanged when the duration is invalid.
fn date_modify(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let t = time_arg(&args, 1);
    Ok(TimeObject::value(
        match gotime::parse_duration(str_at(&args, 0)) {
            Ok(d) => t.add_nanos(d),
            Err(_) => t,
        },
    ))
}

fn must_date_modify(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let d = gotime::parse_duration(str_at(&args, 0)).map_err(FuncError::msg)?;
    Ok(TimeObject::value(time_arg(&args, 1).add_nanos(d)))
}

/// `ago $t`: time since `$t`, rounded to the second, as a Go duration.
fn ago(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let t = date_arg(ctx, &args[0], false);
    let since = current_time(ctx).sub_nanos(&t);
    Ok(Value::string(gotime::duration_string(round_duration(
        since,
        1_000_000_000,
    ))))
}

/// Go's `Duration.Round(m)`: halves away from zero, saturating.
fn round_duration(d: i64, m: i64) -> i64 {
    let r = d % m;
    if d < 0 {
        let r = -r;
        if r + r < m {
            return d + r;
        }
        d.checked_sub(m - r).unwrap_or(i64::MIN)
    } else {
        if r + r < m {
            return d - r;
        }
        d.checked_add(m - r).unwrap_or(i64::MAX)
    }
}

/// `duration 95` → `1m35s`: seconds given as a string or an `int64`.
fn duration(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let secs = match &args[0] {
        Value::String(s) => s.parse::<i64>().unwrap_or(0),
        Value::Int(n, IntKind::Int64) => *n,
        _ => 0,
    };
    Ok(Value::string(gotime::duration_string(
        secs.wrapping_mul(1_000_000_000),
    )))
}

/// `durationRound`: the largest whole unit (`y mo d h m s`) that a duration strictly exceeds.
fn duration_round(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let d: i64 = match &args[0] {
        Value::String(s) => gotime::parse_duration(s).unwrap_or(0),
        Value::Int(n, IntKind::Int64) => *n,
        other => match time_of(other) {
            Some(t) => current_time(ctx).sub_nanos(&t),
            None => 0,
        },
    };
    let u = d.unsigned_abs();
    const SECOND: u64 = 1_000_000_000;
    const UNITS: [(u64, &str); 6] = [
        (SECOND * 3600 * 24 * 365, "y"),
        (SECOND * 3600 * 24 * 30, "mo"),
        (SECOND * 3600 * 24, "d"),
        (SECOND * 3600, "h"),
        (SECOND * 60, "m"),
        (SECOND, "s"),
    ];
    let out = UNITS.iter().find(|(unit, _)| u > *unit).map_or_else(
        || "0s".to_string(),
        |(unit, name)| format!("{}{name}", u / unit),
    );
    Ok(Value::string(out))
}

fn now(ctx: &mut CallCtx<'_>, _: Vec<Value>) -> Result<Value, FuncError> {
    Ok(TimeObject::value(current_time(ctx)))
}

/// `toDate "2006-01-02" "2024-02-29"`: parses in the local zone; Go's zero time on failure.
fn to_date(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let t = gotime::parse_in(str_at(&args, 0), str_at(&args, 1), &Zone::Local)
        .unwrap_or_else(|_| GoTime::zero());
    Ok(TimeObject::value(t))
}

fn must_to_date(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let t = gotime::parse_in(str_at(&args, 0), str_at(&args, 1), &Zone::Local)
        .map_err(FuncError::msg)?;
    Ok(TimeObject::value(t))
}

fn unix_epoch(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(time_arg(&args, 0).unix.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::fmt::format_v;
    use crate::template::funcs::sprig::test_call::{call, err_text};

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    // Expected values from helm v3.17.3 (TZ=UTC):
    // {{ duration 95 }} → 0s (an int, not int64); {{ duration "3600" }} → 1h0m0s;
    // {{ durationRound "2h30m" }} → 2h; {{ durationRound "1m0s" }} → 60s; {{ durationRound "9000h" }} → 1y
    #[test]
    fn durations() {
        assert_eq!(
            format_v(&call(duration, vec![Value::int(95)]).unwrap()),
            "0s"
        );
        assert_eq!(
            format_v(&call(duration, vec![Value::int64(86461)]).unwrap()),
            "24h1m1s"
        );
        assert_eq!(
            format_v(&call(duration, vec![s("3600")]).unwrap()),
            "1h0m0s"
        );
        for (input, want) in [
            ("2h30m", "2h"),
            ("1m0s", "60s"),
            ("9000h", "1y"),
            ("800h", "1mo"),
            ("-3h", "3h"),
        ] {
            assert_eq!(
                format_v(&call(duration_round, vec![s(input)]).unwrap()),
                want,
                "{input}"
            );
        }
    }

    // helm v3.17.3: $t := toDate "2006-01-02T15:04:05Z07:00" "2024-02-29T13:14:15+01:00";
    // {{ $t.Month }} {{ $t.Weekday }} {{ $t.YearDay }} {{ $t.AddDate 0 1 0 }} {{ $t.UTC }}
    // → February Thursday 60 2024-03-29 13:14:15 +0100 +0100 2024-02-29 12:14:15 +0000 UTC
    #[test]
    fn time_methods() {
        let t = call(
            to_date,
            vec![
                s("2006-01-02T15:04:05Z07:00"),
                s("2024-02-29T13:14:15+01:00"),
            ],
        )
        .unwrap();
        let Value::Object(o) = &t else { panic!() };
        let m = |name: &str, args: Vec<Value>| format_v(&o.call_method(name, args).unwrap());
        assert_eq!(m("Month", vec![]), "February");
        assert_eq!(m("Weekday", vec![]), "Thursday");
        assert_eq!(m("YearDay", vec![]), "60");
        assert_eq!(m("Unix", vec![]), "1709208855");
        assert_eq!(
            m("AddDate", vec![Value::int(0), Value::int(1), Value::int(0)]),
            "2024-03-29 13:14:15 +0100 +0100"
        );
        assert_eq!(m("UTC", vec![]), "2024-02-29 12:14:15 +0000 UTC");
        assert_eq!(m("Location", vec![]), "");
        let oct31 = call(to_date, vec![s("2006-01-02"), s("2023-10-31")]).unwrap();
        let Value::Object(o) = &oct31 else { panic!() };
        let next = o
            .call_method("AddDate", vec![Value::int(0), Value::int(1), Value::int(0)])
            .unwrap();
        assert_eq!(format_v(&next), "2023-12-01 00:00:00 +0000 UTC");
    }

    #[test]
    fn dates_and_parsing() {
        // {{ toDate "2006-01-02" "2024-02-29" | unixEpoch }} → 1709164800; {{ htmlDate 86400 }} → 1970-01-02
        let t = call(to_date, vec![s("2006-01-02"), s("2024-02-29")]).unwrap();
        assert_eq!(
            format_v(&call(unix_epoch, vec![t.clone()]).unwrap()),
            "1709164800"
        );
        assert_eq!(
            format_v(&call(html_date, vec![Value::int(86400)]).unwrap()),
            "1970-01-02"
        );
        assert_eq!(
            format_v(
                &call(
                    html_date_in_zone,
                    vec![Value::int(86400), s("America/New_York")]
                )
                .unwrap()
            ),
            "1970-01-01"
        );
        let bad = call(to_date, vec![s("2006-01-02"), s("2024-02-30")]).unwrap();
        assert_eq!(format_v(&bad), "0001-01-01 00:00:00 +0000 UTC");
        assert_eq!(
            err_text(call(must_to_date, vec![s("2006-01-02"), s("2024-02-30")])),
            "parsing time \"2024-02-30\": day out of range"
        );
        let same = call(date_modify, vec![s("bad"), t.clone()]).unwrap();
        assert_eq!(format_v(&same), "2024-02-29 00:00:00 +0000 UTC");
        assert_eq!(
            err_text(call(must_date_modify, vec![s("bad"), t])),
            "time: invalid duration \"bad\""
        );
    }

    #[test]
    fn now_uses_the_injected_clock_and_prints_a_monotonic_reading() {
        let t = call(now, vec![]).unwrap();
        let shown = format_v(&t);
        assert!(
            shown.starts_with("2024-01-02 03:04:05.123456789 +0000 UTC m=+"),
            "{shown}"
        );
        assert_eq!(format_v(&call(date, vec![s("2006"), t]).unwrap()), "2024");
    }

    #[test]
    fn theme_registers_sixteen_names() {
        assert_eq!(FUNCS.len(), 16);
    }
}

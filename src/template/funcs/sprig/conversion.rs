//! Sprig's type conversion functions: `atoi int int64 float64 toDecimal` (`toString` and `toStrings`
//! are with the string functions).
//!
//! `int`, `int64` and `float64` are `spf13/cast` conversions (see [`super::util`]); `atoi` is Go's
//! `strconv.Atoi` with its error dropped (a value out of range comes back clamped, as Go returns it);
//! `toDecimal` reads the `%v` text of its argument as an octal number.
use super::util::{arg, arg_str, parse_go_int, to_float64, to_int, to_int64};
use crate::template::fmt::format_v;
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

type Res = Result<Value, FuncError>;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "atoi",
        sig: Signature::fixed(&[GoType::String]),
        imp: atoi,
    },
    FuncDef {
        name: "int",
        sig: Signature::fixed(&[GoType::Interface]),
        imp: int,
    },
    FuncDef {
        name: "int64",
        sig: Signature::fixed(&[GoType::Interface]),
        imp: int64,
    },
    FuncDef {
        name: "float64",
        sig: Signature::fixed(&[GoType::Interface]),
        imp: float64,
    },
    FuncDef {
        name: "toDecimal",
        sig: Signature::fixed(&[GoType::Interface]),
        imp: to_decimal,
    },
];

/// Go's `strconv.Atoi` value: base 10 with an optional sign; 0 on a syntax error, the nearest limit on
/// overflow.
fn go_atoi(s: &str) -> i64 {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    match parse_go_int(s, 10) {
        Some(v) => v,
        None if negative => i64::MIN,
        None => i64::MAX,
    }
}

fn atoi(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::int(go_atoi(arg_str(&args, 0))))
}

fn int(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::int(to_int(&arg(&args, 0))))
}

fn int64(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::int64(to_int64(&arg(&args, 0))))
}

fn float64(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Float(to_float64(&arg(&args, 0))))
}

/// Sprig's `toDecimal`: `strconv.ParseInt(fmt.Sprint(v), 8, 64)`, 0 when that fails.
fn to_decimal(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::int64(
        parse_go_int(&format_v(&arg(&args, 0)), 8).unwrap_or(0),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atoi_matches_strconv() {
        // helm: {{ atoi "12a" }} → 0; {{ atoi " 1" }} → 0; {{ atoi "-7" }} → -7
        assert_eq!(go_atoi("12a"), 0);
        assert_eq!(go_atoi(" 1"), 0);
        assert_eq!(go_atoi("-7"), -7);
        assert_eq!(go_atoi("99999999999999999999"), i64::MAX);
    }
}

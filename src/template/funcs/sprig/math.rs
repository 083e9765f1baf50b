//! Sprig's math functions (Sprig v3.3.0 `numeric.go` and the arithmetic entries of `functions.go`):
//! integer math on `int64` (`add add1 sub mul div mod max biggest min`), float math through exact
//! decimals (`addf add1f subf mulf divf`, see the `decimal` submodule), plain float64 math (`maxf minf ceil floor
//! round`), and the integer sequences `until untilStep seq`.
//!
//! Every operand goes through `cast.ToInt64`/`cast.ToFloat64` ([`super::util`]), so strings, bools and
//! nil are accepted. Integer overflow wraps as in Go; Go's division panics become errors.
mod decimal;

use super::util::{arg, arg_int, int_list, to_float64, to_int64, DIVIDE_BY_ZERO};
use crate::template::fmt::format_v;
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;
use decimal::Decimal;

type Res = Result<Value, FuncError>;

const ANY: GoType = GoType::Interface;
const I: GoType = GoType::INT;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "add1",
        sig: Signature::fixed(&[ANY]),
        imp: add1,
    },
    FuncDef {
        name: "add",
        sig: Signature::variadic(&[], ANY),
        imp: add,
    },
    FuncDef {
        name: "sub",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: sub,
    },
    FuncDef {
        name: "div",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: div,
    },
    FuncDef {
        name: "mod",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: modulo,
    },
    FuncDef {
        name: "mul",
        sig: Signature::variadic(&[ANY], ANY),
        imp: mul,
    },
    FuncDef {
        name: "add1f",
        sig: Signature::fixed(&[ANY]),
        imp: add1f,
    },
    FuncDef {
        name: "addf",
        sig: Signature::variadic(&[], ANY),
        imp: addf,
    },
    FuncDef {
        name: "subf",
        sig: Signature::variadic(&[ANY], ANY),
        imp: subf,
    },
    FuncDef {
        name: "divf",
        sig: Signature::variadic(&[ANY], ANY),
        imp: divf,
    },
    FuncDef {
        name: "mulf",
        sig: Signature::variadic(&[ANY], ANY),
        imp: mulf,
    },
    FuncDef {
        name: "biggest",
        sig: Signature::variadic(&[ANY], ANY),
        imp: max,
    },
    FuncDef {
        name: "max",
        sig: Signature::variadic(&[ANY], ANY),
        imp: max,
    },
    FuncDef {
        name: "min",
        sig: Signature::variadic(&[ANY], ANY),
        imp: min,
    },
    FuncDef {
        name: "maxf",
        sig: Signature::variadic(&[ANY], ANY),
        imp: maxf,
    },
    FuncDef {
        name: "minf",
        sig: Signature::variadic(&[ANY], ANY),
        imp: minf,
    },
    FuncDef {
        name: "ceil",
        sig: Signature::fixed(&[ANY]),
        imp: ceil,
    },
    FuncDef {
        name: "floor",
        sig: Signature::fixed(&[ANY]),
        imp: floor,
    },
    FuncDef {
        name: "round",
        sig: Signature::variadic(&[ANY, I], GoType::Float64),
        imp: round,
    },
    FuncDef {
        name: "seq",
        sig: Signature::variadic(&[], I),
        imp: seq,
    },
    FuncDef {
        name: "until",
        sig: Signature::fixed(&[I]),
        imp: until,
    },
    FuncDef {
        name: "untilStep",
        sig: Signature::fixed(&[I, I, I]),
        imp: until_step,
    },
];

fn int64(i: i64) -> Res {
    Ok(Value::int64(i))
}

fn float(f: f64) -> Res {
    Ok(Value::Float(f))
}

fn add1(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    int64(to_int64(&arg(&args, 0)).wrapping_add(1))
}

fn add(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    int64(
        args.iter()
            .fold(0i64, |acc, v| acc.wrapping_add(to_int64(v))),
    )
}

fn sub(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    int64(to_int64(&arg(&args, 0)).wrapping_sub(to_int64(&arg(&args, 1))))
}

fn div(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (a, b) = (to_int64(&arg(&args, 0)), to_int64(&arg(&args, 1)));
    if b == 0 {
        return Err(FuncError::msg(DIVIDE_BY_ZERO));
    }
    int64(a.wrapping_div(b))
}

fn modulo(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (a, b) = (to_int64(&arg(&args, 0)), to_int64(&arg(&args, 1)));
    if b == 0 {
        return Err(FuncError::msg(DIVIDE_BY_ZERO));
    }
    int64(a.wrapping_rem(b))
}

fn mul(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    int64(
        args.iter()
            .skip(1)
            .fold(to_int64(&arg(&args, 0)), |acc, v| {
                acc.wrapping_mul(to_int64(v))
            }),
    )
}

fn max(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    int64(
        args.iter()
            .skip(1)
            .map(to_int64)
            .fold(to_int64(&arg(&args, 0)), i64::max),
    )
}

fn min(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    int64(
        args.iter()
            .skip(1)
            .map(to_int64)
            .fold(to_int64(&arg(&args, 0)), i64::min),
    )
}

/// Go's `math.Max`: NaN wins, and +0 beats -0.
fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            b
        } else {
            a
        }
    } else {
        a.max(b)
    }
}

/// Go's `math.Min`: NaN wins, and -0 beats +0.
fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else if a == 0.0 && b == 0.0 {
        if a.is_sign_negative() {
            a
        } else {
            b
        }
    } else {
        a.min(b)
    }
}

fn maxf(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    float(
        args.iter()
            .skip(1)
            .map(to_float64)
            .fold(to_float64(&arg(&args, 0)), go_max),
    )
}

fn minf(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    float(
        args.iter()
            .skip(1)
            .map(to_float64)
            .fold(to_float64(&arg(&args, 0)), go_min),
    )
}

/// A float64 as shopspring's `NewFromFloat` sees it; it panics on NaN and infinities.
fn decimal_of(v: &Value) -> Result<Decimal, FuncError> {
    let f = to_float64(v);
    Decimal::from_f64(f).ok_or_else(|| {
        FuncError::msg(format!(
            "Cannot create a Decimal from {}",
            format_v(&Value::Float(f))
        ))
    })
}

/// Sprig's `execDecimalOp`: folds `rest` into `first` with exact decimal arithmetic.
fn decimal_fold(
    first: &Value,
    rest: &[Value],
    op: fn(&Decimal, &Decimal) -> Result<Decimal, FuncError>,
) -> Res {
    let mut acc = decimal_of(first)?;
    for v in rest {
        acc = op(&acc, &decimal_of(v)?)?;
    }
    float(acc.to_f64())
}

fn dec_add(a: &Decimal, b: &Decimal) -> Result<Decimal, FuncError> {
    Ok(a.add(b))
}

fn dec_sub(a: &Decimal, b: &Decimal) -> Result<Decimal, FuncError> {
    Ok(a.sub(b))
}

fn dec_mul(a: &Decimal, b: &Decimal) -> Result<Decimal, FuncError> {
    Ok(a.mul(b))
}

fn dec_div(a: &Decimal, b: &Decimal) -> Result<Decimal, FuncError> {
    a.div(b)
        .ok_or_else(|| FuncError::msg("decimal division by 0"))
}

fn add1f(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    decimal_fold(&arg(&args, 0), &[Value::int(1)], dec_add)
}

fn addf(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    decimal_fold(&Value::Float(0.0), &args, dec_add)
}

fn subf(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    decimal_fold(&arg(&args, 0), args.get(1..).unwrap_or(&[]), dec_sub)
}

fn mulf(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    decimal_fold(&arg(&args, 0), args.get(1..).unwrap_or(&[]), dec_mul)
}

fn divf(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    decimal_fold(&arg(&args, 0), args.get(1..).unwrap_or(&[]), dec_div)
}

fn ceil(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    float(to_float64(&arg(&args, 0)).ceil())
}

fn floor(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    float(to_float64(&arg(&args, 0)).floor())
}

/// Sprig's `round(value, places, roundOn=.5)`: rounds up when the fraction of `value × 10^places`
/// (with its sign, as Go's `math.Modf` gives it) is at least `roundOn`.
fn round(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let round_on = match args.get(2) {
        Some(Value::Float(f)) => *f,
        _ => 0.5,
    };
    let value = to_float64(&arg(&args, 0));
    let pow = 10f64.powf(arg_int(&args, 1) as f64);
    let digit = pow * value;
    let fraction = digit - digit.trunc();
    let rounded = if fraction >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    float(rounded / pow)
}

/// Sprig's `untilStep`: from `start` towards `stop` (exclusive) by `step`; empty when the step points
/// the wrong way.
fn until_step_values(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut out = Vec::new();
    if stop < start {
        if step >= 0 {
            return out;
        }
        let mut i = start;
        while i > stop {
            out.push(i);
            i = match i.checked_add(step) {
                Some(next) => next,
                None => break,
            };
        }
        return out;
    }
    if step <= 0 {
        return out;
    }
    let mut i = start;
    while i < stop {
        out.push(i);
        i = match i.checked_add(step) {
            Some(next) => next,
            None => break,
        };
    }
    out
}

fn until(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let count = arg_int(&args, 0);
    let step = if count < 0 { -1 } else { 1 };
    Ok(int_list(until_step_values(0, count, step)))
}

fn until_step(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(int_list(until_step_values(
        arg_int(&args, 0),
        arg_int(&args, 1),
        arg_int(&args, 2),
    )))
}

/// Sprig's `seq`, like the Unix tool: `seq END`, `seq START END`, `seq START STEP END`, inclusive,
/// counting down when END < START.
fn seq(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let p: Vec<i64> = (0..args.len()).map(|i| arg_int(&args, i)).collect();
    let values = match p.as_slice() {
        [end] => {
            let (start, end) = (1, *end);
            let inc = if end < start { -1 } else { 1 };
            until_step_values(start, end.wrapping_add(inc), inc)
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step_values(*start, end.wrapping_add(step), step)
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(Value::str(""));
                }
            }
            until_step_values(*start, end.wrapping_add(inc), *step)
        }
        _ => return Ok(Value::str("")),
    };
    let text: Vec<String> = values.iter().map(i64::to_string).collect();
    Ok(Value::string(text.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sequences_follow_sprig() {
        // helm: {{ seq 0 2 10 }} → 0 2 4 6 8 10; {{ seq 10 -3 1 }} → 10 7 4 1; {{ seq 0 }} → 1 0
        assert_eq!(until_step_values(0, 11, 2), vec![0, 2, 4, 6, 8, 10]);
        assert_eq!(until_step_values(10, 0, -3), vec![10, 7, 4, 1]);
        assert_eq!(until_step_values(1, -1, -1), vec![1, 0]);
        assert!(until_step_values(0, 5, 0).is_empty());
    }

    #[test]
    fn go_max_min_handle_zero_signs() {
        assert!(go_max(-0.0, 0.0).is_sign_positive());
        assert!(go_min(0.0, -0.0).is_sign_negative());
        assert!(go_max(f64::NAN, 1.0).is_nan());
    }
}

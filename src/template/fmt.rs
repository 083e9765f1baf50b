//! Go's `fmt` rules for template values: `%v` (and so `print`, `println`, `{{ . }}`), and the shortest
//! float formatting of `strconv.FormatFloat(f, 'g', -1, 64)`.
//!
//! Go prints `1000000.0` as `1e+06`, lists as `[a b]`, maps as `map[a:1 b:2]` (keys sorted) and nil as
//! `<nil>`; this module reproduces those rules. `printf`'s verbs are in `printf` (see the evaluator).
use super::value::Value;

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest digits, in exponent form when the decimal
/// exponent is < -4 or ≥ 6 (e.g. `1e+06`, `1e-05`, `1.5`, `123456`).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (negative, digits, exp) = shortest_digits(f);
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if !(-4..6).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        let e = exp.unsigned_abs();
        if e < 10 {
            out.push('0');
        }
        out.push_str(&e.to_string());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(&digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(&digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
    out
}

/// The shortest round-tripping decimal digits of a finite non-zero `f`: (negative, digits, exponent)
/// such that `f = 0.d1d2d3… × 10^(exponent+1)`, i.e. `d1.d2d3… × 10^exponent`.
pub fn shortest_digits(f: f64) -> (bool, String, i32) {
    // An integer below 2^53 is exact and its neighbours are at most 1 away, so no shorter digit
    // string rounds to it: its digits (without trailing zeros) are the shortest.
    if f != 0.0 && f.fract() == 0.0 && f.abs() < (1u64 << 53) as f64 {
        let whole = (f.abs() as u64).to_string();
        let exponent = whole.len() as i32 - 1;
        let digits = whole.trim_end_matches('0').to_string();
        return (f < 0.0, digits, exponent);
    }
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').expect("{:e} always has an exponent");
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (
        f < 0.0,
        digits,
        exp.parse().expect("exponent is an integer"),
    )
}

/// Go's `%v` of a value at the top level of `fmt` (a nil prints `<nil>`).
pub fn format_v(v: &Value) -> String {
    let mut out = String::new();
    write_v(&mut out, v, 0);
    out
}

const MAX_DEPTH: usize = 10_000;

fn write_v(out: &mut String, v: &Value, depth: usize) {
    if depth > MAX_DEPTH {
        out.push_str("<max depth>");
        return;
    }
    match v {
        Value::Nil => out.push_str("<nil>"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i, _) => out.push_str(&i.to_string()),
        Value::Uint(u, _) => out.push_str(&u.to_string()),
        Value::Float(f) => out.push_str(&format_float_g(*f)),
        Value::String(s) => out.push_str(s),
        Value::Bytes(b) => {
            out.push('[');
            for (i, byte) in b.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(&byte.to_string());
            }
            out.push(']');
        }
        Value::List(l) => {
            out.push('[');
            for (i, item) in l.items().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                write_v(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push_str("map[");
            for (i, (k, item)) in m.entries().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                out.push_str(k);
                out.push(':');
                write_v(out, item, depth + 1);
            }
            out.push(']');
        }
        Value::Object(o) => out.push_str(&o.format_v()),
    }
}

/// Go's `fmt.Sprint`: operands formatted with `%v`, a space between two operands when neither is a
/// string.
pub fn sprint(args: &[Value]) -> String {
    let mut out = String::new();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            out.push(' ');
        }
        write_v(&mut out, arg, 0);
        prev_string = is_string;
    }
    out
}

/// Go's `fmt.Sprintln`: operands with `%v`, always separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut out = String::new();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(&mut out, arg, 0);
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        for (f, want) in [
            (1e6, "1e+06"),
            (12345678.0, "1.2345678e+07"),
            (1.1, "1.1"),
            (3.0, "3"),
            (123456.0, "123456"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.5, "-0.5"),
            (1e21, "1e+21"),
            (100.5, "100.5"),
        ] {
            assert_eq!(format_float_g(f), want, "{f}");
        }
    }

    proptest::proptest! {
        /// Go's shortest `%v` (`'g'`, precision -1): the text parses back to the same float, uses the
        /// exponent form exactly when the decimal exponent is < -4 or >= 6, with the shortest digits.
        #[test]
        fn float_g_round_trips_and_picks_go_form(bits in proptest::prelude::any::<u64>()) {
            let f = f64::from_bits(bits);
            proptest::prop_assume!(f.is_finite() && f != 0.0);
            let s = format_float_g(f);
            proptest::prop_assert_eq!(s.parse::<f64>().ok(), Some(f), "{}", s);
            let (_, digits, exp) = shortest_digits(f);
            let exponent_form = s.contains('e');
            proptest::prop_assert_eq!(exponent_form, !(-4..6).contains(&exp), "{}", s);
            // Shortest: Rust's `{:e}` gives the shortest round-tripping digits, which Go uses too.
            let mantissa_digits = s.split('e').next().unwrap_or("").chars().filter(char::is_ascii_digit).count();
            if exponent_form {
                proptest::prop_assert_eq!(mantissa_digits, digits.len());
            }
        }
    }

    #[test]
    fn sprint_spaces_between_non_strings() {
        let args = [
            Value::str("a"),
            Value::int(1),
            Value::int(2),
            Value::str("b"),
            Value::Float(3.5),
        ];
        assert_eq!(sprint(&args), "a1 2b3.5");
    }

    /// The digits of an integral float are those Rust's shortest `{:e}` gives.
    #[test]
    fn integral_floats_have_their_shortest_digits() {
        let by_format = |f: f64| {
            let s = format!("{:e}", f.abs());
            let (mantissa, exp) = s.split_once('e').unwrap();
            let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
            (f < 0.0, digits, exp.parse::<i32>().unwrap())
        };
        let mut samples: Vec<f64> = (1..20_000).map(f64::from).collect();
        let mut power = 1u64;
        while power < 1 << 53 {
            samples.extend([power, power - 1, power + 1, power * 7].map(|n| n as f64));
            power *= 10;
        }
        samples.extend([(1u64 << 53) - 1, 1 << 52, 123_456_789_012_345].map(|n| n as f64));
        for f in samples {
            for f in [f, -f] {
                assert_eq!(shortest_digits(f), by_format(f), "{f}");
            }
        }
        // Past 2^53 and for fractions the formatting path answers.
        assert_eq!(shortest_digits(2f64.powi(60)), by_format(2f64.powi(60)));
        assert_eq!(shortest_digits(0.125), (false, "125".into(), -1));
    }
}

//! Go's float formatting as the serialisers need it: `strconv.FormatFloat(f, 'g'|'e'|'f', -1, 64)`
//! (shortest round-tripping digits) and `encoding/json`'s float rule.
//!
//! Rust's `{:e}` gives the same shortest digits as Go's `FormatFloat` with precision -1, so only the
//! layout is ours.

/// Shortest digits of a finite, non-zero `f`: (negative, digits, decimal exponent of the first digit).
pub fn shortest(f: f64) -> (bool, String, i32) {
    let s = format!("{:e}", f.abs());
    let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    (f < 0.0, digits, exp.parse().unwrap_or(0))
}

/// Go's `%e` layout of shortest digits: `1.5e+06`, `1e-07` (at least two exponent digits).
pub fn format_e(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
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
    out
}

/// Go's `%f` layout of shortest digits: `1000000`, `0.0001`, `1.5`.
pub fn format_f(negative: bool, digits: &str, exp: i32) -> String {
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
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

/// Go's shortest `%g` layout (`FormatFloat(f, 'g', -1, …)`): exponent form when the decimal
/// exponent is < -4 or ≥ 6 (`1e+06`, `123456`, `1.234567e+06`, `0.0001`, `1e-05`).
pub fn format_g(negative: bool, digits: &str, exp: i32) -> String {
    if (-4..6).contains(&exp) {
        format_f(negative, digits, exp)
    } else {
        format_e(negative, digits, exp)
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 64)`.
pub fn go_g(f: f64) -> String {
    if let Some(s) = special(f) {
        return s;
    }
    let (neg, digits, exp) = shortest(f);
    format_g(neg, &digits, exp)
}

fn special(f: f64) -> Option<String> {
    if f.is_nan() {
        Some("NaN".into())
    } else if f.is_infinite() {
        Some(if f > 0.0 { "+Inf" } else { "-Inf" }.into())
    } else if f == 0.0 {
        Some(if f.is_sign_negative() { "-0" } else { "0" }.into())
    } else {
        None
    }
}

/// `encoding/json`'s float64 encoding: `%f` unless abs < 1e-6 or abs ≥ 1e21, then `%e` with a
/// one-digit negative exponent cleaned up (`1e-7`, but `1e+21`). Callers reject NaN and ±Inf.
pub fn json_float(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let (neg, digits, exp) = shortest(f);
    let abs = f.abs();
    if !(1e-6..1e21).contains(&abs) {
        let mut s = format_e(neg, &digits, exp);
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            s.remove(n - 2);
        }
        s
    } else {
        format_f(neg, &digits, exp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_g_shortest() {
        assert_eq!(go_g(1e6), "1e+06");
        assert_eq!(go_g(123456.0), "123456");
        assert_eq!(go_g(1234567.0), "1.234567e+06");
        assert_eq!(go_g(1e-7), "1e-07");
        assert_eq!(go_g(0.0001), "0.0001");
        assert_eq!(go_g(1e21), "1e+21");
        assert_eq!(go_g(3.0), "3");
    }

    #[test]
    fn json_floats() {
        assert_eq!(json_float(1e-7), "1e-7");
        assert_eq!(json_float(1e20), "100000000000000000000");
        assert_eq!(json_float(1e21), "1e+21");
        assert_eq!(json_float(0.1), "0.1");
        assert_eq!(json_float(-2.5e-10), "-2.5e-10");
        assert_eq!(json_float(1e-6), "0.000001");
    }
}

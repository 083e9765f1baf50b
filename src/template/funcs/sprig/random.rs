//! Sprig's random functions: `randAlphaNum randAlpha randAscii randNumeric randInt shuffle uuidv4`.
//!
//! Every draw comes from the render's random source (`FuncEnv::rng`), so a seeded environment makes
//! them repeatable in tests; real Helm draws from `crypto/rand` and `math/rand`, so outputs only match
//! Helm in shape: the character sets are goutils' `CryptoRandom*` ones (`[A-Za-z0-9]`, `[A-Za-z]`,
//! printable ASCII 32–126 including the space, `[0-9]`), a negative count gives "" as in Sprig, and
//! `uuidv4` is a random (version 4, RFC 4122 variant) UUID in lower-case hex.
use rand::Rng;

use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

/// Picks one character, given a draw of an index below its argument.
type CharPicker<'a> = &'a dyn Fn(&mut dyn FnMut(usize) -> usize) -> char;

const INT: GoType = GoType::INT;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "randAlphaNum",
        sig: Signature::fixed(&[INT]),
        imp: rand_alpha_num,
    },
    FuncDef {
        name: "randAlpha",
        sig: Signature::fixed(&[INT]),
        imp: rand_alpha,
    },
    FuncDef {
        name: "randAscii",
        sig: Signature::fixed(&[INT]),
        imp: rand_ascii,
    },
    FuncDef {
        name: "randNumeric",
        sig: Signature::fixed(&[INT]),
        imp: rand_numeric,
    },
    FuncDef {
        name: "randInt",
        sig: Signature::fixed(&[INT, INT]),
        imp: rand_int,
    },
    FuncDef {
        name: "shuffle",
        sig: Signature::fixed(&[GoType::String]),
        imp: shuffle,
    },
    FuncDef {
        name: "uuidv4",
        sig: Signature::fixed(&[]),
        imp: uuidv4,
    },
];

const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";

fn int_at(args: &[Value], i: usize) -> i64 {
    match args.get(i) {
        Some(Value::Int(n, _)) => *n,
        Some(Value::Uint(n, _)) => i64::try_from(*n).unwrap_or(i64::MAX),
        _ => 0,
    }
}

/// `count` characters drawn uniformly from `pick`'s alphabet; "" for a negative count.
fn random_string(ctx: &CallCtx<'_>, count: i64, alphabet: CharPicker<'_>) -> String {
    let Ok(count) = usize::try_from(count) else {
        return String::new();
    };
    let mut rng = ctx.env.rng.borrow_mut();
    let mut draw = |n: usize| rng.random_range(0..n);
    (0..count).map(|_| alphabet(&mut draw)).collect()
}

fn from_set(draw: &mut dyn FnMut(usize) -> usize, sets: &[&[u8]]) -> char {
    let total: usize = sets.iter().map(|s| s.len()).sum();
    let mut i = draw(total);
    for set in sets {
        if i < set.len() {
            return set[i] as char;
        }
        i -= set.len();
    }
    '?'
}

fn rand_alpha_num(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(random_string(ctx, int_at(&args, 0), &|d| {
        from_set(d, &[ALPHA, DIGITS])
    })))
}

fn rand_alpha(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(random_string(ctx, int_at(&args, 0), &|d| {
        from_set(d, &[ALPHA])
    })))
}

fn rand_ascii(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(random_string(ctx, int_at(&args, 0), &|d| {
        (32 + d(95) as u8) as char
    })))
}

fn rand_numeric(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(random_string(ctx, int_at(&args, 0), &|d| {
        from_set(d, &[DIGITS])
    })))
}

/// `randInt min max`: an `int` in `[min, max)`; Go's `rand.Intn` panics when `max <= min`.
fn rand_int(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let (min, max) = (int_at(&args, 0), int_at(&args, 1));
    let span = max.wrapping_sub(min);
    if span <= 0 {
        return Err(FuncError::msg("invalid argument to Intn"));
    }
    let n = ctx.env.rng.borrow_mut().random_range(0..span);
    Ok(Value::int(n + min))
}

/// `shuffle "abc"`: the string's characters (runes) in random order.
fn shuffle(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    use rand::seq::SliceRandom;
    let mut chars: Vec<char> = args
        .first()
        .and_then(Value::as_str)
        .unwrap_or("")
        .chars()
        .collect();
    chars.shuffle(&mut *ctx.env.rng.borrow_mut());
    Ok(Value::string(chars.into_iter().collect()))
}

/// A version 4 UUID from `bytes` (Google's `uuid.New().String()` layout).
pub fn format_uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex = super::crypto::hex(&bytes);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn uuidv4(ctx: &mut CallCtx<'_>, _: Vec<Value>) -> Result<Value, FuncError> {
    let bytes: [u8; 16] = ctx.env.rng.borrow_mut().random();
    Ok(Value::string(format_uuid_v4(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_call::{call, err_text};

    fn text(v: Value) -> String {
        v.as_str().unwrap().to_string()
    }

    #[test]
    fn character_sets_match_goutils() {
        let s = text(call(rand_alpha_num, vec![Value::int(200)]).unwrap());
        assert_eq!(s.len(), 200);
        assert!(s.bytes().all(|c| c.is_ascii_alphanumeric()));
        let s = text(call(rand_alpha, vec![Value::int(50)]).unwrap());
        assert!(s.bytes().all(|c| c.is_ascii_alphabetic()));
        let s = text(call(rand_numeric, vec![Value::int(50)]).unwrap());
        assert!(s.bytes().all(|c| c.is_ascii_digit()));
        let s = text(call(rand_ascii, vec![Value::int(500)]).unwrap());
        assert!(s.bytes().all(|c| (32..127).contains(&c)));
        // helm: {{ randAlpha -1 | quote }} → ""
        assert_eq!(text(call(rand_alpha, vec![Value::int(-1)]).unwrap()), "");
    }

    #[test]
    fn seeded_draws_are_repeatable() {
        let a = text(call(rand_alpha_num, vec![Value::int(16)]).unwrap());
        let b = text(call(rand_alpha_num, vec![Value::int(16)]).unwrap());
        assert_eq!(a, b);
    }

    #[test]
    fn rand_int_range_and_error() {
        for _ in 0..20 {
            let Value::Int(n, _) = call(rand_int, vec![Value::int(-5), Value::int(-2)]).unwrap()
            else {
                panic!()
            };
            assert!((-5..-2).contains(&n));
        }
        // helm: {{ randInt 5 5 }} → error calling randInt: invalid argument to Intn
        assert_eq!(
            err_text(call(rand_int, vec![Value::int(5), Value::int(5)])),
            "invalid argument to Intn"
        );
    }

    #[test]
    fn uuid_and_shuffle_shapes() {
        let u = text(call(uuidv4, vec![]).unwrap());
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!("89ab".contains(&u[19..20]));
        let mut s: Vec<char> = text(call(shuffle, vec![Value::str("héllo")]).unwrap())
            .chars()
            .collect();
        s.sort_unstable();
        assert_eq!(s, vec!['h', 'l', 'l', 'o', 'é']);
    }

    #[test]
    fn theme_registers_seven_names() {
        assert_eq!(FUNCS.len(), 7);
    }
}

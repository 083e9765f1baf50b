//! Sprig's encoding functions: `b64enc b64dec b32enc b32dec` (standard alphabets, padded).
//!
//! As in Sprig, the decoders return Go's error text as their *result* instead of failing
//! (`illegal base64 data at input byte 4`), so the decoders here are written after Go's
//! `encoding/base64` and `encoding/base32` to report the same byte offsets (go1.23 rules: `\r` and `\n`
//! are skipped, padding is required, non-zero trailing bits are accepted).
//!
//! Both work on Go's bytes of the string (`template::gostr`): binary data survives a round trip.
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::gostr;
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

const STR: GoType = GoType::String;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "b64enc",
        sig: Signature::fixed(&[STR]),
        imp: b64enc,
    },
    FuncDef {
        name: "b64dec",
        sig: Signature::fixed(&[STR]),
        imp: b64dec,
    },
    FuncDef {
        name: "b32enc",
        sig: Signature::fixed(&[STR]),
        imp: b32enc,
    },
    FuncDef {
        name: "b32dec",
        sig: Signature::fixed(&[STR]),
        imp: b32dec,
    },
];

const B64_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const PAD: u8 = b'=';

fn str_arg(args: &[Value]) -> &str {
    args.first().and_then(Value::as_str).unwrap_or("")
}

fn b64enc(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(base64_encode(&gostr::to_bytes(str_arg(
        &args,
    )))))
}

fn b64dec(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(
        match base64_decode(str_arg(&args).as_bytes()) {
            Ok(bytes) => gostr::from_vec(bytes),
            Err(at) => format!("illegal base64 data at input byte {at}"),
        },
    ))
}

fn b32enc(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(base32_encode(&gostr::to_bytes(str_arg(
        &args,
    )))))
}

fn b32dec(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(
        match base32_decode(str_arg(&args).as_bytes()) {
            Ok(bytes) => gostr::from_vec(bytes),
            Err(at) => format!("illegal base32 data at input byte {at}"),
        },
    ))
}

/// Go's `base64.StdEncoding.EncodeToString`.
pub fn base64_encode(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len().div_ceil(3) * 4);
    for chunk in src.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64_ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_value(c: u8) -> Option<u8> {
    B64_ALPHABET.iter().position(|&a| a == c).map(|p| p as u8)
}

/// Go's `base64.StdEncoding.DecodeString`; the error is the offset Go's `CorruptInputError` reports.
pub fn base64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let (next, bytes, trailing_error) = base64_quantum(src, si)?;
        out.extend_from_slice(&bytes);
        if let Some(at) = trailing_error {
            return Err(at);
        }
        if next == si {
            break;
        }
        si = next;
    }
    Ok(out)
}

/// Go's `decodeQuantum`: decodes up to four symbols from `si`, returning the next index, the bytes, and
/// the error Go reports after a padded final quantum that is followed by more data.
fn base64_quantum(src: &[u8], mut si: usize) -> Result<(usize, Vec<u8>, Option<usize>), usize> {
    let mut dbuf = [0u8; 4];
    let mut dlen = 4;
    let mut trailing_error = None;
    let mut j = 0;
    while j < 4 {
        if si == src.len() {
            if j == 0 {
                return Ok((si, Vec::new(), None));
            }
            // Padding is required, so a short final quantum is corrupt.
            return Err(si - j);
        }
        let c = src[si];
        si += 1;
        if let Some(v) = b64_value(c) {
            dbuf[j] = v;
            j += 1;
            continue;
        }
        if c == b'\n' || c == b'\r' {
            continue;
        }
        if c != PAD {
            return Err(si - 1);
        }
        match j {
            0 | 1 => return Err(si - 1),
            2 => {
                while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != PAD {
                    return Err(si - 1);
                }
                si += 1;
            }
            _ => {}
        }
        while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
            si += 1;
        }
        if si < src.len() {
            trailing_error = Some(si);
        }
        dlen = j;
        break;
    }
    let val = (u32::from(dbuf[0]) << 18)
        | (u32::from(dbuf[1]) << 12)
        | (u32::from(dbuf[2]) << 6)
        | u32::from(dbuf[3]);
    let bytes = [(val >> 16) as u8, (val >> 8) as u8, val as u8];
    Ok((si, bytes[..dlen - 1].to_vec(), trailing_error))
}

/// Go's `base32.StdEncoding.EncodeToString`.
pub fn base32_encode(src: &[u8]) -> String {
    let mut out = String::with_capacity(src.len().div_ceil(5) * 8);
    for chunk in src.chunks(5) {
        let mut b = [0u8; 5];
        b[..chunk.len()].copy_from_slice(chunk);
        let n = b.iter().fold(0u64, |acc, &x| (acc << 8) | u64::from(x));
        let symbols = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for i in 0..8 {
            if i < symbols {
                out.push(B32_ALPHABET[((n >> (35 - 5 * i)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base32.StdEncoding.DecodeString` (newlines stripped first); the error is Go's offset, which
/// counts in the stripped input.
pub fn base32_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    let src: Vec<u8> = input
        .iter()
        .copied()
        .filter(|&b| b != b'\r' && b != b'\n')
        .collect();
    let olen = src.len();
    let mut rest: &[u8] = &src;
    let mut out = Vec::with_capacity(olen / 8 * 5);
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut dbuf = [0u8; 8];
        let mut dlen = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&c, tail)) = rest.split_first() else {
                return Err(olen - j);
            };
            rest = tail;
            if c == PAD && j >= 2 && rest.len() < 8 {
                if rest.len() + j < 7 {
                    return Err(olen);
                }
                for k in 0..(7 - j) {
                    if rest.len() > k && rest[k] != PAD {
                        return Err(olen - rest.len() + k - 1);
                    }
                }
                dlen = j;
                end = true;
                if matches!(dlen, 1 | 3 | 6) {
                    return Err(olen - rest.len() - 1);
                }
                break;
            }
            match B32_ALPHABET.iter().position(|&a| a == c) {
                Some(v) => dbuf[j] = v as u8,
                None => return Err(olen - rest.len() - 1),
            }
            j += 1;
        }
        let bytes = [
            (dbuf[0] << 3) | (dbuf[1] >> 2),
            (dbuf[1] << 6) | (dbuf[2] << 1) | (dbuf[3] >> 4),
            (dbuf[3] << 4) | (dbuf[4] >> 1),
            (dbuf[4] << 7) | (dbuf[5] << 2) | (dbuf[6] >> 3),
            (dbuf[6] << 5) | dbuf[7],
        ];
        let n = match dlen {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => 0,
        };
        out.extend_from_slice(&bytes[..n]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from helm v3.17.3: `{{ b64dec "X" | quote }}` / `{{ b32dec "X" | quote }}`.
    #[test]
    fn base64_decode_reports_go_offsets() {
        for (input, want) in [
            ("aGVsbG8=", Ok("hello")),
            ("aGVsbG8", Err(4)),
            ("aGVs bG8=", Err(4)),
            ("a", Err(0)),
            ("abc", Err(0)),
            ("!!!!", Err(0)),
            ("aGVsbG8=x", Err(8)),
            ("aGVs\nbG8=", Ok("hello")),
            ("aGVsbA==", Ok("hell")),
            ("aGVsbA=", Err(7)),
            ("aGVsbA===", Err(8)),
            ("====", Err(0)),
            ("aGVsbG9=", Ok("hello")),
            ("YQ==YQ==", Err(4)),
            ("", Ok("")),
        ] {
            let got = base64_decode(input.as_bytes()).map(|b| String::from_utf8(b).unwrap());
            assert_eq!(got, want.map(str::to_string), "{input}");
        }
    }

    #[test]
    fn base32_decode_reports_go_offsets() {
        for (input, want) in [
            ("NBSWY3DP", Ok("hello")),
            ("NBSWY3DPEE======", Ok("hello!")),
            ("NBSWY3D", Err(0)),
            ("nbswy3dp", Err(0)),
            ("1", Err(0)),
            ("NBSWY3DPEE=====", Err(15)),
            ("NBSW Y3DP", Err(4)),
            ("MFRGG===", Ok("abc")),
            ("MFRGG", Err(0)),
        ] {
            let got = base32_decode(input.as_bytes()).map(|b| String::from_utf8(b).unwrap());
            assert_eq!(got, want.map(str::to_string), "{input}");
        }
    }

    #[test]
    fn encoders_match_go() {
        assert_eq!(base32_encode(b"hello!"), "NBSWY3DPEE======");
        assert_eq!(base64_encode("héllo".as_bytes()), "aMOpbGxv");
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_encode(b""), "");
    }

    #[test]
    fn theme_registers_four_names() {
        assert_eq!(FUNCS.len(), 4);
    }
}

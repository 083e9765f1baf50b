//! Sprig's string functions (Sprig v3.3.0 `strings.go` and the string entries of `functions.go`):
//! `abbrev trunc trim upper title substr repeat trimAll nospace initials swapcase snakecase camelcase
//! kebabcase wrap contains quote squote cat indent nindent replace plural toString join split splitList
//! splitn toStrings` and friends.
//!
//! Go strings are byte strings and several of these functions cut by byte offset (`trunc`, `substr`,
//! `abbrev`); a cut inside a multi-byte character gives invalid UTF-8 in Go, which Rust strings cannot
//! hold, so the cut bytes are replaced by U+FFFD here. The casing algorithms live in the `casing` submodule.
//! `randAlpha*` and `shuffle` are in the `random` theme; `sortAlpha` is in `lists` (Sprig's `list.go`).
mod casing;

use super::util::{arg, arg_int, arg_str, go_quote, strslice, strval};
use crate::template::fmt::format_v;
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::gostr;
use crate::template::types::{GoType, Signature};
use crate::template::value::{MapEntries, MapKind, Value};
use crate::template::Map;

type Res = Result<Value, FuncError>;

const S: GoType = GoType::String;
const I: GoType = GoType::INT;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "hello",
        sig: Signature::fixed(&[]),
        imp: hello,
    },
    FuncDef {
        name: "abbrev",
        sig: Signature::fixed(&[I, S]),
        imp: abbrev,
    },
    FuncDef {
        name: "abbrevboth",
        sig: Signature::fixed(&[I, I, S]),
        imp: abbrevboth,
    },
    FuncDef {
        name: "trunc",
        sig: Signature::fixed(&[I, S]),
        imp: trunc,
    },
    FuncDef {
        name: "trim",
        sig: Signature::fixed(&[S]),
        imp: trim,
    },
    FuncDef {
        name: "upper",
        sig: Signature::fixed(&[S]),
        imp: upper,
    },
    FuncDef {
        name: "lower",
        sig: Signature::fixed(&[S]),
        imp: lower,
    },
    FuncDef {
        name: "title",
        sig: Signature::fixed(&[S]),
        imp: title,
    },
    FuncDef {
        name: "untitle",
        sig: Signature::fixed(&[S]),
        imp: untitle,
    },
    FuncDef {
        name: "substr",
        sig: Signature::fixed(&[I, I, S]),
        imp: substr,
    },
    FuncDef {
        name: "repeat",
        sig: Signature::fixed(&[I, S]),
        imp: repeat,
    },
    FuncDef {
        name: "trimall",
        sig: Signature::fixed(&[S, S]),
        imp: trim_all,
    },
    FuncDef {
        name: "trimAll",
        sig: Signature::fixed(&[S, S]),
        imp: trim_all,
    },
    FuncDef {
        name: "trimSuffix",
        sig: Signature::fixed(&[S, S]),
        imp: trim_suffix,
    },
    FuncDef {
        name: "trimPrefix",
        sig: Signature::fixed(&[S, S]),
        imp: trim_prefix,
    },
    FuncDef {
        name: "nospace",
        sig: Signature::fixed(&[S]),
        imp: nospace,
    },
    FuncDef {
        name: "initials",
        sig: Signature::fixed(&[S]),
        imp: initials,
    },
    FuncDef {
        name: "swapcase",
        sig: Signature::fixed(&[S]),
        imp: swapcase,
    },
    FuncDef {
        name: "snakecase",
        sig: Signature::fixed(&[S]),
        imp: snakecase,
    },
    FuncDef {
        name: "camelcase",
        sig: Signature::fixed(&[S]),
        imp: camelcase,
    },
    FuncDef {
        name: "kebabcase",
        sig: Signature::fixed(&[S]),
        imp: kebabcase,
    },
    FuncDef {
        name: "wrap",
        sig: Signature::fixed(&[I, S]),
        imp: wrap,
    },
    FuncDef {
        name: "wrapWith",
        sig: Signature::fixed(&[I, S, S]),
        imp: wrap_with,
    },
    FuncDef {
        name: "contains",
        sig: Signature::fixed(&[S, S]),
        imp: contains,
    },
    FuncDef {
        name: "hasPrefix",
        sig: Signature::fixed(&[S, S]),
        imp: has_prefix,
    },
    FuncDef {
        name: "hasSuffix",
        sig: Signature::fixed(&[S, S]),
        imp: has_suffix,
    },
    FuncDef {
        name: "quote",
        sig: Signature::variadic(&[], GoType::Interface),
        imp: quote,
    },
    FuncDef {
        name: "squote",
        sig: Signature::variadic(&[], GoType::Interface),
        imp: squote,
    },
    FuncDef {
        name: "cat",
        sig: Signature::variadic(&[], GoType::Interface),
        imp: cat,
    },
    FuncDef {
        name: "indent",
        sig: Signature::fixed(&[I, S]),
        imp: indent,
    },
    FuncDef {
        name: "nindent",
        sig: Signature::fixed(&[I, S]),
        imp: nindent,
    },
    FuncDef {
        name: "replace",
        sig: Signature::fixed(&[S, S, S]),
        imp: replace,
    },
    FuncDef {
        name: "plural",
        sig: Signature::fixed(&[S, S, I]),
        imp: plural,
    },
    FuncDef {
        name: "toString",
        sig: Signature::fixed(&[GoType::Interface]),
        imp: to_string,
    },
    FuncDef {
        name: "join",
        sig: Signature::fixed(&[S, GoType::Interface]),
        imp: join,
    },
    FuncDef {
        name: "split",
        sig: Signature::fixed(&[S, S]),
        imp: split,
    },
    FuncDef {
        name: "splitList",
        sig: Signature::fixed(&[S, S]),
        imp: split_list,
    },
    FuncDef {
        name: "splitn",
        sig: Signature::fixed(&[S, I, S]),
        imp: splitn,
    },
    FuncDef {
        name: "toStrings",
        sig: Signature::fixed(&[GoType::Interface]),
        imp: to_strings,
    },
];

fn text(s: impl Into<String>) -> Res {
    Ok(Value::string(s.into()))
}

/// Go's `s[from..to]` on bytes (a cut character leaves invalid bytes, as in Go).
fn byte_slice(s: &str, from: usize, to: usize) -> String {
    if !gostr::has_escapes(s) && s.is_char_boundary(from) && s.is_char_boundary(to) {
        return s[from..to].to_string();
    }
    gostr::byte_slice(s, from, to)
}

/// Go's `strings.Repeat`, which panics on a negative count.
fn go_repeat(s: &str, count: i64) -> Result<String, FuncError> {
    if count < 0 {
        return Err(FuncError::msg("strings: negative Repeat count"));
    }
    let count = usize::try_from(count)
        .map_err(|_| FuncError::msg("strings: Repeat output length overflow"))?;
    if s.len().checked_mul(count).is_none_or(|n| n > 1 << 30) {
        return Err(FuncError::msg("strings: Repeat output length overflow"));
    }
    Ok(s.repeat(count))
}

fn hello(_: &mut CallCtx<'_>, _: Vec<Value>) -> Res {
    text("Hello!")
}

/// goutils `AbbreviateFull(s, offset, width)` (its errors are discarded by Sprig, giving "").
fn abbreviate_full(s: &str, offset: i64, width: i64) -> String {
    let len = gostr::byte_len(s) as i64;
    if s.is_empty() || width < 4 {
        return String::new();
    }
    if len <= width {
        return s.to_string();
    }
    let mut offset = offset.min(len);
    if len - offset < width - 3 {
        offset = len - (width - 3);
    }
    if offset <= 4 {
        return byte_slice(s, 0, (width - 3) as usize) + "...";
    }
    if width < 7 {
        return String::new();
    }
    if offset + width - 3 < len {
        let tail = byte_slice(s, offset as usize, len as usize);
        return "...".to_string() + &abbreviate_full(&tail, 0, width - 3);
    }
    "...".to_string() + &byte_slice(s, (len - (width - 3)) as usize, len as usize)
}

fn abbrev(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (width, s) = (arg_int(&args, 0), arg_str(&args, 1));
    if width < 4 {
        return text(s);
    }
    text(abbreviate_full(s, 0, width))
}

fn abbrevboth(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (left, right, s) = (arg_int(&args, 0), arg_int(&args, 1), arg_str(&args, 2));
    if right < 4 || left > 0 && right < 7 {
        return text(s);
    }
    text(abbreviate_full(s, left, right))
}

fn trunc(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (c, s) = (arg_int(&args, 0), arg_str(&args, 1));
    let len = gostr::byte_len(s) as i64;
    if c < 0 && len + c > 0 {
        return text(byte_slice(s, (len + c) as usize, len as usize));
    }
    if c >= 0 && len > c {
        return text(byte_slice(s, 0, c as usize));
    }
    text(s)
}

fn trim(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(arg_str(&args, 0).trim())
}

fn upper(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::to_upper(&gostr::replace_invalid(arg_str(&args, 0))))
}

fn lower(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::to_lower(&gostr::replace_invalid(arg_str(&args, 0))))
}

fn title(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::title(&gostr::replace_invalid(arg_str(&args, 0))))
}

fn untitle(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::uncapitalize(arg_str(&args, 0)))
}

/// Sprig's `substring`, with Go's slice-bounds panics as errors.
fn substr(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (start, end, s) = (arg_int(&args, 0), arg_int(&args, 1), arg_str(&args, 2));
    let len = gostr::byte_len(s) as i64;
    let bounds = |from: i64, to: i64| -> Res {
        if to < 0 || to > len {
            return Err(FuncError::msg(if to > len {
                format!("runtime error: slice bounds out of range [:{to}] with length {len}")
            } else {
                format!("runtime error: slice bounds out of range [:{to}]")
            }));
        }
        if from < 0 || from > to {
            return Err(FuncError::msg(format!(
                "runtime error: slice bounds out of range [{from}:{to}]"
            )));
        }
        text(byte_slice(s, from as usize, to as usize))
    };
    if start < 0 {
        return bounds(0, end);
    }
    if end < 0 || end > len {
        return bounds(start, len);
    }
    bounds(start, end)
}

fn repeat(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(go_repeat(arg_str(&args, 1), arg_int(&args, 0))?)
}

/// Go's `strings.Trim(s, cutset)`.
fn trim_all(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (cutset, s) = (arg_str(&args, 0), arg_str(&args, 1));
    text(s.trim_matches(|c| cutset.contains(c)))
}

fn trim_suffix(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (suffix, s) = (arg_str(&args, 0), arg_str(&args, 1));
    if gostr::has_escapes(suffix) {
        let (b, suffix) = (gostr::to_bytes(s), gostr::to_bytes(suffix));
        return text(gostr::from_bytes(b.strip_suffix(&*suffix).unwrap_or(&b)).into_owned());
    }
    text(s.strip_suffix(suffix).unwrap_or(s))
}

fn trim_prefix(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (prefix, s) = (arg_str(&args, 0), arg_str(&args, 1));
    if gostr::has_escapes(prefix) {
        let (b, prefix) = (gostr::to_bytes(s), gostr::to_bytes(prefix));
        return text(gostr::from_bytes(b.strip_prefix(&*prefix).unwrap_or(&b)).into_owned());
    }
    text(s.strip_prefix(prefix).unwrap_or(s))
}

fn nospace(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::delete_white_space(arg_str(&args, 0)))
}

fn initials(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::initials(arg_str(&args, 0)))
}

fn swapcase(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::swap_case(arg_str(&args, 0)))
}

fn snakecase(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::camel_to_lower(arg_str(&args, 0), '_'))
}

fn kebabcase(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::camel_to_lower(arg_str(&args, 0), '-'))
}

fn camelcase(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(casing::pascal_case(arg_str(&args, 0)))
}

/// goutils `WrapCustom`: wraps at the last space within `width` bytes; words longer than the width are
/// cut only when `wrap_long_words` is set.
fn wrap_custom(s: &str, width: i64, newline: &str, wrap_long_words: bool) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline };
    let width = width.max(1) as usize;
    let bytes = s.as_bytes();
    let len = bytes.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + 8);
    while len - offset > width {
        if bytes[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (width + offset + 1).min(len);
        let space = bytes[offset..end].iter().rposition(|b| *b == b' ');
        if let Some(space) = space.map(|p| p + offset) {
            out.extend_from_slice(&bytes[offset..space]);
            out.extend_from_slice(newline.as_bytes());
            offset = space + 1;
        } else if wrap_long_words {
            out.extend_from_slice(&bytes[offset..width + offset]);
            out.extend_from_slice(newline.as_bytes());
            offset += width;
        } else {
            let end = width + offset;
            match bytes[end..].iter().position(|b| *b == b' ') {
                None => {
                    out.extend_from_slice(&bytes[offset..]);
                    offset = len;
                }
                Some(index) => {
                    let space = index + end;
                    out.extend_from_slice(&bytes[offset..space]);
                    out.extend_from_slice(newline.as_bytes());
                    offset = space + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[offset..]);
    String::from_utf8_lossy(&out).into_owned()
}

fn wrap(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(wrap_custom(arg_str(&args, 1), arg_int(&args, 0), "", false))
}

fn wrap_with(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(wrap_custom(
        arg_str(&args, 2),
        arg_int(&args, 0),
        arg_str(&args, 1),
        true,
    ))
}

// A needle holding escapes (invalid bytes) is matched on Go's bytes: in Go it may match inside a
// character (`contains "\xc3" "é"` is true). Any other needle matches alike on characters.

fn contains(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (needle, s) = (arg_str(&args, 0), arg_str(&args, 1));
    if gostr::has_escapes(needle) {
        let found = gostr::find_bytes(&gostr::to_bytes(s), &gostr::to_bytes(needle));
        return Ok(Value::Bool(found.is_some()));
    }
    Ok(Value::Bool(s.contains(needle)))
}

fn has_prefix(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (prefix, s) = (arg_str(&args, 0), arg_str(&args, 1));
    if gostr::has_escapes(prefix) {
        return Ok(Value::Bool(
            gostr::to_bytes(s).starts_with(&gostr::to_bytes(prefix)),
        ));
    }
    Ok(Value::Bool(s.starts_with(prefix)))
}

fn has_suffix(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (suffix, s) = (arg_str(&args, 0), arg_str(&args, 1));
    if gostr::has_escapes(suffix) {
        return Ok(Value::Bool(
            gostr::to_bytes(s).ends_with(&gostr::to_bytes(suffix)),
        ));
    }
    Ok(Value::Bool(s.ends_with(suffix)))
}

/// Sprig's `quote`: each non-nil argument as a Go `%q` string of its `strval`, space-separated.
fn quote(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut parts = args.iter().filter(|v| !v.is_nil());
    let Some(first) = parts.next() else {
        return text("");
    };
    let mut out = go_quote(&strval(first));
    for part in parts {
        out.push(' ');
        out.push_str(&go_quote(&strval(part)));
    }
    text(out)
}

/// Sprig's `squote`: each non-nil argument as `'%v'`, space-separated.
fn squote(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let parts: Vec<String> = args
        .iter()
        .filter(|v| !v.is_nil())
        .map(|v| format!("'{}'", format_v(v)))
        .collect();
    text(parts.join(" "))
}

/// Sprig's `cat`: non-nil arguments with `%v`, space-separated.
fn cat(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let parts: Vec<String> = args.iter().filter(|v| !v.is_nil()).map(format_v).collect();
    text(parts.join(" "))
}

/// Sprig's `indent`: `spaces` spaces before every line of `s`, appended to `out`.
fn indent_into(out: &mut String, spaces: i64, s: &str) -> Result<(), FuncError> {
    const SPACES: &str = "                                                                ";
    let repeated;
    let pad = match usize::try_from(spaces).ok().and_then(|n| SPACES.get(..n)) {
        Some(pad) => pad,
        None => {
            repeated = go_repeat(" ", spaces)?;
            &repeated
        }
    };
    let lines = 1 + s.bytes().filter(|&b| b == b'\n').count();
    out.reserve(s.len() + pad.len() * lines);
    // The pad, then each line feed followed by the pad.
    out.push_str(pad);
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        if b == b'\n' {
            out.push_str(&s[start..=i]);
            out.push_str(pad);
            start = i + 1;
        }
    }
    out.push_str(&s[start..]);
    Ok(())
}

fn indent(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut out = String::new();
    indent_into(&mut out, arg_int(&args, 0), arg_str(&args, 1))?;
    text(out)
}

fn nindent(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut out = String::from("\n");
    indent_into(&mut out, arg_int(&args, 0), arg_str(&args, 1))?;
    text(out)
}

/// Go's `strings.Replace(src, old, new, -1)`; an empty `old` inserts `new` around every character.
fn replace(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (old, new, src) = (arg_str(&args, 0), arg_str(&args, 1), arg_str(&args, 2));
    if old.is_empty() {
        let mut out = String::with_capacity(src.len() + new.len() * (src.len() + 1));
        out.push_str(new);
        for c in src.chars() {
            out.push(c);
            out.push_str(new);
        }
        return text(out);
    }
    if gostr::has_escapes(old) {
        return text(gostr::replace_bytes(src, old, new));
    }
    text(src.replace(old, new))
}

fn plural(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (one, many, count) = (arg_str(&args, 0), arg_str(&args, 1), arg_int(&args, 2));
    text(if count == 1 { one } else { many })
}

fn to_string(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(strval(&arg(&args, 0)))
}

fn join(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    text(strslice(&arg(&args, 1)).join(arg_str(&args, 0)))
}

/// Go's `strings.SplitN(s, sep, n)`: `n < 0` means all parts, `n == 0` none; an empty `sep` splits
/// into characters.
fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if sep.is_empty() {
        let chars: Vec<String> = s.chars().map(String::from).collect();
        if n > 0 && (n as usize) < chars.len() {
            let keep = n as usize - 1;
            let mut out: Vec<String> = chars[..keep].to_vec();
            out.push(chars[keep..].concat());
            return out;
        }
        return chars;
    }
    if gostr::has_escapes(sep) {
        return gostr::split_bytes(s, sep, n);
    }
    if n < 0 {
        return s.split(sep).map(String::from).collect();
    }
    s.splitn(n as usize, sep).map(String::from).collect()
}

/// Sprig's `split`/`splitn` result: a `map[string]string` keyed `_0`, `_1`, ….
fn indexed_map(parts: Vec<String>) -> Value {
    let entries: MapEntries = parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| (format!("_{i}").into(), Value::string(part)))
        .collect();
    Value::Map(Map::with_kind(MapKind::StringString, entries))
}

fn split(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(indexed_map(go_split(
        arg_str(&args, 1),
        arg_str(&args, 0),
        -1,
    )))
}

fn splitn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(indexed_map(go_split(
        arg_str(&args, 2),
        arg_str(&args, 0),
        arg_int(&args, 1),
    )))
}

fn split_list(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::string_list(go_split(
        arg_str(&args, 1),
        arg_str(&args, 0),
        -1,
    )))
}

fn to_strings(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::string_list(strslice(&arg(&args, 0))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_follow_goutils() {
        // helm: {{ abbrev 5 "hello world" }} → he...; {{ abbrevboth 5 10 "1234 5678 9123" }} → ...5678...
        assert_eq!(abbreviate_full("hello world", 0, 5), "he...");
        assert_eq!(abbreviate_full("1234 5678 9123", 5, 10), "...5678...");
    }

    #[test]
    fn wrap_breaks_at_spaces() {
        // helm: {{ wrap 5 "Hello World" }} → "Hello\nWorld"
        assert_eq!(wrap_custom("Hello World", 5, "", false), "Hello\nWorld");
        // helm: {{ wrapWith 5 "\t" "Hello World" }}
        assert_eq!(wrap_custom("Hello World", 5, "\t", true), "Hello\tWorld");
        assert_eq!(wrap_custom("abcdefghij", 3, "", true), "abc\ndef\nghi\nj");
    }

    /// Every line gets the pad, the empty ones and the one after a final line feed included, for
    /// pads within and beyond the shared spaces; a negative count is Go's error.
    #[test]
    fn indent_pads_every_line() {
        let by_lines = |spaces: usize, s: &str| {
            let pad = " ".repeat(spaces);
            s.split('\n')
                .map(|l| format!("{pad}{l}"))
                .collect::<Vec<_>>()
                .join("\n")
        };
        for spaces in [0, 1, 4, 63, 64, 65, 200] {
            for s in ["", "x", "\n", "a\nb", "a\n\nb\n", "\n\nx", "é\nü"] {
                let mut out = String::from(">");
                indent_into(&mut out, spaces as i64, s).unwrap();
                assert_eq!(out, format!(">{}", by_lines(spaces, s)), "{spaces} {s:?}");
            }
        }
        let err = indent_into(&mut String::new(), -1, "x").unwrap_err();
        assert!(
            format!("{err:?}").contains("negative Repeat count"),
            "{err:?}"
        );
    }

    #[test]
    fn split_follows_go() {
        assert_eq!(go_split("a/b/c", "/", 2), vec!["a", "b/c"]);
        assert_eq!(go_split("abc", "", -1), vec!["a", "b", "c"]);
        assert_eq!(go_split("abc", "", 2), vec!["a", "bc"]);
        assert!(go_split("abc", "/", 0).is_empty());
    }
}

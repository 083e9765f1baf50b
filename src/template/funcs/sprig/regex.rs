//! Sprig's regular-expression functions (Sprig v3.3.0 `regex.go`) with Go `regexp` (RE2) semantics:
//! `regexMatch regexFind regexFindAll regexReplaceAll regexReplaceAllLiteral regexSplit` and their
//! `must*` forms, and `regexQuoteMeta`.
//!
//! The `regex` crate implements the same RE2 language; the differences are handled here:
//! - Go's pattern syntax is parsed by the `syntax` submodule, which reports Go's error texts (`error parsing
//!   regexp: missing closing ): `(``) and rewrites the pattern where the crate would read it
//!   differently (ASCII-only `\d \w \s \b`, literal `{`, `\Q…\E`, Go capture names). An error that
//!   only the crate finds (size limits) falls back to the crate's description.
//! - Go's iteration rules for empty matches (an empty match right after a match is skipped) and its
//!   `$1`/`${name}` template expansion (`$1x` names the group `1x`) are implemented here, not taken
//!   from the crate.
//!
//! The plain forms panic in Go on a bad pattern (`regexp: Compile(`…`): …`), which text/template reports
//! as an error; `regexMatch` alone swallows the error and returns false.
mod syntax;

use std::cell::RefCell;
use std::rc::Rc;

use regex::Regex;

use super::util::{arg_int, arg_str, string_list};
use crate::fasthash::FastHashMap;
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{List, Value};

type Res = Result<Value, FuncError>;

const S: GoType = GoType::String;
const I: GoType = GoType::INT;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "regexMatch",
        sig: Signature::fixed(&[S, S]),
        imp: regex_match,
    },
    FuncDef {
        name: "mustRegexMatch",
        sig: Signature::fixed(&[S, S]),
        imp: must_regex_match,
    },
    FuncDef {
        name: "regexFindAll",
        sig: Signature::fixed(&[S, S, I]),
        imp: regex_find_all,
    },
    FuncDef {
        name: "mustRegexFindAll",
        sig: Signature::fixed(&[S, S, I]),
        imp: must_regex_find_all,
    },
    FuncDef {
        name: "regexFind",
        sig: Signature::fixed(&[S, S]),
        imp: regex_find,
    },
    FuncDef {
        name: "mustRegexFind",
        sig: Signature::fixed(&[S, S]),
        imp: must_regex_find,
    },
    FuncDef {
        name: "regexReplaceAll",
        sig: Signature::fixed(&[S, S, S]),
        imp: regex_replace_all,
    },
    FuncDef {
        name: "mustRegexReplaceAll",
        sig: Signature::fixed(&[S, S, S]),
        imp: must_regex_replace_all,
    },
    FuncDef {
        name: "regexReplaceAllLiteral",
        sig: Signature::fixed(&[S, S, S]),
        imp: regex_replace_all_literal,
    },
    FuncDef {
        name: "mustRegexReplaceAllLiteral",
        sig: Signature::fixed(&[S, S, S]),
        imp: must_regex_replace_all_literal,
    },
    FuncDef {
        name: "regexSplit",
        sig: Signature::fixed(&[S, S, I]),
        imp: regex_split,
    },
    FuncDef {
        name: "mustRegexSplit",
        sig: Signature::fixed(&[S, S, I]),
        imp: must_regex_split,
    },
    FuncDef {
        name: "regexQuoteMeta",
        sig: Signature::fixed(&[S]),
        imp: regex_quote_meta,
    },
];

/// How a bad pattern is reported: Go's `regexp.Compile` error, or `MustCompile`'s panic text.
#[derive(Clone, Copy)]
enum OnError {
    Return,
    Panic,
}

/// A compiled Go pattern: the crate's regex and the Go name of each capture group.
struct GoRegex {
    re: Regex,
    names: Vec<Option<String>>,
}

/// Compiles a pattern as Go's `regexp.Compile` reads it; the error is Go's text
/// (`error parsing regexp: missing closing ): `(``). For other modules that match Go patterns
/// (JSON schema `pattern` and `format: regex`).
pub(crate) fn compile_go(pattern: &str) -> Result<Regex, String> {
    compile_text(pattern).map(|r| r.re)
}

/// How many compiled patterns a thread keeps; beyond it the cache starts again (charts use a
/// handful of patterns, each many times).
const CACHE_LIMIT: usize = 256;

thread_local! {
    /// Patterns compiled on this thread. Go compiles a pattern on every call; the result depends
    /// on the pattern alone, and building the crate's automata costs far more than a match (library
    /// charts call `regexReplaceAll` with the same pattern for every name and image), so each
    /// pattern is compiled once. Failures are not kept (they are rare and their text depends on
    /// how the call reports them).
    static COMPILED: RefCell<FastHashMap<String, Rc<GoRegex>>> = RefCell::default();
}

/// Compiles a Go pattern, with Go's error text.
fn compile(pattern: &str, on_error: OnError) -> Result<Rc<GoRegex>, FuncError> {
    if let Some(re) = COMPILED.with(|c| c.borrow().get(pattern).cloned()) {
        return Ok(re);
    }
    let re = Rc::new(compile_text(pattern).map_err(|message| match on_error {
        OnError::Return => FuncError::msg(message),
        OnError::Panic => FuncError::msg(format!(
            "regexp: Compile({}): {message}",
            go_regexp_quote(pattern)
        )),
    })?);
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= CACHE_LIMIT {
            c.clear();
        }
        c.insert(pattern.to_string(), Rc::clone(&re));
    });
    Ok(re)
}

fn compile_text(pattern: &str) -> Result<GoRegex, String> {
    check_utf8(pattern)
        .and_then(|()| syntax::translate(pattern).map_err(|e| format!("error parsing regexp: {e}")))
        .and_then(|t| {
            Regex::new(&t.pattern)
                .map(|re| GoRegex { re, names: t.names })
                .map_err(|e| {
                    let text = e.to_string();
                    let detail = text
                        .lines()
                        .rev()
                        .find(|l| l.starts_with("error:"))
                        .map_or(text.as_str(), |l| l.trim_start_matches("error:").trim());
                    format!("error parsing regexp: {detail}: `{pattern}`")
                })
        })
}

/// Go's parser stops at the first byte that is not UTF-8 (`ErrInvalidUTF8`, quoting the rest of
/// the pattern), unless the text before it already failed.
fn check_utf8(pattern: &str) -> Result<(), String> {
    let Some(i) = pattern
        .char_indices()
        .find(|(_, c)| crate::template::gostr::escaped_byte(*c).is_some())
        .map(|(i, _)| i)
    else {
        return Ok(());
    };
    if let Err(e) = syntax::translate(&pattern[..i]) {
        // Errors only the end of the pattern shows (an unclosed group) are not errors yet.
        let e = e.to_string();
        if !e.starts_with("missing closing") {
            return Err(format!("error parsing regexp: {e}"));
        }
    }
    Err(format!(
        "error parsing regexp: invalid UTF-8: `{}`",
        &pattern[i..]
    ))
}

/// `regexp`'s `quote`: backquoted when Go's `strconv.CanBackquote` allows, else `strconv.Quote`.
fn go_regexp_quote(s: &str) -> String {
    let can_backquote = !s.contains('`')
        && !crate::template::gostr::has_escapes(s)
        && s.chars()
            .all(|c| c == '\t' || !(c < ' ' || c == '\u{7f}' || c == '\u{feff}'));
    if can_backquote {
        format!("`{s}`")
    } else {
        super::util::go_quote(s)
    }
}

/// The byte ranges of the capture groups of one match (`None` for a group that did not take part).
type Groups = Vec<Option<(usize, usize)>>;

/// Go's `allMatches`: successive leftmost matches starting at `pos`, skipping an empty match that
/// abuts the previous match; at most `n` (all when `n < 0`).
fn all_matches(re: &Regex, s: &str, n: i64) -> Vec<Groups> {
    let limit = if n < 0 { s.len() as i64 + 1 } else { n };
    let mut out = Vec::new();
    let mut pos = 0usize;
    let mut prev_end: Option<usize> = None;
    while (out.len() as i64) < limit && pos <= s.len() {
        let Some(caps) = re.captures_at(s, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else {
            break;
        };
        let mut accept = true;
        if whole.end() == pos {
            if Some(whole.start()) == prev_end {
                accept = false;
            }
            pos += s[pos..].chars().next().map_or(1, char::len_utf8);
        } else {
            pos = whole.end();
        }
        prev_end = Some(whole.end());
        if accept {
            out.push(
                caps.iter()
                    .map(|m| m.map(|m| (m.start(), m.end())))
                    .collect(),
            );
        }
    }
    out
}

/// Go's `replaceAll`: every match replaced by `replacement(groups)`, except an empty match that abuts
/// the previous one.
fn replace_all(re: &Regex, s: &str, mut replacement: impl FnMut(&Groups, &mut String)) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_end = 0usize;
    let mut pos = 0usize;
    while pos <= s.len() {
        let Some(caps) = re.captures_at(s, pos) else {
            break;
        };
        let Some(whole) = caps.get(0) else {
            break;
        };
        out.push_str(&s[last_end..whole.start()]);
        if whole.end() > last_end || whole.start() == 0 {
            let groups: Groups = caps
                .iter()
                .map(|m| m.map(|m| (m.start(), m.end())))
                .collect();
            replacement(&groups, &mut out);
        }
        last_end = whole.end();
        let width = s[pos..].chars().next().map_or(1, char::len_utf8);
        if pos + width > whole.end() {
            pos += width;
        } else if pos + 1 > whole.end() {
            pos += 1;
        } else {
            pos = whole.end();
        }
    }
    out.push_str(&s[last_end.min(s.len())..]);
    out
}

/// Go's template reference after a `$`: `name` or `{name}` of letters, digits and `_`; a number when
/// all digits without a leading zero. Returns (name, number, bytes consumed).
fn extract_reference(template: &str) -> Option<(&str, Option<usize>, usize)> {
    let (braced, body) = match template.strip_prefix('{') {
        Some(rest) => (true, rest),
        None => (false, template),
    };
    let len = body
        .char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(body.len(), |(i, _)| i);
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let mut consumed = len + usize::from(braced);
    if braced {
        if !body[len..].starts_with('}') {
            return None;
        }
        consumed += 1;
    }
    let number = if name.bytes().all(|b| b.is_ascii_digit())
        && !(name.starts_with('0') && name.len() > 1)
        && name.len() <= 8
    {
        name.parse().ok()
    } else {
        None
    };
    Some((name, number, consumed))
}

/// Go's `Regexp.Expand` of `template` for one match.
fn expand(names: &[Option<String>], template: &str, s: &str, groups: &Groups, out: &mut String) {
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some((name, number, consumed)) = extract_reference(rest) else {
            out.push('$');
            continue;
        };
        rest = &rest[consumed..];
        let group = match number {
            Some(n) => groups.get(n).copied().flatten(),
            None => names
                .iter()
                .position(|candidate| candidate.as_deref() == Some(name))
                .and_then(|i| groups.get(i).copied().flatten()),
        };
        if let Some((start, end)) = group {
            out.push_str(&s[start..end]);
        }
    }
    out.push_str(rest);
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, pattern: &str, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !pattern.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let matches = all_matches(re, s, n);
    let mut out = Vec::new();
    let (mut begin, mut end) = (0usize, 0usize);
    for groups in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        let Some((start, stop)) = groups.first().copied().flatten() else {
            continue;
        };
        end = start;
        if stop != 0 {
            out.push(s[begin..end].to_string());
        }
        begin = stop;
    }
    if end != s.len() {
        out.push(s[begin..].to_string());
    }
    out
}

fn find_all(args: &[Value], on_error: OnError) -> Res {
    let re = compile(arg_str(args, 0), on_error)?;
    let s = arg_str(args, 1);
    let found = all_matches(&re.re, s, arg_int(args, 2))
        .into_iter()
        .filter_map(|g| g.first().copied().flatten())
        .map(|(a, b)| s[a..b].to_string())
        .collect::<Vec<_>>();
    // `FindAllString` gives a nil slice when nothing matches (`toJson` prints `null`).
    if found.is_empty() {
        return Ok(Value::List(List::nil(GoType::String)));
    }
    Ok(string_list(found))
}

fn find(args: &[Value], on_error: OnError) -> Res {
    let re = compile(arg_str(args, 0), on_error)?;
    let s = arg_str(args, 1);
    Ok(Value::str(re.re.find(s).map_or("", |m| m.as_str())))
}

fn replace(args: &[Value], on_error: OnError, literal: bool) -> Res {
    let re = compile(arg_str(args, 0), on_error)?;
    let (s, repl) = (arg_str(args, 1), arg_str(args, 2));
    Ok(Value::string(replace_all(&re.re, s, |groups, out| {
        if literal {
            out.push_str(repl);
        } else {
            expand(&re.names, repl, s, groups, out);
        }
    })))
}

fn split_fn(args: &[Value], on_error: OnError) -> Res {
    let pattern = arg_str(args, 0);
    let re = compile(pattern, on_error)?;
    // `Regexp.Split` with n == 0 returns a nil slice.
    if arg_int(args, 2) == 0 {
        return Ok(Value::List(List::nil(GoType::String)));
    }
    Ok(string_list(split(
        &re.re,
        pattern,
        arg_str(args, 1),
        arg_int(args, 2),
    )))
}

fn regex_match(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(
        compile(arg_str(&args, 0), OnError::Return)
            .is_ok_and(|re| re.re.is_match(arg_str(&args, 1))),
    ))
}

fn must_regex_match(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let re = compile(arg_str(&args, 0), OnError::Return)?;
    Ok(Value::Bool(re.re.is_match(arg_str(&args, 1))))
}

fn regex_find_all(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    find_all(&args, OnError::Panic)
}

fn must_regex_find_all(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    find_all(&args, OnError::Return)
}

fn regex_find(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    find(&args, OnError::Panic)
}

fn must_regex_find(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    find(&args, OnError::Return)
}

fn regex_replace_all(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    replace(&args, OnError::Panic, false)
}

fn must_regex_replace_all(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    replace(&args, OnError::Return, false)
}

fn regex_replace_all_literal(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    replace(&args, OnError::Panic, true)
}

fn must_regex_replace_all_literal(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    replace(&args, OnError::Return, true)
}

fn regex_split(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    split_fn(&args, OnError::Panic)
}

fn must_regex_split(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    split_fn(&args, OnError::Return)
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn regex_quote_meta(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut out = String::new();
    for c in arg_str(&args, 0).chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    Ok(Value::string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(p: &str) -> Regex {
        compile(p, OnError::Return).unwrap().re.clone()
    }

    #[test]
    fn patterns_are_compiled_once_and_failures_each_time() {
        let a = compile("^cached-(x+)$", OnError::Return).unwrap();
        let b = compile("^cached-(x+)$", OnError::Panic).unwrap();
        assert!(Rc::ptr_eq(&a, &b));
        assert_eq!(b.names, vec![None, None]);
        // A failure is reported in the caller's form every time.
        let text = |on_error| match compile("cached-(", on_error) {
            Err(FuncError::Msg(m)) => m,
            _ => String::new(),
        };
        assert_eq!(
            text(OnError::Return),
            "error parsing regexp: missing closing ): `cached-(`"
        );
        assert_eq!(
            text(OnError::Panic),
            "regexp: Compile(`cached-(`): error parsing regexp: missing closing ): `cached-(`"
        );
        assert_eq!(
            text(OnError::Return),
            "error parsing regexp: missing closing ): `cached-(`"
        );
    }

    fn replaced(p: &str, s: &str, t: &str) -> String {
        let r = compile(p, OnError::Return).unwrap();
        replace_all(&r.re, s, |g, out| expand(&r.names, t, s, g, out))
    }

    #[test]
    fn expansion_follows_go() {
        // helm: {{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }} → -W-xxW-
        assert_eq!(replaced("a(x*)b", "-ab-axxb-", "${1}W"), "-W-xxW-");
        // helm: … "$1W" → --- (group "1W" does not exist)
        assert_eq!(replaced("a(x*)b", "-ab-axxb-", "$1W"), "---");
        // helm: {{ regexReplaceAll "(?P<x>b)" "abc" "[$x][$$][$][${x}]" }} → a[b][$][$][b]c
        assert_eq!(
            replaced("(?P<x>b)", "abc", "[$x][$$][$][${x}]"),
            "a[b][$][$][b]c"
        );
        // helm: {{ regexReplaceAll "a*" "baaac" "X" }} → XbXcX
        assert_eq!(replaced("a*", "baaac", "X"), "XbXcX");
    }

    #[test]
    fn find_all_and_split_follow_go() {
        let r = re("a*");
        // helm: {{ regexFindAll "a*" "baaac" -1 }} → [ aaa ]
        assert_eq!(all_matches(&r, "baaac", -1).len(), 3);
        // helm: {{ regexSplit "a*" "baaac" -1 }} → [b c]
        assert_eq!(split(&r, "a*", "baaac", -1), vec!["b", "c"]);
        // helm: {{ regexSplit "" "abc" -1 }} → [a b c]
        assert_eq!(split(&re(""), "", "abc", -1), vec!["a", "b", "c"]);
    }

    #[test]
    fn perl_classes_are_ascii() {
        // helm: {{ regexFindAll "\\d" "1٣2" -1 }} → [1 2]
        let r = re("\\d");
        assert_eq!(all_matches(&r, "1٣2", -1).len(), 2);
    }

    #[test]
    fn errors_use_go_text() {
        let e = |p: &str| match compile(p, OnError::Return) {
            Err(FuncError::Msg(m)) => m,
            _ => String::new(),
        };
        assert_eq!(e("("), "error parsing regexp: missing closing ): `(`");
        assert_eq!(e("a)"), "error parsing regexp: unexpected ): `a)`");
        assert_eq!(e("[a"), "error parsing regexp: missing closing ]: `[a`");
        assert_eq!(
            e("*a"),
            "error parsing regexp: missing argument to repetition operator: `*`"
        );
        assert_eq!(
            e("a**"),
            "error parsing regexp: invalid nested repetition operator: `**`"
        );
    }
}

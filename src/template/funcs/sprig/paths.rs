//! Sprig's path functions: Go's `path` (`base dir clean ext isAbs`) and `path/filepath`
//! (`osBase osClean osDir osExt osIsAbs`).
//!
//! Helm runs on Linux here, where `path/filepath` uses `/` and no volume names, so both families
//! share one implementation of Go's lexical rules.
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

const ONE_STRING: Signature = Signature::fixed(&[GoType::String]);

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "base",
        sig: ONE_STRING,
        imp: base_fn,
    },
    FuncDef {
        name: "dir",
        sig: ONE_STRING,
        imp: dir_fn,
    },
    FuncDef {
        name: "clean",
        sig: ONE_STRING,
        imp: clean_fn,
    },
    FuncDef {
        name: "ext",
        sig: ONE_STRING,
        imp: ext_fn,
    },
    FuncDef {
        name: "isAbs",
        sig: ONE_STRING,
        imp: is_abs_fn,
    },
    FuncDef {
        name: "osBase",
        sig: ONE_STRING,
        imp: base_fn,
    },
    FuncDef {
        name: "osClean",
        sig: ONE_STRING,
        imp: clean_fn,
    },
    FuncDef {
        name: "osDir",
        sig: ONE_STRING,
        imp: dir_fn,
    },
    FuncDef {
        name: "osExt",
        sig: ONE_STRING,
        imp: ext_fn,
    },
    FuncDef {
        name: "osIsAbs",
        sig: ONE_STRING,
        imp: is_abs_fn,
    },
];

fn arg(args: &[Value]) -> &str {
    args.first().and_then(Value::as_str).unwrap_or("")
}

fn base_fn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::str(base(arg(&args))))
}

fn dir_fn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(dir(arg(&args))))
}

fn clean_fn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(clean(arg(&args))))
}

fn ext_fn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::str(ext(arg(&args))))
}

fn is_abs_fn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::Bool(arg(&args).starts_with('/')))
}

/// Go's `path.Clean`: the shortest equivalent path by purely lexical processing.
pub fn clean(p: &str) -> String {
    if p.is_empty() {
        return ".".to_string();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for elem in p.split('/') {
        match elem {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element, trailing slashes removed; `.` for "" and `/` for all slashes.
pub fn base(p: &str) -> &str {
    if p.is_empty() {
        return ".";
    }
    let trimmed = p.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(i) => &trimmed[i + 1..],
        None => trimmed,
    }
}

/// Go's `path.Dir`: everything up to the last slash, cleaned.
pub fn dir(p: &str) -> String {
    let cut = p.rfind('/').map_or(0, |i| i + 1);
    clean(&p[..cut])
}

/// Go's `path.Ext`: the suffix from the last dot of the last element, or "".
pub fn ext(p: &str) -> &str {
    for (i, c) in p.char_indices().rev() {
        match c {
            '/' => return "",
            '.' => return &p[i..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from helm v3.17.3, e.g. `{{ clean "a//b/../c/." }}` → `a/c`.
    #[test]
    fn clean_matches_go() {
        for (input, want) in [
            ("", "."),
            ("a//b/../c/.", "a/c"),
            ("/../a", "/a"),
            ("../../a/..", "../.."),
            ("/", "/"),
            ("./", "."),
            ("a/..", "."),
            ("//a//", "/a"),
        ] {
            assert_eq!(clean(input), want, "{input}");
        }
    }

    #[test]
    fn base_dir_ext_match_go() {
        assert_eq!(base("/a/b.txt/"), "b.txt");
        assert_eq!(base("///"), "/");
        assert_eq!(base(""), ".");
        assert_eq!(dir("/a/b/c"), "/a/b");
        assert_eq!(dir("c"), ".");
        assert_eq!(dir("/"), "/");
        assert_eq!(dir("a/b/"), "a/b");
        assert_eq!(ext("a/b.tar.gz"), ".gz");
        assert_eq!(ext("a.d/b"), "");
        assert_eq!(ext("."), ".");
    }

    #[test]
    fn theme_registers_ten_names() {
        assert_eq!(FUNCS.len(), 10);
    }
}

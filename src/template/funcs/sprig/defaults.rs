//! Sprig's default and flow functions (Sprig v3.3.0 `defaults.go`): `default empty coalesce all any
//! ternary deepCopy mustDeepCopy`, and `fail`. (`compact` is in `lists`, the JSON functions are
//! Helm's serialisers.)
//!
//! Emptiness is Sprig's `empty`: Go's zero value of the dynamic type (nil, `false`, `0`, `0.0`, `""`,
//! an empty slice or map); a struct is never empty. `fail` reports its message the way Helm shows
//! `required`/`fail` errors (`execution error at (FILE:L:C): MSG`), so it returns [`FuncError::Abort`].
use super::util::{arg, arg_bool, arg_str};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

type Res = Result<Value, FuncError>;

const ANY: GoType = GoType::Interface;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "default",
        sig: Signature::variadic(&[ANY], ANY),
        imp: default,
    },
    FuncDef {
        name: "empty",
        sig: Signature::fixed(&[ANY]),
        imp: empty,
    },
    FuncDef {
        name: "coalesce",
        sig: Signature::variadic(&[], ANY),
        imp: coalesce,
    },
    FuncDef {
        name: "all",
        sig: Signature::variadic(&[], ANY),
        imp: all,
    },
    FuncDef {
        name: "any",
        sig: Signature::variadic(&[], ANY),
        imp: any,
    },
    FuncDef {
        name: "ternary",
        sig: Signature::fixed(&[ANY, ANY, GoType::Bool]),
        imp: ternary,
    },
    FuncDef {
        name: "deepCopy",
        sig: Signature::fixed(&[ANY]),
        imp: deep_copy,
    },
    FuncDef {
        name: "mustDeepCopy",
        sig: Signature::fixed(&[ANY]),
        imp: deep_copy,
    },
    FuncDef {
        name: "fail",
        sig: Signature::fixed(&[GoType::String]),
        imp: fail,
    },
];

/// Sprig's `empty`: true for Go's zero value of the value's dynamic type.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Object(o) => o.kind_name() != "struct" && !o.truthy(),
        other => !other.truthy(),
    }
}

/// Sprig's `default`: the given value unless it is missing or empty, else the default.
fn default(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    match args.get(1) {
        Some(given) if !is_empty(given) => Ok(given.clone()),
        _ => Ok(arg(&args, 0)),
    }
}

fn empty(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(is_empty(&arg(&args, 0))))
}

fn coalesce(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(args
        .into_iter()
        .find(|v| !is_empty(v))
        .unwrap_or(Value::Nil))
}

fn all(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(args.iter().all(|v| !is_empty(v))))
}

fn any(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(args.iter().any(|v| !is_empty(v))))
}

fn ternary(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(if arg_bool(&args, 2) {
        arg(&args, 0)
    } else {
        arg(&args, 1)
    })
}

/// `copystructure.Copy`: a deep copy of maps and lists; nil is an error in copystructure.
fn deep_copy(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let v = arg(&args, 0);
    if v.is_nil() {
        return Err(FuncError::msg(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    Ok(v.deep_copy())
}

fn fail(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Err(FuncError::Abort(arg_str(&args, 0).to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_uses_go_zero_values() {
        // helm (values z: 0, f: 0.0, e: "", m: {}, l: [], n: null, b: false): {{ empty .Values.X }} → true
        for v in [
            Value::Float(0.0),
            Value::int(0),
            Value::str(""),
            Value::empty_map(),
            Value::list(vec![]),
            Value::Nil,
            Value::Bool(false),
        ] {
            assert!(is_empty(&v), "{v:?}");
        }
        assert!(!is_empty(&Value::str("x")));
        assert!(!is_empty(&Value::Float(0.1)));
    }
}

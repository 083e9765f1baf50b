//! Sprig's reflection functions (Sprig v3.3.0 `reflect.go`): `typeOf typeIs typeIsLike kindOf kindIs`
//! and `deepEqual` (Go's `reflect.DeepEqual`).
//!
//! Type names are Go's `%T` (`int`, `int64`, `float64`, `[]interface {}`, `map[string]interface {}`,
//! `chartutil.Values`, `<nil>`); kinds are `reflect.Kind` names (`slice`, `map`, `ptr`, `invalid`).
use super::util::{arg, arg_str, deep_equal};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::Value;

type Res = Result<Value, FuncError>;

const ANY: GoType = GoType::Interface;
const S: GoType = GoType::String;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "typeOf",
        sig: Signature::fixed(&[ANY]),
        imp: type_of,
    },
    FuncDef {
        name: "typeIs",
        sig: Signature::fixed(&[S, ANY]),
        imp: type_is,
    },
    FuncDef {
        name: "typeIsLike",
        sig: Signature::fixed(&[S, ANY]),
        imp: type_is_like,
    },
    FuncDef {
        name: "kindOf",
        sig: Signature::fixed(&[ANY]),
        imp: kind_of,
    },
    FuncDef {
        name: "kindIs",
        sig: Signature::fixed(&[S, ANY]),
        imp: kind_is,
    },
    FuncDef {
        name: "deepEqual",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: deep_equal_fn,
    },
];

fn type_of(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::string(arg(&args, 0).type_name()))
}

fn type_is(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(arg(&args, 1).type_name() == arg_str(&args, 0)))
}

/// Sprig's `typeIsLike`: the type name, or a pointer to it.
fn type_is_like(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (target, actual) = (arg_str(&args, 0), arg(&args, 1).type_name());
    Ok(Value::Bool(
        actual == target || actual.strip_prefix('*') == Some(target),
    ))
}

fn kind_of(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::string(arg(&args, 0).kind_name()))
}

fn kind_is(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(arg(&args, 1).kind_name() == arg_str(&args, 0)))
}

fn deep_equal_fn(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(Value::Bool(deep_equal(&arg(&args, 0), &arg(&args, 1))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_gos() {
        // helm: {{ typeOf (list 1) }} → []interface {}; {{ kindOf nil }} → invalid
        assert_eq!(Value::list(vec![]).type_name(), "[]interface {}");
        assert_eq!(Value::Nil.kind_name(), "invalid");
        assert_eq!(Value::Nil.type_name(), "<nil>");
    }
}

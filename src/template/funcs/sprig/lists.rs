//! Sprig's list functions (Sprig v3.3.0 `list.go`): `list tuple append push prepend first rest last
//! initial reverse uniq without has slice concat chunk compact sortAlpha` and their `must*` forms.
//!
//! Sprig accepts any Go slice or array (`reflect.Slice`/`Array`), here a `List` or a `[]byte`, and
//! returns `[]interface {}` (except `slice`, which keeps the input's type, and `sortAlpha`, which gives
//! `[]string`). The plain forms panic where the `must` forms return an error; text/template turns both
//! into the same `error calling NAME: MSG`, so they share one implementation. Host objects of slice kind
//! (`.Capabilities.APIVersions`) are read through their JSON form; `slice` of one gives a plain
//! `[]string` where Go keeps the named type. A nil list makes Sprig
//! call `Kind()` on a nil `reflect.Type`, which Go reports as a nil pointer dereference.
use super::defaults::is_empty;
use super::util::{
    arg, arg_int, deep_equal, float_to_int64, object_slice, slice_items, strslice, strval, to_int,
    NIL_DEREF,
};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{List, Value};

type Res = Result<Value, FuncError>;

const ANY: GoType = GoType::Interface;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "list",
        sig: Signature::variadic(&[], ANY),
        imp: list,
    },
    FuncDef {
        name: "tuple",
        sig: Signature::variadic(&[], ANY),
        imp: list,
    },
    FuncDef {
        name: "append",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: push,
    },
    FuncDef {
        name: "push",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: push,
    },
    FuncDef {
        name: "mustAppend",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: push,
    },
    FuncDef {
        name: "mustPush",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: push,
    },
    FuncDef {
        name: "prepend",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: prepend,
    },
    FuncDef {
        name: "mustPrepend",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: prepend,
    },
    FuncDef {
        name: "first",
        sig: Signature::fixed(&[ANY]),
        imp: first,
    },
    FuncDef {
        name: "mustFirst",
        sig: Signature::fixed(&[ANY]),
        imp: first,
    },
    FuncDef {
        name: "rest",
        sig: Signature::fixed(&[ANY]),
        imp: rest,
    },
    FuncDef {
        name: "mustRest",
        sig: Signature::fixed(&[ANY]),
        imp: rest,
    },
    FuncDef {
        name: "last",
        sig: Signature::fixed(&[ANY]),
        imp: last,
    },
    FuncDef {
        name: "mustLast",
        sig: Signature::fixed(&[ANY]),
        imp: last,
    },
    FuncDef {
        name: "initial",
        sig: Signature::fixed(&[ANY]),
        imp: initial,
    },
    FuncDef {
        name: "mustInitial",
        sig: Signature::fixed(&[ANY]),
        imp: initial,
    },
    FuncDef {
        name: "reverse",
        sig: Signature::fixed(&[ANY]),
        imp: reverse,
    },
    FuncDef {
        name: "mustReverse",
        sig: Signature::fixed(&[ANY]),
        imp: reverse,
    },
    FuncDef {
        name: "uniq",
        sig: Signature::fixed(&[ANY]),
        imp: uniq,
    },
    FuncDef {
        name: "mustUniq",
        sig: Signature::fixed(&[ANY]),
        imp: uniq,
    },
    FuncDef {
        name: "without",
        sig: Signature::variadic(&[ANY], ANY),
        imp: without,
    },
    FuncDef {
        name: "mustWithout",
        sig: Signature::variadic(&[ANY], ANY),
        imp: without,
    },
    FuncDef {
        name: "has",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: has,
    },
    FuncDef {
        name: "mustHas",
        sig: Signature::fixed(&[ANY, ANY]),
        imp: has,
    },
    FuncDef {
        name: "slice",
        sig: Signature::variadic(&[ANY], ANY),
        imp: slice,
    },
    FuncDef {
        name: "mustSlice",
        sig: Signature::variadic(&[ANY], ANY),
        imp: slice,
    },
    FuncDef {
        name: "concat",
        sig: Signature::variadic(&[], ANY),
        imp: concat,
    },
    FuncDef {
        name: "chunk",
        sig: Signature::fixed(&[GoType::INT, ANY]),
        imp: chunk,
    },
    FuncDef {
        name: "mustChunk",
        sig: Signature::fixed(&[GoType::INT, ANY]),
        imp: chunk,
    },
    FuncDef {
        name: "compact",
        sig: Signature::fixed(&[ANY]),
        imp: compact,
    },
    FuncDef {
        name: "mustCompact",
        sig: Signature::fixed(&[ANY]),
        imp: compact,
    },
    FuncDef {
        name: "sortAlpha",
        sig: Signature::fixed(&[ANY]),
        imp: sort_alpha,
    },
];

fn interfaces(items: Vec<Value>) -> Value {
    Value::List(List::new(items))
}

/// The items of a slice argument, or Sprig's error: `Cannot <verb> type <kind>` (nil: Go's nil
/// dereference panic).
fn items_of(v: &Value, message: impl FnOnce(&str) -> String) -> Result<Vec<Value>, FuncError> {
    if v.is_nil() {
        return Err(FuncError::msg(NIL_DEREF));
    }
    slice_items(v).ok_or_else(|| FuncError::msg(message(&v.kind_name())))
}

fn list(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    Ok(interfaces(args))
}

fn push(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut items = items_of(&arg(&args, 0), |k| format!("Cannot push on type {k}"))?;
    items.push(arg(&args, 1));
    Ok(interfaces(items))
}

fn prepend(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut items = items_of(&arg(&args, 0), |k| format!("Cannot prepend on type {k}"))?;
    items.insert(0, arg(&args, 1));
    Ok(interfaces(items))
}

fn first(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let items = items_of(&arg(&args, 0), |k| format!("Cannot find first on type {k}"))?;
    Ok(items.into_iter().next().unwrap_or(Value::Nil))
}

fn last(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let items = items_of(&arg(&args, 0), |k| format!("Cannot find last on type {k}"))?;
    Ok(items.into_iter().next_back().unwrap_or(Value::Nil))
}

fn rest(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let items = items_of(&arg(&args, 0), |k| format!("Cannot find rest on type {k}"))?;
    Ok(interfaces(items.into_iter().skip(1).collect()))
}

fn initial(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut items = items_of(&arg(&args, 0), |k| {
        format!("Cannot find initial on type {k}")
    })?;
    items.pop();
    Ok(interfaces(items))
}

fn reverse(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut items = items_of(&arg(&args, 0), |k| {
        format!("Cannot find reverse on type {k}")
    })?;
    items.reverse();
    Ok(interfaces(items))
}

fn uniq(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let items = items_of(&arg(&args, 0), |k| format!("Cannot find uniq on type {k}"))?;
    let mut out: Vec<Value> = Vec::with_capacity(items.len());
    for item in items {
        if !out.iter().any(|seen| deep_equal(&item, seen)) {
            out.push(item);
        }
    }
    Ok(interfaces(out))
}

fn without(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let items = items_of(&arg(&args, 0), |k| {
        format!("Cannot find without on type {k}")
    })?;
    let omit = args.get(1..).unwrap_or(&[]);
    Ok(interfaces(
        items
            .into_iter()
            .filter(|item| !omit.iter().any(|o| deep_equal(item, o)))
            .collect(),
    ))
}

fn has(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let (needle, haystack) = (arg(&args, 0), arg(&args, 1));
    if haystack.is_nil() {
        return Ok(Value::Bool(false));
    }
    let items = items_of(&haystack, |k| format!("Cannot find has on type {k}"))?;
    Ok(Value::Bool(
        items.iter().any(|item| deep_equal(&needle, item)),
    ))
}

/// Sprig's `slice`: `reflect.Value.Slice(start, end)`, keeping the slice's own type; nil for an empty
/// list.
fn slice(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let list = arg(&args, 0);
    if list.is_nil() {
        return Err(FuncError::msg(NIL_DEREF));
    }
    let named = match &list {
        Value::Object(o) => Some(o.clone()),
        _ => None,
    };
    let list = object_slice(&list).map_or(list, Value::List);
    let len = match &list {
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(FuncError::msg(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            )))
        }
    } as i64;
    if len == 0 {
        return Ok(Value::Nil);
    }
    let start = args.get(1).map_or(0, to_int);
    let end = args.get(2).map_or(len, to_int);
    if start < 0 || end < start || end > len {
        return Err(FuncError::msg(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    let (start, end) = (start as usize, end as usize);
    Ok(match list {
        // A named slice type (`chartutil.VersionSet`) stays that type.
        Value::List(l) if named.is_some() => named
            .and_then(|o| o.with_slice_items(&l.items()[start..end]))
            .unwrap_or_else(|| {
                Value::List(List::typed(
                    l.elem_type().clone(),
                    l.items()[start..end].to_vec(),
                ))
            }),
        Value::List(l) => Value::List(List::typed(
            l.elem_type().clone(),
            l.items()[start..end].to_vec(),
        )),
        Value::Bytes(b) => Value::Bytes(b[start..end].into()),
        other => other,
    })
}

fn concat(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let mut out = Vec::new();
    for list in &args {
        if list.is_nil() {
            return Err(FuncError::msg(NIL_DEREF));
        }
        match slice_items(list) {
            Some(items) => out.extend(items),
            None => {
                return Err(FuncError::msg(format!(
                    "Cannot concat type {} as list",
                    list.kind_name()
                )))
            }
        }
    }
    Ok(interfaces(out))
}

const MAKESLICE: &str = "runtime error: makeslice: len out of range";

/// Sprig's `chunk`, with its float arithmetic (and so its panics for sizes ≤ 0) reproduced.
fn chunk(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let size = arg_int(&args, 0);
    let items = items_of(&arg(&args, 1), |k| format!("Cannot chunk type {k}"))?;
    let len = items.len() as i64;
    let count = float_to_int64(((len - 1) as f64 / size as f64).floor()).wrapping_add(1);
    if count < 0 {
        return Err(FuncError::msg(MAKESLICE));
    }
    let mut chunks = Vec::new();
    for i in 0..count {
        let mut chunk_len = size;
        if i == count - 1 {
            chunk_len = float_to_int64((len as f64 % size as f64).floor());
            if chunk_len == 0 {
                chunk_len = size;
            }
        }
        if chunk_len < 0 {
            return Err(FuncError::msg(MAKESLICE));
        }
        let mut chunk = Vec::new();
        for j in 0..chunk_len {
            let index = i * size + j;
            let item = usize::try_from(index)
                .ok()
                .and_then(|ix| items.get(ix))
                .ok_or_else(|| FuncError::msg("reflect: slice index out of range"))?;
            chunk.push(item.clone());
        }
        chunks.push(interfaces(chunk));
    }
    Ok(Value::List(List::typed(GoType::SliceInterface, chunks)))
}

fn compact(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let items = items_of(&arg(&args, 0), |k| format!("Cannot compact on type {k}"))?;
    Ok(interfaces(
        items.into_iter().filter(|v| !is_empty(v)).collect(),
    ))
}

/// Sprig's `sortAlpha`: a slice's `strslice` sorted by bytes; anything else as a one-element list.
fn sort_alpha(_: &mut CallCtx<'_>, args: Vec<Value>) -> Res {
    let v = arg(&args, 0);
    if slice_items(&v).is_none() {
        return Ok(Value::string_list(vec![strval(&v)]));
    }
    let mut items = strslice(&v);
    items.sort();
    Ok(Value::string_list(items))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::util::test_call as call;

    fn ints(v: &[i64]) -> Value {
        Value::list(v.iter().map(|i| Value::int(*i)).collect())
    }

    #[test]
    fn chunk_splits_and_panics_like_go() {
        // helm: {{ chunk 2 (list 1 2 3) }} → [[1 2] [3]]
        let out = call(chunk, vec![Value::int(2), ints(&[1, 2, 3])]).unwrap();
        assert_eq!(crate::template::fmt::format_v(&out), "[[1 2] [3]]");
        assert_eq!(out.type_name(), "[][]interface {}");
        // helm: {{ chunk 0 (list 1 2) }} → runtime error: makeslice: len out of range
        let err = call(chunk, vec![Value::int(0), ints(&[1, 2])]).unwrap_err();
        assert!(matches!(err, FuncError::Msg(m) if m == MAKESLICE));
    }

    #[test]
    fn uniq_uses_deep_equal() {
        let l = Value::list(vec![Value::int(1), Value::int64(1), Value::int(1)]);
        let out = call(uniq, vec![l]).unwrap();
        assert_eq!(out.as_list().unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_kind() {
        // helm: {{ first 1 }} → error calling first: Cannot find first on type int
        let err = call(first, vec![Value::int(1)]).unwrap_err();
        assert!(matches!(err, FuncError::Msg(m) if m == "Cannot find first on type int"));
        let err = call(first, vec![Value::Nil]).unwrap_err();
        assert!(matches!(err, FuncError::Msg(m) if m == NIL_DEREF));
    }
}

//! Sprig's dict functions (`dict.go`): `dict get set unset hasKey pluck keys pick omit merge
//! mergeOverwrite mustMerge mustMergeOverwrite values dig`.
//!
//! Maps are shared by reference, so `set`, `unset` and the `merge` family change the map every holder
//! sees and return it, as in Go.
//!
//! Deliberate difference: Go iterates maps in random order, so `keys` and `values` return their items
//! in a different order on every run of real Helm (charts sort them with `sortAlpha`). Here they come
//! in sorted key order (per map, in argument order for `keys`), which is one of Go's possible orders.
//!
//! The `merge` family follows dario.cat/mergo v1.0.1 as Sprig calls it (`Merge` / `MergeWithOverwrite`
//! on `map[string]interface {}`), see [`merge_into`].
use crate::template::fmt::format_v;
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{Map, MapEntries, MapKind, Value};

const MAP: GoType = GoType::MapStringInterface;
const STR: GoType = GoType::String;
const ANY: GoType = GoType::Interface;

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "dict",
        sig: Signature::variadic(&[], ANY),
        imp: dict,
    },
    FuncDef {
        name: "get",
        sig: Signature::fixed(&[MAP, STR]),
        imp: get,
    },
    FuncDef {
        name: "set",
        sig: Signature::fixed(&[MAP, STR, ANY]),
        imp: set,
    },
    FuncDef {
        name: "unset",
        sig: Signature::fixed(&[MAP, STR]),
        imp: unset,
    },
    FuncDef {
        name: "hasKey",
        sig: Signature::fixed(&[MAP, STR]),
        imp: has_key,
    },
    FuncDef {
        name: "pluck",
        sig: Signature::variadic(&[STR], MAP),
        imp: pluck,
    },
    FuncDef {
        name: "keys",
        sig: Signature::variadic(&[], MAP),
        imp: keys,
    },
    FuncDef {
        name: "pick",
        sig: Signature::variadic(&[MAP], STR),
        imp: pick,
    },
    FuncDef {
        name: "omit",
        sig: Signature::variadic(&[MAP], STR),
        imp: omit,
    },
    FuncDef {
        name: "merge",
        sig: Signature::variadic(&[MAP], MAP),
        imp: merge,
    },
    FuncDef {
        name: "mergeOverwrite",
        sig: Signature::variadic(&[MAP], MAP),
        imp: merge_overwrite,
    },
    FuncDef {
        name: "mustMerge",
        sig: Signature::variadic(&[MAP], MAP),
        imp: merge,
    },
    FuncDef {
        name: "mustMergeOverwrite",
        sig: Signature::variadic(&[MAP], MAP),
        imp: merge_overwrite,
    },
    FuncDef {
        name: "values",
        sig: Signature::fixed(&[MAP]),
        imp: values,
    },
    FuncDef {
        name: "dig",
        sig: Signature::variadic(&[], ANY),
        imp: dig,
    },
];

/// Sprig's `strval`: strings and byte slices as is, anything else as Go's `%v` prints it.
fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => crate::template::gostr::from_bytes(b).into_owned(),
        other => format_v(other),
    }
}

/// The map behind a `map[string]interface {}` argument; a nil map (Go's zero value) reads as empty.
fn map_arg(v: &Value) -> Map {
    match v {
        Value::Map(m) => m.clone(),
        _ => Map::new(MapEntries::new()),
    }
}

fn str_arg(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        other => strval(other),
    }
}

/// `dict k1 v1 k2 v2 …`: keys go through `strval`; a trailing key without a value maps to "".
fn dict(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let mut entries = MapEntries::new();
    let mut it = args.into_iter();
    while let Some(k) = it.next() {
        let v = it.next().unwrap_or_else(|| Value::str(""));
        entries.insert(strval(&k).into(), v);
    }
    Ok(Value::map(entries))
}

/// `get $d "k"`: the value, or "" when the key is missing.
fn get(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let m = map_arg(&args[0]);
    Ok(m.get(&str_arg(&args[1])).unwrap_or_else(|| Value::str("")))
}

fn set(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let mut args = args.into_iter();
    let (d, k, v) = (args.next(), args.next(), args.next());
    let d = d.unwrap_or_default();
    let m = match &d {
        Value::Map(m) if !m.is_nil() => m.clone(),
        // Go panics on assignment to a nil map; text/template reports the recovered panic.
        _ => return Err(FuncError::msg("assignment to entry in nil map")),
    };
    m.insert(str_arg(&k.unwrap_or_default()), v.unwrap_or_default());
    Ok(Value::Map(m))
}

fn unset(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let m = map_arg(&args[0]);
    m.remove(&str_arg(&args[1]));
    Ok(match &args[0] {
        Value::Map(_) => Value::Map(m),
        _ => args[0].clone(),
    })
}

fn has_key(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::Bool(
        map_arg(&args[0]).contains_key(&str_arg(&args[1])),
    ))
}

/// `pluck "k" $d1 $d2 …`: the values of `k` in the maps that have it, in argument order.
fn pluck(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let key = str_arg(&args[0]);
    let found = args[1..]
        .iter()
        .filter_map(|d| map_arg(d).get(&key))
        .collect();
    Ok(Value::list(found))
}

/// `keys $d1 $d2 …`: a `[]string` of every map's keys (sorted per map, see the module doc).
fn keys(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let all = args
        .iter()
        .flat_map(|d| map_arg(d).keys())
        .map(|k| k.to_string())
        .collect();
    Ok(Value::string_list(all))
}

fn pick(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let m = map_arg(&args[0]);
    let mut out = MapEntries::new();
    for k in &args[1..] {
        let k = str_arg(k);
        if let Some(v) = m.get(&k) {
            out.insert(k.into(), v);
        }
    }
    Ok(Value::map(out))
}

fn omit(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let omitted: Vec<String> = args[1..].iter().map(str_arg).collect();
    let out = map_arg(&args[0])
        .entries()
        .into_iter()
        .filter(|(k, _)| !omitted.iter().any(|o| o.as_str() == &**k))
        .collect();
    Ok(Value::map(out))
}

/// `values $d`: the map's values as a `[]interface {}` (in key order, see the module doc).
fn values(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let vals = map_arg(&args[0])
        .entries()
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    Ok(Value::list(vals))
}

fn merge(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(merge_all(args, false))
}

fn merge_overwrite(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(merge_all(args, true))
}

/// Merges every source into the first map, in order. A nil destination becomes a new map (mergo
/// allocates one through the pointer Sprig passes).
fn merge_all(args: Vec<Value>, overwrite: bool) -> Value {
    let mut args = args.into_iter();
    let dst = match args.next() {
        Some(Value::Map(m)) => m,
        _ => Map::new(MapEntries::new()),
    };
    for src in args {
        if let Value::Map(src) = src {
            merge_into(&dst, &src, overwrite);
        }
    }
    Value::Map(dst)
}

/// mergo's `deepMerge` of two `map[string]interface {}`, reduced to what it does on template values:
///
/// - a nil source value replaces the destination only when overwriting;
/// - a map source merged onto a map destination recurses into the destination map (in place);
/// - otherwise the source value is taken when overwriting (even an empty `""`, `0`, `false`, `[]`), or
///   when the destination key is missing or holds an empty value (nil, `""`, `0`, `false`, empty list
///   or map). Lists are never merged element-wise.
pub fn merge_into(dst: &Map, src: &Map, overwrite: bool) {
    if dst.ptr_eq(src) {
        return;
    }
    for (key, s) in src.entries() {
        let d = dst.get(&key);
        if s.is_nil() {
            if overwrite {
                dst.insert(key, Value::Nil);
            }
            continue;
        }
        if let (Value::Map(sm), Some(Value::Map(dm))) = (&s, &d) {
            merge_into(dm, sm, overwrite);
            if !dm.is_empty() {
                continue;
            }
        }
        let take = match &d {
            None => true,
            Some(d) => overwrite || is_empty_value(d),
        };
        if take {
            dst.insert(key, s);
        }
    }
}

/// mergo's `isEmptyValue` with dereferencing: Go's zero values and empty collections.
fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(i, _) => *i == 0,
        Value::Uint(u, _) => *u == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Bytes(b) => b.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Object(_) => false,
    }
}

/// The Go type name a failed `interface {}` type assertion reports.
fn dynamic_type_name(v: &Value) -> String {
    match v {
        Value::Nil => "nil".to_string(),
        other => other.type_name(),
    }
}

fn conversion_panic(v: &Value, want: &str) -> FuncError {
    FuncError::msg(format!(
        "interface conversion: interface {{}} is {}, not {want}",
        dynamic_type_name(v)
    ))
}

/// `dig "a" "b" default $dict`: walks nested maps; the default when a key is missing. As in Sprig,
/// the last argument must be exactly a `map[string]interface {}` (so `.Values`, a `chartutil.Values`,
/// is rejected) and every key a string; the panics surface as Go's type-assertion messages.
fn dig(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    if args.len() < 3 {
        return Err(FuncError::msg("dig needs at least three arguments"));
    }
    let (path, rest) = args.split_at(args.len() - 2);
    let default = &rest[0];
    let mut current = exact_map(&rest[1])?;
    let mut keys = Vec::with_capacity(path.len());
    for k in path {
        match k {
            Value::String(s) => keys.push(s.clone()),
            other => return Err(conversion_panic(other, "string")),
        }
    }
    for (i, key) in keys.iter().enumerate() {
        let Some(step) = current.get(key) else {
            return Ok(default.clone());
        };
        if i + 1 == keys.len() {
            return Ok(step);
        }
        current = exact_map(&step)?;
    }
    Ok(default.clone())
}

fn exact_map(v: &Value) -> Result<Map, FuncError> {
    match v {
        Value::Map(m) if *m.kind() == MapKind::StringInterface => Ok(m.clone()),
        other => Err(conversion_panic(other, "map[string]interface {}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_call::call;

    fn d(pairs: &[(&str, Value)]) -> Value {
        Value::map(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn dict_stringifies_keys_and_pads_odd_arguments() {
        // helm: {{ dict 1 2 nil 3 | toJson }} → {"1":2,"<nil>":3}; {{ dict "a" 1 "b" }} → {"a":1,"b":""}
        let out = call(
            dict,
            vec![
                Value::int(1),
                Value::int(2),
                Value::Nil,
                Value::int(3),
                Value::str("b"),
            ],
        )
        .unwrap();
        assert_eq!(format_v(&out), "map[1:2 <nil>:3 b:]");
    }

    #[test]
    fn merge_keeps_non_empty_destination_values() {
        // helm: merge (dict "a" "" "b" 0 "c" false "d" (list) "e" (dict) "f" nil "g" "x")
        //             (dict "a" "A" "b" 1 "c" true "d" (list 1) "e" (dict "k" 1) "f" "F" "g" "G" "h" "H")
        // → {"a":"A","b":1,"c":true,"d":[1],"e":{"k":1},"f":"F","g":"x","h":"H"}
        let dst = d(&[
            ("a", Value::str("")),
            ("b", Value::int(0)),
            ("c", Value::Bool(false)),
            ("d", Value::list(vec![])),
            ("e", Value::empty_map()),
            ("f", Value::Nil),
            ("g", Value::str("x")),
        ]);
        let src = d(&[
            ("a", Value::str("A")),
            ("b", Value::int(1)),
            ("c", Value::Bool(true)),
            ("d", Value::list(vec![Value::int(1)])),
            ("e", d(&[("k", Value::int(1))])),
            ("f", Value::str("F")),
            ("g", Value::str("G")),
            ("h", Value::str("H")),
        ]);
        let out = call(merge, vec![dst.clone(), src]).unwrap();
        assert_eq!(
            format_v(&out),
            "map[a:A b:1 c:true d:[1] e:map[k:1] f:F g:x h:H]"
        );
        assert_eq!(format_v(&dst), format_v(&out), "merged in place");
    }

    #[test]
    fn merge_overwrite_takes_empty_source_values_but_deep_merges_maps() {
        // helm: mergeOverwrite (dict "a" "a" "b" 1 "c" true "d" (list 1) "e" (dict "k" 1) "f" "x" "g" "x")
        //                      (dict "a" "" "b" 0 "c" false "d" (list) "e" (dict) "f" nil "g" (dict "z" 1))
        // → {"a":"","b":0,"c":false,"d":[],"e":{"k":1},"f":null,"g":{"z":1}}
        let dst = d(&[
            ("a", Value::str("a")),
            ("b", Value::int(1)),
            ("c", Value::Bool(true)),
            ("d", Value::list(vec![Value::int(1)])),
            ("e", d(&[("k", Value::int(1))])),
            ("f", Value::str("x")),
            ("g", Value::str("x")),
        ]);
        let src = d(&[
            ("a", Value::str("")),
            ("b", Value::int(0)),
            ("c", Value::Bool(false)),
            ("d", Value::list(vec![])),
            ("e", Value::empty_map()),
            ("f", Value::Nil),
            ("g", d(&[("z", Value::int(1))])),
        ]);
        let out = call(merge_overwrite, vec![dst, src]).unwrap();
        assert_eq!(
            format_v(&out),
            "map[a: b:0 c:false d:[] e:map[k:1] f:<nil> g:map[z:1]]"
        );
    }

    #[test]
    fn dig_walks_and_reports_go_panics() {
        let inner = d(&[("b", d(&[("c", Value::int(1))]))]);
        let out = call(
            dig,
            vec![
                Value::str("b"),
                Value::str("c"),
                Value::str("def"),
                inner.clone(),
            ],
        )
        .unwrap();
        assert_eq!(format_v(&out), "1");
        let out = call(dig, vec![Value::str("x"), Value::str("def"), inner.clone()]).unwrap();
        assert_eq!(format_v(&out), "def");
        let err = call(
            dig,
            vec![
                Value::str("b"),
                Value::str("c"),
                Value::str("x"),
                Value::str("d"),
                inner,
            ],
        )
        .unwrap_err();
        assert!(
            matches!(err, FuncError::Msg(m) if m == "interface conversion: interface {} is int, not map[string]interface {}")
        );
        let values = Value::Map(Map::with_kind(MapKind::Values, MapEntries::new()));
        let err = call(dig, vec![Value::str("a"), Value::str("d"), values]).unwrap_err();
        assert!(matches!(err, FuncError::Msg(m) if m.contains("is chartutil.Values, not")));
    }

    #[test]
    fn keys_pick_omit_pluck() {
        let a = d(&[("b", Value::int(2)), ("a", Value::int(1))]);
        assert_eq!(
            format_v(&call(keys, vec![a.clone(), d(&[("c", Value::int(3))])]).unwrap()),
            "[a b c]"
        );
        assert_eq!(
            format_v(&call(pick, vec![a.clone(), Value::str("a"), Value::str("z")]).unwrap()),
            "map[a:1]"
        );
        assert_eq!(
            format_v(&call(omit, vec![a.clone(), Value::str("a")]).unwrap()),
            "map[b:2]"
        );
        assert_eq!(
            format_v(
                &call(
                    pluck,
                    vec![Value::str("a"), a.clone(), Value::empty_map(), a]
                )
                .unwrap()
            ),
            "[1 1]"
        );
    }

    #[test]
    fn theme_registers_fifteen_names() {
        assert_eq!(FUNCS.len(), 15);
    }
}

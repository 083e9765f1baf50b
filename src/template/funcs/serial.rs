//! Helm's and Sprig's serialisation functions: `toYaml`, `toJson`, `toToml`, `fromYaml`… over
//! [`crate::yaml`].
//!
//! Three tables, registered by the engine layer in this order so that later ones override earlier
//! ones, as in Helm's `funcMap()`:
//! - [`SPRIG_JSON_FUNCS`]: Sprig v3.3.0's `toJson mustToJson toPrettyJson mustToPrettyJson toRawJson
//!   mustToRawJson fromJson mustFromJson`;
//! - [`HELM_FUNCS`]: Helm 3.17.3's `toYaml toYamlPretty fromYaml fromYamlArray toJson fromJson
//!   fromJsonArray toToml fromToml` (its `toJson`/`fromJson` replace Sprig's);
//! - [`HELM4_FUNCS`]: Helm 4's additions `mustToYaml` and `mustToJson`.
//!
//! Helm hides failures the Go way: `toYaml`/`toJson` return `""`, `fromYaml`/`fromJson`/`fromToml`
//! return a map holding the error text under `Error`, `fromYamlArray`/`fromJsonArray` a list holding
//! it, and `toToml` returns the error text as its output. We return the same values; the `must*`
//! forms return the error.
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::types::{GoType, Signature};
use crate::template::value::{List, Map, MapEntries, MapKind, Value};
use crate::yaml;
use crate::yaml::toml::FloatStyle;

const ANY: Signature = Signature::fixed(&[GoType::Interface]);
const STRING: Signature = Signature::fixed(&[GoType::String]);

/// Sprig's JSON family (overridden in part by [`HELM_FUNCS`]).
pub const SPRIG_JSON_FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "toJson",
        sig: ANY,
        imp: sprig_to_json,
    },
    FuncDef {
        name: "mustToJson",
        sig: ANY,
        imp: must_to_json,
    },
    FuncDef {
        name: "toPrettyJson",
        sig: ANY,
        imp: to_pretty_json,
    },
    FuncDef {
        name: "mustToPrettyJson",
        sig: ANY,
        imp: must_to_pretty_json,
    },
    FuncDef {
        name: "toRawJson",
        sig: ANY,
        imp: to_raw_json,
    },
    FuncDef {
        name: "mustToRawJson",
        sig: ANY,
        imp: to_raw_json,
    },
    FuncDef {
        name: "fromJson",
        sig: STRING,
        imp: sprig_from_json,
    },
    FuncDef {
        name: "mustFromJson",
        sig: STRING,
        imp: must_from_json,
    },
];

/// Helm 3.17.3's serialisers (`pkg/engine/funcs.go`).
pub const HELM_FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "toYaml",
        sig: ANY,
        imp: to_yaml,
    },
    FuncDef {
        name: "toYamlPretty",
        sig: ANY,
        imp: to_yaml_pretty,
    },
    FuncDef {
        name: "fromYaml",
        sig: STRING,
        imp: from_yaml,
    },
    FuncDef {
        name: "fromYamlArray",
        sig: STRING,
        imp: from_yaml_array,
    },
    FuncDef {
        name: "toJson",
        sig: ANY,
        imp: to_json,
    },
    FuncDef {
        name: "fromJson",
        sig: STRING,
        imp: from_json,
    },
    FuncDef {
        name: "fromJsonArray",
        sig: STRING,
        imp: from_json_array,
    },
    FuncDef {
        name: "toToml",
        sig: ANY,
        imp: to_toml,
    },
    FuncDef {
        name: "fromToml",
        sig: STRING,
        imp: from_toml,
    },
];

/// Helm 4's additions (`mustToYaml`) and overrides (`mustToJson`, same behaviour as Sprig's), plus
/// `toToml` with BurntSushi v1.5's float format.
pub const HELM4_FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "mustToYaml",
        sig: ANY,
        imp: must_to_yaml,
    },
    FuncDef {
        name: "mustToJson",
        sig: ANY,
        imp: must_to_json,
    },
    FuncDef {
        name: "toToml",
        sig: ANY,
        imp: to_toml_v4,
    },
];

fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Nil)
}

fn str_arg(args: &[Value], i: usize) -> String {
    match args.get(i) {
        Some(Value::String(s)) => s.to_string(),
        _ => String::new(),
    }
}

fn error_map(message: String) -> Value {
    let mut entries = MapEntries::new();
    entries.insert("Error".into(), Value::string(message));
    Value::Map(Map::new(entries))
}

fn trim_newline(s: String) -> String {
    match s.strip_suffix('\n') {
        Some(t) => t.to_string(),
        None => s,
    }
}

/// Helm's `toYaml`: sigs.k8s.io/yaml `Marshal`, trailing newline trimmed, `""` on error.
fn to_yaml(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    // Helm swallows the error; it stays visible to a debugger here.
    let out = yaml::to_yaml(&arg(&args, 0)).unwrap_or_default();
    Ok(Value::string(trim_newline(out)))
}

/// Helm 4's `mustToYaml`: like `toYaml`, but the error is returned.
fn must_to_yaml(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let out = yaml::to_yaml(&arg(&args, 0)).map_err(|e| FuncError::msg(e.to_string()))?;
    Ok(Value::string(trim_newline(out)))
}

/// Helm's `toYamlPretty`: gopkg.in/yaml.v3 with `SetIndent(2)` on the value itself.
/// yaml.v3 panics on a `complex128` (`cannot marshal type: complex128`), which the template engine
/// reports as the call's error.
fn to_yaml_pretty(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    if yaml::json::contains_complex(&arg(&args, 0)) {
        return Err(FuncError::msg("cannot marshal type: complex128"));
    }
    let doc = yaml::emit::direct(&arg(&args, 0));
    let out = yaml::emit::emit_with(&doc, yaml::emit::Flavor::V3Indent2);
    Ok(Value::string(trim_newline(out)))
}

/// Helm's `fromYaml`: a map, or `{Error: …}`.
fn from_yaml(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(from_yaml_str(&str_arg(&args, 0)))
}

/// The body of `fromYaml` (also used by the engine for `.Files.AsConfig`-style helpers).
pub fn from_yaml_str(text: &str) -> Value {
    if let Err(e) = go_yaml_bytes(text) {
        return error_map(e.to_string());
    }
    match yaml::memo::parse_value(text) {
        Ok(Value::Nil) => Value::empty_map(),
        Ok(v @ Value::Map(_)) => v,
        Ok(other) => error_map(type_error(&other, "map[string]interface {}", true)),
        Err(e) => error_map(e.to_string()),
    }
}

/// go-yaml's reader error for a string whose bytes are not UTF-8 (see `template::gostr`).
fn go_yaml_bytes(text: &str) -> Result<(), yaml::Error> {
    if crate::template::gostr::has_escapes(text) {
        yaml::input::decode(&crate::template::gostr::to_bytes(text))?;
    }
    Ok(())
}

/// sigs.k8s.io/yaml's error for JSON of the wrong kind.
fn type_error(v: &Value, go_type: &str, via_yaml: bool) -> String {
    let kind = match v {
        Value::List(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Float(_) | Value::Int(..) | Value::Uint(..) => "number",
        _ => "object",
    };
    let base = format!("json: cannot unmarshal {kind} into Go value of type {go_type}");
    if via_yaml {
        format!("error unmarshaling JSON: while decoding JSON: {base}")
    } else {
        base
    }
}

/// Helm's `fromYamlArray`: a list, or `[error text]`.
fn from_yaml_array(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let text = str_arg(&args, 0);
    if let Err(e) = go_yaml_bytes(&text) {
        return Ok(Value::list(vec![Value::string(e.to_string())]));
    }
    Ok(match yaml::parse_value(&text, "") {
        Ok(Value::Nil) => Value::List(List::new(Vec::new())),
        Ok(v @ Value::List(_)) => v,
        Ok(other) => Value::list(vec![Value::string(type_error(
            &other,
            "[]interface {}",
            true,
        ))]),
        Err(e) => Value::list(vec![Value::string(e.to_string())]),
    })
}

/// Helm's `toJson`: `json.Marshal`, `""` on error.
fn to_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(
        yaml::json::marshal(&arg(&args, 0)).unwrap_or_default(),
    ))
}

/// Sprig's `toJson` (same output as Helm's).
fn sprig_to_json(ctx: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    to_json(ctx, args)
}

fn must_to_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    yaml::json::marshal(&arg(&args, 0))
        .map(Value::string)
        .map_err(|e| FuncError::msg(e.message))
}

fn to_pretty_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(Value::string(
        yaml::json::marshal_indent(&arg(&args, 0)).unwrap_or_default(),
    ))
}

fn must_to_pretty_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    yaml::json::marshal_indent(&arg(&args, 0))
        .map(Value::string)
        .map_err(|e| FuncError::msg(e.message))
}

/// Sprig's `toRawJson`/`mustToRawJson`: an encoder without HTML escaping (`toRawJson` panics on
/// error, which Go's template engine reports like a returned error).
fn to_raw_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let opts = yaml::json::Options {
        escape_html: false,
        indent: None,
    };
    yaml::json::encode(&arg(&args, 0), opts)
        .map(Value::string)
        .map_err(|e| FuncError::msg(e.message))
}

/// Helm's `fromJson`: a map, or `{Error: …}`; a map whose decoding failed late (a number too
/// large for float64) keeps the keys decoded, the failed one nil, beside `Error`.
fn from_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let text = str_arg(&args, 0);
    if let (Some(Value::Map(m)), Some(e)) = yaml::json::unmarshal_partial(&text) {
        m.insert("Error", Value::string(e.message));
        return Ok(Value::Map(m));
    }
    Ok(match yaml::json::unmarshal(&text) {
        // `json.Unmarshal("null", &m)` sets the map to nil.
        Ok(Value::Nil) => Value::Map(Map::nil(MapKind::StringInterface)),
        Ok(v @ Value::Map(_)) => v,
        Ok(other) => error_map(type_error(&other, "map[string]interface {}", false)),
        Err(e) => error_map(e.message),
    })
}

/// Helm's `fromJsonArray`: a list, or `[error text]`.
fn from_json_array(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let text = str_arg(&args, 0);
    Ok(match yaml::json::unmarshal(&text) {
        // `json.Unmarshal("null", &a)` sets the slice to nil.
        Ok(Value::Nil) => Value::List(List::nil(GoType::Interface)),
        Ok(v @ Value::List(_)) => v,
        Ok(other) => Value::list(vec![Value::string(type_error(
            &other,
            "[]interface {}",
            false,
        ))]),
        Err(e) => Value::list(vec![Value::string(e.message)]),
    })
}

/// Sprig's `fromJson`: any value, nil on error.
fn sprig_from_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(yaml::json::unmarshal(&str_arg(&args, 0)).unwrap_or(Value::Nil))
}

fn must_from_json(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    yaml::json::unmarshal(&str_arg(&args, 0)).map_err(|e| FuncError::msg(e.message))
}

/// Helm's `toToml`: BurntSushi's encoder; on error the error text is the output. A nil argument
/// makes the encoder call `Type` on reflect's zero Value, a panic the template engine reports as the
/// call's error.
fn to_toml(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    toml_text(&arg(&args, 0), FloatStyle::Fixed)
}

fn to_toml_v4(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    toml_text(&arg(&args, 0), FloatStyle::Shortest)
}

fn toml_text(v: &Value, floats: FloatStyle) -> Result<Value, FuncError> {
    if v.is_nil() {
        return Err(FuncError::msg(
            "reflect: call of reflect.Value.Type on zero Value",
        ));
    }
    if yaml::json::is_complex(v) {
        return Ok(Value::str("unsupported type for key '': complex128"));
    }
    if yaml::json::contains_complex(v) {
        return Ok(Value::str("unsupported type: complex128"));
    }
    Ok(Value::string(
        yaml::toml::encode(v, floats).unwrap_or_else(|e| e.0),
    ))
}

/// Helm's `fromToml`: a map, or `{Error: …}`.
fn from_toml(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    Ok(yaml::toml::decode(&str_arg(&args, 0)).unwrap_or_else(error_map))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(table: &[FuncDef], name: &str, args: Vec<Value>) -> Result<Value, FuncError> {
        let def = table.iter().find(|d| d.name == name).unwrap();
        crate::template::funcs::sprig::util::test_call(def.imp, args)
    }

    fn s(v: Value) -> String {
        v.as_str().unwrap().to_string()
    }

    #[test]
    fn to_yaml_trims_one_newline() {
        let v = yaml::parse_value("b: [1]\na: x\n", "").unwrap();
        assert_eq!(
            s(call(HELM_FUNCS, "toYaml", vec![v]).unwrap()),
            "a: x\nb:\n- 1"
        );
    }

    #[test]
    fn to_yaml_swallows_errors() {
        let out = call(HELM_FUNCS, "toYaml", vec![Value::Float(f64::NAN)]).unwrap();
        assert_eq!(s(out), "");
        assert!(call(HELM4_FUNCS, "mustToYaml", vec![Value::Float(f64::NAN)]).is_err());
    }

    #[test]
    fn from_yaml_reports_errors_in_a_map() {
        let out = call(HELM_FUNCS, "fromYaml", vec![Value::str("- 1")]).unwrap();
        assert_eq!(
            s(out.as_map().unwrap().get("Error").unwrap()),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
        let out = call(HELM_FUNCS, "fromYamlArray", vec![Value::str("")]).unwrap();
        assert!(out.as_list().unwrap().is_empty());
    }

    #[test]
    fn json_family() {
        let v = Value::str("<a>");
        assert_eq!(
            s(call(HELM_FUNCS, "toJson", vec![v.clone()]).unwrap()),
            "\"\\u003ca\\u003e\""
        );
        assert_eq!(
            s(call(SPRIG_JSON_FUNCS, "toRawJson", vec![v]).unwrap()),
            "\"<a>\""
        );
        let out = call(HELM_FUNCS, "fromJson", vec![Value::str("[1]")]).unwrap();
        assert_eq!(
            s(out.as_map().unwrap().get("Error").unwrap()),
            "json: cannot unmarshal array into Go value of type map[string]interface {}"
        );
    }
}

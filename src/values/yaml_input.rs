//! Reading YAML the way Helm reads values files and Chart.yaml (sigs.k8s.io/yaml: YAML → JSON →
//! `encoding/json`), for the `chart` and `values` modules.
//!
//! This is a stand-in until `crate::yaml` (the YAML 1.1 loader) lands: it uses yaml-rust2, which is
//! YAML 1.2, so `yes`/`on` stay strings and error texts differ from go-yaml's; numbers are float64 as in
//! Helm. Only this file changes when the switch happens.
use std::collections::BTreeMap;

use yaml_rust2::{Yaml, YamlLoader};

use crate::chart::{Dependency, Maintainer, Metadata};
use crate::template::{Map, MapEntries, Value};

/// Parses a values document (values.yaml, a `-f` file) into a map; an empty document is an empty map.
/// The error text is what Helm prints after `cannot load values.yaml: `.
pub fn parse_values(text: &str) -> Result<Value, String> {
    let doc = parse_document(text)?;
    match doc {
        None | Some(Yaml::Null) => Ok(Value::empty_map()),
        Some(Yaml::Hash(_)) => to_value(doc.as_ref().unwrap_or(&Yaml::Null)),
        Some(other) => Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type map[string]interface {{}}",
            json_kind(&other)
        )),
    }
}

/// Parses any YAML document into a value (Helm's `yaml.Unmarshal` into `interface{}`).
pub fn parse_any(text: &str) -> Result<Value, String> {
    match parse_document(text)? {
        None => Ok(Value::Nil),
        Some(doc) => to_value(&doc),
    }
}

fn parse_document(text: &str) -> Result<Option<Yaml>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| {
        format!(
            "error converting YAML to JSON: yaml: line {}: {}",
            e.marker().line(),
            e.info()
        )
    })?;
    Ok(docs.into_iter().next())
}

fn json_kind(y: &Yaml) -> &'static str {
    match y {
        Yaml::Array(_) => "array",
        Yaml::String(_) => "string",
        Yaml::Integer(_) | Yaml::Real(_) => "number",
        Yaml::Boolean(_) => "bool",
        _ => "value",
    }
}

fn scalar_key(y: &Yaml) -> String {
    match y {
        Yaml::String(s) | Yaml::Real(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        Yaml::Null => "null".to_string(),
        _ => String::new(),
    }
}

fn to_value(y: &Yaml) -> Result<Value, String> {
    Ok(match y {
        Yaml::Null | Yaml::BadValue => Value::Nil,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => Value::Float(*i as f64),
        Yaml::Real(s) => match s.parse::<f64>() {
            Ok(f) => Value::Float(f),
            Err(_) => match s.trim_start_matches(['+', '-']).to_ascii_lowercase().as_str() {
                ".inf" => Value::Float(if s.starts_with('-') {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }),
                _ => Value::str(s),
            },
        },
        Yaml::String(s) => Value::str(s),
        Yaml::Array(items) => Value::list(items.iter().map(to_value).collect::<Result<_, _>>()?),
        Yaml::Hash(h) => {
            let mut entries = MapEntries::new();
            for (k, v) in h {
                entries.insert(scalar_key(k).into(), to_value(v)?);
            }
            Value::Map(Map::new(entries))
        }
        Yaml::Alias(_) => Value::Nil,
    })
}

/// Parses Chart.yaml (or requirements.yaml, which only fills `dependencies`) into `md`, overwriting the
/// fields the document sets, as Go's `yaml.Unmarshal` into an existing struct does. Scalars destined for
/// string fields keep their text (`version: 1.0` is `"1.0"`), as sigs.k8s.io/yaml does.
pub fn parse_metadata_into(text: &str, md: &mut Metadata) -> Result<(), String> {
    let doc = match parse_document(text)? {
        None | Some(Yaml::Null) => return Ok(()),
        Some(Yaml::Hash(h)) => h,
        Some(other) => {
            return Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                json_kind(&other)
            ))
        }
    };
    for (k, v) in &doc {
        let key = scalar_key(k);
        match key.as_str() {
            "name" => md.name = text_of(v, "Metadata.name")?,
            "home" => md.home = text_of(v, "Metadata.home")?,
            "sources" => md.sources = texts_of(v, "Metadata.sources")?,
            "version" => md.version = text_of(v, "Metadata.version")?,
            "description" => md.description = text_of(v, "Metadata.description")?,
            "keywords" => md.keywords = texts_of(v, "Metadata.keywords")?,
            "icon" => md.icon = text_of(v, "Metadata.icon")?,
            "apiVersion" => md.api_version = text_of(v, "Metadata.apiVersion")?,
            "condition" => md.condition = text_of(v, "Metadata.condition")?,
            "tags" => md.tags = text_of(v, "Metadata.tags")?,
            "appVersion" => md.app_version = text_of(v, "Metadata.appVersion")?,
            "deprecated" => md.deprecated = bool_of(v, "Metadata.deprecated")?,
            "kubeVersion" => md.kube_version = text_of(v, "Metadata.kubeVersion")?,
            "type" => md.chart_type = text_of(v, "Metadata.type")?,
            "annotations" => {
                let mut out = BTreeMap::new();
                if let Yaml::Hash(h) = v {
                    for (ak, av) in h {
                        out.insert(scalar_key(ak), text_of(av, "Metadata.annotations")?);
                    }
                }
                md.annotations = out;
            }
            "maintainers" => {
                md.maintainers = list_of(v)
                    .iter()
                    .map(|m| {
                        Ok(Maintainer {
                            name: field_text(m, "name", "Maintainer.name")?,
                            email: field_text(m, "email", "Maintainer.email")?,
                            url: field_text(m, "url", "Maintainer.url")?,
                        })
                    })
                    .collect::<Result<_, String>>()?
            }
            "dependencies" => {
                md.dependencies = list_of(v)
                    .iter()
                    .map(dependency_of)
                    .collect::<Result<_, String>>()?
            }
            _ => {}
        }
    }
    Ok(())
}

fn dependency_of(y: &Yaml) -> Result<Dependency, String> {
    let import_values = match y["import-values"].as_vec() {
        Some(items) => items
            .iter()
            .map(|i| to_value(i).map(|v| value_to_json(&v)))
            .collect::<Result<_, _>>()?,
        None => Vec::new(),
    };
    Ok(Dependency {
        name: field_text(y, "name", "Dependency.name")?,
        version: field_text(y, "version", "Dependency.version")?,
        repository: field_text(y, "repository", "Dependency.repository")?,
        condition: field_text(y, "condition", "Dependency.condition")?,
        tags: texts_of(&y["tags"], "Dependency.tags")?,
        enabled: match &y["enabled"] {
            Yaml::BadValue | Yaml::Null => false,
            v => bool_of(v, "Dependency.enabled")?,
        },
        import_values,
        alias: field_text(y, "alias", "Dependency.alias")?,
    })
}

fn value_to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Int(i, _) => serde_json::Value::from(*i),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::List(l) => serde_json::Value::Array(l.items().iter().map(value_to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.entries()
                .iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect(),
        ),
        _ => serde_json::Value::Null,
    }
}

fn list_of(y: &Yaml) -> Vec<Yaml> {
    y.as_vec().cloned().unwrap_or_default()
}

fn field_text(y: &Yaml, key: &str, go_field: &str) -> Result<String, String> {
    match &y[key] {
        Yaml::BadValue => Ok(String::new()),
        v => text_of(v, go_field),
    }
}

fn text_of(y: &Yaml, go_field: &str) -> Result<String, String> {
    match y {
        Yaml::Null | Yaml::BadValue => Ok(String::new()),
        Yaml::String(s) | Yaml::Real(s) => Ok(s.clone()),
        Yaml::Integer(i) => Ok(i.to_string()),
        Yaml::Boolean(b) => Ok(b.to_string()),
        other => Err(unmarshal_error(other, go_field, "string")),
    }
}

fn texts_of(y: &Yaml, go_field: &str) -> Result<Vec<String>, String> {
    match y {
        Yaml::Null | Yaml::BadValue => Ok(Vec::new()),
        Yaml::Array(items) => items.iter().map(|i| text_of(i, go_field)).collect(),
        other => Err(unmarshal_error(other, go_field, "[]string")),
    }
}

fn bool_of(y: &Yaml, go_field: &str) -> Result<bool, String> {
    match y {
        Yaml::Boolean(b) => Ok(*b),
        Yaml::Null => Ok(false),
        other => Err(unmarshal_error(other, go_field, "bool")),
    }
}

fn unmarshal_error(y: &Yaml, go_field: &str, go_type: &str) -> String {
    format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field {go_field} of type {go_type}",
        json_kind(y)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_floats_and_empty_is_a_map() {
        let v = parse_values("a: 1\nb: x\n").unwrap();
        assert!(matches!(v.as_map().unwrap().get("a"), Some(Value::Float(f)) if f == 1.0));
        assert!(parse_values("").unwrap().as_map().unwrap().is_empty());
        assert!(parse_values("- a").is_err());
    }

    #[test]
    fn metadata_keeps_scalar_text() {
        let mut md = Metadata::default();
        parse_metadata_into("name: c\nversion: 1.0\ndependencies:\n- name: d\n  enabled: true\n", &mut md)
            .unwrap();
        assert_eq!(md.version, "1.0");
        assert!(md.dependencies[0].enabled);
    }
}

//! Reading YAML the way Helm reads values files and Chart.yaml (sigs.k8s.io/yaml: YAML 1.1 → JSON →
//! `encoding/json`), for the `chart` and `values` modules: a thin layer over `crate::yaml` whose errors
//! are the texts Helm prints after its own prefix (`cannot load values.yaml: …`).
use crate::chart::{Dependency, Metadata, NonNilFields};
use crate::template::Value;

/// Parses a values document (values.yaml, a `-f` file) into a map; an empty document is an empty map.
pub fn parse_values(text: &str) -> Result<Value, String> {
    crate::yaml::parse_values(text, "values.yaml").map_err(|e| e.to_string())
}

/// Parses any YAML document into a value (Helm's `yaml.Unmarshal` into `interface{}`).
pub fn parse_any(text: &str) -> Result<Value, String> {
    crate::yaml::parse_value(text, "").map_err(|e| e.to_string())
}

/// Parses Chart.yaml into a fresh `Metadata`, as `yaml.Unmarshal(data, c.Metadata)`.
pub fn parse_metadata(text: &str) -> Result<Metadata, String> {
    let doc = crate::yaml::parse_value(text, "Chart.yaml").map_err(|e| e.to_string())?;
    check_metadata_types(&doc)?;
    let md: Option<Metadata> =
        crate::yaml::from_str(text, "Chart.yaml").map_err(|e| e.to_string())?;
    let mut md = md.unwrap_or_default();
    if let Some(map) = doc.as_map() {
        // `[]`/`{}` decode to empty non-nil Go values; absent and null keys leave them nil.
        let given = |key: &str| map.get(key).is_some_and(|v| !v.is_nil());
        md.non_nil = NonNilFields {
            sources: given("sources"),
            keywords: given("keywords"),
            maintainers: given("maintainers"),
            annotations: given("annotations"),
            dependencies: given("dependencies"),
        };
        if let Some(Value::List(deps)) = map.get("dependencies") {
            for (dep, raw) in md.dependencies.iter_mut().zip(deps.items()) {
                dep.tags_non_nil = raw
                    .as_map()
                    .and_then(|m| m.get("tags"))
                    .is_some_and(|t| !t.is_nil());
            }
        }
    }
    Ok(md)
}

/// The JSON kind Go's decoder names in type errors.
pub(crate) fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::List(_) => "array",
        Value::Map(_) => "object",
        Value::Bool(_) => "bool",
        Value::Float(_) | Value::Int(..) | Value::Uint(..) => "number",
        _ => "string",
    }
}

/// Go's `encoding/json` error for a Chart.yaml field of the wrong type (numbers and bools are fine
/// where a string is wanted: sigs.k8s.io/yaml turns them into strings).
fn check_metadata_types(doc: &Value) -> Result<(), String> {
    let Some(map) = doc.as_map() else {
        return match doc {
            Value::Nil => Ok(()),
            other => Err(format!(
                "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type chart.Metadata",
                json_kind(other)
            )),
        };
    };
    let wrong = |field: &str, v: &Value, go_type: &str| {
        Err(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field Metadata.{field} of type {go_type}",
            json_kind(v)
        ))
    };
    for (key, v) in map.entries() {
        if v.is_nil() {
            continue;
        }
        let key: &str = &key;
        match key {
            "name" | "home" | "version" | "description" | "icon" | "apiVersion" | "condition"
            | "tags" | "appVersion" | "kubeVersion" | "type" => {
                if matches!(v, Value::List(_) | Value::Map(_)) {
                    return wrong(key, &v, "string");
                }
            }
            "sources" | "keywords" => match &v {
                Value::List(items) => {
                    if let Some(bad) = items
                        .items()
                        .iter()
                        .find(|i| matches!(i, Value::List(_) | Value::Map(_)))
                    {
                        return wrong(key, bad, "string");
                    }
                }
                other => return wrong(key, other, "[]string"),
            },
            "maintainers" if !matches!(v, Value::List(_)) => {
                return wrong(key, &v, "[]*chart.Maintainer");
            }
            "dependencies" if !matches!(v, Value::List(_)) => {
                return wrong(key, &v, "[]*chart.Dependency");
            }
            "annotations" if !matches!(v, Value::Map(_)) => {
                return wrong(key, &v, "map[string]string");
            }
            "deprecated" if !matches!(v, Value::Bool(_)) => {
                return wrong(key, &v, "bool");
            }
            _ => {}
        }
    }
    Ok(())
}

#[derive(serde::Deserialize, Default)]
struct Requirements {
    #[serde(default)]
    dependencies: Option<Vec<Dependency>>,
}

/// Applies requirements.yaml (apiVersion v1 charts) to `md`: its `dependencies` replace the
/// Chart.yaml ones, as Go's `yaml.Unmarshal` into the existing struct does.
pub fn apply_requirements(text: &str, md: &mut Metadata) -> Result<(), String> {
    let req: Option<Requirements> =
        crate::yaml::from_str(text, "requirements.yaml").map_err(|e| e.to_string())?;
    if let Some(deps) = req.and_then(|r| r.dependencies) {
        md.dependencies = deps;
    }
    Ok(())
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
    fn metadata_type_errors_read_like_go() {
        assert_eq!(
            parse_metadata("name: c\nkeywords: not-a-list\n").unwrap_err(),
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field Metadata.keywords of type []string"
        );
    }

    #[test]
    fn metadata_and_requirements() {
        let mut md =
            parse_metadata("name: c\nversion: 1.0\ndependencies:\n- name: d\n  enabled: true\n")
                .unwrap();
        assert_eq!(md.version, "1");
        assert!(md.dependencies[0].enabled);
        apply_requirements("dependencies:\n- name: r\n", &mut md).unwrap();
        assert_eq!(md.dependencies[0].name, "r");
    }
}

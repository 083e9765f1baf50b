//! `.Chart`: Helm v3.17.3 gives templates `struct { chart.Metadata; IsRoot bool }`, so the fields of
//! `chart.Metadata` (`Name`, `Version`, `AppVersion`, …), the embedded `Metadata` itself and `IsRoot`
//! are readable, a field Chart.yaml cannot have is an execution error, and `{{ .Chart }}` prints Go's
//! struct syntax: `{{c  [] 0.1.0  [] []  v2    false map[]  [] } true}`.
//!
//! Known gap: Go prints the `Maintainers` and `Dependencies` slices of pointers as addresses
//! (`[0xc000…]`), which differ from run to run; we print `[]`-style lists of the structs instead.
use std::any::Any;
use std::rc::Rc;

use crate::chart::{Dependency, Maintainer, Metadata};
use crate::template::{GoType, List, Map, MapEntries, MapKind, Object, Value};

/// The value templates see as `.Chart`.
pub fn chart_value(metadata: &Metadata, is_root: bool) -> Value {
    Value::Object(Rc::new(ChartObject {
        metadata: Rc::new(metadata.clone()),
        is_root,
    }))
}

#[derive(Debug)]
struct ChartObject {
    metadata: Rc<Metadata>,
    is_root: bool,
}

impl Object for ChartObject {
    fn type_name(&self) -> &str {
        "struct { chart.Metadata; IsRoot bool }"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "IsRoot" => Some(Value::Bool(self.is_root)),
            "Metadata" => Some(Value::Object(Rc::new(MetadataObject(
                self.metadata.clone(),
            )))),
            _ => metadata_field(&self.metadata, name),
        }
    }
    fn format_v(&self) -> String {
        format!(
            "{{{} {}}}",
            metadata_struct_text(&self.metadata),
            self.is_root
        )
    }
    fn to_json_value(&self) -> Option<Value> {
        let json = metadata_json(&self.metadata);
        if let Value::Map(m) = &json {
            // The embedded struct's fields are inlined; `IsRoot` has no JSON tag.
            m.insert("IsRoot", Value::Bool(self.is_root));
        }
        Some(json)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// `chart.Metadata` as a value of its own (`.Chart.Metadata`).
#[derive(Debug)]
struct MetadataObject(Rc<Metadata>);

impl Object for MetadataObject {
    fn type_name(&self) -> &str {
        "chart.Metadata"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        metadata_field(&self.0, name)
    }
    fn format_v(&self) -> String {
        metadata_struct_text(&self.0)
    }
    fn to_json_value(&self) -> Option<Value> {
        Some(metadata_json(&self.0))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A `[]string`.
fn strings(items: &[String]) -> Value {
    Value::List(List::typed(
        GoType::String,
        items.iter().map(|s| Value::str(s)).collect(),
    ))
}

fn metadata_field(m: &Metadata, name: &str) -> Option<Value> {
    Some(match name {
        "Name" => Value::str(&m.name),
        "Home" => Value::str(&m.home),
        "Sources" => strings(&m.sources),
        "Version" => Value::str(&m.version),
        "Description" => Value::str(&m.description),
        "Keywords" => strings(&m.keywords),
        "Maintainers" => Value::List(List::typed(
            GoType::Named("*chart.Maintainer"),
            m.maintainers
                .iter()
                .map(|mt| Value::Object(Rc::new(MaintainerObject(mt.clone()))))
                .collect(),
        )),
        "Icon" => Value::str(&m.icon),
        "APIVersion" => Value::str(&m.api_version),
        "Condition" => Value::str(&m.condition),
        "Tags" => Value::str(&m.tags),
        "AppVersion" => Value::str(&m.app_version),
        "Deprecated" => Value::Bool(m.deprecated),
        "Annotations" => {
            let entries: MapEntries = m
                .annotations
                .iter()
                .map(|(k, v)| (Rc::from(k.as_str()), Value::str(v)))
                .collect();
            Value::Map(Map::with_kind(MapKind::StringString, entries))
        }
        "KubeVersion" => Value::str(&m.kube_version),
        "Dependencies" => Value::List(List::typed(
            GoType::Named("*chart.Dependency"),
            m.dependencies
                .iter()
                .map(|d| Value::Object(Rc::new(DependencyObject(d.clone()))))
                .collect(),
        )),
        "Type" => Value::str(&m.chart_type),
        _ => return None,
    })
}

fn metadata_struct_text(m: &Metadata) -> String {
    let annotations: Vec<String> = m
        .annotations
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect();
    let maintainers: Vec<String> = m
        .maintainers
        .iter()
        .map(|mt| format!("{{{} {} {}}}", mt.name, mt.email, mt.url))
        .collect();
    let dependencies: Vec<String> = m.dependencies.iter().map(|d| d.name.clone()).collect();
    format!(
        "{{{} {} [{}] {} {} [{}] [{}] {} {} {} {} {} {} map[{}] {} [{}] {}}}",
        m.name,
        m.home,
        m.sources.join(" "),
        m.version,
        m.description,
        m.keywords.join(" "),
        maintainers.join(" "),
        m.icon,
        m.api_version,
        m.condition,
        m.tags,
        m.app_version,
        m.deprecated,
        annotations.join(" "),
        m.kube_version,
        dependencies.join(" "),
        m.chart_type
    )
}

/// `chart.Metadata` as `encoding/json` marshals it (its JSON tags, `omitempty`).
fn metadata_json(m: &Metadata) -> Value {
    let map = Map::new(MapEntries::new());
    let put_str = |key: &str, value: &str| {
        if !value.is_empty() {
            map.insert(key, Value::str(value));
        }
    };
    put_str("name", &m.name);
    put_str("home", &m.home);
    put_str("version", &m.version);
    put_str("description", &m.description);
    put_str("icon", &m.icon);
    put_str("apiVersion", &m.api_version);
    put_str("condition", &m.condition);
    put_str("tags", &m.tags);
    put_str("appVersion", &m.app_version);
    put_str("kubeVersion", &m.kube_version);
    put_str("type", &m.chart_type);
    if !m.sources.is_empty() {
        map.insert("sources", strings(&m.sources));
    }
    if !m.keywords.is_empty() {
        map.insert("keywords", strings(&m.keywords));
    }
    if m.deprecated {
        map.insert("deprecated", Value::Bool(true));
    }
    if !m.annotations.is_empty() {
        if let Some(Value::Map(a)) = metadata_field(m, "Annotations") {
            map.insert("annotations", Value::Map(a));
        }
    }
    Value::Map(map)
}

#[derive(Debug)]
struct MaintainerObject(Maintainer);

impl Object for MaintainerObject {
    fn type_name(&self) -> &str {
        "*chart.Maintainer"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::str(match name {
            "Name" => &self.0.name,
            "Email" => &self.0.email,
            "URL" => &self.0.url,
            _ => return None,
        }))
    }
    fn format_v(&self) -> String {
        format!("&{{{} {} {}}}", self.0.name, self.0.email, self.0.url)
    }
    fn to_json_value(&self) -> Option<Value> {
        let map = Map::new(MapEntries::new());
        for (key, value) in [
            ("name", &self.0.name),
            ("email", &self.0.email),
            ("url", &self.0.url),
        ] {
            if !value.is_empty() {
                map.insert(key, Value::str(value));
            }
        }
        Some(Value::Map(map))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug)]
struct DependencyObject(Dependency);

impl Object for DependencyObject {
    fn type_name(&self) -> &str {
        "*chart.Dependency"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        let d = &self.0;
        Some(match name {
            "Name" => Value::str(&d.name),
            "Version" => Value::str(&d.version),
            "Repository" => Value::str(&d.repository),
            "Condition" => Value::str(&d.condition),
            "Tags" => strings(&d.tags),
            "Enabled" => Value::Bool(d.enabled),
            "Alias" => Value::str(&d.alias),
            _ => return None,
        })
    }
    fn format_v(&self) -> String {
        format!(
            "&{{{} {} {}}}",
            self.0.name, self.0.version, self.0.repository
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata {
            name: "c".into(),
            version: "0.1.0".into(),
            api_version: "v2".into(),
            ..Default::default()
        }
    }

    #[test]
    fn prints_as_go_struct() {
        let Value::Object(o) = chart_value(&meta(), true) else {
            panic!()
        };
        assert_eq!(
            o.format_v(),
            "{{c  [] 0.1.0  [] []  v2    false map[]  [] } true}"
        );
    }

    #[test]
    fn fields_and_missing_fields() {
        let Value::Object(o) = chart_value(&meta(), false) else {
            panic!()
        };
        assert_eq!(o.field("Name").unwrap().as_str(), Some("c"));
        assert!(matches!(o.field("IsRoot"), Some(Value::Bool(false))));
        assert!(o.field("Nope").is_none());
        assert_eq!(o.field("Sources").unwrap().type_name(), "[]string");
    }
}

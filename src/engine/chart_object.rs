//! `.Chart`: Helm v3.17.3 gives templates `struct { chart.Metadata; IsRoot bool }`, so the fields of
//! `chart.Metadata` (`Name`, `Version`, `AppVersion`, …), the embedded `Metadata` itself and `IsRoot`
//! are readable, a field Chart.yaml cannot have is an execution error, and `{{ .Chart }}` prints Go's
//! struct syntax: `{{c  [] 0.1.0  [] []  v2    false map[]  [] } true}`. `toJson` writes the JSON
//! fields of the embedded `chart.Metadata` (tags, `omitempty`, declaration order) and then `IsRoot`.
//!
//! The list and map fields are nil in Go when Chart.yaml leaves them out or null (`toJson` of
//! `.Chart.Keywords` prints `null`) and empty but non-nil for `[]`/`{}`; see `Metadata::non_nil`.
//!
//! Known gap: Go prints the `Maintainers` and `Dependencies` slices of pointers as addresses
//! (`[0xc000…]`), which differ from run to run; we print `[]`-style lists of the structs instead.
use std::any::Any;
use std::rc::Rc;

use crate::chart::{Dependency, Maintainer, Metadata};
use crate::template::fmt::format_v;
use crate::template::{GoField, GoType, List, Map, MapEntries, MapKind, Object, Value};
use crate::values::strvals::json_to_value;

/// The value templates see as `.Chart`.
pub fn chart_value(metadata: &Metadata, is_root: bool) -> Value {
    Value::Object(Rc::new(ChartObject {
        metadata: Rc::new(Shared::new(metadata)),
        is_root,
    }))
}

/// The metadata behind `.Chart` and `.Chart.Metadata`. The `*chart.Maintainer` and
/// `*chart.Dependency` elements are built once, so that the same pointer is the same object (`eq`
/// compares pointers by identity).
#[derive(Debug)]
struct Shared {
    md: Metadata,
    maintainers: Value,
    dependencies: Value,
}

impl Shared {
    fn new(md: &Metadata) -> Shared {
        let maintainers = objects(
            "*chart.Maintainer",
            md.maintainers
                .iter()
                .map(|mt| Value::Object(Rc::new(MaintainerObject(mt.clone()))))
                .collect(),
            md.non_nil.maintainers,
        );
        let dependencies = objects(
            "*chart.Dependency",
            md.dependencies
                .iter()
                .map(|d| Value::Object(Rc::new(DependencyObject(d.clone()))))
                .collect(),
            md.non_nil.dependencies,
        );
        Shared {
            md: md.clone(),
            maintainers,
            dependencies,
        }
    }

    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "Maintainers" => Some(self.maintainers.clone()),
            "Dependencies" => Some(self.dependencies.clone()),
            _ => metadata_field(&self.md, name),
        }
    }
}

#[derive(Debug)]
struct ChartObject {
    metadata: Rc<Shared>,
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
            "Metadata" => Some(self.metadata_value()),
            _ => self.metadata.field(name),
        }
    }
    fn format_v(&self) -> String {
        format!(
            "{{{} {}}}",
            metadata_struct_text(&self.metadata.md, false),
            self.is_root
        )
    }
    fn format_plus_v(&self) -> String {
        format!(
            "{{Metadata:{} IsRoot:{}}}",
            metadata_struct_text(&self.metadata.md, true),
            self.is_root
        )
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        Some(vec![
            GoField {
                embedded: true,
                ..GoField::new("Metadata", "", self.metadata_value())
            },
            GoField::new("IsRoot", "", Value::Bool(self.is_root)),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl ChartObject {
    fn metadata_value(&self) -> Value {
        Value::Object(Rc::new(MetadataObject(self.metadata.clone())))
    }
}

/// `chart.Metadata` as a value of its own (`.Chart.Metadata`).
#[derive(Debug)]
struct MetadataObject(Rc<Shared>);

impl Object for MetadataObject {
    fn type_name(&self) -> &str {
        "chart.Metadata"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.0.field(name)
    }
    fn format_v(&self) -> String {
        metadata_struct_text(&self.0.md, false)
    }
    fn format_plus_v(&self) -> String {
        metadata_struct_text(&self.0.md, true)
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        let field = |name: &'static str, json: &'static str| {
            let value = self.0.field(name).unwrap_or_default();
            GoField::new(name, json, value)
        };
        Some(vec![
            field("Name", "name,omitempty"),
            field("Home", "home,omitempty"),
            field("Sources", "sources,omitempty"),
            field("Version", "version,omitempty"),
            field("Description", "description,omitempty"),
            field("Keywords", "keywords,omitempty"),
            field("Maintainers", "maintainers,omitempty"),
            field("Icon", "icon,omitempty"),
            field("APIVersion", "apiVersion,omitempty"),
            field("Condition", "condition,omitempty"),
            field("Tags", "tags,omitempty"),
            field("AppVersion", "appVersion,omitempty"),
            field("Deprecated", "deprecated,omitempty"),
            field("Annotations", "annotations,omitempty"),
            field("KubeVersion", "kubeVersion,omitempty"),
            field("Dependencies", "dependencies,omitempty"),
            field("Type", "type,omitempty"),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A `[]string`; nil when empty unless `non_nil`.
fn strings(items: &[String], non_nil: bool) -> Value {
    if items.is_empty() && !non_nil {
        return Value::List(List::nil(GoType::String));
    }
    Value::List(List::typed(
        GoType::String,
        items.iter().map(|s| Value::str(s)).collect(),
    ))
}

/// A slice of host objects of type `[]elem`; nil when empty unless `non_nil`.
fn objects(elem: &'static str, items: Vec<Value>, non_nil: bool) -> Value {
    if items.is_empty() && !non_nil {
        return Value::List(List::nil(GoType::Named(elem)));
    }
    Value::List(List::typed(GoType::Named(elem), items))
}

/// A field of `chart.Metadata` other than the pointer slices (see [`Shared::field`]).
fn metadata_field(m: &Metadata, name: &str) -> Option<Value> {
    let non_nil = &m.non_nil;
    Some(match name {
        "Name" => Value::str(&m.name),
        "Home" => Value::str(&m.home),
        "Sources" => strings(&m.sources, non_nil.sources),
        "Version" => Value::str(&m.version),
        "Description" => Value::str(&m.description),
        "Keywords" => strings(&m.keywords, non_nil.keywords),
        "Icon" => Value::str(&m.icon),
        "APIVersion" => Value::str(&m.api_version),
        "Condition" => Value::str(&m.condition),
        "Tags" => Value::str(&m.tags),
        "AppVersion" => Value::str(&m.app_version),
        "Deprecated" => Value::Bool(m.deprecated),
        "Annotations" => {
            if m.annotations.is_empty() && !non_nil.annotations {
                return Some(Value::Map(Map::nil(MapKind::StringString)));
            }
            let entries: MapEntries = m
                .annotations
                .iter()
                .map(|(k, v)| (Rc::from(k.as_str()), Value::str(v)))
                .collect();
            Value::Map(Map::with_kind(MapKind::StringString, entries))
        }
        "KubeVersion" => Value::str(&m.kube_version),
        "Type" => Value::str(&m.chart_type),
        _ => return None,
    })
}

/// `%v` (or, with `plus`, `%+v`) of a `chart.Metadata`.
fn metadata_struct_text(m: &Metadata, plus: bool) -> String {
    let annotations: Vec<String> = m
        .annotations
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect();
    let maintainers: Vec<String> = m
        .maintainers
        .iter()
        .map(|mt| maintainer_text(mt, plus))
        .collect();
    let dependencies: Vec<String> = m
        .dependencies
        .iter()
        .map(|d| dependency_text(d, plus))
        .collect();
    let fields = [
        ("Name", m.name.clone()),
        ("Home", m.home.clone()),
        ("Sources", format!("[{}]", m.sources.join(" "))),
        ("Version", m.version.clone()),
        ("Description", m.description.clone()),
        ("Keywords", format!("[{}]", m.keywords.join(" "))),
        ("Maintainers", format!("[{}]", maintainers.join(" "))),
        ("Icon", m.icon.clone()),
        ("APIVersion", m.api_version.clone()),
        ("Condition", m.condition.clone()),
        ("Tags", m.tags.clone()),
        ("AppVersion", m.app_version.clone()),
        ("Deprecated", m.deprecated.to_string()),
        ("Annotations", format!("map[{}]", annotations.join(" "))),
        ("KubeVersion", m.kube_version.clone()),
        ("Dependencies", format!("[{}]", dependencies.join(" "))),
        ("Type", m.chart_type.clone()),
    ];
    struct_text(&fields, plus)
}

/// Go's `{a b}` (or `%+v`'s `{A:a B:b}`) of a struct whose fields are already formatted.
fn struct_text(fields: &[(&str, String)], plus: bool) -> String {
    let parts: Vec<String> = fields
        .iter()
        .map(|(name, text)| {
            if plus {
                format!("{name}:{text}")
            } else {
                text.clone()
            }
        })
        .collect();
    format!("{{{}}}", parts.join(" "))
}

fn maintainer_text(mt: &Maintainer, plus: bool) -> String {
    struct_text(
        &[
            ("Name", mt.name.clone()),
            ("Email", mt.email.clone()),
            ("URL", mt.url.clone()),
        ],
        plus,
    )
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
        format!("&{}", maintainer_text(&self.0, false))
    }
    fn format_plus_v(&self) -> String {
        format!("&{}", maintainer_text(&self.0, true))
    }
    fn print_text(&self) -> String {
        // `{{ x }}` dereferences the pointer.
        maintainer_text(&self.0, false)
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        Some(vec![
            GoField::new("Name", "name,omitempty", Value::str(&self.0.name)),
            GoField::new("Email", "email,omitempty", Value::str(&self.0.email)),
            GoField::new("URL", "url,omitempty", Value::str(&self.0.url)),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The `ImportValues` field: `[]interface {}`, nil when empty (Helm's import processing rebuilds it).
fn import_values(d: &Dependency) -> Value {
    if d.import_values.is_empty() {
        return Value::List(List::nil(GoType::Interface));
    }
    Value::list(d.import_values.iter().map(json_to_value).collect())
}

fn dependency_text(d: &Dependency, plus: bool) -> String {
    struct_text(
        &[
            ("Name", d.name.clone()),
            ("Version", d.version.clone()),
            ("Repository", d.repository.clone()),
            ("Condition", d.condition.clone()),
            ("Tags", format!("[{}]", d.tags.join(" "))),
            ("Enabled", d.enabled.to_string()),
            ("ImportValues", format_v(&import_values(d))),
            ("Alias", d.alias.clone()),
        ],
        plus,
    )
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
            "Tags" => strings(&d.tags, d.tags_non_nil),
            "Enabled" => Value::Bool(d.enabled),
            "ImportValues" => import_values(d),
            "Alias" => Value::str(&d.alias),
            _ => return None,
        })
    }
    fn format_v(&self) -> String {
        format!("&{}", dependency_text(&self.0, false))
    }
    fn format_plus_v(&self) -> String {
        format!("&{}", dependency_text(&self.0, true))
    }
    fn print_text(&self) -> String {
        dependency_text(&self.0, false)
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        let field = |name: &'static str, tag: &'static str| {
            GoField::new(name, tag, self.field(name).unwrap_or_default()).yaml(tag)
        };
        Some(vec![
            field("Name", "name"),
            field("Version", "version,omitempty"),
            field("Repository", "repository"),
            field("Condition", "condition,omitempty"),
            field("Tags", "tags,omitempty"),
            field("Enabled", "enabled,omitempty"),
            field("ImportValues", "import-values,omitempty"),
            field("Alias", "alias,omitempty"),
        ])
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
    fn json_follows_struct_order_and_tags() {
        let mut md = meta();
        md.maintainers = vec![Maintainer {
            name: "A".into(),
            url: "u".into(),
            ..Default::default()
        }];
        md.keywords = vec!["k".into()];
        let json = crate::yaml::json::marshal(&chart_value(&md, true)).unwrap();
        assert_eq!(
            json,
            r#"{"name":"c","version":"0.1.0","keywords":["k"],"maintainers":[{"name":"A","url":"u"}],"apiVersion":"v2","IsRoot":true}"#
        );
        let sources = crate::yaml::json::marshal(&metadata_field(&md, "Sources").unwrap());
        assert_eq!(sources.unwrap(), "null");
        md.non_nil.sources = true;
        let sources = crate::yaml::json::marshal(&metadata_field(&md, "Sources").unwrap());
        assert_eq!(sources.unwrap(), "[]");
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

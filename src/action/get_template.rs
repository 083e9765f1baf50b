//! `get all --template`: Helm's `tpl` (`cmd/helm/template.go`-free helper in `cmd/helm/helm.go`),
//! a plain Go `text/template` named `_` with no functions beyond Go's builtins (no Sprig), run over
//! `map[string]interface{}{"Release": *release.Release}`, with `missingkey=default` (a missing map
//! key prints `<no value>`).
//!
//! The release is shown with Helm 3.17's Go types and field names (helm v4.1.4 prints the same for
//! every field they share): `*release.Release` (`Name`, `Info`, `Chart`, `Config`, `Manifest`,
//! `Hooks`, `Version`, `Namespace`, `Labels`), `*release.Info`, `*chart.Chart` (with the methods
//! `Name`, `AppVersion`, `IsRoot`, `ChartPath`, `ChartFullPath`), `*chart.Metadata`, `*chart.File`,
//! `*release.Hook`, `release.HookExecution`. Values read from JSON are Go's `float64`s
//! (`{{.Release.Config}}` is `map[a:1e+06]` for `a: 1000000`), times print as `time.Time.String()`.
//!
//! Helm 4's fields are there too, as helm v4.1.4 shows them (helm v3.17.3 has no such fields: a
//! template naming one fails there with `can't evaluate field …`): `.Release.ApplyMethod` (the
//! record's `apply_method`: `ssa`, `csa`, or empty for a record Helm 3 wrote) and a hook's
//! `.OutputLogPolicies`.
//!
//! Known gaps, none of them reproducible anyway: where Go prints a pointer nested in a struct or a
//! slice as its address (`{{.Release}}`, `{{.Release.Hooks}}`, `{{.}}`), we print `0xc000000000`;
//! Helm 3's embedded `.Time` of its time type is not modelled.
use std::any::Any;
use std::rc::Rc;

use crate::storage::record::{Chart, File, Hook, Info, Metadata};
use crate::storage::{gojson, Record, Time};
use crate::template::funcs::sprig::date::TimeObject;
use crate::template::funcs::sprig::gotime::GoTime;
use crate::template::{
    FuncEnv, FuncTable, GoType, List, Map, MapEntries, MapKind, MissingKey, Object, Options,
    Signature, Templates, Value,
};

/// What Go prints for a pointer nested in a struct or slice (an address, different every run).
const ADDRESS: &str = "0xc000000000";

/// Executes `template` over the record as `helm get all --template` does: the output, and the
/// error that stopped it (Go has written the output before it by then, and Helm prints both).
pub fn render(template: &str, record: &Record) -> (String, Result<(), String>) {
    let options = Options {
        missing_key: MissingKey::Default,
        ..Options::default()
    };
    let mut set = Templates::new(Rc::new(FuncTable::new()), options);
    set.set_name("_");
    if let Err(e) = set.parse("_", template) {
        return (String::new(), Err(e.to_string()));
    }
    let release = match release_value(record) {
        Ok(r) => r,
        Err(e) => return (String::new(), Err(e)),
    };
    let mut top = MapEntries::new();
    top.insert("Release".into(), release);
    let (out, result) = set.execute_partial("_", &Value::map(top), &FuncEnv::system());
    (out, result.map_err(|e| e.to_string()))
}

/// A Go struct (or pointer to one) seen from a template: its fields in declaration order and its
/// methods without arguments, whose results are computed up front.
#[derive(Debug)]
struct GoStruct {
    /// `%T`: `*release.Release`, `release.HookExecution`, …
    type_name: &'static str,
    fields: Vec<(&'static str, Value)>,
    methods: Vec<(&'static str, Value)>,
}

impl GoStruct {
    fn value(type_name: &'static str, fields: Vec<(&'static str, Value)>) -> Value {
        Value::Object(Rc::new(GoStruct {
            type_name,
            fields,
            methods: Vec::new(),
        }))
    }

    fn is_pointer(&self) -> bool {
        self.type_name.starts_with('*')
    }

    /// `%v` of the struct itself: `{a b c}`, nested pointers as addresses.
    fn struct_text(&self) -> String {
        let parts: Vec<String> = self.fields.iter().map(|(_, v)| nested(v)).collect();
        format!("{{{}}}", parts.join(" "))
    }
}

/// `%v` of a value below the top level: Go prints pointers there as addresses.
fn nested(v: &Value) -> String {
    match v {
        Value::Object(o) if o.kind_name() == "ptr" => ADDRESS.to_string(),
        Value::List(l) => {
            let parts: Vec<String> = l.items().iter().map(nested).collect();
            format!("[{}]", parts.join(" "))
        }
        other => crate::template::fmt::format_v(other),
    }
}

impl Object for GoStruct {
    fn type_name(&self) -> &str {
        self.type_name
    }
    fn kind_name(&self) -> &str {
        if self.is_pointer() {
            "ptr"
        } else {
            "struct"
        }
    }
    fn field(&self, name: &str) -> Option<Value> {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    }
    fn method(&self, name: &str) -> Option<Signature> {
        self.methods
            .iter()
            .any(|(n, _)| *n == name)
            .then(|| Signature::fixed(&[]))
    }
    fn call_method(&self, name: &str, _args: Vec<Value>) -> Result<Value, String> {
        self.methods
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("method {name} not implemented"))
    }
    fn format_v(&self) -> String {
        if self.is_pointer() {
            format!("&{}", self.struct_text())
        } else {
            self.struct_text()
        }
    }
    fn print_text(&self) -> String {
        // `{{ x }}` dereferences a pointer before printing.
        self.struct_text()
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn time(t: &Time) -> Value {
    TimeObject::value(t.0.clone().unwrap_or_else(GoTime::zero))
}

/// A JSON object as the `map[string]interface{}` `encoding/json` decodes it into (numbers are
/// `float64`); `None` is a nil map.
fn json_map(m: Option<&serde_json::Map<String, serde_json::Value>>) -> Result<Value, String> {
    let Some(m) = m else {
        return Ok(Value::Map(Map::nil(MapKind::StringInterface)));
    };
    let text = gojson::to_string(&gojson::SortedMap(m)).map_err(|e| e.to_string())?;
    crate::yaml::json::unmarshal(&text).map_err(|e| e.to_string())
}

fn strings(items: &[String]) -> Value {
    if items.is_empty() {
        return Value::List(List::nil(GoType::String));
    }
    Value::List(List::typed(
        GoType::String,
        items.iter().map(|s| Value::str(s)).collect(),
    ))
}

fn pointers(elem: &'static str, items: Vec<Value>) -> Value {
    if items.is_empty() {
        return Value::List(List::nil(GoType::Named(elem)));
    }
    Value::List(List::typed(GoType::Named(elem), items))
}

fn release_value(record: &Record) -> Result<Value, String> {
    let rel = &record.release;
    let labels: MapEntries = record
        .labels
        .iter()
        .map(|(k, v)| (Rc::from(k.as_str()), Value::str(v)))
        .collect();
    let labels = if labels.is_empty() {
        Map::nil(MapKind::StringString)
    } else {
        Map::with_kind(MapKind::StringString, labels)
    };
    let config = if rel.config.is_empty() {
        Value::Map(Map::nil(MapKind::StringInterface))
    } else {
        json_map(Some(&rel.config))?
    };
    Ok(GoStruct::value(
        "*release.Release",
        vec![
            ("Name", Value::str(&rel.name)),
            ("Info", rel.info.as_ref().map_or(Value::Nil, info_value)),
            (
                "Chart",
                match &rel.chart {
                    Some(c) => chart_value(c)?,
                    None => Value::Nil,
                },
            ),
            ("Config", config),
            ("Manifest", Value::str(&rel.manifest)),
            (
                "Hooks",
                pointers("*release.Hook", rel.hooks.iter().map(hook_value).collect()),
            ),
            ("Version", Value::int(rel.version)),
            ("Namespace", Value::str(&rel.namespace)),
            ("Labels", Value::Map(labels)),
            ("ApplyMethod", Value::str(&rel.apply_method)),
        ],
    ))
}

fn info_value(info: &Info) -> Value {
    GoStruct::value(
        "*release.Info",
        vec![
            ("FirstDeployed", time(&info.first_deployed)),
            ("LastDeployed", time(&info.last_deployed)),
            ("Deleted", time(&info.deleted)),
            ("Description", Value::str(&info.description)),
            ("Status", Value::str(info.status.as_str())),
            ("Notes", Value::str(&info.notes)),
            // `map[string][]runtime.Object`, never stored.
            ("Resources", Value::Map(Map::nil(MapKind::StringInterface))),
        ],
    )
}

fn hook_value(h: &Hook) -> Value {
    let last_run = GoStruct::value(
        "release.HookExecution",
        vec![
            ("StartedAt", time(&h.last_run.started_at)),
            ("CompletedAt", time(&h.last_run.completed_at)),
            ("Phase", Value::str(&h.last_run.phase)),
        ],
    );
    GoStruct::value(
        "*release.Hook",
        vec![
            ("Name", Value::str(&h.name)),
            ("Kind", Value::str(&h.kind)),
            ("Path", Value::str(&h.path)),
            ("Manifest", Value::str(&h.manifest)),
            ("Events", strings(&h.events)),
            ("LastRun", last_run),
            ("Weight", Value::int(h.weight)),
            ("DeletePolicies", strings(&h.delete_policies)),
            ("OutputLogPolicies", strings(&h.output_log_policies)),
        ],
    )
}

fn file_value(f: &File) -> Value {
    let data = f.data.as_deref().unwrap_or_default();
    GoStruct::value(
        "*chart.File",
        vec![
            ("Name", Value::str(&f.name)),
            ("Data", Value::Bytes(Rc::from(data))),
        ],
    )
}

fn files(items: Option<&Vec<File>>) -> Value {
    pointers(
        "*chart.File",
        items.map_or_else(Vec::new, |fs| fs.iter().map(file_value).collect()),
    )
}

fn chart_value(c: &Chart) -> Result<Value, String> {
    let md = c.metadata.clone().unwrap_or_default();
    let metadata = match &c.metadata {
        Some(m) => metadata_value(m),
        None => Value::Nil,
    };
    let lock = match &c.lock {
        Some(serde_json::Value::Object(l)) => lock_value(l),
        _ => Value::Nil,
    };
    let schema = c.schema.as_deref().unwrap_or_default();
    Ok(Value::Object(Rc::new(GoStruct {
        type_name: "*chart.Chart",
        fields: vec![
            ("Raw", files(None)),
            ("Metadata", metadata),
            ("Lock", lock),
            ("Templates", files(c.templates.as_ref())),
            ("Values", json_map(c.values.as_ref())?),
            ("Schema", Value::Bytes(Rc::from(schema))),
            ("Files", files(c.files.as_ref())),
        ],
        // The methods of `*chart.Chart` a stored chart (always a root, without dependencies) answers.
        methods: vec![
            ("Name", Value::str(&md.name)),
            ("AppVersion", Value::str(&md.app_version)),
            ("IsRoot", Value::Bool(true)),
            ("ChartPath", Value::str(&md.name)),
            ("ChartFullPath", Value::str(&md.name)),
        ],
    })))
}

fn metadata_value(m: &Metadata) -> Value {
    let annotations: MapEntries = m
        .annotations
        .iter()
        .map(|(k, v)| (Rc::from(k.as_str()), Value::str(v)))
        .collect();
    let annotations = if annotations.is_empty() {
        Map::nil(MapKind::StringString)
    } else {
        Map::with_kind(MapKind::StringString, annotations)
    };
    let maintainers = m
        .maintainers
        .iter()
        .map(|mt| {
            GoStruct::value(
                "*chart.Maintainer",
                vec![
                    ("Name", Value::str(&mt.name)),
                    ("Email", Value::str(&mt.email)),
                    ("URL", Value::str(&mt.url)),
                ],
            )
        })
        .collect();
    let dependencies = m.dependencies.iter().map(dependency_value).collect();
    GoStruct::value(
        "*chart.Metadata",
        vec![
            ("Name", Value::str(&m.name)),
            ("Home", Value::str(&m.home)),
            ("Sources", strings(&m.sources)),
            ("Version", Value::str(&m.version)),
            ("Description", Value::str(&m.description)),
            ("Keywords", strings(&m.keywords)),
            ("Maintainers", pointers("*chart.Maintainer", maintainers)),
            ("Icon", Value::str(&m.icon)),
            ("APIVersion", Value::str(&m.api_version)),
            ("Condition", Value::str(&m.condition)),
            ("Tags", Value::str(&m.tags)),
            ("AppVersion", Value::str(&m.app_version)),
            ("Deprecated", Value::Bool(m.deprecated)),
            ("Annotations", Value::Map(annotations)),
            ("KubeVersion", Value::str(&m.kube_version)),
            ("Dependencies", pointers("*chart.Dependency", dependencies)),
            ("Type", Value::str(&m.chart_type)),
        ],
    )
}

fn dependency_value(d: &crate::storage::record::Dependency) -> Value {
    let import_values = if d.import_values.is_empty() {
        Value::List(List::nil(GoType::Interface))
    } else {
        Value::list(
            d.import_values
                .iter()
                .map(crate::values::strvals::json_to_value)
                .collect(),
        )
    };
    GoStruct::value(
        "*chart.Dependency",
        vec![
            ("Name", Value::str(&d.name)),
            ("Version", Value::str(&d.version)),
            ("Repository", Value::str(&d.repository)),
            ("Condition", Value::str(&d.condition)),
            ("Tags", strings(&d.tags)),
            ("Enabled", Value::Bool(d.enabled)),
            ("ImportValues", import_values),
            ("Alias", Value::str(&d.alias)),
        ],
    )
}

/// `*chart.Lock` from its stored JSON (`generated`, `digest`, `dependencies`).
fn lock_value(l: &serde_json::Map<String, serde_json::Value>) -> Value {
    let text = |k: &str| l.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    let generated = Time::parse(text("generated")).unwrap_or_default();
    let dependencies = l
        .get("dependencies")
        .and_then(|d| {
            serde_json::from_value::<Vec<crate::storage::record::Dependency>>(d.clone()).ok()
        })
        .unwrap_or_default();
    GoStruct::value(
        "*chart.Lock",
        vec![
            ("Generated", time(&generated)),
            ("Digest", Value::str(text("digest"))),
            (
                "Dependencies",
                pointers(
                    "*chart.Dependency",
                    dependencies.iter().map(dependency_value).collect(),
                ),
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::record::Release;

    fn record() -> Record {
        let json = r#"{"name":"r","info":{"first_deployed":"2024-03-01T10:20:30.5Z","last_deployed":"2024-03-01T10:20:30.5Z","deleted":"","description":"Install complete","status":"deployed","notes":"hi"},"chart":{"metadata":{"name":"demo","version":"0.1.0","apiVersion":"v2","appVersion":"1.16.0"},"templates":[{"name":"templates/a.yaml","data":"YWI="}],"values":{"n":1000000}},"config":{"b":2,"c":{"d":"x"}},"manifest":"m","hooks":[{"name":"h","kind":"Job","path":"p","manifest":"x","events":["pre-install","pre-upgrade"],"last_run":{"started_at":"","completed_at":"","phase":""},"weight":-5}],"version":3,"namespace":"ns"}"#;
        let release: Release = serde_json::from_str(json).unwrap();
        let mut record = Record::new(release);
        record.labels.insert("owner".into(), "helm".into());
        record
    }

    fn run(t: &str) -> Result<String, String> {
        let (out, result) = render(t, &record());
        result.map(|()| out)
    }

    #[test]
    fn go_field_names_and_printing() {
        assert_eq!(run("{{.Release.Name}}").unwrap(), "r");
        assert_eq!(run("{{.Release.Chart.Metadata.Version}}").unwrap(), "0.1.0");
        assert_eq!(run("{{.Release.Chart.Name}}").unwrap(), "demo");
        assert_eq!(run("{{.Release.Info.Status}}").unwrap(), "deployed");
        assert_eq!(run("{{.Release.Config}}").unwrap(), "map[b:2 c:map[d:x]]");
        assert_eq!(run("{{.Release.Chart.Values}}").unwrap(), "map[n:1e+06]");
        assert_eq!(run("{{.Release.Config.nope}}").unwrap(), "<no value>");
        assert_eq!(
            run("{{.Release.Info.LastDeployed}}").unwrap(),
            "2024-03-01 10:20:30.5 +0000 UTC"
        );
        assert_eq!(
            run("{{.Release.Info.Deleted}}").unwrap(),
            "0001-01-01 00:00:00 +0000 UTC"
        );
        assert_eq!(
            run("{{range .Release.Hooks}}{{.Name}} {{.Events}} {{.Weight}} {{.LastRun}}{{end}}")
                .unwrap(),
            "h [pre-install pre-upgrade] -5 {0001-01-01 00:00:00 +0000 UTC 0001-01-01 00:00:00 +0000 UTC }"
        );
        assert_eq!(
            run("{{.Release.Version}}|{{.Release.Namespace}}|{{.Release.Labels}}").unwrap(),
            "3|ns|map[owner:helm]"
        );
        assert_eq!(
            run("{{range .Release.Chart.Templates}}{{.Name}}={{printf \"%s\" .Data}}{{end}}")
                .unwrap(),
            "templates/a.yaml=ab"
        );
        assert_eq!(
            run("{{.Release.Chart.Metadata}}").unwrap(),
            "{demo  [] 0.1.0  [] []  v2   1.16.0 false map[]  [] }"
        );
    }

    #[test]
    fn errors_as_go_prints_them() {
        assert_eq!(
            run("{{.Release.Nope}}").unwrap_err(),
            "template: _:1:10: executing \"_\" at <.Release.Nope>: can't evaluate field Nope in type interface {}"
        );
        assert_eq!(
            run("{{.Release.Name").unwrap_err(),
            "template: _:1: unclosed action"
        );
        assert_eq!(
            run("{{ toYaml .Release.Config }}").unwrap_err(),
            "template: _:1: function \"toYaml\" not defined"
        );
        let (out, result) = render("{{.Release.Name}} {{.Release.Nope}}", &record());
        assert_eq!(out, "r ");
        assert!(result.is_err());
    }
}

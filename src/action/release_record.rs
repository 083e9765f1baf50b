//! Building the release record Helm stores (`crate::storage::record`) from what the render pipeline
//! produced: the processed chart (without subcharts, as Helm serializes it), the user's values, the
//! manifest and the hooks. Pure: no I/O.
use serde_json::{Map, Value as Json};

use crate::chart::Chart;
use crate::release::Hook;
use crate::storage::record;
use crate::template::Value;

/// Template values as JSON (Go's `json.Marshal` of the same data).
pub fn values_json(values: &Value) -> Map<String, Json> {
    crate::yaml::json::marshal(values)
        .ok()
        .and_then(|text| serde_json::from_str::<Json>(&text).ok())
        .and_then(|json| match json {
            Json::Object(map) => Some(map),
            _ => None,
        })
        .unwrap_or_default()
}

/// JSON values back as template values (a stored `config` for a new render).
pub fn values_from_json(json: &Map<String, Json>) -> Value {
    let text = serde_json::to_string(json).unwrap_or_else(|_| "{}".to_string());
    crate::yaml::json::unmarshal(&text).unwrap_or(Value::Nil)
}

/// `release.Chart` as Helm serializes it: metadata (dependencies as processed), lock, the chart's own
/// templates, values (after import-values), schema and other files. Subcharts are not stored. As in
/// Helm, `values` is `null` when the chart has no `values.yaml` and no dependencies (whose
/// import-values processing sets a map), and `files` is `null` when there are none.
pub fn chart_record(chart: &Chart) -> record::Chart {
    let file = |f: &crate::chart::File| record::File {
        name: f.name.clone(),
        data: Some(f.data.to_vec()),
        extra: Map::new(),
    };
    record::Chart {
        metadata: serde_json::to_value(&chart.metadata)
            .ok()
            .and_then(|m| serde_json::from_value(m).ok()),
        lock: chart
            .lock
            .as_ref()
            .and_then(|l| serde_json::to_value(l).ok()),
        templates: Some(chart.templates.iter().map(file).collect()),
        values: has_values(chart).then(|| values_json(&chart.values)),
        schema: chart.schema.clone(),
        files: (!chart.files.is_empty()).then(|| chart.files.iter().map(file).collect()),
        extra: Map::new(),
    }
}

/// Whether Helm's `chart.Values` is a map rather than nil: the loader sets it for a `values.yaml`
/// (even an empty one), `processImportValues` for a chart that declares dependencies.
fn has_values(chart: &Chart) -> bool {
    chart.raw.iter().any(|f| f.name == "values.yaml") || !chart.metadata.dependencies.is_empty()
}

/// A rendered hook as the record stores it (not run yet).
pub fn hook_record(hook: &Hook) -> record::Hook {
    record::Hook {
        name: hook.name.clone(),
        kind: hook.kind.clone(),
        path: hook.path.clone(),
        manifest: hook.manifest.clone(),
        events: hook.events.iter().map(|e| e.as_str().to_string()).collect(),
        last_run: record::HookExecution::default(),
        weight: hook.weight,
        delete_policies: hook.delete_policies.clone(),
        output_log_policies: hook.output_log_policies.clone(),
        extra: Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_through_json() {
        let v = crate::values::yaml_input::parse_values("a: 1\nb:\n  c: [x, 2.5]\n").unwrap();
        let json = values_json(&v);
        assert_eq!(
            serde_json::to_string(&json).unwrap(),
            r#"{"a":1,"b":{"c":["x",2.5]}}"#
        );
        let back = values_from_json(&json);
        assert_eq!(values_json(&back), json);
    }
}

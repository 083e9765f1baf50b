//! Dependency processing over a loaded chart tree, as Helm v3's `chartutil.ProcessDependenciesWithMerge`
//! (`pkg/chartutil/dependencies.go`):
//!
//! 1. Charts under `charts/` are matched to Chart.yaml `dependencies` by name and version range; an
//!    `alias` makes a renamed copy (so its values live under the alias). Charts that no dependency
//!    names stay as they are.
//! 2. Every dependency starts enabled; `tags` are evaluated, then `condition` paths (comma-separated;
//!    the first that resolves to a bool wins) against the chart's coalesced values; disabled charts are
//!    removed, recursively down the tree (a subchart's conditions are resolved with its path prefix).
//! 3. `import-values` copy values from a child up into its parent, children first: a string `x` imports
//!    the child's `exports.x` table into the parent's root, a `{child, parent}` map copies a table to a
//!    path; the parent's own values win over imported ones. Each parent's values become its merged
//!    values (defaults of the whole subtree, nulls kept), as in Helm.
//!
//! The processed `metadata.dependencies` is what Helm stores: alias in `name`, `enabled` set, disabled
//! entries dropped, `import-values` normalised to `{child, parent}` maps.
use super::constraint::is_compatible_range;
use super::error::{go_quote, Error};
use super::model::{Chart, Dependency};
use crate::template::{Map, MapEntries, Value};
use crate::values;

/// Processes conditions, tags, aliases and import-values of `chart` and its subcharts, given the
/// user's values. Mirrors `chartutil.ProcessDependenciesWithMerge`.
pub fn process_dependencies(chart: &mut Chart, user_values: &Value) -> Result<(), Error> {
    process_enabled(chart, user_values, "")?;
    process_import_values_tree(chart)?;
    chart.set_parent_paths(chart.parent_path.clone());
    Ok(())
}

/// Fails when a dependency declared in Chart.yaml has no chart under `charts/`. Mirrors
/// `action.CheckDependencies` (the caller adds Helm's hint about `helm dependency build`).
pub fn check_dependencies(chart: &Chart) -> Result<(), Error> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|req| !chart.dependencies.iter().any(|d| d.name() == req.name))
        .map(|req| req.name.as_str())
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(Error::Dependency(format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        )))
    }
}

fn coalesce_error(e: values::Error) -> Error {
    Error::Dependency(e.to_string())
}

fn process_enabled(chart: &mut Chart, values: &Value, path: &str) -> Result<(), Error> {
    // Helm returns early only for a nil list: an explicit `dependencies: []` is processed (its
    // subcharts too) and, like every processed list, ends nil when nothing is left in it.
    if chart.metadata.dependencies.is_empty() && !chart.metadata.non_nil.dependencies {
        return Ok(());
    }
    let existing = std::mem::take(&mut chart.dependencies);
    let mut kept: Vec<Chart> = existing
        .iter()
        .filter(|e| {
            !chart.metadata.dependencies.iter().any(|req| {
                e.name() == req.name && is_compatible_range(&req.version, &e.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in &mut chart.metadata.dependencies {
        if let Some(found) = alias_dependency(&existing, req) {
            kept.push(found);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    chart.dependencies = kept;
    for req in &mut chart.metadata.dependencies {
        req.enabled = true;
    }
    let cvals = values::coalesce_values(chart, values).map_err(coalesce_error)?;
    process_tags(&mut chart.metadata.dependencies, &cvals);
    process_conditions(&mut chart.metadata.dependencies, &cvals, path);
    let disabled: Vec<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    chart
        .dependencies
        .retain(|d| !disabled.iter().any(|n| n == d.name()));
    chart
        .metadata
        .dependencies
        .retain(|r| !disabled.contains(&r.name));
    // `c.Metadata.Dependencies = nil` then `append(…, cdMetadata...)`: nil when none is enabled
    // (`toToml .Chart` leaves `Dependencies` out, `toJson .Chart.Dependencies` is `null`).
    chart.metadata.non_nil.dependencies = false;
    for sub in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &cvals, &sub_path)?;
    }
    Ok(())
}

/// The chart under `charts/` a dependency names, renamed to its alias. Mirrors `getAliasDependency`.
fn alias_dependency(charts: &[Chart], dep: &Dependency) -> Option<Chart> {
    let found = charts
        .iter()
        .find(|c| c.name() == dep.name && is_compatible_range(&dep.version, &c.metadata.version))?;
    let mut out = found.clone();
    if !dep.alias.is_empty() {
        out.metadata.name = dep.alias.clone();
    }
    Some(out)
}

fn process_tags(deps: &mut [Dependency], cvals: &Value) {
    let Some(tags) = table(cvals, "tags") else {
        return;
    };
    for r in deps.iter_mut() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            match tags.get(k) {
                Some(Value::Bool(true)) => has_true = true,
                Some(Value::Bool(false)) => has_false = true,
                Some(_) => eprintln!(
                    "dependencies.go:94: Warning: Tag '{k}' for chart {} returned non-bool value",
                    r.name
                ),
                None => {}
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(deps: &mut [Dependency], cvals: &Value, path: &str) {
    for r in deps.iter_mut() {
        for condition in r.condition.trim().split(',') {
            if condition.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{condition}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = b;
                    break;
                }
                Some(_) => eprintln!(
                    "dependencies.go:63: Warning: Condition path '{condition}' for chart {} returned non-bool value",
                    r.name
                ),
                None => {}
            }
        }
    }
}

/// `Values.Table`: the map at a dotted path.
fn table(values: &Value, path: &str) -> Option<Map> {
    table_lookup(values, path).ok()
}

/// `Values.Table` with its error: the first path segment that is not a table.
fn table_lookup(values: &Value, path: &str) -> Result<Map, String> {
    let mut current = match values.as_map() {
        Some(m) => m.clone(),
        None => return Err(path.split('.').next().unwrap_or_default().to_string()),
    };
    for part in path.split('.') {
        current = match current.get(part) {
            Some(Value::Map(m)) => m,
            _ => return Err(part.to_string()),
        };
    }
    Ok(current)
}

/// `Values.PathValue`: the non-table value at a dotted path.
fn path_value(values: &Value, path: &str) -> Option<Value> {
    if path.is_empty() {
        return None;
    }
    let (parent, key) = match path.rsplit_once('.') {
        Some((p, k)) => (Some(p), k),
        None => (None, path),
    };
    let t = match parent {
        Some(p) => table(values, p)?,
        None => values.as_map()?.clone(),
    };
    match t.get(key)? {
        Value::Map(_) => None,
        v => Some(v),
    }
}

fn process_import_values_tree(chart: &mut Chart) -> Result<(), Error> {
    for sub in &mut chart.dependencies {
        process_import_values_tree(sub)?;
    }
    process_import_values(chart)
}

fn process_import_values(chart: &mut Chart) -> Result<(), Error> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = values::merge_values(chart, &Value::Nil).map_err(coalesce_error)?;
    let mut imported = Map::new(MapEntries::new());
    for r in &mut chart.metadata.dependencies {
        let mut normalised = Vec::new();
        for riv in &r.import_values {
            let (child, parent) = match riv {
                serde_json::Value::Object(o) => {
                    let text = |k: &str| {
                        o.get(k)
                            .and_then(|v| v.as_str())
                            .map(str::to_string)
                            .ok_or_else(|| {
                                Error::Dependency(format!(
                                    "interface conversion: interface {{}} is nil, not string (import-values {k} of {})",
                                    r.name
                                ))
                            })
                    };
                    (text("child")?, text("parent")?)
                }
                serde_json::Value::String(s) => (format!("exports.{s}"), ".".to_string()),
                _ => continue,
            };
            normalised.push(serde_json::json!({"child": child, "parent": parent}));
            let source_path = format!("{}.{child}", r.name);
            let source = match table_lookup(&cvals, &source_path) {
                Ok(t) => t,
                Err(missing) => {
                    if parent == "." && riv.is_string() {
                        eprintln!(
                            "dependencies.go:286: Warning: ImportValues missing table: {} is not a table",
                            go_quote(&missing)
                        );
                    } else {
                        eprintln!(
                            "dependencies.go:269: Warning: ImportValues missing table from chart {}: {} is not a table",
                            r.name,
                            go_quote(&missing)
                        );
                    }
                    continue;
                }
            };
            imported = values::merge_tables(&imported, &path_to_map(&parent, source));
        }
        r.import_values = normalised;
    }
    let cvals = match cvals.deep_copy() {
        Value::Map(m) => m,
        _ => Map::new(MapEntries::new()),
    };
    chart.values = Value::Map(values::merge_tables(&cvals, &imported));
    Ok(())
}

/// `pathToMap`: nests `data` under a dotted path (`.` is the root).
fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut current = data;
    for part in path.split('.').rev() {
        let mut entries = MapEntries::new();
        entries.insert(part.into(), Value::Map(current));
        current = Map::new(entries);
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::loader::{load_files, BufferedFile};
    use crate::template::fmt::format_v;

    fn file(name: &str, data: &str) -> BufferedFile {
        BufferedFile {
            name: name.into(),
            data: data.as_bytes().to_vec(),
        }
    }

    fn tree(chart_yaml: &str, values: &str) -> Chart {
        load_files(vec![
            file("Chart.yaml", chart_yaml),
            file("values.yaml", values),
            file(
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
            ),
            file(
                "charts/sub/values.yaml",
                "exports:\n  data:\n    fromchild: 1\nx: 1\n",
            ),
        ])
        .unwrap()
    }

    #[test]
    fn condition_disables() {
        let mut c = tree(
            "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: sub\n  version: 1.x\n  condition: sub.enabled\n",
            "sub:\n  enabled: false\n",
        );
        process_dependencies(&mut c, &Value::empty_map()).unwrap();
        assert!(c.dependencies.is_empty());
        assert!(c.metadata.dependencies.is_empty());
    }

    #[test]
    fn tags_and_user_values() {
        let mut c = tree(
            "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: sub\n  tags: [t]\n",
            "tags:\n  t: false\n",
        );
        let user = crate::values::strvals::parse("tags.t=true").unwrap();
        process_dependencies(&mut c, &user).unwrap();
        assert_eq!(c.dependencies.len(), 1);
    }

    #[test]
    fn alias_and_imports() {
        let mut c = tree(
            "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: sub\n  alias: other\n  import-values: [data]\n",
            "fromchild: 0\n",
        );
        process_dependencies(&mut c, &Value::empty_map()).unwrap();
        assert_eq!(c.dependencies[0].name(), "other");
        assert_eq!(c.dependencies[0].parent_path.as_deref(), Some("top"));
        let v = c.values.as_map().unwrap();
        // The parent's own value wins over the imported one.
        assert_eq!(format_v(&v.get("fromchild").unwrap()), "0");
        assert_eq!(
            c.metadata.dependencies[0].import_values[0],
            serde_json::json!({"child": "exports.data", "parent": "."})
        );
    }

    #[test]
    fn missing_dependencies() {
        let c = tree(
            "apiVersion: v2\nname: top\nversion: 0.1.0\ndependencies:\n- name: nope\n- name: sub\n",
            "",
        );
        assert_eq!(
            check_dependencies(&c).unwrap_err().to_string(),
            "found in Chart.yaml, but missing in charts/ directory: nope"
        );
    }
}

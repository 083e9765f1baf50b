//! Whether a server-side apply would change nothing, decided from the live object alone.
//!
//! A server-side apply by field manager `helm` of configuration `C` sets the fields of `C` and
//! removes the fields `helm` owned before (operation `Apply`) that `C` no longer has. It changes
//! nothing when the fields `helm` owns are exactly those of `C`, with `C`'s values: then the
//! server does not even write the object (`resourceVersion` and managed-field timestamps stay).
//! [`extract`] rebuilds, from the live object, the configuration `helm` owns (client-go's
//! `Extract…` helpers: walk the `helm`/`Apply` entry's `fieldsV1`, `f:` fields, `k:{…}` elements
//! of associative lists matched by their key fields, `v:` set elements), and [`apply_is_noop`]
//! compares it with `C`.
//!
//! Every doubt counts as "changes something" (the object is applied as before, which only costs
//! time): an entry of another `apiVersion`, a manager `helm` entry of operation `Update` (a
//! client-side revision whose fields an apply moves), `i:` indices, list elements a key cannot
//! find, a value the server normalised (`500m` sent as `0.5`), a field another manager took over
//! (`kubectl edit`), a field removed or an object deleted behind Helm's back.
use serde_json::{Map, Value};

/// The configuration `manager` owns in `live` through operation `Apply` (on the main resource),
/// as an object with `apiVersion`, `kind`, `metadata.name` and `metadata.namespace` of `live` and
/// the owned fields with their live values. `None` when it cannot be told for sure: no such entry,
/// more than one, an `Update` entry of the same manager, or a field set this walk does not read.
pub fn extract(live: &Value, manager: &str) -> Option<Value> {
    let entries = live.pointer("/metadata/managedFields")?.as_array()?;
    let mut applied = None;
    for entry in entries {
        if entry.get("manager").and_then(Value::as_str) != Some(manager) {
            continue;
        }
        let main = entry
            .get("subresource")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if !main {
            continue;
        }
        match entry.get("operation").and_then(Value::as_str) {
            Some("Apply") if applied.is_none() => applied = Some(entry),
            _ => return None,
        }
    }
    let entry = applied?;
    if entry.get("fieldsType").and_then(Value::as_str) != Some("FieldsV1")
        || entry.get("apiVersion") != live.get("apiVersion")
    {
        return None;
    }
    let fields = entry.get("fieldsV1")?;
    // The root is a map whose fields are named: no fields named, nothing owned (elsewhere `{}`
    // is a leaf, its whole value owned).
    let named = fields.as_object()?.keys().any(|k| k != ".");
    let mut out = if named {
        walk(live, fields)?
    } else {
        Value::Object(Map::new())
    };
    let map = out.as_object_mut()?;
    for key in ["apiVersion", "kind"] {
        map.insert(key.into(), live.get(key)?.clone());
    }
    let metadata = map
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()))
        .as_object_mut()?;
    for key in ["name", "namespace"] {
        if let Some(v) = live.pointer(&format!("/metadata/{key}")) {
            metadata.insert(key.into(), v.clone());
        }
    }
    Some(out)
}

/// Whether applying `config` as `manager` to `live` would change nothing: the configuration the
/// manager owns ([`extract`]) is `config` itself, value for value (identity fields aside). Any
/// doubt is `false`.
pub fn apply_is_noop(live: &Value, config: &Value, manager: &str) -> bool {
    if live.get("apiVersion") != config.get("apiVersion") || live.get("kind") != config.get("kind")
    {
        return false;
    }
    let Some(owned) = extract(live, manager) else {
        return false;
    };
    tracked(&owned) == tracked(config)
}

/// `object` without its identity fields (`apiVersion`, `kind`, `metadata.name`,
/// `metadata.namespace`) and without an empty `metadata` left behind: the part managed fields
/// track.
fn tracked(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        for key in ["apiVersion", "kind"] {
            map.remove(key);
        }
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            meta.remove("name");
            meta.remove("namespace");
            if meta.is_empty() {
                map.remove("metadata");
            }
        }
    }
    object
}

/// The part of `live` that `fields` (a `fieldsV1` set, or a sub-set of it) names. `None` when the
/// set has a shape this walk does not read (an index, a key no element matches, a set entry for a
/// value of another type).
fn walk(live: &Value, fields: &Value) -> Option<Value> {
    let set = fields.as_object()?;
    // A leaf (`{}`): the whole value is owned (a scalar, or an atomic list or map).
    let children: Vec<(&String, &Value)> = set.iter().filter(|(k, _)| *k != ".").collect();
    if children.is_empty() {
        return Some(live.clone());
    }
    match live {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, sub) in children {
                let name = key.strip_prefix("f:")?;
                let value = map.get(name)?;
                out.insert(name.to_string(), walk(value, sub)?);
            }
            Some(Value::Object(out))
        }
        Value::Array(items) => {
            // Elements owned, in live order (the order an apply of them keeps).
            let mut picked: Vec<(usize, Value)> = Vec::new();
            for (key, sub) in children {
                if let Some(key) = key.strip_prefix("k:") {
                    let wanted: Map<String, Value> = serde_json::from_str(key).ok()?;
                    let mut found = items.iter().enumerate().filter(|(_, item)| {
                        wanted
                            .iter()
                            .all(|(k, v)| item.get(k).is_some_and(|x| x == v))
                    });
                    let (index, item) = found.next()?;
                    if found.next().is_some() {
                        return None;
                    }
                    // Key fields the applier did not send (defaulted, as a port's
                    // `protocol`) are not its own `f:` fields, and are left out.
                    picked.push((index, walk(item, sub)?));
                } else if let Some(value) = key.strip_prefix("v:") {
                    let wanted: Value = serde_json::from_str(value).ok()?;
                    let index = items.iter().position(|item| *item == wanted)?;
                    picked.push((index, wanted));
                } else {
                    // `i:` (a granular list by index) and anything else: not read here.
                    return None;
                }
            }
            picked.sort_by_key(|(i, _)| *i);
            let before = picked.len();
            picked.dedup_by_key(|(i, _)| *i);
            if picked.len() != before {
                return None;
            }
            Some(Value::Array(picked.into_iter().map(|(_, v)| v).collect()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn live(fields: Value, body: Value) -> Value {
        let mut live = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "namespace": "ns",
                "uid": "u",
                "resourceVersion": "7",
                "generation": 1,
                "managedFields": [
                    {"manager": "kube-controller-manager", "operation": "Update",
                     "apiVersion": "apps/v1", "fieldsType": "FieldsV1", "subresource": "status",
                     "fieldsV1": {"f:status": {"f:replicas": {}}}},
                    {"manager": "helm", "operation": "Apply", "apiVersion": "apps/v1",
                     "fieldsType": "FieldsV1", "fieldsV1": fields}
                ]
            },
            "status": {"replicas": 1}
        });
        merge(&mut live, body);
        live
    }

    fn merge(into: &mut Value, from: Value) {
        match (into, from) {
            (Value::Object(a), Value::Object(b)) => {
                for (k, v) in b {
                    merge(a.entry(k).or_insert(Value::Null), v);
                }
            }
            (a, b) => *a = b,
        }
    }

    fn config(body: Value) -> Value {
        let mut c = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                           "metadata": {"name": "web", "namespace": "ns"}});
        merge(&mut c, body);
        c
    }

    #[test]
    fn nested_fields_with_defaults_left_out() {
        let fields = json!({
            "f:metadata": {"f:labels": {"f:app": {}, ".": {}}},
            "f:spec": {"f:replicas": {}, "f:template": {"f:spec": {"f:restartPolicy": {}}}}
        });
        let body = json!({
            "metadata": {"labels": {"app": "web", "other": "x"}},
            "spec": {"replicas": 2, "progressDeadlineSeconds": 600,
                     "template": {"spec": {"restartPolicy": "Always", "dnsPolicy": "ClusterFirst"}}}
        });
        let l = live(fields, body);
        let owned = extract(&l, "helm").unwrap();
        assert_eq!(
            owned,
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": "web", "namespace": "ns", "labels": {"app": "web"}},
                   "spec": {"replicas": 2, "template": {"spec": {"restartPolicy": "Always"}}}})
        );
        let same = config(json!({"metadata": {"labels": {"app": "web"}},
            "spec": {"replicas": 2, "template": {"spec": {"restartPolicy": "Always"}}}}));
        assert!(apply_is_noop(&l, &same, "helm"));
        // A changed value, a field added, a field dropped: each changes something.
        let changed = config(json!({"metadata": {"labels": {"app": "web"}},
            "spec": {"replicas": 3, "template": {"spec": {"restartPolicy": "Always"}}}}));
        assert!(!apply_is_noop(&l, &changed, "helm"));
        let added = config(json!({"metadata": {"labels": {"app": "web", "b": "c"}},
            "spec": {"replicas": 2, "template": {"spec": {"restartPolicy": "Always"}}}}));
        assert!(!apply_is_noop(&l, &added, "helm"));
        let dropped = config(json!({"metadata": {"labels": {"app": "web"}},
            "spec": {"template": {"spec": {"restartPolicy": "Always"}}}}));
        assert!(!apply_is_noop(&l, &dropped, "helm"));
        // Another manager's name.
        assert!(!apply_is_noop(&l, &same, "kubectl"));
    }

    #[test]
    fn associative_list_elements_by_key() {
        let fields = json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
            "k:{\"name\":\"app\"}": {".": {}, "f:name": {}, "f:image": {},
                "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":
                    {".": {}, "f:containerPort": {}}}},
            "k:{\"name\":\"side\"}": {".": {}, "f:name": {}, "f:image": {}}
        }}}}});
        let body = json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "a:1", "imagePullPolicy": "IfNotPresent",
             "ports": [{"containerPort": 80, "protocol": "TCP"}]},
            {"name": "side", "image": "s:1"}
        ]}}}});
        let l = live(fields, body);
        let owned = extract(&l, "helm").unwrap();
        // Only the fields the applier sent: not the defaulted key field `protocol`, not
        // `imagePullPolicy`.
        assert_eq!(
            owned["spec"]["template"]["spec"]["containers"],
            json!([{"name": "app", "image": "a:1", "ports": [{"containerPort": 80}]},
                   {"name": "side", "image": "s:1"}])
        );
        let without = config(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "a:1", "ports": [{"containerPort": 80}]},
            {"name": "side", "image": "s:1"}]}}}}));
        assert!(apply_is_noop(&l, &without, "helm"));
        // `protocol` sent now: a field `helm` does not own yet, applied.
        let with = config(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "app", "image": "a:1", "ports": [{"containerPort": 80, "protocol": "TCP"}]},
            {"name": "side", "image": "s:1"}]}}}}));
        assert!(!apply_is_noop(&l, &with, "helm"));
        // Another order than the live one: applied again.
        let swapped = config(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "side", "image": "s:1"},
            {"name": "app", "image": "a:1", "ports": [{"containerPort": 80}]}
        ]}}}}));
        assert!(!apply_is_noop(&l, &swapped, "helm"));
    }

    #[test]
    fn set_elements_atomic_lists_and_indices() {
        let fields = json!({"f:metadata": {"f:finalizers": {"v:\"a\"": {}, "v:\"c\"": {}}},
                            "f:spec": {"f:template": {"f:spec": {"f:args": {}}}}});
        let body = json!({"metadata": {"finalizers": ["a", "b", "c"]},
                          "spec": {"template": {"spec": {"args": ["x", "y"]}}}});
        let l = live(fields, body);
        let owned = extract(&l, "helm").unwrap();
        assert_eq!(owned["metadata"]["finalizers"], json!(["a", "c"]));
        assert_eq!(owned["spec"]["template"]["spec"]["args"], json!(["x", "y"]));
        // A set element that is gone: cannot be told.
        let gone = live(
            json!({"f:metadata": {"f:finalizers": {"v:\"z\"": {}}}}),
            json!({"metadata": {"finalizers": ["a"]}}),
        );
        assert_eq!(extract(&gone, "helm"), None);
        // Indices are not read.
        let indexed = live(
            json!({"f:spec": {"f:list": {"i:0": {"f:a": {}}}}}),
            json!({"spec": {"list": [{"a": 1}]}}),
        );
        assert_eq!(extract(&indexed, "helm"), None);
    }

    #[test]
    fn empty_sets_and_missing_fields() {
        // An empty map applied: owned as a leaf.
        let l = live(
            json!({"f:spec": {"f:template": {"f:spec": {"f:containers": {
                "k:{\"name\":\"a\"}": {".": {}, "f:name": {}, "f:resources": {}}}}}}}),
            json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "resources": {}}]}}}}),
        );
        let c = config(json!({"spec": {"template": {"spec": {"containers": [
            {"name": "a", "resources": {}}]}}}}));
        assert!(apply_is_noop(&l, &c, "helm"));
        // An owned field no longer live (removed by another manager): cannot be told.
        let removed = live(
            json!({"f:metadata": {"f:labels": {"f:gone": {}}}}),
            json!({"metadata": {"labels": {"x": "1"}}}),
        );
        assert_eq!(extract(&removed, "helm"), None);
        // Nothing owned but identity: equal to a config of identity only.
        let none = live(json!({}), json!({}));
        assert!(apply_is_noop(&none, &config(json!({})), "helm"));
        assert!(!apply_is_noop(
            &none,
            &config(json!({"spec": {"replicas": 1}})),
            "helm"
        ));
    }

    #[test]
    fn doubtful_entries() {
        let fields = json!({"f:spec": {"f:replicas": {}}});
        let body = json!({"spec": {"replicas": 1}});
        let c = config(json!({"spec": {"replicas": 1}}));
        assert!(apply_is_noop(
            &live(fields.clone(), body.clone()),
            &c,
            "helm"
        ));
        // A client-side (`Update`) entry of `helm` too: its fields move on apply.
        let mut l = live(fields.clone(), body.clone());
        l["metadata"]["managedFields"].as_array_mut().unwrap().push(
            json!({"manager": "helm", "operation": "Update", "apiVersion": "apps/v1",
                         "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {}}}),
        );
        assert!(!apply_is_noop(&l, &c, "helm"));
        // Applied at another apiVersion.
        let mut l = live(fields.clone(), body.clone());
        l["metadata"]["managedFields"][1]["apiVersion"] = json!("apps/v1beta2");
        assert!(!apply_is_noop(&l, &c, "helm"));
        // No managed fields at all; a config of another kind.
        let mut l = live(fields.clone(), body.clone());
        l["metadata"]
            .as_object_mut()
            .unwrap()
            .remove("managedFields");
        assert!(!apply_is_noop(&l, &c, "helm"));
        let mut other = c.clone();
        other["kind"] = json!("StatefulSet");
        assert!(!apply_is_noop(&live(fields, body), &other, "helm"));
        // A number sent as a float, a quantity sent in another form: applied again.
        let l = live(
            json!({"f:spec": {"f:replicas": {}, "f:cpu": {}}}),
            json!({"spec": {"replicas": 1, "cpu": "500m"}}),
        );
        assert!(!apply_is_noop(
            &l,
            &config(json!({"spec": {"replicas": 1.0, "cpu": "500m"}})),
            "helm"
        ));
        assert!(!apply_is_noop(
            &l,
            &config(json!({"spec": {"replicas": 1, "cpu": "0.5"}})),
            "helm"
        ));
        assert!(apply_is_noop(
            &l,
            &config(json!({"spec": {"replicas": 1, "cpu": "500m"}})),
            "helm"
        ));
    }
}

//! The patches of a client-side update (Helm 3's, and Helm 4's with `--server-side=false`):
//! Helm's `createPatch` (`pkg/kube/client.go`, helm v3.17.3 and v4.1.4).
//!
//! - [`three_way_strategic`]: apimachinery's `strategicpatch.CreateThreeWayMergePatch` with
//!   `overwrite`: what changed from the live object to the new manifest's (additions and changes
//!   only: fields others set live and the chart never set are kept), plus what the new manifest
//!   dropped from the previous one (deletions only). Lists whose patch strategy is `merge` are
//!   diffed element by element by their merge key (`$patch: delete` for an element dropped,
//!   `$setElementOrder/<field>` for the new order), lists of scalars with `merge` by value
//!   (`$deleteFromPrimitiveList/<field>`); other lists are replaced whole. The API server applies
//!   the directives. A map whose patch strategy has `retainKeys` (a Deployment's `strategy`, each
//!   volume) gets `$retainKeys` (its new keys) when it changes, so the server clears the keys the
//!   new object lacks (the defaulted `rollingUpdate` beside `type: Recreate`).
//! - [`two_way_json`]: RFC 7386's merge patch from the previous manifest's object to the new one,
//!   as `jsonpatch.CreateMergePatch`, which Helm uses for kinds its scheme does not know (custom
//!   resources) on upgrade and rollback. Values compare as json-patch compares them after Go's
//!   `json.Unmarshal`: every number is a float64, so `1`, `1.0` and `1e0` are the same value (and
//!   two integers beyond 2^53 that round to the same float64 are too).
//! - [`three_way_json`]: apimachinery's `jsonmergepatch.CreateThreeWayJSONMergePatch`, which Helm 4
//!   uses for custom resources when an install adopts objects client-side (`--take-ownership
//!   --server-side=false`): what changed from the live object to the new one (no deletions) plus
//!   what the new object dropped from the original (deletions only). Its preconditions
//!   (`apiVersion`, `kind` and name unchanged) and conflict check cannot fail here: the live
//!   object is read by the new object's version and name, and the two halves never touch the same
//!   key (a deletion is of a key the new object lacks, which the other half never sets).
//!
//! An empty patch (`{}`) means nothing is sent.
use serde_json::{Map, Value};

use super::patch_meta::Meta;

/// Which half of the three-way diff is computed.
#[derive(Debug, Clone, Copy)]
enum Pass {
    /// From the live object to the new one, ignoring deletions.
    Delta,
    /// From the previous object to the new one, deletions only.
    Deletions,
}

/// Helm's patch for a kind its scheme knows: the three-way strategic merge patch.
pub fn three_way_strategic(
    original: &Value,
    modified: &Value,
    current: &Value,
    meta: Meta<'_>,
) -> Value {
    let empty = Map::new();
    let as_map = |v: &'_ Value| -> Map<String, Value> { v.as_object().unwrap_or(&empty).clone() };
    let (original, modified, current) = (as_map(original), as_map(modified), as_map(current));
    let delta = diff_maps(&current, &modified, meta, false, Pass::Delta);
    let deletions = diff_maps(&original, &modified, meta, false, Pass::Deletions);
    let mut patch = deletions;
    union(&mut patch, delta, meta);
    Value::Object(patch)
}

/// Helm's patch for a kind its scheme does not know: the JSON merge patch from `original` to
/// `modified`.
pub fn two_way_json(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(from), Value::Object(to)) => {
            let mut patch = Map::new();
            for (key, to_value) in to {
                match from.get(key) {
                    Some(from_value) if json_equal(from_value, to_value) => {}
                    Some(from_value @ Value::Object(_)) if to_value.is_object() => {
                        let sub = two_way_json(from_value, to_value);
                        if !is_empty(&sub) {
                            patch.insert(key.clone(), sub);
                        }
                    }
                    _ => {
                        patch.insert(key.clone(), to_value.clone());
                    }
                }
            }
            for key in from.keys() {
                if !to.contains_key(key) {
                    patch.insert(key.clone(), Value::Null);
                }
            }
            Value::Object(patch)
        }
        (_, modified) => modified.clone(),
    }
}

/// Equality of decoded JSON as json-patch's `matchesValue` sees it: numbers by their float64
/// value, lists element by element, maps key by key.
fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| json_equal(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Helm 4's patch for a custom resource adopted client-side: the three-way JSON merge patch.
pub fn three_way_json(original: &Value, modified: &Value, current: &Value) -> Value {
    let changes = filter_nulls(two_way_json(current, modified), false);
    let mut patch = filter_nulls(two_way_json(original, modified), true);
    if let (Value::Object(patch), Value::Object(changes)) = (&mut patch, changes) {
        merge_into(patch, changes);
    }
    patch
}

/// apimachinery's `keepOrDeleteNullInObj`: with `keep_nulls`, only the deletions (`null`s) of a
/// merge patch; without, everything but them. A nested map left empty is dropped; a map that was
/// empty in the patch is a value (kept without `keep_nulls`).
fn filter_nulls(patch: Value, keep_nulls: bool) -> Value {
    let Value::Object(map) = patch else {
        return patch;
    };
    let mut out = Map::new();
    for (key, value) in map {
        match value {
            Value::Null if keep_nulls => {
                out.insert(key, Value::Null);
            }
            Value::Null => {}
            Value::Object(sub) if sub.is_empty() => {
                if !keep_nulls {
                    out.insert(key, Value::Object(sub));
                }
            }
            Value::Object(sub) => {
                let sub = filter_nulls(Value::Object(sub), keep_nulls);
                if !is_empty(&sub) {
                    out.insert(key, sub);
                }
            }
            other => {
                if !keep_nulls {
                    out.insert(key, other);
                }
            }
        }
    }
    Value::Object(out)
}

/// RFC 7386's merge of the changes (no `null`s) into the deletions, as `jsonpatch.MergePatch`:
/// maps merged key by key, anything else replaced; a value set where the deletions had no map
/// loses the `null`s of its maps (lists included), as json-patch prunes them.
fn merge_into(doc: &mut Map<String, Value>, changes: Map<String, Value>) {
    for (key, value) in changes {
        match (doc.get_mut(&key), value) {
            (Some(Value::Object(cur)), Value::Object(sub)) => merge_into(cur, sub),
            (Some(Value::Object(_)), value) => {
                doc.insert(key, value);
            }
            (_, mut value) => {
                prune_nulls(&mut value);
                doc.insert(key, value);
            }
        }
    }
}

/// json-patch's `pruneNulls`: removes `null` members of every map within `value`.
fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// Whether a patch changes nothing.
pub fn is_empty(patch: &Value) -> bool {
    patch.as_object().is_some_and(Map::is_empty)
}

/// The diff of two maps in one pass; with `retain` (patch strategy `retainKeys`), a non-empty
/// diff, or one of a map that loses keys, lists the new map's keys in `$retainKeys`.
fn diff_maps(
    from: &Map<String, Value>,
    to: &Map<String, Value>,
    meta: Meta<'_>,
    retain: bool,
    pass: Pass,
) -> Map<String, Value> {
    let mut patch = Map::new();
    for (key, to_value) in to {
        let Some(from_value) = from.get(key) else {
            if matches!(pass, Pass::Delta) {
                patch.insert(key.clone(), to_value.clone());
            }
            continue;
        };
        let field = meta.field(key);
        match (from_value, to_value) {
            (Value::Object(f), Value::Object(t)) => {
                let sub = diff_maps(f, t, field.schema, field.retain_keys, pass);
                if !sub.is_empty() {
                    patch.insert(key.clone(), Value::Object(sub));
                }
            }
            (Value::Array(f), Value::Array(t)) if field.merge => {
                let list = MergeList {
                    key,
                    merge_key: field.merge_key,
                    item: field.schema,
                    retain: field.retain_keys,
                };
                diff_merge_list(&list, f, t, pass, &mut patch);
            }
            _ => {
                if matches!(pass, Pass::Delta) && from_value != to_value {
                    patch.insert(key.clone(), to_value.clone());
                }
            }
        }
    }
    if matches!(pass, Pass::Deletions) {
        for key in from.keys() {
            if !to.contains_key(key) {
                patch.insert(key.clone(), Value::Null);
            }
        }
    }
    if retain {
        let mut keys: Vec<&String> = to
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, _)| k)
            .collect();
        let loses = from
            .iter()
            .any(|(k, v)| !v.is_null() && !to.contains_key(k));
        if !keys.is_empty() && (!patch.is_empty() || loses) {
            keys.sort();
            let keys = keys.into_iter().map(|k| Value::String(k.clone())).collect();
            patch.insert("$retainKeys".to_string(), Value::Array(keys));
        }
    }
    patch
}

/// A list field with patch strategy `merge`.
struct MergeList<'a, 'm> {
    key: &'a str,
    merge_key: Option<&'m str>,
    /// The schema of its elements.
    item: Meta<'m>,
    /// Its elements' patch strategy has `retainKeys` (volumes).
    retain: bool,
}

/// A list with patch strategy `merge`: maps by their merge key, scalars by value. A list of maps
/// some element of which lacks the key cannot be merged (apimachinery fails); it is replaced.
/// `$setElementOrder/<field>` (the new order) comes with a changed list (the delta pass) or
/// scalars deleted (the deletions pass), as apimachinery's `diffLists` emits it.
fn diff_merge_list(
    list: &MergeList<'_, '_>,
    from: &[Value],
    to: &[Value],
    pass: Pass,
    patch: &mut Map<String, Value>,
) {
    let key = list.key;
    let order_key = format!("$setElementOrder/{key}");
    let changed = matches!(pass, Pass::Delta) && from != to;
    let scalar = |v: &Value| !v.is_object() && !v.is_array();
    if from.iter().chain(to).all(scalar) {
        match pass {
            Pass::Delta => {
                let added: Vec<Value> = to.iter().filter(|v| !from.contains(v)).cloned().collect();
                if !added.is_empty() {
                    patch.insert(key.to_string(), Value::Array(added));
                }
            }
            Pass::Deletions => {
                let gone: Vec<Value> = from.iter().filter(|v| !to.contains(v)).cloned().collect();
                if !gone.is_empty() {
                    patch.insert(
                        format!("$deleteFromPrimitiveList/{key}"),
                        Value::Array(gone),
                    );
                    patch.insert(order_key.clone(), Value::Array(to.to_vec()));
                }
            }
        }
        if changed {
            patch.insert(order_key, Value::Array(to.to_vec()));
        }
        return;
    }
    let keyed = |v: &Value| list.merge_key.and_then(|k| v.get(k)).cloned();
    let Some(mk) = list
        .merge_key
        .filter(|_| from.iter().chain(to).all(|v| keyed(v).is_some()))
    else {
        if changed {
            patch.insert(key.to_string(), Value::Array(to.to_vec()));
        }
        return;
    };
    // apimachinery sorts both lists by merge key and walks them side by side, so elements sharing
    // a key (a Service's 53/TCP and 53/UDP, whose merge key is `port` alone) pair by their order:
    // the n-th with a key in one list with the n-th with that key in the other.
    let find = |list: &'_ [Value], k: &Value, nth: usize| {
        list.iter()
            .filter(|v| v.get(mk) == Some(k))
            .nth(nth)
            .cloned()
    };
    let empty = Map::new();
    let as_map = |v: &Value| v.as_object().unwrap_or(&empty).clone();
    let mut items = Vec::new();
    // Both passes walk the elements of the side whose elements they report.
    let (walk, other) = match pass {
        Pass::Delta => (to, from),
        Pass::Deletions => (from, to),
    };
    for (i, element) in walk.iter().enumerate() {
        let k = keyed(element).unwrap_or_default();
        let nth = walk[..i].iter().filter(|v| v.get(mk) == Some(&k)).count();
        match (find(other, &k, nth), pass) {
            (None, Pass::Delta) => items.push(element.clone()),
            (None, Pass::Deletions) => {
                let mut gone = Map::new();
                gone.insert(mk.to_string(), k);
                gone.insert("$patch".to_string(), Value::String("delete".into()));
                items.push(Value::Object(gone));
            }
            (Some(counterpart), _) => {
                let (f, t) = match pass {
                    Pass::Delta => (as_map(&counterpart), as_map(element)),
                    Pass::Deletions => (as_map(element), as_map(&counterpart)),
                };
                let mut sub = diff_maps(&f, &t, list.item, list.retain, pass);
                if !sub.is_empty() {
                    sub.insert(mk.to_string(), k);
                    items.push(Value::Object(sub));
                }
            }
        }
    }
    if !items.is_empty() {
        patch.insert(key.to_string(), Value::Array(items));
    }
    if changed {
        let order = to
            .iter()
            .map(|t| {
                let mut entry = Map::new();
                entry.insert(mk.to_string(), keyed(t).unwrap_or_default());
                Value::Object(entry)
            })
            .collect();
        patch.insert(order_key, Value::Array(order));
    }
}

/// Adds `more` to `patch`: maps merged key by key, the element lists of merged lists joined
/// (the elements of one merge key merged), anything else from `more`.
fn union(patch: &mut Map<String, Value>, more: Map<String, Value>, meta: Meta<'_>) {
    for (key, value) in more {
        let field = meta.field(&key);
        match (patch.get_mut(&key), value) {
            (Some(Value::Object(a)), Value::Object(b)) => union(a, b, field.schema),
            (Some(Value::Array(a)), Value::Array(b)) if !key.starts_with('$') => {
                for item in b {
                    let same = a.iter_mut().find(|x| match field.merge_key {
                        Some(k) if x.is_object() => {
                            x.get("$patch").is_none()
                                && item.get("$patch").is_none()
                                && x.get(k).is_some()
                                && x.get(k) == item.get(k)
                        }
                        _ => **x == item,
                    });
                    match (same, item) {
                        (Some(Value::Object(x)), Value::Object(y)) => union(x, y, field.schema),
                        (Some(_), _) => {}
                        (None, item) => a.push(item),
                    }
                }
            }
            (_, value) => {
                patch.insert(key, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::patch_meta::Schemas;
    use serde_json::json;

    fn schemas() -> Schemas {
        Schemas::from_document(json!({"definitions": {
            "Deployment": {
                "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {
                    "metadata": {"$ref": "#/definitions/Meta"},
                    "spec": {"$ref": "#/definitions/Spec"}
                }
            },
            "Meta": {"properties": {"finalizers": {
                "type": "array", "items": {"type": "string"},
                "x-kubernetes-patch-strategy": "merge"
            }}},
            "Spec": {"properties": {"strategy": {"type": "object", "x-kubernetes-patch-strategy": "retainKeys"}, "containers": {
                "type": "array", "items": {"$ref": "#/definitions/Container"},
                "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"
            }}},
            "Container": {"properties": {
                "env": {"type": "array", "items": {"type": "object"},
                    "x-kubernetes-patch-merge-key": "name", "x-kubernetes-patch-strategy": "merge"},
                "ports": {"type": "array", "items": {"type": "object"},
                    "x-kubernetes-patch-merge-key": "containerPort", "x-kubernetes-patch-strategy": "merge"},
                "args": {"type": "array", "items": {"type": "string"}}
            }}
        }}))
    }

    fn strategic(original: Value, modified: Value, current: Value) -> Value {
        let s = schemas();
        three_way_strategic(
            &original,
            &modified,
            &current,
            s.kind("apps", "v1", "Deployment"),
        )
    }

    #[test]
    fn nothing_changed_is_empty_even_with_live_additions() {
        let obj = json!({"metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"replicas": 1}});
        let mut live = obj.clone();
        live["metadata"]["labels"]["other"] = json!("kept");
        live["metadata"]["uid"] = json!("u");
        assert!(is_empty(&strategic(obj.clone(), obj, live)));
    }

    #[test]
    fn dropped_fields_are_deleted_and_live_changes_to_chart_fields_reverted() {
        let original =
            json!({"metadata": {"labels": {"a": "1", "b": "2"}}, "spec": {"replicas": 1}});
        let modified = json!({"metadata": {"labels": {"a": "1"}}, "spec": {"replicas": 1}});
        let current = json!({"metadata": {"labels": {"a": "1", "b": "2", "c": "live"}}, "spec": {"replicas": 3}});
        assert_eq!(
            strategic(original, modified, current),
            json!({"metadata": {"labels": {"b": null}}, "spec": {"replicas": 1}})
        );
    }

    #[test]
    fn merge_lists_diff_by_key_with_order_and_delete_directives() {
        let c = |env: Value, ports: Value| json!({"spec": {"containers": [{"name": "web", "image": "i", "env": env, "ports": ports}]}});
        let original = c(
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
            json!([{"containerPort": 80}, {"containerPort": 81}]),
        );
        let modified = c(
            json!([{"name": "B", "value": "3"}, {"name": "C", "value": "4"}]),
            json!([{"containerPort": 80}]),
        );
        let current = c(
            json!([{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]),
            json!([{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 81, "protocol": "TCP"}]),
        );
        let patch = strategic(original, modified, current);
        assert_eq!(
            patch,
            json!({"spec": {
                "$setElementOrder/containers": [{"name": "web"}],
                "containers": [{
                    "name": "web",
                    "$setElementOrder/env": [{"name": "B"}, {"name": "C"}],
                    "env": [{"name": "A", "$patch": "delete"}, {"value": "3", "name": "B"}, {"name": "C", "value": "4"}],
                    "$setElementOrder/ports": [{"containerPort": 80}],
                    "ports": [{"containerPort": 81, "$patch": "delete"}]
                }]
            }})
        );
    }

    #[test]
    fn elements_sharing_a_merge_key_pair_in_order() {
        // Container ports merge by `containerPort` alone (a Service's by `port`): 53/TCP and
        // 53/UDP pair with their own live copies, by order.
        let ports = |udp_name: &str| {
            json!({"spec": {"containers": [{"name": "c", "ports": [
                {"containerPort": 53, "protocol": "TCP", "name": "dns-tcp"},
                {"containerPort": 53, "protocol": "UDP", "name": udp_name},
            ]}]}})
        };
        assert!(is_empty(&strategic(
            ports("dns"),
            ports("dns"),
            ports("dns")
        )));
        assert_eq!(
            strategic(ports("dns"), ports("dns-udp"), ports("dns")),
            json!({"spec": {
                "$setElementOrder/containers": [{"name": "c"}],
                "containers": [{
                    "name": "c",
                    "$setElementOrder/ports": [{"containerPort": 53}, {"containerPort": 53}],
                    "ports": [{"containerPort": 53, "name": "dns-udp"}],
                }],
            }})
        );
    }

    #[test]
    fn primitive_merge_lists_and_replaced_lists() {
        let original = json!({"metadata": {"finalizers": ["a", "b"]}, "spec": {"containers": [{"name": "w", "args": ["x"]}]}});
        let modified = json!({"metadata": {"finalizers": ["b", "c"]}, "spec": {"containers": [{"name": "w", "args": ["y"]}]}});
        let current = json!({"metadata": {"finalizers": ["a", "b", "live"]}, "spec": {"containers": [{"name": "w", "args": ["x"]}]}});
        assert_eq!(
            strategic(original, modified, current),
            json!({
                "metadata": {
                    "$deleteFromPrimitiveList/finalizers": ["a"],
                    "$setElementOrder/finalizers": ["b", "c"],
                    "finalizers": ["c"]
                },
                "spec": {
                    "$setElementOrder/containers": [{"name": "w"}],
                    "containers": [{"name": "w", "args": ["y"]}]
                }
            })
        );
    }

    #[test]
    fn retain_keys_lists_the_new_keys_of_a_changed_map() {
        let original = json!({"spec": {"strategy": {"type": "RollingUpdate"}}});
        let modified = json!({"spec": {"strategy": {"type": "Recreate"}}});
        let current = json!({"spec": {"strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}}}});
        assert_eq!(
            strategic(original, modified.clone(), current),
            json!({"spec": {"strategy": {"type": "Recreate", "$retainKeys": ["type"]}}})
        );
        // Unchanged, but the live map has a key the new one lacks: apimachinery still retains.
        let live = json!({"spec": {"strategy": {"type": "Recreate", "extra": 1}}});
        assert_eq!(
            strategic(modified.clone(), modified, live),
            json!({"spec": {"strategy": {"$retainKeys": ["type"]}}})
        );
    }

    #[test]
    fn json_merge_patch_is_two_way() {
        let original = json!({"spec": {"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]}});
        let modified = json!({"spec": {"a": 1, "b": {"c": 2}, "l": [1], "n": true}});
        assert_eq!(
            two_way_json(&original, &modified),
            json!({"spec": {"b": {"d": null}, "l": [1], "n": true}})
        );
        assert!(is_empty(&two_way_json(&original, &original)));
    }

    #[test]
    fn json_merge_patch_compares_numbers_as_go_decodes_them() {
        // Go decodes every JSON number into a float64 before comparing: 1, 1.0 and 1e0 are equal.
        let original =
            json!({"spec": {"a": 1, "b": {"c": 2.0}, "l": [1, 2.5], "big": 9007199254740993_u64}});
        let modified = json!({"spec": {"a": 1.0, "b": {"c": 2}, "l": [1.0, 2.5], "big": 9007199254740992_u64}});
        assert!(is_empty(&two_way_json(&original, &modified)));
        assert!(is_empty(&three_way_json(&original, &modified, &original)));
        // A different value is still a change, in a map and in a list.
        let modified =
            json!({"spec": {"a": 1.5, "b": {"c": 2}, "l": [1, 3], "big": 9007199254740993_u64}});
        assert_eq!(
            two_way_json(&original, &modified),
            json!({"spec": {"a": 1.5, "l": [1, 3]}})
        );
        // A number and a string of it are not equal.
        assert_eq!(
            two_way_json(&json!({"a": 1}), &json!({"a": "1"})),
            json!({"a": "1"})
        );
    }

    #[test]
    fn three_way_json_of_an_adopted_object_sets_the_chart_fields_and_keeps_the_others() {
        // Adoption: the original is the new object itself, so nothing is deleted.
        let modified = json!({
            "metadata": {"name": "mon", "labels": {"m": "Helm"}},
            "spec": {"selector": {"matchLabels": {"app": "web"}}, "endpoints": [{"port": "http"}], "jobLabel": "app"}
        });
        let live = json!({
            "metadata": {"name": "mon", "uid": "u", "labels": {"live": "yes"}},
            "spec": {"selector": {"matchLabels": {"app": "other"}}, "endpoints": [{"port": "metrics", "interval": "10s"}], "sampleLimit": 5},
            "status": {}
        });
        assert_eq!(
            three_way_json(&modified, &modified, &live),
            json!({
                "metadata": {"labels": {"m": "Helm"}},
                "spec": {"selector": {"matchLabels": {"app": "web"}}, "endpoints": [{"port": "http"}], "jobLabel": "app"}
            })
        );
        assert!(is_empty(&three_way_json(&modified, &modified, &modified)));
    }

    #[test]
    fn three_way_json_deletes_what_the_new_object_dropped_from_the_original() {
        let original = json!({"spec": {"a": 1, "b": {"c": 1, "d": 2}}});
        let modified = json!({"spec": {"b": {"c": 1}, "e": {}}});
        let live = json!({"spec": {"a": 1, "b": {"c": 5, "d": 2}, "f": 3}});
        assert_eq!(
            three_way_json(&original, &modified, &live),
            json!({"spec": {"a": null, "b": {"c": 1, "d": null}, "e": {}}})
        );
        // Nulls inside a list's maps are pruned from what is set.
        let modified = json!({"l": [{"x": null, "y": 1}, null]});
        assert_eq!(
            three_way_json(&modified, &modified, &json!({})),
            json!({"l": [{"y": 1}, null]})
        );
    }
}

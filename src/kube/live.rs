//! The live objects of a release, as `status --show-resources` reads them (Helm 3.17's
//! `kube.Client.Get(resources, related=true)`): each object of the manifest read from the server,
//! grouped under `version/Kind` (`v1/Deployment` for `apps/v1`), and for each ReplicaSet,
//! Deployment, StatefulSet, DaemonSet, Job (by `spec.selector.matchLabels`) and
//! ReplicationController (by `spec.selector`) the pods its selector matches, under
//! `v1/Pod(related)`, each selector listed once. An object the server cannot return (deleted since)
//! is left out, as Helm leaves it out; a failed pod list is skipped too (Helm logs it with
//! `--debug`).
//!
//! [`Shape::Table`] asks the server for its `meta.k8s.io/v1` Table rendering (what kubectl prints);
//! [`Shape::Object`] for the objects themselves (`-o json|yaml`); related pods then come as one
//! `PodList` per selector (empty ones too), its items with `apiVersion: v1` and `kind: Pod` set, as
//! client-go's unstructured list decoding sets them.
//!
//! Groups come in the order they are first met (manifest order; Helm iterates a Go map, in an
//! order that changes from run to run).
use std::collections::BTreeMap;

use ::kube::core::{params::GetParams, params::ListParams, Request};
use serde_json::Value;

use super::discovery::Kind;
use super::object::Object;

/// Helm's `transformRequests` Accept header: the server's Table rendering, else plain JSON.
const TABLE_ACCEPT: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

/// The group name of related pods.
pub const RELATED_PODS: &str = "v1/Pod(related)";

/// What to read: the server's tables, or the objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Table,
    Object,
}

/// One group of live objects (`v1/ConfigMap`, `v1/Pod(related)`) in the order they were read.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub key: String,
    /// Tables or objects, by [`Shape`].
    pub items: Vec<Value>,
}

/// Reads the live state of `objects` (resolved, namespaces set) and their related pods.
pub async fn read(client: &::kube::Client, objects: &[(Object, Kind)], shape: Shape) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let fetched = futures::future::join_all(
        objects
            .iter()
            .map(|(object, kind)| get(client, object, kind, shape)),
    )
    .await;
    let mut selectors: Vec<BTreeMap<String, String>> = Vec::new();
    for ((object, kind), live) in objects.iter().zip(fetched) {
        let Some(live) = live else { continue };
        let key = format!("{}/{}", kind.resource.version, kind.resource.kind);
        push(key, live, &mut groups);
        let Some(selector) = pod_selector(&object.kind, &object.body) else {
            continue;
        };
        if selectors.contains(&selector) {
            continue;
        }
        selectors.push(selector.clone());
        let namespace = object.namespace.as_deref().unwrap_or("default");
        if let Some(pods) = related_pods(client, namespace, &selector, shape).await {
            for pod in pods {
                push(RELATED_PODS.to_string(), pod, &mut groups);
            }
        }
    }
    groups
}

/// Adds `item` to the group `key`, a new group at the end when there is none yet.
fn push(key: String, item: Value, groups: &mut Vec<Group>) {
    match groups.iter_mut().find(|g| g.key == key) {
        Some(g) => g.items.push(item),
        None => groups.push(Group {
            key,
            items: vec![item],
        }),
    }
}

/// Helm's `getSelectorFromObject`, over the manifest's object (as Helm reads it from the manifest).
fn pod_selector(kind: &str, body: &Value) -> Option<BTreeMap<String, String>> {
    let selector = match kind {
        "ReplicaSet" | "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
            body.pointer("/spec/selector/matchLabels")?
        }
        "ReplicationController" => body.pointer("/spec/selector")?,
        _ => return None,
    };
    // `NestedStringMap`: a map of strings, else no selector.
    let map = selector.as_object()?;
    map.iter()
        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
        .collect()
}

async fn get(client: &::kube::Client, object: &Object, kind: &Kind, shape: Shape) -> Option<Value> {
    let namespace = object.namespace.as_deref().filter(|_| kind.namespaced);
    let url = <::kube::api::DynamicObject as ::kube::Resource>::url_path(&kind.resource, namespace);
    let mut req = Request::new(url)
        .get(&object.name, &GetParams::default())
        .ok()?;
    if shape == Shape::Table {
        req.headers_mut()
            .insert("accept", TABLE_ACCEPT.parse().ok()?);
    }
    client.request::<Value>(req).await.ok()
}

async fn related_pods(
    client: &::kube::Client,
    namespace: &str,
    selector: &BTreeMap<String, String>,
    shape: Shape,
) -> Option<Vec<Value>> {
    let labels: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let params = ListParams::default().labels(&labels.join(","));
    let mut req = Request::new(format!("/api/v1/namespaces/{namespace}/pods"))
        .list(&params)
        .ok()?;
    if shape == Shape::Table {
        req.headers_mut()
            .insert("accept", TABLE_ACCEPT.parse().ok()?);
    }
    let list = client.request::<Value>(req).await.ok()?;
    Some(match shape {
        Shape::Table => vec![list],
        Shape::Object => {
            let mut list = list;
            if let Some(items) = list.get_mut("items").and_then(Value::as_array_mut) {
                for item in items {
                    *item = pod_item(item);
                }
            }
            vec![list]
        }
    })
}

/// A pod of a `PodList` with the `apiVersion` and `kind` the server leaves out of list items.
fn pod_item(item: &Value) -> Value {
    let mut item = item.clone();
    if let Some(map) = item.as_object_mut() {
        let missing = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("").is_empty();
        if missing("kind") && missing("apiVersion") {
            map.insert("apiVersion".into(), Value::from("v1"));
            map.insert("kind".into(), Value::from("Pod"));
        }
    }
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_as_helm_reads_them() {
        let deploy = json!({"spec": {"selector": {"matchLabels": {"b": "2", "a": "1"}}}});
        let sel = pod_selector("Deployment", &deploy).unwrap();
        assert_eq!(sel.keys().collect::<Vec<_>>(), ["a", "b"]);
        let rc = json!({"spec": {"selector": {"app": "x"}}});
        assert!(pod_selector("ReplicationController", &rc).is_some());
        assert!(pod_selector("Service", &rc).is_none());
        assert!(pod_selector("Deployment", &json!({"spec": {}})).is_none());
        let not_strings = json!({"spec": {"selector": {"matchLabels": {"a": 1}}}});
        assert!(pod_selector("Job", &not_strings).is_none());
    }

    #[test]
    fn list_items_get_their_kind() {
        let pod = pod_item(&json!({"metadata": {"name": "p"}}));
        assert_eq!(pod["kind"], "Pod");
        assert_eq!(pod["apiVersion"], "v1");
    }
}

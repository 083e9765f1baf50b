//! Snapshots of a release for comparing what two tools left in the cluster: the live objects and the
//! decoded release records, each without what differs between runs and namespaces, and the
//! differences between two snapshots as paths.

use base64::Engine;
use serde_json::Value;

/// `kubectl get … -o json --show-managed-fields` output as a map `Kind/name` → object, without
/// status, the namespace, uid, resourceVersion, creation time, generation, the release-namespace
/// and deployment-revision annotations, Services' cluster IPs and the managed-fields entries of
/// other managers than `helm` (the controllers' come and go with their timing), Helm's without
/// their times. The namespace's `kube-root-ca.crt` is left out.
pub fn live_objects(kubectl_json: &str) -> Value {
    let mut list: Value = serde_json::from_str(kubectl_json).unwrap();
    let mut out = serde_json::Map::new();
    for mut item in list["items"].as_array_mut().unwrap().drain(..) {
        let name = item["metadata"]["name"].as_str().unwrap().to_string();
        if name == "kube-root-ca.crt" {
            continue;
        }
        let kind = item["kind"].as_str().unwrap().to_string();
        let object = item.as_object_mut().unwrap();
        object.remove("status");
        let meta = object["metadata"].as_object_mut().unwrap();
        for key in [
            "namespace",
            "uid",
            "resourceVersion",
            "creationTimestamp",
            "generation",
        ] {
            meta.remove(key);
        }
        if let Some(Value::Object(annotations)) = meta.get_mut("annotations") {
            annotations.remove("meta.helm.sh/release-namespace");
            annotations.remove("deployment.kubernetes.io/revision");
        }
        if let Some(Value::Array(entries)) = meta.get_mut("managedFields") {
            entries.retain(|e| e["manager"] == "helm");
            for entry in entries.iter_mut() {
                entry.as_object_mut().unwrap().remove("time");
            }
        }
        if let Some(Value::Object(spec)) = object.get_mut("spec") {
            spec.remove("clusterIP");
            spec.remove("clusterIPs");
        }
        out.insert(format!("{kind}/{name}"), item);
    }
    Value::Object(out)
}

/// The release records of `kubectl get secrets … -o json` (or `configmaps`, the `configmap`
/// driver's, whose payload is not base64-encoded twice), decoded, oldest first, without times and
/// chart modtimes, with the namespace `ns` written as `NAMESPACE`.
pub fn decoded_records(kubectl_json: &str, ns: &str) -> Vec<Value> {
    let list: Value = serde_json::from_str(kubectl_json).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut out: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let payload = s["data"]["release"].as_str().unwrap().as_bytes().to_vec();
            let payload = if s["kind"] == "ConfigMap" {
                payload
            } else {
                b64.decode(payload).unwrap()
            };
            let gz = b64.decode(payload).unwrap();
            let mut json = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(gz.as_slice()),
                &mut json,
            )
            .unwrap();
            let mut rel: Value = serde_json::from_str(&json.replace(ns, "NAMESPACE")).unwrap();
            let info = rel["info"].as_object_mut().unwrap();
            for key in ["first_deployed", "last_deployed", "deleted"] {
                info.remove(key);
            }
            let chart = rel["chart"].as_object_mut().unwrap();
            chart.remove("modtime");
            chart.remove("schemamodtime");
            for list in ["templates", "files"] {
                for file in chart
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    file.as_object_mut().unwrap().remove("modtime");
                }
            }
            rel
        })
        .collect();
    out.sort_by_key(|rel| rel["version"].as_i64());
    out
}

/// The differences between two snapshots, as `path: a vs b` lines (arrays of equal length element
/// by element).
pub fn differences(a: &Value, b: &Value) -> Vec<String> {
    let mut out = Vec::new();
    diff(a, b, "", &mut out);
    out
}

fn diff(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (
                    x.get(key).unwrap_or(&Value::Null),
                    y.get(key).unwrap_or(&Value::Null),
                );
                diff(va, vb, &format!("{path}/{key}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                diff(va, vb, &format!("{path}/{i}"), out);
            }
        }
        _ if a != b => out.push(format!("{path}: {a} vs {b}")),
        _ => {}
    }
}

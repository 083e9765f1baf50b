//! The `Chart.lock` digest: Helm's `resolver.HashReq`, `"sha256:" + hex(sha256(json.Marshal([2][]
//! *chart.Dependency{req, lock})))`. The JSON is Go's: struct fields in declaration order with their
//! `omitempty` rules, map keys sorted, `<`, `>` and `&` escaped (`>=1.0` hashes as `\u003e=1.0`). A
//! lock written by Helm therefore passes Rudder's check and the reverse.
use sha2::{Digest, Sha256};

use crate::chart::Dependency;
use crate::yaml::json::write_string;

/// `resolver.HashReq(req, lock)`.
pub fn hash_req(req: &[Dependency], lock: &[Dependency]) -> String {
    let mut json = String::from("[");
    write_list(&mut json, req);
    json.push(',');
    write_list(&mut json, lock);
    json.push(']');
    format!("sha256:{}", sha256_hex(json.as_bytes()))
}

/// Lower-case hex of the SHA-256 of `data`.
pub fn sha256_hex(data: &[u8]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(data);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A nil slice is `null` in Go's JSON; Chart.yaml without dependencies never gets here (Helm returns
/// before hashing), so an empty list is `[]`.
fn write_list(out: &mut String, deps: &[Dependency]) {
    out.push('[');
    for (i, dep) in deps.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_dependency(out, dep);
    }
    out.push(']');
}

/// One `chart.Dependency` as `json.Marshal` writes it.
pub fn write_dependency(out: &mut String, dep: &Dependency) {
    out.push_str("{\"name\":");
    write_string(out, &dep.name, true);
    if !dep.version.is_empty() {
        out.push_str(",\"version\":");
        write_string(out, &dep.version, true);
    }
    out.push_str(",\"repository\":");
    write_string(out, &dep.repository, true);
    if !dep.condition.is_empty() {
        out.push_str(",\"condition\":");
        write_string(out, &dep.condition, true);
    }
    if !dep.tags.is_empty() {
        out.push_str(",\"tags\":[");
        for (i, tag) in dep.tags.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_string(out, tag, true);
        }
        out.push(']');
    }
    if dep.enabled {
        out.push_str(",\"enabled\":true");
    }
    if !dep.import_values.is_empty() {
        out.push_str(",\"import-values\":[");
        for (i, item) in dep.import_values.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            let value = crate::values::strvals::json_to_value(item);
            // Plain data from YAML (strings, numbers, maps, lists) always encodes.
            out.push_str(&crate::yaml::json::marshal(&value).unwrap_or_else(|_| "null".into()));
        }
        out.push(']');
    }
    if !dep.alias.is_empty() {
        out.push_str(",\"alias\":");
        write_string(out, &dep.alias, true);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dep(name: &str, version: &str, repository: &str) -> Dependency {
        Dependency {
            name: name.into(),
            version: version.into(),
            repository: repository.into(),
            ..Dependency::default()
        }
    }

    #[test]
    fn go_json_of_dependencies() {
        let mut d = dep("redis", ">=1 <2", "file://x");
        d.alias = "cache".into();
        d.tags = vec!["a".into()];
        d.import_values = vec![serde_json::json!({"parent": "p", "child": "c"})];
        let mut out = String::new();
        write_dependency(&mut out, &d);
        assert_eq!(
            out,
            r#"{"name":"redis","version":"\u003e=1 \u003c2","repository":"file://x","tags":["a"],"import-values":[{"child":"c","parent":"p"}],"alias":"cache"}"#
        );
    }

    /// Recorded from helm v3.17.3 `dependency update` of charts/platform (four `file://` dependencies).
    #[test]
    fn digest_of_helm_lock() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/testdata/deps/platform-chart.yaml"
        ))
        .unwrap();
        let md: crate::chart::Metadata = crate::yaml::from_str(&text, "Chart.yaml").unwrap();
        let lock = vec![
            dep("common", "0.3.1", "file://charts/common"),
            dep("postgresql", "1.4.0", "file://charts/postgresql"),
            dep("redis", "2.1.3", "file://charts/redis"),
            dep("milvus", "0.9.2", "file://charts/milvus"),
        ];
        assert_eq!(
            hash_req(&md.dependencies, &lock),
            "sha256:b403d22136b76e5e8dcd35b269f9cdca56939f11239c611e50ff4838c3039cfb"
        );
    }
}

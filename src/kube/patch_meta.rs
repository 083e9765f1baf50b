//! Strategic-merge patch metadata (which lists merge, and by which key), read from the API
//! server's OpenAPI v2 document (`/openapi/v2`: `x-kubernetes-patch-strategy`,
//! `x-kubernetes-patch-merge-key` on each property). Helm takes the same metadata from the Go
//! structs compiled into it (`strategicpatch.NewPatchMetaFromStruct`); the server publishes the
//! struct tags of its own types, so both agree for every kind the server and Helm both know.
//!
//! The `k8s-openapi` crate carries the types but not their patch tags, hence the server's document.
use std::collections::HashMap;

use serde_json::Value;

/// The OpenAPI v2 definitions of one server, indexed by group/version/kind.
#[derive(Debug, Default)]
pub struct Schemas {
    definitions: serde_json::Map<String, Value>,
    by_kind: HashMap<(String, String, String), String>,
}

/// How one field patches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Field<'a> {
    /// `x-kubernetes-patch-strategy` contains `merge`.
    pub merge: bool,
    /// `x-kubernetes-patch-strategy` contains `retainKeys`.
    pub retain_keys: bool,
    /// `x-kubernetes-patch-merge-key`.
    pub merge_key: Option<&'a str>,
    /// The field's schema (a list's: its items').
    pub schema: Meta<'a>,
}

/// The schema of one object (or none: every list then replaces).
#[derive(Debug, Clone, Copy, Default)]
pub struct Meta<'a> {
    node: Option<&'a Value>,
    schemas: Option<&'a Schemas>,
}

impl Schemas {
    /// Reads the server's OpenAPI v2 document.
    pub async fn fetch(client: &::kube::Client) -> Result<Schemas, ::kube::Error> {
        let request = ::kube::core::Request::new("/openapi")
            .get("v2", &::kube::core::params::GetParams::default())
            .map_err(::kube::Error::BuildRequest)?;
        let doc: Value = client.request(request).await?;
        Ok(Schemas::from_document(doc))
    }

    /// The definitions of an OpenAPI v2 document.
    pub fn from_document(mut doc: Value) -> Schemas {
        let definitions = match doc.get_mut("definitions").map(Value::take) {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let mut by_kind = HashMap::new();
        for (name, def) in &definitions {
            let Some(Value::Array(gvks)) = def.get("x-kubernetes-group-version-kind") else {
                continue;
            };
            for gvk in gvks {
                let part = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or_default();
                by_kind.insert(
                    (
                        part("group").to_string(),
                        part("version").to_string(),
                        part("kind").to_string(),
                    ),
                    name.clone(),
                );
            }
        }
        Schemas {
            definitions,
            by_kind,
        }
    }

    /// The schema of a kind, if the server publishes one.
    pub fn kind(&self, group: &str, version: &str, kind: &str) -> Meta<'_> {
        let key = (group.to_string(), version.to_string(), kind.to_string());
        Meta {
            node: self
                .by_kind
                .get(&key)
                .and_then(|name| self.definitions.get(name)),
            schemas: Some(self),
        }
    }

    fn resolve<'a>(&'a self, node: &'a Value) -> &'a Value {
        let mut node = node;
        // `$ref`s chain at most a few times; a cycle would be a broken document.
        for _ in 0..8 {
            match node
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/definitions/"))
                .and_then(|name| self.definitions.get(name))
            {
                Some(next) => node = next,
                None => break,
            }
        }
        node
    }
}

impl<'a> Meta<'a> {
    /// No metadata: maps merge, lists replace (a JSON document without a schema).
    pub fn none() -> Meta<'static> {
        Meta::default()
    }

    /// Whether there is a schema at all.
    pub fn is_known(&self) -> bool {
        self.node.is_some()
    }

    /// The patch metadata of field `name` of this object.
    pub fn field(&self, name: &str) -> Field<'a> {
        let (Some(node), Some(schemas)) = (self.node, self.schemas) else {
            return Field::default();
        };
        let node = schemas.resolve(node);
        let prop = node
            .get("properties")
            .and_then(|p| p.get(name))
            .or_else(|| node.get("additionalProperties").filter(|v| v.is_object()));
        let Some(prop) = prop else {
            return Field::default();
        };
        let strategy = prop
            .get("x-kubernetes-patch-strategy")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let merge_key = prop
            .get("x-kubernetes-patch-merge-key")
            .and_then(Value::as_str);
        let resolved = schemas.resolve(prop);
        let schema = match resolved.get("type").and_then(Value::as_str) {
            Some("array") => resolved.get("items").map(|i| schemas.resolve(i)),
            _ => Some(resolved),
        };
        Field {
            merge: strategy.split(',').any(|s| s.trim() == "merge"),
            retain_keys: strategy.split(',').any(|s| s.trim() == "retainKeys"),
            merge_key,
            schema: Meta {
                node: schema,
                schemas: Some(schemas),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Schemas {
        Schemas::from_document(serde_json::json!({"definitions": {
            "apps.Deployment": {
                "x-kubernetes-group-version-kind": [{"group": "apps", "version": "v1", "kind": "Deployment"}],
                "properties": {"spec": {"$ref": "#/definitions/apps.DeploymentSpec"}}
            },
            "apps.DeploymentSpec": {"properties": {"template": {"$ref": "#/definitions/PodTemplate"}}},
            "PodTemplate": {"properties": {"spec": {"$ref": "#/definitions/PodSpec"}}},
            "PodSpec": {"properties": {"containers": {
                "type": "array",
                "items": {"$ref": "#/definitions/Container"},
                "x-kubernetes-patch-merge-key": "name",
                "x-kubernetes-patch-strategy": "merge"
            }}},
            "Container": {"properties": {"args": {"type": "array", "items": {"type": "string"}}}}
        }}))
    }

    #[test]
    fn follows_refs_to_list_metadata() {
        let schemas = doc();
        let deployment = schemas.kind("apps", "v1", "Deployment");
        assert!(deployment.is_known());
        let pod = deployment
            .field("spec")
            .schema
            .field("template")
            .schema
            .field("spec");
        let containers = pod.schema.field("containers");
        assert!(containers.merge);
        assert_eq!(containers.merge_key, Some("name"));
        let args = containers.schema.field("args");
        assert!(!args.merge);
        assert!(!schemas.kind("apps", "v1", "Nope").is_known());
        assert!(!Meta::none().field("x").merge);
    }
}

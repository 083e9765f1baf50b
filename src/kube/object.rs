//! A rendered manifest as an object for the API server: its JSON body (read from YAML as
//! sigs.k8s.io/yaml reads it), its identity (`apiVersion`, `kind`, name, namespace), and Helm's
//! ownership metadata. Pure: no I/O.
//!
//! Mirrors what Helm's `kube.Client.Build` plus `setMetadataVisitor` (`pkg/action/validate.go`) do to
//! each document of a release manifest.
use serde_json::{Map, Value};

/// `app.kubernetes.io/managed-by`.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// The value of [`MANAGED_BY_LABEL`] Helm sets.
pub const MANAGED_BY_HELM: &str = "Helm";
/// `meta.helm.sh/release-name`.
pub const RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
/// `meta.helm.sh/release-namespace`.
pub const RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";
/// `helm.sh/resource-policy`.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";
/// The value of [`RESOURCE_POLICY_ANNOTATION`] that keeps an object on uninstall and upgrade.
pub const KEEP_POLICY: &str = "keep";

/// One object of a release.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    pub api_version: String,
    pub kind: String,
    pub name: String,
    /// As written in the manifest (`None`: the release namespace for namespaced kinds).
    pub namespace: Option<String>,
    /// The whole object as JSON.
    pub body: Value,
}

/// Why a manifest could not be read as objects.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    #[error("error parsing {source_name}: {message}")]
    Yaml {
        source_name: String,
        message: String,
    },
    #[error("Object 'Kind' is missing in '{0}'")]
    MissingKind(String),
    #[error("Object 'apiVersion' is missing in '{0}'")]
    MissingApiVersion(String),
}

impl Object {
    /// Reads one YAML document (a manifest's content, without its `# Source:` line).
    pub fn from_yaml(doc: &str, source_name: &str) -> Result<Option<Object>, ObjectError> {
        let body: Value =
            crate::yaml::from_str(doc, source_name).map_err(|e| ObjectError::Yaml {
                source_name: source_name.to_string(),
                message: e.to_string(),
            })?;
        if body.is_null() {
            return Ok(None);
        }
        Object::from_json(body).map(Some)
    }

    /// An object from its JSON.
    pub fn from_json(body: Value) -> Result<Object, ObjectError> {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
        let kind = text(body.get("kind"));
        let api_version = text(body.get("apiVersion"));
        if kind.is_empty() {
            return Err(ObjectError::MissingKind(compact(&body)));
        }
        if api_version.is_empty() {
            return Err(ObjectError::MissingApiVersion(compact(&body)));
        }
        let metadata = body.get("metadata");
        let name = text(metadata.and_then(|m| m.get("name")));
        let namespace = metadata
            .and_then(|m| m.get("namespace"))
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
            .map(str::to_string);
        Ok(Object {
            api_version,
            kind,
            name,
            namespace,
            body,
        })
    }

    /// The API group (`""` for the core group).
    pub fn group(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    /// The version part of `apiVersion`.
    pub fn version(&self) -> &str {
        self.api_version
            .rsplit_once('/')
            .map(|(_, v)| v)
            .unwrap_or(&self.api_version)
    }

    /// A label of the object.
    pub fn label(&self, key: &str) -> Option<&str> {
        self.body
            .pointer("/metadata/labels")
            .and_then(|l| l.get(key))
            .and_then(Value::as_str)
    }

    /// An annotation of the object.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        annotation(&self.body, key)
    }

    /// Whether `helm.sh/resource-policy: keep` is set.
    pub fn keep(&self) -> bool {
        self.annotation(RESOURCE_POLICY_ANNOTATION)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case(KEEP_POLICY))
    }

    /// Sets Helm's ownership label and annotations (`setMetadataVisitor`).
    pub fn set_owner(&mut self, release: &str, release_namespace: &str) {
        let metadata = ensure_map(&mut self.body, "metadata");
        ensure_map(metadata, "labels").as_object_mut().map(|l| {
            l.insert(
                MANAGED_BY_LABEL.to_string(),
                Value::String(MANAGED_BY_HELM.into()),
            )
        });
        if let Some(a) = ensure_map(metadata, "annotations").as_object_mut() {
            a.insert(
                RELEASE_NAME_ANNOTATION.to_string(),
                Value::String(release.into()),
            );
            a.insert(
                RELEASE_NAMESPACE_ANNOTATION.to_string(),
                Value::String(release_namespace.into()),
            );
        }
    }

    /// Sets the namespace the object lives in (namespaced kinds without one in the manifest).
    pub fn set_namespace(&mut self, namespace: &str) {
        self.namespace = Some(namespace.to_string());
        if let Some(m) = ensure_map(&mut self.body, "metadata").as_object_mut() {
            m.insert("namespace".into(), Value::String(namespace.into()));
        }
    }

    /// How Helm names the object in messages: `Kind "name" in namespace "ns"`, or without the
    /// namespace part for cluster-scoped objects.
    pub fn describe(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{} {:?} in namespace {:?}", self.kind, self.name, ns),
            None => format!("{} {:?}", self.kind, self.name),
        }
    }

    /// Identity for comparing two manifests: group, kind, namespace, name (Helm's
    /// `objectKey`; the version does not matter).
    pub fn key(&self) -> (String, String, String, String) {
        (
            self.group().to_string(),
            self.kind.clone(),
            self.namespace.clone().unwrap_or_default(),
            self.name.clone(),
        )
    }
}

/// An annotation of an object body.
pub fn annotation<'a>(body: &'a Value, key: &str) -> Option<&'a str> {
    body.pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// Helm's `checkOwnership`: why an existing object may not be adopted by `release` in
/// `namespace`, or `None` when its metadata already names that release.
pub fn ownership_error(live: &Value, release: &str, namespace: &str) -> Option<String> {
    let label = live
        .pointer("/metadata/labels")
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .and_then(Value::as_str);
    let mut errors = Vec::new();
    let mut check = |kind: &str, key: &str, got: Option<&str>, want: &str| match got {
        None => errors.push(format!(
            "{kind} validation error: missing key {key:?}: must be set to {want:?}"
        )),
        Some(v) if v != want => errors.push(format!(
            "{kind} validation error: key {key:?} must equal {want:?}: current value is {v:?}"
        )),
        _ => {}
    };
    check("label", MANAGED_BY_LABEL, label, MANAGED_BY_HELM);
    check(
        "annotation",
        RELEASE_NAME_ANNOTATION,
        annotation(live, RELEASE_NAME_ANNOTATION),
        release,
    );
    check(
        "annotation",
        RELEASE_NAMESPACE_ANNOTATION,
        annotation(live, RELEASE_NAMESPACE_ANNOTATION),
        namespace,
    );
    if errors.is_empty() {
        None
    } else {
        Some(format!("invalid ownership metadata; {}", errors.join("; ")))
    }
}

fn ensure_map<'a>(value: &'a mut Value, key: &str) -> &'a mut Value {
    if !value.is_object() {
        *value = Value::Object(Map::new());
    }
    let map = value.as_object_mut().expect("just made an object");
    let entry = map
        .entry(key.to_string())
        .or_insert_with(|| Value::Object(Map::new()));
    if !entry.is_object() {
        *entry = Value::Object(Map::new());
    }
    entry
}

fn compact(body: &Value) -> String {
    serde_json::to_string(body).unwrap_or_default()
}

/// Every object of a release manifest (`---\n# Source: …` documents), in manifest order.
pub fn objects_of_manifest(manifest: &str) -> Result<Vec<Object>, ObjectError> {
    let mut objects = Vec::new();
    for doc in crate::release::split_manifests(manifest) {
        let source = doc
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# Source: "))
            .unwrap_or("manifest")
            .to_string();
        if let Some(object) = Object::from_yaml(&doc, &source)? {
            objects.push(object);
        }
    }
    Ok(objects)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_identity_and_numbers_as_kubernetes_does() {
        let o = Object::from_yaml(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  x: 1.5\n",
            "c/templates/d.yaml",
        )
        .unwrap()
        .unwrap();
        assert_eq!(o.group(), "apps");
        assert_eq!(o.version(), "v1");
        assert_eq!(o.name, "web");
        assert_eq!(o.namespace, None);
        assert_eq!(
            serde_json::to_string(&o.body["spec"]).unwrap(),
            r#"{"replicas":2,"x":1.5}"#
        );
    }

    #[test]
    fn owner_metadata_and_ownership_check() {
        let mut o = Object::from_yaml(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n",
            "x",
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            ownership_error(&o.body, "rel", "ns").unwrap(),
            "invalid ownership metadata; label validation error: missing key \"app.kubernetes.io/managed-by\": must be set to \"Helm\"; annotation validation error: missing key \"meta.helm.sh/release-name\": must be set to \"rel\"; annotation validation error: missing key \"meta.helm.sh/release-namespace\": must be set to \"ns\""
        );
        o.set_owner("rel", "ns");
        assert_eq!(ownership_error(&o.body, "rel", "ns"), None);
        assert!(ownership_error(&o.body, "other", "ns").unwrap().contains(
            "key \"meta.helm.sh/release-name\" must equal \"other\": current value is \"rel\""
        ));
    }

    #[test]
    fn manifest_documents_become_objects() {
        let objects = objects_of_manifest(
            "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: other\n---\n# Source: c/templates/b.yaml\n# only a comment\n",
        )
        .unwrap();
        assert_eq!(objects.len(), 1);
        assert_eq!(objects[0].namespace.as_deref(), Some("other"));
        assert!(Object::from_yaml("kind: A\n", "x").is_err());
    }
}

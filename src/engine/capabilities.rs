//! `.Capabilities`: what the target cluster supports, as `helm template` fakes it offline. Mirrors
//! `chartutil.Capabilities`, `KubeVersion`, `VersionSet` and `DefaultCapabilities` of Helm v3.17.3,
//! and `version.BuildInfo` for `.Capabilities.HelmVersion`.
//!
//! Go prints `{{ .Capabilities.KubeVersion }}` as `v1.32.0` (its `String` method has a pointer
//! receiver and the field is addressable) but `quote`/`print`/`printf "%v"` of it as
//! `{v1.32.0 1 32}`: `Object::print_text` and `Object::format_v` give the two forms.
use std::any::Any;
use std::rc::Rc;

use crate::template::{GoField, GoType, List, Object, Signature, Value};

/// The Kubernetes version Helm v3.17.3 assumes offline.
pub const DEFAULT_KUBE_VERSION: &str = "v1.32.0";

/// `helm version` of the Helm release we match.
pub const HELM_VERSION: HelmVersion = HelmVersion {
    version: "v3.17.3",
    git_commit: "e4da49785aa6e6ee2b86efd5dd9e43400318262b",
    git_tree_state: "clean",
    go_version: "go1.23.7",
};

/// The API versions of `chartutil.DefaultVersionSet` in Helm v3.17.3, in its order.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// `chartutil.KubeVersion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeVersion {
    /// `v1.32.0`.
    pub version: String,
    pub major: String,
    pub minor: String,
}

impl Default for KubeVersion {
    fn default() -> KubeVersion {
        KubeVersion {
            version: DEFAULT_KUBE_VERSION.to_string(),
            major: "1".to_string(),
            minor: "32".to_string(),
        }
    }
}

/// Why `--kube-version` was rejected. `Display` is Masterminds/semver's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid Semantic Version")]
pub struct InvalidVersion;

impl KubeVersion {
    /// `chartutil.ParseKubeVersion`: a `v` is prepended when missing, and the version is read as
    /// Masterminds/semver's `NewVersion` does (lenient: `1.20` means `1.20.0`).
    pub fn parse(text: &str) -> Result<KubeVersion, InvalidVersion> {
        let text = text.strip_prefix('v').unwrap_or(text);
        let (core, build) = match text.split_once('+') {
            Some((c, b)) => (c, Some(b)),
            None => (text, None),
        };
        let (core, pre) = match core.split_once('-') {
            Some((c, p)) => (c, Some(p)),
            None => (core, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        if parts.is_empty() || parts.len() > 3 {
            return Err(InvalidVersion);
        }
        let mut numbers = [0u64; 3];
        for (slot, part) in numbers.iter_mut().zip(&parts) {
            if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                return Err(InvalidVersion);
            }
            *slot = part.parse().map_err(|_| InvalidVersion)?;
        }
        let valid_ids = |s: &str| {
            !s.is_empty()
                && s.split('.').all(|id| {
                    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                })
        };
        let mut version = format!("v{}.{}.{}", numbers[0], numbers[1], numbers[2]);
        if let Some(pre) = pre {
            if !valid_ids(pre) {
                return Err(InvalidVersion);
            }
            version.push('-');
            version.push_str(pre);
        }
        if let Some(build) = build {
            if !valid_ids(build) {
                return Err(InvalidVersion);
            }
            version.push('+');
            version.push_str(build);
        }
        Ok(KubeVersion {
            version,
            major: numbers[0].to_string(),
            minor: numbers[1].to_string(),
        })
    }

    fn struct_text(&self) -> String {
        format!("{{{} {} {}}}", self.version, self.major, self.minor)
    }
}

/// `version.BuildInfo`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelmVersion {
    pub version: &'static str,
    pub git_commit: &'static str,
    pub git_tree_state: &'static str,
    pub go_version: &'static str,
}

impl HelmVersion {
    fn struct_text(&self) -> String {
        format!(
            "{{{} {} {} {}}}",
            self.version, self.git_commit, self.git_tree_state, self.go_version
        )
    }
}

/// `chartutil.Capabilities`.
#[derive(Debug, Clone, PartialEq)]
pub struct Capabilities {
    pub kube_version: KubeVersion,
    pub api_versions: Vec<String>,
    pub helm_version: HelmVersion,
}

impl Default for Capabilities {
    fn default() -> Capabilities {
        Capabilities {
            kube_version: KubeVersion::default(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
            helm_version: HELM_VERSION,
        }
    }
}

impl Capabilities {
    /// The defaults with `--kube-version` and `--api-versions` applied, as `helm template` does.
    pub fn for_template(kube_version: Option<KubeVersion>, extra_api_versions: &[String]) -> Self {
        let mut caps = Capabilities::default();
        if let Some(kv) = kube_version {
            caps.kube_version = kv;
        }
        caps.api_versions.extend(extra_api_versions.iter().cloned());
        caps
    }

    /// The value templates see as `.Capabilities`.
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(CapabilitiesObject(Rc::new(self.clone()))))
    }
}

#[derive(Debug)]
struct CapabilitiesObject(Rc<Capabilities>);

impl Object for CapabilitiesObject {
    fn type_name(&self) -> &str {
        "*chartutil.Capabilities"
    }
    fn kind_name(&self) -> &str {
        "ptr"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "KubeVersion" => Value::Object(Rc::new(KubeVersionObject {
                version: self.0.kube_version.clone(),
                addressable: true,
            })),
            "APIVersions" => Value::Object(Rc::new(VersionSetObject(self.0.api_versions.clone()))),
            "HelmVersion" => Value::Object(Rc::new(HelmVersionObject(self.0.helm_version))),
            _ => return None,
        })
    }
    fn format_v(&self) -> String {
        format!("&{}", self.print_text())
    }
    fn print_text(&self) -> String {
        // `{{ .Capabilities }}` dereferences the pointer; the fields are printed by `fmt`, so the
        // KubeVersion shows as a struct.
        format!(
            "{{{} [{}] {}}}",
            self.0.kube_version.struct_text(),
            self.0.api_versions.join(" "),
            self.0.helm_version.struct_text()
        )
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        let field =
            |name: &'static str| GoField::new(name, "", self.field(name).unwrap_or_default());
        Some(vec![
            field("KubeVersion"),
            field("APIVersions"),
            field("HelmVersion"),
        ])
    }
    fn format_plus_v(&self) -> String {
        let kv = &self.0.kube_version;
        let hv = &self.0.helm_version;
        format!(
            "&{{KubeVersion:{{Version:{} Major:{} Minor:{}}} APIVersions:[{}] HelmVersion:{{Version:{} GitCommit:{} GitTreeState:{} GoVersion:{}}}}}",
            kv.version,
            kv.major,
            kv.minor,
            self.0.api_versions.join(" "),
            hv.version,
            hv.git_commit,
            hv.git_tree_state,
            hv.go_version
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A `chartutil.KubeVersion`. `addressable` while it is the field of `.Capabilities` (or a variable
/// holding it): then `{{ }}` finds the `String` method of `*KubeVersion`; a copy passed to a function
/// (and so anything stored in a map or list, or returned) prints as the struct.
#[derive(Debug)]
struct KubeVersionObject {
    version: KubeVersion,
    addressable: bool,
}

impl Object for KubeVersionObject {
    fn type_name(&self) -> &str {
        "chartutil.KubeVersion"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(match name {
            "Version" => Value::str(&self.version.version),
            "Major" => Value::str(&self.version.major),
            "Minor" => Value::str(&self.version.minor),
            _ => return None,
        })
    }
    fn method(&self, name: &str) -> Option<Signature> {
        matches!(name, "String" | "GitVersion").then(|| Signature::fixed(&[]))
    }
    fn call_method(&self, name: &str, _args: Vec<Value>) -> Result<Value, String> {
        match name {
            "String" | "GitVersion" => Ok(Value::str(&self.version.version)),
            _ => Err(format!("can't evaluate field {name}")),
        }
    }
    fn format_v(&self) -> String {
        // `fmt` sees a `chartutil.KubeVersion` value, whose method set lacks `String`.
        self.version.struct_text()
    }
    fn print_text(&self) -> String {
        if self.addressable {
            self.version.version.clone()
        } else {
            self.format_v()
        }
    }
    fn passed_by_value(&self) -> Option<Value> {
        self.addressable.then(|| {
            Value::Object(Rc::new(KubeVersionObject {
                version: self.version.clone(),
                addressable: false,
            }))
        })
    }
    fn format_plus_v(&self) -> String {
        format!(
            "{{Version:{} Major:{} Minor:{}}}",
            self.version.version, self.version.major, self.version.minor
        )
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        Some(vec![
            GoField::new("Version", "", Value::str(&self.version.version)),
            GoField::new("Major", "", Value::str(&self.version.major)),
            GoField::new("Minor", "", Value::str(&self.version.minor)),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug)]
struct VersionSetObject(Vec<String>);

const HAS_PARAMS: &[GoType] = &[GoType::String];

impl Object for VersionSetObject {
    fn type_name(&self) -> &str {
        "chartutil.VersionSet"
    }
    fn kind_name(&self) -> &str {
        "slice"
    }
    fn field(&self, _name: &str) -> Option<Value> {
        None
    }
    fn method(&self, name: &str) -> Option<Signature> {
        (name == "Has").then(|| Signature::fixed(HAS_PARAMS))
    }
    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        match (name, args.first()) {
            ("Has", Some(Value::String(wanted))) => {
                Ok(Value::Bool(self.0.iter().any(|v| v.as_str() == &**wanted)))
            }
            _ => Err(format!("can't evaluate field {name}")),
        }
    }
    fn format_v(&self) -> String {
        format!("[{}]", self.0.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.0.is_empty()
    }
    fn to_json_value(&self) -> Option<Value> {
        self.slice_items().map(Value::List)
    }
    fn slice_items(&self) -> Option<List> {
        Some(List::typed(
            GoType::String,
            self.0.iter().map(|s| Value::str(s)).collect(),
        ))
    }
    fn with_slice_items(&self, items: &[Value]) -> Option<Value> {
        let versions = items
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()?;
        Some(Value::Object(Rc::new(VersionSetObject(versions))))
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[derive(Debug)]
struct HelmVersionObject(HelmVersion);

impl Object for HelmVersionObject {
    fn type_name(&self) -> &str {
        "version.BuildInfo"
    }
    fn kind_name(&self) -> &str {
        "struct"
    }
    fn field(&self, name: &str) -> Option<Value> {
        Some(Value::str(match name {
            "Version" => self.0.version,
            "GitCommit" => self.0.git_commit,
            "GitTreeState" => self.0.git_tree_state,
            "GoVersion" => self.0.go_version,
            _ => return None,
        }))
    }
    fn format_v(&self) -> String {
        self.0.struct_text()
    }
    fn format_plus_v(&self) -> String {
        let h = &self.0;
        format!(
            "{{Version:{} GitCommit:{} GitTreeState:{} GoVersion:{}}}",
            h.version, h.git_commit, h.git_tree_state, h.go_version
        )
    }
    fn go_fields(&self) -> Option<Vec<GoField>> {
        let field = |name: &'static str, json: &'static str| {
            GoField::new(name, json, self.field(name).unwrap_or_default())
        };
        Some(vec![
            field("Version", "version,omitempty"),
            field("GitCommit", "git_commit,omitempty"),
            field("GitTreeState", "git_tree_state,omitempty"),
            field("GoVersion", "go_version,omitempty"),
        ])
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_kube_versions_leniently() {
        let kv = KubeVersion::parse("1.20").unwrap();
        assert_eq!(
            (kv.version.as_str(), kv.major.as_str(), kv.minor.as_str()),
            ("v1.20.0", "1", "20")
        );
        assert_eq!(
            KubeVersion::parse("v1.28.3-gke.1").unwrap().version,
            "v1.28.3-gke.1"
        );
        assert!(KubeVersion::parse("banana").is_err());
        assert!(KubeVersion::parse("1.2.3.4").is_err());
    }

    #[test]
    fn capabilities_print_as_go_structs() {
        let caps = Capabilities::for_template(None, &[]);
        let Value::Object(o) = caps.to_value() else {
            panic!()
        };
        assert!(o
            .print_text()
            .starts_with("{{v1.32.0 1 32} [v1 admissionregistration.k8s.io/v1 "));
        assert!(o.format_v().starts_with("&{{v1.32.0 1 32} [v1 "));
        assert_eq!(DEFAULT_API_VERSIONS.len(), 56);
    }

    #[test]
    fn api_versions_has() {
        let set = VersionSetObject(vec!["apps/v1".into()]);
        assert!(matches!(
            set.call_method("Has", vec![Value::str("apps/v1")]),
            Ok(Value::Bool(true))
        ));
        assert!(matches!(
            set.call_method("Has", vec![Value::str("x/v1")]),
            Ok(Value::Bool(false))
        ));
    }
}

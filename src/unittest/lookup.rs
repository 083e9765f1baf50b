//! `kubernetesProvider`: the objects a test's `lookup` calls find, as helm-unittest serves them from
//! client-go's fake dynamic client, through the engine's [`Lookup`] (the same way a render against
//! a cluster reads live objects).
//!
//! What the fake client does, and so what this does:
//! - every lookup first copies all the objects the way `runtime.DeepCopyJSONValue` does, which
//!   knows only JSON's types: an integer (or timestamp) anywhere in any object fails every lookup
//!   with `cannot deep copy int`, so objects can only hold floats, and templates see every number
//!   as a `float64` (as the engine reads the JSON answer);
//! - objects are stored under the resource guessed from their kind (`UnsafeGuessKindToResource`:
//!   `ConfigMap` → `configmaps`) and found through the resource `scheme` declares for the kind
//!   looked up (none when the kind is not declared);
//! - a name gives the object (in the namespace, for a namespaced kind) or nothing (`{}`); no name
//!   gives a list (`<Kind>List` with `items`), which fails with client-go's "coding error" unless
//!   some object has that resource.
use crate::engine::funcs::Lookup;
use crate::yaml::emit::Doc;

use super::data;
use super::suite::SchemeKind;

/// A test's objects and scheme.
#[derive(Debug, Clone, Default)]
pub struct Provider {
    pub scheme: Vec<(String, SchemeKind)>,
    pub objects: Vec<Doc>,
}

fn field<'a>(d: &'a Doc, key: &str) -> Option<&'a str> {
    match d {
        Doc::Map(m) => match data::get(m, key) {
            Some(Doc::Str(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn meta<'a>(d: &'a Doc, key: &str) -> &'a str {
    match d {
        Doc::Map(m) => data::get(m, "metadata")
            .and_then(|md| field(md, key))
            .unwrap_or(""),
        _ => "",
    }
}

/// The Go type `DeepCopyJSONValue` panics on, if `d` holds one.
fn uncopyable(d: &Doc) -> Option<&'static str> {
    match d {
        Doc::Int(_) => Some("int"),
        Doc::Uint(_) => Some("uint64"),
        Doc::Timestamp(_) => Some("time.Time"),
        Doc::Seq(items) => items.iter().find_map(uncopyable),
        Doc::Map(entries) => entries.iter().find_map(|(_, v)| uncopyable(v)),
        Doc::Null | Doc::Bool(_) | Doc::Float(_) | Doc::Str(_) | Doc::Binary(_) => None,
    }
}

/// A group/version/resource, printed as client-go prints one (`apps/v1, Resource=deployments`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Gvr {
    group: String,
    version: String,
    resource: String,
}

impl std::fmt::Display for Gvr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}, Resource={}",
            self.group, self.version, self.resource
        )
    }
}

/// `meta.UnsafeGuessKindToResource`: the plural resource of a kind.
fn guess_resource(kind: &str) -> String {
    let singular = kind.to_lowercase();
    if singular.ends_with("endpoints") {
        singular
    } else if singular.ends_with('s') {
        format!("{singular}es")
    } else if let Some(stem) = singular.strip_suffix('y') {
        format!("{stem}ies")
    } else {
        format!("{singular}s")
    }
}

/// Where the fake client stores an object: its apiVersion's group and version, its kind's
/// guessed resource.
fn stored_under(object: &Doc) -> Option<Gvr> {
    let kind = field(object, "kind").filter(|k| !k.is_empty())?;
    let api_version = field(object, "apiVersion").unwrap_or("");
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    Some(Gvr {
        group: group.to_string(),
        version: version.to_string(),
        resource: guess_resource(kind),
    })
}

impl Lookup for Provider {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<String>, String> {
        if let Some(t) = self.objects.iter().find_map(uncopyable) {
            return Err(format!("cannot deep copy {t}"));
        }
        let key = format!("{api_version}/{kind}");
        let props = self
            .scheme
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        let gvr = Gvr {
            group: props.group.clone(),
            version: props.version.clone(),
            resource: props.resource.clone(),
        };
        let namespace = if props.namespaced { namespace } else { "" };
        let stored: Vec<&Doc> = self
            .objects
            .iter()
            .filter(|o| stored_under(o).as_ref() == Some(&gvr))
            .collect();
        if !name.is_empty() {
            return match stored
                .iter()
                .find(|o| meta(o, "name") == name && meta(o, "namespace") == namespace)
            {
                Some(o) => data::to_json(o).map(Some),
                None => Ok(None),
            };
        }
        // The list kinds the fake client registers: one per kind among the objects.
        let mut list_kinds: Vec<(Gvr, String)> = self
            .objects
            .iter()
            .filter_map(|o| Some((stored_under(o)?, format!("{}List", field(o, "kind")?))))
            .collect();
        list_kinds.sort();
        list_kinds.dedup_by(|a, b| a.0 == b.0);
        let Some((_, list_kind)) = list_kinds.iter().find(|(g, _)| *g == gvr) else {
            let known: Vec<String> = list_kinds.iter().map(|(g, k)| format!("{g}:{k}")).collect();
            return Err(format!(
                "coding error: you must register resource to list kind for every resource you're going to LIST when creating the client.  See NewSimpleDynamicClientWithCustomListKinds or register the list into the scheme: {gvr} out of map[{}]",
                known.join(" ")
            ));
        };
        // client-go's fake tracker: a resource version starts at 1 and each added object of
        // the resource raises it; a list carries the latest.
        let resource_version = 1 + stored.len();
        let items: Vec<String> = stored
            .into_iter()
            .filter(|o| namespace.is_empty() || meta(o, "namespace") == namespace)
            .map(data::to_json)
            .collect::<Result<_, _>>()?;
        let quote = |s: &str| {
            let mut out = String::new();
            crate::yaml::json::write_string(&mut out, s, true);
            out
        };
        Ok(Some(format!(
            r#"{{"apiVersion":{},"items":[{}],"kind":{},"metadata":{{"continue":"","resourceVersion":"{resource_version}"}}}}"#,
            quote(api_version),
            items.join(","),
            quote(list_kind),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_guessed_from_kinds_like_client_go() {
        assert_eq!(guess_resource("ConfigMap"), "configmaps");
        assert_eq!(guess_resource("Ingress"), "ingresses");
        assert_eq!(guess_resource("NetworkPolicy"), "networkpolicies");
        assert_eq!(guess_resource("Endpoints"), "endpoints");
    }

    #[test]
    fn integers_fail_every_lookup() {
        let provider = Provider {
            scheme: Vec::new(),
            objects: vec![Doc::Map(vec![(
                "spec".into(),
                Doc::Seq(vec![Doc::Float(1.0), Doc::Int(2)]),
            )])],
        };
        assert_eq!(
            provider.lookup("v1", "ConfigMap", "", "x"),
            Err("cannot deep copy int".to_string())
        );
    }
}

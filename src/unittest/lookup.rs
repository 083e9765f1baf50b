//! `kubernetesProvider`: the objects a test's `lookup` calls find, as helm-unittest serves them from
//! client-go's fake dynamic client. A kind must be declared in `scheme` (`apiVersion/Kind` → its
//! resource and whether it is namespaced) to be found at all; a name gives the object or `{}`, no
//! name gives a list (`<Kind>List` with `items`). A namespaced kind looked up with a namespace sees
//! only that namespace; otherwise every object of the kind.
use std::rc::Rc;

use crate::template::Value;
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

fn meta<'a>(d: &'a Doc, key: &str) -> Option<&'a str> {
    match d {
        Doc::Map(m) => data::get(m, "metadata").and_then(|md| field(md, key)),
        _ => None,
    }
}

fn to_value(d: &Doc) -> Result<Value, String> {
    let json = data::to_json(d)?;
    crate::yaml::parse_value(&json, "kubernetesProvider").map_err(|e| e.to_string())
}

impl Provider {
    fn answer(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        let key = format!("{api_version}/{kind}");
        let Some((_, props)) = self.scheme.iter().find(|(k, _)| *k == key) else {
            return Ok(Value::empty_map());
        };
        let scoped_ns = if props.namespaced { namespace } else { "" };
        let candidates = self.objects.iter().filter(|o| {
            field(o, "apiVersion") == Some(api_version) && field(o, "kind") == Some(kind)
        });
        if !name.is_empty() {
            for o in candidates {
                if meta(o, "name") == Some(name) && meta(o, "namespace").unwrap_or("") == scoped_ns
                {
                    return to_value(o);
                }
            }
            return Ok(Value::empty_map());
        }
        let all: Vec<&Doc> = candidates.collect();
        // client-go's fake tracker: a kind's resource version starts at 1 and each added object
        // raises it; a list carries the latest.
        let resource_version = (1 + all.len()).to_string();
        let items: Vec<Doc> = all
            .into_iter()
            .filter(|o| scoped_ns.is_empty() || meta(o, "namespace").unwrap_or("") == scoped_ns)
            .cloned()
            .collect();
        let list = Doc::Map(vec![
            (Rc::from("apiVersion"), Doc::Str(Rc::from(api_version))),
            (Rc::from("items"), Doc::Seq(items)),
            (
                Rc::from("kind"),
                Doc::Str(Rc::from(format!("{kind}List").as_str())),
            ),
            (
                Rc::from("metadata"),
                Doc::Map(vec![
                    (Rc::from("continue"), Doc::Str(Rc::from(""))),
                    (
                        Rc::from("resourceVersion"),
                        Doc::Str(Rc::from(resource_version.as_str())),
                    ),
                ]),
            ),
        ]);
        to_value(&list)
    }
}

/// Runs `body` with `provider` answering `lookup` (the offline empty map without one).
pub fn with_provider<R>(provider: Option<Provider>, body: impl FnOnce() -> R) -> R {
    match provider {
        None => body(),
        Some(p) => crate::engine::funcs::with_lookup(
            Rc::new(move |a: &str, k: &str, ns: &str, n: &str| p.answer(a, k, ns, n)),
            body,
        ),
    }
}

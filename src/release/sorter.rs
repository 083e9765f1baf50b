//! Sorting rendered files into hooks and manifests. Mirrors `releaseutil.SortManifests` of Helm
//! v3.17.3: files in path order, partials (`_*`) and blank files skipped, each file split into
//! documents, each document's head read, hooks separated by `helm.sh/hook`, then both lists sorted
//! stably by kind in install order.
use std::collections::BTreeMap;

use super::head::HeadError;
use super::hook::{self, Hook, HookKind};
use super::kind_order::sort_by_kind;
use super::manifest::Manifest;
use super::prepare::{is_sorted_file, read_file, HeadReader, PreparedHeads};

/// A document whose head could not be read. `Display` is Helm's text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("YAML parse error on {path}: {source}")]
pub struct SortError {
    pub path: String,
    #[source]
    pub source: HeadError,
}

/// The result of sorting: hooks and manifests in install order, plus the documents skipped because
/// their hook annotation named an unknown event (Helm logs those).
#[derive(Debug, Default)]
pub struct Sorted {
    pub hooks: Vec<Hook>,
    pub manifests: Vec<Manifest>,
    /// The `helm.sh/hook` values of skipped documents.
    pub unknown_hooks: Vec<String>,
}

/// Sorts rendered files (path → text) into hooks and manifests.
pub fn sort_manifests(files: &BTreeMap<String, String>) -> Result<Sorted, SortError> {
    let reader = HeadReader::start();
    for (path, content) in files {
        reader.feed(path, content);
    }
    sort_prepared(files, reader.finish())
}

/// [`sort_manifests`] with the heads already read by a [`HeadReader`] fed while rendering; files it
/// has not read (or read with other content) are read here.
pub fn sort_prepared(
    files: &BTreeMap<String, String>,
    mut prepared: PreparedHeads,
) -> Result<Sorted, SortError> {
    let mut docs = Vec::new();
    for (path, content) in files {
        if !is_sorted_file(path, content) {
            continue;
        }
        let read = prepared
            .take(path, content)
            .unwrap_or_else(|| read_file(content));
        docs.extend(read.into_iter().map(|(doc, head)| ((path, doc), head)));
    }
    let mut sorted = Sorted::default();
    for ((path, doc), head) in docs {
        let head = head.map_err(|source| SortError {
            path: path.clone(),
            source,
        })?;
        if !head.has_any_annotation() {
            sorted.manifests.push(Manifest {
                name: path.clone(),
                content: doc,
                head,
            });
            continue;
        }
        match hook::hook_kind(&head) {
            HookKind::None => sorted.manifests.push(Manifest {
                name: path.clone(),
                content: doc,
                head,
            }),
            HookKind::Unknown(value) => sorted.unknown_hooks.push(value),
            HookKind::Hook(events) => sorted.hooks.push(Hook {
                name: head
                    .metadata
                    .as_ref()
                    .map(|m| m.name.clone())
                    .unwrap_or_default(),
                kind: head.kind.clone(),
                path: path.clone(),
                weight: hook::hook_weight(&head),
                delete_policies: hook::delete_policies(&head),
                output_log_policies: hook::output_log_policies(&head),
                manifest: doc,
                events,
            }),
        }
    }
    sort_by_kind(&mut sorted.hooks, |h| &h.kind);
    sort_by_kind(&mut sorted.manifests, |m| &m.head.kind);
    Ok(sorted)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sorts_by_kind_then_file_order() {
        let sorted = sort_manifests(&files(&[
            ("c/templates/b.yaml", "kind: Service\nmetadata:\n  name: s"),
            (
                "c/templates/a.yaml",
                "kind: Deployment\n---\nkind: ConfigMap",
            ),
            ("c/templates/_h.tpl", "kind: Namespace"),
            ("c/templates/empty.yaml", "  \n"),
        ]))
        .unwrap();
        let kinds: Vec<_> = sorted
            .manifests
            .iter()
            .map(|m| m.head.kind.as_str())
            .collect();
        assert_eq!(kinds, vec!["ConfigMap", "Service", "Deployment"]);
        assert_eq!(sorted.manifests[0].name, "c/templates/a.yaml");
    }

    #[test]
    fn hooks_are_separated() {
        let sorted = sort_manifests(&files(&[(
            "c/templates/t.yaml",
            "kind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n    helm.sh/hook-weight: \"-2\"",
        )]))
        .unwrap();
        assert!(sorted.manifests.is_empty());
        assert_eq!(sorted.hooks[0].weight, -2);
        assert!(sorted.hooks[0].is_test());
    }

    #[test]
    fn unknown_hook_is_skipped() {
        let sorted = sort_manifests(&files(&[(
            "c/templates/t.yaml",
            "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: nope",
        )]))
        .unwrap();
        assert!(sorted.manifests.is_empty() && sorted.hooks.is_empty());
        assert_eq!(sorted.unknown_hooks, vec!["nope"]);
    }

    #[test]
    fn bad_document_names_its_file() {
        let err = sort_manifests(&files(&[("c/templates/x.yaml", "foo")])).unwrap_err();
        assert!(err
            .to_string()
            .starts_with("YAML parse error on c/templates/x.yaml: error unmarshaling JSON"));
    }
}

//! Helm 4's hook output (`helm.sh/hook-output-log-policy: hook-succeeded,hook-failed`): the
//! container logs of a hook's pods (`Configuration.outputLogsByPolicy` and
//! `Client.OutputContainerLogsForPodList`, helm v4.1.4). A Job's pods are found by the label
//! `job-name=NAME`, a Pod by its name; each container's whole log is read in turn. Helm 3 ignores
//! the annotation.
//!
//! Helm 4 writes the logs to Go's `log.Writer()`, which its slog setup turns into one `level=INFO`
//! record per write (Go's text handler: `level=INFO msg=hello`, quoted when needed), and a failure
//! into `level=INFO msg="error outputting logs for hook failure: failed to stream pod logs for pod:
//! P, container: C"` (the same words after a hook that succeeded); [`log_line`] writes both forms.
use ::kube::api::{Api, ListParams, LogParams};
use k8s_openapi::api::core::v1::Pod;

/// One container's log, or why it could not be read (Helm stops at the first failure).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    Log(String),
    Failed(String),
}

/// The logs of the pods of hook `name` of `kind` (`Job` or `Pod`; other kinds have none).
pub async fn hook_logs(
    client: &::kube::Client,
    namespace: &str,
    kind: &str,
    name: &str,
) -> Vec<Output> {
    let params = match kind {
        "Job" => ListParams::default().labels(&format!("job-name={name}")),
        "Pod" => ListParams::default().fields(&format!("metadata.name={name}")),
        _ => return Vec::new(),
    };
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let list = match pods.list(&params).await {
        Ok(list) => list,
        Err(e) => {
            return vec![Output::Failed(format!(
                "failed to get pod list with options: {} with error: {e}",
                params
                    .label_selector
                    .or(params.field_selector)
                    .unwrap_or_default()
            ))]
        }
    };
    let mut out = Vec::new();
    for pod in list.items {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        for container in pod.spec.map(|s| s.containers).unwrap_or_default() {
            let params = LogParams {
                container: Some(container.name.clone()),
                ..LogParams::default()
            };
            match pods.logs(&pod_name, &params).await {
                Ok(text) => out.push(Output::Log(text)),
                Err(_) => {
                    out.push(Output::Failed(format!(
                        "failed to stream pod logs for pod: {pod_name}, container: {}",
                        container.name
                    )));
                    return out;
                }
            }
        }
    }
    out
}

/// The line Helm 4's logger prints for `output` (without its newline); `None` for an empty log
/// (Go's `io.Copy` writes nothing then).
pub fn log_line(output: &Output) -> Option<String> {
    let msg = match output {
        Output::Log(text) if text.is_empty() => return None,
        Output::Log(text) => text.strip_suffix('\n').unwrap_or(text).to_string(),
        Output::Failed(why) => format!("error outputting logs for hook failure: {why}"),
    };
    Some(format!("level=INFO msg={}", slog_value(&msg)))
}

/// Go's slog text handler: a string is quoted (`strconv.Quote`) when empty or when it holds a
/// space, `=`, `"` or a character that is not printable.
fn slog_value(s: &str) -> String {
    let needs_quoting = s.is_empty()
        || s.chars()
            .any(|c| c == ' ' || c == '=' || c == '"' || c.is_control());
    if needs_quoting {
        crate::template::printf::quote_go(s)
    } else {
        s.to_string()
    }
}

/// Helm's `deriveNamespace`: the manifest's `metadata.namespace`, else the release's.
pub fn namespace_of(manifest: &str, release_namespace: &str) -> String {
    crate::yaml::from_str::<serde_json::Value>(manifest, "hook")
        .ok()
        .and_then(|v| {
            v.pointer("/metadata/namespace")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string)
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| release_namespace.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_as_helm_4_logs_them() {
        assert_eq!(
            log_line(&Output::Log("hello\n".into())).as_deref(),
            Some("level=INFO msg=hello")
        );
        assert_eq!(
            log_line(&Output::Log("a b\nc\n".into())).as_deref(),
            Some("level=INFO msg=\"a b\\nc\"")
        );
        assert_eq!(log_line(&Output::Log(String::new())), None);
        assert_eq!(
            log_line(&Output::Failed(
                "failed to stream pod logs for pod: p, container: c".into()
            ))
            .as_deref(),
            Some("level=INFO msg=\"error outputting logs for hook failure: failed to stream pod logs for pod: p, container: c\"")
        );
    }

    #[test]
    fn namespace_from_the_manifest() {
        let m = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: j\n  namespace: other\n";
        assert_eq!(namespace_of(m, "rel"), "other");
        assert_eq!(namespace_of("kind: Job\n", "rel"), "rel");
    }
}

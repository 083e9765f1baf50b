//! Hooks: documents annotated `helm.sh/hook`. Mirrors `release.Hook` and the annotation handling of
//! `releaseutil/manifest_sorter.go` (Helm v3.17.3).
use super::head::SimpleHead;

/// `helm.sh/hook`.
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// `helm.sh/hook-weight`.
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// `helm.sh/hook-delete-policy`.
pub const HOOK_DELETE_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// Helm 4's annotation naming when a hook's pod logs are printed (`hook-succeeded`, `hook-failed`).
pub const HOOK_OUTPUT_LOG_POLICY_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// When a hook runs. Mirrors `release.HookEvent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookEvent {
    PreInstall,
    PostInstall,
    PreDelete,
    PostDelete,
    PreUpgrade,
    PostUpgrade,
    PreRollback,
    PostRollback,
    Test,
}

impl HookEvent {
    /// Parses one event name as Helm does (trimmed, lower-cased; `test-success` is `test`).
    pub fn parse(name: &str) -> Option<HookEvent> {
        Some(match name.trim().to_lowercase().as_str() {
            "pre-install" => HookEvent::PreInstall,
            "post-install" => HookEvent::PostInstall,
            "pre-delete" => HookEvent::PreDelete,
            "post-delete" => HookEvent::PostDelete,
            "pre-upgrade" => HookEvent::PreUpgrade,
            "post-upgrade" => HookEvent::PostUpgrade,
            "pre-rollback" => HookEvent::PreRollback,
            "post-rollback" => HookEvent::PostRollback,
            "test" | "test-success" => HookEvent::Test,
            _ => return None,
        })
    }

    /// The name Helm stores (`pre-install`, …, `test`).
    pub fn as_str(self) -> &'static str {
        match self {
            HookEvent::PreInstall => "pre-install",
            HookEvent::PostInstall => "post-install",
            HookEvent::PreDelete => "pre-delete",
            HookEvent::PostDelete => "post-delete",
            HookEvent::PreUpgrade => "pre-upgrade",
            HookEvent::PostUpgrade => "post-upgrade",
            HookEvent::PreRollback => "pre-rollback",
            HookEvent::PostRollback => "post-rollback",
            HookEvent::Test => "test",
        }
    }
}

/// A hook document. Mirrors `release.Hook` (without run state).
#[derive(Debug, Clone, PartialEq)]
pub struct Hook {
    pub name: String,
    pub kind: String,
    /// The template file it came from.
    pub path: String,
    pub manifest: String,
    pub events: Vec<HookEvent>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
    /// Helm 4's `helm.sh/hook-output-log-policy` values (Helm 3 ignores the annotation).
    pub output_log_policies: Vec<String>,
}

impl Hook {
    /// Whether this is a `test` hook (skipped by `--skip-tests`).
    pub fn is_test(&self) -> bool {
        self.events.contains(&HookEvent::Test)
    }
}

/// What the `helm.sh/hook` annotation of a document says.
#[derive(Debug, PartialEq)]
pub enum HookKind {
    /// Not a hook: an ordinary manifest.
    None,
    /// A hook with these events.
    Hook(Vec<HookEvent>),
    /// A hook annotation naming an event Helm does not know: Helm skips the document.
    Unknown(String),
}

/// Reads the hook annotation of `head`.
pub fn hook_kind(head: &SimpleHead) -> HookKind {
    let Some(value) = head.annotation(HOOK_ANNOTATION) else {
        return HookKind::None;
    };
    let mut events = Vec::new();
    for part in value.split(',') {
        match HookEvent::parse(part) {
            Some(e) => events.push(e),
            None => return HookKind::Unknown(value.to_string()),
        }
    }
    HookKind::Hook(events)
}

/// Go's `strconv.Atoi` of the weight annotation, 0 when absent or invalid (as Helm).
pub fn hook_weight(head: &SimpleHead) -> i64 {
    head.annotation(HOOK_WEIGHT_ANNOTATION)
        .and_then(go_atoi)
        .unwrap_or(0)
}

/// Go's `strconv.Atoi`: optional sign, decimal digits only.
fn go_atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// The delete policies, split on commas and trimmed (Helm's `operateAnnotationValues`).
pub fn delete_policies(head: &SimpleHead) -> Vec<String> {
    annotation_values(head, HOOK_DELETE_ANNOTATION)
}

/// Helm 4's `helm.sh/hook-output-log-policy` values, read as the delete policies are.
pub fn output_log_policies(head: &SimpleHead) -> Vec<String> {
    annotation_values(head, HOOK_OUTPUT_LOG_POLICY_ANNOTATION)
}

/// Helm's `operateAnnotationValues`: the annotation split at commas, each part trimmed and
/// lower-cased; empty parts are kept (`"a,,B,"` is `["a", "", "b", ""]`), as Helm keeps them.
fn annotation_values(head: &SimpleHead, annotation: &str) -> Vec<String> {
    head.annotation(annotation)
        .map(|v| v.split(',').map(|p| p.trim().to_lowercase()).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_trimmed_lower_cased_empty_parts_kept() {
        let head = super::super::head::parse_head(
            "kind: Job\nmetadata:\n  name: j\n  annotations:\n    helm.sh/hook-delete-policy: \" Hook-Succeeded , ,x\"\n    helm.sh/hook-output-log-policy: \"HOOK-failed,\"\n",
        )
        .unwrap();
        assert_eq!(delete_policies(&head), ["hook-succeeded", "", "x"]);
        assert_eq!(output_log_policies(&head), ["hook-failed", ""]);
        let plain = super::super::head::parse_head("kind: Job\nmetadata:\n  name: j\n").unwrap();
        assert!(output_log_policies(&plain).is_empty());
    }

    #[test]
    fn parses_events_case_insensitively() {
        assert_eq!(
            HookEvent::parse(" Pre-Install"),
            Some(HookEvent::PreInstall)
        );
        assert_eq!(HookEvent::parse("test-success"), Some(HookEvent::Test));
        assert_eq!(HookEvent::parse("nope"), None);
    }

    #[test]
    fn atoi_is_strict() {
        assert_eq!(go_atoi("-5"), Some(-5));
        assert_eq!(go_atoi("+5"), Some(5));
        assert_eq!(go_atoi(" 5"), None);
        assert_eq!(go_atoi("5.0"), None);
    }
}

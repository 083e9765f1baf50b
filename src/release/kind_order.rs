//! Helm's install order by kind. Mirrors `releaseutil.InstallOrder` and `sortManifestsByKind` of
//! Helm v3.17.3 (`pkg/releaseutil/kind_sorter.go`).
use std::cmp::Ordering;
use std::sync::OnceLock;

use crate::fasthash::FastHashMap;

/// The kinds Helm installs first, in order. Kinds not listed go last, ordered by name.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
];

/// The position of `kind` in [`INSTALL_ORDER`], from a table built once: sorting compares each
/// manifest's kind several times, and searching the list each time showed in profiles.
fn rank(kind: &str) -> Option<usize> {
    static RANKS: OnceLock<FastHashMap<&'static str, usize>> = OnceLock::new();
    let ranks = RANKS.get_or_init(|| {
        INSTALL_ORDER
            .iter()
            .enumerate()
            .map(|(i, kind)| (*kind, i))
            .collect()
    });
    ranks.get(kind).copied()
}

/// Helm's `lessByKind` as an ordering: listed kinds by rank, unknown kinds after them by name.
fn compare_kinds(a: &str, b: &str) -> Ordering {
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => a.cmp(b),
    }
}

/// Sorts `items` stably by the kind `kind_of` gives, in install order.
pub fn sort_by_kind<T>(items: &mut [T], kind_of: impl Fn(&T) -> &str) {
    items.sort_by(|a, b| compare_kinds(kind_of(a), kind_of(b)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_is_the_position_in_the_install_order() {
        for (i, kind) in INSTALL_ORDER.iter().enumerate() {
            assert_eq!(rank(kind), Some(i), "{kind}");
            assert_eq!(rank(&kind.to_lowercase()), None, "{kind}");
        }
        assert_eq!(rank(""), None);
    }

    #[test]
    fn known_kinds_first_then_unknown_by_name() {
        let mut kinds = vec!["Zeta", "Deployment", "Alpha", "Namespace", "Service", ""];
        sort_by_kind(&mut kinds, |k| k);
        assert_eq!(
            kinds,
            vec!["Namespace", "Service", "Deployment", "", "Alpha", "Zeta"]
        );
    }

    #[test]
    fn stable_within_a_kind() {
        let mut items = vec![
            ("Service", 1),
            ("ConfigMap", 2),
            ("Service", 3),
            ("ConfigMap", 4),
        ];
        sort_by_kind(&mut items, |i| i.0);
        assert_eq!(
            items,
            vec![
                ("ConfigMap", 2),
                ("ConfigMap", 4),
                ("Service", 1),
                ("Service", 3)
            ]
        );
    }
}

//! Helm's install order by kind. Mirrors `releaseutil.InstallOrder` and `sortManifestsByKind` of
//! Helm v3.17.3 (`pkg/releaseutil/kind_sorter.go`).
use std::cmp::Ordering;

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

/// The position of `kind` in [`INSTALL_ORDER`]. A `match` rather than a search of the list: sorting
/// compares each manifest's kind several times.
fn rank(kind: &str) -> Option<usize> {
    Some(match kind {
        "PriorityClass" => 0,
        "Namespace" => 1,
        "NetworkPolicy" => 2,
        "ResourceQuota" => 3,
        "LimitRange" => 4,
        "PodSecurityPolicy" => 5,
        "PodDisruptionBudget" => 6,
        "ServiceAccount" => 7,
        "Secret" => 8,
        "SecretList" => 9,
        "ConfigMap" => 10,
        "StorageClass" => 11,
        "PersistentVolume" => 12,
        "PersistentVolumeClaim" => 13,
        "CustomResourceDefinition" => 14,
        "ClusterRole" => 15,
        "ClusterRoleList" => 16,
        "ClusterRoleBinding" => 17,
        "ClusterRoleBindingList" => 18,
        "Role" => 19,
        "RoleList" => 20,
        "RoleBinding" => 21,
        "RoleBindingList" => 22,
        "Service" => 23,
        "DaemonSet" => 24,
        "Pod" => 25,
        "ReplicationController" => 26,
        "ReplicaSet" => 27,
        "Deployment" => 28,
        "HorizontalPodAutoscaler" => 29,
        "StatefulSet" => 30,
        "Job" => 31,
        "CronJob" => 32,
        "IngressClass" => 33,
        "Ingress" => 34,
        "APIService" => 35,
        _ => return None,
    })
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

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
///
/// The positions are sorted, then every item is moved once: a stable sort of the items themselves
/// takes a scratch copy of them (of 4,000 manifests, 0.6 MB at the peak of `rudder template`).
pub fn sort_by_kind<T>(items: &mut [T], kind_of: impl Fn(&T) -> &str) {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| compare_kinds(kind_of(&items[a]), kind_of(&items[b])));
    permute(items, &mut order);
}

/// Puts the item at `order[i]` at position `i`, for every `i` (`order` is a permutation; it is
/// used up). Each cycle of the permutation is walked once, with one swap per item moved.
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    for start in 0..order.len() {
        let mut current = start;
        // A placed position points at itself; so does every position of a cycle already walked.
        while order[current] != current {
            let next = std::mem::replace(&mut order[current], current);
            if next == start {
                break;
            }
            items.swap(current, next);
            current = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every permutation of up to six items (and some longer ones) lands as `order` says.
    #[test]
    fn permute_moves_each_item_to_its_place() {
        fn check(order: &[usize]) {
            let mut items: Vec<usize> = (0..order.len()).map(|i| i * 10).collect();
            permute(&mut items, &mut order.to_vec());
            let expected: Vec<usize> = order.iter().map(|i| i * 10).collect();
            assert_eq!(items, expected, "{order:?}");
        }
        fn all(prefix: &mut Vec<usize>, n: usize) {
            if prefix.len() == n {
                return check(prefix);
            }
            for i in 0..n {
                if !prefix.contains(&i) {
                    prefix.push(i);
                    all(prefix, n);
                    prefix.pop();
                }
            }
        }
        for n in 0..=6 {
            all(&mut Vec::new(), n);
        }
        let n = 1000;
        check(&(0..n).map(|i| (i * 7 + 3) % n).collect::<Vec<_>>());
        check(&(0..n).rev().collect::<Vec<_>>());
    }

    #[test]
    fn sorts_like_a_stable_sort_of_the_items() {
        let kinds = [
            "Service",
            "Zeta",
            "Deployment",
            "",
            "Namespace",
            "Alpha",
            "Secret",
        ];
        let mut items: Vec<(&str, usize)> = (0..500)
            .map(|i| (kinds[(i * 31 + i / 7) % kinds.len()], i))
            .collect();
        let mut expected = items.clone();
        expected.sort_by(|a, b| compare_kinds(a.0, b.0));
        sort_by_kind(&mut items, |item| item.0);
        assert_eq!(items, expected);
    }

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

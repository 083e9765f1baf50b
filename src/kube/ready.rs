//! Readiness rules: when an applied object counts as ready. Mirrors Helm 3's `kube/ready.go`
//! (`--wait`) and `WatchUntilReady` (hooks), plus custom resources by their standard
//! `Ready`/`Available` conditions (Helm 4's kstatus does that, Helm 3 does not). Pure functions of
//! the live object; [`super::wait`] does the watching.
use serde_json::Value;

/// What an object's state says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Not yet: what it waits for.
    Waiting(String),
    /// It will never be ready (a failed Job or Pod).
    Failed(String),
}

/// Which rules apply.
#[derive(Debug, Clone, Copy, Default)]
pub struct WaitRules {
    /// `--wait-for-jobs`: Jobs must complete.
    pub jobs: bool,
    /// Hooks: only Jobs (complete) and Pods (succeeded) block; everything else is ready at once.
    pub hooks: bool,
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn condition<'a>(v: &'a Value, kind: &str) -> Option<&'a Value> {
    v.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn condition_true(v: &Value, kind: &str) -> Option<bool> {
    condition(v, kind).map(|c| c.get("status").and_then(Value::as_str) == Some("True"))
}

fn generation_seen(live: &Value) -> bool {
    int(live, "/status/observedGeneration") >= int(live, "/metadata/generation")
}

/// Kinds that have no state to wait for: always ready once applied, so never read back.
const STATELESS: &[&str] = &[
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Role",
    "RoleBinding",
    "ClusterRole",
    "ClusterRoleBinding",
    "NetworkPolicy",
    "PodDisruptionBudget",
    "LimitRange",
    "ResourceQuota",
    "PriorityClass",
    "StorageClass",
    "Namespace",
];

/// Whether an object of `kind` must be read to know it is ready ([`readiness`] says `Ready`
/// for any state of the others).
pub fn needs_reading(kind: &str, rules: WaitRules) -> bool {
    if rules.hooks {
        return matches!(kind, "Job" | "Pod");
    }
    if kind == "Job" {
        return rules.jobs;
    }
    !STATELESS.contains(&kind)
}

/// Whether `live` (an object of `kind`) is ready.
pub fn readiness(kind: &str, live: &Value, rules: WaitRules) -> Readiness {
    use Readiness::*;
    let replicas = live
        .pointer("/spec/replicas")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    match kind {
        "Job" if rules.hooks || rules.jobs => {
            if condition_true(live, "Failed") == Some(true) {
                let reason = condition(live, "Failed")
                    .and_then(|c| c.get("reason"))
                    .and_then(Value::as_str)
                    .unwrap_or("Failed");
                return Failed(format!("job failed: {reason}"));
            }
            if condition_true(live, "Complete") == Some(true) {
                Ready
            } else {
                Waiting(format!(
                    "{} of {} completions",
                    int(live, "/status/succeeded"),
                    live.pointer("/spec/completions")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                ))
            }
        }
        "Pod" if rules.hooks => match live.pointer("/status/phase").and_then(Value::as_str) {
            Some("Succeeded") => Ready,
            Some("Failed") => Failed(format!(
                "pod {} failed",
                live.pointer("/metadata/name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            )),
            phase => Waiting(format!("phase {}", phase.unwrap_or("Pending"))),
        },
        _ if rules.hooks => Ready,
        "Pod" => {
            if live.pointer("/status/phase").and_then(Value::as_str) == Some("Succeeded")
                || condition_true(live, "Ready") == Some(true)
            {
                Ready
            } else {
                Waiting("condition Ready".into())
            }
        }
        "Deployment" => {
            // `kubectl rollout status`: every replica updated, no old replica left, every updated
            // one available.
            let updated = int(live, "/status/updatedReplicas");
            let available = int(live, "/status/availableReplicas");
            let total = int(live, "/status/replicas");
            if !generation_seen(live) {
                Waiting("the controller to observe the new generation".into())
            } else if updated < replicas {
                Waiting(format!("{updated} of {replicas} replicas updated"))
            } else if total > updated {
                Waiting(format!("{} old replicas to terminate", total - updated))
            } else if available < updated {
                Waiting(format!(
                    "{available} of {updated} updated replicas available"
                ))
            } else {
                Ready
            }
        }
        "StatefulSet" | "ReplicaSet" | "ReplicationController" => {
            let ready = int(live, "/status/readyReplicas");
            if !generation_seen(live) {
                Waiting("the controller to observe the new generation".into())
            } else if ready < replicas {
                Waiting(format!("{ready} of {replicas} replicas ready"))
            } else if kind == "StatefulSet" && int(live, "/status/updatedReplicas") < replicas {
                Waiting(format!(
                    "{} of {replicas} replicas updated",
                    int(live, "/status/updatedReplicas")
                ))
            } else {
                Ready
            }
        }
        "DaemonSet" => {
            let desired = int(live, "/status/desiredNumberScheduled");
            let ready = int(live, "/status/numberReady");
            if !generation_seen(live) {
                Waiting("the controller to observe the new generation".into())
            } else if ready < desired || int(live, "/status/updatedNumberScheduled") < desired {
                Waiting(format!("{ready} of {desired} pods ready"))
            } else {
                Ready
            }
        }
        "PersistentVolumeClaim" => match live.pointer("/status/phase").and_then(Value::as_str) {
            Some("Bound") => Ready,
            phase => Waiting(format!("phase Bound (now {})", phase.unwrap_or("Pending"))),
        },
        "Service" => {
            let ty = live
                .pointer("/spec/type")
                .and_then(Value::as_str)
                .unwrap_or("ClusterIP");
            if ty == "ExternalName" {
                return Ready;
            }
            if live.pointer("/spec/clusterIP").and_then(Value::as_str) == Some("") {
                return Waiting("a cluster IP".into());
            }
            if ty == "LoadBalancer"
                && live
                    .pointer("/status/loadBalancer/ingress")
                    .and_then(Value::as_array)
                    .is_none_or(|a| a.is_empty())
            {
                return Waiting("a load balancer address".into());
            }
            Ready
        }
        "CustomResourceDefinition" => match condition_true(live, "Established") {
            Some(true) => Ready,
            _ => Waiting("condition Established".into()),
        },
        _ => {
            // Custom resources (and any other kind): their standard conditions, when they have them.
            for cond in ["Ready", "Available"] {
                if let Some(ok) = condition_true(live, cond) {
                    return if ok {
                        Ready
                    } else {
                        Waiting(format!("condition {cond}"))
                    };
                }
            }
            Ready
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deployments_need_available_replicas_of_the_new_generation() {
        let rules = WaitRules::default();
        let mut d = json!({"metadata": {"generation": 2}, "spec": {"replicas": 2},
            "status": {"observedGeneration": 1, "updatedReplicas": 2, "availableReplicas": 2}});
        assert!(matches!(
            readiness("Deployment", &d, rules),
            Readiness::Waiting(_)
        ));
        d["status"]["observedGeneration"] = json!(2);
        assert_eq!(readiness("Deployment", &d, rules), Readiness::Ready);
        d["status"]["availableReplicas"] = json!(1);
        assert_eq!(
            readiness("Deployment", &d, rules),
            Readiness::Waiting("1 of 2 updated replicas available".into())
        );
        d["status"]["availableReplicas"] = json!(2);
        d["status"]["replicas"] = json!(3);
        assert_eq!(
            readiness("Deployment", &d, rules),
            Readiness::Waiting("1 old replicas to terminate".into())
        );
    }

    #[test]
    fn jobs_block_hooks_and_fail_with_their_reason() {
        let hooks = WaitRules {
            hooks: true,
            ..WaitRules::default()
        };
        let failed = json!({"status": {"conditions": [{"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded"}]}});
        assert_eq!(
            readiness("Job", &failed, hooks),
            Readiness::Failed("job failed: BackoffLimitExceeded".into())
        );
        assert_eq!(
            readiness("Job", &failed, WaitRules::default()),
            Readiness::Ready
        );
        assert_eq!(readiness("ConfigMap", &json!({}), hooks), Readiness::Ready);
    }

    #[test]
    fn custom_resources_by_standard_conditions() {
        let cr = json!({"status": {"conditions": [{"type": "Ready", "status": "False"}]}});
        assert!(matches!(
            readiness("ServiceMonitor", &cr, WaitRules::default()),
            Readiness::Waiting(_)
        ));
        assert_eq!(
            readiness("ServiceMonitor", &json!({}), WaitRules::default()),
            Readiness::Ready
        );
    }
}

//! The preflight's skip path against a hook that changes an object between the preflight and the
//! apply, on the local control plane (issue 13).
//!
//! An upgrade sends every object as a server-side dry run before anything runs; an object whose
//! dry-run answer equals the live object is not applied again, provided that its
//! `resourceVersion` is still the one the preflight saw when the apply comes (after the pre-upgrade
//! hooks). This test makes a pre-upgrade hook replace one of the release's objects: a hook
//! ConfigMap with the same name as the release's and `before-hook-creation` deletes the release's
//! ConfigMap and creates its own (kwok runs no containers, so a Job cannot change anything; the
//! delete policy is how a hook changes an object here). A no-change upgrade must then apply the
//! release's ConfigMap again: its data and its ownership metadata are back after the upgrade, as
//! helm v4.1.4 leaves them. Were the preflight's answer trusted without the second look, the
//! ConfigMap would stay the hook's, without the release's key and ownership.

mod common;

use std::path::PathBuf;

use serde_json::Value;

const RELEASE_CM: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-shared
data:
  owner: release
  value: {{ .Values.value | quote }}
"#;

const HOOK_CM: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-shared
  annotations:
    helm.sh/hook: pre-upgrade
    helm.sh/hook-delete-policy: before-hook-creation
data:
  hook: ran
"#;

/// The run's scratch directory and namespaces, removed when the test ends (passed or not).
struct Cleanup {
    helm: common::HelmEnv,
    kubectl: PathBuf,
    work: PathBuf,
    namespaces: Vec<String>,
}

impl Cleanup {
    fn live(&self, ns: &str, name: &str) -> Value {
        let text = self.helm.must(
            &self.kubectl,
            &["-n", ns, "get", "configmap", name, "-o", "json"],
        );
        serde_json::from_str(&text).expect("kubectl prints JSON")
    }
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for ns in &self.namespaces {
            let _ = self
                .helm
                .run(&self.kubectl, &["delete", "namespace", ns, "--wait=false"]);
        }
        let _ = std::fs::remove_dir_all(&self.work);
    }
}

/// What must hold of the release's ConfigMap after an upgrade: its data and Helm's ownership.
fn release_shape(live: &Value) -> Value {
    serde_json::json!({
        "owner": live.pointer("/data/owner"),
        "value": live.pointer("/data/value"),
        "managed-by": live.pointer("/metadata/labels/app.kubernetes.io~1managed-by"),
        "release-name": live.pointer("/metadata/annotations/meta.helm.sh~1release-name"),
        "release-namespace": live.pointer("/metadata/annotations/meta.helm.sh~1release-namespace"),
    })
}

#[test]
fn an_object_a_pre_upgrade_hook_changed_is_applied_again() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let id = std::process::id();
    let work = common::scratch("preflight-hooks");
    let chart = work.join("pf");
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: pf\nversion: 0.1.0\n",
        &[
            ("values.yaml", "value: one\n"),
            ("templates/shared.yaml", RELEASE_CM),
            ("templates/hook.yaml", HOOK_CM),
        ],
    );
    let env = Cleanup {
        helm: common::HelmEnv::new(&kubeconfig, &work.join("home")),
        kubectl: common::oracle("kubectl"),
        work,
        namespaces: ["v4", "rudder"]
            .iter()
            .map(|t| format!("rs-pfhook-{t}-{id}"))
            .collect(),
    };
    let chart = chart.to_str().unwrap();
    let tools = [common::oracle("v4"), common::rudder_as_helm()];
    let mut shapes = Vec::new();
    for (tool, ns) in tools.iter().zip(&env.namespaces) {
        env.helm.must(&env.kubectl, &["create", "namespace", ns]);
        env.helm.must(tool, &["install", "pf", chart, "-n", ns]);
        let installed = env.live(ns, "pf-shared");
        // The same values again: the preflight finds the ConfigMap unchanged.
        env.helm.must(tool, &["upgrade", "pf", chart, "-n", ns]);
        let upgraded = env.live(ns, "pf-shared");
        assert_ne!(
            installed.pointer("/metadata/uid"),
            upgraded.pointer("/metadata/uid"),
            "{}: the hook did not replace the ConfigMap, so this test tests nothing",
            tool.display()
        );
        assert_eq!(
            upgraded.pointer("/data/hook").and_then(Value::as_str),
            if shapes.is_empty() { None } else { Some("ran") },
            "{}: helm v4 creates hooks by server-side apply (its next apply drops the hook's \
             key); Rudder creates them (POST), as Helm 3 does, so the key stays",
            tool.display()
        );
        shapes.push(release_shape(&upgraded));
    }
    assert_eq!(
        shapes[0],
        serde_json::json!({
            "owner": "release", "value": "one", "managed-by": "Helm",
            "release-name": "pf", "release-namespace": env.namespaces[0],
        }),
        "helm v4.1.4 re-applies the release's ConfigMap after the hook"
    );
    let mut want = shapes[0].clone();
    want["release-namespace"] = Value::from(env.namespaces[1].clone());
    assert_eq!(
        shapes[1], want,
        "rudder must apply the ConfigMap the hook replaced after the preflight"
    );
}

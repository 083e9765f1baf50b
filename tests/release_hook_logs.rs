//! Helm 4's hook output (`helm.sh/hook-output-log-policy`) against helm v4.1.4 and helm v3.17.3 on
//! the local control plane. Its pods run on kwok's fake nodes, which keep no logs: the API server
//! answers a log request with `400 no logs found for container`, so helm v4 prints
//! `level=INFO msg="error outputting logs for hook failure: failed to stream pod logs for pod: P,
//! container: C"` after a hook that succeeded, and the install succeeds. Rudder must print the same
//! line (the pod's random suffix masked) and helm v3 nothing. Printing real logs (`level=INFO
//! msg=…`, one record per write) and the `hook-failed` path cannot run here (kwok neither keeps
//! logs nor fails Jobs): they are covered by `kube::pod_logs`'s unit tests only.
//!
//! Helm 4 prints a hook's logs by what the hook's *record* says (`output_log_policies`), so the
//! test also has helm v4 roll back each release (its own, Rudder's, helm v3's) to its first
//! revision: Rudder's record must make it print as its own does, helm v3's (which has no such
//! field) nothing; Rudder rolling back helm v4's release prints the line too; and the field in
//! Rudder's record is what helm v4 writes.

mod common;

use std::path::Path;

const JOB: &str = r#"apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-job
  annotations:
    helm.sh/hook: post-install,post-rollback
    helm.sh/hook-output-log-policy: " Hook-Succeeded,hook-failed"
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
        command: [echo, hello]
"#;

/// The hook-output lines of `stderr`, with the pod's generated suffix masked.
fn hook_lines(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains("outputting logs") || l.starts_with("level=INFO msg="))
        .map(|l| match l.find("-job-") {
            Some(i) => {
                let rest = &l[i + 5..];
                let end = rest.find(',').unwrap_or(rest.len());
                format!("{}-job-<pod>{}", &l[..i], &rest[end..])
            }
            None => l.to_string(),
        })
        .collect()
}

#[test]
fn hook_output_log_policy_as_helm_4() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let v4 = common::oracle("v4");
    let kubectl = common::oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let id = std::process::id();
    let work = common::scratch("hook-logs");
    let chart = work.join("hk");
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: hk\nversion: 0.1.0\n",
        &[("templates/job.yaml", JOB)],
    );
    let namespaces = [3, 4, 0].map(|n| format!("rcm-hooklogs{n}-{id}"));
    let env = common::HelmEnv::new(&kubeconfig, &work.join("home"));
    let run = |program: &Path, args: &[&str]| {
        let out = env.run(program, args);
        (out.exit, out.stderr)
    };
    for ns in &namespaces {
        let (code, err) = run(&kubectl, &["create", "namespace", ns]);
        assert_eq!(code, 0, "{err}");
    }
    let chart_s = chart.to_str().unwrap();
    // Each tool installs release `a` in a namespace of its own.
    let install = |program: &Path, ns: &str| {
        run(
            program,
            &["install", "a", chart_s, "-n", ns, "--timeout", "120s"],
        )
    };
    let (v3_code, v3_err) = install(&v3, &namespaces[0]);
    let (v4_code, v4_err) = install(&v4, &namespaces[1]);
    let (code, err) = install(&rudder, &namespaces[2]);
    assert_eq!(
        (v4_code, code, v3_code),
        (0, 0, 0),
        "{v4_err}\n{err}\n{v3_err}"
    );
    let want = hook_lines(&v4_err);
    assert_eq!(
        want,
        ["level=INFO msg=\"error outputting logs for hook failure: failed to stream pod logs for pod: a-job-<pod>, container: c\""],
        "helm v4.1.4 on kwok: {v4_err}"
    );
    assert!(
        hook_lines(&v3_err).is_empty(),
        "helm v3 ignores the annotation: {v3_err}"
    );
    // Each release moves to revision 2 with its own tool (the hook does not run on upgrade).
    for (program, ns) in [
        (&v3, &namespaces[0]),
        (&v4, &namespaces[1]),
        (&rudder, &namespaces[2]),
    ] {
        let (code, err) = run(
            program,
            &["upgrade", "a", chart_s, "-n", ns, "--timeout", "120s"],
        );
        assert_eq!(code, 0, "upgrade in {ns}: {err}");
    }
    let rollback = |program: &Path, ns: &str| {
        run(
            program,
            &["rollback", "a", "1", "-n", ns, "--timeout", "120s"],
        )
    };
    let rollbacks = [
        ("helm v4 on its own release", rollback(&v4, &namespaces[1])),
        ("helm v4 on Rudder's release", rollback(&v4, &namespaces[2])),
        (
            "helm v4 on helm v3's release",
            rollback(&v4, &namespaces[0]),
        ),
        (
            "rudder on helm v4's release",
            rollback(&rudder, &namespaces[1]),
        ),
    ];
    // The hook's record in revision 1, as each tool wrote it.
    let hook_record = |ns: &str| -> serde_json::Value {
        use base64::Engine;
        let (code, out) = {
            let o = env.run(
                &kubectl,
                &[
                    "get",
                    "secret",
                    "sh.helm.release.v1.a.v1",
                    "-n",
                    ns,
                    "-o",
                    "jsonpath={.data.release}",
                ],
            );
            (o.exit, o.stdout)
        };
        assert_eq!(code, 0, "record of a in {ns}");
        let inner = base64::engine::general_purpose::STANDARD
            .decode(out.trim())
            .unwrap();
        let json = rudder::storage::codec::decode_json(&inner).unwrap();
        let release: serde_json::Value = serde_json::from_slice(&json).unwrap();
        release["hooks"][0].clone()
    };
    // In the order of `namespaces`: helm v3's, helm v4's, Rudder's.
    let records = namespaces.each_ref().map(|ns| hook_record(ns));
    for ns in &namespaces {
        let _ = run(&kubectl, &["delete", "namespace", ns, "--wait=false"]);
    }
    let _ = std::fs::remove_dir_all(&work);
    assert_eq!(
        hook_lines(&err),
        hook_lines(&v4_err),
        "rudder's stderr: {err}"
    );
    for (what, (code, stderr)) in &rollbacks {
        assert_eq!(*code, 0, "{what}: {stderr}");
        let lines = hook_lines(stderr);
        if what.contains("helm v3's") {
            assert!(
                lines.is_empty(),
                "{what}: a Helm 3 record has no policies: {stderr}"
            );
        } else {
            assert_eq!(lines, want, "{what}: {stderr}");
        }
    }
    let [v3_hook, v4_hook, our_hook] = records;
    assert_eq!(
        v4_hook["output_log_policies"],
        serde_json::json!(["hook-succeeded", "hook-failed"]),
        "helm v4's record: {v4_hook}"
    );
    assert_eq!(
        our_hook["output_log_policies"],
        v4_hook["output_log_policies"]
    );
    assert!(v3_hook.get("output_log_policies").is_none(), "{v3_hook}");
}

//! `--wait` ends as soon as one group of watched objects fails for good (`src/kube/wait.rs`), as
//! Helm's waiter stops at its first error it cannot retry, instead of after the timeout: on the
//! local control plane, an install waits for a Pod that can never be scheduled and a custom
//! resource; the test deletes the custom resource's CRD during the wait, so that group's list is
//! answered `404`, and the install must fail within seconds, naming that resource, not at its
//! 120 s timeout.
//!
//! Without the cluster the test says so and passes, except under CI=true.
mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CRD: &str = r#"apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.rt-wait.example.com
spec:
  group: rt-wait.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
"#;

fn kubectl(kubeconfig: &Path, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(common::oracle("kubectl"))
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kubectl runs");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().expect("kubectl ends");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_group_that_fails_ends_the_wait_at_once() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let work = common::scratch("wait-group-failure");
    let mut cleanup = common::Cleanup::new(&kubeconfig, Some(&work));
    let ns = cleanup.namespace(&format!("rt-waitfail-{}", std::process::id()));
    let (ok, out) = kubectl(&kubeconfig, &["apply", "-f", "-"], Some(CRD));
    assert!(ok, "{out}");
    let (ok, out) = kubectl(
        &kubeconfig,
        &[
            "wait",
            "--for=condition=Established",
            "crd/widgets.rt-wait.example.com",
            "--timeout=60s",
        ],
        None,
    );
    assert!(ok, "{out}");
    let chart = work.join("wf");
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: wf\nversion: 0.1.0\n",
        &[
            (
                "templates/widget.yaml",
                "apiVersion: rt-wait.example.com/v1\nkind: Widget\nmetadata:\n  name: w\nspec: {}\n",
            ),
            (
                "templates/pod.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: stuck\nspec:\n  nodeSelector: {rt-wait: nowhere}\n  containers:\n  - name: c\n    image: busybox\n",
            ),
        ],
    );
    let env = common::HelmEnv::new(&kubeconfig, &work.join("home"));
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let install = env
        .command(
            rudder,
            &[
                "install",
                "wf",
                chart.to_str().unwrap(),
                "-n",
                &ns,
                "--wait",
                "--timeout",
                "120s",
            ],
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rudder runs");
    // Once the objects are applied (the wait has begun), the CRD goes.
    let start = Instant::now();
    while !kubectl(&kubeconfig, &["get", "widget", "w", "-n", &ns], None).0 {
        assert!(start.elapsed() < Duration::from_secs(60), "never applied");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    let (ok, out) = kubectl(
        &kubeconfig,
        &["delete", "crd", "widgets.rt-wait.example.com"],
        None,
    );
    assert!(ok, "{out}");
    let deleted = Instant::now();
    let out = install.wait_with_output().expect("rudder ends");
    let took = deleted.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        took < Duration::from_secs(30),
        "the install ended {took:?} after the CRD's deletion: {stderr}"
    );
    assert!(!stderr.contains("context deadline exceeded"), "{stderr}");
    assert!(stderr.contains("widgets"), "{stderr}");
}

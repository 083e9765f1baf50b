//! Hook Jobs counted done by their pods (`kube::job_pods`, beyond Helm) on the local control plane:
//! a hook Job's wait ends when its pod has succeeded, before kube-controller-manager's Job
//! controller (which syncs a Job a second after its pods change) marks it `Complete`; a Job whose
//! `activeDeadlineSeconds` is too close still waits for the condition; hook order, phases and
//! delete policies stay as Helm's, a Job kept by its policy still ends `Complete`, and a Job deleted
//! by `hook-succeeded` before its controller counted it leaves no pod behind.
//!
//! The times compared: each hook's `completed_at` in the release record (Rudder's clock) and the
//! moment a `kubectl get jobs --watch` started by the test prints the Job's `Complete` condition
//! (this machine's clock too).

mod common;

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

fn job(name: &str, event: &str, weight: i32, policy: &str, extra_spec: &str) -> String {
    format!(
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: {name}
  annotations:
    helm.sh/hook: {event}
    helm.sh/hook-weight: "{weight}"
    helm.sh/hook-delete-policy: {policy}
spec:
  backoffLimit: 0{extra_spec}
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: c
        image: busybox
        command: [echo, hello]
"#
    )
}

#[test]
fn hook_jobs_end_when_their_pods_have_succeeded() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let kubectl = common::oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let work = common::scratch("hook-pods");
    let mut cleanup = common::Cleanup::new(&kubeconfig, Some(&work));
    let ns = cleanup.namespace(&format!("rp-hookpods-{}", std::process::id()));
    let chart = work.join("hp");
    let kept = job("kept", "pre-install", -1, "before-hook-creation", "");
    let close = job(
        "close-deadline",
        "pre-install",
        0,
        "before-hook-creation",
        "\n  activeDeadlineSeconds: 50",
    );
    let deleted = job(
        "deleted",
        "post-install",
        0,
        "before-hook-creation,hook-succeeded",
        "\n  activeDeadlineSeconds: 600",
    );
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: hp\nversion: 0.1.0\n",
        &[
            ("templates/kept.yaml", &kept),
            ("templates/close.yaml", &close),
            ("templates/deleted.yaml", &deleted),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: main\ndata: {}\n",
            ),
        ],
    );
    let env = common::HelmEnv::new(&kubeconfig, &work.join("home"));

    // The test's own watch of the namespace's Jobs: when each was first seen `Complete`. A
    // suspended Job made first is in the watch's initial list: its line says the watch is on.
    let sentinel = "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: sentinel\nspec:\n  suspend: true\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: c\n        image: busybox\n";
    let sentinel_file = work.join("sentinel.yaml");
    std::fs::write(&sentinel_file, sentinel).unwrap();
    env.must(
        &kubectl,
        &["create", "-n", &ns, "-f", sentinel_file.to_str().unwrap()],
    );
    let mut watch = env
        .command(
            &kubectl,
            &[
                "get",
                "jobs",
                "-n",
                &ns,
                "--watch",
                "-o",
                r#"jsonpath={.metadata.name}{" "}{.status.conditions[?(@.status=="True")].type}{"\n"}"#,
            ],
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kubectl get --watch");
    let complete: Arc<Mutex<HashMap<String, SystemTime>>> = Arc::default();
    let stdout = watch.stdout.take().expect("stdout");
    let seen = Arc::clone(&complete);
    let (started, on) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let now = SystemTime::now();
            let mut words = line.split_whitespace();
            if let Some(name) = words.next() {
                if name == "sentinel" {
                    let _ = started.send(());
                }
                if words.any(|w| w == "Complete") {
                    seen.lock().unwrap().entry(name.to_string()).or_insert(now);
                }
            }
        }
    });
    on.recv_timeout(Duration::from_secs(60))
        .expect("kubectl's watch lists the sentinel Job");

    let chart_s = chart.to_str().unwrap();
    let out = env.run(
        &rudder,
        &["install", "a", chart_s, "-n", &ns, "--timeout", "120s"],
    );
    assert_eq!(out.exit, 0, "{}", out.stderr);

    // Hook order and phases as Helm's: weights -1, 0 (pre-install), then the post-install one.
    let status: Value =
        serde_json::from_str(&env.must(&rudder, &["status", "a", "-n", &ns, "-o", "json"]))
            .expect("status JSON");
    let mut runs: HashMap<String, (SystemTime, SystemTime)> = HashMap::new();
    for hook in status["hooks"].as_array().expect("hooks") {
        let run = &hook["last_run"];
        assert_eq!(run["phase"], "Succeeded", "{hook}");
        let time = |field: &str| -> SystemTime {
            chrono::DateTime::parse_from_rfc3339(run[field].as_str().unwrap())
                .expect("RFC 3339")
                .into()
        };
        runs.insert(
            hook["name"].as_str().unwrap().to_string(),
            (time("started_at"), time("completed_at")),
        );
    }
    assert!(runs["kept"].1 <= runs["close-deadline"].0, "{runs:?}");
    assert!(runs["close-deadline"].1 <= runs["deleted"].0, "{runs:?}");

    // `kept` stays (its policy) and its controller still marks it Complete; `deleted` is gone
    // with its pod, though the controller may not have counted the pod yet.
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let jobs = env.must(&kubectl, &["get", "jobs", "-n", &ns, "-o", "name"]);
        let pods = env.must(
            &kubectl,
            &[
                "get",
                "pods",
                "-n",
                &ns,
                "-l",
                "batch.kubernetes.io/job-name=deleted",
                "-o",
                "name",
            ],
        );
        let done = {
            let complete = complete.lock().unwrap();
            complete.contains_key("kept") && complete.contains_key("close-deadline")
        };
        if done && pods.trim().is_empty() {
            let mut jobs: Vec<&str> = jobs.lines().collect();
            jobs.sort();
            assert_eq!(
                jobs,
                [
                    "job.batch/close-deadline",
                    "job.batch/kept",
                    "job.batch/sentinel"
                ]
            );
            break;
        }
        assert!(
            Instant::now() < deadline,
            "jobs {jobs}, pods of the deleted Job {pods}, Complete seen {:?}",
            complete.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    let _ = watch.kill();
    let _ = watch.wait();
    let complete = complete.lock().unwrap().clone();
    // `kept` was done by its pod: its wait ended well before its Complete condition was written
    // (the controller's one-second batch). `close-deadline` (50 s deadline, under the 60 s margin)
    // waited for the condition, as Helm does.
    let early = |name: &str| {
        complete[name]
            .duration_since(runs[name].1)
            .unwrap_or_default()
    };
    assert!(
        early("kept") >= Duration::from_millis(250),
        "kept: hook done at {:?}, Complete seen at {:?}",
        runs["kept"].1,
        complete["kept"]
    );
    assert!(
        runs["close-deadline"].1 + Duration::from_millis(400) >= complete["close-deadline"],
        "close-deadline: hook done at {:?}, before its Complete seen at {:?}",
        runs["close-deadline"].1,
        complete["close-deadline"]
    );
}

//! Release storage on the local control plane, read back by the real Helm binaries: records Rudder's
//! `Storage` writes (Secret and ConfigMap drivers) are what helm v3.17.3 and v4.1.4 read; pruning by
//! `--history-max` keeps the newest revisions and the last deployed one; two writers of the same
//! record cannot both win (resourceVersion); a pending revision carries its holder, `rudder status`
//! shows it, Helm ignores it, and `rudder release-lock` frees the release.
//!
//! The cluster is found as tests/cluster_smoke.rs finds it; without one the test is skipped, or
//! fails when `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use rudder::kube::{Cluster, KubeSettings};
use rudder::storage::record::{Chart, Info, Metadata};
use rudder::storage::{self, LockHolder, Record, Release, Status, Storage, Time};

struct Env {
    kubeconfig: PathBuf,
    home: PathBuf,
}

impl Env {
    fn run(&self, program: &Path, args: &[&str], driver: &str) -> (i32, String, String) {
        let out = common::HelmEnv::new(&self.kubeconfig, &self.home)
            .with_var("HELM_DRIVER", driver)
            .command(program, args)
            .output()
            .expect("run");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn must(&self, program: &Path, args: &[&str], driver: &str) -> String {
        let (code, out, err) = self.run(program, args, driver);
        assert_eq!(code, 0, "{} {args:?}: {err}", program.display());
        out
    }
}

fn release(name: &str, ns: &str, version: i64, status: Status, greeting: &str) -> Release {
    let mut r = Release {
        name: name.into(),
        namespace: ns.into(),
        version,
        manifest: format!(
            "---\n# Source: demo/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  greeting: {greeting}\n"
        ),
        info: Some(Info {
            first_deployed: Time::parse("2026-12-06T10:00:00Z").unwrap(),
            last_deployed: Time::parse(&format!("2026-12-06T10:00:{version:02}Z")).unwrap(),
            status,
            description: if version == 1 {
                "Install complete".into()
            } else {
                "Upgrade complete".into()
            },
            notes: "hello <notes>".into(),
            ..Default::default()
        }),
        chart: Some(Chart {
            metadata: Some(Metadata {
                name: "demo".into(),
                version: "0.1.0".into(),
                api_version: "v2".into(),
                app_version: "1.0".into(),
                ..Default::default()
            }),
            templates: Some(Vec::new()),
            values: Some(serde_json::from_str(r#"{"greeting":"default","keep":1}"#).unwrap()),
            files: Some(Vec::new()),
            ..Default::default()
        }),
        ..Default::default()
    };
    r.config.insert(
        "greeting".into(),
        serde_json::Value::String(greeting.into()),
    );
    r
}

/// Helm's upgrade sequence at the storage level: new revision pending, old superseded, new deployed.
async fn upgrade(s: &Storage, name: &str, ns: &str, version: i64) {
    let mut next = Record::new(release(name, ns, version, Status::PendingUpgrade, "v"));
    next.holder = Some(LockHolder::current());
    s.create(&mut next).await.unwrap();
    let mut prev = s.get(name, version - 1).await.unwrap();
    prev.release.set_status(Status::Superseded, "Superseded");
    s.update(&mut prev).await.unwrap();
    next.release
        .set_status(Status::Deployed, "Upgrade complete");
    next.holder = None;
    s.update(&mut next).await.unwrap();
}

#[test]
fn helm_reads_what_rudder_stores() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let v3 = common::helm_v3().expect("helm v3");
    let v4 = common::oracle("v4");
    let kubectl = common::oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let home = std::env::temp_dir().join(format!("rudder-storage-cluster-{}", std::process::id()));
    let env = Env {
        kubeconfig: kubeconfig.clone(),
        home: home.clone(),
    };
    let ns = format!("st-store-{}", std::process::id());
    env.must(&kubectl, &["create", "namespace", &ns], "");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let settings = KubeSettings {
        kubeconfig: Some(kubeconfig.clone()),
        namespace: Some(ns.clone()),
        ..Default::default()
    };
    let cluster = rt.block_on(Cluster::connect(&settings)).unwrap();
    assert_eq!(cluster.namespace, ns);
    let mut failures: Vec<String> = Vec::new();

    for driver in ["secret", "configmap"] {
        let store = rt
            .block_on(storage::open(
                &storage::DriverChoice::named(driver),
                &cluster,
                Some(ns.clone()),
            ))
            .unwrap()
            .with_max_history(3);
        let name = format!("pruned-{driver}");
        // Install, then five upgrades with --history-max 3.
        rt.block_on(async {
            let mut first = Record::new(release(&name, &ns, 1, Status::Deployed, "v"));
            store.create(&mut first).await.unwrap();
            for v in 2..=6 {
                upgrade(&store, &name, &ns, v).await;
            }
        });
        let revisions = |program: &Path| {
            let out = env.must(
                program,
                &["history", &name, "-n", &ns, "-o", "json"],
                driver,
            );
            let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
            rows.as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    (
                        r["revision"].as_i64().unwrap(),
                        r["status"].as_str().unwrap().to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        let want = vec![
            (4, "superseded".to_string()),
            (5, "superseded".to_string()),
            (6, "deployed".to_string()),
        ];
        for (who, program) in [("helm v3", &v3), ("helm v4", &v4), ("rudder", &rudder)] {
            let got = revisions(program);
            if got != want {
                failures.push(format!("{driver}: {who} history {got:?}, want {want:?}"));
            }
        }
        // Helm reads every part of Rudder's records as it reads its own.
        for args in [
            vec!["history", name.as_str()],
            vec!["status", name.as_str()],
            vec!["status", name.as_str(), "-o", "json"],
            vec!["get", "all", name.as_str()],
            vec!["get", "values", name.as_str(), "-a"],
            vec!["list", "-a"],
        ] {
            let mut args = args.clone();
            args.extend(["-n", ns.as_str()]);
            let want = env.run(&v3, &args, driver);
            let got = env.run(&rudder, &args, driver);
            if want != got {
                failures.push(format!(
                    "{driver}: helm {}\n--- helm v3\n{}{}--- rudder\n{}{}",
                    args.join(" "),
                    want.1,
                    want.2,
                    got.1,
                    got.2
                ));
            }
        }
        // Labels as Helm writes them.
        let kind = if driver == "secret" {
            "secret"
        } else {
            "configmap"
        };
        let labels = env.must(
            &kubectl,
            &[
                "get",
                kind,
                &format!("sh.helm.release.v1.{name}.v6"),
                "-n",
                &ns,
                "-o",
                "jsonpath={.metadata.labels}",
            ],
            "",
        );
        let labels: serde_json::Value = serde_json::from_str(&labels).unwrap();
        for (k, v) in [
            ("name", name.as_str()),
            ("owner", "helm"),
            ("status", "deployed"),
            ("version", "6"),
        ] {
            if labels[k] != v {
                failures.push(format!("{driver}: label {k} is {}, want {v}", labels[k]));
            }
        }
        // As in Helm, the update that deployed the revision wrote `modifiedAt`, and `createdAt`
        // (set on create only) is gone because the in-memory release never carried it.
        if !labels["modifiedAt"].is_string() || !labels["createdAt"].is_null() {
            failures.push(format!(
                "{driver}: timestamps not as Helm leaves them: {labels}"
            ));
        }
    }

    // Two writers of one record: only the first wins, on the real API server.
    let store = rt
        .block_on(storage::open(
            &storage::DriverChoice::named("secret"),
            &cluster,
            Some(ns.clone()),
        ))
        .unwrap();
    rt.block_on(async {
        let mut a = store.last("pruned-secret").await.unwrap();
        let mut b = store.last("pruned-secret").await.unwrap();
        a.release.set_status(Status::Deployed, "first writer");
        store.update(&mut a).await.unwrap();
        b.release.set_status(Status::Failed, "second writer");
        match store.update(&mut b).await {
            Err(storage::Error::Conflict { object }) => {
                assert_eq!(
                    object,
                    format!("Secret {ns}/sh.helm.release.v1.pruned-secret.v6")
                )
            }
            other => failures.push(format!("second writer was not refused: {other:?}")),
        }
        let now = store.last("pruned-secret").await.unwrap();
        assert_eq!(now.release.info.unwrap().description, "first writer");
    });

    // A pending revision whose holder is gone: shown by status, ignored by Helm, freed by release-lock.
    let dead_pid = {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    rt.block_on(async {
        let mut r = Record::new(release("locked", &ns, 1, Status::PendingInstall, "v"));
        r.holder = Some(LockHolder {
            pid: dead_pid,
            ..LockHolder::current()
        });
        store.create(&mut r).await.unwrap();
    });
    let (code, out, _) = env.run(&rudder, &["status", "locked", "-n", &ns], "");
    if code != 0
        || !out.contains(&format!("LOCKED BY: pid {dead_pid} on "))
        || !out.contains("that process is gone")
    {
        failures.push(format!("status of a locked release:\n{out}"));
    }
    let (code, helm_out, err) = env.run(&v3, &["status", "locked", "-n", &ns], "");
    if code != 0 || !helm_out.contains("STATUS: pending-install") || helm_out.contains("LOCKED") {
        failures.push(format!("helm status of a locked release:\n{helm_out}{err}"));
    }
    let (code, out, err) = env.run(&rudder, &["release-lock", "locked", "-n", &ns], "");
    if code != 0 || !out.contains("revision 1 (pending-install) is now failed") {
        failures.push(format!("release-lock: {out}{err}"));
    }
    let (_, out, _) = env.run(&v3, &["history", "locked", "-n", &ns, "-o", "json"], "");
    if !out.contains("\"status\":\"failed\"") || !out.contains("released by release-lock") {
        failures.push(format!("helm history after release-lock: {out}"));
    }
    let (code, _, err) = env.run(&rudder, &["release-lock", "locked", "-n", &ns], "");
    if code != 1 || !err.contains("is not locked: its last revision 1 is failed") {
        failures.push(format!("release-lock twice: {err}"));
    }

    let _ = env.run(&kubectl, &["delete", "namespace", &ns, "--wait=false"], "");
    let _ = std::fs::remove_dir_all(&home);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

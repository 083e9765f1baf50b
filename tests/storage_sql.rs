//! The `sql` driver against a real PostgreSQL (scripts/postgres) and the real Helm: Helm's rows are
//! read by Rudder as Helm reads them (the read commands print the same), rows Rudder writes are read
//! by Helm, Rudder creates Helm's schema (recorded in `gorp_migrations`) when it is the first to use a
//! database and Helm then uses it as its own, `--history-max` pruning, and two writers of the same
//! row cannot both win.
//!
//! Needs the local control plane too (Helm checks the cluster is reachable before reading
//! releases). Without either, the test is skipped, or fails when `CI=true`.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};

use common::HelmEnv;
use rudder::kube::{Cluster, KubeSettings};
use rudder::storage::record::{Chart, Info, Metadata};
use rudder::storage::{self, LockHolder, Record, Release, Status, Time};

fn skip_or_fail(why: &str) {
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{why}");
    }
    eprintln!("SKIPPED: {why}");
}

fn first_line_of(program: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .map(String::from)
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Helm's isolated environment with the `sql` driver on `connection`.
fn sql_env(kubeconfig: &Path, home: &Path, connection: &str) -> HelmEnv {
    HelmEnv::new(kubeconfig, home)
        .with_var("HELM_DRIVER", "sql")
        .with_var("HELM_DRIVER_SQL_CONNECTION_STRING", connection)
}

fn with_dbname(connection: &str, db: &str) -> String {
    let mut parts: Vec<String> = connection
        .split_whitespace()
        .filter(|p| !p.starts_with("dbname="))
        .map(String::from)
        .collect();
    parts.push(format!("dbname={db}"));
    parts.join(" ")
}

async fn admin(connection: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(connection, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    // CREATE/DROP DATABASE cannot run in the implicit transaction of a multi-statement batch.
    for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
        client.batch_execute(statement).await.unwrap();
    }
}

fn release(name: &str, ns: &str, version: i64, status: Status) -> Release {
    let mut r = Release {
        name: name.into(),
        namespace: ns.into(),
        version,
        manifest: "---\n# Source: demo/templates/cm.yaml\nkind: ConfigMap\n".into(),
        info: Some(Info {
            first_deployed: Time::parse("2026-12-06T10:00:00Z").unwrap(),
            last_deployed: Time::parse(&format!("2026-12-06T10:00:{version:02}Z")).unwrap(),
            status,
            description: "Upgrade complete".into(),
            ..Default::default()
        }),
        chart: Some(Chart {
            metadata: Some(Metadata {
                name: "demo".into(),
                version: "0.1.0".into(),
                api_version: "v2".into(),
                ..Default::default()
            }),
            values: Some(serde_json::from_str(r#"{"a":1}"#).unwrap()),
            ..Default::default()
        }),
        ..Default::default()
    };
    r.config.insert("b".into(), serde_json::json!(2));
    r
}

#[test]
fn sql_driver_shares_rows_with_helm() {
    let Some(kubeconfig) = common::kubeconfig() else {
        return;
    };
    let base = match std::env::var("RUDDER_TEST_POSTGRES") {
        Ok(c) if !c.is_empty() => c,
        _ => match first_line_of(&root().join("scripts/postgres"), &["up"]) {
            Some(c) => c,
            None => return skip_or_fail("no PostgreSQL (scripts/postgres up failed)"),
        },
    };
    let v3 = common::helm_v3().expect("helm v3");
    let kubectl = common::oracle("kubectl");
    let rudder = common::rudder_as_helm();
    let pid = std::process::id();
    let (db_helm, db_rudder) = (format!("st_sql_helm_{pid}"), format!("st_sql_rudder_{pid}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(admin(
        &base,
        &format!("CREATE DATABASE {db_helm}; CREATE DATABASE {db_rudder};"),
    ));
    let work = common::scratch("storage-sql");
    let chart = work.join("demo");
    common::write_chart(
        &chart,
        "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
        &[
            ("values.yaml", "greeting: hello\n"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  g: {{ .Values.greeting }}\n",
            ),
        ],
    );
    let ns = format!("st-sql-{pid}");
    let env = sql_env(
        &kubeconfig,
        &work.join("home"),
        &with_dbname(&base, &db_helm),
    );
    let chart_s = chart.to_str().unwrap();
    let mut failures = Vec::new();

    // 1. Helm creates the schema and its rows; Rudder reads them as Helm does.
    env.must(
        &v3,
        &[
            "install",
            "web",
            chart_s,
            "-n",
            &ns,
            "--create-namespace",
            "--labels",
            "team=x",
        ],
    );
    env.must(
        &v3,
        &["upgrade", "web", chart_s, "-n", &ns, "--set", "greeting=hi"],
    );
    for args in [
        vec!["history", "web"],
        vec!["history", "web", "-o", "json"],
        vec!["status", "web"],
        vec!["get", "values", "web", "-a"],
        vec!["get", "all", "web", "--revision", "1"],
        vec!["list", "-a"],
        vec!["list", "-l", "team=x"],
        vec!["list", "-A", "-o", "json"],
        vec!["history", "nope"],
    ] {
        let mut args = args.clone();
        args.extend(["-n", ns.as_str()]);
        let (want, got) = (env.run(&v3, &args), env.run(&rudder, &args));
        if want != got {
            failures.push(format!(
                "helm {}\n--- helm v3\n{}{}--- rudder\n{}{}",
                args.join(" "),
                want.stdout,
                want.stderr,
                got.stdout,
                got.stderr
            ));
        }
    }

    // 2. Rudder writes into Helm's tables (an upgrade, with --history-max 2); Helm reads it.
    let settings = KubeSettings {
        kubeconfig: Some(kubeconfig.clone()),
        namespace: Some(ns.clone()),
        ..Default::default()
    };
    let cluster = rt.block_on(Cluster::connect(&settings)).unwrap();
    let sql = |connection: &str| storage::DriverChoice {
        driver: "sql".into(),
        sql_connection: connection.to_string(),
    };
    rt.block_on(async {
        let s = storage::open(
            &sql(&with_dbname(&base, &db_helm)),
            &cluster,
            Some(ns.clone()),
        )
        .await
        .unwrap()
        .with_max_history(2);
        let mut next = s.last("web").await.unwrap();
        assert_eq!(next.labels.get("team").map(String::as_str), Some("x"));
        next.release.version = 3;
        next.release
            .set_status(Status::PendingUpgrade, "Preparing upgrade");
        next.resource_version = None;
        s.create(&mut next).await.unwrap();
        let mut prev = s.get("web", 2).await.unwrap();
        prev.release.set_status(Status::Superseded, "Superseded");
        s.update(&mut prev).await.unwrap();
        next.release
            .set_status(Status::Deployed, "Upgrade complete");
        s.update(&mut next).await.unwrap();
        // Two writers of revision 3: the second is refused.
        let mut a = s.get("web", 3).await.unwrap();
        let mut b = s.get("web", 3).await.unwrap();
        a.release.set_status(Status::Deployed, "first writer");
        s.update(&mut a).await.unwrap();
        b.release.set_status(Status::Failed, "second writer");
        if !matches!(s.update(&mut b).await, Err(storage::Error::Conflict { .. })) {
            failures.push("sql: the second writer was not refused".to_string());
        }
    });
    let out = env.must(&v3, &["history", "web", "-n", &ns, "-o", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let got: Vec<(i64, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    if got != [(2, "superseded".to_string()), (3, "deployed".to_string())] {
        failures.push(format!(
            "helm history after rudder's upgrade with --history-max 2: {got:?}"
        ));
    }
    let labels = env.must(&v3, &["list", "-n", &ns, "-l", "team=x", "-q"]);
    if labels.trim() != "web" {
        failures.push(format!(
            "custom labels of rudder's revision not seen by helm: {labels:?}"
        ));
    }

    // 3. A database Rudder uses first: Rudder creates Helm's schema; Helm uses it as its own.
    rt.block_on(async {
        let s = storage::open(
            &sql(&with_dbname(&base, &db_rudder)),
            &cluster,
            Some(ns.clone()),
        )
        .await
        .unwrap();
        s.create(&mut Record::new(release("made", &ns, 1, Status::Deployed)))
            .await
            .unwrap();
    });
    let env2 = sql_env(
        &kubeconfig,
        &work.join("home"),
        &with_dbname(&base, &db_rudder),
    );
    let out = env2.must(&v3, &["history", "made", "-n", &ns]);
    if !out.contains("deployed") || !out.contains("demo-0.1.0") {
        failures.push(format!("helm history of a row rudder wrote: {out}"));
    }
    env2.must(&v3, &["install", "second", chart_s, "-n", &ns]);
    let out = env2.must(&rudder, &["list", "-n", &ns, "-q"]);
    if out != "made\nsecond\n" {
        failures.push(format!(
            "rudder list after helm used rudder's schema: {out:?}"
        ));
    }

    // 4. A pending revision keeps its holder in Rudder's own table: `status` shows it, Helm reads
    //    the row as usual, and `release-lock` frees the release without --force.
    let dead_pid = {
        let mut child = Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    };
    rt.block_on(async {
        let s = storage::open(
            &sql(&with_dbname(&base, &db_rudder)),
            &cluster,
            Some(ns.clone()),
        )
        .await
        .unwrap();
        let mut r = Record::new(release("locked", &ns, 1, Status::PendingInstall));
        r.holder = Some(LockHolder {
            pid: dead_pid,
            ..LockHolder::current()
        });
        s.create(&mut r).await.unwrap();
        let read = s.last("locked").await.unwrap();
        if read.holder.as_ref().map(|h| h.pid) != Some(dead_pid) {
            failures.push(format!("sql: holder not read back: {:?}", read.holder));
        }
    });
    let out = env2.must(&rudder, &["status", "locked", "-n", &ns]);
    if !out.contains(&format!("LOCKED BY: pid {dead_pid} on ")) {
        failures.push(format!("rudder status of a locked sql release:\n{out}"));
    }
    let out = env2.must(&v3, &["status", "locked", "-n", &ns]);
    if !out.contains("STATUS: pending-install") {
        failures.push(format!("helm status of a locked sql release:\n{out}"));
    }
    let common::Outcome {
        exit: code,
        stdout: out,
        stderr: err,
    } = env2.run(&rudder, &["release-lock", "locked", "-n", &ns]);
    if code != 0 || !out.contains("revision 1 (pending-install) is now failed") {
        failures.push(format!("sql release-lock: {out}{err}"));
    }
    let out = env2.must(&v3, &["history", "locked", "-n", &ns]);
    if !out.contains("failed") {
        failures.push(format!("helm history after sql release-lock: {out}"));
    }
    rt.block_on(async {
        let s = storage::open(
            &sql(&with_dbname(&base, &db_rudder)),
            &cluster,
            Some(ns.clone()),
        )
        .await
        .unwrap();
        if let Some(h) = s.last("locked").await.unwrap().holder {
            failures.push(format!(
                "sql: holder kept after the lock was released: {h:?}"
            ));
        }
    });
    // Helm still migrates and uses the database (its sql-migrate sees only its own migrations).
    env2.must(&v3, &["install", "third", chart_s, "-n", &ns]);
    let _ = env2.run(&v3, &["uninstall", "third", "-n", &ns]);

    let _ = env2.run(&v3, &["uninstall", "second", "-n", &ns]);
    let _ = Command::new(&kubectl)
        .args(["delete", "namespace", &ns, "--wait=false"])
        .env("KUBECONFIG", &kubeconfig)
        .output();
    rt.block_on(admin(
        &base,
        &format!("DROP DATABASE {db_helm} WITH (FORCE); DROP DATABASE {db_rudder} WITH (FORCE);"),
    ));
    let _ = std::fs::remove_dir_all(&work);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

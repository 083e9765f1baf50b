//! Release commands on the local control plane where things go wrong, and their command-line
//! details, against helm v3.17.3 and v4.1.4 on the same input: bad input to `install` and `upgrade`
//! (a namespace that does not exist, a name over 53 characters, a manifest the API server rejects,
//! an unknown kind, RBAC refusals, a corrupted record), an `uninstall` whose deletions are refused,
//! `uninstall --cascade`, and dates printed in other time zones. Rudder runs under the name `helm`.
//!
//! Each test works in its own namespace (`rc-…`), deleted at the end. Cluster selection as
//! `tests/releases.rs`: `KUBECONFIG` if it names a file whose servers are on 127.0.0.0/8, else
//! `tests/cluster/up`; without a cluster the tests fail when `CI=true` and are skipped otherwise.
mod common;
use common::{kubeconfig, oracle};

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

fn rudder() -> PathBuf {
    static LINK: OnceLock<PathBuf> = OnceLock::new();
    LINK.get_or_init(common::rudder_as_helm).clone()
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Outcome {
    /// The stderr lines that are not log lines (helm v4 logs errors as `level=…` too).
    fn errors(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("level=") && !l.contains("[debug]"))
            .collect()
    }

    fn first_error(&self) -> &str {
        self.errors().first().copied().unwrap_or_default()
    }
}

/// One test's namespace, scratch directory and tools.
struct Env {
    kubeconfig: PathBuf,
    ns: String,
    dir: PathBuf,
    helm3: PathBuf,
    helm4: PathBuf,
    kubectl: PathBuf,
}

impl Env {
    fn new(test: &str) -> Option<Env> {
        let kubeconfig = kubeconfig()?;
        let ns = format!("rc-{test}-{}", std::process::id());
        let dir = std::env::temp_dir().join(format!("rudder-release-cli-{ns}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).unwrap();
        let env = Env {
            kubeconfig,
            ns,
            dir,
            helm3: common::helm_v3().expect("helm v3"),
            helm4: oracle("v4"),
            kubectl: oracle("kubectl"),
        };
        env.ok(&env.kubectl, &["create", "namespace", &env.ns]);
        Some(env)
    }

    fn run_tz(&self, program: &Path, args: &[&str], tz: &str) -> Outcome {
        let home = self.dir.join("home");
        let out = Command::new(program)
            .args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("KUBECONFIG", &self.kubeconfig)
            .env("HELM_NAMESPACE", &self.ns)
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("TZ", tz)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        Outcome {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn run(&self, program: &Path, args: &[&str]) -> Outcome {
        self.run_tz(program, args, "UTC")
    }

    fn ok(&self, program: &Path, args: &[&str]) -> String {
        let out = self.run(program, args);
        assert_eq!(
            out.code,
            0,
            "{} {} failed:\n{}{}",
            program.display(),
            args.join(" "),
            out.stdout,
            out.stderr
        );
        out.stdout
    }

    /// Writes a chart `name` with the given template files under the scratch directory.
    fn chart(&self, name: &str, templates: &[(&str, &str)]) -> String {
        let dir = self.dir.join(name);
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(
            dir.join("Chart.yaml"),
            format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
        )
        .unwrap();
        for (file, text) in templates {
            std::fs::write(dir.join("templates").join(file), text).unwrap();
        }
        dir.to_string_lossy().into_owned()
    }

    /// Statuses of the release's records, by revision (from the Secrets' labels).
    fn statuses(&self, release: &str) -> Vec<String> {
        let text = self.ok(
            &self.kubectl,
            &[
                "-n",
                &self.ns,
                "get",
                "secrets",
                "-l",
                &format!("owner=helm,name={release}"),
                "-o",
                "json",
            ],
        );
        let list: Value = serde_json::from_str(&text).unwrap();
        let mut out: Vec<(i64, String)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let labels = &s["metadata"]["labels"];
                (
                    labels["version"].as_str().unwrap().parse().unwrap(),
                    labels["status"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        out.sort();
        out.into_iter().map(|(_, s)| s).collect()
    }

    fn exists(&self, kind: &str, name: &str) -> bool {
        self.run(&self.kubectl, &["-n", &self.ns, "get", kind, name])
            .code
            == 0
    }

    /// A user (impersonated with `--kube-as-user`) who may do anything with Secrets in the
    /// namespace, and only read ConfigMaps.
    fn read_only_configmaps_user(&self) -> &'static str {
        let user = "rc-no-configmaps";
        let rbac = format!(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: {user}\n  namespace: {ns}\nrules:\n- apiGroups: [\"\"]\n  resources: [secrets]\n  verbs: [get, list, watch, create, update, patch, delete]\n- apiGroups: [\"\"]\n  resources: [configmaps]\n  verbs: [get, list, watch]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: {user}\n  namespace: {ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: {user}\nsubjects:\n- apiGroup: rbac.authorization.k8s.io\n  kind: User\n  name: {user}\n",
            ns = self.ns
        );
        let file = self.dir.join("rbac.yaml");
        std::fs::write(&file, rbac).unwrap();
        self.ok(&self.kubectl, &["apply", "-f", file.to_str().unwrap()]);
        user
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = self.run(
            &self.kubectl,
            &["delete", "namespace", &self.ns, "--wait=false"],
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  a: {{ .Values.a | default \"1\" | quote }}\n";

/// `history`, `list` and `status` print times in the reader's zone, with the zone's abbreviation
/// when the record's offset is the local one (else `+0100 +0100`, as Go prints a fixed zone): the
/// same as helm v3.17.3 for records written by Rudder and by Helm in three different zones.
#[test]
fn dates_in_local_zones_as_helm() {
    let Some(env) = Env::new("tz") else {
        return;
    };
    let chart = env.chart("tz", &[("cm.yaml", CONFIGMAP)]);
    let rudder = rudder();
    let ok = |program: &Path, args: &[&str], tz: &str| {
        let out = env.run_tz(program, args, tz);
        assert_eq!(out.code, 0, "{}", out.stderr);
    };
    ok(&rudder, &["install", "tz", &chart], "Europe/Paris");
    ok(
        &env.helm3,
        &["upgrade", "tz", &chart, "--set", "a=2"],
        "America/New_York",
    );
    ok(
        &env.helm4,
        &["upgrade", "tz", &chart, "--set", "a=3"],
        "Asia/Kolkata",
    );
    ok(
        &rudder,
        &["upgrade", "tz", &chart, "--set", "a=4"],
        "America/New_York",
    );
    let mut failures = Vec::new();
    let mut compared = 0;
    for tz in ["Europe/Paris", "America/New_York", "UTC"] {
        for line in [
            "list -a",
            "list -o json",
            "list -o yaml",
            "history tz",
            "history tz -o json",
            "history tz -o yaml",
            "status tz",
            "status tz --revision 1",
            "status tz --revision 2 -o json",
            "status tz --revision 3 -o yaml",
            "get metadata tz --revision 1",
            "get metadata tz --revision 2 -o json",
        ] {
            let args: Vec<&str> = line.split(' ').collect();
            let want = env.run_tz(&env.helm3, &args, tz);
            let got = env.run_tz(&rudder, &args, tz);
            compared += 1;
            if want != got {
                failures.push(format!(
                    "TZ={tz} helm {line}\n--- helm v3.17.3\n{}{}--- rudder\n{}{}",
                    want.stdout, want.stderr, got.stdout, got.stderr
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!("{compared} outputs equal to helm v3.17.3's in three time zones");
}

/// An uninstall whose deletions the API server refuses: Helm's `failed to delete release: NAME`,
/// exit 1, the object still there and the record left `uninstalling` (as helm v3 and v4 leave
/// it); Rudder also names the refused object. Running `uninstall` again with the rights finishes it.
#[test]
fn uninstall_whose_delete_fails_stays_uninstalling() {
    let Some(env) = Env::new("unin") else {
        return;
    };
    let chart = env.chart("unin", &[("cm.yaml", CONFIGMAP)]);
    let user = env.read_only_configmaps_user();
    let rudder = rudder();
    let tools = [
        ("helm v3.17.3", env.helm3.clone(), "u3"),
        ("helm v4.1.4", env.helm4.clone(), "u4"),
        ("rudder", rudder.clone(), "ur"),
    ];
    let mut outcomes = Vec::new();
    for (which, tool, release) in &tools {
        env.ok(tool, &["install", release, &chart]);
        let out = env.run(tool, &["uninstall", release, "--kube-as-user", user]);
        assert_eq!(out.code, 1, "{which}: {}", out.stderr);
        assert_eq!(
            out.first_error(),
            format!("Error: failed to delete release: {release}"),
            "{which}"
        );
        assert_eq!(env.statuses(release), ["uninstalling"], "{which}");
        assert!(env.exists("configmap", &format!("{release}-cm")), "{which}");
        outcomes.push(out);
    }
    let ours = &outcomes[2];
    assert!(
        ours.stderr.contains("ConfigMap") && ours.stderr.contains("forbidden"),
        "the refused object is named: {}",
        ours.stderr
    );
    // Both Helms read Rudder's `uninstalling` record as they read their own.
    for (which, tool) in [("helm v3.17.3", &env.helm3), ("helm v4.1.4", &env.helm4)] {
        let history = env.ok(tool, &["history", "ur"]);
        assert!(
            history.contains("uninstalling") && history.contains("Deletion in progress"),
            "{which}: {history}"
        );
    }
    // Again, with the rights: done, nothing left.
    let out = env.ok(&rudder, &["uninstall", "ur"]);
    assert_eq!(out, "release \"ur\" uninstalled\n");
    assert!(env.statuses("ur").is_empty());
    assert!(!env.exists("configmap", "ur-cm"));
}

/// `uninstall --cascade orphan` leaves the dependents of the release's objects (their owner
/// references removed by the garbage collector); the default (background) deletes them.
#[test]
fn uninstall_cascade() {
    let Some(env) = Env::new("cascade") else {
        return;
    };
    let chart = env.chart("cascade", &[("cm.yaml", CONFIGMAP)]);
    let rudder = rudder();
    let dependent = |release: &str| {
        let uid = env.ok(
            &env.kubectl,
            &[
                "-n",
                &env.ns,
                "get",
                "configmap",
                &format!("{release}-cm"),
                "-o",
                "jsonpath={.metadata.uid}",
            ],
        );
        let child = serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": format!("{release}-child"), "namespace": env.ns,
                "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap",
                    "name": format!("{release}-cm"), "uid": uid}]},
        });
        let file = env.dir.join(format!("{release}-child.json"));
        std::fs::write(&file, child.to_string()).unwrap();
        env.ok(&env.kubectl, &["create", "-f", file.to_str().unwrap()]);
    };
    // Polls up to 30 s for `cond`.
    let eventually = |cond: &dyn Fn() -> bool| {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if cond() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        false
    };
    for (release, cascade, child_survives) in [
        ("orphan", Some("orphan"), true),
        ("background", None, false),
        ("foreground", Some("foreground"), false),
    ] {
        env.ok(&rudder, &["install", release, &chart]);
        dependent(release);
        let mut args = vec!["uninstall", release];
        if let Some(c) = cascade {
            args.extend(["--cascade", c]);
        }
        env.ok(&rudder, &args);
        let child = format!("{release}-child");
        assert!(
            eventually(&|| !env.exists("configmap", &format!("{release}-cm"))),
            "{release}: the release's object is deleted"
        );
        if child_survives {
            std::thread::sleep(Duration::from_secs(3));
            assert!(env.exists("configmap", &child), "{release}: child kept");
        } else {
            assert!(
                eventually(&|| !env.exists("configmap", &child)),
                "{release}: child deleted"
            );
        }
    }
}

/// How Rudder's first error line compares with Helm's.
#[derive(Clone, Copy)]
enum Wording {
    /// Equal to helm v3's and v4's (but for v4's lower-case `kubernetes`).
    Both,
    /// Equal to helm v3's (v4 rewords it).
    V3,
    /// The API server's message, as helm v4 prints it, after the object's kind and name.
    Server,
}

/// Bad input to `install` and `upgrade --install`: the same exit code and first error line as helm
/// v3.17.3 (and v4.1.4 where it words it the same), and the same state left behind: no record
/// when nothing was applied, a `failed` record when some objects were.
#[test]
fn bad_install_input_as_helm() {
    let Some(env) = Env::new("bad") else {
        return;
    };
    let good = env.chart("good", &[("cm.yaml", CONFIGMAP)]);
    let invalid = env.chart(
        "invalid",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-good\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_{{ .Release.Name }}\n",
        )],
    );
    let unknown = env.chart(
        "unknown",
        &[(
            "cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-good\n---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: {{ .Release.Name }}-w\n",
        )],
    );
    let user = env.read_only_configmaps_user();
    let missing_ns = format!("{}-missing", env.ns);
    let long_name = "a".repeat(54);
    let rudder = rudder();
    // (case, args with `{r}` for the release name, how the first line compares, what is left:
    // statuses)
    use Wording::*;
    let cases: Vec<(&str, Vec<String>, Wording, Vec<&str>)> = vec![
        (
            "namespace missing",
            vec![
                "install".into(),
                "{r}".into(),
                good.clone(),
                "-n".into(),
                missing_ns.clone(),
            ],
            Both,
            vec![],
        ),
        (
            "namespace missing, upgrade --install",
            vec![
                "upgrade".into(),
                "--install".into(),
                "{r}".into(),
                good.clone(),
                "-n".into(),
                missing_ns.clone(),
            ],
            Both,
            vec![],
        ),
        (
            "name over 53 characters",
            vec!["install".into(), long_name.clone(), good.clone()],
            V3,
            vec![],
        ),
        (
            "unknown kind",
            vec!["install".into(), "{r}".into(), unknown.clone()],
            Both,
            vec![],
        ),
        (
            "manifest the API server rejects",
            vec!["install".into(), "{r}".into(), invalid.clone()],
            Server,
            vec!["failed"],
        ),
        (
            "RBAC forbids creating a ConfigMap",
            vec![
                "install".into(),
                "{r}".into(),
                good.clone(),
                "--kube-as-user".into(),
                user.into(),
            ],
            Server,
            vec!["failed"],
        ),
        (
            "unreachable API server",
            vec![
                "install".into(),
                "{r}".into(),
                good.clone(),
                "--kube-apiserver".into(),
                "https://127.0.0.1:1".into(),
            ],
            V3,
            vec![],
        ),
    ];
    let mut failures = Vec::new();
    for (i, (case, args, wording, left)) in cases.iter().enumerate() {
        let mut firsts = Vec::new();
        for (which, tool) in [
            ("helm v3.17.3", &env.helm3),
            ("helm v4.1.4", &env.helm4),
            ("rudder", &rudder),
        ] {
            let release = format!("b{i}-{}", &which[which.len() - 1..]);
            let args: Vec<String> = args.iter().map(|a| a.replace("{r}", &release)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = env.run(tool, &args);
            if out.code != 1 {
                failures.push(format!("{case}: {which} exit code {}", out.code));
            }
            if args[0] == "install" && args[1] == release {
                let statuses = env.statuses(&release);
                if statuses != *left {
                    failures.push(format!(
                        "{case}: {which} left records {statuses:?}, want {left:?}"
                    ));
                }
            }
            firsts.push((which, out));
        }
        let (v3, v4, ours) = (&firsts[0].1, &firsts[1].1, &firsts[2].1);
        let strip = |o: &Outcome, suffix: &str| {
            o.first_error()
                .replace(&format!("b{i}-{suffix}"), "RELEASE")
        };
        let same_as = |helm: &Outcome, suffix: &str| {
            strip(helm, suffix).eq_ignore_ascii_case(&strip(ours, "r"))
        };
        let matched = match wording {
            Both => same_as(v3, "3") && same_as(v4, "4"),
            V3 => same_as(v3, "3"),
            // helm v3 says `1 error occurred:` and the server's message on the next line; v4 the
            // server's message; Rudder names the object and then gives the server's message.
            Server => {
                let message = strip(v4, "4");
                let message = message.trim_start_matches("Error: INSTALLATION FAILED: ");
                strip(ours, "r").ends_with(message)
                    && strip(v3, "3") == "Error: INSTALLATION FAILED: 1 error occurred:"
            }
        };
        if !matched {
            failures.push(format!(
                "{case}: first error line\n  helm v3: {}\n  helm v4: {}\n  rudder:  {}",
                v3.first_error(),
                v4.first_error(),
                ours.first_error()
            ));
        }
        if case.contains("upgrade --install") {
            for (which, out) in &firsts {
                let suffix = &which[which.len() - 1..];
                let want =
                    format!("Release \"b{i}-{suffix}\" does not exist. Installing it now.\n");
                if out.stdout != want {
                    failures.push(format!("{case}: {which} stdout {:?}", out.stdout));
                }
            }
        }
    }
    assert!(!env.exists("namespace", &missing_ns));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A corrupted last record: `upgrade`, `rollback` and `uninstall` stop with an error naming the
/// Secret and what is wrong, and change nothing.
#[test]
fn corrupted_record_stops_every_command() {
    let Some(env) = Env::new("corrupt") else {
        return;
    };
    let chart = env.chart("corrupt", &[("cm.yaml", CONFIGMAP)]);
    let rudder = rudder();
    env.ok(&rudder, &["install", "c", &chart]);
    env.ok(&rudder, &["upgrade", "c", &chart, "--set", "a=2"]);
    let key = "sh.helm.release.v1.c.v2";
    let patch = serde_json::json!({"data": {"release": "bm90IGd6aXAgZGF0YQ=="}}).to_string();
    env.ok(
        &env.kubectl,
        &["-n", &env.ns, "patch", "secret", key, "-p", &patch],
    );
    for args in [
        vec!["upgrade", "c", chart.as_str(), "--set", "a=3"],
        vec!["rollback", "c", "1"],
        vec!["uninstall", "c"],
        vec!["upgrade", "--install", "c", chart.as_str()],
    ] {
        let out = env.run(&rudder, &args);
        assert_eq!(out.code, 1, "{args:?}: {}", out.stderr);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.first_error().contains(key) && out.first_error().contains(&env.ns),
            "{args:?}: the record is named: {}",
            out.stderr
        );
        assert_eq!(env.statuses("c").len(), 2, "{args:?}: nothing recorded");
        assert!(env.exists("configmap", "c-cm"), "{args:?}");
    }
}

/// `--hide-secret`: refused without a dry run (Helm's message, before anything else); with one, the
/// printed manifest has Helm's placeholder for each v1 Secret, hooks whole, as helm v3.17.3 prints.
#[test]
fn hide_secret_as_helm() {
    let Some(env) = Env::new("hide") else {
        return;
    };
    let chart = env.chart(
        "hide",
        &[
            (
                "all.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-s\nstringData:\n  password: hunter2\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-c\n",
            ),
            (
                "hook.yaml",
                "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    helm.sh/hook: pre-install\nstringData:\n  a: b\n",
            ),
        ],
    );
    let rudder = rudder();
    let mut failures = Vec::new();
    for line in [
        "install h CHART --hide-secret",
        "upgrade h CHART --hide-secret",
        "upgrade --install h CHART --hide-secret",
        "install h CHART --hide-secret --dry-run",
        "install h CHART --hide-secret --dry-run=server",
        "upgrade --install h CHART --hide-secret --dry-run",
    ] {
        let args: Vec<&str> = line
            .split(' ')
            .map(|w| if w == "CHART" { chart.as_str() } else { w })
            .collect();
        let without_time = |o: &Outcome| Outcome {
            stdout: o
                .stdout
                .lines()
                .filter(|l| !l.starts_with("LAST DEPLOYED:"))
                .map(|l| format!("{l}\n"))
                .collect(),
            stderr: o.errors().join("\n"),
            ..o.clone()
        };
        let want = without_time(&env.run(&env.helm3, &args));
        let got = without_time(&env.run(&rudder, &args));
        if want != got {
            failures.push(format!(
                "helm {line}\n--- helm v3.17.3\n{want:?}\n--- rudder\n{got:?}"
            ));
        }
    }
    assert!(env.statuses("h").is_empty(), "a dry run records nothing");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `install|upgrade --dry-run -o json|yaml` print the release as helm v3.17.3 prints it (no
/// `apply_method`; `chart.values` `null` without a values.yaml, `{}` for an empty one; `chart.files`
/// `null` when there are none), times aside. Helm 4 prints the same release in its own shape
/// (`apply_method`, `modtime`s, no `info.deleted`): with those removed it must agree too.
#[test]
fn dry_run_output_as_helm() {
    let Some(env) = Env::new("dryout") else {
        return;
    };
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\n";
    let plain = env.chart("plain", &[("cm.yaml", cm)]);
    let empty = env.chart("empty", &[("cm.yaml", cm)]);
    std::fs::write(Path::new(&empty).join("values.yaml"), "# nothing\n").unwrap();
    let full = env.chart("full", &[("cm.yaml", cm)]);
    std::fs::write(Path::new(&full).join("values.yaml"), "a: {}\nb: [1]\n").unwrap();
    std::fs::write(Path::new(&full).join("README.md"), "hi\n").unwrap();
    let deps = env.chart("deps", &[("cm.yaml", cm)]);
    let chart_yaml = Path::new(&deps).join("Chart.yaml");
    let text = std::fs::read_to_string(&chart_yaml).unwrap();
    std::fs::write(
        &chart_yaml,
        format!("{text}dependencies:\n- name: sub\n  version: 1.0.0\n"),
    )
    .unwrap();
    std::fs::create_dir_all(Path::new(&deps).join("charts/sub")).unwrap();
    std::fs::write(
        Path::new(&deps).join("charts/sub/Chart.yaml"),
        "apiVersion: v2\nname: sub\nversion: 1.0.0\n",
    )
    .unwrap();
    env.ok(&env.helm3, &["install", "up", &plain]);

    let times = |s: &str| -> String {
        s.split('"')
            .enumerate()
            .map(|(i, part)| {
                let is_time = i % 2 == 1
                    && part.len() > 20
                    && part.as_bytes()[4] == b'-'
                    && part.as_bytes()[10] == b'T';
                if is_time {
                    "TIME"
                } else {
                    part
                }
            })
            .collect::<Vec<_>>()
            .join("\"")
    };
    // Helm 4's JSON with its own fields removed, as a value.
    let v4_as_v3 = |s: &str| -> Value {
        let mut v: Value = serde_json::from_str(s).unwrap_or(Value::Null);
        if let Some(o) = v.as_object_mut() {
            o.remove("apply_method");
        }
        if let Some(c) = v["chart"].as_object_mut() {
            c.remove("modtime");
            c.remove("schemamodtime");
            for list in ["templates", "files"] {
                for t in c
                    .get_mut(list)
                    .and_then(Value::as_array_mut)
                    .into_iter()
                    .flatten()
                {
                    t.as_object_mut().map(|t| t.remove("modtime"));
                }
            }
        }
        if let Some(i) = v["info"].as_object_mut() {
            i.remove("deleted");
            i.remove("first_deployed");
            i.remove("last_deployed");
        }
        v
    };
    let rudder = rudder();
    let mut failures = Vec::new();
    let mut compared = 0;
    for (chart, verb) in [
        (&plain, "install"),
        (&empty, "install"),
        (&full, "install"),
        (&deps, "install"),
        (&full, "upgrade"),
    ] {
        for format in ["json", "yaml"] {
            let args = [verb, "up", chart.as_str(), "--dry-run", "-o", format];
            let args: Vec<&str> = if verb == "install" {
                [&["install", "x"][..], &args[2..]].concat()
            } else {
                args.to_vec()
            };
            let want = env.run(&env.helm3, &args);
            let got = env.run(&rudder, &args);
            assert_eq!(want.code, 0, "helm {args:?}: {}", want.stderr);
            compared += 1;
            if times(&want.stdout) != times(&got.stdout) || got.code != 0 {
                failures.push(format!(
                    "helm {}\n--- helm v3.17.3\n{}\n--- rudder\n{}{}",
                    args.join(" "),
                    want.stdout,
                    got.stdout,
                    got.stderr
                ));
            }
            if format == "json" {
                let v4 = env.run(&env.helm4, &args);
                let mut ours: Value = serde_json::from_str(&got.stdout).unwrap_or(Value::Null);
                if let Some(i) = ours["info"].as_object_mut() {
                    i.remove("deleted");
                    i.remove("first_deployed");
                    i.remove("last_deployed");
                }
                if v4_as_v3(&v4.stdout) != ours {
                    failures.push(format!(
                        "helm {} (v4.1.4 shape aside)\n--- helm v4.1.4\n{}\n--- rudder\n{}",
                        args.join(" "),
                        v4.stdout,
                        got.stdout
                    ));
                }
            }
        }
    }
    assert_eq!(compared, 10);
    assert_eq!(
        env.statuses("x"),
        Vec::<String>::new(),
        "a dry run records nothing"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

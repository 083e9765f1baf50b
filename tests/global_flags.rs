//! Helm's global flags anywhere on the command line (`helm -n ns install …`, `helm --kube-context x
//! list`, `helm --debug template …`), and cobra's errors around them: Rudder, run under the name
//! `helm`, against helm v3.17.3 and v4.1.4 on the same argument lines. No cluster is needed: cluster
//! commands are pointed at contexts, files and addresses that fail, and the error shows which flag
//! took effect.
mod common;

use std::sync::OnceLock;

use std::path::{Path, PathBuf};
use std::process::Command;

fn oracle(which: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/install-oracle"))
        .args(["path", which])
        .output()
        .expect("scripts/install-oracle");
    assert!(out.status.success(), "scripts/install-oracle path {which}");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Rudder under the name `helm` (made once: the tests of this file run in parallel).
fn rudder() -> PathBuf {
    static LINK: OnceLock<PathBuf> = OnceLock::new();
    LINK.get_or_init(common::rudder_as_helm).clone()
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// A scratch home (no kubeconfig, no repositories) and a tiny chart that prints its namespace.
struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("rudder-global-flags-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
        std::fs::create_dir_all(dir.join("home")).unwrap();
        std::fs::write(
            dir.join("chart/Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("chart/templates/cm.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n  namespace: {{ .Release.Namespace }}\n",
        )
        .unwrap();
        Scratch { dir }
    }

    fn run(&self, program: &Path, line: &str) -> Outcome {
        let home = self.dir.join("home");
        let out = Command::new(program)
            .args(line.split_whitespace())
            .current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &home)
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("KUBECONFIG", self.dir.join("no-such-kubeconfig"))
            .output()
            .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
        Outcome {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The stderr lines that are not Helm's `--debug` log lines (those carry times and Go positions).
fn error_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| !l.contains("[debug]") && !l.starts_with("level="))
        .collect()
}

/// What is compared for one argument line.
#[derive(Clone, Copy, PartialEq)]
enum Check {
    /// Exit code, stdout and the error lines, all equal.
    All,
    /// Exit code and stdout only (the rest is `--debug` noise).
    Stdout,
    /// Exit code, and some help text on stdout (Helm's help text is Helm's, not ours).
    Help,
    /// Exit code and the first error line only (further lines are Go stack traces).
    FirstError,
}

const LINES: &[(&str, Check)] = &[
    // Cluster flags before the command, and with `=`.
    ("-n rc-ns --kube-context nope list", Check::All),
    ("--kube-context=nope status x", Check::All),
    (
        "--namespace=rc-ns --kube-context nope history x",
        Check::All,
    ),
    (
        "--kubeconfig /no/such/file -n rc-ns get values x",
        Check::All,
    ),
    (
        "--kube-insecure-skip-tls-verify -n rc-ns --kube-context nope list -a",
        Check::All,
    ),
    (
        "--kube-as-group a --kube-as-group b --kube-context nope get manifest x",
        Check::All,
    ),
    ("--kube-context nope -n rc-ns uninstall x", Check::All),
    ("--kube-context nope -n rc-ns rollback x 1", Check::All),
    ("--kube-context nope upgrade x chart", Check::All),
    ("--kube-context nope install x chart", Check::All),
    (
        "-n rc-ns --kube-context nope get -o json values x",
        Check::All,
    ),
    ("--debug --kube-context nope list", Check::FirstError),
    // Flags before and after a command with subcommands.
    ("-n rc-ns get --kube-context nope all x", Check::All),
    // The namespace reaching `template`, and `--debug` before it.
    ("-n rc-ns template rel chart", Check::All),
    ("--namespace rc-ns template rel chart", Check::All),
    ("--debug -n rc-ns template rel chart", Check::Stdout),
    (
        "--kube-context nope --qps 5 --burst-limit 3 template rel chart -n x",
        Check::All,
    ),
    // cobra's errors.
    ("--foo install", Check::All),
    ("-x version", Check::All),
    ("--burst-limit abc version", Check::All),
    ("--qps x version", Check::All),
    ("--kubeconfig", Check::All),
    ("-n", Check::All),
    ("list --namespace", Check::All),
    ("version -n", Check::All),
    ("-n rc-ns bogus", Check::All),
    ("bogus", Check::All),
    ("list extra", Check::All),
    ("-n rc-ns repo list extra", Check::All),
    ("version extra", Check::All),
    ("-n rc-ns get values", Check::All),
    // Commands that only group others, and the root: help, exit 0.
    ("", Check::Help),
    ("repo", Check::Help),
    ("get", Check::Help),
    ("repo foo", Check::Help),
    ("-n rc-ns repo foo", Check::Help),
    ("-n install", Check::Help),
];

/// Lines on which helm v4 differs from v3 for reasons of its own (`list -a` is gone; install's
/// cluster errors are reworded): compared with v3 only.
const V3_ONLY: &[&str] = &[
    "--kube-insecure-skip-tls-verify -n rc-ns --kube-context nope list -a",
    "--kube-context nope install x chart",
];

fn compare(line: &str, check: Check, want: &Outcome, got: &Outcome, which: &str) -> Option<String> {
    let mut problems = Vec::new();
    if want.code != got.code {
        problems.push(format!("exit code {:?}, {which} {:?}", got.code, want.code));
    }
    match check {
        Check::All | Check::Stdout => {
            if want.stdout != got.stdout {
                problems.push(format!(
                    "stdout:\n{}\n{which}:\n{}",
                    got.stdout, want.stdout
                ));
            }
        }
        Check::Help => {
            if got.stdout.trim().is_empty() {
                problems.push("no help on stdout".to_string());
            }
        }
        Check::FirstError => {}
    }
    let (want_err, got_err) = (error_lines(&want.stderr), error_lines(&got.stderr));
    let errors_differ = match check {
        Check::All => {
            // helm v4 starts its cluster errors with a lower-case `kubernetes`.
            want_err.len() != got_err.len()
                || want_err
                    .iter()
                    .zip(&got_err)
                    .any(|(w, g)| !w.eq_ignore_ascii_case(g))
        }
        Check::FirstError => !want_err
            .first()
            .zip(got_err.first())
            .is_some_and(|(w, g)| w.eq_ignore_ascii_case(g)),
        Check::Stdout | Check::Help => false,
    };
    if errors_differ {
        problems.push(format!(
            "stderr:\n{}\n{which}:\n{}",
            got_err.join("\n"),
            want_err.join("\n")
        ));
    }
    (!problems.is_empty()).then(|| format!("`helm {line}`: {}", problems.join("; ")))
}

#[test]
fn global_flags_anywhere_as_helm() {
    let scratch = Scratch::new("anywhere");
    let rudder = rudder();
    let helms = [
        ("helm v3.17.3", common::helm_v3().expect("helm v3")),
        ("helm v4.1.4", oracle("v4")),
    ];
    let mut failures = Vec::new();
    for &(line, check) in LINES {
        let got = scratch.run(&rudder, line);
        for (which, helm) in &helms {
            if which.contains("v4") && V3_ONLY.contains(&line) {
                continue;
            }
            let want = scratch.run(helm, line);
            failures.extend(compare(line, check, &want, &got, which));
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Helm 4's additional globals (`--color`, `--colour`, `--content-cache`) are accepted anywhere.
#[test]
fn helm4_globals_accepted() {
    let scratch = Scratch::new("helm4");
    let rudder = rudder();
    let helm4 = oracle("v4");
    let mut failures = Vec::new();
    for line in [
        "--colour=never -n rc-ns template rel chart",
        "--color always template rel chart --content-cache /tmp/x",
        "--content-cache /tmp/x --kube-context nope list",
    ] {
        let want = scratch.run(&helm4, line);
        let got = scratch.run(&rudder, line);
        failures.extend(compare(line, Check::All, &want, &got, "helm v4.1.4"));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! A symlink in a chart directory that points nowhere: Helm's loader (`sympath.Walk`) stops with
//! `error evaluating symlink <link>: lstat <missing path>: no such file or directory`, and so must
//! Rudder, for `template`, `lint`, `package` and `unittest`. The charts are made at test time (a
//! dangling symlink is not something to commit) and every command runs under helm v3.17.3, helm
//! v4.1.4 (and helm-unittest v1.1.2) and Rudder, the outputs compared with the scratch path as
//! `<tmp>`.
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(program: &Path, cwd: &Path, args: &[&str], tmp: &Path) -> Run {
    let home = tmp.join("home");
    let out = Command::new(program)
        .current_dir(cwd)
        .args(args)
        .env("HOME", &home)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", "/dev/null")
        .env_remove("HELM_DEBUG")
        .output()
        .expect("the program runs");
    let shown = tmp.display().to_string();
    let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&shown, "<tmp>");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

/// A chart `c` under `tmp` whose `link` (a path in the chart) points at `target`.
fn chart_with_link(tmp: &Path, link: &str, target: &str) -> PathBuf {
    let dir = tmp.join("c");
    common::write_chart(
        &dir,
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        &[
            ("templates/cm.yaml", "a: 1\n"),
            (
                "charts/sub/Chart.yaml",
                "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
            ),
            ("charts/sub/templates/cm.yaml", "b: 2\n"),
            (
                "tests/cm_test.yaml",
                "suite: s\ntemplates:\n  - cm.yaml\ntests:\n  - it: renders\n    asserts:\n      - isKind: {of: X}\n",
            ),
        ],
    );
    let link = dir.join(link);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(target, &link).unwrap();
    dir
}

/// The cases: where the link is and where it points.
const LINKS: &[(&str, &str)] = &[
    ("charts/sub/templates/dangling.yaml", "nowhere.yaml"),
    ("templates/dangling.yaml", "missing/dir/file.yaml"),
    ("templates/through-file.yaml", "cm.yaml/x"),
    ("charts/sub/gone", "/nonexistent-rudder-test/dir"),
];

#[test]
fn template_lint_and_package_say_what_helm_says() {
    let helms = [("v3", common::oracle("v3")), ("v4", common::oracle("v4"))];
    let rudder = common::rudder_as_helm();
    for (i, (link, target)) in LINKS.iter().enumerate() {
        let tmp = common::scratch(&format!("symlink-{i}"));
        let chart = chart_with_link(&tmp, link, target);
        for args in [
            &["template", "rel", "c"][..],
            &["lint", "c"][..],
            &["package", "c"][..],
        ] {
            let ours = run(&rudder, &tmp, args, &tmp);
            for (which, helm) in &helms {
                let theirs = run(helm, &tmp, args, &tmp);
                let what = format!("{args:?} with {link} -> {target}, helm {which}");
                assert_eq!(ours.code, theirs.code, "{what}: exit code");
                assert_eq!(ours.stdout, theirs.stdout, "{what}: stdout");
                assert_eq!(ours.stderr, theirs.stderr, "{what}: stderr");
                assert!(
                    theirs.stderr.contains("error evaluating symlink")
                        || theirs.stdout.contains("error evaluating symlink"),
                    "{what}: the case shows Helm's symlink error"
                );
            }
        }
        let _ = std::fs::remove_dir_all(&chart);
        let _ = std::fs::remove_dir_all(&tmp);
    }
}

#[test]
fn unittest_says_what_helm_unittest_says() {
    let out =
        Command::new(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-helm-unittest"))
            .arg("path")
            .output()
            .expect("scripts/install-helm-unittest");
    assert!(out.status.success(), "scripts/install-helm-unittest path");
    let oracle = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let rudder = PathBuf::from(env!("CARGO_BIN_EXE_rudder"));
    let error_line = |r: &Run| {
        r.stdout
            .lines()
            .find(|l| l.starts_with("### Error:"))
            .map(str::to_string)
    };
    for (i, (link, target)) in LINKS.iter().enumerate() {
        let tmp = common::scratch(&format!("symlink-unittest-{i}"));
        chart_with_link(&tmp, link, target);
        let theirs = run(&oracle, &tmp, &["c"], &tmp);
        let ours = run(&rudder, &tmp, &["unittest", "c"], &tmp);
        let what = format!("unittest with {link} -> {target}");
        assert_eq!(ours.code, theirs.code, "{what}: exit code");
        let want = error_line(&theirs);
        assert!(
            want.as_deref()
                .is_some_and(|l| l.contains("error evaluating symlink")),
            "{what}: helm-unittest reports the symlink:\n{}",
            theirs.stdout
        );
        assert_eq!(error_line(&ours), want, "{what}:\n{}", ours.stdout);
        let _ = std::fs::remove_dir_all(&tmp);
    }
}

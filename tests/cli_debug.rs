//! `rudder template --debug` shows the failing template line with a caret after Helm's first line;
//! without `--debug` stderr keeps Helm's text only.
mod common;

use std::fs;
use std::process::Command;

fn chart_with(template: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "rudder-cli-debug-{}-{}",
        std::process::id(),
        template.len()
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(dir.join("templates")).unwrap();
    fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: c\nversion: 0.1.0\n",
    )
    .unwrap();
    fs::write(dir.join("templates/x.yaml"), template).unwrap();
    dir
}

fn stderr_of(dir: &std::path::Path, debug: bool) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
    cmd.args(["template", "rel", "."]).current_dir(dir);
    if debug {
        cmd.arg("--debug");
    }
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn debug_shows_source_line_and_caret() {
    let dir = chart_with("a: 1\nb: {{ required \"need x\" .Values.x }}\n");
    let debug = stderr_of(&dir, true);
    // Helm's `[debug]` log lines (and the blank line after `CHART PATH`) come first.
    let lines: Vec<&str> = debug
        .lines()
        .filter(|l| !l.contains(" [debug] ") && !l.is_empty())
        .collect();
    assert_eq!(
        lines[0],
        "Error: execution error at (c/templates/x.yaml:2:6): need x"
    );
    assert_eq!(lines[1], "  --> c/templates/x.yaml:2:6");
    assert_eq!(lines[2], "   | b: {{ required \"need x\" .Values.x }}");
    assert_eq!(lines[3], "   |       ^");
    let plain = stderr_of(&dir, false);
    assert!(!plain.contains("-->"), "{plain}");
    let _ = fs::remove_dir_all(&dir);
}

/// Helm's `--debug` lines with the time taken out: `install.go:225: [debug] Original chart version: ""`.
/// Lines after the first `Error:` line are left out: with `--debug` Helm then prints a Go stack trace,
/// which Rudder does not reproduce.
fn debug_lines(stderr: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in stderr.split_inclusive('\n') {
        if line.starts_with("Error: ") {
            out.push(line.to_string());
            break;
        }
        if let Some((position, rest)) = line.split_once(": ") {
            if let Some((_, message)) = rest.split_once(" [debug] ") {
                out.push(format!("{position}: [debug] {message}"));
                continue;
            }
        }
        out.push(line.to_string());
    }
    out
}

fn stderr_with(program: &std::path::Path, dir: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env("KUBECONFIG", "/dev/null")
        .output()
        .unwrap();
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn debug_log_lines_match_helm() {
    let dir = chart_with("a: {{ .Values.a | default 1 }}\n");
    let rudder = &common::rudder_as_helm();
    let cases: [&[&str]; 3] = [
        &["template", "rel", ".", "--debug"],
        &["template", "rel", ".", "--debug", "--version", "1.2"],
        &["template", "rel", "./nope", "--debug"],
    ];
    for args in cases {
        let ours = debug_lines(&stderr_with(rudder, &dir, args));
        if args.len() == 4 && args[2] == "." {
            assert_eq!(
                ours,
                vec![
                    "install.go:225: [debug] Original chart version: \"\"\n".to_string(),
                    format!("install.go:242: [debug] CHART PATH: {}\n", dir.display()),
                    "\n".to_string(),
                ]
            );
        }
        if let Ok(helm) = common::helm_v3() {
            let theirs = debug_lines(&stderr_with(&helm, &dir, args));
            assert_eq!(ours, theirs, "rudder {args:?}");
        }
    }
    let _ = fs::remove_dir_all(&dir);
}

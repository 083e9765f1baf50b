//! `rudder template --debug` shows the failing template line with a caret after Helm's first line;
//! without `--debug` stderr keeps Helm's text only.
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
    let lines: Vec<&str> = debug.lines().collect();
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

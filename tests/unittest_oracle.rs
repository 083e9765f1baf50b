//! `rudder unittest` against the real helm-unittest v1.1.2 (built by scripts/install-helm-unittest):
//! the same suites run through both, and per test the verdict must agree; for a failed test the
//! failed assertions (index, `NOT`, type) and their `Path:` lines must agree too. Snapshot files
//! written by either tool are accepted by the other, and are byte-identical. Bad suites get an error
//! naming file, test and line while the other suites still run.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn oracle() -> PathBuf {
    let out = Command::new(root().join("scripts/install-helm-unittest"))
        .arg("path")
        .output()
        .expect("scripts/install-helm-unittest runs");
    assert!(
        out.status.success(),
        "scripts/install-helm-unittest failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn copy_dir(from: &Path, to: &Path, with_snapshots: bool) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if !with_snapshots && name == "__snapshot__" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target, with_snapshots);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("rudder-ut-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

struct Run {
    stdout: String,
    junit: String,
    code: i32,
}

fn run(tool: &Path, cwd: &Path, chart: &str, extra: &[&str]) -> Run {
    let report = cwd.join(format!(
        "report-{}.xml",
        tool.file_name().unwrap().to_string_lossy()
    ));
    let out = Command::new(tool)
        .current_dir(cwd)
        .args(tool_args(tool))
        .args(extra)
        .args(["-t", "JUnit", "-o"])
        .arg(&report)
        .arg(chart)
        .env_remove("NO_COLOR")
        .output()
        .expect("the tool runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{} panicked:\n{stderr}",
        tool.display()
    );
    Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        junit: std::fs::read_to_string(&report).unwrap_or_default(),
        code: out.status.code().unwrap_or(-1),
    }
}

fn tool_args(tool: &Path) -> Vec<&'static str> {
    if tool.file_name().is_some_and(|n| n == "rudder") {
        vec!["unittest"]
    } else {
        vec![]
    }
}

fn rudder() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_rudder"))
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Verdict {
    passed: bool,
    skipped: bool,
    /// `asserts[N] [NOT ]type` of each failed assertion.
    failed: Vec<String>,
    paths: Vec<String>,
}

fn unescape(s: &str) -> String {
    s.replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&#x9;", "\t")
        .replace("&#xA;", "\n")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Suite name → test name → verdict, from the JUnit report (verdicts) and the human report (which
/// assertions failed).
fn verdicts(r: &Run) -> BTreeMap<(String, String), Verdict> {
    let suite_re = regex::Regex::new(r#"<testsuite [^>]*\sname="([^"]*)""#).unwrap();
    let case_re = regex::Regex::new(
        r#"<testcase classname="[^"]*" name="([^"]*)"[^>]*>(\s*<(failure|error|skipped))?"#,
    )
    .unwrap();
    let mut out = BTreeMap::new();
    let mut suite = String::new();
    let mut rest = r.junit.as_str();
    loop {
        let next_suite = suite_re.find(rest).map(|m| m.start());
        let next_case = case_re.find(rest).map(|m| m.start());
        match (next_suite, next_case) {
            (Some(s), c) if c.is_none_or(|c| s < c) => {
                let caps = suite_re.captures(&rest[s..]).unwrap();
                suite = unescape(&caps[1]);
                rest = &rest[s + caps[0].len()..];
            }
            (_, Some(c)) => {
                let caps = case_re.captures(&rest[c..]).unwrap();
                let test = unescape(&caps[1]);
                let kind = caps.get(3).map(|m| m.as_str());
                let mut key = (suite.clone(), test.clone());
                let mut n = 1;
                while out.contains_key(&key) {
                    n += 1;
                    key = (suite.clone(), format!("{test} #{n}"));
                }
                out.insert(
                    key,
                    Verdict {
                        passed: kind.is_none(),
                        skipped: kind == Some("skipped"),
                        ..Verdict::default()
                    },
                );
                rest = &rest[c + caps[0].len()..];
            }
            _ => break,
        }
    }
    // Failed assertions from the human report.
    let title = regex::Regex::new(r"^ (PASS|FAIL|SKIP)  (.*)\t").unwrap();
    let test_re = regex::Regex::new(r"^\t- (.*?)\s*$").unwrap();
    let assert_re = regex::Regex::new(r"^\t\t- (asserts\[\d+\]( NOT)? `\w+`) fail").unwrap();
    let path_re = regex::Regex::new(r"^\t\t\tPath:\t(.*)$").unwrap();
    let mut current: Option<(String, String)> = None;
    let mut suite = String::new();
    for line in r.stdout.lines() {
        if let Some(c) = title.captures(line) {
            suite = c[2].to_string();
            current = None;
        } else if let Some(c) = test_re.captures(line) {
            current = Some((suite.clone(), c[1].to_string()));
        } else if let Some(c) = assert_re.captures(line) {
            if let Some(v) = current.as_ref().and_then(|k| out.get_mut(k)) {
                v.failed.push(c[1].to_string());
            }
        } else if let Some(c) = path_re.captures(line) {
            if let Some(v) = current.as_ref().and_then(|k| out.get_mut(k)) {
                v.paths.push(c[1].to_string());
            }
        }
    }
    out
}

fn compare(what: &str, oracle: &Run, ours: &Run) -> usize {
    let theirs = verdicts(oracle);
    let mine = verdicts(ours);
    assert!(
        !theirs.is_empty(),
        "{what}: no tests in helm-unittest's report:\n{}",
        oracle.stdout
    );
    let mut problems = Vec::new();
    for (key, want) in &theirs {
        match mine.get(key) {
            None => problems.push(format!("{key:?}: missing from rudder's report")),
            Some(got) if got != want => problems.push(format!(
                "{key:?}:\n  helm-unittest {want:?}\n  rudder        {got:?}"
            )),
            _ => {}
        }
    }
    for key in mine.keys() {
        if !theirs.contains_key(key) {
            problems.push(format!("{key:?}: only in rudder's report"));
        }
    }
    assert!(
        problems.is_empty(),
        "{what}: {} of {} tests differ:\n{}\n--- helm-unittest:\n{}\n--- rudder:\n{}",
        problems.len(),
        theirs.len(),
        problems.join("\n"),
        oracle.stdout,
        ours.stdout
    );
    assert_eq!(oracle.code, ours.code, "{what}: exit codes differ");
    theirs.len()
}

#[test]
fn every_assertion_type_gets_helm_unittests_verdict() {
    let oracle = oracle();
    let a = scratch("basic-oracle");
    let b = scratch("basic-rudder");
    let src = root().join("testdata/unittest/basic");
    copy_dir(&src, &a.join("basic"), true);
    copy_dir(&src, &b.join("basic"), true);
    let theirs = run(&oracle, &a, "basic", &[]);
    let ours = run(&rudder(), &b, "basic", &[]);
    let n = compare("testdata/unittest/basic", &theirs, &ours);
    assert!(n >= 90, "only {n} tests compared");
    // Neither tool rewrote the committed snapshot file (its failing entry stays).
    let committed =
        std::fs::read_to_string(src.join("tests/__snapshot__/snapshot_test.yaml.snap")).unwrap();
    assert_eq!(
        std::fs::read_to_string(b.join("basic/tests/__snapshot__/snapshot_test.yaml.snap"))
            .unwrap(),
        committed
    );
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

#[test]
fn snapshots_written_by_either_tool_are_the_same_bytes() {
    let oracle = oracle();
    let a = scratch("snap-oracle");
    let b = scratch("snap-rudder");
    let src = root().join("testdata/unittest/basic");
    copy_dir(&src, &a.join("basic"), false);
    copy_dir(&src, &b.join("basic"), false);
    let filter = ["-f", "tests/snapshot_test.yaml"];
    run(&oracle, &a, "basic", &filter);
    run(&rudder(), &b, "basic", &filter);
    let snap = "basic/tests/__snapshot__/snapshot_test.yaml.snap";
    let written_by_oracle = std::fs::read_to_string(a.join(snap)).unwrap();
    let written_by_rudder = std::fs::read_to_string(b.join(snap)).unwrap();
    assert_eq!(written_by_rudder, written_by_oracle);
    // Each tool accepts the other's file: a second run passes every snapshot of the other.
    let theirs = run(&oracle, &b, "basic", &filter);
    let ours = run(&rudder(), &a, "basic", &filter);
    compare("snapshots written by the other tool", &theirs, &ours);
    assert!(
        theirs.stdout.contains("Snapshot:    8 passed, 8 total"),
        "{}",
        theirs.stdout
    );
    // -u rewrites a changed snapshot in both.
    let ours = run(
        &rudder(),
        &a,
        "basic",
        &["-f", "tests/snapshot_test.yaml", "-u"],
    );
    assert!(
        ours.stdout.contains("Snapshot:    8 passed, 8 total"),
        "{}",
        ours.stdout
    );
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

#[test]
fn the_example_chart_suites_pass_in_both() {
    let oracle = oracle();
    let a = scratch("platform-oracle");
    let b = scratch("platform-rudder");
    let src = root().join("charts/platform");
    copy_dir(&src, &a.join("platform"), true);
    copy_dir(&src, &b.join("platform"), true);
    let theirs = run(&oracle, &a, "platform", &[]);
    let ours = run(&rudder(), &b, "platform", &[]);
    compare("charts/platform", &theirs, &ours);
    assert_eq!(ours.code, 0, "{}", ours.stdout);
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// The suites of the charts written for the other seed systems (issue 17), one chart at a time.
#[test]
fn the_seed_chart_suites_pass_in_both() {
    let oracle = oracle();
    for chart in SEED_CHARTS {
        let a = scratch(&format!("{chart}-oracle"));
        let b = scratch(&format!("{chart}-rudder"));
        let src = root().join("charts").join(chart);
        copy_dir(&src, &a.join(chart), true);
        copy_dir(&src, &b.join(chart), true);
        let theirs = run(&oracle, &a, chart, &[]);
        let ours = run(&rudder(), &b, chart, &[]);
        compare(&format!("charts/{chart}"), &theirs, &ours);
        assert_eq!(theirs.code, 0, "{}", theirs.stdout);
        assert_eq!(ours.code, 0, "{}", ours.stdout);
        let _ = std::fs::remove_dir_all(a);
        let _ = std::fs::remove_dir_all(b);
    }
}

const SEED_CHARTS: &[&str] = &["notes", "ai-platform", "nova", "voice-infra"];

#[test]
fn bad_suites_are_named_and_the_others_still_run() {
    let dir = scratch("bad");
    copy_dir(
        &root().join("testdata/unittest/bad"),
        &dir.join("bad"),
        true,
    );
    let ours = run(&rudder(), &dir, "bad", &[]);
    assert_eq!(ours.code, 1);
    let out = &ours.stdout;
    for expected in [
        " PASS  good\tbad/tests/good_test.yaml",
        "\tWarning: bad/tests/unknown_key_test.yaml:10: test \"misspelt documentIndex\": unknown key \"documentIndx\" in test",
        "bad/tests/bad_path_test.yaml:8: test \"unclosed bracket\": asserts[0] `equal`: invalid path \"metadata.labels[\"",
        "bad/tests/bad_regex_test.yaml:9: test \"unbalanced parenthesis\": asserts[0] `matchRegex`: invalid regular expression \"(x\"",
        "template \"bad/templates/nothing.yaml\" not exists or not selected in test suite",
        "bad/tests/__snapshot__/snap_test.yaml.snap:4: corrupted snapshot file",
        "failed to parse broken-values.yaml",
        "bad/tests/not_yaml_test.yaml:4: the suite is not valid YAML: yaml: line 3:",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in:\n{out}");
    }
    // With --strict an unknown key is an error of its suite.
    let strict = run(
        &rudder(),
        &dir,
        "bad",
        &["--strict", "-f", "tests/unknown_key_test.yaml"],
    );
    assert!(
        strict.stdout.contains("- Execution Error: \n\t\tbad/tests/unknown_key_test.yaml:10: test \"misspelt documentIndex\": unknown key \"documentIndx\""),
        "{}",
        strict.stdout
    );
    // helm-unittest's --strict rejects the same unknown keys (all of them, each with its line), and
    // accepts what it reads as maps (assertion parameters, keys beside the assertion type); without
    // --strict both tools ignore them.
    assert!(
        strict.stdout.contains("\nbad/tests/unknown_key_test.yaml:15: test \"documentIndices is not a key of helm-unittest v1.1.2\": unknown key \"documentIndices\""),
        "{}",
        strict.stdout
    );
    let oracle = oracle();
    for (file, strict_passes) in [
        ("tests/unknown_key_test.yaml", false),
        ("tests/param_test.yaml", true),
    ] {
        let theirs = run(&oracle, &dir, "bad", &["--strict", "-f", file]);
        let ours = run(&rudder(), &dir, "bad", &["--strict", "-f", file]);
        assert_eq!(
            theirs.code, ours.code,
            "{file}:\n{}\n{}",
            theirs.stdout, ours.stdout
        );
        assert_eq!(ours.code == 0, strict_passes, "{file}:\n{}", ours.stdout);
        if strict_passes {
            compare(file, &theirs, &ours);
        } else {
            for line in [10, 15] {
                assert!(
                    theirs.stdout.contains(&format!("line {line}: field")),
                    "{}",
                    theirs.stdout
                );
                assert!(
                    ours.stdout
                        .contains(&format!("unknown_key_test.yaml:{line}: ")),
                    "{}",
                    ours.stdout
                );
            }
        }
        let theirs = run(&oracle, &dir, "bad", &["-f", file]);
        let ours = run(&rudder(), &dir, "bad", &["-f", file]);
        compare(file, &theirs, &ours);
        assert_eq!(ours.code, 0, "{file}:\n{}", ours.stdout);
    }
    // The corrupted snapshot file is left as it was.
    assert!(
        std::fs::read_to_string(dir.join("bad/tests/__snapshot__/snap_test.yaml.snap"))
            .unwrap()
            .contains("broken")
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// Every file under `dir`, relative to it, with its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                out.insert(name, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// `--chart-tests-path`: suites rendered from a chart of their own (several per template, values
/// files relative to the template, snapshots named by snapshotId or position).
#[test]
fn suites_rendered_from_a_tests_chart_get_helm_unittests_verdict() {
    let oracle = oracle();
    let a = scratch("rendered-oracle");
    let b = scratch("rendered-rudder");
    let src = root().join("testdata/unittest/rendered");
    copy_dir(&src, &a.join("rendered"), false);
    copy_dir(&src, &b.join("rendered"), false);
    let flags = ["--chart-tests-path", "tests-chart"];
    let theirs = run(&oracle, &a, "rendered", &flags);
    let ours = run(&rudder(), &b, "rendered", &flags);
    let n = compare("testdata/unittest/rendered", &theirs, &ours);
    assert_eq!(n, 12);
    // The same snapshot files, byte for byte, and each tool passes the other's.
    let snapshots = |dir: &Path| tree(&dir.join("rendered/tests-chart/templates/__snapshot__"));
    let written = snapshots(&a);
    assert_eq!(
        written.keys().collect::<Vec<_>>(),
        [
            "per_env.yaml_0.snap",
            "per_env.yaml_1.snap",
            "per_env.yaml_2.snap",
            "values_file.yaml_prod-image.snap"
        ]
    );
    assert_eq!(snapshots(&b), written);
    let theirs = run(&oracle, &b, "rendered", &flags);
    let ours = run(&rudder(), &a, "rendered", &flags);
    compare("rendered, second run", &theirs, &ours);
    assert!(
        ours.stdout.contains("Snapshot:    4 passed, 4 total"),
        "{}",
        ours.stdout
    );
    // Without the flag only the suite file runs.
    let ours = run(&rudder(), &a, "rendered", &[]);
    assert!(
        ours.stdout.contains("Tests:       1 passed, 1 total"),
        "{}",
        ours.stdout
    );
    // A rendered suite without a name and a template that renders nothing fail the chart in
    // helm-unittest; Rudder names them and still runs the other suites.
    for dir in [&a, &b] {
        let templates = dir.join("rendered/tests-chart/templates");
        std::fs::write(
            templates.join("unnamed.yaml"),
            "tests:\n  - it: x\n    asserts:\n      - exists: {path: metadata}\n",
        )
        .unwrap();
        std::fs::write(templates.join("empty.yaml"), "{{- if false }}x{{ end }}\n").unwrap();
    }
    let theirs = run(&oracle, &a, "rendered", &flags);
    let ours = run(&rudder(), &b, "rendered", &flags);
    assert_eq!((theirs.code, ours.code), (1, 1), "{}", ours.stdout);
    for expected in [
        "rendered/tests-chart/templates/unnamed.yaml:1: helm chart based test suites must include `suite` field",
        "test suite template (rendered-tests/templates/empty.yaml) file did not render a manifest",
        " PASS  plain file suite\trendered/tests/plain_test.yaml",
        "Tests:       3 failed, 9 passed, 12 total",
    ] {
        assert!(ours.stdout.contains(expected), "missing {expected:?} in:\n{}", ours.stdout);
    }
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// `-d/--debugPlugin` leaves each template as the last test rendered it under `.debug/`.
#[test]
fn debug_writes_the_same_rendered_files() {
    let oracle = oracle();
    let a = scratch("debug-oracle");
    let b = scratch("debug-rudder");
    for chart in ["basic", "rendered"] {
        let src = root().join("testdata/unittest").join(chart);
        copy_dir(&src, &a.join(chart), true);
        copy_dir(&src, &b.join(chart), true);
        let theirs = run(&oracle, &a, chart, &["-d"]);
        let ours = run(&rudder(), &b, chart, &["-d"]);
        compare(&format!("{chart} with -d"), &theirs, &ours);
        let text = |dir: &Path| -> BTreeMap<String, String> {
            tree(&dir.join(".debug"))
                .into_iter()
                .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
                .collect()
        };
        let written = text(&a);
        assert!(written.len() >= 2, "{:?}", written.keys());
        let ours = text(&b);
        for (name, want) in &written {
            assert_eq!(ours.get(name), Some(want), "{chart}: .debug/{name}");
        }
        assert_eq!(ours.len(), written.len(), "{chart}: {:?}", ours.keys());
    }
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// `kubernetesProvider`: lookups by name and lists, namespaces, numbers (floats only: an integer
/// fails every lookup in helm-unittest's fake client) and client-go's errors.
#[test]
fn kubernetes_provider_lookups_get_helm_unittests_verdict() {
    let oracle = oracle();
    let a = scratch("lookup-oracle");
    let b = scratch("lookup-rudder");
    let src = root().join("testdata/unittest/lookup");
    copy_dir(&src, &a.join("lookup"), true);
    copy_dir(&src, &b.join("lookup"), true);
    let theirs = run(&oracle, &a, "lookup", &[]);
    let ours = run(&rudder(), &b, "lookup", &[]);
    assert_eq!(compare("testdata/unittest/lookup", &theirs, &ours), 5);
    // The errors are client-go's, word for word.
    let errors = |out: &str| -> Vec<String> {
        out.lines()
            .filter(|l| l.trim_start().starts_with("Error: template:"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(errors(&ours.stdout), errors(&theirs.stdout));
    assert_eq!(errors(&ours.stdout).len(), 2, "{}", ours.stdout);
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// Schema failures as helm-unittest's embedded Helm (v3.21, santhosh-tekuri/jsonschema v6) words
/// them: every test expects the exact error text, recorded from helm-unittest, so both tools pass
/// only with the same wording, nesting and draft rules (2020-12 without `$schema`, draft 7 in the
/// subchart, formats asserted only there).
#[test]
fn schema_failures_get_helm_unittests_wording() {
    let oracle = oracle();
    let a = scratch("schema-oracle");
    let b = scratch("schema-rudder");
    let src = root().join("testdata/unittest/schema");
    copy_dir(&src, &a.join("schema"), true);
    copy_dir(&src, &b.join("schema"), true);
    let theirs = run(&oracle, &a, "schema", &[]);
    let ours = run(&rudder(), &b, "schema", &[]);
    assert_eq!(compare("testdata/unittest/schema", &theirs, &ours), 127);
    assert_eq!(theirs.code, 0, "{}", theirs.stdout);
    assert_eq!(ours.code, 0, "{}", ours.stdout);
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// A `values.schema.json` that is not a valid schema is refused as the library refuses it: checked
/// against its draft's metaschema (4, 6, 7, 2019-09, 2020-12), the error tree and wording
/// recorded from helm-unittest in every test's `errorMessage`; valid schemas of each kind pass
/// and still check the values.
#[test]
fn invalid_schemas_get_helm_unittests_metaschema_errors() {
    let oracle = oracle();
    let a = scratch("metaschema-oracle");
    let b = scratch("metaschema-rudder");
    let src = root().join("testdata/unittest/metaschema");
    copy_dir(&src, &a.join("metaschema"), true);
    copy_dir(&src, &b.join("metaschema"), true);
    let theirs = run(&oracle, &a, "metaschema", &[]);
    let ours = run(&rudder(), &b, "metaschema", &[]);
    assert_eq!(compare("testdata/unittest/metaschema", &theirs, &ours), 20);
    assert_eq!(theirs.code, 0, "{}", theirs.stdout);
    assert_eq!(ours.code, 0, "{}", ours.stdout);
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// `-t XUnit`, `-t NUnit` and `-t Sonar` reports are helm-unittest's, element for element and
/// message for message, once times, dates and the platform (Go's version, or `rudder`) are set
/// aside.
#[test]
fn xunit_nunit_and_sonar_reports_are_helm_unittests() {
    let oracle = oracle();
    let a = scratch("formats-oracle");
    let b = scratch("formats-rudder");
    let src = root().join("testdata/unittest/basic");
    copy_dir(&src, &a.join("basic"), true);
    copy_dir(&src, &b.join("basic"), true);
    let normal = |text: &str| -> String {
        let times = regex::Regex::new(r#"(time|duration|run-time|run-date|date)="[^"]*""#).unwrap();
        let env =
            regex::Regex::new(r#"<environment>[^<]*</environment>|platform="[^"]*"|cwd="[^"]*""#)
                .unwrap();
        let line = regex::Regex::new(r" \(basic/tests/[a-z_]+\.yaml:[0-9]+\)").unwrap();
        let text = times.replace_all(text, "$1=\"\"");
        let text = env.replace_all(&text, "<environment/>");
        line.replace_all(&text, "").into_owned()
    };
    for format in ["XUnit", "NUnit", "Sonar"] {
        let report = |dir: &Path, tool: &Path, extra: &[&str]| {
            let out = dir.join(format!("{format}.xml"));
            Command::new(tool)
                .current_dir(dir)
                .args(tool_args(tool))
                .args(extra)
                .args(["-t", format, "-o"])
                .arg(&out)
                .arg("basic")
                .output()
                .expect("the tool runs");
            std::fs::read_to_string(out).unwrap()
        };
        // Every suite but equality_test.yaml, whose `set: {extraEnv[0].name, extraEnv[0].value}`
        // helm-unittest applies in Go's random map order (its failure text changes from run to
        // run); one thread, so the suites come in the order helm-unittest runs them.
        let files = [
            "-f",
            "tests/documents_test.yaml",
            "-f",
            "tests/failures_test.yaml",
            "-f",
            "tests/regex_test.yaml",
            "-f",
            "tests/release_test.yaml",
            "-f",
            "tests/snapshot_test.yaml",
            "-f",
            "tests/structure_test.yaml",
        ];
        let theirs = normal(&report(&a, &oracle, &files));
        let ours = normal(&report(&b, &rudder(), &[&files[..], &["-j", "1"]].concat()));
        assert!(theirs.contains("<failure"), "{theirs}");
        let differs = theirs
            .lines()
            .zip(ours.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        assert!(
            differs.is_none() && theirs.lines().count() == ours.lines().count(),
            "{format} reports differ at line {:?}",
            differs
        );
    }
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// The repository's `plugin.yaml`: `helm plugin install <repository>` (real helm v3.17.3 and
/// v4.1.4, in a scratch plugin home), then `helm unittest CHART` runs `rudder unittest`.
#[test]
fn helm_unittest_runs_rudder_as_a_plugin() {
    for version in ["v3", "v4"] {
        let out = Command::new(root().join("scripts/install-oracle"))
            .args(["path", version])
            .output()
            .expect("scripts/install-oracle runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let helm = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        let home = scratch(&format!("plugin-{version}"));
        copy_dir(
            &root().join("testdata/unittest/schema"),
            &home.join("schema"),
            true,
        );
        let helm_in_home = |args: &[&str]| {
            let mut cmd = Command::new(&helm);
            for (var, dir) in [
                // helm v4 installs under $HELM_DATA_HOME/plugins whatever HELM_PLUGINS says.
                ("HELM_PLUGINS", "data/plugins"),
                ("HELM_DATA_HOME", "data"),
                ("HELM_CONFIG_HOME", "config"),
                ("HELM_CACHE_HOME", "cache"),
            ] {
                cmd.env(var, home.join(dir));
            }
            cmd.current_dir(&home)
                .args(args)
                .env("RUDDER", rudder())
                .output()
                .expect("helm runs")
        };
        let install = helm_in_home(&["plugin", "install", root().to_str().unwrap()]);
        assert!(
            install.status.success(),
            "helm {version} plugin install: {}",
            String::from_utf8_lossy(&install.stderr)
        );
        let run = helm_in_home(&["unittest", "schema"]);
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(run.status.success(), "helm {version} unittest:\n{stdout}");
        assert!(
            stdout.contains("Tests:       127 passed, 127 total"),
            "helm {version} unittest:\n{stdout}"
        );
        // A failing suite gives helm's exit code 1 through the plugin.
        std::fs::write(
            home.join("schema/tests/fail_test.yaml"),
            "suite: failing\ntemplates: [cm.yaml]\ntests:\n  - it: fails\n    asserts:\n      - isKind: {of: Secret}\n",
        )
        .unwrap();
        let run = helm_in_home(&["unittest", "-f", "tests/fail_test.yaml", "schema"]);
        assert_eq!(run.status.code(), Some(1), "helm {version}");
        let _ = std::fs::remove_dir_all(home);
    }
}

/// Flags that change what runs: `--skip-schema-validation` (every schema test then fails in
/// both), `--with-subchart=false` (the subchart's suite is not run) and `-v` (a values file over
/// every test's values).
#[test]
fn run_flags_get_helm_unittests_verdict() {
    let oracle = oracle();
    for (chart, flags, expect_code) in [
        ("schema", vec!["--skip-schema-validation"], 1),
        ("basic", vec!["--with-subchart=false"], 1),
        ("schema", vec!["-v", "schema/extra-values.yaml"], 1),
    ] {
        let a = scratch(&format!("flags-{chart}-oracle"));
        let b = scratch(&format!("flags-{chart}-rudder"));
        let src = root().join("testdata/unittest").join(chart);
        for dir in [&a, &b] {
            copy_dir(&src, &dir.join(chart), true);
            if chart == "schema" {
                std::fs::write(dir.join(chart).join("extra-values.yaml"), "name: x\n").unwrap();
            }
        }
        let theirs = run(&oracle, &a, chart, &flags);
        let ours = run(&rudder(), &b, chart, &flags);
        let n = compare(&format!("{chart} {flags:?}"), &theirs, &ours);
        assert!(n > 0);
        if flags[0] == "-v" {
            // The values file reached the renders: `name: x` is below the schema's minLength.
            assert!(
                ours.stdout.contains("minLength: got 1, want 2"),
                "{}",
                ours.stdout
            );
        }
        assert_eq!(
            ours.code, expect_code,
            "{chart} {flags:?}:\n{}",
            ours.stdout
        );
        if flags[0] == "--with-subchart=false" {
            assert!(!ours.stdout.contains("subchart suite"), "{}", ours.stdout);
        }
        let _ = std::fs::remove_dir_all(a);
        let _ = std::fs::remove_dir_all(b);
    }
}

/// The human report of one run (no `-o` report: helm-unittest crashes writing one under
/// `--failfast`), with what only differs by design set aside: the `Time:` line and Rudder's
/// `(file:line)` after a failed assertion's title.
fn human(tool: &Path, cwd: &Path, args: &[&str]) -> (String, i32) {
    let out = Command::new(tool)
        .current_dir(cwd)
        .args(tool_args(tool))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the tool runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{} panicked:\n{stderr}",
        tool.display()
    );
    let location =
        regex::Regex::new(r" (\x1b\[2m)?\([a-z]+/tests/[a-z_]+\.yaml:[0-9]+\)(\x1b\[22m)?")
            .unwrap();
    let time = regex::Regex::new(r"(?m)^Time:.*$").unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let text = location.replace_all(&text, "");
    let text = time.replace_all(&text, "Time:");
    (text.into_owned(), out.status.code().unwrap_or(-1))
}

/// `-q/--failfast` as helm-unittest v1.1.2 runs it: the first failed assertion ends its test, the
/// first failed test its suite, the first failed suite its chart (later suites are neither run
/// nor printed); the next chart still runs, and a chart that cannot be loaded ends the run. The
/// whole human report must be helm-unittest's, byte for byte.
#[test]
fn failfast_stops_where_helm_unittest_stops() {
    let oracle = oracle();
    let a = scratch("failfast-oracle");
    let b = scratch("failfast-rudder");
    for dir in [&a, &b] {
        for chart in ["basic", "schema"] {
            copy_dir(
                &root().join("testdata/unittest").join(chart),
                &dir.join(chart),
                true,
            );
        }
        // A second suite that would fail after the first failed one, and a test after the
        // failed one in the same suite (neither may run).
        std::fs::write(
            dir.join("schema/tests/late_test.yaml"),
            "suite: late\ntemplates: [cm.yaml]\ntests:\n  - it: fails first\n    asserts:\n      - isKind: {of: Secret}\n      - isKind: {of: Pod}\n  - it: never runs\n    asserts:\n      - isKind: {of: Secret}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("schema/tests/later_test.yaml"),
            "suite: later\ntemplates: [cm.yaml]\ntests:\n  - it: never runs\n    asserts:\n      - isKind: {of: Secret}\n",
        )
        .unwrap();
    }
    for args in [
        vec!["-q", "basic", "schema"],
        vec!["--failfast", "schema", "basic"],
        vec!["-q", "basic", "missing-chart", "schema"],
    ] {
        let theirs = human(&oracle, &a, &args);
        let ours = human(&rudder(), &b, &args);
        assert_eq!(theirs.1, 1, "{args:?}: helm-unittest:\n{}", theirs.0);
        assert!(
            theirs.0.contains("FAIL"),
            "{args:?}: helm-unittest:\n{}",
            theirs.0
        );
        assert_eq!(
            ours.0, theirs.0,
            "{args:?}: rudder's report (left) differs from helm-unittest's (right)"
        );
        assert_eq!(ours.1, theirs.1, "{args:?}: exit codes differ");
    }
    // Without -q every suite runs: the late and later suites are reported.
    let (all, _) = human(&rudder(), &b, &["schema"]);
    assert!(all.contains("later") && all.contains("never runs"), "{all}");
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

/// `--color` forces fatih/color's escapes (as helm-unittest's flag does when stdout is not a
/// terminal): the coloured report of passing, failing and skipped suites is helm-unittest's, byte
/// for byte; `--color=false` prints none.
#[test]
fn colored_report_is_helm_unittests_bytes() {
    let oracle = oracle();
    let a = scratch("color-oracle");
    let b = scratch("color-rudder");
    for dir in [&a, &b] {
        for chart in ["basic", "schema"] {
            copy_dir(
                &root().join("testdata/unittest").join(chart),
                &dir.join(chart),
                true,
            );
        }
        std::fs::write(
            dir.join("schema/tests/skipped_test.yaml"),
            "suite: all skipped\ntemplates: [cm.yaml]\ntests:\n  - it: is skipped\n    skip:\n      reason: not today\n    asserts:\n      - isKind: {of: Secret}\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("schema/tests/some_skipped_test.yaml"),
            "suite: one skipped\ntemplates: [cm.yaml]\ntests:\n  - it: passes\n    asserts:\n      - isKind: {of: ConfigMap}\n  - it: is skipped\n    skip:\n      reason: not today\n    asserts:\n      - isKind: {of: Secret}\n",
        )
        .unwrap();
    }
    for args in [
        vec!["--color", "schema"],
        vec![
            "--color",
            "-f",
            "tests/failures_test.yaml",
            "-f",
            "tests/release_test.yaml",
            "-f",
            "tests/documents_test.yaml",
            "-f",
            "tests/regex_test.yaml",
            "basic",
        ],
        vec![
            "--color=true",
            "-q",
            "-f",
            "tests/snapshot_test.yaml",
            "basic",
        ],
    ] {
        let theirs = human(&oracle, &a, &args);
        let ours = human(&rudder(), &b, &args);
        assert!(theirs.0.contains("\x1b["), "{args:?}: {}", theirs.0);
        assert_eq!(
            ours.0, theirs.0,
            "{args:?}: rudder's report (left) differs from helm-unittest's (right)"
        );
        assert_eq!(ours.1, theirs.1, "{args:?}: exit codes differ");
    }
    let (plain, _) = human(&rudder(), &b, &["--color=false", "schema"]);
    assert!(!plain.contains('\x1b'), "{plain}");
    let _ = std::fs::remove_dir_all(a);
    let _ = std::fs::remove_dir_all(b);
}

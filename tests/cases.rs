//! Differential tests: Rudder's `template` output against goldens recorded from real Helm v3.17.3.
//!
//! Cases are `testdata/cases/<area>/<name>.txt` (a tiny chart in txtar-like form, golden beside it)
//! and `testdata/charts/<name>/` (a chart directory with an optional `args` file, golden under
//! `testdata/goldens/charts/`). Goldens come from `scripts/record-goldens`, never from Rudder.
//! Each case runs the built `rudder` binary as `rudder template rel . ARGS` in the case's chart
//! directory, exactly as the recorder ran Helm, and compares the exit code, stdout byte for byte and
//! the first `Error:` line of stderr.
//!
//! `testdata/known-differences.txt` lists cases that do not match yet, each with a reason; a listed
//! case that now matches fails the run too, so the list can only shrink honestly.
//! `RUDDER_CASES=substring` runs only the cases whose path contains it.
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rudder::template::gostr;

/// A case or golden file's text, byte for byte: output that is not valid UTF-8 (a binary file
/// rendered raw) is kept as gostr's escapes, so that both sides compare as Go's bytes.
fn read_bytes_as_text(path: &Path) -> std::io::Result<String> {
    fs::read(path).map(gostr::from_vec)
}

const DEFAULT_CHART_YAML: &str = "apiVersion: v2\nname: case\nversion: 0.1.0\n";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// One parsed golden file.
#[derive(Debug)]
struct Golden {
    exit: i32,
    stdout: String,
    stderr: String,
}

fn parse_golden(text: &str) -> Result<Golden, String> {
    let body = match text.strip_prefix("# helm ") {
        Some(rest) => rest.split_once('\n').map(|x| x.1).unwrap_or(""),
        None => text,
    };
    let after_exit = body
        .strip_prefix("-- exit --\n")
        .ok_or("missing '-- exit --'")?;
    let (exit_line, rest) = after_exit
        .split_once('\n')
        .ok_or("truncated exit section")?;
    let exit: i32 = exit_line.trim().parse().map_err(|_| "bad exit code")?;
    let (no_final_newline, rest) = if let Some(r) = rest.strip_prefix("-- stdout --\n") {
        (false, r)
    } else if let Some(r) = rest.strip_prefix("-- stdout (no final newline) --\n") {
        (true, r)
    } else {
        return Err("missing '-- stdout --'".into());
    };
    // Every stdout line ends in a newline; the one before `-- stderr --` belongs to stdout.
    let (mut stdout, stderr) = if let Some(r) = rest.strip_prefix("-- stderr --\n") {
        (String::new(), r)
    } else {
        let (o, e) = rest
            .split_once("\n-- stderr --\n")
            .ok_or("missing '-- stderr --'")?;
        (format!("{o}\n"), e)
    };
    if no_final_newline {
        stdout.pop();
    }
    Ok(Golden {
        exit,
        stdout,
        stderr: stderr.to_string(),
    })
}

/// A case file: directives (leading `#` lines), chart files, and the `args` line.
struct Case {
    directives: Vec<String>,
    files: BTreeMap<String, String>,
    args: String,
}

fn parse_case(text: &str) -> Result<Case, String> {
    let mut directives = Vec::new();
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    let mut current: Option<String> = None;
    let mut lines: Vec<&str> = text.split('\n').collect();
    if lines.last() == Some(&"") {
        lines.pop();
    }
    for line in lines {
        if line.starts_with("-- ") && line.ends_with(" --") && line.len() > 6 {
            let name = line[3..line.len() - 3].trim().to_string();
            files.insert(name.clone(), String::new());
            current = Some(name);
            continue;
        }
        match &current {
            None if line.starts_with('#') => directives.push(line[1..].trim().to_string()),
            None if line.trim().is_empty() => {}
            None => {
                return Err(format!(
                    "text before the first '-- file --' header: {line:?}"
                ))
            }
            Some(name) => {
                let content = files.get_mut(name).expect("section exists");
                content.push_str(line);
                content.push('\n');
            }
        }
    }
    let args = files.remove("args").unwrap_or_default().trim().to_string();
    Ok(Case {
        directives,
        files,
        args,
    })
}

/// Splits an `args` line like a POSIX shell would for the simple quoting cases use.
fn shell_split(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    cur.push(c);
                }
            }
            '"' => {
                in_word = true;
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        '\\' => {
                            if let Some(&n) = chars.peek() {
                                if matches!(n, '"' | '\\' | '$' | '`') {
                                    cur.push(n);
                                    chars.next();
                                    continue;
                                }
                            }
                            cur.push('\\');
                        }
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

fn copy_dir(src: &Path, dst: &Path) -> std::io::Result<()> {
    fs::create_dir_all(dst)?;
    for entry in fs::read_dir(src)? {
        let entry = entry?;
        let ty = entry.file_type()?;
        let target = dst.join(entry.file_name());
        if ty.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if ty.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}

struct Outcome {
    exit: i32,
    stdout: String,
    stderr: String,
}

fn run_rudder(chart_dir: &Path, chart_arg: &str, args: &str) -> Outcome {
    let mut words = vec![
        "template".to_string(),
        "rel".to_string(),
        chart_arg.to_string(),
    ];
    words.extend(shell_split(args));
    run_rudder_words(chart_dir, &words)
}

/// Runs `rudder WORDS` in `dir` with Helm's environment isolated.
fn run_rudder_words(dir: &Path, words: &[String]) -> Outcome {
    run_program(&common::rudder_as_helm(), dir, words)
}

/// Runs `program WORDS` in `dir` with Helm's environment isolated (also used for the real Helm).
fn run_program(program: &Path, dir: &Path, words: &[String]) -> Outcome {
    let home = std::env::temp_dir().join(format!("rudder-cases-home-{}", std::process::id()));
    let mut cmd = Command::new(program);
    cmd.args(words)
        .current_dir(dir)
        .stdin(Stdio::null())
        .env("HOME", &home)
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"))
        .env("KUBECONFIG", "/dev/null");
    match cmd.output() {
        Ok(out) => Outcome {
            exit: out.status.code().unwrap_or(-1),
            // Kept byte for byte (invalid UTF-8 as gostr's escapes), as goldens are read.
            stdout: gostr::from_vec(out.stdout),
            stderr: gostr::from_vec(out.stderr),
        },
        Err(e) => Outcome {
            exit: -1,
            stdout: String::new(),
            stderr: format!("could not run {}: {e}", program.display()),
        },
    }
}

/// Replaces the case's temporary directory by `<tmp>`, as the recorder does with Helm's output.
fn normalise_tmp(got: Outcome, work: &Path) -> Outcome {
    let shown = work.display().to_string();
    Outcome {
        exit: got.exit,
        stdout: got.stdout.replace(&shown, "<tmp>"),
        stderr: got.stderr.replace(&shown, "<tmp>"),
    }
}

fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path);
            }
        }
    }
    out
}

/// One line per archive entry, as scripts/record-goldens writes `<case>.archive`:
/// `file <mode> <size> <sha256> <name>` (Helm 3 stamps entries with the time, so times are left out).
fn archive_listing(path: &Path) -> Result<String, String> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    let file = fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = String::new();
    for entry in archive.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        let mode = entry.header().mode().map_err(|e| e.to_string())?;
        let name = entry
            .path()
            .map_err(|e| e.to_string())?
            .display()
            .to_string();
        if entry.header().entry_type().is_file() {
            let mut data = Vec::new();
            entry.read_to_end(&mut data).map_err(|e| e.to_string())?;
            let hash: String = Sha256::digest(&data)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            out.push_str(&format!("file {mode:04o} {} {hash} {name}\n", data.len()));
        } else {
            let kind = if entry.header().entry_type().is_dir() {
                "dir"
            } else {
                "other"
            };
            out.push_str(&format!(
                "{kind} {mode:04o} 0 - {}\n",
                name.trim_end_matches('/')
            ));
        }
    }
    Ok(out)
}

/// What a `# command:` case checks beyond stdout and the error line:
/// - `package`: every new archive's entries and their bytes equal `<case>.archive` (from Helm);
/// - `create NAME`: the real Helm lints and renders the chart we created.
fn command_checks(
    words: &[String],
    chart_dir: &Path,
    before: &BTreeSet<PathBuf>,
    golden_path: &Path,
) -> Result<(), String> {
    match words.first().map(String::as_str) {
        Some("package") => {
            let mut got = String::new();
            for path in files_under(chart_dir) {
                if path.extension().is_some_and(|e| e == "tgz") && !before.contains(&path) {
                    let rel = path.strip_prefix(chart_dir).unwrap_or(&path);
                    got.push_str(&format!("== {}\n", rel.display()));
                    got.push_str(&archive_listing(&path)?);
                }
            }
            let want_path = golden_path.with_extension("archive");
            let want = fs::read_to_string(&want_path)
                .map_err(|e| format!("{}: {e}", want_path.display()))?;
            if want != got {
                return Err(format!(
                    "archive entries differ:\n{}",
                    first_difference(&want, &got)
                ));
            }
            Ok(())
        }
        Some("create") => {
            let name = words
                .iter()
                .skip(1)
                .find(|w| !w.starts_with('-'))
                .ok_or("create without a name")?;
            let helm = common::helm_v3()?;
            for check in [vec!["lint", name.as_str()], vec!["template", "rel", name]] {
                let argv: Vec<String> = check.iter().map(|s| s.to_string()).collect();
                let out = run_program(&helm, chart_dir, &argv);
                if out.exit != 0 {
                    return Err(format!(
                        "real `helm {}` on our chart failed:\n{}{}",
                        argv.join(" "),
                        out.stdout,
                        out.stderr
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn first_error_line(stderr: &str) -> Option<&str> {
    stderr.lines().find(|l| l.starts_with("Error: "))
}

/// Compares an outcome with a golden; `None` when they match, else a short description.
fn compare(golden: &Golden, got: &Outcome, nondeterministic: bool) -> Option<String> {
    if golden.exit != got.exit {
        return Some(format!(
            "exit code: helm {} vs rudder {}\n  helm stderr: {}\n  rudder stderr: {}",
            golden.exit,
            got.exit,
            golden.stderr.lines().next().unwrap_or(""),
            got.stderr.lines().next().unwrap_or("")
        ));
    }
    if nondeterministic {
        let shape = |s: &str| -> Vec<String> {
            s.lines()
                .map(|l| l.split(':').next().unwrap_or("").to_string())
                .collect()
        };
        if shape(&golden.stdout) != shape(&got.stdout) {
            return Some(format!(
                "stdout shape differs:\n--- helm\n{}--- rudder\n{}",
                golden.stdout, got.stdout
            ));
        }
    } else if golden.stdout != got.stdout {
        return Some(format!(
            "stdout differs:\n{}",
            first_difference(&golden.stdout, &got.stdout)
        ));
    }
    let want_err = first_error_line(&golden.stderr);
    let got_err = first_error_line(&got.stderr);
    if want_err != got_err {
        return Some(format!(
            "error line differs:\n  helm:   {}\n  rudder: {}",
            want_err.unwrap_or("(none)"),
            got_err.unwrap_or("(none)")
        ));
    }
    None
}

fn first_difference(want: &str, got: &str) -> String {
    let w: Vec<&str> = want.split_inclusive('\n').collect();
    let g: Vec<&str> = got.split_inclusive('\n').collect();
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    let from = i.saturating_sub(2);
    let show = |lines: &[&str]| -> String {
        lines
            .iter()
            .skip(from)
            .take(i - from + 4)
            .map(|l| format!("    {l:?}\n"))
            .collect()
    };
    format!(
        "  at line {} (helm {} lines, rudder {} lines)\n  helm:\n{}  rudder:\n{}",
        i + 1,
        w.len(),
        g.len(),
        show(&w),
        show(&g)
    )
}

/// How a case is stored.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    /// `testdata/cases/<area>/<name>.txt`.
    CaseFile,
    /// `testdata/charts/<name>/`.
    ChartDir,
    /// `testdata/charts/<name>.tgz`.
    Archive,
    /// `testdata/examples/<name>.cmd`: a `template` command over `charts/`, run from the repo root.
    Example,
}

/// Every case: (display path, source, golden path, kind).
fn collect_cases() -> Vec<(String, PathBuf, PathBuf, Kind)> {
    let mut out = Vec::new();
    let cases = root().join("testdata/cases");
    let mut stack = vec![cases.clone()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "txt") {
                let golden = path.with_extension("golden");
                let rel = path
                    .strip_prefix(root())
                    .expect("under root")
                    .display()
                    .to_string();
                out.push((rel, path, golden, Kind::CaseFile));
            }
        }
    }
    if let Ok(entries) = fs::read_dir(root().join("testdata/examples")) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|e| e == "cmd") {
                let golden = path.with_extension("golden");
                let rel = path
                    .strip_prefix(root())
                    .expect("under root")
                    .display()
                    .to_string();
                out.push((rel, path, golden, Kind::Example));
            }
        }
    }
    let charts = root().join("testdata/charts");
    if let Ok(entries) = fs::read_dir(&charts) {
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            let golden = root().join(format!("testdata/goldens/charts/{name}.golden"));
            let kind = if path.is_dir() {
                Kind::ChartDir
            } else if name.ends_with(".tgz") {
                Kind::Archive
            } else {
                continue;
            };
            out.push((format!("testdata/charts/{name}"), path, golden, kind));
        }
    }
    out.sort();
    out
}

fn known_differences() -> BTreeMap<String, String> {
    let path = root().join("testdata/known-differences.txt");
    let text = fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(" # ") {
            Some((p, why)) => (p.trim().to_string(), why.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

#[test]
fn cases_match_helm() {
    let filter = std::env::var("RUDDER_CASES").unwrap_or_default();
    let known = known_differences();
    let tmp = std::env::temp_dir().join(format!("rudder-cases-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    let mut per_area: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut now_passing = Vec::new();
    let mut missing_golden = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, (rel, src, golden_path, kind)) in collect_cases().into_iter().enumerate() {
        if !rel.contains(&filter) {
            continue;
        }
        seen.insert(rel.clone());
        let Ok(golden_text) = read_bytes_as_text(&golden_path) else {
            missing_golden.push(rel);
            continue;
        };
        let golden = match parse_golden(&golden_text) {
            Ok(g) => g,
            Err(e) => panic!("{}: {e}", golden_path.display()),
        };
        if kind == Kind::Example {
            let text = fs::read_to_string(&src).expect("read example");
            let nondet = text
                .lines()
                .take_while(|l| l.starts_with('#'))
                .any(|l| l[1..].trim().starts_with("nondeterministic"));
            let words = text
                .lines()
                .rfind(|l| !l.starts_with('#') && !l.trim().is_empty())
                .unwrap_or("");
            let mut argv = vec!["template".to_string()];
            argv.extend(shell_split(words));
            let got = run_rudder_words(&root(), &argv);
            let entry = per_area.entry("examples".to_string()).or_default();
            entry.0 += 1;
            match compare(&golden, &got, nondet) {
                None => {
                    entry.1 += 1;
                    if known.contains_key(&rel) {
                        now_passing.push(rel);
                    }
                }
                Some(diff) if !known.contains_key(&rel) => failures.push(format!("{rel}: {diff}")),
                Some(_) => {}
            }
            continue;
        }
        let work = tmp.join(i.to_string());
        let chart_dir = work.join("chart");
        let mut chart_arg = ".".to_string();
        let mut command = None;
        let mut harness_problem: Option<String> = None;
        let (args, nondeterministic) = if kind == Kind::ChartDir {
            copy_dir(&src, &chart_dir).expect("copy chart case");
            let args = fs::read_to_string(src.join("args")).unwrap_or_default();
            (args.trim().to_string(), false)
        } else if kind == Kind::Archive {
            fs::create_dir_all(&chart_dir).expect("mkdir chart");
            let file_name = src.file_name().expect("archive has a name");
            fs::copy(&src, chart_dir.join(file_name)).expect("copy archive case");
            chart_arg = format!("./{}", file_name.to_string_lossy());
            (String::new(), false)
        } else {
            let text = read_bytes_as_text(&src).expect("read case");
            let case = parse_case(&text).unwrap_or_else(|e| panic!("{rel}: {e}"));
            let mut files = case.files;
            if !files.contains_key("Chart.yaml")
                && !case.directives.iter().any(|d| d == "no-default-chart-yaml")
            {
                files.insert("Chart.yaml".into(), DEFAULT_CHART_YAML.into());
            }
            for (name, content) in &files {
                let full = chart_dir.join(name);
                fs::create_dir_all(full.parent().expect("file has a parent")).expect("mkdir");
                fs::write(&full, gostr::to_bytes(content)).expect("write case file");
            }
            fs::create_dir_all(&chart_dir).expect("mkdir chart");
            let nondet = case
                .directives
                .iter()
                .any(|d| d.starts_with("nondeterministic"));
            command = case
                .directives
                .iter()
                .find_map(|d| d.strip_prefix("command:"))
                .map(|c| c.trim().to_string());
            (case.args, nondet)
        };
        let got = match &command {
            None => run_rudder(&chart_dir, &chart_arg, &args),
            Some(command) => {
                let before = files_under(&chart_dir);
                let mut words = shell_split(command);
                words.extend(shell_split(&args));
                let got = run_rudder_words(&chart_dir, &words);
                // A failed command has nothing more to check (its error line is compared).
                let extra = if got.exit == 0 {
                    command_checks(&words, &chart_dir, &before, &golden_path)
                } else {
                    Ok(())
                };
                harness_problem = extra.err();
                normalise_tmp(got, &work)
            }
        };
        let area = rel
            .strip_prefix("testdata/")
            .and_then(|r| r.rsplit_once('/'))
            .map(|(a, _)| a.to_string())
            .unwrap_or_default();
        let area = if kind == Kind::CaseFile {
            area
        } else {
            "charts".to_string()
        };
        let entry = per_area.entry(area).or_default();
        entry.0 += 1;
        let outcome = match (compare(&golden, &got, nondeterministic), harness_problem) {
            (None, None) => None,
            (Some(diff), _) => Some(diff),
            (None, Some(problem)) => Some(problem),
        };
        match outcome {
            None => {
                entry.1 += 1;
                if known.contains_key(&rel) {
                    now_passing.push(rel);
                }
            }
            Some(diff) => {
                if !known.contains_key(&rel) {
                    failures.push(format!("{rel}: {diff}"));
                }
            }
        }
    }
    let _ = fs::remove_dir_all(&tmp);
    eprintln!("differential cases (identical / total) per area:");
    let (mut total, mut same) = (0, 0);
    for (area, (n, ok)) in &per_area {
        eprintln!("  {area:<28} {ok:>4} / {n}");
        total += n;
        same += ok;
    }
    eprintln!("  {:<28} {same:>4} / {total}", "all");
    let stale: Vec<_> = known
        .keys()
        .filter(|k| k.contains(&filter) && !seen.contains(*k))
        .collect();
    let mut problems = Vec::new();
    if !missing_golden.is_empty() {
        problems.push(format!(
            "{} case(s) have no golden; run scripts/record-goldens on them:\n  {}",
            missing_golden.len(),
            missing_golden.join("\n  ")
        ));
    }
    if !now_passing.is_empty() {
        problems.push(format!(
            "{} case(s) listed in testdata/known-differences.txt now match Helm; remove them:\n  {}",
            now_passing.len(),
            now_passing.join("\n  ")
        ));
    }
    if !stale.is_empty() {
        problems.push(format!(
            "testdata/known-differences.txt names cases that do not exist: {stale:?}"
        ));
    }
    if !failures.is_empty() {
        problems.push(format!(
            "{} case(s) differ from Helm:\n{}",
            failures.len(),
            failures.join("\n")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn shell_split_handles_quotes() {
    assert_eq!(
        shell_split(r#"--set a=1 --set-string "b=x y" 'c=$z' d\ e"#),
        vec!["--set", "a=1", "--set-string", "b=x y", "c=$z", "d e"]
    );
}

#[test]
fn golden_roundtrip() {
    let g = parse_golden("# helm v3: x\n-- exit --\n1\n-- stdout --\n-- stderr --\nError: boom\n")
        .unwrap();
    assert_eq!((g.exit, g.stdout.as_str()), (1, ""));
    let g = parse_golden("-- exit --\n0\n-- stdout --\na\nb\n-- stderr --\n").unwrap();
    assert_eq!(g.stdout, "a\nb\n");
    let g =
        parse_golden("-- exit --\n0\n-- stdout (no final newline) --\na\n-- stderr --\n").unwrap();
    assert_eq!(g.stdout, "a");
}

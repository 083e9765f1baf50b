//! The runner (helm-unittest's `TestRunner.RunV3`): for each chart, find the suite files (`-f` globs,
//! default `tests/*_test.yaml`, and the same in each enabled subchart with `--with-subchart`), run
//! every suite file on a pool of threads (one per core; each thread loads a chart once and renders
//! every test of its suites from that copy, parsing each selection of its templates once), and
//! collect the results in file order.
//!
//! Unlike helm-unittest, a suite file that cannot be parsed does not stop the chart: it is reported as
//! an errored suite naming file, test and line, and the other suites still run.
//!
//! `-q/--failfast` is helm-unittest's: a test stops at its first failed assertion, a suite at its
//! first failed test, and a chart's run at its first failed suite (the suites after it are neither
//! run nor reported); the next chart still runs. A chart that cannot be loaded, or a suite file
//! that cannot be parsed (which fails the whole chart in helm-unittest), ends the run there.
//! helm-unittest then crashes writing a `-o` report (a test it never ran is a nil pointer to it);
//! Rudder writes the tests that ran.
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::chart::Chart;
use crate::engine::ParseCache;

use super::job::{run_test, KubeCarry, RunSettings, TestResult};
use super::snapshot::SnapshotCache;
use super::suite::{self, Suite};

/// What `rudder unittest` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub charts: Vec<String>,
    /// `-f` globs, relative to each chart (default `tests/*_test.yaml`).
    pub files: Vec<String>,
    /// `-v` values files.
    pub values: Vec<String>,
    pub update_snapshot: bool,
    pub fail_fast: bool,
    pub with_subchart: bool,
    pub skip_schema_validation: bool,
    /// Unknown keys in suites are errors (otherwise warnings).
    pub strict: bool,
    /// Threads to use (0: one per core).
    pub jobs: usize,
    /// `-d/--debugPlugin`: write every test's rendered files under `.debug/` (one thread then, so
    /// that, as in helm-unittest, the files left are those of the last test in file order).
    pub debug: bool,
    /// `--chart-tests-path`: a chart, relative to each chart under test, whose templates render
    /// further suites.
    pub chart_tests_path: String,
}

/// Snapshot counts of a suite.
#[derive(Debug, Clone, Copy, Default)]
pub struct SnapshotCounts {
    pub total: u64,
    pub failed: u64,
    pub created: u64,
    pub vanished: u64,
}

/// The verdict on one suite.
#[derive(Debug, Clone, Default)]
pub struct SuiteResult {
    pub name: String,
    pub file: String,
    pub passed: bool,
    pub skipped: bool,
    pub fail_fast: bool,
    /// The suite could not run (parse error, snapshot file).
    pub error: Option<String>,
    /// The suite file could not be read or parsed (helm-unittest fails the whole chart then).
    pub load_failed: bool,
    pub tests: Vec<TestResult>,
    pub snapshot: SnapshotCounts,
    /// Unknown keys that were ignored, each naming file, test and line.
    pub warnings: Vec<String>,
}

impl SuiteResult {
    /// Under `--failfast`, what this suite stops: `Some(true)` the whole run (a suite that could
    /// not be loaded, as a chart whose suites helm-unittest cannot load stops it), `Some(false)`
    /// the rest of its chart (a test failed), `None` nothing.
    fn stops(&self) -> Option<bool> {
        if self.load_failed {
            Some(true)
        } else if self.fail_fast {
            Some(false)
        } else {
            None
        }
    }

    pub fn duration(&self) -> Duration {
        self.tests.iter().map(|t| t.duration).sum()
    }
}

/// One chart's results.
#[derive(Debug, Clone, Default)]
pub struct ChartResult {
    pub name: String,
    pub path: String,
    /// The chart could not be loaded.
    pub error: Option<String>,
    pub suites: Vec<SuiteResult>,
    pub passed: bool,
}

/// Everything a run found.
#[derive(Debug, Clone, Default)]
pub struct RunResult {
    pub charts: Vec<ChartResult>,
    pub elapsed: Duration,
}

impl RunResult {
    pub fn passed(&self) -> bool {
        self.charts.iter().all(|c| c.passed)
    }
}

/// Where a job's suites come from.
enum Source {
    /// A suite file.
    File(String),
    /// A template rendered from a `--chart-tests-path` chart, under its file name.
    Rendered { file: String, text: String },
    /// A tests chart (or one of its templates) that could not be rendered.
    Failed { file: String, error: String },
}

/// The suites to run, and which chart of the tree they test.
struct Job {
    chart: usize,
    source: Source,
    route: String,
}

/// Runs every chart's suites.
pub fn run(options: &Options) -> RunResult {
    let start = Instant::now();
    let mut result = RunResult::default();
    let settings = RunSettings {
        values: options
            .values
            .iter()
            .flat_map(|v| absolute_values(v))
            .collect(),
        fail_fast: options.fail_fast,
        skip_schema_validation: options.skip_schema_validation,
        render_path: options.debug.then(|| PathBuf::from(".debug")),
    };
    let patterns: Vec<String> = if options.files.is_empty() {
        vec!["tests/*_test.yaml".to_string()]
    } else {
        options.files.clone()
    };
    let mut jobs = Vec::new();
    let mut chart_paths = Vec::new();
    for (ci, chart_path) in options.charts.iter().enumerate() {
        // helm-unittest's loader stats the path first (`stat x: no such file or directory`).
        let loaded = match std::fs::metadata(chart_path) {
            Err(e) => Err(crate::go_os::path_error("stat", Path::new(chart_path), &e)),
            Ok(_) => crate::chart::load(Path::new(chart_path)).map_err(|e| e.to_string()),
        };
        let chart = match loaded {
            Ok(c) => c,
            Err(e) => {
                result.charts.push(ChartResult {
                    path: chart_path.clone(),
                    error: Some(e),
                    ..ChartResult::default()
                });
                chart_paths.push(None);
                if options.fail_fast {
                    break;
                }
                continue;
            }
        };
        let mut found = Vec::new();
        collect_suites(
            &chart,
            chart_path,
            chart.name(),
            &patterns,
            options,
            &mut found,
        );
        for (source, route) in found {
            jobs.push(Job {
                chart: ci,
                source,
                route,
            });
        }
        result.charts.push(ChartResult {
            name: chart.name().to_string(),
            path: chart_path.clone(),
            passed: true,
            ..ChartResult::default()
        });
        chart_paths.push(Some(chart_path.clone()));
        crate::teardown::dispose(chart);
    }

    let kube_at_start = kube_versions(&jobs, options.strict);
    let slots: Vec<Mutex<Option<Vec<SuiteResult>>>> =
        jobs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    // Under --failfast: the first job that stopped the run, and per chart the first that stopped
    // its chart; later jobs are not started (and their results, if already running, dropped below).
    let run_stop = AtomicUsize::new(usize::MAX);
    let chart_stop: Vec<AtomicUsize> = options
        .charts
        .iter()
        .map(|_| AtomicUsize::new(usize::MAX))
        .collect();
    let threads = match options.jobs {
        _ if options.debug => 1,
        0 => crate::parallel::cores(),
        n => n,
    }
    .min(jobs.len())
    .max(1);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut charts: Vec<(usize, Result<Chart, String>, ParseCache)> = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    if run_stop.load(Ordering::Relaxed) < i
                        || chart_stop[job.chart].load(Ordering::Relaxed) < i
                    {
                        continue;
                    }
                    let at = match charts.iter().position(|(c, _, _)| *c == job.chart) {
                        Some(p) => p,
                        None => {
                            let path = chart_paths[job.chart].clone().unwrap_or_default();
                            let loaded =
                                crate::chart::load(Path::new(&path)).map_err(|e| e.to_string());
                            charts.push((job.chart, loaded, ParseCache::default()));
                            charts.len() - 1
                        }
                    };
                    let (_, chart, parsed) = &mut charts[at];
                    let results = match chart {
                        Ok(chart) => run_source(
                            chart,
                            parsed,
                            &job.source,
                            &job.route,
                            options,
                            &settings,
                            &mut kube_at_start[i].clone(),
                        ),
                        Err(e) => vec![errored(job.source.file(), e.clone())],
                    };
                    if options.fail_fast {
                        match results.iter().find_map(SuiteResult::stops) {
                            Some(true) => _ = run_stop.fetch_min(i, Ordering::Relaxed),
                            Some(false) => {
                                _ = chart_stop[job.chart].fetch_min(i, Ordering::Relaxed)
                            }
                            None => {}
                        }
                    }
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(results);
                }
                crate::teardown::dispose(charts);
            });
        }
    });

    // helm-unittest's --failfast, in file order: a failed suite ends its chart's run (the next
    // chart still runs), a suite that could not be loaded ends the whole run.
    let mut stopped_chart = vec![false; result.charts.len()];
    let mut stopped_run = None;
    for (job, slot) in jobs.iter().zip(slots) {
        if stopped_run.is_some() {
            break;
        }
        let Some(results) = slot.into_inner().unwrap_or_else(|e| e.into_inner()) else {
            continue;
        };
        if stopped_chart[job.chart] {
            continue;
        }
        let chart = &mut result.charts[job.chart];
        for r in results {
            chart.passed = chart.passed && (r.passed || r.skipped);
            let stops = if options.fail_fast { r.stops() } else { None };
            chart.suites.push(r);
            match stops {
                Some(true) => {
                    stopped_run = Some(job.chart);
                    break;
                }
                Some(false) => {
                    stopped_chart[job.chart] = true;
                    break;
                }
                None => {}
            }
        }
    }
    if let Some(last) = stopped_run {
        result.charts.truncate(last + 1);
    }
    result.elapsed = start.elapsed();
    result
}

/// `-v` files: absolute paths as given, others globbed from the working directory.
fn absolute_values(pattern: &str) -> Vec<String> {
    let path = Path::new(pattern);
    if path.is_absolute() {
        return vec![pattern.to_string()];
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    glob("", pattern)
        .into_iter()
        .map(|f| cwd.join(f).display().to_string())
        .collect()
}

/// The suite files of a chart (then the suites its `--chart-tests-path` chart renders) and, with
/// subcharts, the same for each enabled subchart directory.
fn collect_suites(
    chart: &Chart,
    dir: &str,
    route: &str,
    patterns: &[String],
    options: &Options,
    out: &mut Vec<(Source, String)>,
) {
    let mut seen = Vec::new();
    for pattern in patterns {
        let files = if Path::new(pattern).is_absolute() {
            vec![pattern.clone()]
        } else {
            glob(dir, pattern)
        };
        for f in files {
            if !seen.contains(&f) {
                seen.push(f.clone());
                out.push((Source::File(relative_to_cwd(&f)), route.to_string()));
            }
        }
    }
    if !options.chart_tests_path.is_empty() {
        let tests_dir = Path::new(dir).join(&options.chart_tests_path);
        // A chart without that directory has no rendered suites (helm-unittest: "mixed testing
        // environments").
        if tests_dir.exists() {
            let shown = relative_to_cwd(&tests_dir.display().to_string());
            match super::rendered::render(&tests_dir) {
                Err(error) => out.push((Source::Failed { file: shown, error }, route.to_string())),
                Ok(templates) => {
                    for t in templates {
                        let source = match t {
                            Ok(t) => Source::Rendered {
                                file: relative_to_cwd(&t.file),
                                text: t.text,
                            },
                            Err(error) => Source::Failed {
                                file: shown.clone(),
                                error,
                            },
                        };
                        out.push((source, route.to_string()));
                    }
                }
            }
        }
    }
    if !options.with_subchart {
        return;
    }
    for sub in &chart.dependencies {
        if !subchart_enabled(chart, sub) {
            continue;
        }
        let sub_dir = format!("{dir}/charts/{}", sub.name());
        let sub_route = format!("{route}/charts/{}", sub.name());
        collect_suites(sub, &sub_dir, &sub_route, patterns, options, out);
    }
}

/// helm-unittest's `isSubchartEnabled`: the dependency's condition (or else its tags) against the
/// parent chart's values; anything unresolvable counts as enabled.
fn subchart_enabled(parent: &Chart, sub: &Chart) -> bool {
    let Some(dep) = parent.metadata.dependencies.iter().find(|d| {
        (if d.alias.is_empty() {
            &d.name
        } else {
            &d.alias
        }) == sub.name()
    }) else {
        return true;
    };
    let values = &parent.values;
    if !dep.condition.is_empty() {
        let mut current = values.clone();
        let parts: Vec<&str> = dep.condition.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            let Some(map) = current.as_map() else {
                return true;
            };
            let Some(next) = map.get(part) else {
                return true;
            };
            if i == parts.len() - 1 {
                return match next {
                    crate::template::Value::Bool(b) => b,
                    _ => true,
                };
            }
            current = next;
        }
        return true;
    }
    if !dep.tags.is_empty() {
        let Some(tags) = values.as_map().and_then(|m| m.get("tags")) else {
            return true;
        };
        let Some(tags) = tags.as_map() else {
            return true;
        };
        return dep
            .tags
            .iter()
            .any(|t| matches!(tags.get(t), Some(crate::template::Value::Bool(true))));
    }
    true
}

fn relative_to_cwd(file: &str) -> String {
    let path = Path::new(file);
    if path.is_absolute() {
        if let Ok(cwd) = std::env::current_dir() {
            if let Ok(rel) = path.strip_prefix(&cwd) {
                return rel.display().to_string();
            }
        }
    }
    crate::template::funcs::sprig::paths::clean(file)
}

impl Source {
    fn file(&self) -> &str {
        match self {
            Source::File(file) => file,
            Source::Rendered { file, .. } | Source::Failed { file, .. } => file,
        }
    }
}

/// The Kubernetes version each job starts with ([`KubeCarry`]): what the tests of all the jobs
/// before it leave behind, run one after another as helm-unittest runs them. (A test that fails
/// before rendering, on a missing values file, say, leaves it alone in helm-unittest; this count
/// does not know that in advance.)
fn kube_versions(jobs: &[Job], strict: bool) -> Vec<KubeCarry> {
    let mut carry = KubeCarry::default();
    let mut out = Vec::with_capacity(jobs.len());
    for job in jobs {
        out.push(carry.clone());
        for suite in parse(&job.source, strict).into_iter().flatten().flatten() {
            for test in &suite.tests {
                if KubeCarry::renders(&suite, test) {
                    carry.apply(&suite, test);
                }
            }
        }
    }
    out
}

/// The suites of a job's source; `Err` when the file cannot be read (or the source failed).
fn parse(source: &Source, strict: bool) -> Result<Vec<Result<Suite, super::Error>>, String> {
    match source {
        Source::File(file) => match std::fs::read(file) {
            Ok(bytes) => Ok(suite::parse_file(
                file,
                &String::from_utf8_lossy(&bytes),
                strict,
            )),
            Err(e) => Err(crate::go_os::path_error("open", Path::new(file), &e)),
        },
        Source::Rendered { file, text } => Ok(suite::parse_rendered(file, text, strict)),
        Source::Failed { error, .. } => Err(error.clone()),
    }
}

/// A suite that could not run.
fn errored(file: &str, error: String) -> SuiteResult {
    SuiteResult {
        file: file.to_string(),
        error: Some(error),
        load_failed: true,
        ..SuiteResult::default()
    }
}

/// Runs every suite of one file or rendered template, in order (its suites may share a snapshot
/// file).
fn run_source(
    chart: &Chart,
    templates: &mut ParseCache,
    source: &Source,
    route: &str,
    options: &Options,
    settings: &RunSettings,
    kube: &mut KubeCarry,
) -> Vec<SuiteResult> {
    let file = source.file();
    let parsed = match parse(source, options.strict) {
        Ok(parsed) => parsed,
        Err(error) => return vec![errored(file, error)],
    };
    let mut out = Vec::new();
    for parsed in parsed {
        let result = match parsed {
            Err(e) => errored(file, e.to_string()),
            Ok(s) => run_suite(chart, templates, &s, route, options, settings, kube),
        };
        let stop = options.fail_fast && result.stops().is_some();
        out.push(result);
        if stop {
            break;
        }
    }
    out
}

fn run_suite(
    chart: &Chart,
    parsed: &mut ParseCache,
    suite: &Suite,
    route: &str,
    options: &Options,
    settings: &RunSettings,
    kube: &mut KubeCarry,
) -> SuiteResult {
    let mut result = SuiteResult {
        name: suite.name.clone(),
        file: suite.file.clone(),
        warnings: suite.warnings.iter().map(|w| w.to_string()).collect(),
        ..SuiteResult::default()
    };
    let mut cache = match SnapshotCache::open(&suite.snapshot_file(), options.update_snapshot) {
        Ok(c) => c,
        Err(e) => {
            result.error = Some(e);
            return result;
        }
    };
    let mut pass = false;
    let mut skipped = 0;
    for (i, test) in suite.tests.iter().enumerate() {
        let r = run_test(
            chart, parsed, suite, route, test, settings, &mut cache, kube,
        );
        if r.skipped && r.asserts.is_empty() {
            skipped += 1;
            if i == 0 {
                pass = true;
            }
        } else {
            pass = if i == 0 { r.passed } else { pass && r.passed };
        }
        result.tests.push(r);
        if !pass && options.fail_fast {
            result.fail_fast = true;
            break;
        }
    }
    result.passed = pass;
    result.skipped = skipped == suite.tests.len();
    result.snapshot = SnapshotCounts {
        total: cache.compared,
        failed: cache.failed(),
        created: cache.inserted,
        vanished: cache.vanished(),
    };
    if let Err(e) = cache.store_if_needed() {
        result.error = Some(e);
        result.passed = false;
    }
    result
}

/// Files under `base` matching `pattern` (Go's `filepath.Match` per path element, `**` for any
/// number of directories), sorted.
pub fn glob(base: &str, pattern: &str) -> Vec<String> {
    let root = if base.is_empty() {
        PathBuf::from(".")
    } else {
        PathBuf::from(base)
    };
    let parts: Vec<&str> = pattern
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    let mut found = Vec::new();
    walk(&root, base, &parts, &mut found);
    found.sort();
    found.dedup();
    found
}

fn walk(dir: &Path, shown: &str, parts: &[&str], out: &mut Vec<String>) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let join = |name: &str| {
        if shown.is_empty() {
            name.to_string()
        } else {
            format!("{}/{name}", shown.trim_end_matches('/'))
        }
    };
    if *first == "**" {
        // zero directories
        walk(dir, shown, rest, out);
        if let Ok(entries) = std::fs::read_dir(dir) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    let name = e.file_name().to_string_lossy().into_owned();
                    walk(&e.path(), &join(&name), parts, out);
                }
            }
        }
        return;
    }
    if !first.contains(['*', '?', '[', '\\']) {
        let path = dir.join(first);
        if rest.is_empty() {
            if path.exists() {
                out.push(join(first));
            }
        } else if path.is_dir() {
            walk(&path, &join(first), rest, out);
        }
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut names: Vec<String> = entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        if !glob_match(first, &name) {
            continue;
        }
        let path = dir.join(&name);
        if rest.is_empty() {
            out.push(join(&name));
        } else if path.is_dir() {
            walk(&path, &join(&name), rest, out);
        }
    }
}

/// Go's `filepath.Match` for one element: `*`, `?`, `[...]` (with `^` negation and ranges), `\`.
pub fn glob_match(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some(('*', rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some(('?', rest)) => !n.is_empty() && go(rest, &n[1..]),
            Some(('[', rest)) => {
                let Some(c) = n.first() else { return false };
                let mut i = 0;
                let negate = rest.first() == Some(&'^');
                if negate {
                    i += 1;
                }
                let mut matched = false;
                let mut first = true;
                while i < rest.len() && (first || rest[i] != ']') {
                    first = false;
                    let lo = rest[i];
                    if i + 2 < rest.len() && rest[i + 1] == '-' && rest[i + 2] != ']' {
                        if lo <= *c && *c <= rest[i + 2] {
                            matched = true;
                        }
                        i += 3;
                    } else {
                        if lo == *c {
                            matched = true;
                        }
                        i += 1;
                    }
                }
                if i >= rest.len() {
                    return false;
                }
                matched != negate && go(&rest[i + 1..], &n[1..])
            }
            Some(('\\', rest)) if !rest.is_empty() => {
                n.first() == Some(&rest[0]) && go(&rest[1..], &n[1..])
            }
            Some((c, rest)) => n.first() == Some(c) && go(rest, &n[1..]),
        }
    }
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    go(&p, &n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glob_elements_match_like_go() {
        assert!(glob_match("*_test.yaml", "a_test.yaml"));
        assert!(!glob_match("*_test.yaml", "a_test.yml"));
        assert!(glob_match("a?c", "abc"));
        assert!(glob_match("[a-c]x", "bx"));
        assert!(!glob_match("[^a-c]x", "bx"));
    }

    #[test]
    fn glob_walks_directories() {
        let dir = std::env::temp_dir().join(format!("rudder-ut-glob-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tests/deep")).unwrap();
        std::fs::write(dir.join("tests/a_test.yaml"), "").unwrap();
        std::fs::write(dir.join("tests/deep/b_test.yaml"), "").unwrap();
        std::fs::write(dir.join("tests/c.yaml"), "").unwrap();
        let base = dir.display().to_string();
        let found = glob(&base, "tests/*_test.yaml");
        assert_eq!(found, [format!("{base}/tests/a_test.yaml")]);
        let found = glob(&base, "tests/**/*_test.yaml");
        assert_eq!(found.len(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}

//! Differential fuzzing of Rudder's engine against Helm v3.17.3's own (docs/fuzzing.md).
//!
//! `scripts/helm-engine-oracle` builds (once, cached) a Go program on `helm.sh/helm/v3` v3.17.3 that
//! loads a chart held in memory, coalesces its values and renders it with `engine.Render`, many charts
//! per process (tests/helm-engine-oracle/main.go). Generated charts (tests/engine_fuzz/gen.rs) go to
//! both; the outputs (every file's bytes) or the first line of the error must agree. A case that
//! differs is shrunk (tests/engine_fuzz/shrink.rs) and written, in the testdata/cases format, to
//! `ENGINE_FUZZ_OUT` (default `target/engine-fuzz/`), ready to become a differential case
//! (`scripts/record-goldens` records its golden from real helm); the test then fails.
//!
//! - `ENGINE_FUZZ_SECONDS=N`: run for N seconds (scripts/engine-fuzz sets it); without it a fixed
//!   500 cases run, so that `cargo test` stays quick;
//! - `ENGINE_FUZZ_SEED=S`: the first case's seed (default 1; case k has seed S+k, so a run is
//!   reproducible and `ENGINE_FUZZ_SEED=<seed> ENGINE_FUZZ_CASES=1` replays one case);
//! - `ENGINE_FUZZ_CASES=N`: stop after N cases;
//! - `ENGINE_FUZZ_SHOW=1`: print each generated case before rendering it.
mod engine_fuzz {
    pub mod gen;
    pub mod shrink;
}

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use engine_fuzz::gen::{self, Case};
use rudder::action::pipeline::LoadedChart;
use rudder::chart::loader::{load_files, BufferedFile};
use rudder::engine::{Capabilities, Engine, ReleaseOptions};
use rudder::template::{MapEntries, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one engine answered: every output file's bytes, or the error's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Ok(BTreeMap<String, Vec<u8>>),
    Err(String),
    /// The oracle died on this case (see [`Oracle::ask_all`]).
    HelmCrashed,
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").to_string()
}

struct Oracle {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    fn start() -> Oracle {
        let path = match std::env::var_os("RUDDER_HELM_ENGINE_ORACLE") {
            Some(p) => PathBuf::from(p),
            None => {
                let out = Command::new(root().join("scripts/helm-engine-oracle"))
                    .output()
                    .expect("running scripts/helm-engine-oracle");
                assert!(
                    out.status.success(),
                    "scripts/helm-engine-oracle failed (it needs Go and the module proxy): {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
            }
        };
        let mut child = Command::new(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", path.display()));
        let stdin = child.stdin.take();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Oracle {
            child,
            stdin,
            stdout,
        }
    }

    /// Helm's answers to `requests` (JSON lines), written on a thread while `meanwhile` runs. A
    /// request that kills the oracle (Go's fatal "stack overflow" on a cyclic value: helm itself
    /// dies the same way) is answered [`Answer::HelmCrashed`]; the oracle is started again for the
    /// rest.
    fn ask_all<T>(
        &mut self,
        requests: &[String],
        meanwhile: impl FnOnce() -> T,
    ) -> (Vec<Answer>, T) {
        let (mut answers, mine) = self.ask_batch(requests, meanwhile);
        while answers.len() < requests.len() {
            answers.push(Answer::HelmCrashed);
            *self = Oracle::start();
            let (more, ()) = self.ask_batch(&requests[answers.len()..], || ());
            answers.extend(more);
        }
        (answers, mine)
    }

    /// Answers until the oracle ends (all of them unless it crashed).
    fn ask_batch<T>(
        &mut self,
        requests: &[String],
        meanwhile: impl FnOnce() -> T,
    ) -> (Vec<Answer>, T) {
        let stdin = self.stdin.as_mut().unwrap();
        let stdout = &mut self.stdout;
        std::thread::scope(|s| {
            let writer = s.spawn(move || {
                for r in requests {
                    // A crashed oracle closes the pipe: the reader sees it end.
                    if stdin.write_all(r.as_bytes()).is_err() || stdin.write_all(b"\n").is_err() {
                        return;
                    }
                }
                let _ = stdin.flush();
            });
            let mine = meanwhile();
            let mut answers = Vec::with_capacity(requests.len());
            for _ in requests {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                answers.push(parse_answer(&line));
            }
            writer.join().unwrap();
            (answers, mine)
        })
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.wait();
    }
}

fn parse_answer(line: &str) -> Answer {
    let v: serde_json::Value =
        serde_json::from_str(line).unwrap_or_else(|e| panic!("oracle answered {line:?}: {e}"));
    if let Some(e) = v.get("err") {
        return Answer::Err(first_line(e.as_str().unwrap()));
    }
    let mut files = BTreeMap::new();
    if let Some(ok) = v.get("ok").and_then(|o| o.as_object()) {
        for (k, b) in ok {
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(b.as_str().unwrap())
                .unwrap();
            files.insert(k.clone(), bytes);
        }
    }
    Answer::Ok(files)
}

fn request(case: &Case) -> String {
    request_files(case.files())
}

fn request_files(files: Vec<(String, Vec<u8>)>) -> String {
    let files: Vec<serde_json::Value> = files
        .into_iter()
        .map(|(name, data)| {
            serde_json::json!({
                "name": name,
                "data": base64::engine::general_purpose::STANDARD.encode(&data),
            })
        })
        .collect();
    serde_json::json!({ "files": files }).to_string()
}

/// Rudder's answer: load, coalesce and render as `rudder template` does.
fn ours(case: &Case) -> Answer {
    ours_files(case.files())
}

fn ours_files(files: Vec<(String, Vec<u8>)>) -> Answer {
    let files = files
        .into_iter()
        .map(|(name, data)| BufferedFile { name, data })
        .collect();
    let run = || -> Result<BTreeMap<String, Vec<u8>>, String> {
        let chart = load_files(files).map_err(|e| e.to_string())?;
        let mut loaded = LoadedChart::from(chart);
        let user = Value::map(MapEntries::new());
        loaded
            .process_dependencies(&user)
            .map_err(|e| e.to_string())?;
        let values = loaded.coalesce(&user).map_err(|e| e.to_string())?;
        let release = ReleaseOptions {
            name: "rel".into(),
            namespace: "ns".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        };
        let out = Engine::default()
            .render(
                &loaded.chart,
                &values,
                &release,
                &Capabilities::for_template(None, &[]),
            )
            .map_err(|e| e.to_string())?;
        Ok(out.into_iter().map(|(k, v)| (k, v.into())).collect())
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(Ok(files)) => Answer::Ok(files),
        // Invalid bytes in the text as Go writes them (the oracle's JSON shows each as U+FFFD).
        Ok(Err(e)) => Answer::Err(first_line(&String::from_utf8_lossy(
            &rudder::template::gostr::to_bytes(&e),
        ))),
        Err(_) => Answer::Err("<rudder panicked>".into()),
    }
}

/// The shape of a difference, kept while shrinking: who failed.
fn shape(ours: &Answer, helm: &Answer) -> (bool, bool) {
    (
        matches!(ours, Answer::Err(_)),
        matches!(helm, Answer::Err(_)),
    )
}

fn differs(oracle: &mut Oracle, case: &Case) -> Option<(Answer, Answer)> {
    let (helm, mine) = oracle.ask_all(&[request(case)], || ours(case));
    let helm = helm.into_iter().next().unwrap();
    (helm != mine && helm != Answer::HelmCrashed).then_some((mine, helm))
}

fn shrink(oracle: &mut Oracle, mut case: Case, want: (bool, bool)) -> Case {
    let mut steps = 0;
    'outer: while steps < 2000 {
        for v in engine_fuzz::shrink::variants(&case) {
            steps += 1;
            if let Some((m, h)) = differs(oracle, &v) {
                if shape(&m, &h) == want && !shows_address(&h) {
                    case = v;
                    continue 'outer;
                }
            }
        }
        break;
    }
    case
}

/// Whether Helm answers `case` differently when asked again (up to 16 times): outputs that follow
/// Go's random map iteration (`keys`, `values` of a dict with several keys) change from run to run.
fn helm_varies(oracle: &mut Oracle, case: &Case, first: &Answer) -> bool {
    let request = [request(case)];
    (0..16).any(|_| {
        let (again, ()) = oracle.ask_all(&request, || ());
        again[0] != *first && again[0] != Answer::HelmCrashed
    })
}

/// Go printed a pointer value (`%v` of a pointer inside a map): its address changes from run to run.
fn shows_address(a: &Answer) -> bool {
    let has = |s: &[u8]| {
        s.windows(6)
            .any(|w| w.starts_with(b"0xc0") && w[4..].iter().all(u8::is_ascii_hexdigit))
    };
    match a {
        Answer::Ok(files) => files.values().any(|v| has(v)),
        Answer::Err(e) => has(e.as_bytes()),
        Answer::HelmCrashed => false,
    }
}

/// The kind of a difference: both answers without positions, template names and digits, so that
/// one root cause found many times is reported once.
fn signature(mine: &Answer, helm: &Answer) -> String {
    let norm = |a: &Answer| -> String {
        let text = match a {
            Answer::Ok(files) => format!(
                "ok {}",
                files
                    .values()
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .collect::<Vec<_>>()
                    .join("|")
            ),
            Answer::HelmCrashed => "crashed".into(),
            Answer::Err(e) => {
                let tail = e.rsplit(">: ").next().unwrap_or(e);
                format!("err {tail}")
            }
        };
        text.chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .take(200)
            .collect()
    };
    format!("{} <> {}", norm(mine), norm(helm))
}

fn case_text(seed: u64, case: &Case, mine: &Answer, helm: &Answer) -> Vec<u8> {
    let mut text = format!("# engine fuzz: seed {seed}, shrunk.\n");
    let show = |a: &Answer| match a {
        Answer::Ok(files) => files
            .iter()
            .map(|(k, v)| format!("{k}={:?}", String::from_utf8_lossy(v)))
            .collect::<Vec<_>>()
            .join(" "),
        Answer::Err(e) => format!("error {e:?}"),
        Answer::HelmCrashed => "crashed".into(),
    };
    text.push_str(&format!(
        "# helm:   {}\n# rudder: {}\n",
        show(helm),
        show(mine)
    ));
    let mut out = text.into_bytes();
    for (name, data) in case.files() {
        if name == "Chart.yaml" && data == gen::CHART_YAML.as_bytes() {
            continue;
        }
        out.extend_from_slice(format!("-- {name} --\n").as_bytes());
        out.extend_from_slice(&data);
        if !data.ends_with(b"\n") {
            out.push(b'\n');
        }
    }
    out
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v:?} is not a number"))
    })
}

/// Runs `body` on a thread with the stack `rudder`'s command thread has (src/cli/mod.rs: 1 GiB, so
/// that templates may nest `include` 1000 deep as Helm allows).
fn with_command_stack(body: impl FnOnce() + Send + 'static) {
    let worker = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(body)
        .unwrap();
    if let Err(panic) = worker.join() {
        std::panic::resume_unwind(panic);
    }
}

#[test]
fn rudder_renders_generated_charts_as_helms_engine_does() {
    with_command_stack(fuzz);
}

/// The seed of the case Rudder is rendering (for [`watchdog`]).
static CURRENT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Says which case Rudder has been rendering for a minute (a hang is a difference too, but one the
/// harness cannot shrink: replay it with `--seed S --cases 1`).
fn watchdog() {
    std::thread::spawn(|| {
        let mut last = (u64::MAX, 0);
        loop {
            std::thread::sleep(Duration::from_secs(20));
            let now = CURRENT.load(std::sync::atomic::Ordering::Relaxed);
            last = if now == last.0 {
                (now, last.1 + 1)
            } else {
                (now, 0)
            };
            if last.1 == 3 {
                eprintln!("engine fuzz: seed {now} has been rendering for a minute");
            }
        }
    });
}

fn fuzz() {
    let seconds = env_u64("ENGINE_FUZZ_SECONDS");
    let max_cases =
        env_u64("ENGINE_FUZZ_CASES").or(if seconds.is_none() { Some(500) } else { None });
    let seed0 = env_u64("ENGINE_FUZZ_SEED").unwrap_or(1);
    let out_dir = std::env::var_os("ENGINE_FUZZ_OUT")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/engine-fuzz"));
    let deadline = seconds.map(|s| Instant::now() + Duration::from_secs(s));

    let mut oracle = Oracle::start();
    let started = Instant::now();
    watchdog();
    let mut tried = 0u64;
    let mut found: Vec<(u64, String)> = Vec::new();
    let mut signatures = std::collections::BTreeSet::new();
    let (mut repeats, mut unmatchable, mut crashed, mut unstable) = (0u64, 0u64, 0u64, 0u64);
    const BATCH: u64 = 64;
    loop {
        if deadline.is_some_and(|d| Instant::now() >= d) || max_cases.is_some_and(|m| tried >= m) {
            break;
        }
        let n = max_cases.map_or(BATCH, |m| BATCH.min(m - tried));
        let seeds: Vec<u64> = (0..n).map(|i| seed0.wrapping_add(tried + i)).collect();
        let cases: Vec<Case> = seeds.iter().map(|&s| gen::gen_case(s)).collect();
        if std::env::var_os("ENGINE_FUZZ_SHOW").is_some() {
            for (c, s) in cases.iter().zip(&seeds) {
                let text = case_text(*s, c, &Answer::HelmCrashed, &Answer::HelmCrashed);
                eprintln!("{}", String::from_utf8_lossy(&text));
            }
        }
        let requests: Vec<String> = cases.iter().map(request).collect();
        let (helm, mine) = oracle.ask_all(&requests, || {
            cases
                .iter()
                .zip(&seeds)
                .map(|(c, &s)| {
                    CURRENT.store(s, std::sync::atomic::Ordering::Relaxed);
                    ours(c)
                })
                .collect::<Vec<_>>()
        });
        tried += n;
        for i in 0..cases.len() {
            if helm[i] == mine[i] {
                continue;
            }
            if helm[i] == Answer::HelmCrashed {
                crashed += 1;
                continue;
            }
            if shows_address(&helm[i]) {
                // Go printed a pointer (`0xc000123456`): no byte-for-byte answer exists.
                unmatchable += 1;
                continue;
            }
            if helm_varies(&mut oracle, &cases[i], &helm[i]) {
                // Go's map order is random (`keys`, `values`…): Helm itself answers differently
                // from run to run, so no byte-for-byte answer exists.
                unstable += 1;
                continue;
            }
            let want = shape(&mine[i], &helm[i]);
            let small = shrink(&mut oracle, cases[i].clone(), want);
            // Written wrapped (output through `include | toJson`) when the difference survives it, so
            // that `helm template` can parse what the body renders.
            let wrapped = small.wrapped();
            let (written, (m, h)) = match differs(&mut oracle, &wrapped) {
                Some(d) => (wrapped, d),
                None => {
                    let d =
                        differs(&mut oracle, &small).unwrap_or((mine[i].clone(), helm[i].clone()));
                    (small, d)
                }
            };
            let text = case_text(seeds[i], &written, &m, &h);
            if !signatures.insert(signature(&m, &h)) {
                repeats += 1;
                continue;
            }
            std::fs::create_dir_all(&out_dir).unwrap();
            let path = out_dir.join(format!("seed_{}.txt", seeds[i]));
            std::fs::write(&path, &text).unwrap();
            eprintln!(
                "engine fuzz: difference, seed {}: {}\n{}",
                seeds[i],
                path.display(),
                String::from_utf8_lossy(&text)
            );
            found.push((seeds[i], path.display().to_string()));
        }
    }
    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "engine fuzz: {tried} cases from seed {seed0} in {secs:.1}s ({:.0}/min), {} distinct difference(s) \
         (+{repeats} of the same kinds), {unmatchable} skipped (Helm printed a pointer address), \
         {unstable} skipped (Helm's answer changed between runs: Go's map order), \
         {crashed} on which Helm's engine crashed",
        tried as f64 * 60.0 / secs,
        found.len()
    );
    assert!(
        found.is_empty(),
        "{} generated chart(s) render differently from Helm's engine; shrunk cases:\n  {}",
        found.len(),
        found
            .iter()
            .map(|(s, p)| format!("seed {s}: {p}"))
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

/// `ENGINE_FUZZ_REPLAY=FILE...` (space-separated, testdata/cases format, a written case or a
/// hand-made one): both answers for each file, printed; fails when they differ.
#[test]
fn replay() {
    let Ok(list) = std::env::var("ENGINE_FUZZ_REPLAY") else {
        return;
    };
    with_command_stack(move || replay_files(&list));
}

fn replay_files(list: &str) {
    let mut oracle = Oracle::start();
    let mut differ = 0;
    for path in list.split_whitespace() {
        let text = std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let mut files = vec![(
            "Chart.yaml".to_string(),
            gen::CHART_YAML.as_bytes().to_vec(),
        )];
        let mut current: Option<(String, Vec<u8>)> = None;
        for line in text.split_inclusive(|&b| b == b'\n') {
            let header = std::str::from_utf8(line).ok().and_then(|l| {
                l.trim_end()
                    .strip_prefix("-- ")
                    .and_then(|l| l.strip_suffix(" --"))
            });
            if let Some(name) = header {
                files.extend(current.take());
                current = Some((name.to_string(), Vec::new()));
            } else if let Some((_, body)) = &mut current {
                body.extend_from_slice(line);
            }
        }
        files.extend(current.take());
        // A case's own Chart.yaml replaces the default one.
        if files.iter().skip(1).any(|(n, _)| n == "Chart.yaml") {
            files.remove(0);
        }
        let (helm, mine) = oracle.ask_all(&[request_files(files.clone())], || ours_files(files));
        let helm = helm.into_iter().next().unwrap();
        eprintln!("{path}\n  helm:   {helm:?}\n  rudder: {mine:?}");
        if helm != mine {
            differ += 1;
        }
    }
    assert_eq!(differ, 0, "{differ} file(s) differ");
}

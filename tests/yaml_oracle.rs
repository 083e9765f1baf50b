//! Differential tests of Rudder's YAML reader and writer against go-yaml, the one Helm uses.
//!
//! `scripts/yaml-oracle` builds (once, cached) a small Go program on sigs.k8s.io/yaml v1.4.0, the
//! version helm v3.17.3 pins, that answers many requests per process (tests/yaml-oracle/main.go).
//! Every document is read the ways Helm reads YAML and the answers are compared byte for byte:
//!
//! - `values`: a values file (`values.yaml`, `-f`): Rudder's `yaml::read_values` on the raw bytes;
//! - `any`: `yaml.Unmarshal` into `interface{}` (fromYaml, Chart.yaml and manifest heads before their
//!   typed step): `yaml::parse_value` on the text go-yaml's reader decodes;
//! - `toyaml`: `toYaml` of every value the oracle decoded, given to both as JSON.
//!
//! Accept vs reject, the decoded value (as `encoding/json` prints it) and the error text must agree.
//! The documents are `testdata/yaml/*.yaml` (one behaviour each), every YAML file of the differential
//! cases and example charts, and mutations of the curated ones (lines dropped, duplicated,
//! re-indented, cut, joined; indicators, tabs and line breaks inserted) seeded by each document's
//! name. An ignored test mutates every file of the cases and charts (a wider sweep, run by hand).
//!
//! `testdata/yaml/known-differences.txt` lists the (document, mode) pairs that do not match yet, each
//! with its reason; a listed pair that matches fails the run too, so the list only shrinks.
//! `RUDDER_YAML_MUTATIONS=N` sets the number of mutations per document (default 3).
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use rudder::template::value::Value;
use rudder::yaml;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What one reader answered: the value as Go's `json.Marshal` prints it, or the error text.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Ok(String),
    Err(String),
}

/// The running oracle process.
struct Oracle {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Oracle {
    fn start() -> Oracle {
        let path = match std::env::var_os("RUDDER_YAML_ORACLE") {
            Some(p) => PathBuf::from(p),
            None => {
                let out = Command::new(root().join("scripts/yaml-oracle"))
                    .output()
                    .expect("running scripts/yaml-oracle");
                assert!(
                    out.status.success(),
                    "scripts/yaml-oracle failed (it needs Go and the module proxy): {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
            }
        };
        let mut child = Command::new(&path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", path.display()));
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Oracle {
            child,
            stdin,
            stdout,
        }
    }

    fn ask(&mut self, mode: &str, input: &[u8]) -> Answer {
        writeln!(self.stdin, "{mode} {}", input.len()).unwrap();
        self.stdin.write_all(input).unwrap();
        self.stdin.flush().unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        let line = line.trim_end_matches('\n');
        if let Some(json) = line.strip_prefix("ok ") {
            Answer::Ok(json.to_string())
        } else if let Some(json) = line.strip_prefix("err ") {
            match serde_json::from_str::<String>(json) {
                Ok(text) => Answer::Err(text),
                Err(e) => panic!("oracle: bad error line {line:?}: {e}"),
            }
        } else {
            panic!("oracle: unexpected answer {line:?} to a {mode} request")
        }
    }
}

impl Drop for Oracle {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn json_of(v: &Value) -> Answer {
    match yaml::json::marshal(v) {
        // The stored form's Go bytes (see `template::gostr`).
        Ok(s) => {
            Answer::Ok(String::from_utf8_lossy(&rudder::template::gostr::to_bytes(&s)).into_owned())
        }
        Err(e) => Answer::Err(format!("rudder could not marshal the value: {e}")),
    }
}

/// Rudder's answer to one request.
fn ours(mode: &str, input: &[u8]) -> Answer {
    match mode {
        "values" => match yaml::read_values(input, "") {
            Ok(v) => json_of(&v),
            Err(e) => Answer::Err(e.to_string()),
        },
        "any" => match yaml::input::decode(input).and_then(|text| yaml::parse_value(&text, "")) {
            Ok(v) => json_of(&v),
            Err(e) => Answer::Err(e.to_string()),
        },
        "toyaml" => {
            // The oracle's JSON is Go's bytes; Rudder's strings hold them in `template::gostr`'s
            // stored form (a character of U+10FF80..U+10FFFF as its four bytes' escapes).
            let text = rudder::template::gostr::from_bytes(input);
            let v = yaml::json::unmarshal(&text).expect("the oracle's JSON reads back");
            let out = yaml::to_yaml(&v).unwrap_or_default();
            let out = out.strip_suffix('\n').unwrap_or(&out);
            json_of(&Value::str(out))
        }
        _ => unreachable!("mode {mode}"),
    }
}

/// The answers of the readers that build data straight from the simple reader's events, for the
/// ones that answer (they give up on anything they cannot vouch for, and then the full path reads
/// the text): `yaml::build::plain_values` (large values files) and `yaml::items::stream_items`
/// (repository indexes, items under `entries` handed over one by one, put back together here under
/// `entries` when go-yaml's answer `go_json` has that key). Neither may answer where go-yaml refuses.
fn streamed_readers(input: &[u8], go_json: &str) -> Vec<(&'static str, Answer)> {
    use rudder::yaml::convert::Yaml;
    use rudder::yaml::items::{stream_items, ItemSink};

    #[derive(Default)]
    struct Collect(BTreeMap<String, Vec<Yaml>>);
    impl ItemSink for Collect {
        fn lists(&mut self) {
            self.0.clear();
        }
        fn list(&mut self, name: &str) {
            self.0.insert(name.to_string(), Vec::new());
        }
        fn item(&mut self, name: &str, item: Yaml) -> Option<()> {
            self.0.get_mut(name)?.push(item);
            Some(())
        }
    }

    let Ok(text) = yaml::input::decode(input) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(value) = yaml::build::plain_values(&text) {
        out.push(("streamed-values", json_of(&value.unwrap_or(Value::Nil))));
    }
    let mut sink = Collect::default();
    if let Some(mut top) = stream_items(&text, "entries", &mut sink) {
        let has_entries = serde_json::from_str::<serde_json::Value>(go_json)
            .ok()
            .and_then(|v| v.as_object().map(|o| o.contains_key("entries")))
            .unwrap_or(false);
        if has_entries || !sink.0.is_empty() {
            let lists = sink.0.into_iter().map(|(k, v)| (k, Yaml::Seq(v))).collect();
            top.insert("entries".to_string(), Yaml::Map(lists));
        }
        let answer = match yaml::convert::to_value(&Yaml::Map(top)) {
            Ok(v) => json_of(&v),
            Err(e) => Answer::Err(e.to_string()),
        };
        out.push(("streamed-items", answer));
    }
    out
}

/// The documents: (name, bytes).
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut docs = Vec::new();
    let dir = root().join("testdata/yaml");
    let mut names: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    names.sort();
    for p in names {
        let name = p.file_stem().unwrap().to_string_lossy().into_owned();
        docs.push((name, fs::read(&p).unwrap()));
    }
    let mut found = Vec::new();
    walk(&root().join("testdata/cases"), &mut found);
    walk(&root().join("testdata/charts"), &mut found);
    walk(&root().join("charts"), &mut found);
    found.sort();
    for p in found {
        let rel = p
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let bytes = fs::read(&p).unwrap();
        if rel.ends_with(".txt") {
            for (section, text) in case_sections(&String::from_utf8_lossy(&bytes)) {
                if section.ends_with(".yaml") && !section.starts_with("templates/") {
                    docs.push((format!("{rel}:{section}"), text.into_bytes()));
                }
            }
        } else if !rel.contains("/templates/") {
            docs.push((rel, bytes));
        }
    }
    docs
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "txt")
        {
            out.push(p);
        }
    }
}

/// The `-- name --` sections of a differential case (testdata/README.md).
fn case_sections(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.starts_with("-- ") && line.ends_with(" --") && line.len() > 6 {
            out.push((line[3..line.len() - 3].trim().to_string(), String::new()));
        } else if let Some((_, body)) = out.last_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    out
}

/// A small deterministic generator (xorshift), so every run tries the same mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// One mutation of a document: an edit of its lines or bytes that produces the malformations and odd
/// shapes real files have.
fn mutate(doc: &[u8], rng: &mut Rng) -> Vec<u8> {
    const INSERTS: &[&[u8]] = &[
        b":",
        b": ",
        b"- ",
        b"\t",
        b"\n",
        b" ",
        b"[",
        b"]",
        b"{",
        b"}",
        b",",
        b"\"",
        b"'",
        b"#",
        b"&a ",
        b"*a",
        b"!!str ",
        b"? ",
        b"|",
        b">",
        b"---\n",
        b"...\n",
        b"%YAML 1.1\n",
        b"\r\n",
        b"\xe2\x80\xa8",
        b"~",
        b"<<: ",
    ];
    let mut lines: Vec<Vec<u8>> = doc.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let n = lines.len();
    match rng.below(8) {
        0 if n > 1 => {
            lines.remove(rng.below(n));
        }
        1 => {
            let i = rng.below(n);
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => {
            let i = rng.below(n);
            let spaces = rng.below(4);
            if rng.below(2) == 0 {
                let mut l = vec![b' '; spaces];
                l.extend_from_slice(&lines[i]);
                lines[i] = l;
            } else {
                let cut = lines[i]
                    .iter()
                    .take_while(|&&b| b == b' ')
                    .count()
                    .min(spaces);
                lines[i].drain(..cut);
            }
        }
        3 => {
            let i = rng.below(n);
            let cut = rng.below(lines[i].len() + 1);
            lines[i].truncate(cut);
        }
        4 if n > 1 => {
            let i = rng.below(n - 1);
            let next = lines.remove(i + 1);
            lines[i].push(b' ');
            lines[i].extend_from_slice(&next);
        }
        _ => {
            let i = rng.below(n);
            let at = rng.below(lines[i].len() + 1);
            let ins = INSERTS[rng.below(INSERTS.len())];
            lines[i].splice(at..at, ins.iter().copied());
        }
    }
    lines.join(&b'\n')
}

fn known_differences() -> BTreeMap<String, String> {
    let text = fs::read_to_string(root().join("testdata/yaml/known-differences.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (key, reason) = l.split_once('#').unwrap_or((l, ""));
            (key.trim().to_string(), reason.trim().to_string())
        })
        .collect()
}

/// The seed of a document's mutations: its name's FNV-1a hash, so a document's mutations do not
/// change when other documents come or go.
fn seed_of(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) | 1
}

/// Compares both readers on `docs`, `mutations` mutations of each listed document under 4000
/// bytes included; panics with every difference not in the known list (and every known one that
/// no longer differs, when `check_stale`).
fn compare(
    label: &str,
    mut docs: Vec<(String, Vec<u8>)>,
    mutate_of: &[bool],
    mutations: usize,
    check_stale: bool,
) {
    let mut oracle = Oracle::start();
    let originals = docs.len();
    for i in 0..originals {
        if !mutate_of[i] || docs[i].1.len() > 4000 {
            continue;
        }
        let mut rng = Rng(seed_of(&docs[i].0));
        for m in 0..mutations {
            let mutated = mutate(&docs[i].1, &mut rng);
            docs.push((format!("{}~{m}", docs[i].0), mutated));
        }
    }
    let known = known_differences();
    let mut differ = Vec::new();
    let mut differing_keys = BTreeSet::new();
    let mut compared = 0;
    for (name, bytes) in &docs {
        let mut check = |mode: &str, input: &[u8], oracle: &mut Oracle| -> Answer {
            let theirs = oracle.ask(mode, input);
            let mine = ours(mode, input);
            compared += 1;
            if theirs != mine {
                let key = format!("{name} {mode}");
                if !known.contains_key(&key) {
                    differ.push(format!(
                        "{key}\n    input: {:?}\n    go:     {theirs:?}\n    rudder: {mine:?}",
                        String::from_utf8_lossy(&input[..input.len().min(300)])
                    ));
                }
                differing_keys.insert(key);
            }
            theirs
        };
        check("values", bytes, &mut oracle);
        let any = check("any", bytes, &mut oracle);
        if let Answer::Ok(json) = &any {
            check("toyaml", json.as_bytes(), &mut oracle);
        }
        // The readers that build data while reading answer as go-yaml where they answer, and
        // never where it refuses.
        let go_json = match &any {
            Answer::Ok(json) => json.as_str(),
            Answer::Err(_) => "",
        };
        for (reader, mine) in streamed_readers(bytes, go_json) {
            compared += 1;
            if mine != any {
                let key = format!("{name} {reader}");
                if !known.contains_key(&key) {
                    differ.push(format!(
                        "{key}\n    input: {:?}\n    go:     {any:?}\n    rudder: {mine:?}",
                        String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                    ));
                }
                differing_keys.insert(key);
            }
        }
    }
    let stale: Vec<_> = if check_stale {
        known
            .keys()
            .filter(|k| !differing_keys.contains(*k))
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    eprintln!(
        "yaml oracle ({label}): {} documents ({originals} and {} mutations), {compared} comparisons, {} differences ({} known)",
        docs.len(),
        docs.len() - originals,
        differing_keys.len(),
        differing_keys.len() - differ.len()
    );
    assert!(
        differ.is_empty() && stale.is_empty(),
        "{} new differences from go-yaml:\n{}\n\nknown differences that now match (remove them from testdata/yaml/known-differences.txt): {stale:?}",
        differ.len(),
        differ.join("\n")
    );
}

/// Runs `f` on a thread with the stack Rudder's command thread has: documents nested thousands of
/// levels deep (`flow-depth-*`) are read recursively, as go-yaml does, which a test thread's 2 MB
/// does not hold in a debug build.
fn on_command_stack(f: impl FnOnce() + Send + 'static) {
    let joined = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .expect("spawning the comparison's thread")
        .join();
    if let Err(panic) = joined {
        std::panic::resume_unwind(panic);
    }
}

fn mutations_wanted() -> usize {
    std::env::var("RUDDER_YAML_MUTATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3)
}

/// The curated documents (`testdata/yaml`, mutated too) and every YAML file of the cases and charts
/// as it is.
#[test]
fn rudder_reads_and_writes_yaml_as_go_yaml_does() {
    let docs = corpus();
    let mutate_of: Vec<bool> = docs.iter().map(|(n, _)| !n.contains('/')).collect();
    on_command_stack(move || compare("corpus", docs, &mutate_of, mutations_wanted(), true));
}

/// The wider sweep: mutations of every YAML file of the cases and charts. Run by hand
/// (`cargo test --test yaml_oracle -- --ignored`, `RUDDER_YAML_MUTATIONS=N`); it reports the
/// figures, and fails on differences not yet known.
#[test]
#[ignore = "wide generated sweep; run by hand"]
fn mutations_of_every_yaml_file() {
    let docs: Vec<_> = corpus()
        .into_iter()
        .filter(|(n, _)| n.contains('/'))
        .collect();
    let mutate_of = vec![true; docs.len()];
    on_command_stack(move || compare("sweep", docs, &mutate_of, mutations_wanted(), false));
}

/// A generated document: block and flow collections nested in each other, anchors, aliases and
/// merge keys, comments in odd places, block scalars, several documents in a stream. The mutations
/// of the corpus only edit what the corpus has; these shapes are rare in it.
fn generated_document(rng: &mut Rng) -> String {
    let mut out = String::new();
    let documents = 1 + rng.below(3);
    for d in 0..documents {
        if d > 0 || rng.below(4) == 0 {
            out.push_str(["---\n", "--- # c\n", "...\n---\n"][rng.below(3)]);
        }
        let mut anchors = Vec::new();
        generate_block(rng, 0, 0, &mut out, &mut anchors);
    }
    if rng.below(6) == 0 {
        out.push_str("...\n");
    }
    out
}

const SCALARS: &[&str] = &[
    "x",
    "1",
    "yes",
    "~",
    "'q'",
    "\"d\"",
    "a b",
    "0x1F",
    "1.5",
    "\"\"",
    "-x",
    "{{ .Values.x }}",
];

/// A block collection at `indent` (a map or a sequence), `depth` levels in.
fn generate_block(
    rng: &mut Rng,
    depth: usize,
    indent: usize,
    out: &mut String,
    anchors: &mut Vec<String>,
) {
    let pad = " ".repeat(indent);
    let entries = 1 + rng.below(3);
    let map = rng.below(3) != 0;
    for i in 0..entries {
        if rng.below(8) == 0 {
            out.push_str(&" ".repeat(rng.below(indent + 3)));
            out.push_str("# comment\n");
        }
        out.push_str(&pad);
        if map {
            if !anchors.is_empty() && rng.below(6) == 0 {
                out.push_str(&format!("<<: *{}\n", anchors[rng.below(anchors.len())]));
                continue;
            }
            out.push_str(&format!("k{depth}{i}:"));
        } else {
            out.push('-');
        }
        generate_value(rng, depth, indent, out, anchors);
    }
}

/// The value after a key's `:` or a `-`, and its line break.
fn generate_value(
    rng: &mut Rng,
    depth: usize,
    indent: usize,
    out: &mut String,
    anchors: &mut Vec<String>,
) {
    if rng.below(5) == 0 {
        let name = format!("a{}", anchors.len());
        out.push_str(&format!(" &{name}"));
        anchors.push(name);
    }
    match rng.below(if depth < 3 { 7 } else { 4 }) {
        0 if !anchors.is_empty() => {
            out.push_str(&format!(" *{}", anchors[rng.below(anchors.len())]));
        }
        1 => {
            out.push(' ');
            generate_flow(rng, depth, out, anchors);
        }
        2 => {
            let header = ["|", "|-", ">", ">+", "|2"][rng.below(5)];
            out.push_str(&format!(" {header}\n"));
            let inner = " ".repeat(indent + 2);
            for l in 0..1 + rng.below(3) {
                if l > 0 && rng.below(4) == 0 {
                    out.push('\n');
                }
                out.push_str(&format!("{inner}line {l}\n"));
            }
            return;
        }
        4..=6 => {
            if rng.below(4) == 0 {
                out.push_str(" # c");
            }
            out.push('\n');
            let inner = indent + 2 * rng.below(2) + 1 + rng.below(2);
            generate_block(rng, depth + 1, inner, out, anchors);
            return;
        }
        _ => {
            out.push(' ');
            out.push_str(SCALARS[rng.below(SCALARS.len())]);
        }
    }
    if rng.below(5) == 0 {
        out.push_str(" # c");
    }
    out.push('\n');
}

/// A flow collection, possibly over several lines, with nested collections, anchors and aliases.
fn generate_flow(rng: &mut Rng, depth: usize, out: &mut String, anchors: &mut Vec<String>) {
    let map = rng.below(2) == 0;
    out.push(if map { '{' } else { '[' });
    let entries = rng.below(4);
    for i in 0..entries {
        if i > 0 {
            out.push_str([", ", ",\n  ", " ,", ","][rng.below(4)]);
        }
        if map {
            out.push_str(&format!("f{i}: "));
        }
        match rng.below(if depth < 5 { 5 } else { 3 }) {
            0 if !anchors.is_empty() => {
                out.push_str(&format!("*{}", anchors[rng.below(anchors.len())]));
            }
            3 | 4 => generate_flow(rng, depth + 1, out, anchors),
            _ => out.push_str(SCALARS[rng.below(SCALARS.len())]),
        }
    }
    out.push(if map { '}' } else { ']' });
}

/// Generated documents ([`generated_document`]) and their mutations, against go-yaml. Run by hand
/// (`cargo test --test yaml_oracle -- --ignored generated`, `RUDDER_YAML_GENERATED=N` documents,
/// default 2000, `RUDDER_YAML_MUTATIONS=M` mutations of each); it reports the figures and fails
/// on any difference.
#[test]
#[ignore = "wide generated sweep; run by hand"]
fn generated_documents_and_their_mutations() {
    let count = std::env::var("RUDDER_YAML_GENERATED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2000);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let docs: Vec<_> = (0..count)
        .map(|i| {
            (
                format!("generated-{i}"),
                generated_document(&mut rng).into_bytes(),
            )
        })
        .collect();
    let mutate_of = vec![true; docs.len()];
    on_command_stack(move || compare("generated", docs, &mutate_of, mutations_wanted(), false));
}

//! The repository's own texts (charts, templates, values, goldens of rendered manifests, broken
//! inputs), for tests that hold two implementations to the same answers on all of them.
use std::path::{Path, PathBuf};

/// Every UTF-8 file under `charts/` and `testdata/`, with its path, in a stable order, each in the
/// form rendering stores Go's bytes (`template::gostr`): a file's escape-range characters
/// (U+10FF80..) become escapes of their bytes, as a template printing them would give, so readers
/// of rendered text see what they see in a render.
pub fn texts() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    walk(&root.join("testdata"), &mut files);
    walk(&root.join("charts"), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let stored = crate::template::gostr::from_bytes(text.as_bytes()).into_owned();
            Some((path, stored))
        })
        .collect()
}

/// Every string of up to `max_len` characters over `alphabet` (the empty one first), for exhaustive
/// comparisons on short inputs.
pub fn all_strings(alphabet: &[char], max_len: usize) -> Vec<String> {
    let mut all = vec![String::new()];
    let mut last = vec![String::new()];
    for _ in 0..max_len {
        last = last
            .iter()
            .flat_map(|prefix| alphabet.iter().map(move |c| format!("{prefix}{c}")))
            .collect();
        all.extend(last.iter().cloned());
    }
    all
}

/// A reproducible picker for mutation tests: `pick(n)` is a number below `n` (0 for `n` = 0) from a
/// xorshift64 sequence started at `seed`.
pub fn seeded_picker(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n.max(1) as u64) as usize
    }
}

/// Runs `f` on a thread with the stack a command gets (`cli`'s command thread): the corpus holds
/// documents nested thousands of levels deep (`testdata/yaml/flow-depth-*`), which the readers
/// take recursively, as go-yaml does, and a test thread's default 2 MB is too small for them in a
/// debug build.
pub fn on_command_stack(f: impl FnOnce() + Send + 'static) {
    let joined = std::thread::Builder::new()
        .stack_size(1 << 30)
        .spawn(f)
        .expect("spawning the test's thread")
        .join();
    if let Err(panic) = joined {
        std::panic::resume_unwind(panic);
    }
}

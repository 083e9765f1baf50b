//! Reading the heads of rendered documents while templates are still rendering.
//!
//! Reading a document's head means parsing the whole document as YAML, which costs about as much as
//! rendering it. A [`HeadReader`] takes each rendered file as soon as it exists and splits and reads it
//! on a helper thread; when rendering ends, the calling thread joins in on what is left. The result,
//! [`PreparedHeads`], is what [`super::sorter::sort_prepared`] consumes. Everything that crosses threads
//! is plain text and [`SimpleHead`]s; the template values (`Rc`) never leave the rendering thread.
//!
//! The reader takes the rendered text itself, not a copy, and keeps it whole with the documents as
//! ranges of it: a render's output can be megabytes (dashboards, CRDs, files embedded through
//! `.Files.Get`), and a second copy of it held until the sort doubled that part of the peak memory.
use std::collections::{BTreeMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::head::{parse_head, HeadError, SimpleHead};
use super::manifest::split_ranges;

/// A rendered file with its documents (ranges of its text, in order), each with its head or why the
/// head could not be read.
#[derive(Debug)]
pub struct ReadFile {
    pub text: String,
    pub docs: Vec<(Range<usize>, Result<SimpleHead, HeadError>)>,
}

/// Stack of the helper thread; reading a document recurses once per nesting level (at most 10 000).
const HELPER_STACK_BYTES: usize = 256 << 20;

/// Heap made usable up front for the helper thread (see `crate::malloc_tuning`).
const HELPER_ARENA_BYTES: usize = 4 << 20;

/// Files queued before a sleeping helper is woken. The helper reads a file faster than the next one
/// renders, so it would sleep after every file, and each wake-up is a system call on the rendering
/// thread (one per file took a tenth of a run's time in the kernel on a 320-template chart).
const WAKE_BATCH: usize = 8;

/// Splits a rendered file and reads the head of each document.
pub fn read_file(text: String) -> ReadFile {
    let docs = split_ranges(&text)
        .into_iter()
        .map(|range| {
            let head = parse_head(&text[range.clone()]);
            (range, head)
        })
        .collect();
    ReadFile { text, docs }
}

/// Whether Helm's sorter looks at a rendered file at all: partials (`_*`) and blank files are skipped.
pub fn is_sorted_file(path: &str, content: &str) -> bool {
    let base = path.rsplit('/').next().unwrap_or(path);
    !base.starts_with('_') && !content.trim().is_empty()
}

/// Files taken by a [`HeadReader`], split and read, by path.
#[derive(Debug, Default)]
pub struct PreparedHeads {
    pub files: BTreeMap<String, ReadFile>,
}

#[derive(Default)]
struct Queue {
    pending: VecDeque<(String, String)>,
    closed: bool,
    /// The helper sleeps on `work`: only then does a new file need a wake-up (a system call).
    helper_asleep: bool,
    done: PreparedHeads,
}

#[derive(Default)]
struct Shared {
    queue: Mutex<Queue>,
    work: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A poisoned lock only means the other side panicked; the queue itself is still consistent.
        self.queue.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads queued files until the queue is empty; with `wait`, until it is also closed.
    fn drain(&self, wait: bool) {
        let mut queue = self.lock();
        loop {
            if let Some((path, content)) = queue.pending.pop_front() {
                drop(queue);
                let read = read_file(content);
                queue = self.lock();
                queue.done.files.insert(path, read);
            } else if queue.closed || !wait {
                return;
            } else {
                queue.helper_asleep = true;
                queue = self.work.wait(queue).unwrap_or_else(|e| e.into_inner());
                // Also after a spurious wake-up: the flag only spares needless notifications.
                queue.helper_asleep = false;
            }
        }
    }
}

/// Reads heads of rendered files on a helper thread while rendering goes on.
pub struct HeadReader {
    shared: Arc<Shared>,
    helper: Option<JoinHandle<()>>,
}

impl HeadReader {
    /// Starts the helper thread when there is a second core to run it; otherwise every file is read
    /// by [`HeadReader::finish`] on the calling thread.
    pub fn start() -> HeadReader {
        let shared = Arc::new(Shared::default());
        let helper = crate::parallel::has_second_core()
            .then(|| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name("head-reader".into())
                    .stack_size(HELPER_STACK_BYTES)
                    .spawn(move || {
                        crate::malloc_tuning::reserve_arena(HELPER_ARENA_BYTES);
                        shared.drain(true)
                    })
                    .ok()
            })
            .flatten();
        HeadReader { shared, helper }
    }

    /// Takes a rendered file to read; gives it back when the sorter skips it (a partial, a blank
    /// file).
    pub fn feed(&self, path: &str, content: String) -> Option<String> {
        if !is_sorted_file(path, &content) {
            return Some(content);
        }
        let mut queue = self.shared.lock();
        queue.pending.push_back((path.to_string(), content));
        if queue.helper_asleep && queue.pending.len() >= WAKE_BATCH {
            // Cleared here rather than by the helper, so that files queued before it runs do not
            // wake it again.
            queue.helper_asleep = false;
            self.shared.work.notify_one();
        }
        None
    }

    /// Reads what is still queued (together with the helper) and returns every file read.
    pub fn finish(mut self) -> PreparedHeads {
        self.shared.lock().closed = true;
        self.shared.work.notify_all();
        self.shared.drain(false);
        if let Some(helper) = self.helper.take() {
            // The helper only returns once the queue is closed and empty; a panic in it is a bug
            // whose files are then simply read again by the sorter.
            let _ = helper.join();
        }
        std::mem::take(&mut self.shared.lock().done)
    }
}

impl Drop for HeadReader {
    /// Lets the helper thread end when the reader is dropped without `finish` (a render error).
    fn drop(&mut self) {
        self.shared.lock().closed = true;
        self.shared.work.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_fed_file() {
        let reader = HeadReader::start();
        for i in 0..50 {
            let text = format!("kind: ConfigMap\nmetadata:\n  name: m{i}\n---\nkind: Secret\n");
            assert_eq!(reader.feed(&format!("c/templates/f{i}.yaml"), text), None);
        }
        let skipped = reader.feed("c/templates/_helpers.tpl", "kind: Ignored".into());
        assert_eq!(skipped.as_deref(), Some("kind: Ignored"));
        let blank = reader.feed("c/templates/blank.yaml", " \n".into());
        assert_eq!(blank.as_deref(), Some(" \n"));
        let prepared = reader.finish();
        assert_eq!(prepared.files.len(), 50);
        let read = &prepared.files["c/templates/f7.yaml"];
        assert_eq!(read.docs.len(), 2);
        assert_eq!(
            &read.text[read.docs[0].0.clone()],
            "kind: ConfigMap\nmetadata:\n  name: m7"
        );
        assert_eq!(&read.text[read.docs[1].0.clone()], "kind: Secret");
        assert_eq!(read.docs[0].1.as_ref().unwrap().kind, "ConfigMap");
        assert_eq!(read.docs[1].1.as_ref().unwrap().kind, "Secret");
    }

    #[test]
    fn dropping_without_finish_does_not_hang() {
        let reader = HeadReader::start();
        reader.feed("c/templates/a.yaml", "kind: A".into());
        drop(reader);
    }
}

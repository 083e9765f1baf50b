//! How a wait is shown on standard error while it runs ([`super::wait::Progress`] renderers).
//!
//! Helm prints nothing while it waits (helm v4 logs `waiting for resource` lines only with
//! `--debug`), and scripts parse its output, so Rudder keeps standard output byte-identical and
//! shows progress only where it cannot get in the way:
//!
//! - standard error is a terminal: a live view (the `indicatif` crate) with each resource still
//!   waiting and what for, under a spinner with the elapsed time; it erases itself when the wait
//!   ends, leaving the terminal as Helm would;
//! - not a terminal, with `--debug`: plain lines, one each time a resource starts waiting for
//!   something new or becomes ready;
//! - otherwise nothing.
//!
//! The mode is chosen once per process ([`configure`]) by the command line, since hooks and waits
//! deep inside the actions all report to the same standard error. Lines name objects by kind,
//! name and namespace and say what they wait for: never values or Secret data.
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::wait::{Progress, Quiet};

/// How waits are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Quiet = 0,
    Lines = 1,
    Live = 2,
}

static MODE: AtomicU8 = AtomicU8::new(Mode::Quiet as u8);

/// The mode for standard error as it is: live on a terminal, lines with `--debug`, else quiet.
pub fn choose(terminal: bool, debug: bool) -> Mode {
    if terminal {
        Mode::Live
    } else if debug {
        Mode::Lines
    } else {
        Mode::Quiet
    }
}

/// Sets the mode for this process from `--debug` and whether standard error is a terminal.
pub fn configure(debug: bool) {
    let mode = choose(std::io::stderr().is_terminal(), debug);
    MODE.store(mode as u8, Ordering::Relaxed);
}

fn mode() -> Mode {
    match MODE.load(Ordering::Relaxed) {
        1 => Mode::Lines,
        2 => Mode::Live,
        _ => Mode::Quiet,
    }
}

/// A renderer for one wait, in the configured mode.
pub fn reporter() -> Box<dyn Progress> {
    match mode() {
        Mode::Quiet => Box::new(Quiet),
        Mode::Lines => Box::new(Lines::new(Box::new(std::io::stderr()))),
        Mode::Live => Box::new(Live::new(ProgressDrawTarget::stderr())),
    }
}

/// Plain lines: what changed since the last report.
pub struct Lines {
    out: Box<dyn Write + Send>,
    start: Instant,
    /// Object → what it was last reported waiting for.
    last: BTreeMap<String, String>,
}

impl Lines {
    pub fn new(out: Box<dyn Write + Send>) -> Lines {
        Lines {
            out,
            start: Instant::now(),
            last: BTreeMap::new(),
        }
    }

    fn line(&mut self, text: &str) {
        let elapsed = self.start.elapsed().as_secs_f64();
        // Progress is best effort: a closed stderr must not fail the operation.
        let _ = writeln!(self.out, "wait: {elapsed:.1}s {text}");
    }
}

impl Progress for Lines {
    fn waiting(&mut self, pending: &[(String, String)], total: usize) {
        let now: BTreeMap<String, String> = pending.iter().cloned().collect();
        let ready: Vec<String> = self
            .last
            .keys()
            .filter(|k| !now.contains_key(*k))
            .cloned()
            .collect();
        for object in ready {
            self.line(&format!("{object} is ready"));
        }
        for (object, why) in pending {
            if self.last.get(object) != Some(why) {
                self.line(&format!(
                    "{object} is waiting for {why} ({} of {total} not ready)",
                    pending.len()
                ));
            }
        }
        self.last = now;
    }
}

/// At most this many rows; the rest are counted on one line.
const MAX_ROWS: usize = 15;

/// The live view: a spinner with the count and elapsed time, a row per resource still waiting.
pub struct Live {
    multi: MultiProgress,
    header: Option<ProgressBar>,
    rows: Vec<ProgressBar>,
}

impl Live {
    pub fn new(target: ProgressDrawTarget) -> Live {
        Live {
            multi: MultiProgress::with_draw_target(target),
            header: None,
            rows: Vec::new(),
        }
    }

    fn header(&mut self) -> &ProgressBar {
        let multi = &self.multi;
        self.header.get_or_insert_with(|| {
            let bar = multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{spinner} [{elapsed}] {wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        })
    }
}

/// The rows of the live view for `pending` (at most [`MAX_ROWS`], then a count of the rest).
pub fn live_rows(pending: &[(String, String)]) -> Vec<String> {
    let mut rows: Vec<String> = pending
        .iter()
        .take(MAX_ROWS)
        .map(|(object, why)| format!("  {object}: waiting for {why}"))
        .collect();
    if pending.len() > MAX_ROWS {
        rows.push(format!("  … and {} more", pending.len() - MAX_ROWS));
    }
    rows
}

impl Progress for Live {
    fn waiting(&mut self, pending: &[(String, String)], total: usize) {
        self.header().set_message(format!(
            "waiting for {} of {total} resources to be ready",
            pending.len()
        ));
        let rows = live_rows(pending);
        while self.rows.len() > rows.len() {
            if let Some(bar) = self.rows.pop() {
                bar.finish_and_clear();
                self.multi.remove(&bar);
            }
        }
        while self.rows.len() < rows.len() {
            let bar = self.multi.add(ProgressBar::new_spinner());
            bar.set_style(
                ProgressStyle::with_template("{wide_msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            self.rows.push(bar);
        }
        for (bar, text) in self.rows.iter().zip(rows) {
            bar.set_message(text);
        }
    }

    fn done(&mut self) {
        for bar in self.rows.drain(..) {
            bar.finish_and_clear();
        }
        if let Some(header) = self.header.take() {
            header.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.done();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Shared(Arc<Mutex<Vec<u8>>>);

    impl Write for Shared {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn strip_times(text: &str) -> Vec<String> {
        text.lines()
            .map(|l| {
                let rest = l.strip_prefix("wait: ").unwrap();
                rest.split_once("s ").unwrap().1.to_string()
            })
            .collect()
    }

    #[test]
    fn lines_report_changes_only() {
        let out = Shared::default();
        let mut lines = Lines::new(Box::new(out.clone()));
        let a = || {
            (
                "Deployment \"a\"".to_string(),
                "0 of 1 replicas".to_string(),
            )
        };
        let b = || ("Job \"b\"".to_string(), "0 of 1 completions".to_string());
        lines.waiting(&[a(), b()], 3);
        lines.waiting(&[a(), b()], 3);
        lines.waiting(&[a()], 3);
        let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert_eq!(
            strip_times(&text),
            [
                "Deployment \"a\" is waiting for 0 of 1 replicas (2 of 3 not ready)",
                "Job \"b\" is waiting for 0 of 1 completions (2 of 3 not ready)",
                "Job \"b\" is ready",
            ]
        );
    }

    #[test]
    fn live_rows_are_capped() {
        let pending: Vec<(String, String)> = (0..20)
            .map(|i| (format!("Pod \"p{i}\""), "condition Ready".to_string()))
            .collect();
        let rows = live_rows(&pending);
        assert_eq!(rows.len(), MAX_ROWS + 1);
        assert_eq!(rows[0], "  Pod \"p0\": waiting for condition Ready");
        assert_eq!(rows[MAX_ROWS], "  … and 5 more");
    }

    #[test]
    fn mode_follows_the_terminal_and_debug() {
        assert_eq!(choose(true, false), Mode::Live);
        assert_eq!(choose(false, true), Mode::Lines);
        assert_eq!(choose(false, false), Mode::Quiet);
        // A hidden target draws nothing and must not panic through a whole wait.
        let mut live = Live::new(ProgressDrawTarget::hidden());
        live.waiting(&[("Pod \"p\"".into(), "condition Ready".into())], 2);
        live.waiting(&[], 2);
        live.done();
    }
}

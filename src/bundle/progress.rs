//! Progress while blobs are copied: an indicatif bar per blob when standard error is a terminal,
//! one plain line per finished blob otherwise (logs and CI).
use std::io::IsTerminal;

/// Where progress goes.
pub struct Progress {
    terminal: bool,
    quiet: bool,
}

/// The progress of one blob.
pub struct Bar {
    bar: Option<indicatif::ProgressBar>,
    label: String,
    quiet: bool,
}

impl Progress {
    /// Progress on standard error; `quiet` prints nothing.
    pub fn stderr(quiet: bool) -> Progress {
        Progress {
            terminal: std::io::stderr().is_terminal(),
            quiet,
        }
    }

    /// Starts showing the copy of `label`, `size` bytes.
    pub fn start(&self, label: &str, size: u64) -> Bar {
        let bar = (self.terminal && !self.quiet).then(|| {
            let bar = indicatif::ProgressBar::new(size);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar.set_message(label.to_string());
            bar
        });
        Bar {
            bar,
            label: label.to_string(),
            quiet: self.quiet,
        }
    }

    /// A line of its own (`Copying IMAGE`).
    pub fn line(&self, text: &str) {
        if !self.quiet {
            eprintln!("{text}");
        }
    }
}

impl Bar {
    pub fn set(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }

    /// The blob needed no copy, for the reason `note` gives (`mounted from a/b`).
    pub fn finish_note(self, note: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(format!("{} ({note})", self.label)),
            None if self.quiet => {}
            None => eprintln!("  {} ({note})", self.label),
        }
    }

    /// The copy ended (`bytes` copied; `None` when the blob was there already).
    pub fn finish(self, bytes: Option<u64>) {
        match (&self.bar, bytes) {
            (Some(bar), _) => bar.finish(),
            (None, _) if self.quiet => {}
            (None, Some(n)) => eprintln!("  {} ({n} bytes)", self.label),
            (None, None) => eprintln!("  {} (already present)", self.label),
        }
    }
}

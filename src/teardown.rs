//! Not freeing what a one-shot command built when the process ends right after it.
//!
//! Dropping a rendered chart (parse trees, values, every output text) is tens of thousands of `free`
//! calls plus glibc's consolidation of the freed chunks: several percent of a `rudder template` run,
//! spent just before `exit` would hand all of it back at once. A CLI command that renders once
//! (`template`) declares that the process ends after it ([`process_ends_after_command`]); large
//! structures then go through [`dispose`], which leaks them in that case and drops them otherwise.
//! Library use, tests, and any command that renders many times in one process (a unit-test runner)
//! must keep normal freeing: there every render would leak.
use std::sync::atomic::{AtomicBool, Ordering};

static PROCESS_ENDS_AFTER_COMMAND: AtomicBool = AtomicBool::new(false);

/// Declares that the process exits once the current command is done (see the module doc for who may).
pub fn process_ends_after_command() {
    PROCESS_ENDS_AFTER_COMMAND.store(true, Ordering::Relaxed);
}

/// Drops `value`, or leaks it when the process ends after this command anyway. Only for values whose
/// `Drop` frees memory and nothing else (no files to flush, no threads to join).
pub fn dispose<T>(value: T) {
    if PROCESS_ENDS_AFTER_COMMAND.load(Ordering::Relaxed) {
        std::mem::forget(value);
    } else {
        drop(value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    #[test]
    fn drops_unless_the_process_ends() {
        // Tests never call `process_ends_after_command`, so values are dropped.
        let shared = Rc::new(());
        dispose(Rc::clone(&shared));
        assert_eq!(Rc::strong_count(&shared), 1);
    }
}

//! Ctrl-C (SIGINT) and SIGTERM during a bundle command: what the command is writing (the staging
//! directory of `bundle create`, the partial archive next to `-o`, an extracted bundle) is removed
//! before the process exits with 128 + the signal's number, so an interrupted command leaves
//! nothing behind.
//!
//! [`watch`] (called by the CLI) starts a thread that waits for the signals (tokio's signal driver
//! on a runtime of its own). Paths to remove are [`register`]ed while they exist. Creating and
//! renaming files inside them happens under [`gate`]: the thread takes the same lock before it
//! removes anything and keeps it until the process exits, so no file or directory can be created
//! again after the removal. Data written to an already open file of a removed directory goes
//! nowhere, which is harmless.
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

/// The paths to remove on a signal; also the gate file creation goes through.
static PATHS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static WATCH: Once = Once::new();

/// Holds the gate: no cleanup runs while it is held.
pub struct Gate(#[allow(dead_code)] MutexGuard<'static, Vec<PathBuf>>);

/// Takes the gate for a file operation inside a registered path (create, rename, mkdir).
pub fn gate() -> Gate {
    Gate(PATHS.lock().unwrap_or_else(|e| e.into_inner()))
}

/// A registered path; unregistered (not removed) when dropped.
pub struct Registration(PathBuf);

impl Drop for Registration {
    fn drop(&mut self) {
        let mut paths = PATHS.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(at) = paths.iter().position(|p| *p == self.0) {
            paths.remove(at);
        }
    }
}

/// Removes `path` (a file or a directory) if a signal ends the process while the registration
/// lives.
pub fn register(path: &Path) -> Registration {
    PATHS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(path.to_path_buf());
    Registration(path.to_path_buf())
}

/// Starts watching SIGINT and SIGTERM (once per process). Without a signal driver (the runtime
/// cannot start), signals keep their default action.
pub fn watch() {
    WATCH.call_once(|| {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let started = std::thread::Builder::new()
            .name("bundle-signals".into())
            .spawn(move || {
                let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    let _ = ready_tx.send(());
                    return;
                };
                let signal = runtime.block_on(async {
                    use tokio::signal::unix::{signal, SignalKind};
                    let (Ok(mut term), Ok(mut int)) = (
                        signal(SignalKind::terminate()),
                        signal(SignalKind::interrupt()),
                    ) else {
                        let _ = ready_tx.send(());
                        return None;
                    };
                    let _ = ready_tx.send(());
                    tokio::select! {
                        _ = term.recv() => Some(("SIGTERM", libc::SIGTERM)),
                        _ = int.recv() => Some(("SIGINT", libc::SIGINT)),
                    }
                });
                if let Some((name, number)) = signal {
                    clean_up_and_exit(name, number);
                }
            });
        if started.is_ok() {
            // The handlers are in place once the thread says so.
            let _ = ready_rx.recv();
        }
    });
}

fn clean_up_and_exit(name: &str, number: i32) -> ! {
    // Kept until exit: nothing can be created in a registered path any more.
    let paths = PATHS.lock().unwrap_or_else(|e| e.into_inner());
    for path in paths.iter() {
        let _ = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
    }
    eprintln!("Error: interrupted ({name}): nothing was left behind");
    std::process::exit(128 + number)
}

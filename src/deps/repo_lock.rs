//! `repositories.lock`: the file lock Helm's `repo add` holds while it reads and rewrites
//! `repositories.yaml` (gofrs/flock: an exclusive `flock(2)` on `<config without extension>.lock`,
//! created 0600 and left in place, tried every second for up to 30 seconds), so that concurrent
//! `repo add`s of Helm and Rudder never lose each other's entries.
//!
//! `flock` through libc: std's `File::try_lock` is newer than the project's minimum Rust.
use std::os::fd::AsRawFd;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::error::{io, Error};

/// How long `repo add` waits for the lock (Helm's context timeout), and how often it tries.
const TIMEOUT: Duration = Duration::from_secs(30);
const RETRY: Duration = Duration::from_secs(1);

/// The lock file beside `repositories.yaml`: its extension replaced by `.lock` (or `.lock` added
/// when it has none), as Helm names it.
pub fn lock_path(repository_config: &Path) -> PathBuf {
    let text = repository_config.display().to_string();
    let base = Path::new(&text)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // Go's filepath.Ext: from the last dot of the last element.
    match base.rfind('.') {
        Some(dot) if base.len() - dot < text.len() => {
            let ext_len = base.len() - dot;
            PathBuf::from(format!("{}.lock", &text[..text.len() - ext_len]))
        }
        _ => PathBuf::from(format!("{text}.lock")),
    }
}

/// A held lock; released when dropped (closing the file releases `flock`).
#[derive(Debug)]
pub struct RepoLock {
    _file: std::fs::File,
}

/// Takes the lock for `repository_config`, waiting as Helm waits; Go's `context deadline exceeded`
/// when another process holds it for 30 seconds.
pub fn acquire(repository_config: &Path) -> Result<RepoLock, Error> {
    let path = lock_path(repository_config);
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(&path)
        .map_err(|e| io("open", &path, &e))?;
    let started = Instant::now();
    loop {
        // SAFETY: `flock` on a descriptor this function owns for the duration of the call.
        let result = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
        if result == 0 {
            return Ok(RepoLock { _file: file });
        }
        let error = std::io::Error::last_os_error();
        if error.raw_os_error() != Some(libc::EWOULDBLOCK) {
            return Err(io("flock", &path, &error));
        }
        if started.elapsed() + RETRY > TIMEOUT {
            return Err(Error::Resolve("context deadline exceeded".into()));
        }
        std::thread::sleep(RETRY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_is_named_as_helm_names_it() {
        let p = |s: &str| lock_path(Path::new(s)).display().to_string();
        assert_eq!(p("/h/repositories.yaml"), "/h/repositories.lock");
        assert_eq!(p("/h/repos"), "/h/repos.lock");
        assert_eq!(p("/h.d/repos"), "/h.d/repos.lock");
        assert_eq!(p("repos.d.yml"), "repos.d.lock");
    }

    #[test]
    fn a_second_holder_waits_and_the_file_stays_0600() {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!("rudder-repo-lock-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let config = dir.join("repositories.yaml");
        let first = acquire(&config).unwrap();
        let mode = std::fs::metadata(dir.join("repositories.lock"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let waiter = std::thread::spawn({
            let config = config.clone();
            move || {
                let started = Instant::now();
                let _second = acquire(&config).unwrap();
                started.elapsed()
            }
        });
        std::thread::sleep(Duration::from_millis(300));
        drop(first);
        assert!(waiter.join().unwrap() >= Duration::from_millis(300));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! Go's `os` package as Helm's messages show it: the text of a `*PathError` (`open x: permission
//! denied`), `os.MkdirAll`, which names the directory it could not make, and `exec.LookPath`.
//!
//! Go prints an errno with its own table of texts, which are glibc's `strerror` texts with a lower-case
//! first letter (`no such file or directory`); Rust prints glibc's text and the number
//! (`No such file or directory (os error 2)`).
use std::io;
use std::path::Path;

/// The text Go prints for an I/O error (the part after `op path: `).
pub fn reason(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let text = io::Error::from_raw_os_error(code).to_string();
            let text = text
                .strip_suffix(&format!(" (os error {code})"))
                .unwrap_or(&text);
            let mut chars = text.chars();
            match chars.next() {
                Some(first) => first.to_lowercase().chain(chars).collect(),
                None => text.to_string(),
            }
        }
        None => match e.kind() {
            io::ErrorKind::NotFound => "no such file or directory".into(),
            io::ErrorKind::PermissionDenied => "permission denied".into(),
            io::ErrorKind::IsADirectory => "is a directory".into(),
            io::ErrorKind::NotADirectory => "not a directory".into(),
            _ => e.to_string(),
        },
    }
}

/// A `*PathError`'s text: `op path: reason`.
pub fn path_error(op: &str, path: &Path, e: &io::Error) -> String {
    format!("{op} {}: {}", path.display(), reason(e))
}

/// `os.MkdirAll`: makes `path` and its missing parents; the error names the first directory that
/// could not be made (`mkdir /proc/x: no such file or directory`), or a path that exists and is not a
/// directory (`mkdir x: not a directory`).
pub fn mkdir_all(path: &Path) -> Result<(), String> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(path_error(
                "mkdir",
                path,
                &io::Error::from(io::ErrorKind::NotADirectory),
            ))
        }
        Err(_) => {}
    }
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        mkdir_all(parent)?;
    }
    match std::fs::create_dir(path) {
        Ok(()) => Ok(()),
        // Made meanwhile by someone else, or `path` ends in `.`: Go accepts a directory that is there.
        Err(_) if std::fs::symlink_metadata(path).is_ok_and(|m| m.is_dir()) => Ok(()),
        Err(e) => Err(path_error("mkdir", path, &e)),
    }
}

/// Helm's `fileutil.AtomicWriteFile`: `data` goes to a temporary file made beside `path` as
/// `os.CreateTemp(dir, base)` makes one (`<path><random decimal u32>`, so a missing directory is the
/// error `open DIR/NAME.tgz1234567: no such file or directory`, as Helm prints it), which then gets
/// `mode` and is renamed over `path`.
pub fn atomic_write_file(path: &Path, data: &[u8], mode: u32) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let (temp, mut file) = loop {
        let mut name = path.as_os_str().to_os_string();
        name.push(rand::random::<u32>().to_string());
        let temp = std::path::PathBuf::from(name);
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temp)
        {
            Ok(file) => break (temp, file),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(path_error("open", &temp, &e)),
        }
    };
    let result = file
        .write_all(data)
        .map_err(|e| path_error("write", &temp, &e))
        .and_then(|()| {
            std::fs::set_permissions(&temp, std::fs::Permissions::from_mode(mode))
                .map_err(|e| path_error("chmod", &temp, &e))
        })
        .and_then(|()| {
            std::fs::rename(&temp, path).map_err(|e| {
                format!(
                    "rename {} {}: {}",
                    temp.display(),
                    path.display(),
                    reason(&e)
                )
            })
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// Go's `exec.LookPath`: a name with a slash is used as is, otherwise searched in `$PATH`.
pub fn look_path(name: &str) -> Option<std::path::PathBuf> {
    if name.contains('/') {
        let p = std::path::PathBuf::from(name);
        return p.is_file().then_some(p);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_like_go() {
        let missing = std::fs::read("/nonexistent/rudder-go-os").unwrap_err();
        assert_eq!(reason(&missing), "no such file or directory");
        assert_eq!(
            reason(&io::Error::from_raw_os_error(30)),
            "read-only file system"
        );
        assert_eq!(
            path_error("open", Path::new("/x"), &io::Error::from_raw_os_error(13)),
            "open /x: permission denied"
        );
    }

    #[test]
    fn mkdir_all_names_the_directory_that_failed() {
        let root = std::env::temp_dir().join(format!("rudder-go-os-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let deep = root.join("a/b/c");
        mkdir_all(&deep).unwrap();
        assert!(deep.is_dir());
        mkdir_all(&deep).unwrap();
        let file = root.join("a/file");
        std::fs::write(&file, "x").unwrap();
        assert_eq!(
            mkdir_all(&file.join("sub/dir")).unwrap_err(),
            format!("mkdir {}: not a directory", file.display())
        );
        std::fs::remove_dir_all(&root).unwrap();
    }
}

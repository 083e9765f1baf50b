//! Helpers shared by the integration tests (each test binary includes this module with `mod common;`).
use std::path::{Path, PathBuf};
use std::process::Command;

/// The real Helm v3 binary, installed (once, cached) by scripts/install-oracle.
pub fn helm_v3() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(root.join("scripts/install-oracle"))
        .args(["path", "v3"])
        .output()
        .map_err(|e| format!("scripts/install-oracle: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "scripts/install-oracle path v3 failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(PathBuf::from(
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    ))
}

/// The rudder binary under the name `helm` (a symlink beside the test binaries), as differential
/// tests run it: messages that name the program then say `helm`, as Helm's do.
#[allow(dead_code)]
pub fn rudder_as_helm() -> PathBuf {
    let rudder = Path::new(env!("CARGO_BIN_EXE_rudder"));
    let dir = rudder.parent().unwrap_or(Path::new(".")).join("as-helm");
    let link = dir.join("helm");
    if std::fs::read_link(&link).ok().as_deref() != Some(rudder) {
        let _ = std::fs::create_dir_all(&dir);
        // Several test binaries may race here: create under a unique name, then rename into place.
        let tmp = dir.join(format!("helm.{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        #[cfg(unix)]
        let _ = std::os::unix::fs::symlink(rudder, &tmp);
        let _ = std::fs::rename(&tmp, &link);
    }
    link
}

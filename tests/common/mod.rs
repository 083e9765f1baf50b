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

//! The program's name as invoked, for messages that name the program the way cobra does
//! (`"helm template" requires at least 1 argument`, `Run 'helm --help' for usage.`): `helm` when the
//! binary is installed or symlinked as `helm` (scripts that parse Helm's messages keep working),
//! `rudder` otherwise. Set once from `argv[0]` at start-up.
use std::ffi::OsString;
use std::sync::OnceLock;

static PROGRAM: OnceLock<&'static str> = OnceLock::new();

/// `helm` or `rudder`.
pub fn name() -> &'static str {
    PROGRAM.get().copied().unwrap_or("rudder")
}

/// Records the name from `argv[0]` (the first call wins).
pub fn set_from_argv0(argv0: Option<&OsString>) {
    PROGRAM.get_or_init(|| from_argv0(argv0));
}

fn from_argv0(argv0: Option<&OsString>) -> &'static str {
    let base = argv0
        .map(std::path::Path::new)
        .and_then(|p| p.file_stem())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if base == "helm" {
        "helm"
    } else {
        "rudder"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_as_invoked() {
        let name = |s: &str| from_argv0(Some(&OsString::from(s)));
        assert_eq!(name("/usr/local/bin/helm"), "helm");
        assert_eq!(name("helm"), "helm");
        assert_eq!(name("./target/debug/rudder"), "rudder");
        assert_eq!(name("helm3"), "rudder");
        assert_eq!(from_argv0(None), "rudder");
    }
}

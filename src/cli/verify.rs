//! `rudder verify CHART.tgz [--keyring FILE]`: Helm's `verify` (the archive against its `.prov`
//! file, see [`crate::provenance`]), printing who signed it, the key's fingerprint and the archive's
//! hash. Also the default keyring Helm's `--keyring` flags use.
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Flags of `rudder verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    pub args: Vec<String>,
    /// Keyring containing public keys.
    #[arg(long = "keyring")]
    pub keyring: Option<String>,
}

/// Helm's `defaultKeyring`: `$GNUPGHOME/pubring.gpg`, else `~/.gnupg/pubring.gpg`.
pub fn default_keyring() -> PathBuf {
    if let Some(home) = std::env::var_os("GNUPGHOME").filter(|h| !h.is_empty()) {
        return PathBuf::from(home).join("pubring.gpg");
    }
    let home = std::env::var_os("HOME").unwrap_or_default();
    PathBuf::from(home).join(".gnupg").join("pubring.gpg")
}

/// `--keyring` as given, else the default.
pub fn keyring(flag: Option<&str>) -> PathBuf {
    flag.map(PathBuf::from).unwrap_or_else(default_keyring)
}

pub fn run(args: VerifyArgs) -> ExitCode {
    let program = super::program_name();
    let result = match args.args.as_slice() {
        [chart] => crate::provenance::verify_chart(
            std::path::Path::new(chart),
            &keyring(args.keyring.as_deref()),
        )
        .map(|v| v.report())
        .map_err(|e| e.to_string()),
        _ => Err(format!(
            "\"{program} verify\" requires 1 argument\n\nUsage:  {program} verify PATH [flags]"
        )),
    };
    super::finish(result)
}

//! `rudder verify CHART.tgz [--keyring FILE]`: Helm's `verify` (the archive against its `.prov`
//! file, see [`crate::provenance`]), printing who signed it, the key's fingerprint and the archive's
//! hash. The default keyring Helm's `--keyring` flags use is `crate::provenance::keyring`.
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

pub use crate::provenance::{default_keyring, keyring};

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

//! The values flags shared by `template` and `lint` (Helm's `addValueOptionsFlags`).
use clap::Args;

use crate::action::chart_source::ValueOptions;

/// `-f/--values` and the `--set` family, in Helm's precedence order once turned into [`ValueOptions`].
#[derive(Debug, Args)]
pub struct ValuesArgs {
    /// Specify values in a YAML file or a URL (can specify multiple; `-` reads stdin).
    #[arg(short = 'f', long = "values", value_delimiter = ',')]
    pub values: Vec<String>,
    /// Set values on the command line.
    #[arg(long = "set")]
    pub set: Vec<String>,
    /// Set STRING values on the command line.
    #[arg(long = "set-string")]
    pub set_string: Vec<String>,
    /// Set values from respective files specified via the command line.
    #[arg(long = "set-file")]
    pub set_file: Vec<String>,
    /// Set JSON values on the command line.
    #[arg(long = "set-json")]
    pub set_json: Vec<String>,
    /// Set a literal STRING value on the command line.
    #[arg(long = "set-literal")]
    pub set_literal: Vec<String>,
}

impl ValuesArgs {
    pub fn into_options(self) -> ValueOptions {
        ValueOptions {
            // pflag reads each `-f` value as a CSV record, and an empty value is no record at all
            // (`-f ''` names no file). Known gap: an empty field inside a list (`-f a,,b`) is a
            // file named "" to Helm and is dropped here.
            value_files: self.values.into_iter().filter(|f| !f.is_empty()).collect(),
            string_values: self.set_string,
            values: self.set,
            file_values: self.set_file,
            json_values: self.set_json,
            literal_values: self.set_literal,
        }
    }
}

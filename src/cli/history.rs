//! `rudder history RELEASE_NAME`: Helm's `cmd/helm/history.go` (v3.17.3).
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::kube_args::{block_on, open_storage, KubeArgs};
use super::output::{self, Format};
use crate::storage::{Record, Time};

/// Flags of `rudder history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// RELEASE_NAME
    #[arg(num_args = 0..)]
    pub args: Vec<String>,
    /// Maximum number of revision to include in history.
    #[arg(long = "max", default_value = "256", value_parser = super::pflag::parse_int)]
    pub max: i64,
    /// Prints the output in the specified format. Allowed values: table, json, yaml.
    #[arg(short = 'o', long = "output", default_value = "table", value_parser = output::parse_format)]
    pub output: Format,
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// One row. Mirrors `releaseInfo`.
#[derive(Serialize)]
struct ReleaseInfo {
    revision: i64,
    updated: Time,
    status: String,
    chart: String,
    app_version: String,
    description: String,
}

pub fn run(args: HistoryArgs) -> ExitCode {
    super::finish(block_on(history(&args)))
}

async fn history(args: &HistoryArgs) -> Result<String, String> {
    let name = super::exactly_one(&args.args, "history", "RELEASE_NAME")?;
    let (_, storage) = open_storage(&args.kube, false).await?;
    if crate::action::release_name::validate(&name).is_err() {
        return Err(format!("release name is invalid: {name}"));
    }
    let mut records: Vec<Record> = storage.history(&name).await.map_err(|e| e.to_string())?;
    super::warn_skipped(&storage);
    records.sort_by_key(|r| std::cmp::Reverse(r.release.version));
    records.truncate(args.max.max(0) as usize);
    records.reverse();
    let rows: Vec<ReleaseInfo> = records
        .iter()
        .map(|r| {
            let rel = &r.release;
            let info = rel.info.clone().unwrap_or_default();
            ReleaseInfo {
                revision: rel.version,
                updated: info.last_deployed,
                status: info.status.to_string(),
                chart: rel.chart_label(),
                app_version: rel.app_version_label(),
                description: info.description,
            }
        })
        .collect();
    match args.output {
        Format::Json => output::json(&rows),
        Format::Yaml => output::yaml(&rows),
        Format::Table => {
            let mut table = vec![[
                "REVISION",
                "UPDATED",
                "STATUS",
                "CHART",
                "APP VERSION",
                "DESCRIPTION",
            ]
            .map(String::from)
            .to_vec()];
            for r in &rows {
                table.push(vec![
                    r.revision.to_string(),
                    r.updated.ansic(),
                    r.status.clone(),
                    r.chart.clone(),
                    r.app_version.clone(),
                    r.description.clone(),
                ]);
            }
            Ok(output::table(&table))
        }
    }
}

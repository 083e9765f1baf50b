//! `rudder list`: Helm's `cmd/helm/list.go` (v3.17.3) over [`crate::action::list`].
use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use super::kube_args::{block_on, open_storage, KubeArgs};
use super::output::{self, Format};
use crate::action::list::{self, ListOptions};

/// Flags of `rudder list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// No arguments are accepted.
    #[arg(num_args = 0.., hide = true)]
    pub args: Vec<String>,
    /// Output short (quiet) listing format.
    #[arg(short = 'q', long = "short")]
    pub short: bool,
    /// Don't print headers when using the default output format.
    #[arg(long = "no-headers")]
    pub no_headers: bool,
    /// Format time using golang time formatter.
    #[arg(long = "time-format", default_value = "")]
    pub time_format: String,
    /// Sort by release date.
    #[arg(short = 'd', long = "date")]
    pub date: bool,
    /// Reverse the sort order.
    #[arg(short = 'r', long = "reverse")]
    pub reverse: bool,
    /// Show all releases without any filter applied.
    #[arg(short = 'a', long = "all")]
    pub all: bool,
    /// Show uninstalled releases (if 'helm uninstall --keep-history' was used).
    #[arg(long = "uninstalled")]
    pub uninstalled: bool,
    /// Show superseded releases.
    #[arg(long = "superseded")]
    pub superseded: bool,
    /// Show releases that are currently being uninstalled.
    #[arg(long = "uninstalling")]
    pub uninstalling: bool,
    /// Show deployed releases. If no other is specified, this will be automatically enabled.
    #[arg(long = "deployed")]
    pub deployed: bool,
    /// Show failed releases.
    #[arg(long = "failed")]
    pub failed: bool,
    /// Show pending releases.
    #[arg(long = "pending")]
    pub pending: bool,
    /// List releases across all namespaces.
    #[arg(short = 'A', long = "all-namespaces")]
    pub all_namespaces: bool,
    /// Maximum number of releases to fetch.
    #[arg(short = 'm', long = "max", default_value = "256", value_parser = super::pflag::parse_int)]
    pub max: i64,
    /// Next release index in the list, used to offset from start value.
    #[arg(long = "offset", default_value = "0", value_parser = super::pflag::parse_int)]
    pub offset: i64,
    /// A regular expression (Perl compatible). Any releases that match the expression will be included in the results.
    #[arg(short = 'f', long = "filter", default_value = "")]
    pub filter: String,
    /// Selector (label query) to filter on, supports '=', '==', and '!='.
    #[arg(short = 'l', long = "selector", default_value = "")]
    pub selector: String,
    /// Prints the output in the specified format. Allowed values: table, json, yaml.
    #[arg(short = 'o', long = "output", default_value = "table", value_parser = output::parse_format)]
    pub output: Format,
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// One row. Mirrors `releaseElement`.
#[derive(Serialize)]
struct ReleaseElement {
    name: String,
    namespace: String,
    revision: String,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
}

pub fn run(args: ListArgs) -> ExitCode {
    super::finish(block_on(list(&args)))
}

async fn list(args: &ListArgs) -> Result<String, String> {
    if !args.args.is_empty() {
        let program = super::program_name();
        return Err(format!(
            "\"{program} list\" accepts no arguments\n\nUsage:  {program} list [flags]"
        ));
    }
    let (_, storage) = open_storage(&args.kube, args.all_namespaces).await?;
    let opts = ListOptions {
        all: args.all,
        deployed: args.deployed,
        failed: args.failed,
        pending: args.pending,
        superseded: args.superseded,
        uninstalled: args.uninstalled,
        uninstalling: args.uninstalling,
        by_date: args.date,
        reverse: args.reverse,
        limit: args.max.max(0) as usize,
        offset: args.offset.max(0) as usize,
        filter: Some(args.filter.clone()),
        selector: Some(args.selector.clone()),
    };
    let listed = list::run(&storage, &opts)
        .await
        .map_err(|e| e.to_string())?;
    if args.short {
        let names: Vec<&str> = listed.iter().map(|l| l.summary.name.as_str()).collect();
        return match args.output {
            Format::Json => output::json(&names),
            Format::Yaml => output::yaml(&names),
            Format::Table => Ok(names.iter().map(|n| format!("{n}\n")).collect()),
        };
    }
    let rows: Vec<ReleaseElement> = listed
        .iter()
        .map(|l| {
            let s = &l.summary;
            let t = s.last_deployed();
            let updated = if t.is_zero() {
                "-".to_string()
            } else if args.time_format.is_empty() {
                t.go_string()
            } else {
                t.format(&args.time_format)
            };
            ReleaseElement {
                name: s.name.clone(),
                namespace: s.namespace.clone(),
                revision: s.version.to_string(),
                updated,
                status: s.status().to_string(),
                chart: s.chart_label(),
                app_version: s.app_version_label(),
            }
        })
        .collect();
    match args.output {
        Format::Json => output::json(&rows),
        Format::Yaml => output::yaml(&rows),
        Format::Table => {
            let mut table = Vec::new();
            if !args.no_headers {
                table.push(
                    [
                        "NAME",
                        "NAMESPACE",
                        "REVISION",
                        "UPDATED",
                        "STATUS",
                        "CHART",
                        "APP VERSION",
                    ]
                    .map(String::from)
                    .to_vec(),
                );
            }
            for r in rows {
                table.push(vec![
                    r.name,
                    r.namespace,
                    r.revision,
                    r.updated,
                    r.status,
                    r.chart,
                    r.app_version,
                ]);
            }
            Ok(output::table(&table))
        }
    }
}

//! `rudder lint`: a subset of Helm v3's `pkg/lint` rules, with Helm's messages and severities —
//! Chart.yaml (name, apiVersion, version, icon), values.yaml (presence, YAML, schema), loading the
//! chart, and the agreement of `charts/` with Chart.yaml `dependencies`. Templates are not rendered
//! (Helm's `templates/` rules and Kubernetes name checks are not implemented).
use std::path::Path;

use super::metadata::is_valid_semver;
use crate::values::yaml_input;

/// A lint message's severity, as Helm prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn label(self) -> &'static str {
        match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        }
    }
}

/// One finding: `[SEVERITY] path: text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub severity: Severity,
    pub path: String,
    pub text: String,
}

impl std::fmt::Display for Message {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "[{}] {}: {}",
            self.severity.label(),
            self.path,
            self.text
        )
    }
}

/// Lints the chart directory `dir`.
pub fn lint(dir: &Path) -> Vec<Message> {
    let mut out = Vec::new();
    let mut push = |severity, path: &str, text: String| {
        out.push(Message {
            severity,
            path: path.to_string(),
            text,
        })
    };
    let chart_yaml = std::fs::read_to_string(dir.join("Chart.yaml"));
    match chart_yaml {
        Err(_) => push(
            Severity::Error,
            "Chart.yaml",
            "file does not exist".to_string(),
        ),
        Ok(text) => match yaml_input::parse_metadata(&text) {
            Err(e) => push(
                Severity::Error,
                "Chart.yaml",
                format!("unable to parse YAML\n\t{e}"),
            ),
            Ok(md) => {
                if md.name.is_empty() {
                    push(Severity::Error, "Chart.yaml", "name is required".into());
                }
                match md.api_version.as_str() {
                    "v1" | "v2" => {}
                    "" => push(
                        Severity::Error,
                        "Chart.yaml",
                        "apiVersion is required. The value must be either \"v1\" or \"v2\"".into(),
                    ),
                    other => push(
                        Severity::Error,
                        "Chart.yaml",
                        format!("apiVersion '{other}' is not valid. The value must be either \"v1\" or \"v2\""),
                    ),
                }
                if md.version.is_empty() {
                    push(Severity::Error, "Chart.yaml", "version is required".into());
                } else if !is_valid_semver(&md.version) {
                    push(
                        Severity::Error,
                        "Chart.yaml",
                        format!("version '{}' is not a valid SemVer", md.version),
                    );
                }
                if md.icon.is_empty() {
                    push(Severity::Info, "Chart.yaml", "icon is recommended".into());
                }
            }
        },
    }
    let values = match std::fs::read_to_string(dir.join("values.yaml")) {
        Err(_) => {
            push(Severity::Info, "values.yaml", "file does not exist".into());
            None
        }
        Ok(text) => match yaml_input::parse_values(&text) {
            Err(e) => {
                push(
                    Severity::Error,
                    "values.yaml",
                    format!("unable to parse YAML: {e}")
                        .replace("map[string]interface {}", "chartutil.Values"),
                );
                None
            }
            Ok(v) => Some(v),
        },
    };
    if let (Some(values), Ok(schema)) = (values, std::fs::read(dir.join("values.schema.json"))) {
        if let Err(e) = crate::values::validate_against_single_schema(&values, &schema) {
            push(Severity::Error, "values.yaml", e);
        }
    }
    match super::load(dir) {
        Err(e) => {
            push(Severity::Error, "templates/", e.to_string());
            push(Severity::Error, "", format!("unable to load chart\n\t{e}"));
        }
        Ok(chart) => {
            if let Err(e) = crate::values::coalesce_values(&chart, &crate::template::Value::Nil)
                .and_then(|v| crate::values::validate_against_schema(&chart, &v))
            {
                push(Severity::Error, "templates/", e.to_string());
            }
            let shown = dir.display().to_string();
            if chart.metadata.api_version != "v1" {
                let undeclared: Vec<&str> = chart
                    .dependencies
                    .iter()
                    .filter(|d| {
                        !chart
                            .metadata
                            .dependencies
                            .iter()
                            .any(|r| r.name == d.name())
                    })
                    .map(|d| d.name())
                    .collect();
                if !undeclared.is_empty() {
                    push(
                        Severity::Error,
                        &shown,
                        format!(
                            "chart metadata is missing these dependencies: {}",
                            undeclared.join(",")
                        ),
                    );
                }
            }
            if let Err(e) = super::check_dependencies(&chart) {
                let missing = e.to_string().replace(
                    "found in Chart.yaml, but missing in charts/ directory: ",
                    "",
                );
                push(
                    Severity::Error,
                    &shown,
                    format!("chart directory is missing these dependencies: {missing}"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_version_is_an_error() {
        let dir = std::env::temp_dir().join(format!("rudder-lint-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: c\n").unwrap();
        let messages: Vec<String> = lint(&dir).iter().map(|m| m.to_string()).collect();
        assert_eq!(messages[0], "[ERROR] Chart.yaml: version is required");
        assert_eq!(messages[1], "[INFO] Chart.yaml: icon is recommended");
        assert_eq!(messages[2], "[INFO] values.yaml: file does not exist");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

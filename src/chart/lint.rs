//! The chart-level rules of `rudder lint`, as Helm v3.17.3's `pkg/lint/rules`: `Chartfile`
//! (`chartfile.go`), `ValuesWithOverrides` (`values.go`) and `Dependencies` (`dependencies.go`), with
//! Helm's messages, severities and order. The `templates/` rule renders the chart and lives in
//! `crate::action::lint`, which runs these in Helm's order.
use std::path::Path;

use super::metadata::is_valid_semver;
use super::Metadata;
use crate::template::printf::quote_go;
use crate::template::Value;
use crate::values::yaml_input;

/// A lint message's severity, as Helm prints it (`support.InfoSev` …).
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

/// One finding: `[SEVERITY] path: text`. Mirrors `support.Message`.
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

/// The messages of one chart, in the order the rules found them. Mirrors `support.Linter`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Linter {
    pub messages: Vec<Message>,
}

impl Linter {
    /// Records `result` under `path` when it is an error; returns whether the rule passed
    /// (`RunLinterRule`).
    /// [`Linter::rule`] for a condition: records `message()` unless `ok`. Returns `ok`.
    pub fn check(
        &mut self,
        severity: Severity,
        path: &str,
        ok: bool,
        message: impl FnOnce() -> String,
    ) -> bool {
        self.rule(severity, path, if ok { Ok(()) } else { Err(message()) })
    }

    pub fn rule(&mut self, severity: Severity, path: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(text) => {
                self.messages.push(Message {
                    severity,
                    path: path.to_string(),
                    text,
                });
                false
            }
        }
    }
}

/// `rules.Chartfile`: Chart.yaml's presence, syntax and fields.
pub fn chartfile(linter: &mut Linter, dir: &Path) {
    let path = dir.join("Chart.yaml");
    const FILE: &str = "Chart.yaml";
    linter.check(Severity::Error, FILE, !path.is_dir(), || {
        "should be a file, not a directory".into()
    });
    let text = match std::fs::read(&path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) => {
            let reason = crate::go_os::reason(&e);
            linter.rule(
                Severity::Error,
                FILE,
                Err(format!(
                    "unable to parse YAML\n\tread {}: {reason}",
                    path.display()
                )),
            );
            return;
        }
    };
    let md = match yaml_input::parse_metadata(&text) {
        Ok(md) => md,
        Err(e) => {
            linter.rule(
                Severity::Error,
                FILE,
                Err(format!("unable to parse YAML\n\t{e}")),
            );
            return;
        }
    };
    let raw = yaml_input::parse_any(&text).unwrap_or(Value::Nil);
    linter.rule(Severity::Error, FILE, chart_name(&md));
    linter.rule(Severity::Error, FILE, api_version(&md));
    linter.rule(Severity::Error, FILE, string_typed(&raw, "version"));
    linter.rule(Severity::Error, FILE, version(&md));
    linter.rule(Severity::Error, FILE, string_typed(&raw, "appVersion"));
    linter.rule(Severity::Error, FILE, maintainers(&md));
    linter.rule(Severity::Error, FILE, sources(&md));
    linter.check(Severity::Info, FILE, !md.icon.is_empty(), || {
        "icon is recommended".into()
    });
    linter.check(
        Severity::Error,
        FILE,
        md.icon.is_empty() || is_request_url(&md.icon),
        || format!("invalid icon URL '{}'", md.icon),
    );
    linter.check(
        Severity::Error,
        FILE,
        md.chart_type.is_empty() || md.api_version == "v2",
        || {
            format!(
                "chart type is not valid in apiVersion '{}'. It is valid in apiVersion 'v2'",
                md.api_version
            )
        },
    );
    linter.check(
        Severity::Error,
        FILE,
        md.dependencies.is_empty() || md.api_version == "v2",
        || {
            format!(
                "dependencies are not valid in the Chart file with apiVersion '{}'. They are valid in apiVersion 'v2'",
                md.api_version
            )
        },
    );
}

fn chart_name(md: &Metadata) -> Result<(), String> {
    if md.name.is_empty() {
        return Err("name is required".into());
    }
    if crate::template::funcs::sprig::paths::base(&md.name) != md.name {
        return Err(format!("chart name {} is invalid", quote_go(&md.name)));
    }
    Ok(())
}

fn api_version(md: &Metadata) -> Result<(), String> {
    match md.api_version.as_str() {
        "v1" | "v2" => Ok(()),
        "" => Err("apiVersion is required. The value must be either \"v1\" or \"v2\"".into()),
        other => Err(format!(
            "apiVersion '{other}' is not valid. The value must be either \"v1\" or \"v2\""
        )),
    }
}

fn version(md: &Metadata) -> Result<(), String> {
    if md.version.is_empty() {
        Err("version is required".into())
    } else if !is_valid_semver(&md.version) {
        Err(format!("version '{}' is not a valid SemVer", md.version))
    } else {
        Ok(())
    }
}

/// `isStringValue`: Chart.yaml read as `map[string]interface{}`; a present key must hold a string
/// (Go's `%T` names the type otherwise).
fn string_typed(raw: &Value, key: &str) -> Result<(), String> {
    let Some(value) = raw.as_map().and_then(|m| m.get(key)) else {
        return Ok(());
    };
    let go_type = match value {
        Value::String(_) => return Ok(()),
        Value::Nil => "<nil>",
        Value::Bool(_) => "bool",
        Value::List(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
        _ => "float64",
    };
    Err(format!(
        "{key} should be of type string but it's of type {go_type}"
    ))
}

fn maintainers(md: &Metadata) -> Result<(), String> {
    for m in &md.maintainers {
        if m.name.is_empty() {
            return Err("each maintainer requires a name".into());
        } else if !m.email.is_empty() && !is_email(&m.email) {
            return Err(format!(
                "invalid email '{}' for maintainer '{}'",
                m.email, m.name
            ));
        } else if !m.url.is_empty() && !is_url(&m.url) {
            return Err(format!(
                "invalid url '{}' for maintainer '{}'",
                m.url, m.name
            ));
        }
    }
    Ok(())
}

fn sources(md: &Metadata) -> Result<(), String> {
    match md
        .sources
        .iter()
        .find(|s| s.is_empty() || !is_request_url(s))
    {
        Some(bad) => Err(format!("invalid source URL '{bad}'")),
        None => Ok(()),
    }
}

/// A path as Go prints it after `filepath.Abs` (cleaned: no `.` components or trailing slash).
pub fn go_clean_display(path: &Path) -> String {
    crate::template::funcs::sprig::paths::clean(&path.display().to_string())
}

/// govalidator's `IsRequestURL`: `url.ParseRequestURI` accepts it and it has a scheme, i.e.
/// `scheme:/…` (or `scheme://host…`) without spaces or control characters.
fn is_request_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok && rest.starts_with('/') && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// An approximation of govalidator's `IsURL`: an optional scheme, then a host name with a dot (or
/// `localhost`), no spaces.
fn is_url(s: &str) -> bool {
    if s.is_empty() || s.len() >= 2083 || s.chars().any(char::is_whitespace) || s.starts_with('.') {
        return false;
    }
    let rest = match s.split_once("://") {
        Some((scheme, rest)) => {
            if !matches!(
                scheme.to_ascii_lowercase().as_str(),
                "http" | "https" | "ftp" | "tcp" | "udp" | "ws" | "wss" | "irc"
            ) {
                return false;
            }
            rest
        }
        None => s,
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .rsplit('@')
        .next()
        .unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    !host.is_empty()
        && (host == "localhost" || host.contains('.'))
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// An approximation of govalidator's `IsEmail`: `local@domain.tld`.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.chars().any(|c| c.is_whitespace() || c == '@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-'))
}

/// `rules.ValuesWithOverrides`: values.yaml exists (INFO otherwise), parses, and — merged under the
/// user's values — satisfies values.schema.json.
pub fn values(linter: &mut Linter, dir: &Path, overrides: &Value) {
    const FILE: &str = "values.yaml";
    let path = dir.join(FILE);
    if !linter.check(Severity::Info, FILE, path.exists(), || {
        "file does not exist".into()
    }) {
        return;
    }
    let result = (|| {
        let bytes = std::fs::read(&path).map_err(|e| {
            format!(
                "unable to parse YAML: open {}: {}",
                path.display(),
                crate::go_os::reason(&e)
            )
        })?;
        let values = yaml_input::parse_values(&String::from_utf8_lossy(&bytes)).map_err(|e| {
            format!("unable to parse YAML: {e}")
                .replace("map[string]interface {}", "chartutil.Values")
        })?;
        // Merged before the schema is looked at, as Helm does: the merge adds the chart's defaults
        // into the tables the user gave (shared, as Go's maps are), so they are there for the
        // charts linted after this one (`lint --with-subcharts`, several paths), schema or not.
        let empty = crate::template::Map::new(crate::template::MapEntries::new());
        let merged = match (overrides.as_map(), values.as_map()) {
            (Some(user), Some(defaults)) => {
                let merged = crate::values::coalesce_tables(&empty, user);
                Value::Map(crate::values::coalesce_tables(&merged, defaults))
            }
            _ => values,
        };
        let schema = match std::fs::read(dir.join("values.schema.json")) {
            Ok(schema) if !schema.is_empty() => schema,
            _ => return Ok(()),
        };
        crate::values::validate_against_single_schema(&merged, &schema)
    })();
    linter.rule(Severity::Error, FILE, result);
}

/// `rules.Dependencies`: the chart loads, and `charts/` agrees with Chart.yaml's `dependencies`.
/// `shown` is the chart directory as Helm prints it (absolute).
pub fn dependencies(linter: &mut Linter, dir: &Path, shown: &str) {
    let chart = match super::load_dir(dir) {
        Ok(chart) => chart,
        Err(e) => {
            linter.rule(
                Severity::Error,
                "",
                Err(format!("unable to load chart\n\t{e}")),
            );
            return;
        }
    };
    let declared = &chart.metadata.dependencies;
    let undeclared: Vec<&str> = chart
        .dependencies
        .iter()
        .map(|d| d.name())
        .filter(|name| !declared.iter().any(|r| r.name == *name))
        .collect();
    linter.check(Severity::Error, shown, undeclared.is_empty(), || {
        format!(
            "chart metadata is missing these dependencies: {}",
            undeclared.join(",")
        )
    });
    let mut seen: Vec<&str> = Vec::new();
    let mut shadowing: Vec<&str> = Vec::new();
    for dep in declared {
        let key = if dep.alias.is_empty() {
            dep.name.as_str()
        } else {
            dep.alias.as_str()
        };
        if seen.contains(&key) {
            shadowing.push(key);
        }
        seen.push(key);
    }
    linter.check(Severity::Error, shown, shadowing.is_empty(), || {
        format!(
            "multiple dependencies with name or alias: {}",
            shadowing.join(",")
        )
    });
    let missing: Vec<&str> = declared
        .iter()
        .map(|d| d.name.as_str())
        .filter(|name| !chart.dependencies.iter().any(|c| c.name() == *name))
        .collect();
    linter.check(Severity::Warning, shown, missing.is_empty(), || {
        format!(
            "chart directory is missing these dependencies: {}",
            missing.join(",")
        )
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chartfile_rules_in_helm_order() {
        let dir = std::env::temp_dir().join(format!("rudder-lint-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("templates")).unwrap();
        std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: c\n").unwrap();
        let mut linter = Linter::default();
        chartfile(&mut linter, &dir);
        values(&mut linter, &dir, &Value::empty_map());
        let messages: Vec<String> = linter.messages.iter().map(|m| m.to_string()).collect();
        assert_eq!(messages[0], "[ERROR] Chart.yaml: version is required");
        assert_eq!(messages[1], "[INFO] Chart.yaml: icon is recommended");
        assert_eq!(messages[2], "[INFO] values.yaml: file does not exist");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn url_and_name_checks() {
        assert!(is_request_url("https://example.com/x.png"));
        assert!(!is_request_url("not a url"));
        assert!(!is_request_url(""));
        assert_eq!(crate::template::funcs::sprig::paths::base("a/b"), "b");
        assert_eq!(crate::template::funcs::sprig::paths::base("a/"), "a");
        assert!(is_email("a@example.com"));
        assert!(!is_email("a@b"));
        assert!(is_url("https://example.com"));
        assert!(!is_url("not a url"));
    }
}

//! Release names: Helm's `NameAndChart` (which argument is the name) and `ValidateReleaseName`.
//!
//! The name is checked by hand rather than with the `regex` crate: compiling Helm's pattern at every
//! run was about 1 % of a `rudder template` run's CPU time (perf, 320-template chart). A test holds the
//! two to the same answers.

/// Helm's release-name pattern (`pkg/chartutil/validate_name.go`), for its error message.
pub const RELEASE_NAME_PATTERN: &str =
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

/// Helm's cap on release-name length.
pub const MAX_RELEASE_NAME_LEN: usize = 53;

/// Why a release name was refused. `Display` is Helm's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("release name {0:?}: no name provided")]
    Missing(String),
    #[error("release name {0:?}: invalid release name, must match regex {RELEASE_NAME_PATTERN} and the length must not be longer than 53")]
    Invalid(String),
}

/// `chartutil.ValidateReleaseName`, wrapped as `availableName` wraps it.
pub fn validate(name: &str) -> Result<(), NameError> {
    if name.is_empty() {
        return Err(NameError::Missing(name.to_string()));
    }
    if name.len() > MAX_RELEASE_NAME_LEN || !matches_release_name_pattern(name) {
        return Err(NameError::Invalid(name.to_string()));
    }
    Ok(())
}

/// Whether `name` matches [`RELEASE_NAME_PATTERN`]: dot-separated labels of `[-a-z0-9]`, each
/// non-empty and starting and ending with `[a-z0-9]`.
fn matches_release_name_pattern(name: &str) -> bool {
    name.split('.').all(|label| {
        let bytes = label.as_bytes();
        let alphanumeric = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
        match (bytes.first(), bytes.last()) {
            (Some(first), Some(last)) => {
                alphanumeric(first)
                    && alphanumeric(last)
                    && bytes.iter().all(|b| alphanumeric(b) || *b == b'-')
            }
            _ => false,
        }
    })
}

/// How the release name is chosen when the command line gives only a chart.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NameChoice {
    /// `--generate-name`.
    pub generate: bool,
    /// `--name-template` (rendered only when the command line gives no name, as Helm does).
    pub from_template: Option<String>,
}

/// Helm's `NameAndChart` for `helm template` (whose default release name is `release-name`):
/// returns `(name, chart)` or Helm's error text.
pub fn name_and_chart(args: &[String], choice: &NameChoice) -> Result<(String, String), String> {
    match args {
        [] => Err(format!(
            "\"{} template\" requires at least 1 argument",
            crate::program::name()
        )),
        [_, _, rest @ ..] if !rest.is_empty() => Err(format!(
            "expected at most two arguments, unexpected arguments: {}",
            rest.join(", ")
        )),
        [name, chart] => {
            if choice.generate {
                return Err("cannot set --generate-name and also specify a name".to_string());
            }
            if choice.from_template.is_some() {
                return Err("cannot set --name-template and also specify a name".to_string());
            }
            Ok((name.clone(), chart.clone()))
        }
        [chart] => match &choice.from_template {
            Some(text) => Ok((
                crate::engine::name_template::render_name_template(text)?,
                chart.clone(),
            )),
            None => Ok(("release-name".to_string(), chart.clone())),
        },
        _ => Err("unreachable argument shape".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_names() {
        assert!(validate("my-rel.v1").is_ok());
        assert!(validate("My").is_err());
        assert!(validate(&"a".repeat(54)).is_err());
        assert_eq!(
            validate("").unwrap_err().to_string(),
            "release name \"\": no name provided"
        );
    }

    /// The hand-written check gives the regular expression's answer, on every string of up to four
    /// characters over an alphabet with each class the pattern distinguishes, and on a few longer ones.
    #[test]
    fn hand_check_agrees_with_the_pattern() {
        let pattern = regex::Regex::new(RELEASE_NAME_PATTERN).unwrap();
        let alphabet = ['a', 'z', '0', '9', '-', '.', 'A', '_', '\n', 'é'];
        let mut names = crate::test_corpus::all_strings(&alphabet, 4);
        names.extend(["my-release.v1.2", "a--b.c-d", "x.", ".x", "rel\n"].map(String::from));
        for name in &names {
            assert_eq!(
                matches_release_name_pattern(name),
                pattern.is_match(name),
                "{name:?}"
            );
        }
    }

    #[test]
    fn one_argument_uses_the_default_name() {
        let (name, chart) = name_and_chart(&["./c".into()], &NameChoice::default()).unwrap();
        assert_eq!((name.as_str(), chart.as_str()), ("release-name", "./c"));
    }

    #[test]
    fn generate_name_conflicts_with_a_name() {
        let choice = NameChoice {
            generate: true,
            from_template: None,
        };
        assert!(name_and_chart(&["a".into(), "c".into()], &choice).is_err());
    }
}

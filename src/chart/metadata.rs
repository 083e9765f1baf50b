//! Chart.yaml validation: Helm v3's `Metadata.Validate` (with its string sanitising) and the loose
//! semver check of Masterminds/semver `NewVersion` that it uses for `version`.
use std::collections::BTreeSet;

use super::error::Error;
use super::model::Metadata;

/// Validates and sanitises `md` in place, as `chart.Metadata.Validate` does when a chart is loaded.
pub fn validate(md: &mut Metadata) -> Result<(), Error> {
    for s in [
        &mut md.name,
        &mut md.description,
        &mut md.home,
        &mut md.icon,
        &mut md.condition,
        &mut md.tags,
        &mut md.app_version,
        &mut md.kube_version,
    ] {
        *s = sanitize(s);
    }
    for s in md.sources.iter_mut().chain(md.keywords.iter_mut()) {
        *s = sanitize(s);
    }
    let invalid = |m: String| Err(Error::Validation(m));
    if md.api_version.is_empty() {
        return invalid("chart.metadata.apiVersion is required".into());
    }
    if md.name.is_empty() {
        return invalid("chart.metadata.name is required".into());
    }
    // Helm: `md.Name != filepath.Base(md.Name)`, so "." and ".." pass and "a/" does not.
    let trimmed = md.name.trim_end_matches('/');
    let base = match trimmed.rsplit('/').next() {
        _ if trimmed.is_empty() => "/",
        Some(last) => last,
        None => trimmed,
    };
    if base != md.name {
        return invalid(format!(
            "chart.metadata.name {} is invalid",
            super::error::go_quote(&md.name)
        ));
    }
    if md.version.is_empty() {
        return invalid("chart.metadata.version is required".into());
    }
    if !is_valid_semver(&md.version) {
        return invalid(format!(
            "chart.metadata.version {} is invalid",
            super::error::go_quote(&md.version)
        ));
    }
    if !matches!(md.chart_type.as_str(), "" | "application" | "library") {
        return invalid("chart.metadata.type must be application or library".into());
    }
    for m in &mut md.maintainers {
        m.name = sanitize(&m.name);
        m.email = sanitize(&m.email);
        m.url = sanitize(&m.url);
    }
    let mut seen = BTreeSet::new();
    for d in &mut md.dependencies {
        d.name = sanitize(&d.name);
        d.version = sanitize(&d.version);
        d.repository = sanitize(&d.repository);
        d.condition = sanitize(&d.condition);
        for t in &mut d.tags {
            *t = sanitize(t);
        }
        if !d.alias.is_empty() && !is_valid_alias(&d.alias) {
            return invalid(format!(
                "dependency {} has disallowed characters in the alias",
                super::error::go_quote(&d.name)
            ));
        }
        let key = if d.alias.is_empty() {
            d.name.clone()
        } else {
            d.alias.clone()
        };
        if !seen.insert(key.clone()) {
            return invalid(format!(
                "more than one dependency with name or alias {}",
                super::error::go_quote(&key)
            ));
        }
    }
    Ok(())
}

/// Helm's `sanitizeString`: whitespace becomes a space, other unprintable characters are dropped.
fn sanitize(s: &str) -> String {
    s.chars()
        .filter_map(|c| {
            if c.is_whitespace() {
                Some(' ')
            } else if c.is_control() {
                None
            } else {
                Some(c)
            }
        })
        .collect()
}

/// `^[a-zA-Z0-9_-]+$`
fn is_valid_alias(alias: &str) -> bool {
    !alias.is_empty()
        && alias
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Masterminds/semver v3 `NewVersion` (loose): `v?MAJOR(.MINOR)?(.PATCH)?(-pre)?(+build)?`, with
/// numeric prerelease identifiers free of leading zeros.
pub fn is_valid_semver(v: &str) -> bool {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (rest, build) = match v.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (v, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let nums: Vec<&str> = core.split('.').collect();
    if nums.is_empty() || nums.len() > 3 {
        return false;
    }
    if !nums
        .iter()
        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<u64>().is_ok())
    {
        return false;
    }
    let ident_ok = |s: &str| {
        !s.is_empty()
            && s.split('.').all(|id| {
                !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            })
    };
    if let Some(p) = pre {
        if !ident_ok(p) {
            return false;
        }
        let leading_zero = p.split('.').any(|id| {
            id.len() > 1 && id.starts_with('0') && id.bytes().all(|b| b.is_ascii_digit())
        });
        if leading_zero {
            return false;
        }
    }
    if let Some(b) = build {
        if !ident_ok(b) {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loose_semver() {
        for ok in ["1", "1.0", "v1.2.3", "0.1.0-rc.1+build.5", "1.2.3-alpha-1"] {
            assert!(is_valid_semver(ok), "{ok}");
        }
        for bad in ["x", "1.2.3.4", "1..2", "1.2.3-01", "", "1.2.3-"] {
            assert!(!is_valid_semver(bad), "{bad}");
        }
    }

    #[test]
    fn required_fields_in_helm_order() {
        let mut md = Metadata {
            name: "c".into(),
            ..Default::default()
        };
        assert_eq!(
            validate(&mut md).unwrap_err().to_string(),
            "validation: chart.metadata.apiVersion is required"
        );
        md.api_version = "v2".into();
        assert_eq!(
            validate(&mut md).unwrap_err().to_string(),
            "validation: chart.metadata.version is required"
        );
        md.version = "0.1.0".into();
        md.description = "a\nb\u{7}".into();
        validate(&mut md).unwrap();
        assert_eq!(md.description, "a b");
    }
}

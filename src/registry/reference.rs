//! `oci://host[:port]/path/name[:tag|@sha256:…]` references (`pkg/registry/reference.go`): the tag is
//! the chart version with `+` replaced by `_`.
use super::Error;

/// A parsed reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    /// The repository path (`charts/redis`).
    pub repository: String,
    /// The tag, if given.
    pub tag: Option<String>,
    /// `sha256:…`, if given.
    pub digest: Option<String>,
}

impl Reference {
    /// Parses `oci://…` (the scheme optional).
    pub fn parse(text: &str) -> Result<Reference, Error> {
        let rest = text.strip_prefix("oci://").unwrap_or(text);
        let invalid = || Error(format!("invalid reference: {text}"));
        let (rest, digest) = match rest.split_once('@') {
            Some((r, d)) if d.starts_with("sha256:") && d.len() == 71 => (r, Some(d.to_string())),
            Some(_) => return Err(invalid()),
            None => (rest, None),
        };
        let (registry, path) = rest.split_once('/').ok_or_else(invalid)?;
        let (repository, tag) = match path.rsplit_once(':') {
            Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag.replace('+', "_"))),
            _ => (path, None),
        };
        if registry.is_empty()
            || repository.is_empty()
            || repository
                .split('/')
                .any(|c| c.is_empty() || c.chars().any(|ch| ch.is_ascii_uppercase()))
        {
            return Err(invalid());
        }
        Ok(Reference {
            registry: registry.to_string(),
            repository: repository.to_string(),
            tag,
            digest,
        })
    }

    /// `host/repo:tag` (or `@digest`), as Helm prints it.
    pub fn display(&self) -> String {
        match (&self.tag, &self.digest) {
            (_, Some(d)) => format!("{}/{}@{d}", self.registry, self.repository),
            (Some(t), None) => format!("{}/{}:{t}", self.registry, self.repository),
            (None, None) => format!("{}/{}", self.registry, self.repository),
        }
    }
}

/// A chart version as a tag (`1.0.0+b1` → `1.0.0_b1`).
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_helm_references() {
        let r = Reference::parse("oci://127.0.0.1:5000/charts/redis:2.1.3+b1").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "charts/redis");
        assert_eq!(r.tag.as_deref(), Some("2.1.3_b1"));
        assert_eq!(r.display(), "127.0.0.1:5000/charts/redis:2.1.3_b1");
        let d = format!("oci://h/c/x@sha256:{}", "a".repeat(64));
        assert_eq!(Reference::parse(&d).unwrap().digest.unwrap().len(), 71);
        assert!(Reference::parse("oci://h").is_err());
        assert!(Reference::parse("oci://h/Upper").is_err());
    }
}

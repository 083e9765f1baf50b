//! Container image references as they appear in manifests (`nginx`, `bitnami/redis:7.2`,
//! `127.0.0.1:5000/demo/app:1.0@sha256:…`), normalized as Docker's `reference.ParseNormalizedNamed`
//! does: a first path component is a registry host only when it contains `.` or `:` or is
//! `localhost`; otherwise the image is on Docker Hub (`docker.io`), where a one-component name lives
//! under `library/`. A reference with neither tag nor digest means `:latest`.
use super::Error;

/// A normalized image reference.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ImageRef {
    /// `docker.io`, `ghcr.io`, `127.0.0.1:5000`.
    pub registry: String,
    /// `library/nginx`, `demo/app`.
    pub repository: String,
    /// The tag (`latest` when the reference has neither tag nor digest).
    pub tag: Option<String>,
    /// `sha256:…`, if given.
    pub digest: Option<String>,
}

fn valid_component(c: &str) -> bool {
    !c.is_empty()
        && c.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b))
        && c.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric())
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
        && !t.starts_with(['.', '-'])
}

fn valid_digest(d: &str) -> bool {
    d.strip_prefix("sha256:").is_some_and(|hex| {
        hex.len() == 64
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

impl ImageRef {
    /// Parses and normalizes `text`.
    pub fn parse(text: &str) -> Result<ImageRef, Error> {
        let invalid = |why: &str| Error(format!("invalid image reference {text:?}: {why}"));
        let (rest, digest) = match text.split_once('@') {
            Some((r, d)) if valid_digest(d) => (r, Some(d.to_string())),
            Some(_) => return Err(invalid("the digest is not sha256:<64 hex digits>")),
            None => (text, None),
        };
        let (name, tag) = match rest.rsplit_once(':') {
            Some((n, t)) if !t.contains('/') => {
                if !valid_tag(t) {
                    return Err(invalid("invalid tag"));
                }
                (n, Some(t.to_string()))
            }
            _ => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, path))
                if first.contains('.') || first.contains(':') || first == "localhost" =>
            {
                (first.to_string(), path.to_string())
            }
            Some(_) => ("docker.io".to_string(), name.to_string()),
            None => ("docker.io".to_string(), format!("library/{name}")),
        };
        let registry = if registry == "index.docker.io" {
            "docker.io".to_string()
        } else {
            registry
        };
        if registry.is_empty() || registry.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(invalid("invalid registry host"));
        }
        if !repository.split('/').all(valid_component) {
            return Err(invalid(
                "the repository must be lowercase letters, digits and . _ - separated by /",
            ));
        }
        let tag = if tag.is_none() && digest.is_none() {
            Some("latest".to_string())
        } else {
            tag
        };
        Ok(ImageRef {
            registry,
            repository,
            tag,
            digest,
        })
    }

    /// The host the distribution API is reached at (Docker Hub's is `registry-1.docker.io`).
    pub fn api_host(&self) -> &str {
        if self.registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// `registry/repository[:tag][@digest]`.
    pub fn display(&self) -> String {
        let mut s = format!("{}/{}", self.registry, self.repository);
        if let Some(t) = &self.tag {
            s.push(':');
            s.push_str(t);
        }
        if let Some(d) = &self.digest {
            s.push('@');
            s.push_str(d);
        }
        s
    }

    /// What to fetch the manifest by: the digest when given, else the tag.
    pub fn target(&self) -> &str {
        self.digest
            .as_deref()
            .or(self.tag.as_deref())
            .unwrap_or("latest")
    }

    /// The same repository path, tag and digest under another registry.
    pub fn moved_to(&self, registry: &str) -> ImageRef {
        ImageRef {
            registry: registry.to_string(),
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    #[test]
    fn normalizes_like_docker() {
        let r = ImageRef::parse("nginx").unwrap();
        assert_eq!(r.display(), "docker.io/library/nginx:latest");
        assert_eq!(r.api_host(), "registry-1.docker.io");
        let r = ImageRef::parse("bitnami/redis:7.2").unwrap();
        assert_eq!(r.display(), "docker.io/bitnami/redis:7.2");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&format!("127.0.0.1:5000/demo/app:1.0@{d}")).unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "demo/app");
        assert_eq!(r.tag.as_deref(), Some("1.0"));
        assert_eq!(r.target(), d);
        let r = ImageRef::parse("localhost/app").unwrap();
        assert_eq!(r.display(), "localhost/app:latest");
        assert_eq!(
            r.moved_to("10.0.0.1:5000").display(),
            "10.0.0.1:5000/app:latest"
        );
        assert!(ImageRef::parse("Nginx").is_err());
        assert!(ImageRef::parse("nginx@sha256:zz").is_err());
        assert!(ImageRef::parse("").is_err());
    }
}

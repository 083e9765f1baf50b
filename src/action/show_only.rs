//! `--show-only`: picking documents of the final output by template path, as `helm template` does
//! (`cmd/helm/template.go`): the output is split again into documents, each document's
//! `# Source: <chart>/<path>` line gives its path, and each pattern is matched with Go's
//! `filepath.Match` against that path.
use std::sync::LazyLock;

use regex::Regex;

use crate::release::split_manifests;

static SOURCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("# Source: [^/]+/(.+)").expect("fixed pattern"));

/// The documents matching `patterns`, in pattern order, or Helm's error for the first pattern that
/// matches nothing.
pub fn select(output: &str, patterns: &[String]) -> Result<Vec<String>, String> {
    let documents = split_manifests(output);
    let mut selected = Vec::new();
    for pattern in patterns {
        let pattern = pattern.replace('\\', "/");
        let mut found = false;
        for doc in &documents {
            let Some(path) = SOURCE.captures(doc).and_then(|c| c.get(1)) else {
                continue;
            };
            if go_match(&pattern, path.as_str()) {
                selected.push(doc.clone());
                found = true;
            }
        }
        if !found {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(selected)
}

/// Go's `path.Match` (a malformed pattern matches nothing).
pub fn go_match(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    match_from(&p, &n).unwrap_or(false)
}

fn match_from(p: &[char], n: &[char]) -> Option<bool> {
    let Some((&first, rest)) = p.split_first() else {
        return Some(n.is_empty());
    };
    match first {
        '*' => {
            for i in 0..=n.len() {
                if i > 0 && n[i - 1] == '/' {
                    break;
                }
                if match_from(rest, &n[i..])? {
                    return Some(true);
                }
            }
            Some(false)
        }
        '?' => match n.first() {
            Some(c) if *c != '/' => match_from(rest, &n[1..]),
            _ => Some(false),
        },
        '[' => {
            let close = rest.iter().position(|&c| c == ']')?;
            let class = &rest[..close];
            let (negated, class) = match class.first() {
                Some('^') => (true, &class[1..]),
                _ => (false, class),
            };
            let Some(&c) = n.first() else {
                return Some(false);
            };
            let mut inside = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    inside |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    inside |= class[i] == c;
                    i += 1;
                }
            }
            if inside != negated && c != '/' {
                match_from(&rest[close + 1..], &n[1..])
            } else {
                Some(false)
            }
        }
        '\\' => {
            let (&lit, rest) = rest.split_first()?;
            if n.first() == Some(&lit) {
                match_from(rest, &n[1..])
            } else {
                Some(false)
            }
        }
        c => {
            if n.first() == Some(&c) {
                match_from(rest, &n[1..])
            } else {
                Some(false)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OUT: &str =
        "---\n# Source: c/templates/a.yaml\na: 1\n---\n# Source: c/templates/b.yaml\nb: 1\n";

    #[test]
    fn selects_by_path_and_glob() {
        assert_eq!(
            select(OUT, &["templates/b.yaml".into()]).unwrap(),
            vec!["# Source: c/templates/b.yaml\nb: 1"]
        );
        assert_eq!(select(OUT, &["templates/*".into()]).unwrap().len(), 2);
    }

    #[test]
    fn missing_template_is_an_error() {
        assert_eq!(
            select(OUT, &["templates/x.yaml".into()]).unwrap_err(),
            "could not find template templates/x.yaml in chart"
        );
    }

    #[test]
    fn star_does_not_cross_slashes() {
        assert!(!go_match("*", "templates/a.yaml"));
        assert!(go_match("templates/[ab].yaml", "templates/a.yaml"));
    }
}

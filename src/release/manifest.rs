//! Splitting a rendered file into YAML documents, exactly as Helm's `releaseutil.SplitManifests`.
//!
//! Helm splits on the regular expression `(?:^|\s*\n)---\s*` after trimming the whole text, drops empty
//! pieces and trims each document. The separator therefore needs no line end after it (`---foo` splits
//! too), and it swallows the whitespace around it.
use std::sync::LazyLock;

use regex::Regex;

use super::head::SimpleHead;

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    // Helm: regexp.MustCompile("(?:^|\\s*\n)---\\s*"); the pattern is a fixed literal.
    Regex::new(r"(?:^|\s*\n)---\s*").expect("fixed pattern")
});

/// One rendered document that is not a hook. Mirrors `releaseutil.Manifest`.
#[derive(Debug, Clone, PartialEq)]
pub struct Manifest {
    /// The template file it came from, e.g. `chart/templates/deployment.yaml`.
    pub name: String,
    /// The document text, trimmed.
    pub content: String,
    pub head: SimpleHead,
}

/// The documents of `text` in order, trimmed, without empty ones.
pub fn split_manifests(text: &str) -> Vec<String> {
    SEPARATOR
        .split(text.trim())
        .filter(|doc| !doc.is_empty())
        .map(|doc| doc.trim().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_separator_lines() {
        let docs = split_manifests("a: 1\n---\nb: 2\n");
        assert_eq!(docs, vec!["a: 1", "b: 2"]);
    }

    #[test]
    fn consecutive_separators_leave_separator_text_as_helm_does() {
        // Checked against helm v3.17.3: the second `---` is not a separator once the first one
        // swallowed the newline before it.
        let docs = split_manifests("---\n---\na: 1\n---\n\n---\n");
        assert_eq!(docs, vec!["---\na: 1", "---"]);
    }

    #[test]
    fn separator_needs_no_line_end() {
        assert_eq!(split_manifests("a: 1\n---b: 2"), vec!["a: 1", "b: 2"]);
    }

    #[test]
    fn indented_separator_does_not_split() {
        assert_eq!(
            split_manifests("a: |\n  ---\n  x"),
            vec!["a: |\n  ---\n  x"]
        );
    }

    #[test]
    fn comment_only_document_is_kept() {
        assert_eq!(split_manifests("# c\n---\na: 1"), vec!["# c", "a: 1"]);
    }
}

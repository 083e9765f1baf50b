//! Splitting a rendered file into YAML documents, exactly as Helm's `releaseutil.SplitManifests`.
//!
//! Helm splits on the regular expression `(?:^|\s*\n)---\s*` after trimming the whole text, drops empty
//! pieces and trims each document. The separator therefore needs no line end after it (`---foo` splits
//! too), and it swallows the whitespace around it.
//!
//! The separator is found by hand ([`next_separator`]) rather than with the `regex` crate: compiling
//! the pattern at every run cost more CPU than all the splitting it did (perf, 320-template chart).
//! `\s` is Go's, ASCII-only (`[\t\n\f\r ]`). A test holds the search to the pattern's matches.
use super::head::SimpleHead;

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
    split_ranges(text)
        .into_iter()
        .map(|range| text[range].to_string())
        .collect()
}

/// [`split_manifests`] as byte ranges of `text`: where each (trimmed, non-empty) document lies, so
/// that a caller holding the text needs no copy of it.
pub fn split_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let offset = text.len() - text.trim_start().len();
    let text = text.trim();
    let mut docs = Vec::new();
    // As Helm: a piece is dropped when empty, and trimmed otherwise (which may leave it empty).
    let mut push = |from: usize, to: usize| {
        if from < to {
            let doc = &text[from..to];
            let start = from + (doc.len() - doc.trim_start().len());
            let end = (from + doc.trim_end().len()).max(start);
            docs.push(offset + start..offset + end);
        }
    };
    let mut doc_start = 0;
    while let Some((start, end)) = next_separator(text, doc_start) {
        push(doc_start, start);
        doc_start = end;
    }
    push(doc_start, text.len());
    docs
}

/// Go's `\s`.
fn is_go_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r')
}

/// The leftmost match of `(?:^|\s*\n)---\s*` in `text` at or after `from` (the end of the previous
/// match, or 0), as byte offsets. `^` matches only at the start of the text. Otherwise the match is
/// `\n---` with the whitespace before it: it cannot start earlier, since `-` is not whitespace, and the
/// first `\n---` gives the leftmost start. `\s*` then takes all whitespace after the dashes.
fn next_separator(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let (start, dashes) = if from == 0 && bytes.starts_with(b"---") {
        (0, 0)
    } else {
        let newline = from + text[from..].find("\n---")?;
        let mut start = newline;
        while start > from && is_go_space(bytes[start - 1]) {
            start -= 1;
        }
        (start, newline + 1)
    };
    let mut end = dashes + 3;
    while end < bytes.len() && is_go_space(bytes[end]) {
        end += 1;
    }
    Some((start, end))
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

    /// Every match the hand-written search finds is the one Go's regular expression finds (written
    /// with Go's ASCII `\s`), on every string of up to six characters over an alphabet with each class
    /// the pattern distinguishes.
    #[test]
    fn hand_search_agrees_with_the_pattern() {
        let pattern = regex::Regex::new(r"(?:^|[\t\n\x0C\r ]*\n)---[\t\n\x0C\r ]*").unwrap();
        let alphabet = ['-', '\n', ' ', 'a', '\x0b', '\u{a0}'];
        for text in &crate::test_corpus::all_strings(&alphabet, 6) {
            let expected: Vec<(usize, usize)> = pattern
                .find_iter(text)
                .map(|m| (m.start(), m.end()))
                .collect();
            let mut found = Vec::new();
            let mut from = 0;
            while let Some((start, end)) = next_separator(text, from) {
                found.push((start, end));
                from = end;
            }
            assert_eq!(found, expected, "{text:?}");
        }
    }

    #[test]
    fn comment_only_document_is_kept() {
        assert_eq!(split_manifests("# c\n---\na: 1"), vec!["# c", "a: 1"]);
    }
}

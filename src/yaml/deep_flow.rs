//! Flow collections nested deeper than yaml-rust2 can count.
//!
//! go-yaml v2 allows 10 000 levels of flow nesting (`exceeded max depth of 10000`); yaml-rust2's
//! scanner counts flow levels in a byte and stops at 255 ("recursion limit exceeded"). Its scanner
//! cannot be changed from outside, so a text it refuses for that reason is read in pieces:
//! [`cut`] replaces every flow collection opened at depth [`CUT_DEPTH`] by a placeholder plain
//! scalar of `x`s (blanks and line breaks kept, so every other token keeps its line and column),
//! and each cut-out collection becomes a text of its own, led by as many line breaks and spaces as
//! put it at its place in the original (so its nodes and errors keep their lines and columns).
//! [`super::load`] parses the outer text and the pieces (pieces nested deeper are cut again) and
//! puts each piece's node where its placeholder was.
//!
//! The cut is found by a rough scan (quoted scalars and comments skipped where a token may start);
//! [`splice`] checks that every placeholder came back as a plain scalar of `x`s at its piece's
//! place, so a bracket the scan misread (inside a block scalar or a plain scalar, say) makes the
//! whole attempt give up, and the caller keeps its error: never a different value.
use std::collections::HashMap;
use std::rc::Rc;

use yaml_rust2::scanner::TScalarStyle;

use super::load::{Node, NodeKind};

/// The flow depth at which collections are cut out: below yaml-rust2's 255, so that the outer text
/// and every piece (whose own depth restarts at 1) parse within its limit.
pub const CUT_DEPTH: usize = 200;

/// A flow collection cut out of a text.
pub struct Piece {
    /// 1-based line and 1-based column of its opening bracket, as [`Node`] counts.
    pub line: usize,
    pub column: usize,
    /// Its text, led by line breaks and spaces that put it at its place.
    pub text: String,
}

/// The text with every flow collection opened at depth [`CUT_DEPTH`] replaced by a placeholder,
/// and the collections cut out; `None` when the scan finds none (or an unclosed one).
pub fn cut(text: &str) -> Option<(String, Vec<Piece>)> {
    let mut outer = String::with_capacity(text.len());
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let (mut line, mut col) = (1usize, 0usize);
    // The piece being cut: where it started in `text` (bytes), its line and column.
    let mut open: Option<(usize, usize, usize)> = None;
    let mut prev = '\n';
    let mut chars = text.char_indices().peekable();
    // Whether a token may start here (after a blank, a line start or an indicator).
    let token_start = |prev: char| {
        matches!(
            prev,
            ' ' | '\t' | '\n' | '\r' | '[' | '{' | ',' | ':' | '?' | '-'
        )
    };
    let mut quote: Option<char> = None;
    let mut comment = false;
    while let Some((at, c)) = chars.next() {
        let mut placeholder = open.is_some();
        match (quote, c) {
            (_, '\n') => comment = false,
            _ if comment => {}
            (Some('"'), '\\') => {
                // The escaped character stays inside the quotes.
                if let Some(&(_, next)) = chars.peek() {
                    if next != '\n' {
                        push(&mut outer, c, placeholder);
                        col += 1;
                        chars.next();
                        push(&mut outer, next, placeholder);
                        col += 1;
                        prev = next;
                        continue;
                    }
                }
            }
            (Some(q), c) if c == q => {
                if q == '\'' && chars.peek().map(|&(_, n)| n) == Some('\'') {
                    push(&mut outer, c, placeholder);
                    col += 1;
                    chars.next();
                    push(&mut outer, c, placeholder);
                    col += 1;
                    continue;
                }
                quote = None;
            }
            (Some(_), _) => {}
            (None, '"' | '\'') if token_start(prev) => quote = Some(c),
            (None, '#') if matches!(prev, ' ' | '\t' | '\n' | '\r') => comment = true,
            (None, '[' | '{') => {
                depth += 1;
                if depth == CUT_DEPTH {
                    open = Some((at, line, col));
                    placeholder = true;
                }
            }
            (None, ']' | '}') => {
                if depth == CUT_DEPTH {
                    if let Some((start, l, column)) = open.take() {
                        let mut piece = "\n".repeat(l - 1);
                        piece.push_str(&" ".repeat(column));
                        piece.push_str(&text[start..at + 1]);
                        pieces.push(Piece {
                            line: l,
                            column: column + 1,
                            text: piece,
                        });
                    }
                }
                depth = depth.saturating_sub(1);
            }
            _ => {}
        }
        push(&mut outer, c, placeholder);
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
        prev = c;
    }
    (open.is_none() && !pieces.is_empty()).then_some((outer, pieces))
}

/// Pushes `c`, or its placeholder: blanks and line breaks as they are, anything else as `x`.
fn push(out: &mut String, c: char, placeholder: bool) {
    if placeholder && !matches!(c, ' ' | '\t' | '\n' | '\r') {
        out.push('x');
    } else {
        out.push(c);
    }
}

/// `node` with each placeholder replaced by its piece's node (keyed by line and column); `None`
/// when a placeholder is missing or is not a plain scalar of `x`s (the scan misread the text).
/// Shared nodes (aliases) stay shared.
pub fn splice(node: &Rc<Node>, pieces: &HashMap<(usize, usize), Rc<Node>>) -> Option<Rc<Node>> {
    let mut done = HashMap::new();
    let mut used = 0;
    let spliced = splice_node(node, pieces, &mut done, &mut used)?;
    (used == pieces.len()).then_some(spliced)
}

fn splice_node(
    node: &Rc<Node>,
    pieces: &HashMap<(usize, usize), Rc<Node>>,
    done: &mut HashMap<*const Node, Rc<Node>>,
    used: &mut usize,
) -> Option<Rc<Node>> {
    if let Some(again) = done.get(&Rc::as_ptr(node)) {
        return Some(again.clone());
    }
    let spliced = stacker::maybe_grow(64 * 1024, 1024 * 1024, || -> Option<Rc<Node>> {
        let kind = match &node.kind {
            NodeKind::Scalar { value, style, tag } => {
                if let Some(piece) = pieces.get(&(node.line, node.column)) {
                    let placeholder = *style == TScalarStyle::Plain
                        && tag.is_none()
                        && value.starts_with('x')
                        && value.chars().all(|c| matches!(c, 'x' | ' ' | '\n'));
                    if !placeholder {
                        return None;
                    }
                    *used += 1;
                    return Some(piece.clone());
                }
                return Some(node.clone());
            }
            NodeKind::Seq {
                tag,
                items,
                aliases,
            } => NodeKind::Seq {
                tag: tag.clone(),
                items: items
                    .iter()
                    .map(|item| splice_node(item, pieces, done, used))
                    .collect::<Option<_>>()?,
                aliases: aliases.clone(),
            },
            NodeKind::Map {
                tag,
                entries,
                aliases,
            } => NodeKind::Map {
                aliases: aliases.clone(),
                tag: tag.clone(),
                entries: entries
                    .iter()
                    .map(|(k, v)| {
                        Some((
                            splice_node(k, pieces, done, used)?,
                            splice_node(v, pieces, done, used)?,
                        ))
                    })
                    .collect::<Option<_>>()?,
            },
        };
        Some(Rc::new(Node {
            kind,
            line: node.line,
            column: node.column,
        }))
    })?;
    done.insert(Rc::as_ptr(node), spliced.clone());
    Some(spliced)
}

/// The JSON nesting depth of `node` (a map or a list is one level) if it is over `max`, with the
/// opening character of the first collection past it: sigs.k8s.io/yaml's `encoding/json` step
/// refuses a value nested deeper than 10 000 (`invalid character '[' exceeded max depth`).
pub fn json_depth_over(node: &Node, max: usize) -> Option<char> {
    let mut stack = vec![(node, 1usize)];
    while let Some((node, depth)) = stack.pop() {
        let opener = match &node.kind {
            NodeKind::Scalar { .. } => continue,
            NodeKind::Seq { items, .. } => {
                stack.extend(items.iter().map(|i| (&**i, depth + 1)));
                '['
            }
            NodeKind::Map { entries, .. } => {
                stack.extend(entries.iter().map(|(_, v)| (&**v, depth + 1)));
                '{'
            }
        };
        if depth > max {
            return Some(opener);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_the_cut_depth_keeping_positions() {
        let text = format!(
            "a: [{}\n  {}, 'q]' # ]\n  ]\n",
            "[".repeat(CUT_DEPTH),
            "]".repeat(CUT_DEPTH)
        );
        let (outer, pieces) = cut(&text).unwrap();
        assert_eq!(pieces.len(), 1);
        assert_eq!((pieces[0].line, pieces[0].column), (1, 3 + CUT_DEPTH));
        assert_eq!(outer.len(), text.len());
        assert_eq!(outer.lines().count(), text.lines().count());
        let piece = &pieces[0].text;
        assert!(piece.starts_with(&format!("{}[[\n", " ".repeat(CUT_DEPTH + 2))));
        assert!(piece.ends_with("\n  ]]"), "{piece}");
        assert!(outer.contains("\n  xx"), "{outer}");
        assert!(outer.contains("], 'q]' # ]\n  ]\n"), "{outer}");
    }

    #[test]
    fn shallow_or_unclosed_texts_are_not_cut() {
        assert!(cut("a: [[1]]\n").is_none());
        assert!(cut(&format!("a: {}", "[".repeat(CUT_DEPTH + 1))).is_none());
    }
}

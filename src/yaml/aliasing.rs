//! go-yaml v2's guard against alias bombs: `document contains excessive aliasing`.
//!
//! go-yaml counts every node it decodes, and separately those decoded inside an alias expansion
//! (an alias node itself counts in the enclosing context); once more than 100 of more than 1000
//! decodes come from aliases and their share passes the allowed ratio (99 % up to 400 000 decodes,
//! falling linearly to 10 % at 4 000 000), decoding fails. A merge key's own node is not decoded.
//!
//! The node tree shares an aliased node (`Rc`) instead of keeping alias nodes, so the walk finds the
//! aliases itself: outside any expansion, the first edge to reach a node defines it (anchors come
//! before their aliases in document order) and every later edge to it is an alias; inside an
//! expansion, the edges are those of the anchored subtree, already classified when it was defined.
use std::collections::HashSet;
use std::rc::Rc;

use super::load::{Node, NodeKind};

/// The most nodes an expansion may visit, whatever the ratio (a bound on the work of the walk and of
/// decoding; go-yaml has none, but no document that is not a bomb comes near it).
const MAX_NODES: u64 = 10_000_000;

const ALIAS_RATIO_RANGE_LOW: u64 = 400_000;
const ALIAS_RATIO_RANGE_HIGH: u64 = 4_000_000;

/// Whether decoding `root` as go-yaml does would fail with `document contains excessive aliasing`
/// (or visit more than [`MAX_NODES`]).
pub fn excessive(root: &Node) -> bool {
    let mut nodes = 0;
    match scan(root, &mut nodes) {
        Scan::Plain => false,
        Scan::TooLarge => true,
        Scan::Shares => {
            let mut budget = Budget::default();
            // The document node is decoded first.
            budget.decode(false) || budget.visit(root, false)
        }
    }
}

/// What a walk of the tree as written (no expansion) found.
#[derive(PartialEq, Eq)]
enum Scan {
    /// No alias, at most [`MAX_NODES`] nodes.
    Plain,
    /// No alias up to where the count passed [`MAX_NODES`].
    TooLarge,
    /// A node reached by a second edge (only an alias does that): the budget walk decides.
    Shares,
}

fn scan(node: &Node, nodes: &mut u64) -> Scan {
    *nodes += 1;
    if *nodes > MAX_NODES {
        return Scan::TooLarge;
    }
    let mut found = Scan::Plain;
    any_decoded_child(node, |child| {
        found = if Rc::strong_count(child) > 1 {
            Scan::Shares
        } else {
            scan(child, nodes)
        };
        found != Scan::Plain
    });
    found
}

#[derive(Default)]
struct Budget {
    decodes: u64,
    alias_decodes: u64,
    defined: HashSet<*const Node>,
    alias_edges: HashSet<(*const Node, usize)>,
}

impl Budget {
    /// Counts one decode; true once go-yaml would refuse.
    fn decode(&mut self, in_alias: bool) -> bool {
        self.decodes += 1;
        if in_alias {
            self.alias_decodes += 1;
        }
        self.decodes > MAX_NODES
            || self.alias_decodes > 100
                && self.decodes > 1000
                && self.alias_decodes as f64 / self.decodes as f64
                    > allowed_alias_ratio(self.decodes)
    }

    fn visit(&mut self, node: &Node, in_alias: bool) -> bool {
        if self.decode(in_alias) {
            return true;
        }
        let parent = node as *const Node;
        let mut index = 0;
        any_decoded_child(node, |child| {
            let edge = (parent, index);
            index += 1;
            let is_alias = if in_alias {
                self.alias_edges.contains(&edge)
            } else if self.defined.insert(Rc::as_ptr(child)) {
                false
            } else {
                self.alias_edges.insert(edge);
                true
            };
            is_alias && self.decode(in_alias) || self.visit(child, in_alias || is_alias)
        })
    }
}

/// go-yaml's `allowedAliasRatio`.
fn allowed_alias_ratio(decodes: u64) -> f64 {
    if decodes <= ALIAS_RATIO_RANGE_LOW {
        0.99
    } else if decodes >= ALIAS_RATIO_RANGE_HIGH {
        0.10
    } else {
        let range = (ALIAS_RATIO_RANGE_HIGH - ALIAS_RATIO_RANGE_LOW) as f64;
        0.99 - 0.89 * ((decodes - ALIAS_RATIO_RANGE_LOW) as f64 / range)
    }
}

/// Calls `f` on the children go-yaml decodes, in its order, until it returns true: items; keys and
/// values (a merge key's own node is not decoded, its value is).
fn any_decoded_child(node: &Node, mut f: impl FnMut(&Rc<Node>) -> bool) -> bool {
    match &node.kind {
        NodeKind::Scalar { .. } => false,
        NodeKind::Seq { items, .. } => items.iter().any(f),
        NodeKind::Map { entries, .. } => entries
            .iter()
            .any(|(key, value)| !key.is_merge_key() && f(key) || f(value)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_document(text: &str) -> Rc<Node> {
        super::super::load::parse_nodes(text, 1).unwrap().remove(0)
    }

    /// `levels` anchored lists, each holding `width` aliases of the one before.
    fn bomb(width: usize, levels: usize) -> String {
        let mut text = format!("a0: &a0 [{}]\n", vec!["x"; width].join(", "));
        for level in 1..levels {
            let items = vec![format!("*a{}", level - 1); width].join(", ");
            text.push_str(&format!("a{level}: &a{level} [{items}]\n"));
        }
        text
    }

    #[test]
    fn bombs_are_refused_as_go_yaml_refuses_them() {
        assert!(excessive(&first_document(&bomb(9, 6))));
        assert!(excessive(&first_document(&bomb(10, 4))));
    }

    #[test]
    fn ordinary_aliasing_passes() {
        // Below go-yaml's thresholds: at most 100 alias decodes, or at most 1000 decodes.
        assert!(!excessive(&first_document(&bomb(4, 4))));
        let mut text = String::from("base: &base {a: 1, b: 2}\n");
        for i in 0..200 {
            text.push_str(&format!(
                "k{i}: {{<<: *base, c: {i}, d: {i}, e: {i}, f: {i}}}\n"
            ));
        }
        assert!(!excessive(&first_document(&text)));
        assert!(!excessive(&first_document("a: [1, 2, 3]\nb: {c: d}\n")));
    }

    #[test]
    fn ratio_falls_over_the_range() {
        assert_eq!(allowed_alias_ratio(1000), 0.99);
        assert_eq!(allowed_alias_ratio(4_000_000), 0.10);
        assert!((allowed_alias_ratio(2_200_000) - 0.545).abs() < 1e-9);
    }
}

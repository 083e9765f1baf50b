//! Helm's data built straight from the events of a plain values document, as they are read.
//!
//! [`super::skim`] with `Pick::All` decodes a plain document from the simple reader's list of events
//! into a decoded tree, which [`super::convert::to_value`] then turns into Helm's data: for a values
//! file of a few megabytes the list of events alone (about 110 bytes an event, two to six events a
//! line) was several times the size of the text, and the three forms were alive together. Here the
//! simple reader hands each event over as it reads it ([`super::simple::stream_events`]) and the
//! data is built from it at once, so only the text and the data exist. The events pass go-yaml's
//! simple-key rules on the way ([`super::events::stream_checked`]), as every reader of events does.
//!
//! It answers for exactly the documents `skim_plain_document(text, Pick::All)` answers for, with the
//! value `to_value` makes of its answer (a test holds the two together): the text is read whole by
//! the simple reader, the root is a mapping, every key is a plain string (`string_key`), no node has
//! an anchor or a tag, and no float is infinite or NaN. On anything else it gives up (`None`) and
//! the caller takes its usual path, which also reports any error.
//!
//! A large values file repeats the same keys (and many of the same short strings) in every entry of
//! its lists: each distinct short text is allocated once and shared (a `Str` is immutable), and every
//! collection is shrunk to its size when it ends.
use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::rc::Rc;

use yaml_rust2::parser::Event;

use super::convert::resolve_untagged;
use super::events::stream_checked;
use super::events::Mark;
use super::resolve::Resolved;
use super::simple::Sink;
use super::skim::string_key;
use crate::fasthash::FxHasher;
use crate::template::value::{List, Map, MapEntries, MapKind, Str, Value};

/// Below this size a text goes through the usual path: its list of events is small, and that
/// path's code is the one already in the cache.
pub const MIN_STREAMED_BYTES: usize = 64 << 10;

/// The data of the first document of `text` (`Some(None)`: no document), built while reading, or
/// `None` when this path cannot vouch for the text (see the module doc).
pub fn plain_values(text: &str) -> Option<Option<Value>> {
    let mut builder = Builder::default();
    stream_checked(text, &mut builder)?;
    if builder.failed || !builder.stack.is_empty() {
        return None;
    }
    Some(builder.root)
}

/// A collection being built: a list, or a map with the key of the entry whose value comes next.
enum Frame {
    List(Vec<Value>),
    Map(MapEntries, Option<Str>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    root: Option<Value>,
    /// Set on the first event this path cannot vouch for; everything after it is ignored.
    failed: bool,
    /// The short texts (keys and string values) allocated so far, shared by every later use.
    shared: HashSet<Str, BuildHasherDefault<FxHasher>>,
}

/// Texts up to this length are shared (longer ones rarely repeat).
const SHARED_MAX_LEN: usize = 40;
/// At most this many distinct texts are remembered.
const SHARED_MAX_COUNT: usize = 1 << 14;

/// Nesting beyond this is left to the usual path (as in `skim`; the simple reader stops earlier).
const MAX_DEPTH: usize = 1_000;

impl Builder {
    /// `text` as a `Str`, shared with earlier equal short texts.
    fn text(&mut self, text: &str) -> Str {
        if text.len() > SHARED_MAX_LEN {
            return Rc::from(text);
        }
        if let Some(known) = self.shared.get(text) {
            return known.clone();
        }
        let made: Str = Rc::from(text);
        if self.shared.len() < SHARED_MAX_COUNT {
            self.shared.insert(made.clone());
        }
        made
    }

    /// Takes a finished node: as the root, as a list item, as a map key (a scalar only) or value.
    fn node(&mut self, value: Value) -> Option<()> {
        match self.stack.last_mut() {
            None if self.root.is_none() => self.root = Some(value),
            None => return None,
            Some(Frame::List(items)) => items.push(value),
            Some(Frame::Map(entries, key)) => {
                // `None` here is a collection as a key, refused before it was built.
                entries.insert(key.take()?, value);
            }
        }
        Some(())
    }

    /// Whether the next node is a map key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map(_, None)))
    }

    fn step(&mut self, event: Event) -> Option<()> {
        match event {
            Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart
            | Event::DocumentEnd
            | Event::Nothing => {}
            Event::Scalar(text, style, anchor, tag) => {
                if anchor > 0 || tag.is_some() || self.stack.is_empty() {
                    // The root must be a mapping.
                    return None;
                }
                if self.expects_key() {
                    let key = self.text(&string_key(text, style)?);
                    if let Some(Frame::Map(_, slot)) = self.stack.last_mut() {
                        *slot = Some(key);
                    }
                    return Some(());
                }
                let value = match resolve_untagged(&text, style) {
                    Resolved::Null => Value::Nil,
                    Resolved::Bool(b) => Value::Bool(b),
                    // The JSON round trip: every number is a float64.
                    Resolved::Int(i) => Value::Float(i as f64),
                    Resolved::Uint(u) => Value::Float(u as f64),
                    Resolved::Float(f) if f.is_finite() => Value::Float(f),
                    Resolved::Float(_) => return None,
                    // A character of the range that stores invalid bytes (from a `\U` escape)
                    // is stored as its bytes, as `to_value` stores it (`gostr`).
                    Resolved::Timestamp | Resolved::Merge | Resolved::Str
                        if crate::template::gostr::has_escapes(&text) =>
                    {
                        Value::str(&crate::template::gostr::from_bytes(text.as_bytes()))
                    }
                    Resolved::Timestamp | Resolved::Merge | Resolved::Str => {
                        Value::String(self.text(&text))
                    }
                };
                self.node(value)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let is_map = matches!(event, Event::MappingStart(..));
                if anchor > 0
                    || tag.is_some()
                    || self.expects_key()
                    || self.stack.len() >= MAX_DEPTH
                    || (self.stack.is_empty() && (!is_map || self.root.is_some()))
                {
                    return None;
                }
                self.stack.push(if is_map {
                    Frame::Map(MapEntries::new(), None)
                } else {
                    Frame::List(Vec::new())
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match self.stack.pop()? {
                    Frame::List(mut items) => {
                        items.shrink_to_fit();
                        Value::List(List::new(items))
                    }
                    Frame::Map(mut entries, None) => {
                        entries.shrink_to_fit();
                        Value::Map(Map::with_kind(MapKind::StringInterface, entries))
                    }
                    Frame::Map(_, Some(_)) => return None,
                };
                self.node(value)?;
            }
            Event::Alias(_) => return None,
        }
        Some(())
    }
}

impl Sink for Builder {
    fn event(&mut self, event: Event, _: Mark) {
        if !self.failed && self.step(event).is_none() {
            self.failed = true;
            self.stack.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::skim::{skim_plain_document, Pick};
    use super::*;

    /// The usual path's answer for `text`.
    fn usual(text: &str) -> Option<Option<Value>> {
        Some(match skim_plain_document(text, Pick::All)? {
            None => None,
            Some(decoded) => Some(super::super::convert::to_value(&decoded).ok()?),
        })
    }

    fn same(a: &Option<Option<Value>>, b: &Option<Option<Value>>) -> bool {
        match (a, b) {
            (Some(Some(a)), Some(Some(b))) => format!("{a:?}") == format!("{b:?}"),
            (Some(None), Some(None)) | (None, None) => true,
            _ => false,
        }
    }

    /// Answers where the usual path answers, with the same data, and gives up where it gives up.
    #[test]
    fn agrees_with_skim_and_to_value() {
        for text in [
            "",
            "# only a comment\n",
            "a: 1\nb: [x, {c: d}]\nc: {e: f}\n",
            "a: yes\na: 'later wins'\n",
            "a: |\n  block\n  text\nb: >-\n  folded\n",
            "a: 2001-12-14\nz: ~\nn: null\n",
            "a: 1e3\nlist:\n- 1\n- two\n- - nested\n",
            "a: \"quoted\"\nb: 'single'\nbig: 18446744073709551615\nneg: -3\n",
            "a:\n  b:\n    c: [1, 2.5, true]\n  d: {}\ne: []\n",
            "- a\n- b\n",
            "scalar\n",
            "1: one\n",
            "true: yes\n",
            "a: .inf\n",
            "a: .nan\n",
            "<<: {a: 1}\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "? a\n: b\n",
            "a: 1\n---\nb: 2\n",
            "{a: 1}\n",
            "a: [1, {b: [2, {c: 3}]}]\n",
            "x: \"a\\U0010FFFFb\"\nz: plain\n",
        ] {
            let got = plain_values(text);
            let want = usual(text);
            assert!(same(&got, &want), "{text:?}: {got:?} vs {want:?}");
        }
    }

    /// A text without a final line break is left to the usual path (its last block scalar is
    /// corrected there).
    #[test]
    fn unterminated_text_is_left_to_the_usual_path() {
        assert!(plain_values("a: |\n  x").is_none());
        assert!(plain_values("a: 1").is_none());
        assert!(plain_values("a: 1\n").is_some());
    }

    /// On a large generated values file the two paths agree.
    #[test]
    fn agrees_on_a_large_document() {
        let mut text = String::from("tenants:\n");
        for i in 0..2_000 {
            text.push_str(&format!(
                "  - name: t{i}\n    enabled: {}\n    quota: {{cpu: \"{i}\", memory: {i}Gi}}\n    \
                 rules:\n      - {{verb: get, resource: r{i}}}\n    note: |\n      line {i}\n",
                i % 2 == 0
            ));
        }
        let got = plain_values(&text);
        assert!(matches!(got, Some(Some(_))));
        assert!(same(&got, &usual(&text)));
    }
}

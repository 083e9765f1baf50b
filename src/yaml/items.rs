//! A large document of many small items, decoded one item at a time: a mapping whose key `LIST`
//! holds a mapping of names to sequences (a chart repository's `index.yaml`: `entries`, chart names,
//! versions), where each item of those sequences is handed to an [`ItemSink`] as soon as its last
//! event is read, so that the caller can turn it into its own type and drop it. The whole document
//! never exists as a node tree or a decoded tree: only the text, the caller's items and the other
//! top-level values (returned as a decoded map).
//!
//! Events come from the simple reader streaming through go-yaml's simple-key rules
//! ([`super::events::stream_checked`]) when it can vouch for the text, else from yaml-rust2's
//! parser one by one ([`Events`], with the same rules) when the text parses as it is; either way a
//! key go-yaml refuses is refused here as by every other reader of events. The items are decoded
//! as [`super::skim`] decodes a node (`convert::untagged_scalar`), which is what the full path
//! (`super::from_str`) makes of them. It gives up (`None`; the caller takes the full path, which
//! also reports any error) where `skim` gives up (anchors, aliases, tags, merge keys, keys that are
//! not plain strings, infinite or NaN floats, a root that is not a mapping, any error) and on a
//! `LIST` value that is not a mapping of sequences. Duplicate keys: the last wins, as in the full
//! path (the sink is told when a list starts again). `tests/yaml_oracle.rs` holds its answers to
//! go-yaml's on every document of the oracle's corpus.
use std::collections::BTreeMap;

use yaml_rust2::parser::Event;

use super::convert::{resolve_untagged, resolved_to_yaml, Yaml};
use super::events::{stream_checked, Events, Mark};
use super::resolve::Resolved;
use super::simple::Sink;
use super::skim::string_key;

/// Who receives the items.
pub trait ItemSink {
    /// The `LIST` mapping starts (again, for a duplicate key: everything received so far is void).
    fn lists(&mut self);
    /// The sequence of `name` starts (again, for a duplicate name: its earlier items are void).
    fn list(&mut self, name: &str);
    /// One item of the sequence of `name`; `None` to give up.
    fn item(&mut self, name: &str, item: Yaml) -> Option<()>;
}

/// Reads `text` (see the module doc); the top-level entries other than `list`.
pub fn stream_items(
    text: &str,
    list: &str,
    sink: &mut dyn ItemSink,
) -> Option<BTreeMap<String, Yaml>> {
    // A `:` where go-yaml's flow context wants a node (`{a: :1}`) is its parser's error, which
    // only the full path finds (`go_scan`); `[` and `{` are found at memchr speed.
    if (text.contains('{') || text.contains('[')) && super::go_scan::has_lone_flow_colon(text) {
        return None;
    }
    let mut builder = Builder {
        list,
        sink,
        stack: Vec::new(),
        root: None,
        current: String::new(),
        failed: false,
    };
    if stream_checked(text, &mut builder).is_none() {
        // The simple reader may have given up part way: the sink starts again.
        builder.sink.lists();
        if !super::load::parses_as_is(text) {
            return None;
        }
        builder.stack.clear();
        builder.root = None;
        builder.failed = false;
        let mut events = Events::parser(text);
        loop {
            let (event, mark) = events.next_event().ok()?;
            let end = matches!(event, Event::StreamEnd | Event::DocumentEnd);
            builder.event(event, mark);
            if builder.failed {
                return None;
            }
            if end {
                break;
            }
        }
    }
    if builder.failed || !builder.stack.is_empty() {
        return None;
    }
    match builder.root? {
        Yaml::Map(map) => Some(map),
        _ => None,
    }
}

/// Where a collection being built sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The root mapping.
    Root,
    /// The mapping under the list key.
    Lists,
    /// The sequence of one name: its items go to the sink.
    List,
    /// Anything else (inside an item, or another top-level value).
    Other,
}

enum Frame {
    Seq(Role, Vec<Yaml>),
    Map(Role, BTreeMap<String, Yaml>, Option<String>),
}

struct Builder<'a> {
    list: &'a str,
    sink: &'a mut dyn ItemSink,
    stack: Vec<Frame>,
    root: Option<Yaml>,
    /// The name whose sequence is being read.
    current: String,
    failed: bool,
}

const MAX_DEPTH: usize = 1_000;

impl Builder<'_> {
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map(_, _, None)))
    }

    /// The role of a collection starting now.
    fn next_role(&self, is_map: bool) -> Option<Role> {
        Some(match self.stack.last() {
            None => {
                if !is_map || self.root.is_some() {
                    return None;
                }
                Role::Root
            }
            Some(Frame::Map(Role::Root, _, Some(key))) if key == self.list => {
                if !is_map {
                    return None;
                }
                Role::Lists
            }
            Some(Frame::Map(Role::Lists, _, Some(_))) => {
                if is_map {
                    return None;
                }
                Role::List
            }
            _ => Role::Other,
        })
    }

    /// A finished node, placed where it belongs.
    fn node(&mut self, value: Yaml) -> Option<()> {
        let list = self.list;
        let Some(top) = self.stack.last_mut() else {
            if self.root.is_some() {
                return None;
            }
            self.root = Some(value);
            return Some(());
        };
        match top {
            Frame::Seq(Role::List, _) => return self.sink.item(&self.current, value),
            Frame::Seq(_, items) => items.push(value),
            // The lists went to the sink: nothing is kept under their key or their names.
            Frame::Map(Role::Root, _, key) if key.as_deref() == Some(list) => *key = None,
            Frame::Map(Role::Lists, _, key) => {
                key.take()?;
            }
            Frame::Map(_, entries, key) => {
                entries.insert(key.take()?, value);
            }
        }
        Some(())
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
                    return None;
                }
                if self.expects_key() {
                    let key = string_key(text, style)?;
                    let Some(Frame::Map(role, _, slot)) = self.stack.last_mut() else {
                        return None;
                    };
                    if *role == Role::Root && key == self.list {
                        // Again for a duplicate key: the last one wins.
                        self.sink.lists();
                    }
                    if *role == Role::Lists {
                        self.sink.list(&key);
                        self.current.clone_from(&key);
                    }
                    *slot = Some(key);
                    return Some(());
                }
                // A scalar where the lists or a list belong: left to the full path.
                if let Some(Frame::Map(Role::Root, _, Some(key))) = self.stack.last() {
                    if key == self.list {
                        return None;
                    }
                }
                if let Some(Frame::Map(Role::Lists, ..)) = self.stack.last() {
                    return None;
                }
                let resolved = resolve_untagged(&text, style);
                if matches!(resolved, Resolved::Float(f) if !f.is_finite()) {
                    return None;
                }
                self.node(resolved_to_yaml(text, resolved))?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let is_map = matches!(event, Event::MappingStart(..));
                if anchor > 0
                    || tag.is_some()
                    || self.expects_key()
                    || self.stack.len() >= MAX_DEPTH
                {
                    return None;
                }
                let role = self.next_role(is_map)?;
                self.stack.push(if is_map {
                    Frame::Map(role, BTreeMap::new(), None)
                } else {
                    Frame::Seq(role, Vec::new())
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let value = match self.stack.pop()? {
                    Frame::Seq(_, items) => Yaml::Seq(items),
                    Frame::Map(_, entries, None) => Yaml::Map(entries),
                    Frame::Map(_, _, Some(_)) => return None,
                };
                self.node(value)?;
            }
            Event::Alias(_) => return None,
        }
        Some(())
    }
}

impl Sink for Builder<'_> {
    fn event(&mut self, event: Event, _: Mark) {
        if !self.failed && self.step(event).is_none() {
            self.failed = true;
            self.stack.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Collects the items as the full path would hold them.
    #[derive(Default)]
    struct Collect(BTreeMap<String, Vec<Yaml>>);

    impl ItemSink for Collect {
        fn lists(&mut self) {
            self.0.clear();
        }
        fn list(&mut self, name: &str) {
            self.0.insert(name.to_string(), Vec::new());
        }
        fn item(&mut self, name: &str, item: Yaml) -> Option<()> {
            self.0.get_mut(name)?.push(item);
            Some(())
        }
    }

    /// The streamed answer put back together.
    fn streamed(text: &str) -> Option<Yaml> {
        let mut sink = Collect::default();
        let mut top = stream_items(text, "entries", &mut sink)?;
        if text.contains("entries:") {
            top.insert(
                "entries".into(),
                Yaml::Map(sink.0.into_iter().map(|(k, v)| (k, Yaml::Seq(v))).collect()),
            );
        }
        Some(Yaml::Map(top))
    }

    fn full(text: &str) -> Yaml {
        super::super::decode_document(text, "").unwrap().unwrap()
    }

    #[test]
    fn agrees_with_the_full_decode() {
        for text in [
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    version: 1.0.0\n    urls: [x.tgz]\n  - name: a\n    version: \"2\"\n    keywords:\n    - k\n  b: []\ngenerated: 2026-01-01T00:00:00Z\n",
            "entries:\n  a:\n  - \n  - name: a\n",
            "entries:\n  a:\n  - name: one\n  a:\n  - name: two\n",
            "entries:\n  a:\n  - name: first\nentries:\n  b:\n  - name: second\n",
            "entries: {}\napiVersion: v1\n",
            "apiVersion: v1\nentries:\n  a:\n  - name: a\n    description: caf\u{e9} \u{2014} unicode\n    annotations: {}\n",
            "entries:\n  a:\n  - name: a\n    description: a plain scalar\n      on two lines\n",
            "entries:\n  a:\n  - {name: a, urls: [x.tgz]}\n",
        ] {
            assert_eq!(streamed(text), Some(full(text)), "{text:?}");
        }
    }

    /// go-yaml's simple-key rules apply to the streamed events: a flow mapping's key whose `:` is
    /// more than 1024 characters on is refused (the full path reports it), and an empty block
    /// scalar at the end of the text (corrected by the full path) is not read from raw events.
    #[test]
    fn keeps_the_rules_of_every_reader_of_events() {
        let long = format!("entries:\n  a:\n  - {{{}: 1}}\n", "k".repeat(1100));
        assert!(super::super::decode_document(&long, "").is_err());
        assert_eq!(streamed(&long), None);
        for text in [
            "entries:\n  a:\n  - name: a\nextra: |\n",
            "known: 1\nextra: |+\n\n",
        ] {
            assert_eq!(streamed(text), None, "{text:?}");
        }
    }

    #[test]
    fn gives_up_where_the_full_path_decides() {
        for text in [
            "entries: null\n",
            "entries:\n  a: null\n",
            "entries:\n  a: {x: 1}\n",
            "entries:\n  a:\n  - &x {name: a}\n  - *x\n",
            "- a\n",
            "entries:\n  a:\n  - version: .inf\n",
            "entries:\n  a:\n  - !!str x\n",
            "entries:\n  1:\n  - name: a\n",
        ] {
            assert_eq!(streamed(text), None, "{text:?}");
        }
    }
}

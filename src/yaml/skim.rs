//! Decoding only the chosen parts of a plain document, straight from the parser's events.
//!
//! [`super::decode_document`] builds a node tree and a decoded tree of the whole document, and then
//! drops both: costly when a caller wants three fields of every rendered manifest (Helm's sorter reads
//! `apiVersion`, `kind` and `metadata.name`/`annotations` of each). [`skim_document`] reads the same
//! events but keeps only what a [`Pick`] selects; everything else is checked and skipped. With
//! [`Pick::All`] it keeps the whole document: [`super::parse_value`] decodes plain values files that
//! way ([`skim_plain_document`]), without a node tree.
//!
//! It answers only for documents where nothing but the kept parts can matter: it gives up (returns
//! `None`, and the caller takes the full path) on any parse error (go-yaml's simple-key rules
//! among them, which the event source applies), on anchors, aliases and tags, on
//! merge keys, on keys that are not plain strings (null, numbers, booleans, collections), on a float
//! the JSON round trip would refuse (`.inf`, `.nan`), on a root that is not a map, and on text
//! `load::parse_nodes` prepares or refuses before parsing (BOM, NEL, control characters, a tab on
//! the first content line, `\/` anywhere). For the documents it accepts, the kept parts are what
//! [`super::decode_document`] returns for them (duplicate keys: the last wins), and the full path
//! would report no error.
use std::collections::BTreeMap;

use yaml_rust2::parser::Event;
use yaml_rust2::scanner::TScalarStyle;

use super::convert::{resolve_untagged, resolved_to_yaml, Yaml};
use super::events::Events;
use super::resolve::{resolve_plain, Resolved};

/// What to keep of a node.
#[derive(Clone, Copy)]
pub enum Pick {
    /// A scalar as decoded; a list or a map only as an empty one of its kind.
    Shape,
    /// A map: each key's pick (`None`: skip the entry); anything else as [`Pick::Shape`].
    Map(fn(&str) -> Option<Pick>),
    /// The whole node.
    All,
}

/// The first document of `text` with only the `pick`ed parts decoded (`Some(None)`: no document),
/// or `None` when this reader cannot vouch for the document (see the module doc).
pub fn skim_document(text: &str, pick: Pick) -> Option<Option<Yaml>> {
    // What the simple reader accepts needs no preparation (it is printable ASCII without `\/`
    // escapes); other texts go to the parser only when they parse as they are.
    let events = match Events::simple(text) {
        Some(events) => events,
        None if super::load::parses_as_is(text) => Events::parser(text),
        None => return None,
    };
    skim_events(events, pick)
}

/// [`skim_document`] of a text the simple reader (`super::simple`) reads whole, so a text of at
/// most one document, checked to its end; `None` for any other text.
pub fn skim_plain_document(text: &str, pick: Pick) -> Option<Option<Yaml>> {
    skim_events(Events::simple(text)?, pick)
}

fn skim_events(events: Events<'_>, pick: Pick) -> Option<Option<Yaml>> {
    let mut skim = Skim { events };
    loop {
        match skim.next()? {
            Event::StreamStart | Event::Nothing => {}
            Event::StreamEnd => return Some(None),
            Event::DocumentStart => break,
            _ => return None,
        }
    }
    match skim.next()? {
        root @ Event::MappingStart(..) => skim.node(root, Some(pick), 0).map(Some),
        _ => None,
    }
}

/// Nesting beyond this is left to the full path (which refuses it past 10 000).
const MAX_DEPTH: usize = 1_000;

struct Skim<'a> {
    events: Events<'a>,
}

impl Skim<'_> {
    fn next(&mut self) -> Option<Event> {
        self.events.next_event().ok().map(|(event, _)| event)
    }

    /// Reads the node that starts with `event`; with `pick: None` it is only checked. Returns the
    /// kept value (`Yaml::Null` for a skipped node) or `None` to give up.
    fn node(&mut self, event: Event, pick: Option<Pick>, depth: usize) -> Option<Yaml> {
        if depth > MAX_DEPTH {
            return None;
        }
        match event {
            Event::Scalar(value, style, anchor, tag) => {
                if anchor > 0 || tag.is_some() {
                    return None;
                }
                let resolved = resolve_untagged(&value, style);
                if matches!(resolved, Resolved::Float(f) if !f.is_finite()) {
                    return None;
                }
                // Kept, it is decoded as `convert::untagged_scalar` decodes it; skipped, only
                // resolved (for the check above).
                Some(match pick {
                    Some(_) => resolved_to_yaml(value, resolved),
                    None => Yaml::Null,
                })
            }
            Event::SequenceStart(anchor, tag) => {
                if anchor > 0 || tag.is_some() {
                    return None;
                }
                let keep_items = matches!(pick, Some(Pick::All));
                let mut items = Vec::new();
                loop {
                    match self.next()? {
                        Event::SequenceEnd => break,
                        item if keep_items => items.push(self.node(item, pick, depth + 1)?),
                        item => {
                            self.node(item, None, depth + 1)?;
                        }
                    }
                }
                Some(if pick.is_some() {
                    Yaml::Seq(items)
                } else {
                    Yaml::Null
                })
            }
            Event::MappingStart(anchor, tag) => {
                if anchor > 0 || tag.is_some() {
                    return None;
                }
                let mut kept = BTreeMap::new();
                loop {
                    let key = match self.next()? {
                        Event::MappingEnd => break,
                        Event::Scalar(key, style, 0, None) => string_key(key, style)?,
                        _ => return None,
                    };
                    let child = match pick {
                        Some(Pick::Map(pick_key)) => pick_key(&key),
                        Some(Pick::All) => Some(Pick::All),
                        _ => None,
                    };
                    let event = self.next()?;
                    let value = self.node(event, child, depth + 1)?;
                    if child.is_some() {
                        kept.insert(key, value);
                    }
                }
                Some(match pick {
                    Some(_) => Yaml::Map(kept),
                    None => Yaml::Null,
                })
            }
            _ => None,
        }
    }
}

/// A key that decodes to itself as a JSON object key: quoted, or plain text YAML 1.1 reads as a
/// string (or a timestamp, which stays text). Others (`<<`, null, numbers, booleans) give up.
/// (Keys too long to be simple keys are refused by the event source, [`super::events`].)
pub(crate) fn string_key(key: String, style: TScalarStyle) -> Option<String> {
    if style != TScalarStyle::Plain {
        return Some(key);
    }
    match resolve_plain(&key) {
        Resolved::Str | Resolved::Timestamp => Some(key),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn everything(_: &str) -> Option<Pick> {
        Some(Pick::Map(everything))
    }

    fn only_a(key: &str) -> Option<Pick> {
        (key == "a").then_some(Pick::Shape)
    }

    /// The full decode cut down the way `pick` keeps a node.
    fn cut(full: &Yaml, pick: Pick) -> Yaml {
        match (full, pick) {
            (Yaml::Seq(_), _) => Yaml::Seq(Vec::new()),
            (Yaml::Map(_), Pick::Shape) => Yaml::Map(BTreeMap::new()),
            (Yaml::Map(m), Pick::Map(pick_key)) => Yaml::Map(
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), cut(v, pick_key(k)?))))
                    .collect(),
            ),
            (scalar, _) => scalar.clone(),
        }
    }

    /// Where the skim answers, it agrees with the full decode on the kept parts.
    #[test]
    fn agrees_with_the_full_decode() {
        for text in [
            "a: 1\nb: [x, {}]\nc: { }\n",
            "b: [x, {c: d}]\ne: {f: [g], 'h': i}\n",
            "a: yes\na: 'later wins'\n",
            "a: |\n  block\n  text\nb: >-\n  folded\n",
            "a: 2001-12-14\nz: ~\n",
            "a: 1e3\nlist:\n- 1\n- two\n",
            "a: \"quoted \\u00e9\"\n",
        ] {
            let full = super::super::decode_document(text, "").unwrap().unwrap();
            let full = cut(&full, Pick::Map(everything));
            let skimmed = skim_document(text, Pick::Map(everything)).unwrap().unwrap();
            assert_eq!(skimmed, full, "{text}");
        }
    }

    #[test]
    fn keeps_only_what_is_picked() {
        let got = skim_document("b: 2\na: [1, 2]\nc: x\n", Pick::Map(only_a));
        let mut want = BTreeMap::new();
        want.insert("a".to_string(), Yaml::Seq(Vec::new()));
        assert_eq!(got, Some(Some(Yaml::Map(want))));
    }

    #[test]
    fn gives_up_where_the_full_path_decides() {
        for text in [
            "a: &x 1\nb: *x\n",
            "x: {a: 1, b\n : 2}\n",
            "x: {'a': 1, 'b': 2\n  , c\n : 3}\n",
            "a: !!str 1\n",
            "<<: {a: 1}\n",
            "1: a\n",
            "~: a\n",
            "[a]: b\n",
            "b: .inf\n",
            "- a\n",
            "plain",
            "a: b: c\n",
            "a: \"x\\/y\"\n",
            "\u{feff}a: 1\n",
            "\ta: 1\n",
        ] {
            assert_eq!(skim_document(text, Pick::Map(only_a)), None, "{text:?}");
        }
        // Keys too long to be go-yaml's simple keys, refused by the event source.
        let long = "k".repeat(1100);
        for text in [format!("{long}: 1\n"), format!("a: {{{long}: 1}}\n")] {
            assert_eq!(skim_document(&text, Pick::Map(only_a)), None, "{text:?}");
            assert!(super::super::decode_document(&text, "").is_err());
        }
    }

    #[test]
    fn empty_stream_has_no_document() {
        assert_eq!(skim_document("", Pick::Shape), Some(None));
        assert_eq!(skim_document("# only a comment\n", Pick::Shape), Some(None));
    }
}

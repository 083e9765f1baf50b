//! Decoding only the chosen parts of a plain document, straight from the parser's events.
//!
//! [`super::decode_document`] builds a node tree and a decoded tree of the whole document, and then
//! drops both: costly when a caller wants three fields of every rendered manifest (Helm's sorter reads
//! `apiVersion`, `kind` and `metadata.name`/`annotations` of each). [`skim_document`] reads the same
//! events but keeps only what a [`Pick`] selects; everything else is checked and skipped. With
//! [`Pick::All`] it keeps the whole document: [`super::parse_value`] decodes plain values files that
//! way ([`skim_plain_document`]), without a node tree.
//!
//! [`skim_document`] reads a text the simple reader ([`super::simple`]) vouches for in one pass: the
//! reader hands each event, its scalar text borrowed from the input, to a [`PushSkim`] as it reads,
//! which keeps the picked parts as they come; a skipped key or value costs no allocation. (It was
//! half of `rudder template`'s instructions on 4,000 small templates when the events were first
//! listed, then skimmed.) Other texts go through yaml-rust2's parser and the pull skim ([`Skim`]).
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
use super::events::{Events, Mark, RawKeyRules};
use super::resolve::{resolve_plain, Resolved};
use super::simple::{raw_events, Raw, RawSink};

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
    let keys = RawKeyRules::new(text);
    // A `:` where go-yaml's flow context wants a node (`[b, "c": :x]`) is its parser's error,
    // which only the full path finds (`go_scan`).
    if keys.in_flow() && super::go_scan::has_lone_flow_colon(text) {
        return None;
    }
    match skim_simple(text, keys, pick) {
        Read::Kept(root) => Some(root),
        Read::GaveUp => None,
        Read::Unread if super::load::parses_as_is(text) => skim_events(Events::parser(text), pick),
        Read::Unread => None,
    }
}

/// What [`skim_simple`] made of a text.
enum Read {
    /// The simple reader read it whole, and these are the kept parts (`None`: no document).
    Kept(Option<Yaml>),
    /// The simple reader read it, but the skim gives up on it (see the module doc).
    GaveUp,
    /// The simple reader cannot vouch for it.
    Unread,
}

/// The skim over the simple reader's events taken as they are read ([`super::simple::raw_events`]):
/// one pass over the text that checks it and keeps the picked parts, allocating only for those.
fn skim_simple<'a>(text: &'a str, keys: RawKeyRules<'a>, pick: Pick) -> Read {
    let mut skim = PushSkim {
        keys,
        pick,
        state: State::BeforeDocument,
        stack: Vec::new(),
    };
    if raw_events(text, &mut skim).is_none() {
        return Read::Unread;
    }
    match skim.state {
        State::Done(root) => Read::Kept(root),
        _ => Read::GaveUp,
    }
}

/// Where a [`PushSkim`] is.
enum State {
    BeforeDocument,
    BeforeRoot,
    InRoot,
    /// The kept parts (`None`: no document); later events are not looked at.
    Done(Option<Yaml>),
    GaveUp,
}

/// A collection open in a [`PushSkim`], with what it keeps.
enum Frame {
    Map {
        pick: Option<Pick>,
        kept: BTreeMap<String, Yaml>,
        /// The key whose value comes next (kept with its pick when the pick keeps it), `None`
        /// when a key comes next.
        key: Option<(String, Option<Pick>)>,
    },
    Seq {
        /// Whether the items are kept ([`Pick::All`]).
        keep: bool,
        items: Vec<Yaml>,
    },
}

/// [`Skim`] as a receiver of events (the same checks, the same kept parts).
struct PushSkim<'t> {
    keys: RawKeyRules<'t>,
    pick: Pick,
    state: State,
    stack: Vec<Frame>,
}

impl<'t> RawSink<'t> for PushSkim<'t> {
    fn event(&mut self, event: Raw<'t>, mark: Mark) {
        if matches!(self.state, State::Done(_) | State::GaveUp) {
            return;
        }
        if !self.keys.allows(&event, &mark) || self.take(event).is_none() {
            self.state = State::GaveUp;
        }
    }
}

impl PushSkim<'_> {
    /// Takes the next event; `None` to give up.
    fn take(&mut self, event: Raw<'_>) -> Option<()> {
        match self.state {
            State::BeforeDocument => {
                match event {
                    Raw::StreamStart => {}
                    Raw::StreamEnd => self.state = State::Done(None),
                    Raw::DocumentStart => self.state = State::BeforeRoot,
                    _ => return None,
                }
                return Some(());
            }
            State::BeforeRoot => {
                if event != Raw::MappingStart {
                    return None;
                }
                self.state = State::InRoot;
            }
            _ => {}
        }
        // The pick of the node this event starts, as `Skim::node` hands it down.
        let pick = match self.stack.last_mut() {
            None => Some(self.pick),
            Some(Frame::Seq { keep, .. }) => keep.then_some(Pick::All),
            Some(Frame::Map {
                key: Some((_, child)),
                ..
            }) => *child,
            Some(Frame::Map { pick, key, .. }) => {
                // A key, or the end of the mapping.
                let Raw::Scalar(text, style) = event else {
                    return match event {
                        Raw::MappingEnd => self.close(),
                        _ => None,
                    };
                };
                plain_string_key(&text, style)?;
                let child = match pick {
                    Some(Pick::Map(pick_key)) => pick_key(&text),
                    Some(Pick::All) => Some(Pick::All),
                    _ => None,
                };
                let text = if child.is_some() {
                    text.into_owned()
                } else {
                    String::new()
                };
                *key = Some((text, child));
                return Some(());
            }
        };
        match event {
            Raw::Scalar(text, style) => {
                let value = match pick {
                    Some(_) => {
                        let resolved = resolve_untagged(&text, style);
                        if matches!(resolved, Resolved::Float(f) if !f.is_finite()) {
                            return None;
                        }
                        resolved_to_yaml(text.into_owned(), resolved)
                    }
                    None => {
                        if may_be_non_finite(&text, style) {
                            return None;
                        }
                        Yaml::Null
                    }
                };
                self.place(value);
            }
            Raw::MappingStart => {
                if self.stack.len() >= MAX_DEPTH {
                    return None;
                }
                self.stack.push(Frame::Map {
                    pick,
                    kept: BTreeMap::new(),
                    key: None,
                })
            }
            Raw::SequenceStart => {
                if self.stack.len() >= MAX_DEPTH {
                    return None;
                }
                self.stack.push(Frame::Seq {
                    keep: matches!(pick, Some(Pick::All)),
                    items: Vec::new(),
                })
            }
            Raw::SequenceEnd => return self.close(),
            _ => return None,
        }
        Some(())
    }

    /// Closes the innermost collection (at its end event).
    fn close(&mut self) -> Option<()> {
        let frame = self.stack.pop()?;
        // Its own pick, as its parent handed it down.
        let kept = match self.stack.last() {
            None => true,
            Some(Frame::Seq { keep, .. }) => *keep,
            Some(Frame::Map { key, .. }) => key.as_ref().is_some_and(|(_, child)| child.is_some()),
        };
        let value = match frame {
            _ if !kept => Yaml::Null,
            Frame::Map {
                kept, key: None, ..
            } => Yaml::Map(kept),
            Frame::Seq { items, .. } => Yaml::Seq(items),
            Frame::Map { key: Some(_), .. } => return None,
        };
        self.place(value);
        Some(())
    }

    /// Puts a finished node where it belongs.
    fn place(&mut self, value: Yaml) {
        match self.stack.last_mut() {
            None => self.state = State::Done(Some(value)),
            Some(Frame::Seq { keep, items }) => {
                if *keep {
                    items.push(value);
                }
            }
            Some(Frame::Map { kept, key, .. }) => {
                if let Some((key, Some(_))) = key.take() {
                    kept.insert(key, value);
                }
            }
        }
    }
}

/// Whether a skipped scalar could resolve to a float the JSON round trip refuses (`.inf`, `.nan`):
/// only a plain one starting like a number.
fn may_be_non_finite(text: &str, style: TScalarStyle) -> bool {
    style == TScalarStyle::Plain
        && matches!(
            text.as_bytes().first(),
            Some(b'.' | b'+' | b'-' | b'0'..=b'9')
        )
        && matches!(resolve_plain(text), Resolved::Float(f) if !f.is_finite())
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
    plain_string_key(&key, style)?;
    Some(key)
}

/// [`string_key`] without taking the key.
fn plain_string_key(key: &str, style: TScalarStyle) -> Option<()> {
    if style != TScalarStyle::Plain {
        return Some(());
    }
    // A plain scalar starting with a letter that starts none of YAML 1.1's null and boolean words
    // is a string (a number, `.inf`, `<<`, `~` start otherwise): most keys.
    if key
        .as_bytes()
        .first()
        .is_some_and(|b| b.is_ascii_alphabetic() && !b"nNyYtTfFoO".contains(b))
    {
        return Some(());
    }
    match resolve_plain(key) {
        Resolved::Str | Resolved::Timestamp => Some(()),
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

    fn head(key: &str) -> Option<Pick> {
        match key {
            "kind" | "apiVersion" => Some(Pick::Shape),
            "metadata" => Some(Pick::Map(|k| match k {
                "name" => Some(Pick::Shape),
                "annotations" => Some(Pick::Map(|_| Some(Pick::Shape))),
                _ => None,
            })),
            _ => None,
        }
    }

    /// The one-pass skim over the simple reader's events as they are read gives what the skim over
    /// the same reader's list of events gives, on every text and document of the repository and on
    /// mutations of them (lines dropped, re-indented, cut, characters inserted), for each kind of
    /// pick.
    #[test]
    fn one_pass_agrees_with_the_skim_of_listed_events() {
        let mut texts = Vec::new();
        for (_, text) in crate::test_corpus::texts() {
            texts.extend(crate::release::manifest::split_manifests(&text));
            texts.push(text);
        }
        let mut random = crate::test_corpus::seeded_picker(0x2545_F491_4F6C_DD1D);
        let mut mutations = Vec::new();
        for text in texts.iter().filter(|t| t.len() < 4000) {
            let lines: Vec<&str> = text.lines().collect();
            if lines.is_empty() {
                continue;
            }
            for _ in 0..4 {
                let mut copy: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
                let at = random(copy.len());
                match random(5) {
                    0 => {
                        copy.remove(at);
                    }
                    1 => copy[at] = format!(" {}", copy[at]),
                    2 => copy[at] = copy[at].trim_start().to_string(),
                    _ => {
                        let insert = [": ", "- ", "'", "{", "[a, ", "|", ".inf", "1: "][random(8)];
                        let line = &copy[at];
                        let mut pos = random(line.len() + 1);
                        while !line.is_char_boundary(pos) {
                            pos -= 1;
                        }
                        copy[at] = format!("{}{insert}{}", &line[..pos], &line[pos..]);
                    }
                }
                mutations.push(copy.join("\n") + if random(2) == 0 { "\n" } else { "" });
            }
        }
        texts.extend(mutations);
        let (mut kept, mut gave_up) = (0, 0);
        for text in &texts {
            for pick in [Pick::Map(head), Pick::All, Pick::Shape, Pick::Map(only_a)] {
                let listed = Events::simple(text).map(|events| skim_events(events, pick));
                match (skim_simple(text, RawKeyRules::new(text), pick), listed) {
                    (Read::Unread, None) => {}
                    (Read::Kept(root), Some(Some(want))) => {
                        kept += 1;
                        assert_eq!(root, want, "{text:?}");
                    }
                    (Read::GaveUp, Some(None)) => gave_up += 1,
                    (one_pass, listed) => panic!(
                        "one pass {}, listed {listed:?}: {text:?}",
                        match one_pass {
                            Read::Kept(_) => "kept",
                            Read::GaveUp => "gave up",
                            Read::Unread => "unread",
                        }
                    ),
                }
            }
        }
        assert!(
            kept > 4_000 && gave_up > 100,
            "{kept} kept, {gave_up} given up"
        );
    }

    /// The shortcut for keys starting with a letter decides as YAML 1.1's resolution does.
    #[test]
    fn string_keys_as_resolved() {
        for key in [
            "kind",
            "apiVersion",
            "x",
            "n",
            "no",
            "No",
            "y",
            "Yes",
            "on",
            "Off",
            "true",
            "False",
            "null",
            "NULL",
            "name",
            "of",
            "nope",
            "tru",
            "~",
            "<<",
            ".inf",
            ".x",
            "1",
            "-1",
            "+1",
            "0x1f",
            "2001-12-14",
            "1e3",
            "_a",
            "Z9",
        ] {
            let want = matches!(resolve_plain(key), Resolved::Str | Resolved::Timestamp);
            assert_eq!(
                plain_string_key(key, TScalarStyle::Plain).is_some(),
                want,
                "{key}"
            );
        }
    }

    #[test]
    fn empty_stream_has_no_document() {
        assert_eq!(skim_document("", Pick::Shape), Some(None));
        assert_eq!(skim_document("# only a comment\n", Pick::Shape), Some(None));
    }
}

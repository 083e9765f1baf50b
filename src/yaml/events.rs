//! Where the YAML events of a text come from: [`super::simple`] when it can vouch for the text, else
//! yaml-rust2's parser. Readers of events ([`super::load`], [`super::skim`]) see one stream either
//! way: the same events with the same positions (a test in `simple` holds the two to that).
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, ScanError};

/// A position in the text, as yaml-rust2 counts: `index` in characters from the start, `line`
/// 1-based, `col` 0-based (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    pub index: usize,
    pub line: usize,
    pub col: usize,
}

impl From<&Marker> for Mark {
    fn from(m: &Marker) -> Mark {
        Mark {
            index: m.index(),
            line: m.line(),
            col: m.col(),
        }
    }
}

/// A parse error: yaml-rust2's text and where it stopped.
#[derive(Clone, Debug)]
pub struct EventError {
    pub info: String,
    pub mark: Mark,
}

impl EventError {
    pub fn new(mark: Mark, info: &str) -> EventError {
        EventError {
            info: info.to_string(),
            mark,
        }
    }
}

impl From<ScanError> for EventError {
    fn from(e: ScanError) -> EventError {
        EventError {
            info: e.info().to_string(),
            mark: Mark::from(e.marker()),
        }
    }
}

/// The events of one text, in order.
pub enum Events<'a> {
    /// Read ahead by [`super::simple`]; never an error.
    Simple(std::vec::IntoIter<(Event, Mark)>),
    Parser(Box<Parser<std::str::Chars<'a>>>),
}

impl<'a> Events<'a> {
    /// The events of `text`.
    pub fn of(text: &'a str) -> Events<'a> {
        Events::simple(text).unwrap_or_else(|| Events::parser(text))
    }

    /// The events of `text` as [`super::simple`] reads them, if it can.
    pub fn simple(text: &str) -> Option<Events<'a>> {
        super::simple::simple_events(text).map(|events| Events::Simple(events.into_iter()))
    }

    /// The events of `text` as yaml-rust2's parser reads them.
    pub fn parser(text: &'a str) -> Events<'a> {
        Events::Parser(Box::new(Parser::new_from_str(text)))
    }

    /// The next event; after the last (`StreamEnd`) the simple reader answers `StreamEnd` again.
    pub fn next_event(&mut self) -> Result<(Event, Mark), EventError> {
        match self {
            Events::Simple(events) => Ok(events.next().unwrap_or((
                Event::StreamEnd,
                Mark {
                    index: 0,
                    line: 1,
                    col: 0,
                },
            ))),
            Events::Parser(parser) => parser
                .next_token()
                .map(|(event, mark)| (event, Mark::from(&mark)))
                .map_err(EventError::from),
        }
    }
}

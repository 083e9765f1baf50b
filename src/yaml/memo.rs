//! A per-thread memo of parsed YAML text, for `fromYaml`.
//!
//! Charts often compute a merged configuration once as YAML (`include "x.config" . | fromYaml`) and parse
//! the same text again in every template that needs it. Parsing is a pure function of the text, so the
//! result is kept and later calls get a deep copy of it (a fresh tree of maps: templates may `set` into
//! what `fromYaml` returned, and that must never reach the memo or another caller).
use crate::fasthash::FastHashMap;
use std::cell::RefCell;

use super::Error;
use crate::template::value::Value;

/// Texts longer than this are parsed every time (a copy of a huge tree is no longer cheap).
const MAX_TEXT_BYTES: usize = 64 << 10;

/// The memo is cleared when it holds this many texts, which bounds its memory.
const MAX_ENTRIES: usize = 1024;

thread_local! {
    static MEMO: RefCell<FastHashMap<Box<str>, Value>> = RefCell::new(FastHashMap::default());
}

/// [`super::parse_value`] of an unnamed text, memoized per thread. Errors are not memoized.
pub fn parse_value(text: &str) -> Result<Value, Error> {
    if text.len() > MAX_TEXT_BYTES {
        return super::parse_value(text, "");
    }
    if let Some(hit) = MEMO.with(|memo| memo.borrow().get(text).map(Value::deep_copy)) {
        return Ok(hit);
    }
    let parsed = super::parse_value(text, "")?;
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        if memo.len() >= MAX_ENTRIES {
            memo.clear();
        }
        memo.insert(Box::from(text), parsed.deep_copy());
    });
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::value::Map;

    fn map(v: &Value) -> &Map {
        match v {
            Value::Map(m) => m,
            _ => panic!("not a map"),
        }
    }

    #[test]
    fn callers_get_independent_copies() {
        let text = "a:\n  b: 1\n";
        let first = parse_value(text).unwrap();
        let inner = map(&first).get("a").unwrap();
        map(&inner).insert(
            crate::template::value::Str::from("changed"),
            Value::Bool(true),
        );
        let second = parse_value(text).unwrap();
        let inner = map(&second).get("a").unwrap();
        assert!(map(&inner).get("changed").is_none());
        assert!(map(&inner).get("b").is_some());
    }

    #[test]
    fn errors_are_reported_every_time() {
        assert!(parse_value("a: [").is_err());
        assert!(parse_value("a: [").is_err());
    }
}

//! `.Files`: the chart's non-template files. Mirrors `engine.files` of Helm v3.17.3
//! (`pkg/engine/files.go`), a `map[string][]byte` with the methods `Get`, `GetBytes`, `Glob`,
//! `AsConfig`, `AsSecrets` and `Lines`.
use std::any::Any;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use base64::Engine as _;

use super::backend;
use super::glob::Glob;
use crate::template::{GoType, List, Map, MapEntries, MapKind, Object, Signature, Str, Value};

/// The files of one chart, by slash-separated path. The bytes are the chart's own (shared with
/// [`crate::chart::File`]), never copied for rendering.
#[derive(Debug, Clone, Default)]
pub struct Files {
    entries: Rc<BTreeMap<String, Arc<[u8]>>>,
    /// The last file `Get` gave, by name: templates get the same file twice in a row
    /// (`.Files.Get x | sha256sum` for a checksum, then `.Files.Get x | b64enc`), and storing a
    /// binary file as a Go string costs a pass over it. One entry, so nothing more is held.
    last_get: Rc<RefCell<Option<(String, Str)>>>,
}

const ONE_STRING: &[GoType] = &[GoType::String];
const NO_PARAMS: &[GoType] = &[];

impl Files {
    pub fn new(files: impl IntoIterator<Item = (String, Arc<[u8]>)>) -> Files {
        Files {
            entries: Rc::new(files.into_iter().collect()),
            last_get: Rc::default(),
        }
    }

    /// The value templates see as `.Files`.
    pub fn to_value(&self) -> Value {
        Value::Object(Rc::new(self.clone()))
    }

    fn get(&self, name: &str) -> Option<&Arc<[u8]>> {
        self.entries.get(name)
    }

    /// `Glob`: the files whose path matches `pattern` (everything when it does not compile).
    pub fn glob(&self, pattern: &str) -> Files {
        let glob = Glob::compile(pattern).unwrap_or_else(Glob::everything);
        Files {
            entries: Rc::new(
                self.entries
                    .iter()
                    .filter(|(name, _)| glob.matches(name))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            ),
            last_get: Rc::default(),
        }
    }

    /// `AsConfig`/`AsSecrets`: a YAML map of base names to contents (or base64 contents).
    fn as_yaml_map(&self, encode: impl Fn(&[u8]) -> String) -> String {
        if self.entries.is_empty() {
            // Helm's `AsConfig` returns "" only for a nil map, which `.Files` and `Glob` never are.
            return "{}".to_string();
        }
        let entries: MapEntries = self
            .entries
            .iter()
            .map(|(name, data)| {
                let base = name.rsplit('/').next().unwrap_or(name);
                (Rc::from(base), Value::string(encode(data)))
            })
            .collect();
        let text = backend::to_yaml(&Value::Map(Map::with_kind(MapKind::StringString, entries)));
        // Helm's toYAML trims the trailing newline.
        text.strip_suffix('\n').unwrap_or(&text).to_string()
    }

    /// `Get`: a file as a Go string (empty when absent).
    fn string(&self, name: &str) -> Value {
        let Some(data) = self.get(name) else {
            return Value::str("");
        };
        let mut last = self.last_get.borrow_mut();
        if let Some((last_name, text)) = last.as_ref() {
            if last_name == name {
                return Value::String(text.clone());
            }
        }
        // `from_bytes` gives the stored form already: no `Value::string` re-check.
        let text: Str = Rc::from(crate::template::gostr::from_bytes(data));
        crate::template::gostr::remember_bytes(&text, data);
        *last = Some((name.to_string(), text.clone()));
        Value::String(text)
    }

    /// A file as a `[]byte` value (empty when absent, Go's zero slice).
    fn bytes(&self, name: &str) -> Value {
        Value::Bytes(Rc::from(self.get(name).map_or(&[][..], |d| &d[..])))
    }

    /// `Lines`: the file split on `\n`, without a final empty line; `[]` when absent.
    fn lines(&self, name: &str) -> Vec<String> {
        let Some(data) = self.get(name) else {
            return Vec::new();
        };
        let text = crate::template::gostr::from_bytes(data);
        let text = text.strip_suffix('\n').unwrap_or(&text);
        text.split('\n').map(str::to_string).collect()
    }
}

impl Object for Files {
    fn type_name(&self) -> &str {
        "engine.files"
    }
    fn kind_name(&self) -> &str {
        "map"
    }
    /// `engine.files` is a `map[string][]byte`: a name that is not a method indexes the map, and a
    /// missing file is the zero `[]byte` (`{{ .Files.Nope }}` prints `[]`).
    fn field(&self, name: &str) -> Option<Value> {
        Some(self.bytes(name))
    }
    fn method(&self, name: &str) -> Option<Signature> {
        match name {
            "Get" | "GetBytes" | "Glob" | "Lines" => Some(Signature::fixed(ONE_STRING)),
            "AsConfig" | "AsSecrets" => Some(Signature::fixed(NO_PARAMS)),
            _ => None,
        }
    }
    fn call_method(&self, name: &str, args: Vec<Value>) -> Result<Value, String> {
        let arg = args.first().and_then(Value::as_str).unwrap_or_default();
        Ok(match name {
            "Get" => self.string(arg),
            "GetBytes" => self.bytes(arg),
            "Glob" => Value::Object(Rc::new(self.glob(arg))),
            "Lines" => Value::List(List::typed(
                GoType::String,
                self.lines(arg).into_iter().map(Value::string).collect(),
            )),
            "AsConfig" => Value::string(
                self.as_yaml_map(|d| crate::template::gostr::from_bytes(d).into_owned()),
            ),
            "AsSecrets" => Value::string(
                self.as_yaml_map(|d| base64::engine::general_purpose::STANDARD.encode(d)),
            ),
            _ => return Err(format!("can't evaluate field {name} in type engine.files")),
        })
    }
    fn format_v(&self) -> String {
        let parts: Vec<String> = self
            .entries
            .iter()
            .map(|(name, data)| {
                let bytes: Vec<String> = data.iter().map(u8::to_string).collect();
                format!("{name}:[{}]", bytes.join(" "))
            })
            .collect();
        format!("map[{}]", parts.join(" "))
    }
    fn truthy(&self) -> bool {
        !self.entries.is_empty()
    }
    fn map_entries(&self) -> Option<Vec<(crate::template::Str, Value)>> {
        Some(
            self.entries
                .iter()
                .map(|(name, data)| (Rc::from(name.as_str()), Value::Bytes(Rc::from(&data[..]))))
                .collect(),
        )
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Files {
        Files::new(vec![
            ("files/sub/a.txt".to_string(), Arc::from(&b"hi\n"[..])),
            ("files/b.conf".to_string(), Arc::from(&b"yo\n"[..])),
            ("l.txt".to_string(), Arc::from(&b"l1\nl2\n"[..])),
        ])
    }

    #[test]
    fn get_gives_each_file_however_gets_alternate() {
        let files = Files::new(vec![
            ("a.bin".to_string(), Arc::from(&b"\x1f\x8b\xff"[..])),
            ("b.txt".to_string(), Arc::from(&b"text"[..])),
        ]);
        let bytes = |v: Value| {
            crate::template::gostr::to_bytes(v.as_str().unwrap_or_default()).into_owned()
        };
        for name in ["a.bin", "a.bin", "b.txt", "a.bin", "nope", "b.txt"] {
            let got = bytes(files.call_method("Get", vec![Value::str(name)]).unwrap());
            let want = files.get(name).map_or(Vec::new(), |d| d.to_vec());
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn prints_as_go_map_of_bytes() {
        assert_eq!(
            files().glob("files/*").format_v(),
            "map[files/b.conf:[121 111 10]]"
        );
    }

    #[test]
    fn lines_drop_the_final_newline() {
        assert_eq!(files().lines("l.txt"), vec!["l1", "l2"]);
        assert!(files().lines("nope").is_empty());
    }

    #[test]
    fn get_missing_is_empty() {
        let v = files()
            .call_method("Get", vec![Value::str("nope")])
            .unwrap();
        assert_eq!(v.as_str(), Some(""));
    }
}

//! The value flags of `helm template/install/upgrade` and how they combine (`pkg/cli/values/options.go`
//! in Helm v3): `-f` files in order (`-` reads stdin), deep-merged; then, in this fixed order whatever
//! the command line's order, every `--set-json`, `--set`, `--set-string`, `--set-file` and
//! `--set-literal`. The result is the user's "config", later coalesced over chart defaults.
//!
//! `-f` and `--set-file` arguments that are http(s) URLs are fetched ([`super::getter`]), as Helm's
//! getters do; anything else is a local path.
use std::io::Read;

use crate::template::{Map, MapEntries, Value};

use super::strvals::{self, ValueReader};
use super::yaml_input;
use super::Error;

/// The value flags as given on the command line. Mirrors `values.Options`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValueOptions {
    /// `-f/--values`, in order.
    pub value_files: Vec<String>,
    /// `--set-string`.
    pub string_values: Vec<String>,
    /// `--set`.
    pub values: Vec<String>,
    /// `--set-file`.
    pub file_values: Vec<String>,
    /// `--set-json`.
    pub json_values: Vec<String>,
    /// `--set-literal`.
    pub literal_values: Vec<String>,
}

impl ValueOptions {
    /// Reads and merges every value source, in Helm's fixed order. `stdin` serves `-f -`.
    pub fn merge_values(&self, stdin: &mut dyn Read) -> Result<Value, Error> {
        let mut base = Map::new(MapEntries::new());
        for path in &self.value_files {
            let raw = read_file(path, stdin)?;
            let current = crate::yaml::input::decode(&raw)
                .map_err(|e| e.to_string())
                .and_then(|text| yaml_input::parse_values(&text))
                .map_err(|message| Error::ValuesFile {
                    path: path.clone(),
                    message,
                })?;
            if let Value::Map(current) = current {
                base = merge_maps(&base, &current);
            }
        }
        for line in &self.json_values {
            strvals::parse_into(line, &base, ValueReader::Json).map_err(|_| Error::SetJson {
                value: line.clone(),
            })?;
        }
        for line in &self.values {
            strvals::parse_into(line, &base, ValueReader::Typed).map_err(|message| {
                Error::SetFlag {
                    flag: "--set",
                    message,
                }
            })?;
        }
        for line in &self.string_values {
            strvals::parse_into(line, &base, ValueReader::String).map_err(|message| {
                Error::SetFlag {
                    flag: "--set-string",
                    message,
                }
            })?;
        }
        for line in &self.file_values {
            let mut reader = |path: &str| -> Result<Value, String> {
                let bytes = read_file(path, stdin).map_err(|e| e.to_string())?;
                Ok(Value::string(crate::template::gostr::from_vec(bytes)))
            };
            strvals::parse_into(line, &base, ValueReader::File(&mut reader)).map_err(
                |message| Error::SetFlag {
                    flag: "--set-file",
                    message,
                },
            )?;
        }
        for line in &self.literal_values {
            strvals::parse_literal_into(line, &base).map_err(|message| Error::SetFlag {
                flag: "--set-literal",
                message,
            })?;
        }
        Ok(Value::Map(base))
    }
}

/// Helm's `mergeMaps`: a new map with `b` deep-merged over `a` (maps merge, anything else replaces).
fn merge_maps(a: &Map, b: &Map) -> Map {
    let out = Map::new(a.borrow().clone());
    for (k, v) in b.entries() {
        if let Value::Map(bv) = &v {
            if let Some(Value::Map(av)) = out.get(&k) {
                out.insert(k, Value::Map(merge_maps(&av, bv)));
                continue;
            }
        }
        out.insert(k, v);
    }
    out
}

/// Reads a values file (or stdin for `-`), with Go's `os.ReadFile` error texts.
fn read_file(path: &str, stdin: &mut dyn Read) -> Result<Vec<u8>, Error> {
    if path.trim() == "-" {
        let mut buf = Vec::new();
        stdin
            .read_to_end(&mut buf)
            .map_err(|e| Error::Read(format!("read /dev/stdin: {e}")))?;
        return Ok(buf);
    }
    if super::getter::is_url(path) {
        return super::getter::fetch(path).map_err(Error::Read);
    }
    std::fs::read(path).map_err(|e| Error::Read(go_open_error(path, &e)))
}

/// Go's `*PathError` text for a failed open or read (reading a directory fails at `read`).
pub fn go_open_error(path: &str, e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::IsADirectory || std::path::Path::new(path).is_dir() {
        format!("read {path}: is a directory")
    } else {
        crate::go_os::path_error("open", std::path::Path::new(path), e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::fmt::format_v;

    #[test]
    fn fixed_order_whatever_the_command_line() {
        let opts = ValueOptions {
            values: vec!["a=set".into(), "n=1".into()],
            string_values: vec!["a=string".into()],
            json_values: vec!["a=\"json\"".into(), "j={\"k\":[1]}".into()],
            literal_values: vec!["l=x,y=z".into()],
            ..Default::default()
        };
        let v = opts.merge_values(&mut std::io::empty()).unwrap();
        assert_eq!(format_v(&v), "map[a:string j:map[k:[1]] l:x,y=z n:1]");
    }

    #[test]
    fn stdin_and_file_errors() {
        let opts = ValueOptions {
            value_files: vec!["-".into()],
            ..Default::default()
        };
        let v = opts.merge_values(&mut "a:\n  b: 1\n".as_bytes()).unwrap();
        assert_eq!(format_v(&v), "map[a:map[b:1]]");
        let opts = ValueOptions {
            value_files: vec!["/nonexistent/x.yaml".into()],
            ..Default::default()
        };
        assert_eq!(
            opts.merge_values(&mut std::io::empty())
                .unwrap_err()
                .to_string(),
            "open /nonexistent/x.yaml: no such file or directory"
        );
    }

    #[test]
    fn set_errors_are_wrapped() {
        let opts = ValueOptions {
            values: vec!["a".into()],
            ..Default::default()
        };
        assert_eq!(
            opts.merge_values(&mut std::io::empty())
                .unwrap_err()
                .to_string(),
            "failed parsing --set data: key \"a\" has no value"
        );
    }
}

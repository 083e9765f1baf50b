//! Go's `encoding/json` output for data already in key order (struct fields as Go declares them, as
//! serde writes Rust structs that mirror them): `<`, `>`, `&` escaped, compact or indented by two
//! spaces. Maps that Go sorts must be sorted by the caller (a `BTreeMap`).
use serde_json::Value as J;

/// `json.Marshal(v)`.
pub fn compact(v: &J) -> String {
    let mut out = String::new();
    write(&mut out, v, None, 0);
    out
}

/// `json.MarshalIndent(v, "", "  ")`.
pub fn indented(v: &J) -> String {
    let mut out = String::new();
    write(&mut out, v, Some("  "), 0);
    out
}

fn newline(out: &mut String, indent: Option<&str>, depth: usize) {
    if let Some(unit) = indent {
        out.push('\n');
        out.push_str(&unit.repeat(depth));
    }
}

fn write(out: &mut String, v: &J, indent: Option<&str>, depth: usize) {
    match v {
        J::Null => out.push_str("null"),
        J::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        J::Number(n) => out.push_str(&n.to_string()),
        J::String(s) => crate::yaml::json::write_string(out, s, true),
        J::Array(items) if items.is_empty() => out.push_str("[]"),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push(']');
        }
        J::Object(map) if map.is_empty() => out.push_str("{}"),
        J::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, depth + 1);
                crate::yaml::json::write_string(out, key, true);
                out.push(':');
                if indent.is_some() {
                    out.push(' ');
                }
                write(out, item, indent, depth + 1);
            }
            newline(out, indent, depth);
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_escapes() {
        let v = serde_json::json!({"b": ">1", "a": [1, true]});
        assert_eq!(super::compact(&v), r#"{"b":"\u003e1","a":[1,true]}"#);
        assert_eq!(
            super::indented(&v),
            "{\n  \"b\": \"\\u003e1\",\n  \"a\": [\n    1,\n    true\n  ]\n}"
        );
    }
}

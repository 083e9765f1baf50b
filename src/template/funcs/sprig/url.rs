//! Sprig's URL functions: `urlParse` (a URL string to a dict of its parts) and `urlJoin` (back).
//!
//! Both are Go's `net/url` (go1.23, the Go of Helm 3.17.3) as `crate::go_net` has it: `url.Parse`
//! with its error texts (`parse "…": missing protocol scheme`), percent-decoding of the path,
//! fragment and userinfo, and `URL.String()` with Go's escaping per URL part. Go strings are
//! bytes: the template's string goes in as its Go bytes and the parts come out as Go bytes.
use crate::go_net::{parse_bytes, GoUrl, Url};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
use crate::template::gostr;
use crate::template::types::{GoType, Signature};
use crate::template::value::{MapEntries, Value};

/// The functions of this theme.
pub const FUNCS: &[FuncDef] = &[
    FuncDef {
        name: "urlParse",
        sig: Signature::fixed(&[GoType::String]),
        imp: url_parse,
    },
    FuncDef {
        name: "urlJoin",
        sig: Signature::fixed(&[GoType::MapStringInterface]),
        imp: url_join,
    },
];

/// `urlParse "…"`: a dict with `scheme host hostname path query opaque fragment userinfo`. A parse
/// failure is a panic in Sprig, reported as `unable to parse url: …`.
fn url_parse(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let raw = args.first().and_then(Value::as_str).unwrap_or("");
    let url = parse(&gostr::to_bytes(raw))
        .map_err(|e| FuncError::msg(format!("unable to parse url: {e}")))?;
    let text = |b: &[u8]| Value::string(gostr::from_bytes(b).into_owned());
    let mut d = MapEntries::new();
    d.insert("scheme".into(), text(&url.scheme));
    d.insert("host".into(), text(&url.host));
    d.insert("hostname".into(), text(url.hostname()));
    d.insert("path".into(), text(&url.path));
    d.insert("query".into(), text(&url.raw_query));
    d.insert("opaque".into(), text(&url.opaque));
    d.insert("fragment".into(), text(&url.fragment));
    d.insert("userinfo".into(), text(&url.userinfo()));
    Ok(Value::map(d))
}

/// Go's `url.Parse` (go1.23).
fn parse(raw: &[u8]) -> Result<Url, String> {
    parse_bytes(raw, GoUrl::Go123)
}

/// A string entry of the `urlJoin` dict as Go bytes: empty when missing, a panic message when not
/// a string.
fn dict_string(d: &MapEntries, key: &str) -> Result<Vec<u8>, FuncError> {
    match d.get(key) {
        None => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(gostr::to_bytes(s).into_owned()),
        // Sprig calls `reflect.TypeOf(nil).Kind()`, a nil dereference.
        Some(Value::Nil) => Err(FuncError::msg(
            "runtime error: invalid memory address or nil pointer dereference",
        )),
        Some(other) => Err(FuncError::msg(format!(
            "unable to parse {key} key, must be of type string, but {} found",
            other.kind_name()
        ))),
    }
}

fn url_join(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let entries = match args.first() {
        Some(Value::Map(m)) => m.borrow().clone(),
        _ => MapEntries::new(),
    };
    let mut url = Url {
        scheme: dict_string(&entries, "scheme")?,
        host: dict_string(&entries, "host")?,
        path: dict_string(&entries, "path")?,
        raw_query: dict_string(&entries, "query")?,
        opaque: dict_string(&entries, "opaque")?,
        fragment: dict_string(&entries, "fragment")?,
        ..Url::default()
    };
    let userinfo = dict_string(&entries, "userinfo")?;
    if !userinfo.is_empty() {
        let mut probe = b"proto://".to_vec();
        probe.extend(userinfo);
        probe.extend_from_slice(b"@host");
        let parsed = parse(&probe)
            .map_err(|e| FuncError::msg(format!("unable to parse userinfo in dict: {e}")))?;
        url.user = parsed.user;
    }
    Ok(Value::string(
        gostr::from_bytes(&url.to_go_string()).into_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Url {
        parse(s.as_bytes()).unwrap()
    }

    // Expected values from helm v3.17.3 (`{{ urlParse "…" | toJson }}`, `{{ urlJoin (dict …) }}`).
    #[test]
    fn parses_like_go() {
        let u = p("https://us%40er:p%3Ass@Example.com:8080/a%20b/c?x=1&y=2#frag%21");
        assert_eq!(u.scheme, b"https");
        assert_eq!(u.host, b"Example.com:8080");
        assert_eq!(u.hostname(), b"Example.com");
        assert_eq!(u.path, b"/a b/c");
        assert_eq!(u.raw_query, b"x=1&y=2");
        assert_eq!(u.fragment, b"frag!");
        assert_eq!(u.userinfo(), b"us%40er:p%3Ass");
        assert_eq!(p("mailto:joe@x.com").opaque, b"joe@x.com");
        assert_eq!(p("http://[::1]:80/").hostname(), b"::1");
        assert_eq!(p("http://h/%ff").path, b"/\xff");
    }

    #[test]
    fn parse_errors_like_go() {
        let err = |s: &str| parse(s.as_bytes()).unwrap_err();
        assert!(
            parse("/%é".as_bytes()).is_err(),
            "a broken escape before a multi-byte character"
        );
        assert_eq!(err(":foo"), "parse \":foo\": missing protocol scheme");
        assert_eq!(p("a:b/c").opaque, b"b/c");
        assert_eq!(
            err("http://host:port/"),
            "parse \"http://host:port/\": invalid port \":port\" after host"
        );
        assert_eq!(err("/%zz"), "parse \"/%zz\": invalid URL escape \"%zz\"");
        assert_eq!(
            err("1:x"),
            "parse \"1:x\": first path segment in URL cannot contain colon"
        );
    }

    #[test]
    fn strings_like_go() {
        let u = Url {
            scheme: b"https".to_vec(),
            host: b"h".to_vec(),
            path: b"a b?/c".to_vec(),
            raw_query: b"q=1".to_vec(),
            fragment: b"f g".to_vec(),
            user: Some((b"u@".to_vec(), Some(b"p".to_vec()))),
            ..Url::default()
        };
        assert_eq!(u.to_go_string(), b"https://u%40:p@h/a%20b%3F/c?q=1#f%20g");
        let rel = Url {
            path: b"a:b".to_vec(),
            ..Url::default()
        };
        assert_eq!(rel.to_go_string(), b"./a:b");
    }

    #[test]
    fn theme_registers_two_names() {
        assert_eq!(FUNCS.len(), 2);
    }
}

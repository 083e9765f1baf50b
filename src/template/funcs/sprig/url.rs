//! Sprig's URL functions: `urlParse` (a URL string to a dict of its parts) and `urlJoin` (back).
//!
//! Both follow Go's `net/url` (go1.23, the Go of Helm 3.17.3): `url.Parse` with its error texts
//! (`parse "…": missing protocol scheme`), percent-decoding of the path, fragment and userinfo,
//! and `URL.String()` with Go's escaping per URL part. Only what Sprig exposes is modelled:
//! scheme, opaque, userinfo, host, path, raw query and fragment.
use crate::go_net::{should_escape, Mode};
use crate::template::funcs::{CallCtx, FuncDef, FuncError};
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

/// The parts of a Go `url.URL` that Sprig reads or writes.
#[derive(Debug, Default, PartialEq)]
pub struct Url {
    pub scheme: String,
    pub opaque: String,
    /// `(username, password)`; `None` when the URL has no `@`.
    pub user: Option<(String, Option<String>)>,
    pub host: String,
    pub path: String,
    pub omit_host: bool,
    pub force_query: bool,
    pub raw_query: String,
    pub fragment: String,
}

fn escape(s: &str, part: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    for &c in s.as_bytes() {
        if should_escape(c, part) {
            out.push_str(&format!("%{c:02X}"));
        } else {
            out.push(c as char);
        }
    }
    out
}

/// Go's `unescape`: percent-decoding, with the host rules (no escapes below `%08` but `%25`, and only
/// host characters).
fn unescape(s: &str, part: Mode) -> Result<String, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                if i + 2 >= b.len()
                    || !b[i + 1].is_ascii_hexdigit()
                    || !b[i + 2].is_ascii_hexdigit()
                {
                    let end = (i + 3).min(b.len());
                    let bad = String::from_utf8_lossy(&b[i..end]);
                    return Err(format!("invalid URL escape {}", go_quote(&bad)));
                }
                let hi = hex_value(b[i + 1]);
                if part == Mode::Host && hi < 8 && &s[i..i + 3] != "%25" {
                    return Err(format!("invalid URL escape {}", go_quote(&s[i..i + 3])));
                }
                out.push((hi << 4) | hex_value(b[i + 2]));
                i += 3;
            }
            c => {
                if part == Mode::Host && c < 0x80 && should_escape(c, Mode::Host) {
                    return Err(format!(
                        "invalid character {} in host name",
                        go_quote(&s[i..i + 1])
                    ));
                }
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn hex_value(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => c.to_ascii_uppercase() - b'A' + 10,
    }
}

/// Go's `%q` of a string (enough for URLs: quotes, backslashes and control characters escaped).
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\x7f' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn get_scheme(raw: &str) -> Result<(String, &str), String> {
    for (i, c) in raw.bytes().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i == 0 => return Ok((String::new(), raw)),
            b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            b':' if i == 0 => return Err("missing protocol scheme".to_string()),
            b':' => return Ok((raw[..i].to_string(), &raw[i + 1..])),
            _ => return Ok((String::new(), raw)),
        }
    }
    Ok((String::new(), raw))
}

fn valid_optional_port(port: &str) -> bool {
    match port.strip_prefix(':') {
        None => port.is_empty(),
        Some(digits) => digits.bytes().all(|b| b.is_ascii_digit()),
    }
}

fn parse_host(host: &str) -> Result<String, String> {
    if host.starts_with('[') {
        let Some(close) = host.rfind(']') else {
            return Err("missing ']' in host".to_string());
        };
        let colon_port = &host[close + 1..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", go_quote(colon_port)));
        }
        // go1.23 unescapes the zone (`%25…`) leniently; the address itself keeps host rules.
        let inner = &host[..close + 1];
        return match inner.find("%25") {
            Some(z) => Ok(unescape(&inner[..z], Mode::Host)?
                + &unescape(&inner[z..], Mode::Path)?
                + colon_port),
            None => Ok(unescape(inner, Mode::Host)? + colon_port),
        };
    }
    if let Some(i) = host.rfind(':') {
        let colon_port = &host[i..];
        if !valid_optional_port(colon_port) {
            return Err(format!("invalid port {} after host", go_quote(colon_port)));
        }
    }
    unescape(host, Mode::Host)
}

fn valid_userinfo(s: &str) -> bool {
    s.bytes().all(|c| {
        c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'.'
                    | b'_'
                    | b':'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'%'
                    | b'@'
            )
    })
}

type UserInfo = Option<(String, Option<String>)>;

fn parse_authority(authority: &str) -> Result<(UserInfo, String), String> {
    let at = authority.rfind('@');
    let host = parse_host(at.map_or(authority, |i| &authority[i + 1..]))?;
    let Some(at) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..at];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".to_string());
    }
    let user = match userinfo.split_once(':') {
        None => (unescape(userinfo, Mode::UserPassword)?, None),
        Some((name, pass)) => (
            unescape(name, Mode::UserPassword)?,
            Some(unescape(pass, Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

/// Go's `url.Parse`; the error is the full message (`parse "URL": reason`).
pub fn parse(raw: &str) -> Result<Url, String> {
    let (without_fragment, fragment) = match raw.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (raw, None),
    };
    let mut url = parse_without_fragment(without_fragment)
        .map_err(|e| format!("parse {}: {e}", go_quote(without_fragment)))?;
    if let Some(f) = fragment {
        url.fragment =
            unescape(f, Mode::Fragment).map_err(|e| format!("parse {}: {e}", go_quote(raw)))?;
    }
    Ok(url)
}

fn parse_without_fragment(raw: &str) -> Result<Url, String> {
    if raw.bytes().any(|b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_string());
    }
    let mut url = Url::default();
    if raw == "*" {
        url.path = "*".to_string();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with('?') && rest.matches('?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some((r, q)) = rest.split_once('?') {
        url.raw_query = q.to_string();
        rest = r;
    }
    if !rest.starts_with('/') {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_string();
            return Ok(url);
        }
        let segment = rest.split('/').next().unwrap_or("");
        if segment.contains(':') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with("///")) && rest.starts_with("//") {
        let authority_and_path = &rest[2..];
        let (authority, path) = match authority_and_path.find('/') {
            Some(i) => (&authority_and_path[..i], &authority_and_path[i..]),
            None => (authority_and_path, ""),
        };
        let (user, host) = parse_authority(authority)?;
        url.user = user;
        url.host = host;
        rest = path;
    } else if !url.scheme.is_empty() && rest.starts_with('/') {
        url.omit_host = true;
    }
    url.path = unescape(rest, Mode::Path)?;
    Ok(url)
}

impl Url {
    /// Go's `URL.Hostname()`: the host without a valid port and without IPv6 brackets.
    pub fn hostname(&self) -> &str {
        let mut host = self.host.as_str();
        if let Some(colon) = host.rfind(':') {
            if valid_optional_port(&host[colon..]) {
                host = &host[..colon];
            }
        }
        if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
            host = &host[1..host.len() - 1];
        }
        host
    }

    /// Go's `Userinfo.String()`.
    pub fn userinfo(&self) -> String {
        match &self.user {
            None => String::new(),
            Some((name, None)) => escape(name, Mode::UserPassword),
            Some((name, Some(pass))) => {
                format!(
                    "{}:{}",
                    escape(name, Mode::UserPassword),
                    escape(pass, Mode::UserPassword)
                )
            }
        }
    }

    /// Go's `URL.String()`.
    pub fn to_go_string(&self) -> String {
        let mut buf = String::new();
        if !self.scheme.is_empty() {
            buf.push_str(&self.scheme);
            buf.push(':');
        }
        if !self.opaque.is_empty() {
            buf.push_str(&self.opaque);
        } else {
            let has_authority =
                !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
            let host_omitted = self.omit_host && self.host.is_empty() && self.user.is_none();
            if has_authority && !host_omitted {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.push_str("//");
                }
                if self.user.is_some() {
                    buf.push_str(&self.userinfo());
                    buf.push('@');
                }
                buf.push_str(&escape(&self.host, Mode::Host));
            }
            let path = escape(&self.path, Mode::Path);
            if !path.is_empty() && !path.starts_with('/') && !self.host.is_empty() {
                buf.push('/');
            }
            if buf.is_empty() && path.split('/').next().unwrap_or("").contains(':') {
                buf.push_str("./");
            }
            buf.push_str(&path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push('?');
            buf.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push('#');
            buf.push_str(&escape(&self.fragment, Mode::Fragment));
        }
        buf
    }
}

/// `urlParse "…"`: a dict with `scheme host hostname path query opaque fragment userinfo`. A parse
/// failure is a panic in Sprig, reported as `unable to parse url: …`.
fn url_parse(_: &mut CallCtx<'_>, args: Vec<Value>) -> Result<Value, FuncError> {
    let raw = args.first().and_then(Value::as_str).unwrap_or("");
    let url = parse(raw).map_err(|e| FuncError::msg(format!("unable to parse url: {e}")))?;
    let mut d = MapEntries::new();
    d.insert("scheme".into(), Value::str(&url.scheme));
    d.insert("host".into(), Value::str(&url.host));
    d.insert("hostname".into(), Value::str(url.hostname()));
    d.insert("path".into(), Value::str(&url.path));
    d.insert("query".into(), Value::str(&url.raw_query));
    d.insert("opaque".into(), Value::str(&url.opaque));
    d.insert("fragment".into(), Value::str(&url.fragment));
    d.insert("userinfo".into(), Value::string(url.userinfo()));
    Ok(Value::map(d))
}

/// A string entry of the `urlJoin` dict: "" when missing, a panic message when not a string.
fn dict_string(d: &MapEntries, key: &str) -> Result<String, FuncError> {
    match d.get(key) {
        None => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.to_string()),
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
        let probe = format!("proto://{userinfo}@host");
        let parsed = parse(&probe)
            .map_err(|e| FuncError::msg(format!("unable to parse userinfo in dict: {e}")))?;
        url.user = parsed.user;
    }
    Ok(Value::string(url.to_go_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values from helm v3.17.3 (`{{ urlParse "…" | toJson }}`, `{{ urlJoin (dict …) }}`).
    #[test]
    fn parses_like_go() {
        let u = parse("https://us%40er:p%3Ass@Example.com:8080/a%20b/c?x=1&y=2#frag%21").unwrap();
        assert_eq!(u.scheme, "https");
        assert_eq!(u.host, "Example.com:8080");
        assert_eq!(u.hostname(), "Example.com");
        assert_eq!(u.path, "/a b/c");
        assert_eq!(u.raw_query, "x=1&y=2");
        assert_eq!(u.fragment, "frag!");
        assert_eq!(u.userinfo(), "us%40er:p%3Ass");
        assert_eq!(parse("mailto:joe@x.com").unwrap().opaque, "joe@x.com");
        assert_eq!(parse("http://[::1]:80/").unwrap().hostname(), "::1");
    }

    #[test]
    fn parse_errors_like_go() {
        assert!(
            parse("/%é").is_err(),
            "a broken escape before a multi-byte character"
        );
        assert_eq!(
            parse(":foo").unwrap_err(),
            "parse \":foo\": missing protocol scheme"
        );
        assert_eq!(parse("a:b/c").map(|u| u.opaque).unwrap(), "b/c");
        assert_eq!(
            parse("http://host:port/").unwrap_err(),
            "parse \"http://host:port/\": invalid port \":port\" after host"
        );
        assert_eq!(
            parse("/%zz").unwrap_err(),
            "parse \"/%zz\": invalid URL escape \"%zz\""
        );
        assert_eq!(
            parse("1:x").unwrap_err(),
            "parse \"1:x\": first path segment in URL cannot contain colon"
        );
    }

    #[test]
    fn strings_like_go() {
        let u = Url {
            scheme: "https".into(),
            host: "h".into(),
            path: "a b?/c".into(),
            raw_query: "q=1".into(),
            fragment: "f g".into(),
            user: Some(("u@".into(), Some("p".into()))),
            ..Url::default()
        };
        assert_eq!(u.to_go_string(), "https://u%40:p@h/a%20b%3F/c?q=1#f%20g");
        let rel = Url {
            path: "a:b".into(),
            ..Url::default()
        };
        assert_eq!(rel.to_go_string(), "./a:b");
    }

    #[test]
    fn theme_registers_two_names() {
        assert_eq!(FUNCS.len(), 2);
    }
}

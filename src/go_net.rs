//! Go's address and URL parsers as the schema libraries call them: `net/netip.ParseAddr` (and
//! `net.ParseIP`, which is `ParseAddr` without a zone) and `net/url.Parse`, with their error
//! texts. Go strings are bytes: a percent-decoded host or path may not be UTF-8, so the parts
//! are kept as bytes and quoted as `strconv.Quote` quotes bytes (`\xff`).
//!
//! `url.Parse` changed between the Go releases of our oracles (see [`GoUrl`]); both forms are
//! here, each as that Go's `net/url/url.go` has it. Sprig's `urlParse`/`urlJoin`
//! (`template::funcs::sprig::url`) are this `url.Parse` (go1.23) and `URL.String()`.

/// Which Go's `url.Parse`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GoUrl {
    /// go1.23 (helm v3.17.3, built with go1.23.7): a bracketed host is not checked beyond its
    /// port and escapes; the port starts at the last colon.
    Go123,
    /// go1.26 (helm-unittest v1.1.2, built with go1.26.8): a bracketed host must be the whole
    /// host and a valid IPv6 address (`invalid IP-literal`, `invalid host: ParseAddr(…)`), and
    /// an `http`/`https` host may hold one colon only.
    Go126,
}

/// What `netip.ParseAddr` returned: an IPv4 address or an IPv6 address (with or without zone).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Addr {
    pub is4: bool,
    pub has_zone: bool,
}

/// `netip.ParseAddr`, its error as `parseAddrError` prints it.
pub fn parse_addr(s: &[u8]) -> Result<Addr, String> {
    for &c in s {
        match c {
            b'.' => {
                return parse_ipv4(s).map(|_| Addr {
                    is4: true,
                    has_zone: false,
                })
            }
            b':' => return parse_ipv6(s),
            b'%' => return Err(addr_error(s, "missing IPv6 address", None)),
            _ => {}
        }
    }
    Err(addr_error(s, "unable to parse IP", None))
}

/// `net.ParseIP(s) != nil`: an address without a zone.
pub fn parse_ip(s: &[u8]) -> bool {
    matches!(parse_addr(s), Ok(a) if !a.has_zone)
}

fn addr_error(input: &[u8], msg: &str, at: Option<&[u8]>) -> String {
    match at {
        Some(at) if !at.is_empty() => format!(
            "ParseAddr({}): {msg} (at {})",
            quote_bytes(input),
            quote_bytes(at)
        ),
        _ => format!("ParseAddr({}): {msg}", quote_bytes(input)),
    }
}

fn parse_ipv4(s: &[u8]) -> Result<(), String> {
    parse_ipv4_fields(s, 0, s.len())
}

/// `parseIPv4Fields`: the four decimal fields of `input[off..end]` (errors name all of `input`).
fn parse_ipv4_fields(input: &[u8], off: usize, end: usize) -> Result<(), String> {
    let s = &input[off..end];
    let (mut val, mut pos, mut dig_len) = (0u32, 0, 0);
    for (i, &c) in s.iter().enumerate() {
        if c.is_ascii_digit() {
            if dig_len == 1 && val == 0 {
                return Err(addr_error(
                    input,
                    "IPv4 field has octet with leading zero",
                    None,
                ));
            }
            val = val * 10 + u32::from(c - b'0');
            dig_len += 1;
            if val > 255 {
                return Err(addr_error(input, "IPv4 field has value >255", None));
            }
        } else if c == b'.' {
            if i == 0 || i == s.len() - 1 || s[i - 1] == b'.' {
                return Err(addr_error(
                    input,
                    "IPv4 field must have at least one digit",
                    Some(&s[i..]),
                ));
            }
            if pos == 3 {
                return Err(addr_error(input, "IPv4 address too long", None));
            }
            pos += 1;
            val = 0;
            dig_len = 0;
        } else {
            return Err(addr_error(input, "unexpected character", Some(&s[i..])));
        }
    }
    if pos < 3 {
        return Err(addr_error(input, "IPv4 address too short", None));
    }
    Ok(())
}

fn parse_ipv6(input: &[u8]) -> Result<Addr, String> {
    let mut s = input;
    let mut zone: &[u8] = &[];
    if let Some(i) = input.iter().position(|&c| c == b'%') {
        (s, zone) = (&input[..i], &input[i + 1..]);
        if zone.is_empty() {
            return Err(addr_error(input, "zone must be a non-empty string", None));
        }
    }
    let v6 = Addr {
        is4: false,
        has_zone: !zone.is_empty(),
    };
    let mut ellipsis: Option<usize> = None;
    if s.starts_with(b"::") {
        ellipsis = Some(0);
        s = &s[2..];
        if s.is_empty() {
            return Ok(v6);
        }
    }
    let mut i = 0;
    while i < 16 {
        let mut off = 0;
        let mut acc = 0u32;
        while off < s.len() {
            let c = s[off];
            let Some(d) = char::from(c).to_digit(16) else {
                break;
            };
            acc = (acc << 4) + d;
            if off > 3 {
                return Err(addr_error(
                    input,
                    "each group must have 4 or less digits",
                    Some(s),
                ));
            }
            if acc > 0xffff {
                return Err(addr_error(input, "IPv6 field has value >=2^16", Some(s)));
            }
            off += 1;
        }
        if off == 0 {
            return Err(addr_error(
                input,
                "each colon-separated field must have at least one digit",
                Some(s),
            ));
        }
        if off < s.len() && s[off] == b'.' {
            if ellipsis.is_none() && i != 12 {
                return Err(addr_error(
                    input,
                    "embedded IPv4 address must replace the final 2 fields of the address",
                    Some(s),
                ));
            }
            if i + 4 > 16 {
                return Err(addr_error(
                    input,
                    "too many hex fields to fit an embedded IPv4 at the end of the address",
                    Some(s),
                ));
            }
            let mut end = input.len();
            if !zone.is_empty() {
                end -= zone.len() + 1;
            }
            parse_ipv4_fields(input, end - s.len(), end)?;
            s = &[];
            i += 4;
            break;
        }
        i += 2;
        s = &s[off..];
        if s.is_empty() {
            break;
        }
        if s[0] != b':' {
            return Err(addr_error(
                input,
                "unexpected character, want colon",
                Some(s),
            ));
        } else if s.len() == 1 {
            return Err(addr_error(
                input,
                "colon must be followed by more characters",
                Some(s),
            ));
        }
        s = &s[1..];
        if s[0] == b':' {
            if ellipsis.is_some() {
                return Err(addr_error(input, "multiple :: in address", Some(s)));
            }
            ellipsis = Some(i);
            s = &s[1..];
            if s.is_empty() {
                break;
            }
        }
    }
    if !s.is_empty() {
        return Err(addr_error(input, "trailing garbage after address", Some(s)));
    }
    if i < 16 {
        if ellipsis.is_none() {
            return Err(addr_error(input, "address string too short", None));
        }
    } else if ellipsis.is_some() {
        return Err(addr_error(
            input,
            "the :: must expand to at least one field of zeros",
            None,
        ));
    }
    Ok(v6)
}

/// A Go `url.URL`: what the format checks and Sprig's `urlParse`/`urlJoin` read. Parts are Go's
/// strings, so bytes.
#[derive(Debug, Default, PartialEq)]
pub struct Url {
    /// Lower case.
    pub scheme: Vec<u8>,
    pub opaque: Vec<u8>,
    /// `(username, password)`, unescaped; `None` when the authority has no `@`.
    pub user: Option<(Vec<u8>, Option<Vec<u8>>)>,
    /// Unescaped, with its brackets and port.
    pub host: Vec<u8>,
    /// Unescaped.
    pub path: Vec<u8>,
    /// The path as written, when escaping `path` again would not give it back; else empty.
    pub raw_path: Vec<u8>,
    /// `scheme:/path` with no authority (`OmitHost`).
    pub omit_host: bool,
    /// A `?` with nothing after it (`ForceQuery`).
    pub force_query: bool,
    /// After `?`, as written.
    pub raw_query: Vec<u8>,
    /// After `#`, unescaped.
    pub fragment: Vec<u8>,
}

impl Url {
    /// `URL.IsAbs`.
    pub fn is_abs(&self) -> bool {
        !self.scheme.is_empty()
    }

    /// `Userinfo.String()`: the user name and password escaped, `:` between them.
    pub fn userinfo(&self) -> Vec<u8> {
        let Some((name, password)) = &self.user else {
            return Vec::new();
        };
        let mut out = escape(name, Mode::UserPassword);
        if let Some(password) = password {
            out.push(b':');
            out.extend(escape(password, Mode::UserPassword));
        }
        out
    }

    /// `URL.String()` (go1.23), for a URL whose `RawPath` is unset (as Sprig's `urlJoin` builds
    /// it): the path and fragment escaped from their decoded forms.
    pub fn to_go_string(&self) -> Vec<u8> {
        let mut buf = Vec::new();
        if !self.scheme.is_empty() {
            buf.extend_from_slice(&self.scheme);
            buf.push(b':');
        }
        if !self.opaque.is_empty() {
            buf.extend_from_slice(&self.opaque);
        } else {
            let has_authority =
                !self.scheme.is_empty() || !self.host.is_empty() || self.user.is_some();
            let host_omitted = self.omit_host && self.host.is_empty() && self.user.is_none();
            if has_authority && !host_omitted {
                if !self.host.is_empty() || !self.path.is_empty() || self.user.is_some() {
                    buf.extend_from_slice(b"//");
                }
                if self.user.is_some() {
                    buf.extend(self.userinfo());
                    buf.push(b'@');
                }
                buf.extend(escape(&self.host, Mode::Host));
            }
            // `EscapedPath`: `*` stays as it is (Go issue 11202).
            let path = if self.path == b"*" {
                b"*".to_vec()
            } else {
                escape(&self.path, Mode::Path)
            };
            if !path.is_empty() && path[0] != b'/' && !self.host.is_empty() {
                buf.push(b'/');
            }
            if buf.is_empty() {
                let segment = path.split(|&c| c == b'/').next().unwrap_or_default();
                if segment.contains(&b':') {
                    buf.extend_from_slice(b"./");
                }
            }
            buf.extend(path);
        }
        if self.force_query || !self.raw_query.is_empty() {
            buf.push(b'?');
            buf.extend_from_slice(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            buf.push(b'#');
            buf.extend(escape(&self.fragment, Mode::Fragment));
        }
        buf
    }

    /// `URL.Hostname`: the host without a numeric port and without brackets.
    pub fn hostname(&self) -> &[u8] {
        let mut host = &self.host[..];
        if let Some(colon) = host.iter().rposition(|&c| c == b':') {
            if valid_optional_port(&host[colon..]) {
                host = &host[..colon];
            }
        }
        if host.len() >= 2 && host[0] == b'[' && host[host.len() - 1] == b']' {
            host = &host[1..host.len() - 1];
        }
        host
    }
}

/// Go's URL `encoding` modes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Path,
    PathSegment,
    Host,
    Zone,
    UserPassword,
    Fragment,
}

/// `shouldEscape` (`net/url/gen_encoding_table.go`).
pub(crate) fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone)
        && matches!(
            c,
            b'!' | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'['
                | b']'
                | b'<'
                | b'>'
                | b'"'
        )
    {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::PathSegment => return matches!(c, b'/' | b';' | b',' | b'?'),
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    if mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*') {
        return false;
    }
    true
}

fn unhex(c: u8) -> u8 {
    char::from(c).to_digit(16).map_or(0, |d| d as u8)
}

/// `unescape`: `%XX` decoded, with Go's `EscapeError`/`InvalidHostError` texts.
fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, String> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    let rest = &s[i..];
                    return Err(escape_error(&rest[..rest.len().min(3)]));
                }
                let pct = &s[i..i + 3];
                if mode == Mode::Host && unhex(s[i + 1]) < 8 && pct != b"%25" {
                    return Err(escape_error(pct));
                }
                if mode == Mode::Zone {
                    let v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
                    if pct != b"%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err(escape_error(pct));
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err(format!(
                        "invalid character {} in host name",
                        quote_bytes(&s[i..i + 1])
                    ));
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        if s[i] == b'%' {
            out.push(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
            i += 3;
        } else {
            out.push(s[i]);
            i += 1;
        }
    }
    Ok(out)
}

fn escape_error(s: &[u8]) -> String {
    format!("invalid URL escape {}", quote_bytes(s))
}

/// `url.PathUnescape`.
pub fn path_unescape(s: &[u8]) -> Result<Vec<u8>, String> {
    unescape(s, Mode::PathSegment)
}

/// `escape` (every mode but the query's): what `shouldEscape` names as `%XX`.
pub(crate) fn escape(s: &[u8], mode: Mode) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if should_escape(c, mode) {
            out.extend_from_slice(format!("%{c:02X}").as_bytes());
        } else {
            out.push(c);
        }
    }
    out
}

/// `validOptionalPort`: empty, or `:` and digits.
fn valid_optional_port(port: &[u8]) -> bool {
    port.is_empty() || (port[0] == b':' && port[1..].iter().all(u8::is_ascii_digit))
}

/// `url.Parse`, its error as `url.Error` prints it (`parse "…": …`).
pub fn parse(raw: &str, go: GoUrl) -> Result<Url, String> {
    parse_bytes(raw.as_bytes(), go)
}

/// `url.Parse` of a Go string (any bytes).
pub fn parse_bytes(raw: &[u8], go: GoUrl) -> Result<Url, String> {
    let (u, frag) = match raw.iter().position(|&c| c == b'#') {
        Some(i) => (&raw[..i], Some(&raw[i + 1..])),
        None => (raw, None),
    };
    let mut url = parse_reference(u, go).map_err(|e| format!("parse {}: {e}", quote_bytes(u)))?;
    if let Some(frag) = frag.filter(|f| !f.is_empty()) {
        url.fragment = unescape(frag, Mode::Fragment)
            .map_err(|e| format!("parse {}: {e}", quote_bytes(raw)))?;
    }
    Ok(url)
}

/// `parse(rawURL, false)`.
fn parse_reference(raw: &[u8], go: GoUrl) -> Result<Url, String> {
    if raw.iter().any(|&b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".to_string());
    }
    let mut url = Url::default();
    if raw == b"*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.last() == Some(&b'?') && rest.iter().filter(|&&c| c == b'?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else if let Some(q) = rest.iter().position(|&c| c == b'?') {
        url.raw_query = rest[q + 1..].to_vec();
        rest = &rest[..q];
    }
    if !rest.starts_with(b"/") {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_vec();
            return Ok(url);
        }
        let segment = rest.split(|&c| c == b'/').next().unwrap_or_default();
        if segment.contains(&b':') {
            return Err("first path segment in URL cannot contain colon".to_string());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
        let mut authority = &rest[2..];
        rest = &[];
        if let Some(i) = authority.iter().position(|&c| c == b'/') {
            (authority, rest) = (&authority[..i], &authority[i..]);
        }
        (url.user, url.host) = parse_authority(&url.scheme, authority, go)?;
    } else if !url.scheme.is_empty() && rest.starts_with(b"/") {
        url.omit_host = true;
    }
    url.path = unescape(rest, Mode::Path)?;
    if escape(&url.path, Mode::Path) != rest {
        url.raw_path = rest.to_vec();
    }
    Ok(url)
}

/// `getScheme`: `[a-zA-Z][a-zA-Z0-9+.-]*:` split off, if there.
fn get_scheme(raw: &[u8]) -> Result<(&[u8], &[u8]), String> {
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' => {
                if i == 0 {
                    return Ok((&[], raw));
                }
            }
            b':' => {
                if i == 0 {
                    return Err("missing protocol scheme".to_string());
                }
                return Ok((&raw[..i], &raw[i + 1..]));
            }
            _ => return Ok((&[], raw)),
        }
    }
    Ok((&[], raw))
}

/// The user name and password of an authority, unescaped.
type User = Option<(Vec<u8>, Option<Vec<u8>>)>;

/// `parseAuthority`: the host (checked first), then the user information.
fn parse_authority(scheme: &[u8], authority: &[u8], go: GoUrl) -> Result<(User, Vec<u8>), String> {
    let at = authority.iter().rposition(|&c| c == b'@');
    let host = parse_host(scheme, &authority[at.map_or(0, |i| i + 1)..], go)?;
    let Some(i) = at else {
        return Ok((None, host));
    };
    let userinfo = &authority[..i];
    if !valid_userinfo(userinfo) {
        return Err("net/url: invalid userinfo".to_string());
    }
    let user = match userinfo.iter().position(|&c| c == b':') {
        None => (unescape(userinfo, Mode::UserPassword)?, None),
        Some(colon) => (
            unescape(&userinfo[..colon], Mode::UserPassword)?,
            Some(unescape(&userinfo[colon + 1..], Mode::UserPassword)?),
        ),
    };
    Ok((Some(user), host))
}

fn valid_userinfo(s: &[u8]) -> bool {
    s.iter().all(|&c| {
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

fn invalid_port(colon_port: &[u8]) -> String {
    format!("invalid port {} after host", quote_bytes(colon_port))
}

/// `parseHost`: `host[:port]`, unescaped.
fn parse_host(scheme: &[u8], host: &[u8], go: GoUrl) -> Result<Vec<u8>, String> {
    let open = match go {
        GoUrl::Go123 => host.starts_with(b"[").then_some(0),
        GoUrl::Go126 => host.iter().rposition(|&c| c == b'['),
    };
    match open {
        Some(open) if open > 0 => return Err("invalid IP-literal".to_string()),
        Some(_) => {
            let Some(close) = host.iter().rposition(|&c| c == b']') else {
                return Err("missing ']' in host".to_string());
            };
            let colon_port = &host[close + 1..];
            if !valid_optional_port(colon_port) {
                return Err(invalid_port(colon_port));
            }
            let zone = host[..close].windows(3).position(|w| w == b"%25");
            if go == GoUrl::Go123 {
                if let Some(zone) = zone {
                    let mut out = unescape(&host[..zone], Mode::Host)?;
                    out.extend(unescape(&host[zone..close], Mode::Zone)?);
                    out.extend(unescape(&host[close..], Mode::Host)?);
                    return Ok(out);
                }
            } else {
                let port = unescape(colon_port, Mode::Host)?;
                let hostname = &host[1..close.max(1)];
                let unescaped = match zone {
                    Some(zone) => {
                        let mut h = unescape(&hostname[..zone - 1], Mode::Host)?;
                        h.extend(unescape(&hostname[zone - 1..], Mode::Zone)?);
                        h
                    }
                    None => unescape(hostname, Mode::Host)?,
                };
                let addr = parse_addr(&unescaped).map_err(|e| format!("invalid host: {e}"))?;
                if addr.is4 {
                    return Err("invalid IP-literal".to_string());
                }
                let mut out = b"[".to_vec();
                out.extend(unescaped);
                out.push(b']');
                out.extend(port);
                return Ok(out);
            }
        }
        None => {
            let first = host.iter().position(|&c| c == b':');
            let last = host.iter().rposition(|&c| c == b':');
            let colon = match go {
                GoUrl::Go123 => last,
                GoUrl::Go126 if scheme == b"http" || scheme == b"https" => first,
                GoUrl::Go126 => last,
            };
            if let Some(i) = colon {
                if !valid_optional_port(&host[i..]) {
                    return Err(invalid_port(&host[i..]));
                }
            }
        }
    }
    unescape(host, Mode::Host)
}

/// Go's `strconv.Quote` of bytes: invalid UTF-8 as `\xNN`.
pub fn quote_bytes(s: &[u8]) -> String {
    let mut out = String::from("\"");
    for chunk in s.utf8_chunks() {
        let valid = crate::template::printf::quote_go(chunk.valid());
        out.push_str(&valid[1..valid.len() - 1]);
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(s: &str) -> Result<Addr, String> {
        parse_addr(s.as_bytes())
    }

    #[test]
    fn addresses_as_netip_parses_them() {
        for ok in [
            "::",
            "::1",
            "fe80::1",
            "2001:db8::1:0:0:1",
            "1:2:3:4:5:6:7:8",
            "::ffff:1.2.3.4",
            "1:2:3:4:5:6:1.2.3.4",
            "::FFFF:192.168.0.1",
        ] {
            assert_eq!(
                addr(ok),
                Ok(Addr {
                    is4: false,
                    has_zone: false
                }),
                "{ok}"
            );
        }
        assert!(addr("fe80::1%eth0").unwrap().has_zone);
        assert!(addr("1.2.3.4").unwrap().is4);
        for (bad, why) in [
            ("", "ParseAddr(\"\"): unable to parse IP"),
            ("%x", "ParseAddr(\"%x\"): missing IPv6 address"),
            ("fe80::1%", "ParseAddr(\"fe80::1%\"): zone must be a non-empty string"),
            ("1:2:3:4:5:6:7:8:9", "ParseAddr(\"1:2:3:4:5:6:7:8:9\"): trailing garbage after address (at \"9\")"),
            ("1:2:3:4:5:6:7", "ParseAddr(\"1:2:3:4:5:6:7\"): address string too short"),
            ("1::2::3", "ParseAddr(\"1::2::3\"): multiple :: in address (at \":3\")"),
            ("12345::", "ParseAddr(\"12345::\"): each group must have 4 or less digits (at \"12345::\")"),
            (":1", "ParseAddr(\":1\"): each colon-separated field must have at least one digit (at \":1\")"),
            ("1:", "ParseAddr(\"1:\"): colon must be followed by more characters (at \":\")"),
            ("1:2:3:4:5:6:7:8::", "ParseAddr(\"1:2:3:4:5:6:7:8::\"): the :: must expand to at least one field of zeros"),
            ("1:2:3:4::5:6:7:8", "ParseAddr(\"1:2:3:4::5:6:7:8\"): the :: must expand to at least one field of zeros"),
            ("::ffff:1.2.3.04", "ParseAddr(\"::ffff:1.2.3.04\"): IPv4 field has octet with leading zero"),
            ("::ffff:1.2.3", "ParseAddr(\"::ffff:1.2.3\"): IPv4 address too short"),
            ("::ffff:1.2.3.256", "ParseAddr(\"::ffff:1.2.3.256\"): IPv4 field has value >255"),
            ("1:2:3:1.2.3.4", "ParseAddr(\"1:2:3:1.2.3.4\"): embedded IPv4 address must replace the final 2 fields of the address (at \"1.2.3.4\")"),
            ("1:2:3:4:5:6:7::1.2.3.4", "ParseAddr(\"1:2:3:4:5:6:7::1.2.3.4\"): too many hex fields to fit an embedded IPv4 at the end of the address (at \"1.2.3.4\")"),
            ("1.2..4", "ParseAddr(\"1.2..4\"): IPv4 field must have at least one digit (at \".4\")"),
            ("1.2.3.x", "ParseAddr(\"1.2.3.x\"): unexpected character (at \"x\")"),
            ("g::1", "ParseAddr(\"g::1\"): each colon-separated field must have at least one digit (at \"g::1\")"),
            ("1:g", "ParseAddr(\"1:g\"): each colon-separated field must have at least one digit (at \"g\")"),
            ("::1x", "ParseAddr(\"::1x\"): unexpected character, want colon (at \"x\")"),
        ] {
            assert_eq!(addr(bad).unwrap_err(), why, "{bad}");
        }
        assert!(parse_ip(b"::1") && parse_ip(b"1.2.3.4") && !parse_ip(b"fe80::1%eth0"));
    }

    #[test]
    fn urls_as_go_parses_them() {
        let u = parse(
            "HTTP://user:p%20w@[fe80::1%25en0]:8080/a%2Fb?q#f",
            GoUrl::Go126,
        )
        .unwrap();
        assert_eq!(u.scheme, b"http");
        assert_eq!(u.host, b"[fe80::1%en0]:8080");
        assert_eq!(u.hostname(), b"fe80::1%en0");
        assert_eq!(u.path, b"/a/b");
        assert_eq!(u.raw_path, b"/a%2Fb");
        let u = parse("mailto:a@b", GoUrl::Go126).unwrap();
        assert_eq!((&u.opaque[..], u.is_abs()), (&b"a@b"[..], true));
        for (raw, go, why) in [
            (":x", GoUrl::Go126, "parse \":x\": missing protocol scheme"),
            ("a:b/c", GoUrl::Go123, "ok"),
            (
                "a b:c",
                GoUrl::Go123,
                "parse \"a b:c\": first path segment in URL cannot contain colon",
            ),
            (
                "http://a\u{1}",
                GoUrl::Go126,
                "parse \"http://a\\x01\": net/url: invalid control character in URL",
            ),
            (
                "http://[::1",
                GoUrl::Go126,
                "parse \"http://[::1\": missing ']' in host",
            ),
            (
                "http://[::1]x",
                GoUrl::Go126,
                "parse \"http://[::1]x\": invalid port \"x\" after host",
            ),
            (
                "http://a:x",
                GoUrl::Go126,
                "parse \"http://a:x\": invalid port \":x\" after host",
            ),
            (
                "http://a:1:2",
                GoUrl::Go126,
                "parse \"http://a:1:2\": invalid port \":1:2\" after host",
            ),
            ("http://a:1:2", GoUrl::Go123, "ok"),
            ("foo://a:1:2", GoUrl::Go126, "ok"),
            (
                "http://a%zz",
                GoUrl::Go126,
                "parse \"http://a%zz\": invalid URL escape \"%zz\"",
            ),
            (
                "http://a%41",
                GoUrl::Go126,
                "parse \"http://a%41\": invalid URL escape \"%41\"",
            ),
            ("http://a%c3%a9", GoUrl::Go126, "ok"),
            (
                "http://a b",
                GoUrl::Go126,
                "parse \"http://a b\": invalid character \" \" in host name",
            ),
            (
                "http://x[::1]",
                GoUrl::Go126,
                "parse \"http://x[::1]\": invalid IP-literal",
            ),
            (
                "http://[1.2.3.4]",
                GoUrl::Go126,
                "parse \"http://[1.2.3.4]\": invalid IP-literal",
            ),
            ("http://[1.2.3.4]", GoUrl::Go123, "ok"),
            (
                "http://[x]",
                GoUrl::Go126,
                "parse \"http://[x]\": invalid host: ParseAddr(\"x\"): unable to parse IP",
            ),
            (
                "http://a b@c",
                GoUrl::Go126,
                "parse \"http://a b@c\": net/url: invalid userinfo",
            ),
            (
                "http://a%zz@c",
                GoUrl::Go126,
                "parse \"http://a%zz@c\": invalid URL escape \"%zz\"",
            ),
            (
                "/a%zz",
                GoUrl::Go126,
                "parse \"/a%zz\": invalid URL escape \"%zz\"",
            ),
            (
                "/a%",
                GoUrl::Go126,
                "parse \"/a%\": invalid URL escape \"%\"",
            ),
            (
                "/a#%zz",
                GoUrl::Go126,
                "parse \"/a#%zz\": invalid URL escape \"%zz\"",
            ),
            ("/a%e9", GoUrl::Go126, "ok"),
            ("http://é", GoUrl::Go126, "ok"),
        ] {
            let got = parse(raw, go)
                .map(|_| "ok".to_string())
                .unwrap_or_else(|e| e);
            assert_eq!(got, why, "{raw} {go:?}");
        }
    }
}

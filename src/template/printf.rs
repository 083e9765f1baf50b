//! Go's `fmt.Sprintf` over template values (`printf`), and `strconv.Quote`.
//!
//! Verbs `v +v #v T d s q x X o O b c U e E f F g G t %` with flags `+ - # 0 space`, width and
//! precision (also `*` and argument indexes `%[2]d`), and Go's error forms: `%!d(string=x)`,
//! `%!d(MISSING)`, `%!(EXTRA int=1)`, `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)`, `%!d(BADINDEX)`.
//! Lists and maps apply the verb to each element as Go's `printValue` does.
//!
//! Not reproduced: `%p` (Go prints memory addresses), `%b`/`%x` of floats, and `#` with `%g`/`%e`
//! (Go's "keep trailing zeros"); they print Go's bad-verb form or the nearest plain form.
use super::fmt::format_float_g;
use super::value::{FmtField, UintKind, Value};

/// Go's `strconv.Quote`.
pub fn quote_go(s: &str) -> String {
    quote_with(s, '"', false)
}

/// Go's `strconv.QuoteToASCII`.
pub fn quote_ascii(s: &str) -> String {
    quote_with(s, '"', true)
}

/// Whether Go's `unicode.IsPrint` holds (approximated: no control, format, separator other than
/// the ASCII space, private-use or unassigned code points we know of).
pub fn is_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    !matches!(u,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F | 0x2028..=0x202E
        | 0x2060..=0x206F | 0xFEFF | 0xFFF0..=0xFFFB | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF
        | 0xFFFE | 0xFFFF)
}

fn quote_with(s: &str, quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    // Printable ASCII other than the quote and `\` stands for itself (most quoted values).
    if s.bytes()
        .all(|b| (b' '..=b'~').contains(&b) && b != b'\\' && char::from(b) != quote)
    {
        out.push_str(s);
        out.push(quote);
        return out;
    }
    for c in s.chars() {
        append_escaped_rune(&mut out, c, quote, ascii_only);
    }
    out.push(quote);
    out
}

fn append_escaped_rune(out: &mut String, c: char, quote: char, ascii_only: bool) {
    if let Some(b) = super::gostr::escaped_byte(c) {
        // An invalid UTF-8 byte: strconv writes `\xff`.
        out.push_str(&format!("\\x{b:02x}"));
        return;
    }
    if c == quote || c == '\\' {
        out.push('\\');
        out.push(c);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c);
            return;
        }
    } else if is_print(c) {
        out.push(c);
        return;
    }
    match c {
        '\x07' => out.push_str("\\a"),
        '\x08' => out.push_str("\\b"),
        '\x0c' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\x0b' => out.push_str("\\v"),
        c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
        c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
        c => out.push_str(&format!("\\U{:08x}", c as u32)),
    }
}

/// Go's `strconv.QuoteRune` (or `QuoteRuneToASCII`).
fn quote_rune(r: u64, ascii_only: bool) -> String {
    let c = u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{FFFD}');
    let mut out = String::from("'");
    append_escaped_rune(&mut out, c, '\'', ascii_only);
    out.push('\'');
    out
}

/// Go's `strconv.CanBackquote`.
fn can_backquote(s: &str) -> bool {
    s.chars().all(|c| {
        c != '`'
            && c != '\u{FEFF}'
            && (c == '\t' || !(c.is_control()))
            && super::gostr::escaped_byte(c).is_none()
    })
}

/// A field as [`Printer::print_fields`] walks it: a value, or a nil pointer of the named type.
enum StructField<'f> {
    Value(&'f Value),
    NilPointer(&'static str),
}

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    plus_v: bool,
    sharp_v: bool,
    wid: Option<usize>,
    prec: Option<usize>,
}

struct Printer {
    buf: String,
    f: Flags,
}

const LDIGITS: &[u8] = b"0123456789abcdefx";
const UDIGITS: &[u8] = b"0123456789ABCDEFX";

impl Printer {
    fn write_padding(&mut self, n: usize) {
        let pad = if self.f.zero && !self.f.minus {
            '0'
        } else {
            ' '
        };
        for _ in 0..n {
            self.buf.push(pad);
        }
    }

    fn pad(&mut self, s: &str) {
        let Some(wid) = self.f.wid else {
            self.buf.push_str(s);
            return;
        };
        let n = wid.saturating_sub(s.chars().count());
        if !self.f.minus {
            self.write_padding(n);
            self.buf.push_str(s);
        } else {
            self.buf.push_str(s);
            let zero = self.f.zero;
            self.f.zero = false;
            self.write_padding(n);
            self.f.zero = zero;
        }
    }

    fn truncate<'s>(&self, s: &'s str) -> &'s str {
        if let Some(p) = self.f.prec {
            if let Some((i, _)) = s.char_indices().nth(p) {
                return &s[..i];
            }
        }
        s
    }

    fn fmt_s(&mut self, s: &str) {
        let s = self.truncate(s);
        self.pad(s);
    }

    fn fmt_q(&mut self, s: &str) {
        let s = self.truncate(s);
        if self.f.sharp && can_backquote(s) {
            let q = format!("`{s}`");
            self.pad(&q);
            return;
        }
        let q = if self.f.plus {
            quote_ascii(s)
        } else {
            quote_go(s)
        };
        self.pad(&q);
    }

    fn fmt_sbx(&mut self, b: &[u8], digits: &[u8]) {
        let mut length = b.len();
        if let Some(p) = self.f.prec {
            length = length.min(p);
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let wid = self.f.wid.unwrap_or(0);
        if wid > width && !self.f.minus {
            self.write_padding(wid - width);
        }
        if self.f.sharp {
            self.buf.push('0');
            self.buf.push(digits[16] as char);
        }
        for (i, c) in b[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(' ');
                if self.f.sharp {
                    self.buf.push('0');
                    self.buf.push(digits[16] as char);
                }
            }
            self.buf.push(digits[(c >> 4) as usize] as char);
            self.buf.push(digits[(c & 0xf) as usize] as char);
        }
        if wid > width && self.f.minus {
            self.write_padding(wid - width);
        }
    }

    fn fmt_integer(&mut self, u: u64, base: u32, signed: bool, verb: char, digits: &[u8]) {
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let zero = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = zero;
                return;
            }
        } else if self.f.zero && !self.f.minus {
            if let Some(w) = self.f.wid {
                prec = w;
                if negative || self.f.plus || self.f.space {
                    prec = prec.saturating_sub(1);
                }
            }
        }
        let mut rev: Vec<u8> = Vec::with_capacity(24);
        if u == 0 {
            rev.push(b'0');
        }
        while u > 0 {
            rev.push(digits[(u % base as u64) as usize]);
            u /= base as u64;
        }
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let s = String::from_utf8(rev).unwrap_or_default();
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = zero;
    }

    fn fmt_unicode(&mut self, u: u64) {
        let mut s = format!("U+{u:04X}");
        if let Some(p) = self.f.prec {
            let hex = format!("{u:X}");
            if hex.len() < p {
                s = format!("U+{}{}", "0".repeat(p - hex.len()), hex);
            }
        }
        if self.f.sharp {
            if let Some(c) = u32::try_from(u).ok().and_then(char::from_u32) {
                if is_print(c) {
                    s.push_str(&format!(" '{c}'"));
                }
            }
        }
        let zero = self.f.zero;
        self.f.zero = false;
        self.pad(&s);
        self.f.zero = zero;
    }

    fn fmt_float(&mut self, v: f64, verb: char, prec: Option<usize>) {
        let prec = self.f.prec.or(prec);
        let mut num = float_body(v, verb, prec);
        // Sign handling, as Go's fmtFloat: num always starts with a sign here.
        if !num.starts_with(['-', '+']) {
            num.insert(0, '+');
        }
        if self.f.space && num.starts_with('+') && !self.f.plus {
            num.replace_range(0..1, " ");
        }
        let body = &num[1..];
        if body.starts_with("Inf") || body.starts_with("NaN") {
            let zero = self.f.zero;
            self.f.zero = false;
            let s = if body.starts_with("NaN") && !self.f.space && !self.f.plus {
                body.to_string()
            } else {
                num.clone()
            };
            self.pad(&s);
            self.f.zero = zero;
            return;
        }
        if self.f.sharp && verb != 'b' {
            num = sharp_float(&num, verb, prec);
        }
        if self.f.plus || !num.starts_with('+') {
            if let Some(w) = self.f.wid {
                if self.f.zero && !self.f.minus && w > num.chars().count() {
                    self.buf.push_str(&num[..1]);
                    self.write_padding(w - num.chars().count());
                    self.buf.push_str(&num[1..]);
                    return;
                }
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }

    fn bad_verb(&mut self, verb: char, arg: Option<&Value>) {
        self.buf.push_str("%!");
        self.buf.push(verb);
        self.buf.push('(');
        match arg {
            // Go's `handleMethods` is off while erroring: a named integer prints its number, a
            // struct its fields.
            Some(Value::Object(o)) if o.int_value().is_some() => {
                self.buf.push_str(o.type_name());
                self.buf.push('=');
                let n = Value::int64(o.int_value().unwrap_or_default());
                self.print_arg(&n, 'v', 0);
            }
            Some(Value::Object(o)) if o.fmt_fields().is_some() => {
                self.buf.push_str(o.type_name());
                self.buf.push('=');
                let fields = o.fmt_fields().unwrap_or_default();
                self.print_fmt_fields(&fields, o.kind_name() == "ptr", 'v', 0);
            }
            Some(v) if !v.is_nil() => {
                self.buf.push_str(&v.type_name());
                self.buf.push('=');
                self.print_arg(v, 'v', 0);
            }
            _ => self.buf.push_str("<nil>"),
        }
        self.buf.push(')');
    }

    /// Go's `printArg` (depth 0) and `printValue` (depth > 0).
    fn print_arg(&mut self, arg: &Value, verb: char, depth: usize) {
        if depth > 10_000 {
            self.buf.push_str("<max depth>");
            return;
        }
        if let Value::Nil = arg {
            match verb {
                'T' | 'v' if depth == 0 => self.pad("<nil>"),
                _ if depth > 0 => {
                    if self.f.sharp_v {
                        self.buf.push_str("interface {}(nil)");
                    } else {
                        self.buf.push_str("<nil>");
                    }
                }
                _ => self.bad_verb(verb, None),
            }
            return;
        }
        if depth == 0 {
            match verb {
                'T' => {
                    let t = arg.type_name();
                    self.fmt_s(&t);
                    return;
                }
                'p' => {
                    self.bad_verb('p', Some(arg));
                    return;
                }
                _ => {}
            }
        }
        match arg {
            Value::Nil => {}
            Value::Bool(b) => match verb {
                't' | 'v' => self.pad(if *b { "true" } else { "false" }),
                _ => self.bad_verb(verb, Some(arg)),
            },
            Value::Int(i, _) => self.print_integer(*i as u64, true, verb, arg),
            Value::Uint(u, _) => self.print_integer(*u, false, verb, arg),
            Value::Float(f) => match verb {
                'v' => self.fmt_float(*f, 'g', None),
                'g' | 'G' | 'x' | 'X' | 'b' => self.fmt_float(*f, verb, None),
                'f' | 'e' | 'E' | 'F' => self.fmt_float(*f, verb, Some(6)),
                _ => self.bad_verb(verb, Some(arg)),
            },
            // Go's `fmtComplex`: both parts with the verb (and width), the imaginary one signed.
            Value::Object(o) if o.as_any().is::<super::number::Complex128>() => {
                let (re, im) = match o.as_any().downcast_ref::<super::number::Complex128>() {
                    Some(c) => (c.re, c.im),
                    None => (0.0, 0.0),
                };
                if !matches!(
                    verb,
                    'v' | 'b' | 'g' | 'G' | 'x' | 'X' | 'f' | 'F' | 'e' | 'E'
                ) {
                    self.bad_verb(verb, Some(arg));
                    return;
                }
                let plus = self.f.plus;
                self.buf.push('(');
                self.print_arg(&Value::Float(re), verb, depth + 1);
                self.f.plus = true;
                self.print_arg(&Value::Float(im), verb, depth + 1);
                self.buf.push_str("i)");
                self.f.plus = plus;
            }
            Value::String(s) => match verb {
                'v' if self.f.sharp_v => self.fmt_q(s),
                'v' | 's' => self.fmt_s(s),
                'x' => self.fmt_sbx(&super::gostr::to_bytes(s), LDIGITS),
                'X' => self.fmt_sbx(&super::gostr::to_bytes(s), UDIGITS),
                'q' => self.fmt_q(s),
                _ => self.bad_verb(verb, Some(arg)),
            },
            Value::Bytes(b) => match verb {
                's' => {
                    let s = super::gostr::from_bytes(b);
                    self.fmt_s(&s);
                }
                'x' => self.fmt_sbx(b, LDIGITS),
                'X' => self.fmt_sbx(b, UDIGITS),
                'q' => {
                    let s = super::gostr::from_bytes(b);
                    self.fmt_q(&s);
                }
                'v' | 'd' if !self.f.sharp_v => {
                    self.buf.push('[');
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            self.buf.push(' ');
                        }
                        self.fmt_integer(*c as u64, 10, false, verb, LDIGITS);
                    }
                    self.buf.push(']');
                }
                _ => {
                    let items: Vec<Value> = b
                        .iter()
                        .map(|c| Value::Uint(*c as u64, super::value::UintKind::Uint8))
                        .collect();
                    self.print_seq(&items, verb, depth, "[]uint8");
                }
            },
            Value::List(l) if l.is_nil() && self.f.sharp_v => {
                self.buf.push_str(&arg.type_name());
                self.buf.push_str("(nil)");
            }
            Value::Map(m) if m.is_nil() && self.f.sharp_v => {
                self.buf.push_str(m.kind().go_name());
                self.buf.push_str("(nil)");
            }
            Value::List(l) => {
                let t = arg.type_name();
                self.print_seq(l.items(), verb, depth, &t);
            }
            Value::Map(m) => {
                if self.f.sharp_v {
                    self.buf.push_str(m.kind().go_name());
                    self.buf.push('{');
                } else {
                    self.buf.push_str("map[");
                }
                for (i, (k, v)) in m.entries().iter().enumerate() {
                    if i > 0 {
                        self.buf.push_str(if self.f.sharp_v { ", " } else { " " });
                    }
                    self.print_arg(&Value::String(k.clone()), verb, depth + 1);
                    self.buf.push(':');
                    self.print_arg(v, verb, depth + 1);
                }
                self.buf.push(if self.f.sharp_v { '}' } else { ']' });
            }
            Value::Object(o) if o.slice_items().is_some() => {
                // A named slice type (`chartutil.VersionSet`) prints as its elements.
                let items = o
                    .slice_items()
                    .map(|l| l.items().to_vec())
                    .unwrap_or_default();
                self.print_seq(&items, verb, depth, o.type_name());
            }
            Value::Object(o) if o.map_entries().is_some() => {
                // A named map type (`engine.files`) prints as the map it is.
                match super::value::object_as_map(o.as_ref()) {
                    Some(m) => self.print_arg(&Value::Map(m), verb, depth),
                    None => self.bad_verb(verb, Some(arg)),
                }
            }
            Value::Object(o) if o.go_fields().is_some() && self.f.wid.is_some() => {
                self.print_struct(o.as_ref(), verb, depth)
            }
            Value::Object(o) if o.go_fields().is_some() && (verb != 'v' || self.f.sharp_v) => {
                self.print_struct(o.as_ref(), verb, depth)
            }
            // A named integer type with a `String` method (`time.Duration`): fmt uses `String()`
            // for %v %s %x %X %q, the integer for the other verbs.
            Value::Object(o)
                if o.int_value().is_some()
                    && (self.f.sharp_v || !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q')) =>
            {
                match o.int_value() {
                    // A bad verb names the named type (`%!t(time.Duration=5)`).
                    Some(n) => self.print_integer(n as u64, true, verb, arg),
                    None => self.bad_verb(verb, Some(arg)),
                }
            }
            Value::Object(o) if self.f.sharp_v && o.go_syntax().is_some() => {
                let s = o.go_syntax().unwrap_or_default();
                self.pad(&s);
            }
            // `fmt` calls `String()` for %x and %X too, and hex-dumps what it gives.
            Value::Object(o) if matches!(verb, 'x' | 'X') && o.method("String").is_some() => {
                let text = o.format_v();
                let s = super::gostr::to_bytes(&text).into_owned();
                self.fmt_sbx(&s, if verb == 'x' { LDIGITS } else { UDIGITS });
            }
            // A struct with a `String` method, for a verb `fmt` does not call it for: its fields.
            Value::Object(o) if !self.f.sharp_v && !matches!(verb, 'v' | 's' | 'x' | 'X' | 'q') => {
                match o.fmt_fields() {
                    Some(fields) => {
                        self.print_fmt_fields(&fields, o.kind_name() == "ptr", verb, depth)
                    }
                    None => self.bad_verb(verb, Some(arg)),
                }
            }
            Value::Object(o) => match verb {
                'v' | 's' => {
                    let s = if self.f.plus_v {
                        o.format_plus_v()
                    } else {
                        o.format_v()
                    };
                    self.pad(&s);
                }
                'q' => {
                    let s = o.format_v();
                    self.fmt_q(&s);
                }
                _ => self.bad_verb(verb, Some(arg)),
            },
        }
    }

    /// Go's `printValue` of a struct (or, for a `ptr` object at the top, `&` and the struct): each
    /// field printed with the verb, `%#v` with the type and field names. `%v` and `%+v` without a
    /// width use the object's own `format_v`/`format_plus_v`, which also cover the pointer fields
    /// Go prints as addresses.
    fn print_struct(&mut self, o: &dyn super::value::Object, verb: char, depth: usize) {
        let fields = o.go_fields().unwrap_or_default();
        let pointer = o.kind_name() == "ptr";
        if self.f.sharp_v {
            if pointer {
                self.buf.push('&');
            }
            self.buf.push_str(o.type_name().trim_start_matches('*'));
            self.buf.push('{');
            for (i, field) in fields.iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                self.buf.push_str(field.name);
                self.buf.push(':');
                self.print_arg(&field.value, verb, depth + 1);
            }
            self.buf.push('}');
            return;
        }
        let fields = fields
            .iter()
            .map(|f| (Some(f.name), StructField::Value(&f.value)));
        self.print_fields(fields, pointer, verb, depth);
    }

    /// Go's `printValue` of a struct of unexported fields (see `Object::fmt_fields`), `&` first for
    /// a pointer at the top; a nil pointer field takes the integer verbs as the number 0, and is a
    /// bad verb otherwise.
    fn print_fmt_fields(&mut self, fields: &[FmtField], pointer: bool, verb: char, depth: usize) {
        let fields = fields.iter().map(|f| {
            let field = match f {
                FmtField::Value(v) => StructField::Value(v),
                FmtField::NilPointer(type_name) => StructField::NilPointer(type_name),
            };
            (None, field)
        });
        self.print_fields(fields, pointer, verb, depth);
    }

    /// The one loop of Go's `printValue` for a struct without `%#v`: `&` first for a pointer at
    /// the top, then `{`, the fields separated by spaces (each with its name and `:` under `%+v`
    /// where the name is known), `}`.
    fn print_fields<'f>(
        &mut self,
        fields: impl Iterator<Item = (Option<&'static str>, StructField<'f>)>,
        pointer: bool,
        verb: char,
        depth: usize,
    ) {
        if pointer && depth == 0 {
            self.buf.push('&');
        }
        self.buf.push('{');
        for (i, (name, field)) in fields.enumerate() {
            if i > 0 {
                self.buf.push(' ');
            }
            if let (Some(name), true) = (name, self.f.plus_v) {
                self.buf.push_str(name);
                self.buf.push(':');
            }
            match field {
                StructField::Value(v) => self.print_arg(v, verb, depth + 1),
                StructField::NilPointer(_) if verb == 'v' => self.buf.push_str("<nil>"),
                StructField::NilPointer(_) if matches!(verb, 'b' | 'o' | 'd' | 'x' | 'X') => {
                    self.print_arg(&Value::Uint(0, UintKind::Uintptr), verb, depth + 1)
                }
                StructField::NilPointer(type_name) => {
                    self.buf.push_str("%!");
                    self.buf.push(verb);
                    self.buf.push('(');
                    self.buf.push_str(type_name);
                    self.buf.push_str("=<nil>)");
                }
            }
        }
        self.buf.push('}');
    }

    fn print_seq(&mut self, items: &[Value], verb: char, depth: usize, type_name: &str) {
        if self.f.sharp_v {
            self.buf.push_str(type_name);
            self.buf.push('{');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.buf.push_str(", ");
                }
                self.print_arg(item, verb, depth + 1);
            }
            self.buf.push('}');
            return;
        }
        self.buf.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.buf.push(' ');
            }
            self.print_arg(item, verb, depth + 1);
        }
        self.buf.push(']');
    }

    fn print_integer(&mut self, u: u64, signed: bool, verb: char, arg: &Value) {
        match verb {
            'v' => {
                if self.f.sharp_v && !signed {
                    let sharp = self.f.sharp;
                    self.f.sharp = true;
                    self.fmt_integer(u, 16, false, 'v', LDIGITS);
                    self.f.sharp = sharp;
                } else {
                    self.fmt_integer(u, 10, signed, verb, LDIGITS);
                }
            }
            'd' => self.fmt_integer(u, 10, signed, verb, LDIGITS),
            'b' => self.fmt_integer(u, 2, signed, verb, LDIGITS),
            'o' | 'O' => self.fmt_integer(u, 8, signed, verb, LDIGITS),
            'x' => self.fmt_integer(u, 16, signed, verb, LDIGITS),
            'X' => self.fmt_integer(u, 16, signed, verb, UDIGITS),
            'c' => {
                let c = u32::try_from(u)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                self.pad(&c.to_string());
            }
            'q' => {
                let c = u32::try_from(u)
                    .ok()
                    .and_then(char::from_u32)
                    .unwrap_or('\u{FFFD}');
                if self.f.sharp && c != '`' && can_backquote(&c.to_string()) {
                    self.pad(&format!("`{c}`"));
                } else {
                    let q = quote_rune(u, self.f.plus);
                    self.pad(&q);
                }
            }
            'U' => self.fmt_unicode(u),
            _ => self.bad_verb(verb, Some(arg)),
        }
    }
}

/// `strconv.FormatFloat(v, verb, prec, 64)` for verbs e E f F g G (prec `None` = shortest).
pub fn float_body(v: f64, verb: char, prec: Option<usize>) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    match verb {
        'e' | 'E' => {
            let s = match prec {
                Some(p) => exp_with_precision(v, p),
                None => format!("{v:e}"),
            };
            let s = go_exponent(&s);
            if verb == 'E' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'f' | 'F' => match prec {
            Some(p) => fixed_with_precision(v, p),
            None => {
                let (neg, digits, exp) = super::fmt::shortest_digits(v);
                let mut out = if neg {
                    String::from("-")
                } else {
                    String::new()
                };
                out.push_str(&fixed_from_digits(&digits, exp));
                if v == 0.0 {
                    return if v.is_sign_negative() {
                        "-0".into()
                    } else {
                        "0".into()
                    };
                }
                out
            }
        },
        'g' | 'G' => {
            let s = match prec {
                None => format_float_g(v),
                Some(p) => format_g_prec(v, p),
            };
            if verb == 'G' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'x' | 'X' => {
            let s = hex_float(v, prec);
            if verb == 'X' {
                s.to_uppercase()
            } else {
                s
            }
        }
        'b' => binary_float(v),
        _ => format_float_g(v),
    }
}

/// `strconv.FormatFloat(v, 'b', -1, 64)`: decimal mantissa and binary exponent, `6755399441055744p-52`.
fn binary_float(v: f64) -> String {
    let bits = v.to_bits();
    let neg = if bits >> 63 == 1 { "-" } else { "" };
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1u64 << 52;
    }
    exp += -1023 - 52;
    let sign = if exp >= 0 { "+" } else { "" };
    format!("{neg}{mant}p{sign}{exp}")
}

/// `strconv.FormatFloat(v, 'x', prec, 64)`: `0x1.8p+00`.
fn hex_float(v: f64, prec: Option<usize>) -> String {
    let bits = v.to_bits();
    let neg = if bits >> 63 == 1 { "-" } else { "" };
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1u64 << 52) - 1);
    if exp == 0 && mant == 0 {
        let digits = prec
            .filter(|p| *p > 0)
            .map(|p| format!(".{}", "0".repeat(p)))
            .unwrap_or_default();
        return format!("{neg}0x0{digits}p+00");
    }
    if exp == 0 {
        exp = 1;
        while mant & (1u64 << 52) == 0 {
            mant <<= 1;
            exp -= 1;
        }
    } else {
        mant |= 1u64 << 52;
    }
    exp -= 1023;
    let mut lead = mant >> 52;
    let mut frac = mant & ((1u64 << 52) - 1);
    let digits = match prec {
        None => {
            let s = format!("{frac:013x}");
            s.trim_end_matches('0').to_string()
        }
        Some(p) if p >= 13 => format!("{frac:013x}{}", "0".repeat(p - 13)),
        Some(p) => {
            let shift = (13 - p) * 4;
            let half = 1u64 << (shift - 1);
            let rem = frac & ((1u64 << shift) - 1);
            frac >>= shift;
            if rem > half || (rem == half && frac & 1 == 1) {
                frac += 1;
                if p == 0 || frac >> (p * 4) != 0 {
                    frac = 0;
                    lead += 1;
                }
            }
            if lead == 2 {
                lead = 1;
                exp += 1;
            }
            if p == 0 {
                String::new()
            } else {
                format!("{frac:0width$x}", width = p)
            }
        }
    };
    let point = if digits.is_empty() {
        String::new()
    } else {
        format!(".{digits}")
    };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{neg}0x{lead}{point}p{sign}{:02}", exp.abs())
}

/// Digits past this many decimal places are always zero for an f64 (its exact binary expansion
/// ends by ~1074 places); Rust's formatter refuses precisions above 65535, Go does not.
const MAX_EXACT_PLACES: usize = 1100;

/// `{:.p}` for any `p`, padding with the zeros Go would print.
fn fixed_with_precision(v: f64, p: usize) -> String {
    if p <= MAX_EXACT_PLACES {
        return format!("{:.*}", p, v);
    }
    let mut s = format!("{:.*}", MAX_EXACT_PLACES, v);
    s.push_str(&"0".repeat(p - MAX_EXACT_PLACES));
    s
}

/// `{:.pe}` for any `p`, padding the mantissa with the zeros Go would print.
fn exp_with_precision(v: f64, p: usize) -> String {
    if p <= MAX_EXACT_PLACES {
        return format!("{:.*e}", p, v);
    }
    let s = format!("{:.*e}", MAX_EXACT_PLACES, v);
    match s.split_once('e') {
        Some((mant, exp)) => format!("{mant}{}e{exp}", "0".repeat(p - MAX_EXACT_PLACES)),
        None => s,
    }
}

fn fixed_from_digits(digits: &str, exp: i32) -> String {
    if exp < 0 {
        format!("0.{}{}", "0".repeat((-exp - 1) as usize), digits)
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            format!("{}{}", digits, "0".repeat(int_len - digits.len()))
        } else {
            format!("{}.{}", &digits[..int_len], &digits[int_len..])
        }
    }
}

/// Rust's `1.5e6` exponent → Go's `1.5e+06`.
fn go_exponent(s: &str) -> String {
    let Some((mant, exp)) = s.split_once('e') else {
        return s.to_string();
    };
    let (sign, digits) = match exp.strip_prefix('-') {
        Some(d) => ('-', d),
        None => ('+', exp),
    };
    let digits = if digits.len() < 2 {
        format!("0{digits}")
    } else {
        digits.to_string()
    };
    format!("{mant}e{sign}{digits}")
}

/// `%.Ng`: N significant digits, trailing zeros dropped, `%e` form when exp < -4 or exp >= N.
fn format_g_prec(v: f64, prec: usize) -> String {
    let prec = prec.max(1);
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    let s = format!("{:.*e}", (prec - 1).min(MAX_EXACT_PLACES), v.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let mut digits: String = mant.chars().filter(|c| *c != '.').collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    let mut eprec = prec as i32;
    let nd = digits.len() as i32;
    let dp = exp + 1;
    if eprec > nd && nd >= dp {
        eprec = nd;
    }
    let neg = if v < 0.0 { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let mut out = String::from(neg);
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if exp < 0 { '-' } else { '+' });
        out.push_str(&format!("{:02}", exp.abs()));
        return out;
    }
    format!("{neg}{}", fixed_from_digits(&digits, exp))
}

fn parse_num(s: &[u8], start: usize, end: usize) -> (usize, bool, usize) {
    let mut num = 0usize;
    let mut is_num = false;
    let mut i = start;
    while i < end && s[i].is_ascii_digit() {
        if num > 1_000_000 {
            return (0, false, end);
        }
        num = num * 10 + (s[i] - b'0') as usize;
        is_num = true;
        i += 1;
    }
    (num, is_num, i)
}

fn int_from_arg(args: &[Value], arg_num: usize) -> (i64, bool, usize) {
    if arg_num >= args.len() {
        return (0, false, arg_num);
    }
    let (n, ok) = match &args[arg_num] {
        Value::Int(i, _) => (*i, true),
        Value::Uint(u, _) if *u <= i64::MAX as u64 => (*u as i64, true),
        _ => (0, false),
    };
    if !(-1_000_000..=1_000_000).contains(&n) {
        return (0, false, arg_num + 1);
    }
    (n, ok, arg_num + 1)
}

/// Go's `fmt.Sprintf`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut p = Printer {
        buf: String::with_capacity(format.len() + 16),
        f: Flags::default(),
    };
    let fb = format.as_bytes();
    let end = fb.len();
    let mut arg_num = 0usize;
    let mut reordered = false;
    let mut i = 0usize;
    while i < end {
        let mut good_arg_num = true;
        let lasti = i;
        while i < end && fb[i] != b'%' {
            i += 1;
        }
        if i > lasti {
            p.buf.push_str(&format[lasti..i]);
        }
        if i >= end {
            break;
        }
        i += 1;
        p.f = Flags::default();
        while i < end {
            match fb[i] {
                b'#' => p.f.sharp = true,
                b'0' => p.f.zero = !p.f.minus,
                b'+' => p.f.plus = true,
                b'-' => {
                    p.f.minus = true;
                    p.f.zero = false;
                }
                b' ' => p.f.space = true,
                _ => break,
            }
            i += 1;
        }
        // Argument index.
        let mut after_index;
        (arg_num, i, after_index) = arg_number(
            &mut reordered,
            &mut good_arg_num,
            arg_num,
            fb,
            i,
            args.len(),
        );
        // Width.
        if i < end && fb[i] == b'*' {
            i += 1;
            let (w, ok, next) = int_from_arg(args, arg_num);
            arg_num = next;
            if !ok {
                p.buf.push_str("%!(BADWIDTH)");
                p.f.wid = None;
            } else if w < 0 {
                p.f.wid = Some(w.unsigned_abs() as usize);
                p.f.minus = true;
                p.f.zero = false;
            } else {
                p.f.wid = Some(w as usize);
            }
            after_index = false;
        } else {
            let (w, ok, next) = parse_num(fb, i, end);
            i = next;
            p.f.wid = ok.then_some(w);
            if after_index && ok {
                good_arg_num = false;
            }
        }
        // Precision.
        if i + 1 < end && fb[i] == b'.' {
            i += 1;
            if after_index {
                good_arg_num = false;
            }
            (arg_num, i, after_index) = arg_number(
                &mut reordered,
                &mut good_arg_num,
                arg_num,
                fb,
                i,
                args.len(),
            );
            if i < end && fb[i] == b'*' {
                i += 1;
                let (pr, ok, next) = int_from_arg(args, arg_num);
                arg_num = next;
                if pr < 0 || !ok {
                    p.f.prec = None;
                    if !ok {
                        p.buf.push_str("%!(BADPREC)");
                    }
                } else {
                    p.f.prec = Some(pr as usize);
                }
                after_index = false;
            } else {
                let (pr, ok, next) = parse_num(fb, i, end);
                i = next;
                p.f.prec = Some(if ok { pr } else { 0 });
            }
        }
        if !after_index {
            (arg_num, i, _) = arg_number(
                &mut reordered,
                &mut good_arg_num,
                arg_num,
                fb,
                i,
                args.len(),
            );
        }
        if i >= end {
            p.buf.push_str("%!(NOVERB)");
            break;
        }
        let verb = format[i..].chars().next().unwrap_or('?');
        i += verb.len_utf8();
        match verb {
            '%' => p.buf.push('%'),
            _ if !good_arg_num => {
                p.buf.push_str("%!");
                p.buf.push(verb);
                p.buf.push_str("(BADINDEX)");
            }
            _ if arg_num >= args.len() => {
                p.buf.push_str("%!");
                p.buf.push(verb);
                p.buf.push_str("(MISSING)");
            }
            _ => {
                if verb == 'v' {
                    p.f.sharp_v = p.f.sharp;
                    p.f.sharp = false;
                    p.f.plus_v = p.f.plus;
                    p.f.plus = false;
                }
                p.print_arg(&args[arg_num], verb, 0);
                arg_num += 1;
            }
        }
    }
    if !reordered && arg_num < args.len() {
        p.f = Flags::default();
        p.buf.push_str("%!(EXTRA ");
        for (i, arg) in args[arg_num..].iter().enumerate() {
            if i > 0 {
                p.buf.push_str(", ");
            }
            if arg.is_nil() {
                p.buf.push_str("<nil>");
            } else {
                p.buf.push_str(&arg.type_name());
                p.buf.push('=');
                p.print_arg(arg, 'v', 0);
            }
        }
        p.buf.push(')');
    }
    p.buf
}

fn arg_number(
    reordered: &mut bool,
    good_arg_num: &mut bool,
    arg_num: usize,
    fb: &[u8],
    i: usize,
    num_args: usize,
) -> (usize, usize, bool) {
    if fb.len() <= i || fb[i] != b'[' {
        return (arg_num, i, false);
    }
    *reordered = true;
    let rest = &fb[i..];
    let (index, wid, ok) = parse_arg_number(rest);
    if ok && index >= 0 && (index as usize) < num_args {
        return (index as usize, i + wid, true);
    }
    *good_arg_num = false;
    (arg_num, i + wid, ok)
}

fn parse_arg_number(s: &[u8]) -> (i64, usize, bool) {
    if s.len() < 3 {
        return (0, 1, false);
    }
    for i in 1..s.len() {
        if s[i] == b']' {
            let (w, ok, newi) = parse_num(s, 1, i);
            if !ok || newi != i {
                return (0, i + 1, false);
            }
            return (w as i64 - 1, i + 1, true);
        }
    }
    (0, 1, false)
}

/// Go's `%#` for floats (`num` starts with its sign): a decimal point always, and for `%#g`, `%#v`
/// and `%#x` trailing zeros up to the precision (6 by default) of significant digits, counted as
/// Go's `fmtFloat` counts them (for `%#x` the `x` of `0x` counts as one).
fn sharp_float(num: &str, verb: char, prec: Option<usize>) -> String {
    let mut digits: i64 = match verb {
        'v' | 'g' | 'G' | 'x' => prec.map_or(6, |p| p as i64),
        _ => 0,
    };
    let bytes = num.as_bytes();
    let (mut end, mut tail) = (num.len(), "");
    let (mut has_point, mut saw_nonzero) = (false, false);
    for (i, &c) in bytes.iter().enumerate().skip(1) {
        match c {
            b'.' => has_point = true,
            b'p' | b'P' => {
                (end, tail) = (i, &num[i..]);
                break;
            }
            b'e' | b'E' if verb != 'x' && verb != 'X' => {
                (end, tail) = (i, &num[i..]);
                break;
            }
            _ => {
                if c != b'0' {
                    saw_nonzero = true;
                }
                if saw_nonzero {
                    digits -= 1;
                }
            }
        }
    }
    let mut out = num[..end].to_string();
    if !has_point {
        if out.len() == 2 && out.as_bytes()[1] == b'0' {
            digits -= 1;
        }
        out.push('.');
    }
    while digits > 0 {
        out.push('0');
        digits -= 1;
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pf(f: &str, args: &[Value]) -> String {
        sprintf(f, args)
    }

    #[test]
    fn integers() {
        assert_eq!(
            pf(
                "%05d|%-5d|%+d|%x|%#x|%o|%#o|%O|%b",
                &[
                    Value::int(42),
                    Value::int(3),
                    Value::int(5),
                    Value::int(255),
                    Value::int(255),
                    Value::int(8),
                    Value::int(8),
                    Value::int(8),
                    Value::int(5)
                ]
            ),
            "00042|3    |+5|ff|0xff|10|010|0o10|101"
        );
        assert_eq!(pf("%05d", &[Value::int(-42)]), "-0042");
        assert_eq!(
            pf(
                "%c|%q|%U|%#U",
                &[
                    Value::int(65),
                    Value::int(65),
                    Value::int(65),
                    Value::int(65)
                ]
            ),
            "A|'A'|U+0041|U+0041 'A'"
        );
    }

    #[test]
    fn floats() {
        assert_eq!(
            pf(
                "%v|%f|%.2f|%e|%g|%G|%5.1f",
                &[
                    Value::Float(1e6),
                    Value::Float(1.5),
                    Value::Float(3.14259),
                    Value::Float(1234.5678),
                    Value::Float(0.000012),
                    Value::Float(1e21),
                    Value::Float(2.25)
                ]
            ),
            "1e+06|1.500000|3.14|1.234568e+03|1.2e-05|1E+21|  2.2"
        );
        assert_eq!(
            pf(
                "%.3g|%010.3f|%+.1e",
                &[
                    Value::Float(1.0),
                    Value::Float(-3.14259),
                    Value::Float(12345.0)
                ]
            ),
            "1|-00003.143|+1.2e+04"
        );
    }

    #[test]
    fn strings_and_errors() {
        assert_eq!(
            pf(
                "%q|%x|% x|%-4s|%.2s|%5s",
                &[
                    Value::str("a\"b\n"),
                    Value::str("hi"),
                    Value::str("hi"),
                    Value::str("a"),
                    Value::str("abc"),
                    Value::str("é")
                ]
            ),
            "\"a\\\"b\\n\"|6869|68 69|a   |ab|    é"
        );
        assert_eq!(pf("%d", &[Value::str("x")]), "%!d(string=x)");
        assert_eq!(pf("%d", &[]), "%!d(MISSING)");
        assert_eq!(
            pf("%d", &[Value::int(1), Value::str("a")]),
            "1%!(EXTRA string=a)"
        );
        assert_eq!(pf("%d", &[Value::Nil]), "%!d(<nil>)");
        assert_eq!(pf("%v %T", &[Value::Nil, Value::Nil]), "<nil> <nil>");
        assert_eq!(pf("%", &[]), "%!(NOVERB)");
        assert_eq!(pf("%[2]d %[1]d", &[Value::int(1), Value::int(2)]), "2 1");
        assert_eq!(pf("%*d", &[Value::int(4), Value::int(1)]), "   1");
        assert_eq!(pf("%!", &[]), "%!!(MISSING)");
    }

    #[test]
    fn collections() {
        let l = Value::list(vec![Value::str("a"), Value::int(1), Value::Nil]);
        assert_eq!(
            pf("%v|%d|%#v", &[l.clone(), l.clone(), l]),
            "[a 1 <nil>]|[%!d(string=a) 1 <nil>]|[]interface {}{\"a\", 1, interface {}(nil)}"
        );
        let mut m = super::super::value::MapEntries::new();
        m.insert("b".into(), Value::int(2));
        m.insert("a".into(), Value::str("x"));
        let m = Value::map(m);
        assert_eq!(
            pf("%v|%#v", &[m.clone(), m]),
            "map[a:x b:2]|map[string]interface {}{\"a\":\"x\", \"b\":2}"
        );
    }

    #[test]
    fn huge_precision_does_not_panic() {
        // Found by the render fuzz target (Rust's formatter caps precision at 65535).
        let out = pf(
            "%.200001f|%.70000e|%.70000g",
            &[Value::Float(2.5), Value::Float(2.5), Value::Float(2.5)],
        );
        assert!(out.starts_with("2.5000"));
        assert_eq!(out.len(), 2 + 200001 + 1 + 2 + 70000 + 4 + 1 + 3);
    }

    #[test]
    fn float_hex_and_binary() {
        assert_eq!(
            pf(
                "%x|%X|%x|%b|%.1x",
                &[
                    Value::Float(1.5),
                    Value::Float(1.5),
                    Value::Float(1.0),
                    Value::Float(1.5),
                    Value::Float(1.96875)
                ]
            ),
            "0x1.8p+00|0X1.8P+00|0x1p+00|6755399441055744p-52|0x2.0p+00"
                .replace("0x2.0p+00", "0x1.0p+01")
                .as_str()
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(quote_go("é\u{7f}\u{a0}😀"), "\"é\\x7f\\u00a0😀\"");
        assert_eq!(quote_ascii("é"), "\"\\u00e9\"");
    }

    /// The shortcut for printable ASCII gives what escaping rune by rune gives, on every ASCII
    /// string of up to two characters (and a few longer ones), for both quotes.
    #[test]
    fn quoting_printable_ascii_takes_the_text_as_is() {
        let ascii: Vec<char> = (0u8..128).map(char::from).collect();
        let mut inputs = crate::test_corpus::all_strings(&ascii, 2);
        inputs.extend([
            "plain value".into(),
            "a\\b".into(),
            "x\"y".into(),
            "it's é".into(),
        ]);
        for quote in ['"', '\''] {
            for ascii_only in [false, true] {
                for s in &inputs {
                    let mut slow = String::from(quote);
                    for c in s.chars() {
                        append_escaped_rune(&mut slow, c, quote, ascii_only);
                    }
                    slow.push(quote);
                    assert_eq!(quote_with(s, quote, ascii_only), slow, "{s:?}");
                }
            }
        }
    }
}

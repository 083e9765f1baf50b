//! The syntax errors of BurntSushi/toml v1.4 (Helm 3.17.3's `fromToml`), found by a reader that
//! walks the text the way its lexer does.
//!
//! [`super::toml::decode`] reads TOML with the `toml` crate, whose error texts are its own. When the
//! crate refuses a text, [`syntax_error`] reads it again, state by state as BurntSushi's lexer
//! does, to find the first error BurntSushi reports and print it as its `ParseError` does:
//! `toml: line N (last key "k"): message`. The line is where the lexer stood (one less when it had
//! reached the end of the text: v1.4 prints `line 0` for an error at the end of a one-line text);
//! the last key is the parser's key path at that moment (the table's, plus the key whose value is
//! being read). Errors the parser finds after lexing (duplicate keys) are mapped from the crate's
//! error by [`super::toml::decode`].

/// What the reader found: the message and the line, and the key path the parser was at.
pub struct SyntaxError {
    pub line: usize,
    pub last_key: String,
    pub message: String,
}

impl SyntaxError {
    /// BurntSushi's `ParseError.Error()`.
    pub fn text(&self) -> String {
        if self.last_key.is_empty() {
            format!("toml: line {}: {}", self.line, self.message)
        } else {
            format!(
                "toml: line {} (last key {}): {}",
                self.line,
                go_quote(&self.last_key),
                self.message
            )
        }
    }
}

/// The first error BurntSushi's lexer reports in `text`, or `None` when it lexes the whole text.
pub fn syntax_error(text: &str) -> Option<SyntaxError> {
    let mut lx = Lexer {
        chars: text.chars().collect(),
        pos: 0,
        start: 0,
        line: 1,
        at_eof: false,
        context: Vec::new(),
        current_key: None,
        values: Default::default(),
        tables: Default::default(),
    };
    lx.top().err()
}

/// The end of the text, as the lexer's `eof` rune.
const EOF: char = '\0';

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    start: usize,
    line: usize,
    at_eof: bool,
    /// The parser's table context and the key whose value is being read.
    context: Vec<String>,
    current_key: Option<String>,
    /// The key paths given a value, and the tables given a header (the parser's duplicate check).
    values: std::collections::HashSet<Vec<String>>,
    tables: std::collections::HashSet<Vec<String>>,
}

type Lexed = Result<(), SyntaxError>;

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_nl(c: char) -> bool {
    c == '\n' || c == '\r'
}

fn is_bare(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

impl Lexer {
    fn last_key(&self) -> String {
        let mut parts: Vec<String> = self.context.iter().map(|k| key_text(k)).collect();
        if let Some(k) = &self.current_key {
            parts.push(key_text(k));
        }
        parts.join(".")
    }

    /// `lx.errorf`: at the end of the text the error is put on the line before.
    fn error(&self, message: String) -> SyntaxError {
        let line = if self.at_eof {
            self.line - 1
        } else {
            self.line
        };
        SyntaxError {
            line,
            last_key: self.last_key(),
            message,
        }
    }

    /// `lx.errorPrevLine`.
    fn error_prev_line(&self, message: &str) -> SyntaxError {
        SyntaxError {
            line: self.line - 1,
            last_key: self.last_key(),
            message: message.to_string(),
        }
    }

    fn next(&mut self) -> Result<char, SyntaxError> {
        if self.pos >= self.chars.len() {
            self.at_eof = true;
            return Ok(EOF);
        }
        let c = self.chars[self.pos];
        if c == '\n' {
            self.line += 1;
        }
        let lone_cr = c == '\r' && self.chars.get(self.pos + 1) != Some(&'\n');
        if (c.is_control() && !matches!(c, '\t' | '\r' | '\n') && (c as u32) < 0x80) || lone_cr {
            return Err(SyntaxError {
                line: self.line,
                last_key: self.last_key(),
                message: format!(
                    "TOML files cannot contain control characters: '0x{:02x}'",
                    c as u32
                ),
            });
        }
        self.pos += 1;
        Ok(c)
    }

    fn backup(&mut self) {
        if self.at_eof {
            self.at_eof = false;
            return;
        }
        self.pos -= 1;
        if self.chars.get(self.pos) == Some(&'\n') {
            self.line -= 1;
        }
    }

    fn accept(&mut self, want: char) -> Result<bool, SyntaxError> {
        if self.next()? == want {
            return Ok(true);
        }
        self.backup();
        Ok(false)
    }

    fn peek(&mut self) -> Result<char, SyntaxError> {
        let c = self.next()?;
        self.backup();
        Ok(c)
    }

    fn skip_ws(&mut self) -> Result<(), SyntaxError> {
        loop {
            let c = self.next()?;
            if !is_ws(c) {
                self.backup();
                self.start = self.pos;
                return Ok(());
            }
        }
    }

    fn current(&self) -> String {
        self.chars[self.start.min(self.pos)..self.pos]
            .iter()
            .collect()
    }

    /// `lexTop` and `lexTopEnd`.
    fn top(&mut self) -> Lexed {
        loop {
            let c = self.next()?;
            match c {
                c if is_ws(c) || is_nl(c) => self.start = self.pos,
                '#' => self.comment()?,
                '[' => {
                    self.table()?;
                    self.top_end()?;
                }
                EOF => return Ok(()),
                _ => {
                    self.backup();
                    self.key_value()?;
                    self.top_end()?;
                }
            }
            if self.at_eof {
                return Ok(());
            }
        }
    }

    fn top_end(&mut self) -> Lexed {
        loop {
            let c = self.next()?;
            match c {
                '#' => return self.comment(),
                c if is_ws(c) => {}
                c if is_nl(c) => {
                    self.start = self.pos;
                    return Ok(());
                }
                EOF => return Ok(()),
                c => {
                    return Err(self.error(format!(
                        "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                        go_quote_rune(c)
                    )))
                }
            }
        }
    }

    /// A comment, up to (not including) the line break.
    fn comment(&mut self) -> Lexed {
        loop {
            let c = self.next()?;
            if is_nl(c) || c == EOF {
                self.backup();
                return Ok(());
            }
        }
    }

    /// A `[table]` or `[[array.table]]` header; `[` has been read.
    fn table(&mut self) -> Lexed {
        let array = self.peek()? == '[';
        if array {
            self.next()?;
        }
        let mut name = Vec::new();
        loop {
            // lexTableNameStart
            self.skip_ws()?;
            match self.peek()? {
                ']' | EOF => {
                    return Err(self.error(
                        "unexpected end of table name (table names cannot be empty)".to_string(),
                    ))
                }
                '.' => {
                    return Err(self.error(
                        "unexpected table separator (table names cannot be empty)".to_string(),
                    ))
                }
                '"' | '\'' => {
                    self.start = self.pos;
                    name.push(self.quoted_name()?);
                }
                _ => name.push(self.bare_name()?),
            }
            // lexTableNameEnd
            self.skip_ws()?;
            match self.next()? {
                '.' => self.start = self.pos,
                ']' => break,
                c => {
                    return Err(self.error(format!(
                        "expected '.' or ']' to end table name, but got {} instead",
                        go_quote_rune(c)
                    )))
                }
            }
        }
        if array {
            let c = self.next()?;
            if c != ']' {
                return Err(self.error(format!(
                    "expected end of table array name delimiter ']', but got {} instead",
                    go_quote_rune(c)
                )));
            }
        }
        if !array && (self.tables.contains(&name) || self.values.contains(&name)) {
            return Err(SyntaxError {
                line: self.line,
                last_key: String::new(),
                message: format!("Key '{}' has already been defined.", path_text(&name)),
            });
        }
        if array {
            // Each entry of an array of tables starts afresh.
            self.values.retain(|p| !p.starts_with(&name));
            self.tables
                .retain(|p| !(p.len() > name.len() && p.starts_with(&name)));
        } else {
            self.tables.insert(name.clone());
        }
        self.context = name;
        Ok(())
    }

    fn bare_name(&mut self) -> Result<String, SyntaxError> {
        let from = self.pos;
        loop {
            let c = self.next()?;
            if !is_bare(c) || c == EOF {
                self.backup();
                return Ok(self.chars[from..self.pos].iter().collect());
            }
        }
    }

    /// `lexQuotedName`: a quoted key or table-name part (the quote not read yet).
    fn quoted_name(&mut self) -> Result<String, SyntaxError> {
        let c = self.next()?;
        match c {
            quote @ ('"' | '\'') => {
                self.start = self.pos;
                self.string(quote)
            }
            EOF => Err(self.error("unexpected EOF; expected value".to_string())),
            c => Err(self.error(format!(
                "expected value but found {} instead",
                go_quote_rune(c)
            ))),
        }
    }

    /// `lexKeyStart` … `lexKeyEnd`, then the value; gives the key's last part.
    fn key_value(&mut self) -> Result<String, SyntaxError> {
        self.skip_ws()?;
        match self.peek()? {
            '=' | EOF => {
                return Err(self.error("unexpected '=': key name appears blank".to_string()))
            }
            '.' => {
                return Err(self.error("unexpected '.': keys cannot start with a '.'".to_string()))
            }
            _ => {}
        }
        let mut key = Vec::new();
        loop {
            // lexKeyNameStart
            self.skip_ws()?;
            match self.peek()? {
                '=' | EOF => return Err(self.error("unexpected '='".to_string())),
                '.' => return Err(self.error("unexpected '.'".to_string())),
                '"' | '\'' => {
                    self.start = self.pos;
                    key.push(self.quoted_name()?);
                }
                _ => key.push(self.bare_name()?),
            }
            // lexKeyEnd
            self.skip_ws()?;
            match self.next()? {
                EOF => {
                    return Err(self.error("unexpected EOF; expected key separator '='".to_string()))
                }
                '.' => self.start = self.pos,
                '=' => break,
                c => {
                    return Err(self.error(format!(
                        "expected '.' or '=', but got {} instead",
                        go_quote_rune(c)
                    )))
                }
            }
        }
        let outer = self.context.clone();
        let last = key.pop().unwrap_or_default();
        self.context.extend(key);
        self.current_key = Some(last.clone());
        self.start = self.pos;
        self.value()?;
        let mut path = self.context.clone();
        path.push(last.clone());
        if !self.values.insert(path.clone()) || self.tables.contains(&path) {
            return Err(SyntaxError {
                line: self.line,
                last_key: self.last_key(),
                message: format!("Key '{}' has already been defined.", path_text(&path)),
            });
        }
        self.context = outer;
        self.current_key = None;
        Ok(last)
    }

    /// `lexValue`.
    fn value(&mut self) -> Lexed {
        let c = loop {
            let c = self.next()?;
            if is_ws(c) {
                self.start = self.pos;
                continue;
            }
            break c;
        };
        if c.is_ascii_digit() {
            self.backup();
            return self.number_or_date();
        }
        match c {
            '[' => {
                self.start = self.pos;
                return self.array();
            }
            '{' => {
                self.start = self.pos;
                return self.inline_table();
            }
            quote @ ('"' | '\'') => return self.string_value(quote),
            '.' => return Err(self.error("floats must start with a digit, not '.'".to_string())),
            'i' | 'n'
                if (self.accept('n')? && self.accept('f')?)
                    || (self.accept('a')? && self.accept('n')?) =>
            {
                return Ok(());
            }
            '-' | '+' => return self.decimal_number_start(),
            _ => {}
        }
        if c.is_alphabetic() {
            self.backup();
            return self.bool();
        }
        if c == EOF {
            return Err(self.error("unexpected EOF; expected value".to_string()));
        }
        Err(self.error(format!(
            "expected value but found {} instead",
            go_quote_rune(c)
        )))
    }

    fn array(&mut self) -> Lexed {
        // lexArrayValue
        loop {
            let c = self.next()?;
            match c {
                c if is_ws(c) || is_nl(c) => continue,
                '#' => {
                    self.comment()?;
                    continue;
                }
                ',' => return Err(self.error("unexpected comma".to_string())),
                ']' => return Ok(()),
                _ => {}
            }
            self.backup();
            self.start = self.pos;
            self.value()?;
            // lexArrayValueEnd
            loop {
                let c = self.next()?;
                match c {
                    c if is_ws(c) || is_nl(c) => {}
                    '#' => self.comment()?,
                    ',' => break,
                    ']' => return Ok(()),
                    c => {
                        return Err(self.error(format!(
                            "expected a comma (',') or array terminator (']'), but got {}",
                            rune_or_eof(c)
                        )))
                    }
                }
            }
        }
    }

    fn inline_table(&mut self) -> Lexed {
        let outer_context = self.context.clone();
        let outer_key = self.current_key.take();
        if let Some(k) = &outer_key {
            self.context.push(k.clone());
        }
        let table_context = self.context.clone();
        // lexInlineTableValue
        loop {
            let c = self.next()?;
            match c {
                c if is_ws(c) => continue,
                c if is_nl(c) => {
                    return Err(self.error_prev_line("newlines not allowed within inline tables"))
                }
                '#' => {
                    self.comment()?;
                    continue;
                }
                ',' => return Err(self.error("unexpected comma".to_string())),
                '}' => break,
                _ => {}
            }
            self.backup();
            // The parser keeps an inline table's last key as its current key.
            self.current_key = Some(self.key_value()?);
            self.context.clone_from(&table_context);
            // lexInlineTableValueEnd
            let mut closed = false;
            loop {
                let c = self.next()?;
                match c {
                    c if is_ws(c) => {}
                    c if is_nl(c) => {
                        return Err(
                            self.error_prev_line("newlines not allowed within inline tables")
                        )
                    }
                    '#' => self.comment()?,
                    ',' => {
                        self.skip_ws()?;
                        if self.peek()? == '}' {
                            return Err(self
                                .error("trailing comma not allowed in inline tables".to_string()));
                        }
                        break;
                    }
                    '}' => {
                        closed = true;
                        break;
                    }
                    c => {
                        return Err(self.error(format!(
                        "expected a comma or an inline table terminator '}}', but got {} instead",
                        rune_or_eof(c)
                    )))
                    }
                }
            }
            if closed {
                break;
            }
        }
        self.context = outer_context;
        self.current_key = outer_key;
        Ok(())
    }

    /// `lexString` and `lexRawString`: the content of a single-line string opened by `quote` (read
    /// already); a `"` string's escapes are checked.
    fn string(&mut self, quote: char) -> Result<String, SyntaxError> {
        let from = self.pos;
        loop {
            match self.next()? {
                EOF => {
                    let expected = delimiter_text(&quote.to_string());
                    return Err(self.error(format!("unexpected EOF; expected {expected}")));
                }
                c if is_nl(c) => {
                    return Err(self.error_prev_line("strings cannot contain newlines"))
                }
                '\\' if quote == '"' => self.escape()?,
                c if c == quote => return Ok(self.chars[from..self.pos - 1].iter().collect()),
                _ => {}
            }
        }
    }

    /// `lexMultilineString` and `lexMultilineRawString`: a string opened by three `quote`s (read
    /// already); a `"` string's escapes are checked.
    fn multiline_string(&mut self, quote: char) -> Lexed {
        let three: String = [quote; 3].iter().collect();
        loop {
            match self.next()? {
                EOF => {
                    let expected = delimiter_text(&three);
                    return Err(self.error(format!("unexpected EOF; expected {expected}")));
                }
                '\\' if quote == '"' && !is_nl(self.next()?) => {
                    self.backup();
                    self.escape()?;
                }
                c if c == quote && self.accept(quote)? => {
                    if self.accept(quote)? {
                        if self.peek()? == quote {
                            // Up to two quotes may end the content; a sixth is an error.
                            let five: String = [quote; 5].iter().collect();
                            let cur = self.current();
                            if cur.ends_with(&five)
                                && !(quote == '"' && cur.ends_with(&format!("\\{five}")))
                            {
                                let six = delimiter_text(&format!("{three}{three}"));
                                return Err(self.error(format!("unexpected {six}")));
                            }
                            self.backup();
                            self.backup();
                            continue;
                        }
                        return Ok(());
                    }
                    self.backup();
                }
                _ => {}
            }
        }
    }

    /// A string value opened by `quote` (read already): single-line, or multi-line when three
    /// quotes open it.
    fn string_value(&mut self, quote: char) -> Lexed {
        if self.accept(quote)? {
            if self.accept(quote)? {
                self.start = self.pos;
                return self.multiline_string(quote);
            }
            self.backup();
        }
        self.start = self.pos;
        self.string(quote).map(drop)
    }

    /// `lexStringEscape` (the `\` read), TOML 1.0 escapes.
    fn escape(&mut self) -> Lexed {
        let c = self.next()?;
        let digits = match c {
            'b' | 't' | 'n' | 'f' | 'r' | '"' | ' ' | '\t' | '\\' => return Ok(()),
            'u' => 4,
            'U' => 8,
            c => {
                let err = format!("invalid escape in string '\\{c}'");
                return Err(if self.at_eof {
                    self.error_prev_line(&err)
                } else {
                    self.error(err)
                });
            }
        };
        for _ in 0..digits {
            if !self.next()?.is_ascii_hexdigit() {
                let what = if digits == 4 { "four" } else { "eight" };
                return Err(self.error(format!(
                    "expected {what} hexadecimal digits after '\\{c}', but got {} instead",
                    go_quote(&self.current())
                )));
            }
        }
        Ok(())
    }

    fn number_or_date(&mut self) -> Lexed {
        // lexNumberOrDateStart: the first character is a digit.
        if self.next()? == '0' {
            let c = self.next()?;
            if c.is_ascii_digit() {
                return self.number_or_date_rest();
            }
            match c {
                '_' => return self.decimal_number(),
                '.' | 'e' | 'E' => return self.float(),
                'b' | 'o' | 'x' => {
                    let p = self.peek()?;
                    let ok = match c {
                        'b' => p == '0' || p == '1',
                        'o' => ('0'..='7').contains(&p),
                        _ => p.is_ascii_hexdigit(),
                    };
                    if !ok {
                        let kind = match c {
                            'b' => "not a binary number",
                            'o' => "not an octal number",
                            _ => "not a hexidecimal number",
                        };
                        let p = if p == EOF { '\0' } else { p };
                        return Err(self.error(format!("{kind}: '{}{p}'", self.current())));
                    }
                    loop {
                        let d = self.next()?;
                        let digit = match c {
                            'b' => d == '0' || d == '1',
                            'o' => ('0'..='7').contains(&d),
                            _ => d.is_ascii_hexdigit(),
                        };
                        if !(digit || d == '_') {
                            self.backup();
                            return Ok(());
                        }
                    }
                }
                _ => {
                    self.backup();
                    return Ok(());
                }
            }
        }
        self.number_or_date_rest()
    }

    /// `lexNumberOrDate`.
    fn number_or_date_rest(&mut self) -> Lexed {
        loop {
            let c = self.next()?;
            if c.is_ascii_digit() {
                continue;
            }
            return match c {
                '-' | ':' => loop {
                    let d = self.next()?;
                    if !(d.is_ascii_digit()
                        || matches!(d, '-' | ':' | 'T' | 't' | ' ' | '.' | 'Z' | 'z' | '+'))
                    {
                        self.backup();
                        return Ok(());
                    }
                },
                '_' => self.decimal_number(),
                '.' | 'e' | 'E' => self.float(),
                _ => {
                    self.backup();
                    Ok(())
                }
            };
        }
    }

    fn decimal_number(&mut self) -> Lexed {
        loop {
            let c = self.next()?;
            match c {
                c if c.is_ascii_digit() || c == '_' => {}
                '.' | 'e' | 'E' => return self.float(),
                _ => {
                    self.backup();
                    return Ok(());
                }
            }
        }
    }

    fn decimal_number_start(&mut self) -> Lexed {
        let c = self.next()?;
        match c {
            'i' => {
                if !self.accept('n')? || !self.accept('f')? {
                    return Err(self.error(format!("invalid float: '{}'", self.current())));
                }
                return Ok(());
            }
            'n' => {
                if !self.accept('a')? || !self.accept('n')? {
                    return Err(self.error(format!("invalid float: '{}'", self.current())));
                }
                return Ok(());
            }
            '0' => {
                let p = self.peek()?;
                if matches!(p, 'b' | 'o' | 'x') {
                    return Err(self.error(format!(
                        "cannot use sign with non-decimal numbers: '{}{p}'",
                        self.current()
                    )));
                }
            }
            '.' => return Err(self.error("floats must start with a digit, not '.'".to_string())),
            _ => {}
        }
        if c.is_ascii_digit() {
            return self.decimal_number();
        }
        Err(self.error(format!("expected a digit but got {}", go_quote_rune(c))))
    }

    fn float(&mut self) -> Lexed {
        loop {
            let c = self.next()?;
            if !(c.is_ascii_digit() || matches!(c, '_' | '.' | '-' | '+' | 'e' | 'E')) {
                self.backup();
                return Ok(());
            }
        }
    }

    /// `lexBool`: a word that must be `true` or `false`.
    fn bool(&mut self) -> Lexed {
        let mut word = String::new();
        loop {
            let c = self.next()?;
            if !c.is_alphabetic() {
                self.backup();
                break;
            }
            word.push(c);
        }
        if word == "true" || word == "false" {
            return Ok(());
        }
        Err(self.error(format!(
            "expected value but found {} instead",
            go_quote(&word)
        )))
    }
}

fn path_text(path: &[String]) -> String {
    path.iter()
        .map(|k| key_text(k))
        .collect::<Vec<_>>()
        .join(".")
}

/// A key part as BurntSushi's `Key.String()` prints it: bare, or quoted.
fn key_text(k: &str) -> String {
    if !k.is_empty() && k.chars().all(is_bare) {
        k.to_string()
    } else {
        go_quote(k)
    }
}

fn rune_or_eof(c: char) -> String {
    if c == EOF {
        "end of file".to_string()
    } else {
        format!("'{c}'")
    }
}

/// Go's `%q` of a rune (`strconv.QuoteRune`).
fn go_quote_rune(c: char) -> String {
    match c {
        '\'' => "'\\''".to_string(),
        _ => format!("'{}'", go_escape(c, '\'')),
    }
}

/// A string delimiter as BurntSushi's messages write it: `"`s between single quotes (`'"""'`),
/// `'`s between double quotes (`"'''"`).
fn delimiter_text(delimiter: &str) -> String {
    if delimiter.starts_with('"') {
        format!("'{delimiter}'")
    } else {
        format!("\"{delimiter}\"")
    }
}

/// Go's `%q` of a string (`strconv.Quote`).
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        out.push_str(&go_escape(c, '"'));
    }
    out.push('"');
    out
}

fn go_escape(c: char, quote: char) -> String {
    match c {
        '\x07' => "\\a".to_string(),
        '\x08' => "\\b".to_string(),
        '\x0c' => "\\f".to_string(),
        '\n' => "\\n".to_string(),
        '\r' => "\\r".to_string(),
        '\t' => "\\t".to_string(),
        '\x0b' => "\\v".to_string(),
        '\\' => "\\\\".to_string(),
        c if c == quote => format!("\\{c}"),
        c if (c as u32) < 0x20 || c == '\x7f' => format!("\\x{:02x}", c as u32),
        c if c.is_control() => format!("\\u{:04x}", c as u32),
        c => c.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        syntax_error(text).map(|e| e.text()).unwrap_or_default()
    }

    #[test]
    fn burntsushi_texts() {
        assert_eq!(
            err("a = "),
            "toml: line 0 (last key \"a\"): unexpected EOF; expected value"
        );
        assert_eq!(
            err("[x"),
            "toml: line 0: expected '.' or ']' to end table name, but got '\\x00' instead"
        );
        assert_eq!(
            err("a = \"x"),
            "toml: line 0 (last key \"a\"): unexpected EOF; expected '\"'"
        );
        assert!(syntax_error("a = 1\n[t]\nb = [1, 2]\nc = {x = 1}\n").is_none());
    }

    /// Every form of TOML 1.0 lexes without an error, as the `toml` crate agrees.
    #[test]
    fn valid_toml_lexes() {
        let text = r##"title = "x" # c
[owner]
dob = 1979-05-27T07:32:00-08:00
ld = 1979-05-27
lt = 07:32:00
ldt = 1979-05-27 07:32:00.999
[database]
ports = [ 8000, 8001, 8002, ]
data = [ ["delta", "phi"], [3.14] ]
temp_targets = { cpu = 79.5, case = 72.0, "q k" = { x = [] } }
[[products]]
name = "Hammer"
[[products]]
name = "Nail"
"quoted key" = 'raw'
m = """
multi "quoted" ""\
  line"""
n = '''raw
lines'''''
hex = 0xDEAD_beef
oct = 0o755
bin = 0b1101
f = -1.5e+3
g = 1_000.5E-2
inf1 = +inf
nan1 = nan
z = 0
t = true
a.b.c = 1
u = "\u00e9\U0001F600\t\\"
[a.d]
"##;
        assert!(text.parse::<::toml::Table>().is_ok());
        assert!(syntax_error(text).is_none(), "{}", err(text));
    }
}

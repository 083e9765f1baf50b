//! Glob patterns as `.Files.Glob` matches them: gobwas/glob compiled with `/` as the separator.
//!
//! `*` matches any run of characters except `/`; `**` matches any run including `/`; `?` matches one
//! character except `/`; `[abc]`, `[a-z]`, `[!a]` match one character from (or not from) a class;
//! `{a,b}` matches any alternative; `\` escapes the next character. A pattern that does not compile
//! makes Helm fall back to `**` (everything), and so do we.

#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(char),
    Any,
    Super,
    Single,
    Class {
        negated: bool,
        ranges: Vec<(char, char)>,
    },
    Alternatives(Vec<Vec<Token>>),
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Glob {
    tokens: Vec<Token>,
}

impl Glob {
    /// Compiles `pattern`; `None` when it is malformed (unclosed `[` or `{`, trailing `\`).
    pub fn compile(pattern: &str) -> Option<Glob> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let tokens = parse_sequence(&chars, &mut pos, false)?;
        if pos != chars.len() {
            return None;
        }
        Some(Glob { tokens })
    }

    /// A pattern matching every name (`**`).
    pub fn everything() -> Glob {
        Glob {
            tokens: vec![Token::Super],
        }
    }

    pub fn matches(&self, name: &str) -> bool {
        let chars: Vec<char> = name.chars().collect();
        match_tokens(&self.tokens, &chars)
    }
}

fn parse_sequence(chars: &[char], pos: &mut usize, in_alternative: bool) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    while *pos < chars.len() {
        let c = chars[*pos];
        match c {
            ',' | '}' if in_alternative => return Some(tokens),
            '*' => {
                if chars.get(*pos + 1) == Some(&'*') {
                    *pos += 2;
                    tokens.push(Token::Super);
                } else {
                    *pos += 1;
                    tokens.push(Token::Any);
                }
            }
            '?' => {
                *pos += 1;
                tokens.push(Token::Single);
            }
            '\\' => {
                let escaped = *chars.get(*pos + 1)?;
                *pos += 2;
                tokens.push(Token::Literal(escaped));
            }
            '[' => {
                *pos += 1;
                tokens.push(parse_class(chars, pos)?);
            }
            '{' => {
                *pos += 1;
                let mut alternatives = Vec::new();
                loop {
                    alternatives.push(parse_sequence(chars, pos, true)?);
                    match chars.get(*pos) {
                        Some(',') => *pos += 1,
                        Some('}') => {
                            *pos += 1;
                            break;
                        }
                        _ => return None,
                    }
                }
                tokens.push(Token::Alternatives(alternatives));
            }
            _ => {
                *pos += 1;
                tokens.push(Token::Literal(c));
            }
        }
    }
    if in_alternative {
        return None;
    }
    Some(tokens)
}

fn parse_class(chars: &[char], pos: &mut usize) -> Option<Token> {
    let negated = chars.get(*pos) == Some(&'!');
    if negated {
        *pos += 1;
    }
    let mut ranges = Vec::new();
    loop {
        let c = *chars.get(*pos)?;
        if c == ']' {
            *pos += 1;
            break;
        }
        if chars.get(*pos + 1) == Some(&'-') && chars.get(*pos + 2).is_some_and(|e| *e != ']') {
            ranges.push((c, chars[*pos + 2]));
            *pos += 3;
        } else {
            ranges.push((c, c));
            *pos += 1;
        }
    }
    Some(Token::Class { negated, ranges })
}

fn match_tokens(tokens: &[Token], name: &[char]) -> bool {
    let Some((first, rest)) = tokens.split_first() else {
        return name.is_empty();
    };
    match first {
        Token::Literal(c) => name.first() == Some(c) && match_tokens(rest, &name[1..]),
        Token::Single => name.first().is_some_and(|c| *c != '/') && match_tokens(rest, &name[1..]),
        Token::Class { negated, ranges } => {
            name.first().is_some_and(|c| {
                let inside = ranges.iter().any(|(lo, hi)| lo <= c && c <= hi);
                inside != *negated && *c != '/'
            }) && match_tokens(rest, &name[1..])
        }
        Token::Any => (0..=name.len())
            .take_while(|&i| i == 0 || name[i - 1] != '/')
            .any(|i| match_tokens(rest, &name[i..])),
        Token::Super => (0..=name.len()).any(|i| match_tokens(rest, &name[i..])),
        Token::Alternatives(alternatives) => alternatives.iter().any(|alt| {
            let mut joined = alt.clone();
            joined.extend_from_slice(rest);
            match_tokens(&joined, name)
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, n: &str) -> bool {
        Glob::compile(p).unwrap().matches(n)
    }

    #[test]
    fn star_stops_at_separator() {
        assert!(m("files/*", "files/b.conf"));
        assert!(!m("files/*", "files/sub/a.txt"));
        assert!(m("files/**", "files/sub/a.txt"));
        assert!(m("**.txt", "files/sub/a.txt"));
    }

    #[test]
    fn classes_alternatives_and_escapes() {
        assert!(m("f[a-c].txt", "fb.txt"));
        assert!(!m("f[!a-c].txt", "fb.txt"));
        assert!(m("*.{yaml,json}", "x.json"));
        assert!(m("a\\*b", "a*b"));
        assert!(m("?.txt", "a.txt"));
    }

    #[test]
    fn malformed_patterns_do_not_compile() {
        assert!(Glob::compile("[ab").is_none());
        assert!(Glob::compile("{a,b").is_none());
        assert!(Glob::compile("a\\").is_none());
    }
}

//! yaml.v2's "natural" ordering of map keys (`sorter.go`), which `toYaml` output follows.
//!
//! At the first differing rune: two letters compare by code point; a non-letter sorts before a
//! letter; otherwise runs of digits compare as numbers (`a2` < `a10`, and a non-digit counts as 0).
//! The result for these keys is `_x 1 9 10 B Z a a-b a.b a2 a10 é` (byte order would be
//! `1 10 9 B Z _x a a-b a.b a10 a2 é`).
use std::cmp::Ordering;

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn digit_value(c: char) -> i64 {
    (c as i64).wrapping_sub('0' as i64)
}

/// yaml.v2's `keyList.Less` for two string keys.
pub fn key_less(a: &str, b: &str) -> bool {
    less(a, b, false)
}

/// yaml.v3's variant (`toYamlPretty`): after a run of equal digits, a letter sorts before a
/// non-letter (`a1b` < `a1_`), where yaml.v2 puts the non-letter first.
pub fn key_less_v3(a: &str, b: &str) -> bool {
    less(a, b, true)
}

fn less(a: &str, b: &str, v3: bool) -> bool {
    if a.is_ascii() && b.is_ascii() {
        // The common case: compare the bytes in place instead of collecting runes.
        return less_runes(a.as_bytes(), b.as_bytes(), v3);
    }
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    less_runes(&ar, &br, v3)
}

/// A rune of a key: a `char`, or a byte of an ASCII key.
trait Rune: Copy + PartialEq + PartialOrd {
    fn char(self) -> char;
}

impl Rune for char {
    fn char(self) -> char {
        self
    }
}

impl Rune for u8 {
    fn char(self) -> char {
        self as char
    }
}

fn less_runes<R: Rune>(ar: &[R], br: &[R], v3: bool) -> bool {
    let mut digits = false;
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            digits = is_digit(ar[i].char());
            continue;
        }
        let al = is_letter(ar[i].char());
        let bl = is_letter(br[i].char());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return if v3 && digits { al } else { bl };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i].char() == '0' || br[i].char() == '0' {
            let mut j = i;
            while j > 0 && is_digit(ar[j - 1].char()) {
                j -= 1;
                if ar[j].char() != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && is_digit(ar[ai].char()) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(ar[ai].char()));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && is_digit(br[bi].char()) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(br[bi].char()));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}

/// An `Ordering` built from [`key_less`].
pub fn key_cmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    ordering(key_less(a, b), key_less(b, a))
}

/// An `Ordering` built from [`key_less_v3`].
pub fn key_cmp_v3(a: &str, b: &str) -> Ordering {
    ordering(key_less_v3(a, b), key_less_v3(b, a))
}

fn ordering(less: bool, greater: bool) -> Ordering {
    if less {
        Ordering::Less
    } else if greater {
        Ordering::Greater
    } else {
        Ordering::Equal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_letters_first_after_digits() {
        assert!(key_less("a1_", "a1b"));
        assert!(key_less_v3("a1b", "a1_"));
        assert!(key_less_v3("_x", "a"));
    }

    #[test]
    fn natural_order() {
        let mut keys = vec![
            "a10", "é", "Z", "a2", "_x", "a.b", "10", "a", "9", "B", "1", "a-b",
        ];
        keys.sort_by(|a, b| key_cmp(a, b));
        assert_eq!(
            keys,
            vec!["_x", "1", "9", "10", "B", "Z", "a", "a-b", "a.b", "a2", "a10", "é"]
        );
    }
}

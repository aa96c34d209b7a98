//! `like` / `ilike` patterns: their parse and the normative matcher.
//!
//! A pattern is a sequence of characters in which `%` matches any sequence of
//! characters (also none), `_` exactly one character (one Unicode scalar value), and
//! `\` makes the next character literal (`\%`, `\_`, `\\`). A pattern that ends in a
//! lone `\` is invalid. The whole value must match. `like` compares characters exactly;
//! `ilike` treats ASCII letters as equal to their other case (`A`-`Z` and `a`-`z`) and
//! compares every other character exactly. Drivers translate the parsed tokens into
//! their own pattern language and must give the answers of [`like_match`].

use crate::{Error, Result};

/// One element of a parsed pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LikeToken {
    /// This character, literally.
    Char(char),
    /// `_`: exactly one character.
    One,
    /// `%`: any sequence of characters, also the empty one.
    Any,
}

/// Parses a `like` pattern; a trailing lone `\` is `InvalidValue`.
pub fn parse_like(pattern: &str) -> Result<Vec<LikeToken>> {
    let mut out = Vec::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        out.push(match c {
            '%' => LikeToken::Any,
            '_' => LikeToken::One,
            '\\' => match chars.next() {
                Some(next) => LikeToken::Char(next),
                None => {
                    return Err(Error::invalid_value(format!(
                        "the like pattern {pattern:?} ends with the escape character `\\`; \
                         write `\\\\` to match a backslash"
                    )))
                }
            },
            c => LikeToken::Char(c),
        });
    }
    Ok(out)
}

/// Whether `value` matches `pattern` (see the module docs); `ascii_ci` is `ilike`.
pub fn like_match(value: &str, pattern: &str, ascii_ci: bool) -> Result<bool> {
    let tokens = parse_like(pattern)?;
    let value: Vec<char> = value.chars().collect();
    Ok(match_tokens(&value, &tokens, ascii_ci))
}

fn same(a: char, b: char, ascii_ci: bool) -> bool {
    if ascii_ci {
        a.eq_ignore_ascii_case(&b)
    } else {
        a == b
    }
}

/// Wildcard matching with one backtrack point: on a mismatch, the last `%` absorbs one
/// more character. Linear in space, O(value * pattern) in time.
fn match_tokens(value: &[char], tokens: &[LikeToken], ascii_ci: bool) -> bool {
    let (mut v, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while v < value.len() {
        match tokens.get(t) {
            Some(LikeToken::Any) => {
                star = Some((t, v));
                t += 1;
            }
            Some(LikeToken::One) => {
                v += 1;
                t += 1;
            }
            Some(LikeToken::Char(c)) if same(*c, value[v], ascii_ci) => {
                v += 1;
                t += 1;
            }
            _ => match star {
                Some((st, sv)) => {
                    star = Some((st, sv + 1));
                    t = st + 1;
                    v = sv + 1;
                }
                None => return false,
            },
        }
    }
    tokens[t..].iter().all(|tok| *tok == LikeToken::Any)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: &str, p: &str) -> bool {
        like_match(v, p, false).unwrap()
    }

    #[test]
    fn wildcards() {
        assert!(m("Alice", "Al%"));
        assert!(m("Alice", "%ice"));
        assert!(m("Alice", "A_i%e"));
        assert!(m("", "%"));
        assert!(!m("", "_"));
        assert!(m("é", "_"));
        assert!(m("🎉x", "_x"));
        assert!(!m("Alice", "Al"));
        assert!(m("abcabcx", "%abc_"));
        assert!(m("a%b", "a\\%b"));
        assert!(!m("axb", "a\\%b"));
        assert!(m("a_b", "a\\_b"));
        assert!(m("a\\b", "a\\\\b"));
        assert!(m("a\0b", "a_b"));
        assert!(!m("a\0b", "a"));
    }

    #[test]
    fn case() {
        assert!(!m("alice", "Al%"));
        assert!(like_match("alice", "AL%", true).unwrap());
        assert!(!like_match("äx", "Ä%", true).unwrap());
        assert!(like_match("Ä", "Ä", true).unwrap());
    }

    #[test]
    fn trailing_escape() {
        let err = like_match("a", "a\\", false).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidValue);
    }
}

//! Literal, case-sensitive string pattern tests (`starts_with`, `ends_with`,
//! `contains`).
//!
//! On MySQL/MariaDB `starts_with` is `LEFT(col, n) = prefix` rather than `LIKE`: see
//! the comment in [`write`] (a MariaDB index bug).
//!
//! PostgreSQL and MySQL use `LIKE ... ESCAPE '!'` over a bound pattern in which `!`, `%`
//! and `_` are escaped; case sensitivity comes from the column collation (`"C"` and the
//! binary no-pad collation). SQLite's `LIKE` ignores ASCII case and `GLOB` cannot match a
//! value holding NUL, so on SQLite the test compares bytes: the column is cast to a
//! `BLOB` (UTF-8 bytes, NUL included) and compared with `substr`/`instr` against the
//! pattern bound as a `BLOB`. Byte-wise matching of UTF-8 equals character-wise matching
//! because UTF-8 is self-synchronizing. An empty pattern becomes a NULL-preserving
//! `length(...) >= 0`, and a length test guards `substr`, which yields NULL (not an
//! empty BLOB) for the empty string.
//!
//! `like` / `ilike` (`toasty_core::stmt::like`): the pattern is parsed and written again
//! in the database's language, escaped with `!`, so the contract's `\` escape means the
//! same everywhere.
//! * PostgreSQL: `LIKE` and `ILIKE`. Columns use the `"C"` collation, under which `LIKE`
//!   compares code points and `ILIKE` folds ASCII letters only.
//! * MySQL/MariaDB: `LIKE` under the binary no-pad collation is case-sensitive; the
//!   column is wrapped in `CONCAT(..)` so no index range is used (the MariaDB bug
//!   above). `ilike` lowers ASCII letters only, on both sides: the pattern in Rust, the
//!   value with one case-sensitive `REPLACE` per letter (`LOWER` would fold `Ä` too).
//! * SQLite: [`SQLITE_LIKE_FUNCTION`], which the SQLite driver registers and which runs
//!   the reference matcher (SQLite's `LIKE` ignores ASCII case, and `LIKE` and `GLOB`
//!   stop at a NUL character).

use crate::writer::Writer;
use crate::Dialect;
use toasty_core::stmt::like::{parse_like, LikeToken};
use toasty_core::stmt::PatternOp;
use toasty_core::{Result, Type, Value};

/// The escape character used in `LIKE` patterns.
pub const LIKE_ESCAPE: char = '!';

/// The SQL function that tests `like` / `ilike` on SQLite:
/// `toasty_like(value, pattern, ascii_ci)`, with the contract's pattern syntax. The
/// SQLite driver registers it on every connection.
pub const SQLITE_LIKE_FUNCTION: &str = "toasty_like";

/// The SQL function that changes a numeric value relative to its stored value on
/// SQLite: `toasty_arith(stored, operand, op, type)` with `op` `'+'` or `'-'` and `type`
/// the field's Rust type name (`'i8'`, `'u64'`, `'f32'`, ..). It computes
/// `toasty_core::stmt::Arith::apply` and fails the statement (with a message starting
/// [`SQLITE_ARITH_OUT_OF_RANGE`]) when the result does not fit the type. The SQLite
/// driver registers it on every connection.
pub const SQLITE_ARITH_FUNCTION: &str = "toasty_arith";

/// How the message of a failed [`SQLITE_ARITH_FUNCTION`] call starts, so the SQLite
/// driver can report it as `ValueOutOfRange`.
pub const SQLITE_ARITH_OUT_OF_RANGE: &str = "toasty_arith: out of range: ";

/// Rewrites a contract `like` pattern as a SQL `LIKE` pattern escaped with `!`; with
/// `lower_ascii`, ASCII letters of literal characters are lowered.
pub fn sql_like_pattern(pattern: &str, lower_ascii: bool) -> Result<String> {
    let mut out = String::with_capacity(pattern.len());
    for token in parse_like(pattern)? {
        match token {
            LikeToken::Any => out.push('%'),
            LikeToken::One => out.push('_'),
            LikeToken::Char(c) => {
                if c == '%' || c == '_' || c == LIKE_ESCAPE {
                    out.push(LIKE_ESCAPE);
                }
                out.push(if lower_ascii {
                    c.to_ascii_lowercase()
                } else {
                    c
                });
            }
        }
    }
    Ok(out)
}

/// Writes a `like` / `ilike` test (see the module docs).
fn write_like(
    w: &mut Writer,
    op: PatternOp,
    pattern: &str,
    subject: &mut dyn FnMut(&mut Writer) -> Result<()>,
) -> Result<()> {
    let ci = op == PatternOp::ILike;
    match w.dialect {
        Dialect::Postgres => {
            w.push("(");
            subject(w)?;
            w.push(if ci { " ILIKE " } else { " LIKE " });
            w.param(
                Value::String(sql_like_pattern(pattern, false)?),
                Type::String,
            )?;
            w.push(" ESCAPE '!')");
        }
        Dialect::Mysql => {
            w.push("(");
            if ci {
                for _ in 'A'..='Z' {
                    w.push("REPLACE(");
                }
                subject(w)?;
                for c in 'A'..='Z' {
                    w.push(&format!(", '{c}', '{}')", c.to_ascii_lowercase()));
                }
            } else {
                w.push("CONCAT(");
                subject(w)?;
                w.push(")");
            }
            w.push(" LIKE ");
            w.param(Value::String(sql_like_pattern(pattern, ci)?), Type::String)?;
            w.push(" ESCAPE '!')");
        }
        Dialect::Sqlite => {
            // Fail here, like the other dialects, for an invalid pattern.
            parse_like(pattern)?;
            w.push(SQLITE_LIKE_FUNCTION);
            w.push("(");
            subject(w)?;
            w.push(", ");
            w.param(Value::String(pattern.to_string()), Type::String)?;
            w.push(if ci { ", 1)" } else { ", 0)" });
        }
    }
    Ok(())
}

/// Escapes `pattern` for `LIKE ... ESCAPE '!'` and adds the wildcards for `op`.
pub fn like_pattern(op: PatternOp, pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 2);
    if matches!(op, PatternOp::EndsWith | PatternOp::Contains) {
        out.push('%');
    }
    for c in pattern.chars() {
        if c == '%' || c == '_' || c == LIKE_ESCAPE {
            out.push(LIKE_ESCAPE);
        }
        out.push(c);
    }
    if matches!(op, PatternOp::StartsWith | PatternOp::Contains) {
        out.push('%');
    }
    out
}

/// Writes the pattern test; `subject` writes the tested expression (it may be called
/// more than once).
pub(crate) fn write(
    w: &mut Writer,
    op: PatternOp,
    pattern: &str,
    subject: &mut dyn FnMut(&mut Writer) -> Result<()>,
) -> Result<()> {
    if op.is_like() {
        return write_like(w, op, pattern, subject);
    }
    match w.dialect {
        // MariaDB 10.11's range optimizer misses values whose character after the prefix
        // lies outside the Basic Multilingual Plane when `LIKE 'A%'` uses an index on a
        // binary collation (`'A🎉'` is not found; without the index it is). A prefix
        // test by characters never goes through that path, and is exact under the
        // binary no-pad collation the columns and the connection use.
        Dialect::Mysql if op == PatternOp::StartsWith => {
            w.push("(LEFT(");
            subject(w)?;
            w.push(", ");
            w.param(Value::I64(pattern.chars().count() as i64), Type::I64)?;
            w.push(") = ");
            w.param(Value::String(pattern.to_string()), Type::String)?;
            w.push(")");
        }
        Dialect::Postgres | Dialect::Mysql => {
            w.push("(");
            subject(w)?;
            w.push(" LIKE ");
            w.param(Value::String(like_pattern(op, pattern)), Type::String)?;
            w.push(" ESCAPE '!')");
        }
        Dialect::Sqlite => {
            let bytes = Value::Bytes(pattern.as_bytes().to_vec());
            let len = Value::I64(pattern.len() as i64);
            let mut blob = |w: &mut Writer| -> Result<()> {
                w.push("CAST(");
                subject(w)?;
                w.push(" AS BLOB)");
                Ok(())
            };
            if pattern.is_empty() {
                // Every string starts with, ends with and contains "": true, or NULL for
                // a NULL subject.
                w.push("(length(");
                blob(w)?;
                w.push(") >= 0)");
                return Ok(());
            }
            // SQLite's substr() returns NULL for a zero-length BLOB, so the length test
            // comes first: it makes the empty string false rather than NULL.
            match op {
                PatternOp::StartsWith => {
                    w.push("(length(");
                    blob(w)?;
                    w.push(") >= ");
                    w.param(len.clone(), Type::I64)?;
                    w.push(" AND substr(");
                    blob(w)?;
                    w.push(", 1, ");
                    w.param(len, Type::I64)?;
                    w.push(") = ");
                    w.param(bytes, Type::Bytes)?;
                    w.push(")");
                }
                PatternOp::EndsWith => {
                    w.push("(length(");
                    blob(w)?;
                    w.push(") >= ");
                    w.param(len.clone(), Type::I64)?;
                    w.push(" AND substr(");
                    blob(w)?;
                    w.push(", length(");
                    blob(w)?;
                    w.push(") - ");
                    w.param(len, Type::I64)?;
                    w.push(" + 1) = ");
                    w.param(bytes, Type::Bytes)?;
                    w.push(")");
                }
                PatternOp::Contains => {
                    w.push("(instr(");
                    blob(w)?;
                    w.push(", ");
                    w.param(bytes, Type::Bytes)?;
                    w.push(") > 0)");
                }
                // Written by `write_like`, which `write` calls first.
                PatternOp::Like | PatternOp::ILike => {}
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_escaping() {
        assert_eq!(like_pattern(PatternOp::StartsWith, "50%_!"), "50!%!_!!%");
        assert_eq!(like_pattern(PatternOp::EndsWith, "a\\b"), "%a\\b");
        assert_eq!(like_pattern(PatternOp::Contains, ""), "%%");
    }

    #[test]
    fn like_rewriting() {
        assert_eq!(sql_like_pattern("A_%", false).unwrap(), "A_%");
        assert_eq!(sql_like_pattern("50\\%!\\_", false).unwrap(), "50!%!!!_");
        assert_eq!(sql_like_pattern("\\\\Ab", true).unwrap(), "\\ab");
        assert_eq!(sql_like_pattern("ÄB", true).unwrap(), "Äb");
        assert!(sql_like_pattern("a\\", false).is_err());
    }
}

//! Raw SQL ([`toasty_core::driver::RawSql`]): the user's text with `?` placeholders,
//! translated to the dialect's placeholders, and its values as bind [`Param`]s.
//!
//! The text is scanned once: a `?` outside string literals (`'..'`, `".."`), quoted
//! identifiers (`` `..` ``), comments (`-- ..`, `/* .. */`) and PostgreSQL
//! dollar-quoted strings (`$tag$ .. $tag$`) is a placeholder; `??` is a literal `?`.
//! Placeholders become `?1`, `?2`, .. on SQLite, `$1`, `$2`, .. on PostgreSQL and stay
//! `?` on MySQL. Their number must equal the number of values (`InvalidStatement`
//! otherwise, before anything is sent).

use crate::{Dialect, Output, Param, Statement};
use toasty_core::driver::RawSql;
use toasty_core::{Error, Result, Type, Value};

/// The statement a driver runs for `raw`. Its output is `Affected` for a statement,
/// and `Rows` for a query: with the given column types, or empty when the driver is to
/// take each column's type from the database.
pub fn raw_statement(dialect: Dialect, raw: &RawSql) -> Result<Statement> {
    let sql = translate(dialect, &raw.sql, raw.params.len())?;
    let mut params = Vec::with_capacity(raw.params.len());
    for (i, (value, ty)) in raw.params.iter().enumerate() {
        params.push(param(i + 1, value, *ty)?);
    }
    let output = if !raw.rows {
        Output::Affected
    } else {
        Output::Rows(raw.column_types.clone().unwrap_or_default())
    };
    Ok(Statement {
        sql,
        params,
        output,
    })
}

fn param(n: usize, value: &Value, ty: Type) -> Result<Param> {
    if let Value::U64(v) = value {
        return Err(Error::out_of_range(format!(
            "raw SQL parameter {n} is {v}, above i64::MAX: SQL databases store integers as \
             signed 64-bit values"
        )));
    }
    if !value.is_null() {
        ty.check_with(value, || format!("raw SQL parameter {n}"))?;
    }
    Ok(Param::scalar(value.clone(), ty))
}

/// `sql` with its `?` placeholders in `dialect`'s form, checked to number `expected`.
pub fn translate(dialect: Dialect, sql: &str, expected: usize) -> Result<String> {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut count = 0usize;
    let mut chars = sql.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                out.push(c);
                // Until the closing quote; a doubled quote is an escaped one.
                loop {
                    match chars.next() {
                        Some((_, d)) if d == c => {
                            out.push(d);
                            if chars.peek().map(|&(_, e)| e) == Some(c) {
                                if let Some((_, e)) = chars.next() {
                                    out.push(e);
                                }
                                continue;
                            }
                            break;
                        }
                        Some((_, d)) => out.push(d),
                        None => return Err(unterminated("a quoted string or identifier")),
                    }
                }
            }
            '-' if chars.peek().map(|&(_, d)| d) == Some('-') => {
                out.push(c);
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if d == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().map(|&(_, d)| d) == Some('*') => {
                out.push(c);
                let mut prev = '\0';
                let mut closed = false;
                for (_, d) in chars.by_ref() {
                    out.push(d);
                    if prev == '*' && d == '/' && out.len() > 2 {
                        closed = true;
                        break;
                    }
                    prev = d;
                }
                if !closed {
                    return Err(unterminated("a /* comment"));
                }
            }
            '$' if dialect == Dialect::Postgres => {
                // A dollar-quoted string: $tag$ .. $tag$ (the tag may be empty).
                let rest = &sql[i + 1..];
                let tag_len = rest
                    .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                let starts_digit = rest.chars().next().is_some_and(|ch| ch.is_ascii_digit());
                if !starts_digit && rest[tag_len..].starts_with('$') {
                    let delimiter = &sql[i..i + tag_len + 2];
                    let body_start = i + delimiter.len();
                    let Some(end) = sql[body_start..].find(delimiter) else {
                        return Err(unterminated("a dollar-quoted string"));
                    };
                    let stop = body_start + end + delimiter.len();
                    out.push_str(&sql[i..stop]);
                    while chars.peek().is_some_and(|&(j, _)| j < stop) {
                        chars.next();
                    }
                } else {
                    out.push(c);
                }
            }
            '?' => {
                if chars.peek().map(|&(_, d)| d) == Some('?') {
                    chars.next();
                    out.push('?');
                    continue;
                }
                count += 1;
                match dialect {
                    Dialect::Sqlite => {
                        out.push('?');
                        out.push_str(&count.to_string());
                    }
                    Dialect::Postgres => {
                        out.push('$');
                        out.push_str(&count.to_string());
                    }
                    Dialect::Mysql => out.push('?'),
                }
            }
            _ => out.push(c),
        }
    }
    if count != expected {
        return Err(Error::invalid_statement(format!(
            "the raw SQL has {count} placeholder(s) (`?`) but {expected} value(s) are bound; \
             bind one value per `?` (write `??` for a literal `?`)"
        )));
    }
    Ok(out)
}

fn unterminated(what: &str) -> Error {
    Error::invalid_statement(format!("the raw SQL has {what} that is never closed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_per_dialect() {
        let sql =
            "SELECT a FROM t WHERE a = ? AND b <> '?' AND \"c?\" = ? -- ?\n/* ? */ AND d ?? e";
        assert_eq!(
            translate(Dialect::Postgres, sql, 2).unwrap(),
            "SELECT a FROM t WHERE a = $1 AND b <> '?' AND \"c?\" = $2 -- ?\n/* ? */ AND d ? e"
        );
        assert_eq!(
            translate(Dialect::Sqlite, sql, 2).unwrap(),
            "SELECT a FROM t WHERE a = ?1 AND b <> '?' AND \"c?\" = ?2 -- ?\n/* ? */ AND d ? e"
        );
        assert_eq!(
            translate(Dialect::Mysql, sql, 2).unwrap(),
            "SELECT a FROM t WHERE a = ? AND b <> '?' AND \"c?\" = ? -- ?\n/* ? */ AND d ? e"
        );
    }

    #[test]
    fn escaped_quotes_and_dollar_strings() {
        assert_eq!(
            translate(
                Dialect::Postgres,
                "SELECT 'it''s ?', $$ ? $$, $x$ ? $x$, ?",
                1
            )
            .unwrap(),
            "SELECT 'it''s ?', $$ ? $$, $x$ ? $x$, $1"
        );
        assert_eq!(
            translate(Dialect::Postgres, "SELECT $1", 0).unwrap(),
            "SELECT $1"
        );
    }

    #[test]
    fn counts_must_match() {
        let e = translate(Dialect::Sqlite, "SELECT ?", 2).unwrap_err();
        assert_eq!(e.kind(), toasty_core::ErrorKind::InvalidStatement);
        assert!(e.message().contains("1 placeholder"), "{e}");
        let e = translate(Dialect::Sqlite, "SELECT 'open", 0).unwrap_err();
        assert!(e.message().contains("never closed"), "{e}");
    }
}

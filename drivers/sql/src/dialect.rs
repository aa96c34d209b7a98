//! The SQL dialects Toasty targets and the spelling rules that differ between them:
//! identifier quoting, placeholders, `RETURNING` and parameter limits.
//!
//! This module knows nothing about operations; it only answers "how is X written in
//! dialect D".

use toasty_core::{Error, Result};

/// An SQL dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// SQLite 3.35 or later (for `RETURNING`).
    Sqlite,
    /// PostgreSQL 11 or later.
    Postgres,
    /// MySQL 8 or MariaDB 10.5 or later.
    Mysql,
}

impl Dialect {
    /// Every dialect, for tests that cover them all.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::Mysql];

    /// A short lowercase name ("sqlite", "postgres", "mysql").
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::Mysql => "mysql",
        }
    }

    /// `true` when `INSERT`/`UPDATE ... RETURNING` is available (SQLite, PostgreSQL).
    ///
    /// On MySQL the serializer emits the plain write; the MySQL driver fetches generated
    /// keys with `LAST_INSERT_ID()` and re-reads updated rows itself.
    pub fn supports_returning(self) -> bool {
        !matches!(self, Dialect::Mysql)
    }

    /// The most bind parameters one statement may carry. Larger inserts are split into
    /// several statements, which the driver runs in one transaction.
    pub fn max_params(self) -> usize {
        match self {
            // SQLITE_MAX_VARIABLE_NUMBER defaults to 32766 since SQLite 3.32.
            Dialect::Sqlite => 32_766,
            Dialect::Postgres | Dialect::Mysql => 65_535,
        }
    }

    /// Quotes an identifier: `"name"` (SQLite, PostgreSQL) or `` `name` `` (MySQL), with
    /// an embedded quote character doubled.
    ///
    /// Identifiers containing NUL cannot be represented on any backend and are rejected.
    pub fn quote_ident(self, name: &str) -> Result<String> {
        let mut out = String::with_capacity(name.len() + 2);
        self.push_quoted_ident(&mut out, name)?;
        Ok(out)
    }

    /// Appends `name` quoted as by [`Dialect::quote_ident`] to `out`, without an
    /// intermediate allocation (the serializer's hot path).
    pub fn push_quoted_ident(self, out: &mut String, name: &str) -> Result<()> {
        let q = match self {
            Dialect::Mysql => b'`',
            Dialect::Sqlite | Dialect::Postgres => b'"',
        };
        // One pass over the bytes decides: most names need neither rejection nor
        // escaping (both characters are ASCII, so no UTF-8 sequence contains them).
        if name.bytes().any(|b| b == 0 || b == q) {
            return self.push_quoted_ident_escaped(out, name, char::from(q));
        }
        out.reserve(name.len() + 2);
        out.push(char::from(q));
        out.push_str(name);
        out.push(char::from(q));
        Ok(())
    }

    /// [`Dialect::push_quoted_ident`] for a name that contains NUL (an error) or the
    /// quote character `q` (doubled).
    fn push_quoted_ident_escaped(self, out: &mut String, name: &str, q: char) -> Result<()> {
        if name.contains('\0') {
            return Err(Error::invalid_schema(format!(
                "the identifier {name:?} contains a NUL character, which no SQL database \
                 accepts in a name; rename the table, column or index"
            )));
        }
        out.push(q);
        for c in name.chars() {
            if c == q {
                out.push(q);
            }
            out.push(c);
        }
        out.push(q);
        Ok(())
    }

    /// The placeholder for the `n`-th parameter (1-based): `?` or `$n`.
    pub fn placeholder(self, n: usize) -> String {
        let mut out = String::new();
        self.push_placeholder(&mut out, n);
        out
    }

    /// Appends the placeholder for the `n`-th parameter (1-based) to `out`.
    pub fn push_placeholder(self, out: &mut String, n: usize) {
        match self {
            Dialect::Postgres => {
                out.push('$');
                push_decimal(out, n);
            }
            Dialect::Sqlite | Dialect::Mysql => out.push('?'),
        }
    }
}

/// Appends `n` in decimal (cheaper than `write!`, which this runs for every parameter).
fn push_decimal(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[start..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(Dialect::Sqlite.quote_ident("a\"b").unwrap(), "\"a\"\"b\"");
        assert_eq!(Dialect::Postgres.quote_ident("a`b").unwrap(), "\"a`b\"");
        assert_eq!(Dialect::Mysql.quote_ident("a`b\"").unwrap(), "`a``b\"`");
        assert!(Dialect::Mysql.quote_ident("a\0").is_err());
        assert!(Dialect::Postgres.quote_ident("a\"\0").is_err());
        assert_eq!(
            Dialect::Mysql.quote_ident("plain_ñame").unwrap(),
            "`plain_ñame`"
        );
        assert_eq!(Dialect::Sqlite.quote_ident("").unwrap(), "\"\"");
        let mut out = String::from("x ");
        Dialect::Postgres
            .push_quoted_ident(&mut out, "t\"")
            .unwrap();
        assert_eq!(out, "x \"t\"\"\"");
    }

    #[test]
    fn placeholders() {
        assert_eq!(Dialect::Postgres.placeholder(3), "$3");
        assert_eq!(Dialect::Postgres.placeholder(10), "$10");
        assert_eq!(Dialect::Postgres.placeholder(65535), "$65535");
        assert_eq!(Dialect::Sqlite.placeholder(3), "?");
        assert_eq!(Dialect::Mysql.placeholder(1), "?");
    }
}

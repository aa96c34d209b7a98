//! Quoting SQL text in error messages only as far as needed.
//!
//! A driver error names the statement that failed, but a statement can be long (an
//! insert of thousands of rows, a filter with thousands of conditions): quoting all of
//! it buries the reason under kilobytes of `?, ?, ..`. Every SQL driver quotes statements
//! through [`shorten_sql`], which keeps the first [`SQL_QUOTE_LEN`] bytes and says how
//! much was left out. Bind parameters are never quoted.

use std::borrow::Cow;

/// The most bytes of a statement an error message quotes.
pub const SQL_QUOTE_LEN: usize = 200;

/// `sql` itself when it is at most [`SQL_QUOTE_LEN`] bytes long; otherwise its first
/// [`SQL_QUOTE_LEN`] bytes (cut at a character boundary) followed by
/// `… (N more bytes)`.
pub fn shorten_sql(sql: &str) -> Cow<'_, str> {
    if sql.len() <= SQL_QUOTE_LEN {
        return Cow::Borrowed(sql);
    }
    let mut cut = SQL_QUOTE_LEN;
    while !sql.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!("{}… ({} more bytes)", &sql[..cut], sql.len() - cut))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_statements_are_quoted_whole() {
        assert_eq!(shorten_sql("SELECT 1"), "SELECT 1");
        let exact = "x".repeat(SQL_QUOTE_LEN);
        assert!(matches!(shorten_sql(&exact), Cow::Borrowed(s) if s == exact));
    }

    #[test]
    fn long_statements_keep_their_start_and_say_what_was_left_out() {
        let sql = format!(
            "SELECT * FROM t WHERE {}",
            vec!["(\"age\" = ?)"; 1_000].join(" OR ")
        );
        let short = shorten_sql(&sql);
        assert!(short.starts_with("SELECT * FROM t WHERE (\"age\" = ?) OR"));
        assert!(short.ends_with(&format!("… ({} more bytes)", sql.len() - SQL_QUOTE_LEN)));
        assert!(short.len() < SQL_QUOTE_LEN + 30, "{}", short.len());
    }

    #[test]
    fn cuts_fall_on_character_boundaries() {
        // 199 ASCII bytes, then a 4-byte character across the cut.
        let sql = format!("{}🎉{}", "a".repeat(SQL_QUOTE_LEN - 1), "b".repeat(50));
        let short = shorten_sql(&sql);
        assert!(short.starts_with(&"a".repeat(SQL_QUOTE_LEN - 1)));
        assert!(
            short.contains(&format!("… ({} more bytes)", 4 + 50)),
            "{short}"
        );
        assert!(!short.contains('🎉'));
    }
}

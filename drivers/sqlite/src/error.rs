//! Mapping SQLite errors onto [`toasty_core::ErrorKind`]s.

use rusqlite::ffi;
use toasty_core::Error;

/// The user transaction a statement runs in, which decides what some errors mean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tx {
    /// No user transaction (an operation's own transaction does not count).
    None,
    /// A read-write transaction.
    ReadWrite,
    /// A read-only transaction (`PRAGMA query_only = ON`).
    ReadOnly,
}

/// Converts a rusqlite error into a Toasty error of the matching kind. SQLite's own
/// message (which names the table and column of a failed constraint, e.g. `UNIQUE
/// constraint failed: users.email`) is kept in the message.
pub(crate) fn map(err: rusqlite::Error, sql: &str) -> Error {
    map_in(err, sql, Tx::None)
}

/// [`map`] for a statement run inside the user transaction `tx`: there SQLITE_BUSY and
/// SQLITE_LOCKED are serialization failures (another connection wrote since this
/// transaction read, or holds the write lock), and SQLITE_READONLY in a read-only
/// transaction is a refused write.
pub(crate) fn map_in(err: rusqlite::Error, sql: &str, tx: Tx) -> Error {
    if let rusqlite::Error::SqliteFailure(e, msg) = &err {
        let detail = msg.clone().unwrap_or_else(|| e.to_string());
        match (e.code, tx) {
            (rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked, t)
                if t != Tx::None =>
            {
                return Error::serialization_failure(format!(
                    "{detail}: this transaction conflicted with another connection (it \
                     changed the database since this transaction read it, or holds the \
                     write lock); roll back and retry the whole transaction"
                ))
                .with_source(err);
            }
            (rusqlite::ErrorCode::ReadOnly, Tx::ReadOnly) => {
                return Error::read_only_transaction(format!(
                    "{detail}: this transaction is read-only, so it cannot write; do not \
                     write in a read-only transaction (begin a read-write one to write)"
                ))
                .with_source(err);
            }
            _ => {}
        }
        match e.extended_code {
            ffi::SQLITE_CONSTRAINT_PRIMARYKEY | ffi::SQLITE_CONSTRAINT_UNIQUE => {
                return Error::unique_violation(format!(
                    "{detail}: a row with the same key or unique value already exists"
                ))
                .with_source(err);
            }
            ffi::SQLITE_CONSTRAINT_NOTNULL => {
                return Error::invalid_value(format!(
                    "{detail}: the column does not accept NULL; give it a value or make \
                     the field an Option"
                ))
                .with_source(err);
            }
            _ => {}
        }
        if let Some(rest) = detail.strip_prefix(toasty_sql::SQLITE_ARITH_OUT_OF_RANGE) {
            return Error::out_of_range(rest.to_string()).with_source(err);
        }
        if e.code == rusqlite::ErrorCode::CannotOpen {
            return Error::connection(format!("SQLite could not open the database: {detail}"))
                .with_source(err);
        }
    }
    let quoted = toasty_sql::shorten_sql(sql);
    if let rusqlite::Error::SqlInputError { msg, offset, .. } = &err {
        // Its own message repeats the whole statement: say it once, shortened.
        return Error::driver(format!(
            "SQLite could not prepare `{quoted}`: {msg} (at byte {offset})"
        ));
    }
    Error::driver(format!("SQLite failed to run `{quoted}`: {err}")).with_source(err)
}

/// The error for a poisoned connection lock (a previous operation panicked mid-way).
pub(crate) fn poisoned() -> Error {
    Error::connection(
        "the SQLite connection is unusable because an earlier operation panicked while \
         holding it; open a new driver",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long_sql() -> String {
        let conditions = vec!["(\"age\" = ?)"; 1_000].join(" OR ");
        format!("SELECT \"id\" FROM \"people\" WHERE {conditions}")
    }

    #[test]
    fn errors_quote_long_statements_in_part() {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        let sql = long_sql();
        // 1,000 ORs: SQLite refuses the expression tree at prepare time.
        let err = map(conn.prepare(&sql).expect_err("too deep"), &sql);
        let msg = err.to_string();
        assert!(msg.len() < 500, "{} bytes: {msg}", msg.len());
        assert!(msg.contains("Expression tree is too large"), "{msg}");
        assert!(
            msg.contains(&format!(
                "… ({} more bytes)",
                sql.len() - toasty_sql::SQL_QUOTE_LEN
            )),
            "{msg}"
        );
        // A syntax error (rusqlite repeats the statement in its own message).
        let bad = format!("{sql} AND AND");
        conn.execute_batch("CREATE TABLE people (id INTEGER, age INTEGER)")
            .expect("create");
        let err = map(conn.prepare(&bad).expect_err("syntax"), &bad);
        let msg = err.to_string();
        assert!(msg.len() < 500, "{} bytes: {msg}", msg.len());
        assert!(msg.contains("more bytes"), "{msg}");
    }

    #[test]
    fn short_statements_are_quoted_whole() {
        let conn = rusqlite::Connection::open_in_memory().expect("open");
        let sql = "SELECT x FROM nowhere";
        let err = map(conn.prepare(sql).expect_err("no table"), sql);
        assert!(err.to_string().contains("`SELECT x FROM nowhere`"), "{err}");
    }
}

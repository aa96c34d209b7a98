//! Mapping SQLite errors onto [`toasty_core::ErrorKind`]s.

use rusqlite::ffi;
use toasty_core::Error;

/// Converts a rusqlite error into a Toasty error of the matching kind. SQLite's own
/// message (which names the table and column of a failed constraint, e.g. `UNIQUE
/// constraint failed: users.email`) is kept in the message.
pub(crate) fn map(err: rusqlite::Error, sql: &str) -> Error {
    if let rusqlite::Error::SqliteFailure(e, msg) = &err {
        let detail = msg.clone().unwrap_or_else(|| e.to_string());
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
        if e.code == rusqlite::ErrorCode::CannotOpen {
            return Error::connection(format!("SQLite could not open the database: {detail}"))
                .with_source(err);
        }
    }
    Error::driver(format!("SQLite failed to run `{sql}`: {err}")).with_source(err)
}

/// The error for a poisoned connection lock (a previous operation panicked mid-way).
pub(crate) fn poisoned() -> Error {
    Error::connection(
        "the SQLite connection is unusable because an earlier operation panicked while \
         holding it; open a new driver",
    )
}

//! Mapping PostgreSQL errors onto [`toasty_core::ErrorKind`]s.
//!
//! | SQLSTATE / failure | kind |
//! |---|---|
//! | `23505` unique_violation | `UniqueViolation` |
//! | `23502` not_null_violation, `22021`/`22P05` bad characters | `InvalidValue` |
//! | `22003` numeric_value_out_of_range | `ValueOutOfRange` |
//! | class `08`, `57P01`-`57P03`, `53300`, a closed connection, an I/O error | `Connection` |
//! | anything else | `Driver` |

use std::time::Duration;
use toasty_core::Error;
use tokio_postgres::error::DbError;

/// Converts an error that happened while running `sql`.
pub(crate) fn map(err: tokio_postgres::Error, sql: &str) -> Error {
    if let Some(db) = err.as_db_error() {
        let detail = describe(db);
        let code = db.code().code();
        let mapped = match code {
            "23505" => Error::unique_violation(format!(
                "{detail}: a row with the same key or unique value already exists"
            )),
            "23502" => Error::invalid_value(format!(
                "{detail}: the column does not accept NULL; give it a value or make the field \
                 an Option"
            )),
            "22003" => Error::out_of_range(format!(
                "{detail}: the value does not fit the column's type"
            )),
            "22021" | "22P05" => Error::invalid_value(format!(
                "{detail}: PostgreSQL cannot store this text (NUL or invalid characters)"
            )),
            c if is_connection_state(c) => Error::connection(format!(
                "the PostgreSQL server dropped the connection: {detail}"
            )),
            _ => Error::driver(format!("PostgreSQL failed to run `{sql}`: {detail}")),
        };
        return mapped.with_source(err);
    }
    if is_transport(&err) {
        return Error::connection(format!(
            "the connection to PostgreSQL was lost while running `{sql}` ({err}); the pool \
             opens a new connection for the next operation"
        ))
        .with_source(err);
    }
    Error::driver(format!("PostgreSQL failed to run `{sql}`: {err}")).with_source(err)
}

/// Converts an error raised while opening a connection to `target`: always a
/// connection error, with the server's reason.
pub(crate) fn connect(err: tokio_postgres::Error, target: &str) -> Error {
    let reason = match err.as_db_error() {
        Some(db) => describe(db),
        None => match std::error::Error::source(&err) {
            Some(cause) => format!("{err}: {cause}"),
            None => err.to_string(),
        },
    };
    Error::connection(format!(
        "could not connect to PostgreSQL at {target}: {reason}; check that the server runs \
         and the URL's host, port, user, password and database are right"
    ))
    .with_source(err)
}

/// The error for an operation that did not finish within `limit`.
pub(crate) fn timed_out(what: &str, limit: Duration) -> Error {
    Error::connection(format!(
        "PostgreSQL did not answer {what} within {limit:?}; the connection is abandoned (the \
         server may be down or unreachable, or the statement is blocked)"
    ))
}

/// The error for an operation on a connection that is already closed.
pub(crate) fn closed() -> Error {
    Error::connection(
        "the connection to PostgreSQL is closed (the server shut down or the network \
         failed); the pool opens a new connection for the next operation",
    )
}

fn is_connection_state(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03" | "53300")
}

/// `true` for a closed connection or an I/O failure anywhere in the error's chain.
fn is_transport(err: &tokio_postgres::Error) -> bool {
    if err.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    false
}

/// The server's message with the table, constraint, column and detail it names.
fn describe(db: &DbError) -> String {
    let mut out = format!("{} (SQLSTATE {})", db.message(), db.code().code());
    if let Some(t) = db.table() {
        out.push_str(&format!(", table `{t}`"));
    }
    if let Some(c) = db.column() {
        out.push_str(&format!(", column `{c}`"));
    }
    if let Some(c) = db.constraint() {
        out.push_str(&format!(", constraint `{c}`"));
    }
    if let Some(d) = db.detail() {
        out.push_str(&format!(": {d}"));
    }
    out
}

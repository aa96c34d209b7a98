//! Mapping MySQL / MariaDB errors onto [`toasty_core::ErrorKind`]s.
//!
//! | server / client error | kind |
//! |---|---|
//! | 1062 duplicate entry, 1586 duplicate entry for a unique key | `UniqueViolation` |
//! | 1048 column cannot be null, 1364 field has no default value | `InvalidValue` |
//! | 1264 out of range, 1690 value out of range, 1406 data too long, 167 auto-increment value out of range (MariaDB) | `ValueOutOfRange` |
//! | 1213 deadlock (the transaction was rolled back), 1205 lock wait timeout | `SerializationFailure` |
//! | 1792 write in a read-only transaction | `ReadOnlyTransaction` |
//! | 2006 / 2013 server gone away / lost connection, I/O errors, closed connection, timeouts | `Connection` |
//! | anything else | `Driver` |

use crate::tls::{self, SslMode, TlsSettings};
use mysql_async::{DriverError, Error as MyError};
use std::fmt::Display;
use toasty_core::Error;

/// Converts a `mysql_async` error into a Toasty error of the matching kind. `context`
/// says what was being done (it names the table); the server's message (naming the
/// column, value or index) is kept.
pub(crate) fn map(err: MyError, context: &(dyn Display + Sync)) -> Error {
    match &err {
        MyError::Server(e) => {
            let detail = format!("{} (MySQL error {})", e.message, e.code);
            let error = match e.code {
                1062 | 1586 => Error::unique_violation(format!(
                    "{context}: {detail}: a row with the same key or unique value already exists"
                )),
                1048 | 1364 => Error::invalid_value(format!(
                    "{context}: {detail}: the column needs a value; give it one or make the \
                     field an Option"
                )),
                1264 | 1690 | 1406 | 167 => Error::out_of_range(format!(
                    "{context}: {detail}: the value does not fit the column"
                )),
                1213 | 1205 => Error::serialization_failure(format!(
                    "{context}: {detail}: the transaction conflicted with a concurrent one \
                     (a deadlock or a lock it waited for too long); roll it back and retry \
                     the whole transaction"
                )),
                1792 => Error::read_only_transaction(format!(
                    "{context}: {detail}: this transaction is read-only, so it cannot write; \
                     do not write in a read-only transaction (begin a read-write one to write)"
                )),
                2006 | 2013 => Error::connection(format!(
                    "{context}: the connection to MySQL was lost: {detail}"
                )),
                _ => Error::driver(format!("{context}: MySQL reported {detail}")),
            };
            error.with_source(err)
        }
        MyError::Io(_) | MyError::Driver(DriverError::ConnectionClosed) => Error::connection(
            format!("{context}: the connection to MySQL failed: {err}; is the server running?"),
        )
        .with_source(err),
        MyError::Url(_) => Error::config(format!("{context}: {err}")).with_source(err),
        _ => Error::driver(format!("{context}: {err}")).with_source(err),
    }
}

/// Converts an error raised while connecting and logging in (`what` names the server,
/// never the password; `host` is the name its certificate is checked against): TLS
/// failures and refusals are [`toasty_core::ErrorKind::Connection`] errors that say
/// what to do.
pub(crate) fn connect(err: MyError, what: &str, tls: &TlsSettings, host: &str) -> Error {
    if let MyError::Driver(DriverError::NoClientSslFlagFromServer) = &err {
        return Error::connection(format!("{what}: {}", tls::no_tls_offered(tls.mode)))
            .with_source(err);
    }
    if let Some(e) = tls::rustls_error(&err) {
        return Error::connection(format!("{what}: {}", tls::explain(e, tls, host)))
            .with_source(err);
    }
    match &err {
        MyError::Server(e) => Error::connection(format!(
            "{what}: the server refused the connection: {} (MySQL error {}); check the \
             URL's user, password and database{}",
            e.message,
            e.code,
            match e.code {
                // Insecure transport refused, or an account that requires TLS.
                3159 | 1045 if tls.mode == SslMode::Disabled => {
                    " (the server may require TLS: try ssl-mode=REQUIRED)"
                }
                _ => "",
            }
        ))
        .with_source(err),
        MyError::Url(_) => map(err, &what),
        _ => Error::connection(format!(
            "{what}: the connection failed: {err}; is the server running and reachable?"
        ))
        .with_source(err),
    }
}

/// What an operation was doing, formatted into an error message only when one occurs.
pub(crate) struct Context<'a> {
    /// The operation's name.
    pub(crate) op: &'static str,
    /// The table it works on.
    pub(crate) table: &'a str,
}

impl Display for Context<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} on table `{}`", self.op, self.table)
    }
}

/// The error for an operation that did not finish in time.
pub(crate) fn timeout(context: &(dyn Display + Sync), after: std::time::Duration) -> Error {
    Error::connection(format!(
        "{context}: MySQL did not answer within {after:?}; the server may be down or \
         overloaded, and the connection is closed"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use mysql_async::ServerError;
    use toasty_core::ErrorKind;

    fn server(code: u16) -> MyError {
        MyError::Server(ServerError {
            code,
            message: "Duplicate entry 'a' for key 'PRIMARY'".into(),
            state: "23000".into(),
        })
    }

    #[test]
    fn kinds() {
        let e = map(server(1062), &"insert into `users`");
        assert_eq!(e.kind(), ErrorKind::UniqueViolation);
        assert!(e.message().contains("`users`") && e.message().contains("PRIMARY"));
        assert_eq!(map(server(1048), &"x").kind(), ErrorKind::InvalidValue);
        assert_eq!(map(server(1364), &"x").kind(), ErrorKind::InvalidValue);
        assert_eq!(map(server(1264), &"x").kind(), ErrorKind::ValueOutOfRange);
        assert_eq!(map(server(1690), &"x").kind(), ErrorKind::ValueOutOfRange);
        assert_eq!(map(server(1406), &"x").kind(), ErrorKind::ValueOutOfRange);
        assert_eq!(map(server(167), &"x").kind(), ErrorKind::ValueOutOfRange);
        assert_eq!(map(server(2013), &"x").kind(), ErrorKind::Connection);
        assert_eq!(
            map(server(1213), &"x").kind(),
            ErrorKind::SerializationFailure
        );
        assert_eq!(
            map(server(1205), &"x").kind(),
            ErrorKind::SerializationFailure
        );
        assert!(map(server(1213), &"x").message().contains("retry"));
        assert_eq!(
            map(server(1792), &"x").kind(),
            ErrorKind::ReadOnlyTransaction
        );
        assert_eq!(map(server(1146), &"x").kind(), ErrorKind::Driver);
        assert_eq!(
            map(MyError::Driver(DriverError::ConnectionClosed), &"x").kind(),
            ErrorKind::Connection
        );
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert_eq!(
            map(MyError::Io(mysql_async::IoError::Io(io)), &"x").kind(),
            ErrorKind::Connection
        );
    }
}

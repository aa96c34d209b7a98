//! The PostgreSQL driver for Toasty.
//!
//! [`Postgres`] implements [`toasty_core::driver::Driver`] on `tokio-postgres`, with TLS
//! on rustls (see [TLS](#tls)).
//! Operations are serialized by `toasty-sql` ([`toasty_sql::Dialect::Postgres`]),
//! prepared once per connection (a cache keyed by SQL text), bound in binary format with
//! every parameter declared as the PostgreSQL type of its column, and decoded back using
//! the column types of the schema.
//!
//! ```no_run
//! # fn main() -> toasty_core::Result<()> {
//! let driver = toasty_postgres::Postgres::new("postgres://toasty:toasty@127.0.0.1:5432/toasty")?;
//! # Ok(()) }
//! ```
//!
//! # TLS
//!
//! TLS is set with libpq's URL parameters and works as libpq does:
//!
//! | `sslmode` | TLS | certificate check |
//! |---|---|---|
//! | `disable` | never | - |
//! | `prefer` (default) | when the server offers it, else plain text | none |
//! | `require` | always (a server without TLS is an error) | none, unless `sslrootcert` names a file (then as `verify-ca`) |
//! | `verify-ca` | always | chained to a trusted root |
//! | `verify-full` | always | chained to a trusted root and valid for the URL's host name |
//!
//! `sslrootcert=<file>` names a PEM file of CA certificates to trust; without it (or with
//! `sslrootcert=system`) the system's trust store is used (`rustls-native-certs`; libpq
//! would read `~/.postgresql/root.crt`). The roots are read at the first connection that
//! checks them. `prefer` asks the server for TLS first and continues in plain text only
//! when the server answers that it has none; once TLS is agreed, a failed handshake is
//! an error. `prefer` and `require` encrypt without authenticating the server (any
//! certificate, as with libpq; handshake signatures are still checked, and SCRAM
//! authentication binds the channel when the server supports it). Client certificates
//! (`sslcert`, `sslkey`) are not supported. TLS does not apply to Unix-domain sockets.
//!
//! ```no_run
//! # fn main() -> toasty_core::Result<()> {
//! let driver = toasty_postgres::Postgres::new(
//!     "postgres://app:secret@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/ssl/db-ca.pem",
//! )?;
//! # Ok(()) }
//! ```
//!
//! Every failure is an error, never a panic: a bad parameter or an unreadable CA file
//! is [`toasty_core::ErrorKind::Config`]; a server without TLS for a mode that needs it,
//! a certificate from an untrusted CA, a certificate not valid for the host name, and
//! a refused login are [`toasty_core::ErrorKind::Connection`] errors that say which it
//! was and what to change. [`PgConnection::tls_cipher`] tells whether a connection is
//! encrypted.
//!
//! No message, log line or `Debug` output of the driver shows the password: URLs are
//! shown with their user info and password-like query parameters replaced by `***`
//! (everything after the scheme when the URL is too malformed to tell).
//!
//! # Storage
//!
//! | Toasty type | PostgreSQL |
//! |---|---|
//! | `bool` | `BOOLEAN` |
//! | `i8`, `i16`, `u8` | `SMALLINT` |
//! | `i32`, `u16` | `INTEGER` |
//! | `i64`, `u32`, `u64` (up to `i64::MAX`) | `BIGINT` |
//! | `f32` / `f64` | `REAL` / `DOUBLE PRECISION` |
//! | `String` | `TEXT COLLATE "C"` (code point order, case-sensitive) |
//! | `Vec<u8>` | `BYTEA` |
//! | `uuid::Uuid` | `UUID` |
//! | timestamp | `TIMESTAMPTZ` (microseconds; sent and read in binary, no time zone involved) |
//!
//! PostgreSQL `TEXT` cannot hold the NUL character: a string containing `'\0'` is
//! rejected with [`toasty_core::ErrorKind::InvalidValue`] before anything is sent.
//!
//! # Errors
//!
//! SQLSTATE `23505` is [`toasty_core::ErrorKind::UniqueViolation`], `23502`
//! [`toasty_core::ErrorKind::InvalidValue`], `22003`
//! [`toasty_core::ErrorKind::ValueOutOfRange`], `40001` and `40P01` (serialization
//! failure, deadlock) [`toasty_core::ErrorKind::SerializationFailure`], `25006`
//! [`toasty_core::ErrorKind::ReadOnlyTransaction`], `25P02`
//! [`toasty_core::ErrorKind::TransactionAborted`]; a closed or broken connection, an I/O
//! error, a server shutting down and a timeout are [`toasty_core::ErrorKind::Connection`]
//! (the pool then discards the connection); anything else is
//! [`toasty_core::ErrorKind::Driver`]. Messages keep the server's text and name the
//! table, column and constraint.
//!
//! # Connections and failures
//!
//! Each connection's socket is driven by a task spawned on the Tokio runtime that called
//! [`toasty_core::driver::Driver::connect`]. Opening a connection times out after the
//! URL's `connect_timeout` (default 10 s); an operation fails with a connection error
//! after [`DEFAULT_OPERATION_TIMEOUT`] (see [`Postgres::operation_timeout`]), and at
//! once when the server closes the socket (a shutdown or crash). A connection's health
//! check is free if it succeeded at something within the last second and otherwise one
//! empty query with a 2 s limit. Operations made of several statements (a table and its
//! indexes, a large insert) run in one transaction.
//!
//! # Transactions
//!
//! The driver runs interactive transactions
//! ([`toasty_core::driver::Operation::Transaction`]; the capability's
//! `interactive_transactions` is `true`) on the connection that began them, with the SQL
//! of `toasty-sql` (`BEGIN [ISOLATION LEVEL ..][, READ ONLY]`, `COMMIT`, `ROLLBACK`,
//! `SAVEPOINT toasty_sp<n>`, ...) and its `TransactionState` bookkeeping:
//!
//! * Every isolation level and read-only transactions are native. Two `SERIALIZABLE`
//!   (or `REPEATABLE READ`) transactions that conflict fail one of them with
//!   `SerializationFailure`: roll back and retry the whole transaction.
//! * Inside a transaction an operation of several statements runs inline, without its
//!   own `BEGIN` .. `COMMIT`.
//! * PostgreSQL aborts a transaction at its first failed statement (a unique violation,
//!   a write in a read-only transaction, ...) and ignores everything after it. The driver
//!   knows: later operations fail with `TransactionAborted` without a round trip, until
//!   a `RollbackToSavepoint` to a savepoint taken before the failure makes the
//!   transaction usable again, or a `Rollback` ends it. A `Commit` of an aborted
//!   transaction rolls back and fails with `TransactionAborted` (PostgreSQL itself would
//!   answer it with a silent rollback). After a serialization failure only `Rollback` is
//!   accepted. (On SQLite and MySQL a failed statement leaves the transaction usable.)
//! * `Begin` inside a transaction, and `Commit`, `Rollback` or a savepoint step outside
//!   one, are `InvalidStatement` and nothing is sent.
//! * A connection dropped with a transaction open closes its session, and the server
//!   rolls the transaction back.

#![warn(missing_docs)]

mod bind;
mod connection;
mod decode;
mod driver;
mod error;
mod redact;
mod tls;

pub use connection::PgConnection;
pub use driver::{
    Postgres, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_CONNECTIONS, DEFAULT_OPERATION_TIMEOUT,
};

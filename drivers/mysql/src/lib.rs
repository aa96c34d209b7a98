//! The MySQL / MariaDB driver for Toasty.
//!
//! [`Mysql`] implements [`toasty_core::driver::Driver`] on `mysql_async`. Operations are
//! serialized by `toasty-sql` ([`toasty_sql::Dialect::Mysql`]), prepared through each
//! connection's statement cache (binary protocol), bound from [`toasty_sql::Param`]s and
//! decoded back using the column types of the schema.
//!
//! ```no_run
//! # fn main() -> toasty_core::Result<()> {
//! let driver = toasty_mysql::Mysql::new("mysql://toasty:toasty@127.0.0.1:3306/toasty")?;
//! # Ok(()) }
//! ```
//!
//! # TLS
//!
//! TLS runs on rustls (`mysql_async`'s `rustls-tls` feature with *ring*) and is set with
//! MySQL's option names as URL parameters:
//!
//! | `ssl-mode` | TLS | certificate check |
//! |---|---|---|
//! | `DISABLED` | never | - |
//! | `PREFERRED` (default) | when the server offers it, else plain text | none |
//! | `REQUIRED` | always (a server without TLS is an error) | none, unless `ssl-ca` is given (then as `VERIFY_CA`) |
//! | `VERIFY_CA` | always | chained to a trusted root |
//! | `VERIFY_IDENTITY` | always | chained to a trusted root and valid for the URL's host name |
//!
//! Values are read in any case; `ssl_mode` is the same parameter. `ssl-ca=<file>` (or
//! `ssl_ca`) names a PEM file of CA certificates, then the only trusted roots; without
//! it the system's trust store (`rustls-native-certs`) and Mozilla's roots built into
//! the driver (`webpki-roots`; `built_in_roots=false` leaves them out) are trusted.
//! `mysql_async`'s older parameters keep their meaning: `require_ssl=true` is
//! `VERIFY_IDENTITY`, with `verify_identity=false` `VERIFY_CA`, with `verify_ca=false`
//! `REQUIRED`; `require_ssl=false` is `PREFERRED`. Giving both `ssl-mode` and
//! `require_ssl` is an error. Client certificates (`ssl-cert`, `ssl-key`) are not
//! supported.
//!
//! `PREFERRED` asks for TLS first and connects again in plain text only when the server
//! does not offer TLS. `PREFERRED` and `REQUIRED` encrypt without authenticating the
//! server (any certificate, as MySQL's client does). `VERIFY_CA` first opens a short
//! connection of its own to the end of the TLS handshake to check the chain and learn a
//! name the certificate holds, which the real connection then verifies (see the `tls`
//! module; `mysql_async` cannot skip only the host name check). `mysql_async` moves a
//! connection to `127.0.0.1` or `localhost` onto the server's Unix socket when it can
//! (`prefer_socket`), where there is no TLS; the modes from `REQUIRED` up turn that off
//! unless the URL sets `prefer_socket` itself.
//!
//! ```no_run
//! # fn main() -> toasty_core::Result<()> {
//! let driver = toasty_mysql::Mysql::new(
//!     "mysql://app:secret@db.example.com/app?ssl-mode=VERIFY_IDENTITY&ssl-ca=/etc/ssl/db-ca.pem",
//! )?;
//! # Ok(()) }
//! ```
//!
//! Every failure is an error, never a panic: a bad parameter or an unreadable CA file
//! is [`toasty_core::ErrorKind::Config`]; a server without TLS for a mode that needs
//! it, a certificate from an untrusted CA, a certificate not valid for the host name
//! and a refused login are [`toasty_core::ErrorKind::Connection`] errors that say which
//! it was and what to change. [`MysqlConnection::tls_cipher`] tells whether a
//! connection is encrypted. When no rustls crypto provider is installed in the process,
//! the first TLS connection installs *ring*'s.
//!
//! No message, log line or `Debug` output of the driver shows the password: URLs are
//! shown with their user info and password-like query parameters replaced by `***`
//! (everything after the scheme when the URL is too malformed to tell).
//!
//! # Sessions
//!
//! Each connection runs with [`SQL_MODE`] (strict on every engine), `time_zone =
//! '+00:00'`, `utf8mb4` with a binary no-pad connection collation, and
//! `CLIENT_FOUND_ROWS` so an `UPDATE` counts the rows it matched (as memdb does), not
//! only those it changed. `SELECT VERSION()` tells MariaDB (string columns use
//! [`MARIADB_COLLATION`], `utf8mb4_nopad_bin`) from MySQL 8 ([`MYSQL_COLLATION`],
//! `utf8mb4_0900_bin`): both compare by code point, case-sensitively, with trailing
//! spaces significant.
//!
//! # Storage
//!
//! | Toasty type | column | bound as | read as |
//! |---|---|---|---|
//! | `bool` | `BOOLEAN` (`TINYINT(1)`) | 0 / 1 | `Bool` |
//! | signed integers | `TINYINT` .. `BIGINT` | `BIGINT` | `I64` |
//! | `u8`, `u16`, `u32` | `... UNSIGNED` | `BIGINT` | `I64` |
//! | `u64` (`0..=i64::MAX`) | `BIGINT` | `BIGINT` | `I64` |
//! | `f32` | `FLOAT` | `DOUBLE` (exact; see [`bind`](crate)) | `F64`, widened exactly |
//! | `f64` | `DOUBLE` | `DOUBLE` | `F64` |
//! | `String` | `LONGTEXT` / `VARCHAR(255)` when keyed | bytes | `String` |
//! | `Vec<u8>` | `LONGBLOB` / `VARBINARY(255)` when keyed | bytes | `Bytes` |
//! | `uuid::Uuid` | `BINARY(16)` | 16 bytes | `Uuid` |
//! | timestamp | `DATETIME(6)`, UTC | date-time parts | `Timestamp` |
//!
//! # Returning
//!
//! MySQL has no `RETURNING`. Inserts return generated keys from the statement's first id
//! (`LAST_INSERT_ID()`) plus `@@auto_increment_increment` per row; `UPDATE ... returning`
//! runs in a transaction (a savepoint inside a user transaction) as `SELECT ... FOR
//! UPDATE`, the update, and a re-read by key.
//!
//! # Errors
//!
//! See the table in the `error` module: duplicates are
//! [`toasty_core::ErrorKind::UniqueViolation`], NULL into `NOT NULL`
//! [`toasty_core::ErrorKind::InvalidValue`], out-of-range and too-long data
//! [`toasty_core::ErrorKind::ValueOutOfRange`], a deadlock (1213) or lock wait timeout
//! (1205) [`toasty_core::ErrorKind::SerializationFailure`], a write in a read-only
//! transaction (1792) [`toasty_core::ErrorKind::ReadOnlyTransaction`], a lost server
//! [`toasty_core::ErrorKind::Connection`]. Every operation runs under a time limit
//! ([`DEFAULT_OPERATION_TIMEOUT`]); a connection that failed or timed out is closed.
//!
//! # Transactions
//!
//! The driver runs interactive transactions
//! ([`toasty_core::driver::Operation::Transaction`]; the capability's
//! `interactive_transactions` is `true`) on the connection that began them, with the SQL
//! of `toasty-sql` and its `TransactionState` bookkeeping:
//!
//! * `Begin` with an isolation level sends `SET TRANSACTION ISOLATION LEVEL ..` (which
//!   applies to the next transaction only) before `START TRANSACTION [READ ONLY]`.
//!   Under `SERIALIZABLE` InnoDB reads with shared locks, so two transactions that read
//!   and then write the same row deadlock and MySQL rolls one back: it fails with
//!   `SerializationFailure`; roll back and retry the whole transaction.
//! * Inside a transaction an operation of several statements (a split insert, the
//!   emulated `UPDATE ... RETURNING`) runs inside its own savepoint (`toasty_op`)
//!   instead of `START TRANSACTION` .. `COMMIT`, which would commit the user's work:
//!   it stays atomic, and a failure undoes only that operation.
//! * `CreateTable` / `DropTable` inside a transaction are `Unsupported`: MySQL would
//!   commit the transaction implicitly before them.
//! * A failed statement leaves the transaction usable (MySQL rolls back only the
//!   statement), except a serialization failure: a deadlock rolled back the whole
//!   transaction, so afterwards only `Rollback` is accepted (`TransactionAborted`
//!   otherwise; a `Commit` then rolls back).
//! * `Begin` inside a transaction, and `Commit`, `Rollback` or a savepoint step outside
//!   one, are `InvalidStatement` and nothing is sent.
//! * A connection dropped with a transaction open closes its session, and the server
//!   rolls the transaction back.

//!
//! # Statement cache
//!
//! Each connection keeps up to 256 prepared statements keyed by SQL text and executes
//! them by handle; the least recently used one is closed on the server when the cache
//! is full. `mysql_async`'s own cache is turned off (a `stmt_cache_size` in the URL is
//! ignored), since it re-parses the SQL text on every call.
//!
//! # Overhead
//!
//! `benches/overhead.rs` compares Toasty with the same reads written directly against
//! `mysql_async` on one table (`TOASTY_TEST_MYSQL_URL=... cargo bench -p toasty-mysql
//! --bench overhead`); see `docs/benchmarks.md` for the method and figures (MariaDB
//! 10.11, client and server pinned to one CPU: `get_by_id` about 1.05x, load of 100 rows
//! about 1.03x). Both sides send one prepared `Execute` per operation.

#![warn(missing_docs)]

mod bind;
mod connection;
mod decode;
mod driver;
mod error;
mod redact;
mod returning;
mod run;
mod session;
mod time;
mod tls;

pub use connection::MysqlConnection;
pub use driver::{
    Mysql, DEFAULT_CONNECT_TIMEOUT, DEFAULT_OPERATION_TIMEOUT, MARIADB_COLLATION, MYSQL_COLLATION,
    SQL_MODE,
};

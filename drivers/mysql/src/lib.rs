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
//! runs in a transaction as `SELECT ... FOR UPDATE`, the update, and a re-read by key.
//!
//! # Errors
//!
//! See the table in the `error` module: duplicates are
//! [`toasty_core::ErrorKind::UniqueViolation`], NULL into `NOT NULL`
//! [`toasty_core::ErrorKind::InvalidValue`], out-of-range and too-long data
//! [`toasty_core::ErrorKind::ValueOutOfRange`], a lost server
//! [`toasty_core::ErrorKind::Connection`]. Every operation runs under a time limit
//! ([`DEFAULT_OPERATION_TIMEOUT`]); a connection that failed or timed out is closed.

//!
//! # Overhead
//!
//! `benches/overhead.rs` compares Toasty with the same reads written directly against
//! `mysql_async` (prepared, cached statements) on one table of MariaDB 10.11 over its
//! Unix socket (`TOASTY_TEST_MYSQL_URL=... cargo bench -p toasty-mysql --bench
//! overhead`). On the shared 2-core development machine the figures swing by 2-5x
//! with other load; in the quietest runs (mean per operation):
//!
//! | workload | Toasty | mysql_async | ratio |
//! |---|---|---|---|
//! | `get_by_id` | 21.8 µs | 18.9 µs | 1.15x |
//! | load 100 rows | 122.7 µs | 105.2 µs | 1.17x |
//!
//! Both send one prepared `Execute` per operation (checked in the server's general
//! log: no extra round trip, no re-prepare). Profiles show the client mostly waiting on
//! the socket; the difference is the engine's planning and record conversion, the
//! per-operation time limit (one timer registration), and per-row `Value` vectors.
//! Error contexts and per-cell type checks format their messages only on failure.

#![warn(missing_docs)]

mod bind;
mod connection;
mod decode;
mod driver;
mod error;
mod returning;
mod run;
mod session;
mod time;

pub use connection::MysqlConnection;
pub use driver::{
    Mysql, DEFAULT_CONNECT_TIMEOUT, DEFAULT_OPERATION_TIMEOUT, MARIADB_COLLATION, MYSQL_COLLATION,
    SQL_MODE,
};

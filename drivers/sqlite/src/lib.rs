//! The SQLite driver for Toasty.
//!
//! [`Sqlite`] implements [`toasty_core::driver::Driver`] on `rusqlite` (with SQLite
//! bundled). Operations are serialized by `toasty-sql` ([`toasty_sql::Dialect::Sqlite`]),
//! prepared through each connection's statement cache, bound from
//! [`toasty_sql::Param`]s and decoded back using the column types of the schema.
//!
//! ```no_run
//! # fn main() -> toasty_core::Result<()> {
//! let in_memory = toasty_sqlite::Sqlite::from_url("sqlite::memory:")?;
//! let on_disk = toasty_sqlite::Sqlite::from_url("sqlite:data/app.db")?;
//! # Ok(()) }
//! ```
//!
//! # Storage
//!
//! | Toasty type | SQLite storage |
//! |---|---|
//! | `bool` | `INTEGER` 0 / 1 |
//! | integers (`u64` up to `i64::MAX`) | `INTEGER` |
//! | `f32`, `f64` | `REAL` (an `f32` is widened exactly and read back as `F64`) |
//! | `String` | `TEXT` (`BINARY` collation: code point order, case-sensitive) |
//! | `Vec<u8>` | `BLOB` |
//! | `uuid::Uuid` | 16-byte `BLOB` |
//! | timestamp | `INTEGER` microseconds since the Unix epoch |
//!
//! `-0.0` compares equal to `0.0` as the contract says, but SQLite stores an integral
//! REAL compactly, so a stored `-0.0` reads back as `0.0`.
//!
//! # Errors
//!
//! `SQLITE_CONSTRAINT_PRIMARYKEY` and `SQLITE_CONSTRAINT_UNIQUE` are
//! [`toasty_core::ErrorKind::UniqueViolation`], `SQLITE_CONSTRAINT_NOTNULL` is
//! [`toasty_core::ErrorKind::InvalidValue`], a file that cannot be opened is
//! [`toasty_core::ErrorKind::Connection`], anything else
//! [`toasty_core::ErrorKind::Driver`]; SQLite's message (naming `table.column`) is kept.
//!
//! # Connections
//!
//! An in-memory database lives inside one SQLite connection, so all connections of an
//! in-memory driver share it and `max_connections()` is 1. A file database opens one
//! SQLite connection per Toasty connection (WAL journal, 5 s busy timeout) and allows
//! up to 4.
//!
//! # Sync SQLite in an async world
//!
//! ASYNC_STRATEGY_PLACEHOLDER

mod bind;
mod blocking;
mod connection;
mod decode;
mod driver;
mod error;

pub use blocking::BlockingConnection;
pub use connection::SqliteConnection;
pub use driver::Sqlite;

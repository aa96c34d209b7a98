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
//! [`toasty_core::ErrorKind::Connection`]; inside a transaction `SQLITE_BUSY` and
//! `SQLITE_LOCKED` are [`toasty_core::ErrorKind::SerializationFailure`] and
//! `SQLITE_READONLY` in a read-only transaction is
//! [`toasty_core::ErrorKind::ReadOnlyTransaction`]; anything else is
//! [`toasty_core::ErrorKind::Driver`]. SQLite's message (naming `table.column`) is kept.
//!
//! # Transactions
//!
//! The driver runs interactive transactions
//! ([`toasty_core::driver::Operation::Transaction`]; the capability's
//! `interactive_transactions` is `true`), with the SQL of `toasty-sql` and its
//! `TransactionState` bookkeeping:
//!
//! * `Begin` is `BEGIN` (deferred). Every isolation level is accepted: SQLite
//!   transactions are serializable, at least as strong as any level asked for. On a file
//!   database a transaction reads one snapshot; writing after another connection
//!   committed fails with `SQLITE_BUSY`, a `SerializationFailure`: roll back and retry.
//! * SQLite has no read-only transactions, so a read-only one runs with `PRAGMA
//!   query_only = ON`, which makes every write fail with `SQLITE_READONLY` (reported as
//!   `ReadOnlyTransaction`); `COMMIT` and `ROLLBACK` turn it off again.
//! * Savepoints are `SAVEPOINT toasty_sp<n>` and friends. An operation of several
//!   statements (a split insert) runs inside its own savepoint while a transaction is
//!   open, instead of its own `BEGIN` .. `COMMIT`, so it stays atomic without ending the
//!   user's transaction.
//! * `Begin` inside a transaction, and `Commit`, `Rollback` or a savepoint step outside
//!   one, are `InvalidStatement` (nothing is sent). After a serialization failure only
//!   `Rollback` is accepted (`TransactionAborted` otherwise; a `Commit` then rolls back).
//! * A transaction belongs to the [`SqliteConnection`] that began it. The connections of
//!   an in-memory driver share one SQLite connection: while one has a transaction open,
//!   the others are refused (`Unsupported`) rather than run inside it, and dropping the
//!   connection rolls its transaction back at once. (A file database's connection is
//!   closed on drop, and SQLite rolls back.)
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
//! rusqlite is synchronous. Three ways to call it from async code were measured with
//! `cargo bench -p toasty-sqlite --bench async_strategy` (release build, 2-core machine
//! shared with other builds, so figures are indicative; mean microseconds per
//! operation, "get" is a one-key `GetByKey`, "scan" a 100-row `Select`):
//!
//! | db | strategy | runtime | tasks | insert | get | scan 100 |
//! |---|---|---|---|---|---|---|
//! | memory | **inline** | current_thread | 1 | **1.7** | **1.5** | 44.6 |
//! | memory | spawn_blocking | current_thread | 1 | 55.5 | 24.3 | 55.9 |
//! | memory | dedicated thread | current_thread | 1 | 5.2 | 4.6 | 40.6 |
//! | memory | **inline** | multi_thread | 1 | **1.9** | **1.7** | 37.7 |
//! | memory | spawn_blocking | multi_thread | 1 | 11.9 | 10.9 | 62.2 |
//! | memory | dedicated thread | multi_thread | 1 | 4.8 | 10.3 | 36.8 |
//! | memory | **inline** | multi_thread | 8 | **3.4** | **2.4** | **47.6** |
//! | memory | spawn_blocking | multi_thread | 8 | 32.6 | 21.0 | 83.7 |
//! | memory | dedicated thread | multi_thread | 8 | 4.9 | 14.3 | 167.1 |
//! | file | **inline** | current_thread | 1 | **288** | **2.9** | **34.7** |
//! | file | spawn_blocking | current_thread | 1 | 579 | 39.6 | 72.3 |
//! | file | dedicated thread | current_thread | 1 | 582 | 5.9 | 42.7 |
//! | file | **inline** | multi_thread | 8 | 575 | **2.5** | **34.0** |
//! | file | spawn_blocking | multi_thread | 8 | 721 | 10.4 | 84.3 |
//! | file | dedicated thread | multi_thread | 8 | 464 | 6.4 | 37.4 |
//!
//! **Choice: inline.** Operations run on the calling task while it holds the
//! connection's lock. A hand-off to another thread costs 3-50 µs, more than a whole
//! in-memory SQLite operation, and never made anything faster except one noisy file-insert
//! figure. The cost of inline is that a file-database write (an fsync, about 0.3-0.6 ms
//! here) occupies the executor thread for that long; applications doing heavy
//! concurrent writes to a file database alongside latency-sensitive tasks should give
//! the database work its own runtime. [`BlockingConnection`] is public so synchronous
//! code can use it directly.

#![warn(missing_docs)]

mod bind;
mod blocking;
mod connection;
mod decode;
mod driver;
mod error;
mod functions;

pub use blocking::BlockingConnection;
pub use connection::SqliteConnection;
pub use driver::Sqlite;

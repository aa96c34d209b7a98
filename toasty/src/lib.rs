//! Toasty: an async ORM for Rust where every backend gives the same answer.
//!
//! Define models with `#[derive(toasty::Model)]`, open a [`Db`] with
//! [`Db::builder`], and build typed queries:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> toasty::Result<()> {
//! #[derive(Debug, toasty::Model)]
//! struct User {
//!     #[key]
//!     #[auto]
//!     id: u64,
//!     name: String,
//!     #[unique]
//!     email: String,
//! }
//!
//! let mut db = toasty::Db::builder()
//!     .models(toasty::models!(User))
//!     .connect("memory:")
//!     .await?;
//! db.push_schema().await?;
//!
//! let ada = toasty::create!(User { name: "Ada", email: "ada@example.com" })
//!     .exec(&mut db)
//!     .await?;
//! let found = User::get_by_email(&mut db, "ada@example.com").await?;
//! assert_eq!(found.id, ada.id);
//! # Ok(())
//! # }
//! ```
//!
//! The meaning of every query is defined once by the in-memory reference driver
//! (`toasty-memdb`, URL `memory:`), and every real driver is tested against it.

mod db;
mod engine;
pub mod limits;
mod macros;
pub mod metrics;
mod model;
mod observe;
mod prepared;
mod primitive;
mod relation;
pub mod sql;
pub mod stmt;
pub mod testing;
mod untyped;

pub use db::{Builder, Connection, Db, Executor, Pool, Transaction, TransactionBuilder};
#[doc(hidden)]
pub use engine::StatementCache;
pub use engine::{CacheStats as StatementCacheStats, Plan};
pub use macros::{create, update};
pub use model::{Model, ModelSet};
pub use prepared::Prepared;
pub use primitive::{Primitive, Scalar};
pub use relation::{BelongsTo, Deferred, HasMany, HasOne};
pub use stmt::{
    batch, now, Batch, BatchItem, Create, CreateMany, Expr, IntoBatch, IntoExpr, Now, OrderBy,
    Page, Paginate, Path, Query, Select,
};
pub use toasty_core::driver::IsolationLevel;
pub use toasty_core::{schema, Error, ErrorKind, Result, Type, Value};
pub use toasty_macros::{test, Model};
pub use untyped::{
    UntypedCreate, UntypedHasOne, UntypedOutcome, UntypedPage, UntypedRecord, UntypedStatement,
};

/// Items used by generated code. Not part of the public API; may change at any time.
#[doc(hidden)]
pub mod codegen {
    pub use crate::engine::{Outcome, Record, Related};
    pub use crate::observe::Redacted;
    pub use crate::relation::{key_value, value_expr, RelationField, RelationInfo, RelationValue};
    pub use crate::stmt::Scope;
    pub use crate::testing::RegisteredModel;
    pub use inventory;
    pub use toasty_core::schema::app;
}

#[cfg(feature = "memdb")]
pub use toasty_memdb as memdb;

#[cfg(feature = "sqlite")]
pub use toasty_sqlite as sqlite;

#[cfg(feature = "postgres")]
pub use toasty_postgres as postgres;

#[cfg(feature = "mysql")]
pub use toasty_mysql as mysql;

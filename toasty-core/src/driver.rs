//! The interface between the engine and a database driver.
//!
//! A driver describes itself with a [`Capability`] and executes table-level
//! [`Operation`]s on a [`Connection`]. Drivers never see model-level statements or SQL
//! produced by someone else: SQL drivers serialize operations with `toasty-sql`; memdb
//! interprets them with [`crate::stmt::eval`].

mod cached;
mod capability;
mod deadline;
mod item_size;
mod operation;
mod raw_sql;
mod row_set;
mod transact_write;
mod transaction;

pub use cached::{expr_params, expr_params_mut, params, params_mut, Cached, Template};
pub use capability::{Capability, DriverKind};
pub use deadline::{Expired, Limited, OperationClock};
pub use item_size::item_size;
pub use operation::{
    CreateTable, Delete, DeleteByKey, DropTable, GetByKey, Insert, Operation, QueryPk, Response,
    Select, Update, UpdateByKey,
};
pub use raw_sql::RawSql;
pub use row_set::{RowSet, RowsMut};
pub use transact_write::{TransactWrite, WriteItem};
pub use transaction::{IsolationLevel, TransactionOp};

use crate::schema::db;
use crate::Result;
use async_trait::async_trait;
use std::fmt::Debug;

/// A database driver: a factory for connections plus a description of what it can do.
#[async_trait]
pub trait Driver: Debug + Send + Sync + 'static {
    /// What this driver accepts.
    fn capability(&self) -> &Capability;

    /// Opens a new connection.
    async fn connect(&self) -> Result<Box<dyn Connection>>;

    /// The largest number of connections the pool should open (1 for single-writer
    /// databases such as in-memory SQLite).
    fn max_connections(&self) -> usize {
        8
    }

    /// The SQL text the driver would run for `op` (several statements separated by
    /// `;\n`), with placeholders for every value; `None` for drivers that do not speak
    /// SQL. Used by `explain`; it does not touch the database.
    fn explain_sql(&self, schema: &db::Schema, op: &Operation) -> Option<String> {
        let _ = (schema, op);
        None
    }
}

/// One connection to a database.
#[async_trait]
pub trait Connection: Send + 'static {
    /// Executes one operation. `schema` is the database schema the operation refers to.
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response>;

    /// Runs SQL text the user passed explicitly (`toasty::sql`): the rows of a query, or
    /// the affected count of a statement. Inside a user transaction it runs in it.
    /// Drivers that do not speak SQL keep this default, which refuses it.
    async fn exec_sql(&mut self, sql: RawSql) -> Result<Response> {
        let _ = sql;
        Err(crate::Error::unsupported(
            "raw SQL needs an SQL database (SQLite, PostgreSQL, MySQL); this driver does not              run SQL. Use the query builders instead",
        ))
    }

    /// A cheap check that the connection still works (used on pool checkout).
    async fn is_valid(&mut self) -> bool {
        true
    }
}

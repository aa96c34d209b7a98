//! The engine: a statement is compiled into a [`Plan`] (verify -> lower -> simplify ->
//! plan) and the plan runs on the one connection it is handed.
//!
//! * [`verify`] type-checks a model-level statement against the app schema;
//! * [`lower`] turns it into table-level operations (fields -> columns, auto values);
//! * [`simplify`] folds constants and flattens boolean structure; [`single_row`] drops
//!   the limit and order of a read that pins the whole primary key;
//! * [`plan_kv`] finds key-value access paths; [`compile`] builds the [`Plan`];
//! * [`exec`] runs a plan's steps on a connection: the only code that calls a driver
//!   for a statement (`db` sends DDL and transaction control itself).
//!
//! The engine must not know any database's SQL; that belongs to `toasty-sql`. It never
//! sees a `Db` or a pool: whoever calls it decides on which connection, and inside which
//! transaction, a plan runs.

mod compile;
mod exec;
mod explain;
mod lower;
mod plan;
mod plan_kv;
mod schema_check;
mod simplify;
mod single_row;
mod verify;

pub(crate) use compile::compile;
pub(crate) use exec::{run, run_batch};
pub use plan::Plan;
pub(crate) use schema_check::check_schema;

use toasty_core::stmt;
use toasty_core::Value;

/// A model-level statement.
#[derive(Debug, Clone)]
pub(crate) enum Statement {
    Query(stmt::Query),
    Insert(stmt::Insert),
    Update(stmt::Update),
    Delete(stmt::Delete),
}

/// What a statement produced: records in field order, or a number. Not part of the
/// public API (generated code passes it through).
#[doc(hidden)]
#[derive(Debug)]
pub enum Outcome {
    /// Records in field order.
    Records(Vec<Vec<Value>>),
    /// Records in field order, in one buffer (a read served by an SQL driver).
    RecordSet(toasty_core::driver::RowSet),
    /// A number.
    Count(u64),
}

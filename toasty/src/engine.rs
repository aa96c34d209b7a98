//! The engine: every statement goes verify -> lower -> simplify -> plan -> exec.
//!
//! * [`verify`] type-checks a model-level statement against the app schema;
//! * [`lower`] turns it into table-level operations (fields -> columns, auto values);
//! * [`simplify`] folds constants and flattens boolean structure; [`single_row`] drops
//!   the limit and order of a read that pins the whole primary key;
//! * [`plan_kv`] maps reads and writes onto key-value operations (SQL drivers take the
//!   lowered operation as it is);
//! * [`exec`] is the only stage that talks to the driver.
//!
//! The engine must not know any database's SQL; that belongs to `toasty-sql`.

mod exec;
mod lower;
mod plan_kv;
mod schema_check;
mod simplify;
mod single_row;
mod verify;

pub(crate) use exec::exec;
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

/// What a statement produced: records in field order, or a number.
#[derive(Debug)]
pub(crate) enum Outcome {
    Records(Vec<Vec<Value>>),
    /// Records in field order, in one buffer (a read served by an SQL driver).
    RecordSet(toasty_core::driver::RowSet),
    Count(u64),
}

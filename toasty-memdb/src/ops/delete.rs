//! `Delete` (sql persona only) and `DeleteByKey` (both personas).
//!
//! * `Delete` removes every row for which [`eval::matches`] says the filter is `true`
//!   and returns `Count` of removed rows. If evaluating the filter fails on any row,
//!   nothing is removed. A filter that refers to a model field or to a column the table
//!   does not have is `InvalidStatement`, even on an empty table.
//! * `DeleteByKey` removes the rows with the given primary keys; keys that do not exist
//!   are skipped and a key listed twice counts once. It returns `Count` of removed rows.
//! * Deleting never resets the auto-increment counter.

use crate::table::TableData;
use toasty_core::driver::{Delete, DeleteByKey, Response};
use toasty_core::stmt::eval;
use toasty_core::Result;

/// Runs a delete by filter (see the module docs).
pub(crate) fn delete(table: &mut TableData, op: Delete) -> Result<Response> {
    table.check_expr(&op.filter)?;
    let mut doomed = Vec::new();
    for row in table.candidates(&op.filter) {
        if eval::matches(&op.filter, row)? {
            doomed.push(table.key_of(row));
        }
    }
    for key in &doomed {
        table.remove_row(key);
    }
    Ok(Response::Count(doomed.len() as u64))
}

/// Runs a delete by primary key (see the module docs).
pub(crate) fn delete_by_key(table: &mut TableData, op: DeleteByKey) -> Result<Response> {
    let mut keys = Vec::with_capacity(op.keys.len());
    for values in op.keys {
        keys.push(table.key_from(values)?);
    }
    let removed = keys
        .iter()
        .filter(|key| table.remove_row(key).is_some())
        .count();
    Ok(Response::Count(removed as u64))
}

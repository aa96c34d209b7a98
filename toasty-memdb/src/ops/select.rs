//! `Select` (sql persona only).
//!
//! The meaning is [`toasty_core::stmt::select_rows`], the one definition shared with the
//! engine's key-value executor and the test oracles, applied to the table's rows in
//! primary-key order:
//!
//! 1. Filter: a row is selected when the evaluator says the filter is `true` for it
//!    (false and NULL both exclude it).
//! 2. With `projection: Count`, the response is `Count` of the selected rows; order,
//!    limit and offset are ignored.
//! 3. Sort by `order_by` (ascending puts NULL first, descending last). The sort is
//!    stable and rows start in primary-key order, so ties keep primary-key order. With
//!    no `order_by`, rows come in primary-key order (the contract leaves the order
//!    unspecified; memdb is deterministic).
//! 4. Skip `offset` rows, then keep at most `limit` rows.
//!
//! The response is `Rows` of full rows; with `projection: Fields(columns)`, each row holds
//! exactly those columns in that order (a column may repeat). A filter that refers to a model field or to a
//! column the table does not have, or an `order_by` column out of range, is
//! `InvalidStatement` (even on an empty table); so is any error the evaluator reports.

use crate::table::TableData;
use toasty_core::driver::{Response, Select};
use toasty_core::stmt::{self, RowSelection, Select as Projection};
use toasty_core::Result;

/// Runs a select (see the module docs).
pub(crate) fn select(table: &TableData, op: Select) -> Result<Response> {
    table.check_expr(&op.filter)?;
    if op.projection == Projection::Count {
        let rows = stmt::filter_rows(&op.filter, table.candidates(&op.filter))?;
        return Ok(Response::Count(rows.len() as u64));
    }
    for key in &op.order_by {
        table.column(key.target)?;
    }
    if let Some(columns) = op.projection.fields() {
        for &c in columns {
            table.column(c)?;
        }
    }
    let rows = stmt::select_rows(
        RowSelection {
            filter: &op.filter,
            order_by: &op.order_by,
            offset: op.offset,
            limit: op.limit,
        },
        table.candidates(&op.filter),
    )?;
    Ok(Response::Rows(match op.projection.fields() {
        Some(columns) => rows
            .into_iter()
            .map(|row| stmt::project_row(row, columns))
            .collect(),
        None => rows.into_iter().cloned().collect(),
    }))
}

//! `Select` (sql persona only).
//!
//! 1. Filter: a row is selected when [`eval::matches`] says the filter is `true` for it
//!    (false and NULL both exclude it).
//! 2. With `projection: Count`, the response is `Count` of the selected rows; order,
//!    limit and offset are ignored.
//! 3. Sort by `order_by` with [`eval::cmp_rows`] (ascending puts NULL first, descending
//!    last). The sort is stable and rows start in primary-key order, so ties keep
//!    primary-key order. With no `order_by`, rows come in primary-key order (the contract
//!    leaves the order unspecified; memdb is deterministic).
//! 4. Skip `offset` rows, then keep at most `limit` rows.
//!
//! The response is `Rows` of full rows. A filter that refers to a model field or to a
//! column the table does not have, or an `order_by` column out of range, is
//! `InvalidStatement` (even on an empty table); so is any error the evaluator reports.

use crate::table::TableData;
use toasty_core::driver::{Response, Select};
use toasty_core::stmt::{eval, Select as Projection};
use toasty_core::{Result, Value};

/// Runs a select (see the module docs).
pub(crate) fn select(table: &TableData, op: Select) -> Result<Response> {
    table.check_expr(&op.filter)?;
    let mut rows: Vec<&Vec<Value>> = Vec::new();
    for row in table.candidates(&op.filter) {
        if eval::matches(&op.filter, row)? {
            rows.push(row);
        }
    }
    if op.projection == Projection::Count {
        return Ok(Response::Count(rows.len() as u64));
    }
    for key in &op.order_by {
        table.column(key.target)?;
    }
    rows.sort_by(|a, b| eval::cmp_rows(&op.order_by, a, b));
    let offset = op.offset.map_or(0, to_usize);
    let limit = op.limit.map_or(usize::MAX, to_usize);
    Ok(Response::Rows(
        rows.into_iter().skip(offset).take(limit).cloned().collect(),
    ))
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

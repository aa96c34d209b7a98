//! `QueryPk` (both personas): DynamoDB's `Query` on the table or on a global secondary
//! index.
//!
//! * Key columns: with `index: None` the partition column is primary-key column 0 and
//!   the sort column is primary-key column 1 (if the key has two columns). With
//!   `index: Some(i)` they are `table.indices[i].columns[0]` and `[1]`.
//! * A row belongs to an index only if its partition column, and its sort column when the
//!   index has one, are not NULL (a sparse index, like a DynamoDB GSI). Rows of the table
//!   itself always have their key columns.
//! * Selected rows are those whose partition column equals `partition` (three-valued `=`,
//!   so a NULL `partition` selects nothing), narrowed by `sort` if given, which is
//!   evaluated with [`eval::matches`].
//! * `sort` must look like a DynamoDB key condition: a comparison (`=`, `<`, `<=`, `>`,
//!   `>=`, not `<>`) of the sort column with a literal, `starts_with` on the sort column,
//!   or an `And` of exactly two such comparisons (a range). Anything else, or a `sort`
//!   on a key without a sort column, is `Unsupported`.
//! * Rows come ordered by sort column ascending ([`Value::sort_cmp`]), ties by primary key.

use crate::table::TableData;
use toasty_core::driver::{QueryPk, Response};
use toasty_core::stmt::{eval, BinaryOp, Expr, PatternOp};
use toasty_core::{Error, Result, Value};

/// Runs a query by partition key (see the module docs).
pub(crate) fn query_pk(table: &TableData, op: QueryPk) -> Result<Response> {
    let (partition_col, sort_col) = key_columns(table, op.index)?;
    if let Some(sort) = &op.sort {
        table.check_expr(sort)?;
        check_sort_condition(table, sort, sort_col)?;
    }
    let mut rows: Vec<&Vec<Value>> = Vec::new();
    for row in table.partition_rows(op.index, &op.partition) {
        let partition = cell(row, partition_col);
        if partition.is_null() {
            continue;
        }
        if op.index.is_some() && sort_col.is_some_and(|c| cell(row, c).is_null()) {
            continue;
        }
        if eval::compare(BinaryOp::Eq, partition, &op.partition)? != Value::Bool(true) {
            continue;
        }
        if let Some(sort) = &op.sort {
            if !eval::matches(sort, row)? {
                continue;
            }
        }
        rows.push(row);
    }
    if let Some(c) = sort_col {
        rows.sort_by(|a, b| cell(a, c).sort_cmp(cell(b, c)));
    }
    Ok(Response::Rows(rows.into_iter().cloned().collect()))
}

const NULL: Value = Value::Null;

fn cell(row: &[Value], col: usize) -> &Value {
    row.get(col).unwrap_or(&NULL)
}

/// The partition column and optional sort column of the table's key or of an index.
fn key_columns(table: &TableData, index: Option<usize>) -> Result<(usize, Option<usize>)> {
    let columns = match index {
        None => &table.def.primary_key,
        Some(i) => {
            &table
                .def
                .indices
                .get(i)
                .ok_or_else(|| {
                    Error::invalid_statement(format!(
                        "index #{i} does not exist on table `{}`, which has {} indexes",
                        table.def.name,
                        table.def.indices.len()
                    ))
                })?
                .columns
        }
    };
    let partition = columns.first().copied().ok_or_else(|| {
        Error::invalid_statement(format!(
            "a key of table `{}` has no columns to query by",
            table.def.name
        ))
    })?;
    Ok((partition, columns.get(1).copied()))
}

fn check_sort_condition(table: &TableData, sort: &Expr, sort_col: Option<usize>) -> Result<()> {
    let Some(col) = sort_col else {
        return Err(Error::unsupported(format!(
            "a query by partition key on `{}` has a sort-key condition, but the key it uses \
             has no sort column; filter the results instead",
            table.def.name
        )));
    };
    let ok = match sort {
        Expr::And(items) => items.len() == 2 && items.iter().all(|e| is_comparison(e, col)),
        e => is_comparison(e, col) || is_starts_with(e, col),
    };
    if ok {
        Ok(())
    } else {
        Err(Error::unsupported(format!(
            "the sort-key condition {sort:?} on {} is not a DynamoDB key condition; use a \
             comparison (=, <, <=, >, >=) of the sort key with a literal, starts_with on it, \
             or an And of two comparisons",
            table.column_label(col)
        )))
    }
}

fn is_comparison(e: &Expr, col: usize) -> bool {
    match e {
        Expr::Binary { op, lhs, rhs } if *op != BinaryOp::Ne => matches!(
            (lhs.as_ref(), rhs.as_ref()),
            (Expr::Column(c), Expr::Value(_)) | (Expr::Value(_), Expr::Column(c)) if *c == col
        ),
        _ => false,
    }
}

fn is_starts_with(e: &Expr, col: usize) -> bool {
    matches!(
        e,
        Expr::Pattern { op: PatternOp::StartsWith, expr, .. } if matches!(expr.as_ref(), Expr::Column(c) if *c == col)
    )
}

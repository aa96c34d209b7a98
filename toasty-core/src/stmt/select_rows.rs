//! [`select_rows`]: what a read means over a set of rows: filter, order, offset, limit.
//!
//! This is the one definition used by memdb, the engine's key-value executor and the test
//! oracles:
//!
//! 1. a row is kept when [`super::eval::matches`] says the filter is `true` for it;
//! 2. the kept rows are sorted stably by `order_by` with [`super::eval::cmp_rows`]
//!    (ascending puts NULL first, descending last), so rows that tie keep the order they
//!    were given in (callers give rows in primary-key order);
//! 3. `offset` rows are skipped, then at most `limit` rows are kept.
//!
//! A count is the number of rows step 1 keeps: order, offset and limit do not apply.

use super::{eval, Expr, OrderBy};
use crate::{Result, Value};

/// Filter, order, offset and limit of one read (see the module docs).
#[derive(Debug, Clone, Copy)]
pub struct RowSelection<'a> {
    /// Which rows.
    pub filter: &'a Expr,
    /// Sort keys; empty keeps the given order.
    pub order_by: &'a [OrderBy],
    /// Rows to skip after sorting.
    pub offset: Option<u64>,
    /// Most rows to keep.
    pub limit: Option<u64>,
}

/// Applies `selection` to `rows` (given in primary-key order).
pub fn select_rows<R: AsRef<[Value]>>(
    selection: RowSelection<'_>,
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<R>> {
    let mut kept = filter_rows(selection.filter, rows)?;
    if !selection.order_by.is_empty() {
        kept.sort_by(|a, b| eval::cmp_rows(selection.order_by, a.as_ref(), b.as_ref()));
    }
    let offset = selection.offset.map_or(0, to_usize);
    let limit = selection.limit.map_or(usize::MAX, to_usize);
    if offset == 0 && limit >= kept.len() {
        return Ok(kept);
    }
    Ok(kept.into_iter().skip(offset).take(limit).collect())
}

/// The rows for which `filter` is `true`, in the given order.
pub fn filter_rows<R: AsRef<[Value]>>(
    filter: &Expr,
    rows: impl IntoIterator<Item = R>,
) -> Result<Vec<R>> {
    let mut kept = Vec::new();
    for row in rows {
        if eval::matches(filter, row.as_ref())? {
            kept.push(row);
        }
    }
    Ok(kept)
}

/// The values of `row` at `positions`, in that order (a `.select(..)` projection). A
/// position past the end of the row gives NULL; callers check positions first.
pub fn project_row(row: &[Value], positions: &[usize]) -> Vec<Value> {
    positions
        .iter()
        .map(|&p| row.get(p).cloned().unwrap_or(Value::Null))
        .collect()
}

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stmt::{BinaryOp, Direction};

    fn rows() -> Vec<Vec<Value>> {
        vec![
            vec![Value::I64(1), Value::Null],
            vec![Value::I64(2), Value::I64(5)],
            vec![Value::I64(3), Value::I64(4)],
            vec![Value::I64(4), Value::I64(5)],
        ]
    }

    #[test]
    fn filters_sorts_stably_then_slices() {
        let filter = Expr::Binary {
            op: BinaryOp::Ge,
            lhs: Box::new(Expr::Column(0)),
            rhs: Box::new(Expr::Value(Value::I64(2))),
        };
        let order = [OrderBy {
            target: 1,
            direction: Direction::Desc,
        }];
        let sel = RowSelection {
            filter: &filter,
            order_by: &order,
            offset: Some(1),
            limit: Some(1),
        };
        let out = select_rows(sel, rows()).expect("select");
        // Sorted: 2 (5), 4 (5), 3 (4); ties keep the given order; offset 1, limit 1.
        assert_eq!(out, vec![vec![Value::I64(4), Value::I64(5)]]);
    }

    #[test]
    fn null_sorts_first_ascending_and_a_huge_offset_is_empty() {
        let order = [OrderBy {
            target: 1,
            direction: Direction::Asc,
        }];
        let t = Expr::true_();
        let all = select_rows(
            RowSelection {
                filter: &t,
                order_by: &order,
                offset: None,
                limit: None,
            },
            rows(),
        )
        .expect("select");
        assert_eq!(all[0][0], Value::I64(1));
        let none = select_rows(
            RowSelection {
                filter: &t,
                order_by: &[],
                offset: Some(u64::MAX),
                limit: Some(u64::MAX),
            },
            rows(),
        )
        .expect("select");
        assert!(none.is_empty());
    }
}

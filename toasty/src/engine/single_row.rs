//! Recognizing reads that can match at most one row, so they are sent without a limit
//! or an order the database would otherwise have to apply.
//!
//! `.get()` asks for two rows (to tell "exactly one" from "several") and `.first()` for
//! one. When the filter fixes every primary-key column to a non-NULL literal, at most
//! one row can match whatever the limit, and no order can change which row that is, so
//! both are dropped: `get_by_id` then reaches the database as the plain key lookup an
//! application would write by hand (one parameter fewer, no `LIMIT` node in the plan).
//! The result is the same on every backend; only the statement is smaller.

use toasty_core::driver::Select;
use toasty_core::schema::db::Table;
use toasty_core::stmt::{BinaryOp, Expr};
use toasty_core::Value;

/// Drops `limit` (when at least 1, with no offset) and `order_by` from a select whose
/// filter pins the whole primary key.
pub(crate) fn drop_redundant_limit(table: &Table, select: &mut Select) {
    let limit_is_redundant = select.offset.is_none() && select.limit.is_some_and(|l| l >= 1);
    if limit_is_redundant && pins_primary_key(table, &select.filter) {
        select.limit = None;
        select.order_by.clear();
    }
}

/// `true` when `filter` is, or is a conjunction containing, `column = literal` (either
/// way round, literal not NULL) for every primary-key column of `table`.
pub(crate) fn pins_primary_key(table: &Table, filter: &Expr) -> bool {
    let conjuncts: &[Expr] = match filter {
        Expr::And(items) => items,
        other => std::slice::from_ref(other),
    };
    !table.primary_key.is_empty()
        && table
            .primary_key
            .iter()
            .all(|&col| conjuncts.iter().any(|c| fixes_column(c, col)))
}

/// `true` for `Column(col) = v` or `v = Column(col)` with `v` a non-NULL literal.
fn fixes_column(expr: &Expr, col: usize) -> bool {
    let Expr::Binary {
        op: BinaryOp::Eq,
        lhs,
        rhs,
    } = expr
    else {
        return false;
    };
    let literal = |e: &Expr| matches!(e, Expr::Value(v) if !matches!(v, Value::Null));
    match (lhs.as_ref(), rhs.as_ref()) {
        (Expr::Column(c), other) | (other, Expr::Column(c)) => *c == col && literal(other),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::driver::Select;
    use toasty_core::schema::db::{Column, TableId};
    use toasty_core::stmt::{Direction, OrderBy, Select as Projection};
    use toasty_core::Type;

    fn table(key: Vec<usize>) -> Table {
        let col = |name: &str| Column {
            name: name.into(),
            ty: Type::I64,
            nullable: false,
            auto_increment: false,
            max_len: None,
        };
        Table {
            id: TableId(0),
            name: "t".into(),
            columns: vec![col("a"), col("b"), col("c")],
            primary_key: key,
            indices: vec![],
        }
    }

    fn eq(col: usize, v: Value) -> Expr {
        Expr::binary(BinaryOp::Eq, Expr::Column(col), Expr::Value(v))
    }

    fn select(filter: Expr, limit: Option<u64>, offset: Option<u64>) -> Select {
        Select {
            table: TableId(0),
            filter,
            order_by: vec![OrderBy {
                target: 2,
                direction: Direction::Desc,
            }],
            limit,
            offset,
            projection: Projection::Records,
        }
    }

    #[test]
    fn key_equality_drops_limit_and_order() {
        let t = table(vec![0]);
        let mut s = select(eq(0, Value::I64(7)), Some(2), None);
        drop_redundant_limit(&t, &mut s);
        assert_eq!(s.limit, None);
        assert!(s.order_by.is_empty());

        // Literal on the left, inside a conjunction.
        let f = Expr::And(vec![
            eq(2, Value::I64(1)),
            Expr::binary(BinaryOp::Eq, Expr::Value(Value::I64(7)), Expr::Column(0)),
        ]);
        let mut s = select(f, Some(1), None);
        drop_redundant_limit(&t, &mut s);
        assert_eq!(s.limit, None);
    }

    #[test]
    fn anything_short_of_a_pinned_key_is_kept() {
        let t = table(vec![0, 1]);
        let keep = |filter: Expr, limit: Option<u64>, offset: Option<u64>| {
            let mut s = select(filter, limit, offset);
            let before = s.clone();
            drop_redundant_limit(&t, &mut s);
            assert_eq!(s, before);
        };
        // Half of a composite key.
        keep(eq(0, Value::I64(1)), Some(2), None);
        // An offset could skip the one row.
        keep(
            Expr::And(vec![eq(0, Value::I64(1)), eq(1, Value::I64(2))]),
            Some(2),
            Some(1),
        );
        // limit(0) returns nothing.
        keep(
            Expr::And(vec![eq(0, Value::I64(1)), eq(1, Value::I64(2))]),
            Some(0),
            None,
        );
        // NULL never equals anything, but keep the statement as written.
        keep(
            Expr::And(vec![eq(0, Value::Null), eq(1, Value::I64(2))]),
            Some(2),
            None,
        );
        // A disjunction can match several rows.
        keep(
            Expr::Or(vec![eq(0, Value::I64(1)), eq(1, Value::I64(2))]),
            Some(2),
            None,
        );
        // Not equality.
        keep(
            Expr::And(vec![
                Expr::binary(BinaryOp::Ne, Expr::Column(0), Expr::Value(Value::I64(1))),
                eq(1, Value::I64(2)),
            ]),
            Some(2),
            None,
        );
    }

    #[test]
    fn full_composite_key_drops_limit() {
        let t = table(vec![0, 1]);
        let mut s = select(
            Expr::And(vec![eq(1, Value::I64(2)), eq(0, Value::I64(1))]),
            Some(2),
            None,
        );
        drop_redundant_limit(&t, &mut s);
        assert_eq!(s.limit, None);
    }
}

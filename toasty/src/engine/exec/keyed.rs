//! Steps whose values come from an earlier step's rows: insert cells filled with the
//! keys a parent insert returned ([`fill`]), and `IN` lists of the keys an earlier read
//! found ([`where_in`], [`filter_in`]).

use super::{row_slices, StepOut};
use crate::engine::plan::{Fill, KeysFrom};
use toasty_core::driver::{self, Operation, Response};
use toasty_core::stmt::Expr;
use toasty_core::{Error, Result, Value};

/// The most values one `IN` list built here holds: well below every database's
/// bind-parameter limit, so the statement around it fits too.
const MAX_IN_VALUES: usize = 10_000;

/// `op` with the cells of `fills` set from the values earlier inserts returned.
pub(super) fn fill(
    mut op: driver::Insert,
    fills: &[Fill],
    steps_out: &[StepOut],
) -> Result<Operation> {
    for f in fills {
        let rows = row_slices(steps_out, f.from)?;
        let value = rows
            .get(f.from_row)
            .and_then(|r| r.first())
            .cloned()
            .ok_or_else(|| {
                Error::driver(format!(
                    "plan step #{} returned no generated key for row {}",
                    f.from, f.from_row
                ))
            })?;
        if f.check.needs_check() {
            f.check.ty.check(&value, "").map_err(|_| {
                Error::out_of_range(format!(
                    "the database assigned {value:?} to a key that `{}` refers to, which does \
                     not fit its type {}; the insert was undone. Use a wider integer type for \
                     the key",
                    f.check.label,
                    f.check.ty.rust_name()
                ))
            })?;
        }
        let slot = op
            .rows
            .get_mut(f.row)
            .and_then(|r| r.get_mut(f.column))
            .ok_or_else(|| Error::driver("a filled cell is outside its insert"))?;
        *slot = value;
    }
    Ok(Operation::Insert(op))
}

/// The distinct key tuples of `keys.input`'s rows (tuples with a NULL are left out:
/// they match nothing).
fn key_tuples(keys: &KeysFrom, steps_out: &[StepOut]) -> Result<Vec<Vec<Value>>> {
    let rows = row_slices(steps_out, keys.input)?;
    let mut tuples: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
    for row in rows {
        let tuple: Vec<Value> = keys
            .from
            .iter()
            .map(|&c| row.get(c).cloned().unwrap_or(Value::Null))
            .collect();
        if !tuple.iter().any(Value::is_null) {
            tuples.push(tuple);
        }
    }
    tuples.sort_by(|a, b| {
        a.iter()
            .zip(b)
            .map(|(x, y)| x.sort_cmp(y))
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    tuples.dedup_by(|a, b| a.iter().zip(b.iter()).all(|(x, y)| x.same_as(y)));
    Ok(tuples)
}

/// `columns IN tuples`: an `IN` list for one column, an OR of conjunctions for several.
fn in_expr(columns: &[usize], tuples: Vec<Vec<Value>>) -> Expr {
    if let [col] = columns {
        return Expr::InList {
            expr: Box::new(Expr::Column(*col)),
            list: tuples.into_iter().filter_map(|mut t| t.pop()).collect(),
        };
    }
    Expr::Or(
        tuples
            .into_iter()
            .map(|t| {
                Expr::And(
                    columns
                        .iter()
                        .zip(t)
                        .map(|(&c, v)| Expr::eq(Expr::Column(c), Expr::Value(v)))
                        .collect(),
                )
            })
            .collect(),
    )
}

/// The filter `keys.to IN (the key tuples of keys.input)`, or `None` when there are none.
pub(super) fn filter_in(keys: &KeysFrom, steps_out: &[StepOut]) -> Result<Option<Expr>> {
    let tuples = key_tuples(keys, steps_out)?;
    if tuples.is_empty() {
        return Ok(None);
    }
    Ok(Some(in_expr(&keys.to, tuples)))
}

/// `op` restricted to the rows whose `keys.to` columns match a key of `keys.input`, as
/// one operation per [`MAX_IN_VALUES`] values (none when there are no keys).
pub(super) fn where_in(
    op: Operation,
    keys: &KeysFrom,
    steps_out: &[StepOut],
) -> Result<Vec<Operation>> {
    let tuples = key_tuples(keys, steps_out)?;
    let per_op = (MAX_IN_VALUES / keys.to.len().max(1)).max(1);
    let mut ops = Vec::with_capacity(tuples.len().div_ceil(per_op));
    let mut tuples = tuples.into_iter().peekable();
    while tuples.peek().is_some() {
        let part: Vec<Vec<Value>> = tuples.by_ref().take(per_op).collect();
        let restrict = in_expr(&keys.to, part);
        let and = |filter: &Expr| {
            if filter.is_true() {
                restrict.clone()
            } else {
                filter.clone().and(restrict.clone())
            }
        };
        ops.push(match &op {
            Operation::Select(s) => Operation::Select(driver::Select {
                filter: and(&s.filter),
                ..s.clone()
            }),
            Operation::Update(u) => Operation::Update(driver::Update {
                filter: and(&u.filter),
                ..u.clone()
            }),
            Operation::Delete(d) => Operation::Delete(driver::Delete {
                filter: and(&d.filter),
                ..d.clone()
            }),
            other => {
                return Err(Error::driver(format!(
                    "a {} cannot be restricted to keys",
                    other.name()
                )))
            }
        });
    }
    Ok(ops)
}

/// The responses of the operations of one step as one: rows concatenated for a read
/// (`select`), counts added for a write.
pub(super) fn combine(responses: Vec<Response>, select: bool) -> Response {
    if select {
        let mut rows = Vec::new();
        for r in responses {
            match r {
                Response::Rows(more) => rows.extend(more),
                Response::RowSet(set) => rows.extend(set.into_vecs()),
                Response::Count(_) => {}
            }
        }
        return Response::Rows(rows);
    }
    let mut n = 0u64;
    for r in responses {
        n += match r {
            Response::Count(c) => c,
            Response::Rows(rows) => rows.len() as u64,
            Response::RowSet(set) => set.len() as u64,
        };
    }
    Response::Count(n)
}

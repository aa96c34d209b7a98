//! Resolving sub-selects: [`resolve_subselects`] replaces every [`Expr::InSelect`] of a
//! table-level expression by a literal expression with the same meaning, given the rows
//! of the tables selected from. A driver that evaluates filters itself (memdb) runs it
//! once per operation; the sub-selects are not correlated, so each is read once.

use super::{BinaryOp, Expr, SubSelect};
use crate::{Error, Result, Value};

/// Rewrites every [`Expr::InSelect`] of `expr` (inner ones first) into an expression
/// without sub-selects. `rows` is asked for the rows of table `source` for which
/// `filter` (already free of sub-selects) is true, as full rows.
///
/// The result has SQL's meaning for `IN (SELECT ..)`: no selected row is `false` (also
/// for a NULL operand); one column is `lhs IN (values)`; several are the `OR` over the
/// selected rows of the `AND` of the column equalities.
pub fn resolve_subselects(
    mut expr: Expr,
    rows: &mut impl FnMut(usize, &Expr) -> Result<Vec<Vec<Value>>>,
) -> Result<Expr> {
    let mut err = None;
    expr.walk_mut(&mut |node| {
        if err.is_some() {
            return;
        }
        let resolved = match node {
            Expr::InSelect { lhs, select } => {
                let lhs = std::mem::take(lhs);
                let filter = select.filter.take();
                Some(resolve_one(lhs, select, filter, &mut *rows))
            }
            _ => None,
        };
        match resolved {
            Some(Ok(e)) => *node = e,
            Some(Err(e)) => err = Some(e),
            None => {}
        }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(expr),
    }
}

/// One sub-select as a literal expression (its own sub-selects resolved first).
fn resolve_one(
    lhs: Vec<Expr>,
    select: &SubSelect,
    filter: Expr,
    rows: &mut impl FnMut(usize, &Expr) -> Result<Vec<Vec<Value>>>,
) -> Result<Expr> {
    if lhs.len() != select.columns.len() || lhs.is_empty() {
        return Err(Error::invalid_statement(format!(
            "a sub-select compares {} values with {} columns",
            lhs.len(),
            select.columns.len()
        )));
    }
    let filter = resolve_subselects(filter, &mut *rows)?;
    let mut selected: Vec<Vec<Value>> = Vec::new();
    for row in rows(select.source, &filter)? {
        let projected = select
            .columns
            .iter()
            .map(|&c| {
                row.get(c).cloned().ok_or_else(|| {
                    Error::invalid_statement(format!(
                        "column #{c} is out of range for a row of {} columns",
                        row.len()
                    ))
                })
            })
            .collect::<Result<Vec<_>>>()?;
        if !selected.contains(&projected) {
            selected.push(projected);
        }
    }
    Ok(literal_in(lhs, selected))
}

fn literal_in(mut lhs: Vec<Expr>, selected: Vec<Vec<Value>>) -> Expr {
    if selected.is_empty() {
        return Expr::Value(Value::Bool(false));
    }
    if lhs.len() == 1 {
        return Expr::InList {
            expr: Box::new(lhs.remove(0)),
            list: selected.into_iter().flatten().collect(),
        };
    }
    Expr::Or(
        selected
            .into_iter()
            .map(|row| {
                Expr::And(
                    lhs.iter()
                        .zip(row)
                        .map(|(l, v)| Expr::binary(BinaryOp::Eq, l.clone(), Expr::Value(v)))
                        .collect(),
                )
            })
            .collect(),
    )
}

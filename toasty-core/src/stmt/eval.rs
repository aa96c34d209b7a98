//! The reference evaluator: what every expression means over one row.
//!
//! This module *is* the semantics contract for expressions (see `docs/semantics.md`):
//!
//! * comparisons with a NULL operand are NULL (unknown);
//! * `AND` is false if any operand is false, else NULL if any is NULL, else true;
//!   `OR` dually; `NOT NULL` is NULL;
//! * `IS NULL` is never NULL;
//! * `x IN ()` is false for non-NULL `x` and NULL for NULL `x`, so `NOT (x IN ())` matches
//!   every non-NULL `x`;
//! * strings compare by Unicode scalar value, case-sensitively, without padding;
//! * pattern tests are literal and case-sensitive.
//!
//! Expressions must be at table level ([`Expr::Column`]); a [`Expr::Field`] is an error.

use super::{BinaryOp, Direction, Expr, OrderBy, PatternOp};
use crate::{Error, Result, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

/// Evaluates `expr` over `row` to a value (`Bool` or `Null` for predicates).
///
/// Recursive, one call per level of `expr`: meant for filters within the engine's depth
/// limit (`toasty::limits::MAX_FILTER_DEPTH`, checked before any backend evaluates one);
/// measure other trees with [`Expr::shape`] first.
pub fn eval(expr: &Expr, row: &[Value]) -> Result<Value> {
    eval_cow(expr, row).map(Cow::into_owned)
}

/// Evaluates without copying literals and columns (the hot path of every scan).
fn eval_cow<'a>(expr: &'a Expr, row: &'a [Value]) -> Result<Cow<'a, Value>> {
    Ok(match expr {
        Expr::Value(v) => Cow::Borrowed(v),
        Expr::Column(i) => Cow::Borrowed(row.get(*i).ok_or_else(|| {
            Error::invalid_statement(format!(
                "column #{i} is out of range for a row of {} columns",
                row.len()
            ))
        })?),
        other => Cow::Owned(eval_owned(other, row)?),
    })
}

fn eval_owned(expr: &Expr, row: &[Value]) -> Result<Value> {
    Ok(match expr {
        Expr::Value(v) => v.clone(),
        Expr::Column(_) => eval_cow(expr, row)?.into_owned(),
        Expr::Field(i) => {
            return Err(Error::invalid_statement(format!(
                "field #{i} was not lowered to a column before evaluation"
            )))
        }
        Expr::Binary { op, lhs, rhs } => {
            let l = eval_cow(lhs, row)?;
            let r = eval_cow(rhs, row)?;
            compare(*op, &l, &r)?
        }
        Expr::And(items) => {
            let mut unknown = false;
            for item in items {
                match truth(eval_cow(item, row)?.as_ref())? {
                    Some(false) => return Ok(Value::Bool(false)),
                    None => unknown = true,
                    Some(true) => {}
                }
            }
            if unknown {
                Value::Null
            } else {
                Value::Bool(true)
            }
        }
        Expr::Or(items) => {
            let mut unknown = false;
            for item in items {
                match truth(eval_cow(item, row)?.as_ref())? {
                    Some(true) => return Ok(Value::Bool(true)),
                    None => unknown = true,
                    Some(false) => {}
                }
            }
            if unknown {
                Value::Null
            } else {
                Value::Bool(false)
            }
        }
        Expr::Not(e) => match truth(eval_cow(e, row)?.as_ref())? {
            Some(b) => Value::Bool(!b),
            None => Value::Null,
        },
        Expr::IsNull(e) => Value::Bool(eval_cow(e, row)?.is_null()),
        Expr::InList { expr, list } => {
            let v = eval_cow(expr, row)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut unknown = false;
            for candidate in list {
                match compare(BinaryOp::Eq, &v, candidate)? {
                    Value::Bool(true) => return Ok(Value::Bool(true)),
                    Value::Null => unknown = true,
                    _ => {}
                }
            }
            if unknown {
                Value::Null
            } else {
                Value::Bool(false)
            }
        }
        Expr::Related { .. } => {
            return Err(Error::invalid_statement(
                "a filter through a relation was not resolved into a sub-select before \
                 evaluation",
            ))
        }
        Expr::InSelect { .. } => {
            return Err(Error::invalid_statement(
                "a sub-select must be resolved (stmt::resolve_subselects) before evaluation",
            ))
        }
        Expr::Pattern { op, expr, pattern } => match &*eval_cow(expr, row)? {
            Value::Null => Value::Null,
            Value::String(s) => Value::Bool(match op {
                PatternOp::StartsWith => s.starts_with(pattern.as_str()),
                PatternOp::EndsWith => s.ends_with(pattern.as_str()),
                PatternOp::Contains => s.contains(pattern.as_str()),
                PatternOp::Like => super::like::like_match(s, pattern, false)?,
                PatternOp::ILike => super::like::like_match(s, pattern, true)?,
            }),
            other => {
                return Err(Error::invalid_statement(format!(
                    "a string pattern test was applied to {}",
                    other.type_name()
                )))
            }
        },
    })
}

/// Evaluates a filter: `true` only when the expression is `true` (not NULL, not false).
pub fn matches(filter: &Expr, row: &[Value]) -> Result<bool> {
    Ok(truth(eval_cow(filter, row)?.as_ref())? == Some(true))
}

/// Three-valued comparison of two values.
pub fn compare(op: BinaryOp, l: &Value, r: &Value) -> Result<Value> {
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    let ord = l.compare(r).ok_or_else(|| {
        Error::invalid_statement(format!(
            "cannot compare {} with {}",
            l.type_name(),
            r.type_name()
        ))
    })?;
    Ok(Value::Bool(match op {
        BinaryOp::Eq => ord == Ordering::Equal,
        BinaryOp::Ne => ord != Ordering::Equal,
        BinaryOp::Lt => ord == Ordering::Less,
        BinaryOp::Le => ord != Ordering::Greater,
        BinaryOp::Gt => ord == Ordering::Greater,
        BinaryOp::Ge => ord != Ordering::Less,
    }))
}

fn truth(v: &Value) -> Result<Option<bool>> {
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Null => Ok(None),
        other => Err(Error::invalid_statement(format!(
            "expected a boolean condition, found {}",
            other.type_name()
        ))),
    }
}

/// Compares two rows by `order_by` (column positions): ascending puts NULL first,
/// descending puts NULL last.
pub fn cmp_rows(order_by: &[OrderBy], a: &[Value], b: &[Value]) -> Ordering {
    for key in order_by {
        let (x, y) = (a.get(key.target), b.get(key.target));
        let ord = match (x, y) {
            (Some(x), Some(y)) => x.sort_cmp(y),
            _ => Ordering::Equal,
        };
        let ord = match key.direction {
            Direction::Asc => ord,
            Direction::Desc => ord.reverse(),
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(i: usize) -> Box<Expr> {
        Box::new(Expr::Column(i))
    }

    #[test]
    fn null_comparisons_are_unknown() {
        let row = [Value::Null, Value::I64(1)];
        let e = Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(1)));
        assert_eq!(eval(&e, &row).unwrap(), Value::Null);
        assert!(!matches(&e, &row).unwrap());
        assert!(!matches(&e.clone().not(), &row).unwrap());
        assert!(matches(&Expr::IsNull(col(0)), &row).unwrap());
    }

    #[test]
    fn empty_in_list() {
        let e = Expr::InList {
            expr: col(0),
            list: vec![],
        };
        assert!(!matches(&e, &[Value::I64(1)]).unwrap());
        assert!(matches(&e.clone().not(), &[Value::I64(1)]).unwrap());
        assert!(!matches(&e.clone().not(), &[Value::Null]).unwrap());
    }

    #[test]
    fn patterns_are_literal_and_case_sensitive() {
        let p = |op, pat: &str| Expr::Pattern {
            op,
            expr: col(0),
            pattern: pat.into(),
        };
        let row = [Value::String("50%_Off".into())];
        assert!(matches(&p(PatternOp::StartsWith, "50%"), &row).unwrap());
        assert!(!matches(&p(PatternOp::StartsWith, "5_"), &row).unwrap());
        assert!(!matches(&p(PatternOp::EndsWith, "off"), &row).unwrap());
        assert!(matches(&p(PatternOp::Contains, "%_O"), &row).unwrap());
    }

    #[test]
    fn negative_zero_equals_zero() {
        let e = Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::F64(0.0)));
        assert!(matches(&e, &[Value::F64(-0.0)]).unwrap());
    }

    #[test]
    fn sort_nulls_first_ascending_last_descending() {
        let mut rows = [vec![Value::I64(2)], vec![Value::Null], vec![Value::I64(1)]];
        let asc = [OrderBy {
            target: 0,
            direction: Direction::Asc,
        }];
        rows.sort_by(|a, b| cmp_rows(&asc, a, b));
        assert_eq!(rows[0][0], Value::Null);
        let desc = [OrderBy {
            target: 0,
            direction: Direction::Desc,
        }];
        rows.sort_by(|a, b| cmp_rows(&desc, a, b));
        assert_eq!(rows[2][0], Value::Null);
        assert_eq!(rows[0][0], Value::I64(2));
    }
}

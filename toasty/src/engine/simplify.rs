//! Simplification of table-level filters: flattening, constant folding and tautologies.
//!
//! Every rewrite here preserves three-valued semantics exactly (checked by the property
//! tests in `tests/`), so drivers and the kv planner see smaller, canonical filters.

use toasty_core::stmt::{eval, Expr};
use toasty_core::Value;

/// Simplifies `expr`.
pub(crate) fn simplify(expr: Expr) -> Expr {
    match expr {
        Expr::And(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match simplify(item) {
                    Expr::Value(Value::Bool(true)) => {}
                    f @ Expr::Value(Value::Bool(false)) => return f,
                    Expr::And(nested) => out.extend(nested),
                    other => out.push(other),
                }
            }
            match out.len() {
                0 => Expr::true_(),
                1 => out.pop().unwrap_or_else(Expr::true_),
                _ => Expr::And(out),
            }
        }
        Expr::Or(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                match simplify(item) {
                    Expr::Value(Value::Bool(false)) => {}
                    t @ Expr::Value(Value::Bool(true)) => return t,
                    Expr::Or(nested) => out.extend(nested),
                    other => out.push(other),
                }
            }
            match out.len() {
                0 => Expr::Value(Value::Bool(false)),
                1 => out.pop().unwrap_or(Expr::Value(Value::Bool(false))),
                _ => Expr::Or(out),
            }
        }
        // Boxes are moved out of and refilled in place: no allocation on the way.
        Expr::Not(mut inner) => match simplify(*inner) {
            Expr::Value(Value::Bool(b)) => Expr::Value(Value::Bool(!b)),
            Expr::Not(x) => *x,
            other => {
                *inner = other;
                Expr::Not(inner)
            }
        },
        Expr::Binary {
            op,
            mut lhs,
            mut rhs,
        } => {
            *lhs = simplify(*lhs);
            *rhs = simplify(*rhs);
            if let (Expr::Value(l), Expr::Value(r)) = (&*lhs, &*rhs) {
                if let Ok(v) = eval::compare(op, l, r) {
                    return Expr::Value(v);
                }
            }
            Expr::Binary { op, lhs, rhs }
        }
        Expr::IsNull(mut inner) => match simplify(*inner) {
            Expr::Value(v) => Expr::Value(Value::Bool(v.is_null())),
            other => {
                *inner = other;
                Expr::IsNull(inner)
            }
        },
        other => other,
    }
}

//! Simplification of table-level filters: flattening, constant folding and tautologies.
//!
//! Every rewrite here preserves three-valued semantics exactly (checked by the property
//! tests in `tests/`), so drivers and the kv planner see smaller, canonical filters.

use toasty_core::stmt::{eval, Expr};
use toasty_core::Value;

/// Simplifies `expr`.
///
/// Recursive: only called on filters that passed the depth limit of `verify`.
pub(crate) fn simplify(mut expr: Expr) -> Expr {
    match &mut expr {
        Expr::And(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in std::mem::take(items) {
                let mut item = simplify(item);
                match &mut item {
                    Expr::Value(Value::Bool(true)) => {}
                    Expr::Value(Value::Bool(false)) => return item,
                    Expr::And(nested) => out.append(nested),
                    _ => out.push(item),
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
            for item in std::mem::take(items) {
                let mut item = simplify(item);
                match &mut item {
                    Expr::Value(Value::Bool(false)) => {}
                    Expr::Value(Value::Bool(true)) => return item,
                    Expr::Or(nested) => out.append(nested),
                    _ => out.push(item),
                }
            }
            match out.len() {
                0 => Expr::Value(Value::Bool(false)),
                1 => out.pop().unwrap_or(Expr::Value(Value::Bool(false))),
                _ => Expr::Or(out),
            }
        }
        // Boxes are taken out of and refilled in place: no allocation on the way.
        Expr::Not(inner) => {
            let mut simple = simplify(inner.take());
            match &mut simple {
                Expr::Value(Value::Bool(b)) => Expr::Value(Value::Bool(!*b)),
                Expr::Not(x) => x.take(),
                _ => {
                    **inner = simple;
                    expr
                }
            }
        }
        Expr::Binary { op, lhs, rhs } => {
            **lhs = simplify(lhs.take());
            **rhs = simplify(rhs.take());
            if let (Expr::Value(l), Expr::Value(r)) = (&**lhs, &**rhs) {
                if let Ok(v) = eval::compare(*op, l, r) {
                    return Expr::Value(v);
                }
            }
            expr
        }
        Expr::IsNull(inner) => {
            let simple = simplify(inner.take());
            match &simple {
                Expr::Value(v) => Expr::Value(Value::Bool(v.is_null())),
                _ => {
                    **inner = simple;
                    expr
                }
            }
        }
        _ => expr,
    }
}

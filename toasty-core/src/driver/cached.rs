//! Operations compiled once and run again with new values: [`Template`] and
//! [`Cached`], and the *parameter positions* of an operation ([`params`],
//! [`params_mut`]).
//!
//! The engine's statement cache keeps, per statement shape, the one driver operation a
//! plan runs as a [`Template`]. A later statement of the same shape reaches the driver
//! as [`super::Operation::Cached`]: the template and the new values of its parameter
//! positions, in the order [`params`] visits them. A driver may keep its own form of the
//! template (an SQL driver: the serialized SQL text and where each bind parameter comes
//! from, [`Template::driver_state`]), made once and shared by every connection, and
//! bind the new values straight into it; any driver can instead run
//! [`Cached::into_operation`], the template with the values put back, which is exactly
//! the operation the statement compiles to.

use super::Operation;
use crate::stmt::Expr;
use crate::{Error, Result, Value};
use std::any::Any;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// One driver operation kept by the engine's statement cache, with the values of the
/// statement that made it in its parameter positions.
pub struct Template {
    op: Operation,
    state: OnceLock<Option<Box<dyn Any + Send + Sync>>>,
}

impl Template {
    /// A template of `op` (a `Select`, `Update` or `Delete`).
    pub fn new(op: Operation) -> Template {
        Template {
            op,
            state: OnceLock::new(),
        }
    }

    /// The operation, with the values of the statement that made the template.
    pub fn op(&self) -> &Operation {
        &self.op
    }

    /// The driver's own form of this template, made by `make` from the operation the
    /// first time it is asked for and kept (`None` when `make` declined: the driver then
    /// runs [`Cached::into_operation`]). A driver asks for one type only; a state of
    /// another type reads as `None`.
    pub fn driver_state<T: Any + Send + Sync>(
        &self,
        make: impl FnOnce(&Operation) -> Option<T>,
    ) -> Option<&T> {
        self.state
            .get_or_init(|| make(&self.op).map(|t| Box::new(t) as Box<dyn Any + Send + Sync>))
            .as_ref()
            .and_then(|state| state.downcast_ref::<T>())
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("op", &self.op)
            .finish_non_exhaustive()
    }
}

/// A [`Template`] run with new values: what a cache hit sends to the driver.
#[derive(Debug, Clone)]
pub struct Cached {
    /// The operation kept for the statement's shape.
    pub template: Arc<Template>,
    /// The statement's values, one per parameter position of the template's operation,
    /// in the order [`params`] visits them.
    pub params: Vec<Value>,
}

impl PartialEq for Cached {
    fn eq(&self, other: &Cached) -> bool {
        self.template.op == other.template.op && self.params == other.params
    }
}

impl Cached {
    /// The operation this stands for: a copy of the template with `params` in its
    /// parameter positions.
    pub fn into_operation(self) -> Result<Operation> {
        let mut op = self.template.op.clone();
        let mut values = self.params.into_iter();
        let mut short = false;
        let visited = params_mut(&mut op, &mut |slot| match values.next() {
            Some(v) => *slot = v,
            None => short = true,
        });
        if !visited || short || values.next().is_some() {
            return Err(Error::driver(
                "a cached operation has a different number of values than its template has \
                 parameters; this is a bug in Toasty's statement cache, please report it",
            ));
        }
        Ok(op)
    }
}

macro_rules! visitors {
    ($op_fn:ident, $expr_fn:ident, $($mutability:ident)?) => {
        /// Calls `f` on every value in a parameter position of `op`, in order: the
        /// filter's (see the expression visitor), then an update's assigned values and
        /// arithmetic operands. `false` for operations other than `Select`, `Update` and
        /// `Delete`, whose values are not all in parameter positions.
        pub fn $op_fn(op: &$($mutability)? Operation, f: &mut dyn FnMut(&$($mutability)? Value)) -> bool {
            match op {
                Operation::Select(s) => $expr_fn(&$($mutability)? s.filter, f),
                Operation::Update(u) => {
                    $expr_fn(&$($mutability)? u.filter, f);
                    for (_, v) in &$($mutability)? u.assignments {
                        f(v);
                    }
                    for (_, a) in &$($mutability)? u.arithmetic {
                        f(&$($mutability)? a.operand);
                    }
                }
                Operation::Delete(d) => $expr_fn(&$($mutability)? d.filter, f),
                _ => return false,
            }
            true
        }

        /// Calls `f` on every value in a parameter position of `expr`, in order: an
        /// operand of a comparison whose other side is not a literal, an item of an
        /// `IN` list, and those of sub-expressions, left to right. Recursive: only
        /// called on filters within the engine's depth limit.
        pub fn $expr_fn(expr: &$($mutability)? Expr, f: &mut dyn FnMut(&$($mutability)? Value)) {
            match expr {
                Expr::Binary { lhs, rhs, .. } => match (&$($mutability)? **lhs, &$($mutability)? **rhs) {
                    (Expr::Value(_), Expr::Value(_)) => {}
                    (Expr::Value(v), other) => {
                        f(v);
                        $expr_fn(other, f);
                    }
                    (other, Expr::Value(v)) => {
                        $expr_fn(other, f);
                        f(v);
                    }
                    (l, r) => {
                        $expr_fn(l, f);
                        $expr_fn(r, f);
                    }
                },
                Expr::And(items) | Expr::Or(items) => {
                    for item in items {
                        $expr_fn(item, f);
                    }
                }
                Expr::Not(inner) | Expr::IsNull(inner) => $expr_fn(inner, f),
                Expr::InList { expr, list } => {
                    $expr_fn(expr, f);
                    for v in list {
                        f(v);
                    }
                }
                Expr::Pattern { expr, .. } => $expr_fn(expr, f),
                Expr::InSelect { lhs, select } => {
                    for e in lhs {
                        $expr_fn(e, f);
                    }
                    $expr_fn(&$($mutability)? select.filter, f);
                }
                Expr::Related { filter, .. } => $expr_fn(filter, f),
                Expr::Value(_) | Expr::Field(_) | Expr::Column(_) => {}
            }
        }
    };
}

visitors!(params, expr_params,);
visitors!(params_mut, expr_params_mut, mut);

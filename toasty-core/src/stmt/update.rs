//! Model-level updates, and [`Arith`]: an assignment relative to the stored value.

use super::Query;
use crate::{Error, Result, Type, Value};

/// Sets fields on every record a query selects.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Which records: `model` and `filter` (an order is ignored; a limit or an offset
    /// is refused with `InvalidStatement`).
    pub selection: Query,
    /// `(field position, new value)` pairs.
    pub assignments: Vec<(usize, Value)>,
    /// `(field position, change)` pairs: numeric fields changed relative to their
    /// stored value (`increment`, `add`, ...). A field appears at most once in
    /// `assignments` and `arithmetic` together.
    pub arithmetic: Vec<(usize, Arith)>,
    /// When `true`, the engine returns the updated records.
    pub returning: bool,
}

/// Adding to or subtracting from a numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArithOp {
    /// `stored + operand`
    Add,
    /// `stored - operand`
    Subtract,
}

impl ArithOp {
    /// The SQL operator.
    pub fn as_sql(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Subtract => "-",
        }
    }
}

/// A change relative to the stored value of a numeric field (model level) or column
/// (table level): `stored op operand`, applied by the database (or under memdb's lock)
/// to whatever the record holds when the statement runs.
///
/// [`Arith::apply`] is the normative meaning, the same on every backend:
///
/// * a NULL stored value stays NULL;
/// * integers: the exact result must lie in the range of the field's Rust type (`u64`:
///   `0..=i64::MAX`), otherwise the statement fails with `ValueOutOfRange` and writes
///   nothing;
/// * floats: the IEEE 754 result in the field's type (an `f32` field computes in `f32`,
///   rounding to nearest, ties to even); a result that is not finite (overflow to an
///   infinity) is `ValueOutOfRange` and writes nothing. `-0.0` and `0.0` are equal.
#[derive(Debug, Clone, PartialEq)]
pub struct Arith {
    /// Add or subtract.
    pub op: ArithOp,
    /// The amount: a value of the field's type (`I64` for integers, `F64` for floats).
    pub operand: Value,
}

impl Arith {
    /// `stored + operand`.
    pub fn add(operand: Value) -> Arith {
        Arith {
            op: ArithOp::Add,
            operand,
        }
    }

    /// `stored - operand`.
    pub fn subtract(operand: Value) -> Arith {
        Arith {
            op: ArithOp::Subtract,
            operand,
        }
    }

    /// Checks that the change applies to a field of type `ty`: a numeric type, and an
    /// operand of that type (in range, finite). `what` names the field for messages.
    pub fn check(&self, ty: Type, what: &str) -> Result<()> {
        if !ty.is_integer() && !ty.is_float() {
            return Err(Error::invalid_statement(format!(
                "{what} has type {} and cannot be incremented or decremented; `add`, \
                 `subtract`, `increment` and `decrement` need a numeric field",
                ty.rust_name()
            )));
        }
        if self.operand.is_null() {
            return Err(Error::invalid_value(format!(
                "the amount added to or subtracted from {what} cannot be NULL"
            )));
        }
        ty.check(&self.operand, &format!("the amount for {what}"))
    }

    /// The new value of a field of type `ty` that holds `stored` (see the type's docs).
    pub fn apply(&self, stored: &Value, ty: Type) -> Result<Value> {
        match (stored, &self.operand) {
            (Value::Null, _) => Ok(Value::Null),
            (Value::I64(a), Value::I64(b)) if ty.is_integer() => {
                let (lo, hi) = ty.int_range().unwrap_or((i64::MIN, i64::MAX));
                let (a, b) = (*a as i128, *b as i128);
                let r = match self.op {
                    ArithOp::Add => a + b,
                    ArithOp::Subtract => a - b,
                };
                if r < lo as i128 || r > hi as i128 {
                    return Err(Error::out_of_range(format!(
                        "{a} {} {b} is {r}, outside the range of {} ({lo}..={hi}); nothing \
                         was written",
                        self.op.as_sql(),
                        ty.rust_name()
                    )));
                }
                Ok(Value::I64(r as i64))
            }
            (Value::F64(a), Value::F64(b)) if ty.is_float() => {
                let r = if ty == Type::F32 {
                    let (a, b) = (*a as f32, *b as f32);
                    (match self.op {
                        ArithOp::Add => a + b,
                        ArithOp::Subtract => a - b,
                    }) as f64
                } else {
                    match self.op {
                        ArithOp::Add => a + b,
                        ArithOp::Subtract => a - b,
                    }
                };
                if !r.is_finite() {
                    return Err(Error::out_of_range(format!(
                        "{a} {} {b} overflows {}; nothing was written",
                        self.op.as_sql(),
                        ty.rust_name()
                    )));
                }
                Ok(Value::F64(r))
            }
            (stored, operand) => Err(Error::invalid_value(format!(
                "cannot compute {} {} {} for a field of type {}",
                stored.type_name(),
                self.op.as_sql(),
                operand.type_name(),
                ty.rust_name()
            ))),
        }
    }
}

//! The serializer's output: SQL text, its bind parameters, and what running it yields.

use toasty_core::{Type, Value};

/// One bind parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The value to bind. Never [`Value::U64`]. [`Value::Null`] for an array parameter.
    pub value: Value,
    /// The type to bind it as: the type of the column it is stored into or compared
    /// with when the value belongs to that column's family (so a driver binds an `f32`
    /// column's value as `REAL`, a `u8` as `SMALLINT`), otherwise the value's own type
    /// (an `i32` column compared with a float literal binds an `F64`).
    pub ty: Type,
    /// `Some` for an array parameter: the elements (each of type `ty`, or NULL) of the
    /// one-dimensional array a PostgreSQL `column = ANY($n)` compares with. Only the
    /// PostgreSQL dialect writes these (see [`crate::Dialect::Postgres`]); other
    /// drivers refuse them.
    pub array: Option<Vec<Value>>,
}

impl Param {
    /// A parameter bound to one value.
    pub fn scalar(value: Value, ty: Type) -> Param {
        Param {
            value,
            ty,
            array: None,
        }
    }

    /// An array parameter of `elements`, each of type `ty` or NULL.
    pub fn array(elements: Vec<Value>, ty: Type) -> Param {
        Param {
            value: Value::Null,
            ty,
            array: Some(elements),
        }
    }
}

/// What executing a [`Statement`] produces.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Nothing of interest (DDL).
    Nothing,
    /// The number of affected rows (a write without `RETURNING`).
    Affected,
    /// One row with one integer column: a `COUNT(*)`.
    Count,
    /// Rows whose columns have these types, in this order (a read or `RETURNING`).
    Rows(Vec<Type>),
}

/// One SQL statement ready to prepare and execute.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL text, with placeholders for every user value.
    pub sql: String,
    /// Parameters in placeholder order.
    pub params: Vec<Param>,
    /// What the statement yields.
    pub output: Output,
}

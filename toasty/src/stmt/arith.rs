//! Relative numeric updates: [`increment`], [`decrement`], [`add`], [`subtract`].
//!
//! Passed to an update setter in place of a value (`user.update().login_count(increment())`,
//! `User::filter(..).update().balance(add(100))`), or written as a method call on the
//! field in `toasty::update!` (`update!(user { login_count.increment() })`), they change
//! a numeric field relative to the value the database holds when the statement runs,
//! atomically: no concurrent writer can slip between the read and the write. A result
//! outside the field's Rust type fails the whole statement with `ValueOutOfRange` and
//! writes nothing, on every backend (see `docs/semantics.md`, "Statements").

use super::{Expr, IntoExpr};
use crate::Scalar;
use std::marker::PhantomData;
use toasty_core::stmt;

/// A numeric field type: the integers (`i8`..`i64`, `u8`..`u64`, `isize`, `usize`) and
/// the floats (`f32`, `f64`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a numeric field type",
    note = "`increment`, `decrement`, `add` and `subtract` apply to fields of type i8..i64, \
            isize, u8..u64, usize, f32 or f64"
)]
pub trait Numeric: Scalar {
    /// The value one.
    const ONE: Self;
}

macro_rules! numeric {
    ($($t:ty => $one:expr),*) => {$(
        impl Numeric for $t {
            const ONE: Self = $one;
        }
    )*};
}
numeric!(
    i8 => 1, i16 => 1, i32 => 1, i64 => 1, isize => 1,
    u8 => 1, u16 => 1, u32 => 1, u64 => 1, usize => 1,
    f32 => 1.0, f64 => 1.0
);

/// A change to a numeric field of type `T` relative to its stored value; build one with
/// [`increment`], [`decrement`], [`add`] or [`subtract`] and pass it to the field's
/// update setter.
#[must_use = "pass it to an update setter: `.count(toasty::stmt::increment())`"]
pub struct Arithmetic<T> {
    pub(crate) change: stmt::Arith,
    _ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Arithmetic<T> {
    fn clone(&self) -> Self {
        Arithmetic {
            change: self.change.clone(),
            _ty: PhantomData,
        }
    }
}

impl<T> std::fmt::Debug for Arithmetic<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.change.fmt(f)
    }
}

impl<T> Arithmetic<T> {
    /// The untyped change.
    pub fn into_untyped(self) -> stmt::Arith {
        self.change
    }
}

/// Adds one to the field's stored value.
pub fn increment<T: Numeric>() -> Arithmetic<T> {
    add(T::ONE)
}

/// Subtracts one from the field's stored value.
pub fn decrement<T: Numeric>() -> Arithmetic<T> {
    subtract(T::ONE)
}

/// Adds `value` to the field's stored value.
pub fn add<T: Numeric>(value: T) -> Arithmetic<T> {
    Arithmetic {
        change: stmt::Arith::add(value.to_value()),
        _ty: PhantomData,
    }
}

/// Subtracts `value` from the field's stored value.
pub fn subtract<T: Numeric>(value: T) -> Arithmetic<T> {
    Arithmetic {
        change: stmt::Arith::subtract(value.to_value()),
        _ty: PhantomData,
    }
}

/// What an update setter of a field of type `T` accepts: a new value (anything that is
/// [`IntoExpr<T>`]), or for a numeric field a change relative to the stored value
/// ([`increment`], [`add`], ...). `M` is [`ByValue`] or [`ByChange`]; it only keeps the
/// two kinds apart and is always inferred.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be assigned to a field of type `{T}`",
    note = "an update setter takes a value of the field's type, or for a numeric field \
            (i8..i64, isize, u8..u64, usize, f32, f64; not an Option) \
            toasty::stmt::increment(), decrement(), add(v) or subtract(v)"
)]
pub trait IntoAssignment<T, M> {
    /// Converts into an assignment.
    fn into_assignment(self) -> Assignment<T>;
}

/// The [`IntoAssignment`] kind of a new value.
#[derive(Debug)]
pub enum ByValue {}

/// The [`IntoAssignment`] kind of a change relative to the stored value.
#[derive(Debug)]
pub enum ByChange {}

/// A field's new value, or a change to its stored value (see [`IntoAssignment`]).
pub enum Assignment<T> {
    /// Set the field to this value.
    Set(Expr<T>),
    /// Change the field relative to its stored value.
    Arith(Arithmetic<T>),
}

impl<T, E: IntoExpr<T>> IntoAssignment<T, ByValue> for E {
    fn into_assignment(self) -> Assignment<T> {
        Assignment::Set(self.into_expr())
    }
}

impl<T: Numeric> IntoAssignment<T, ByChange> for Arithmetic<T> {
    fn into_assignment(self) -> Assignment<T> {
        Assignment::Arith(self)
    }
}

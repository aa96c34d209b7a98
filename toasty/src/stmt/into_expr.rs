//! Conversion of Rust values (and field paths) into typed expressions.

use super::Expr;
use crate::primitive::Scalar;
use toasty_core::stmt;

/// A value usable where an expression of type `T` is expected.
///
/// Implemented for `T` and `&T`, for `&str` where a `String` is expected, and for `T`,
/// `&T`, `Option<T>` and `&Option<T>` where an `Option<T>` is expected. A bare `None`
/// needs no annotation (`.bio(None)`); for a present optional string pass the `&str`
/// itself (`.bio("text")`) or `Some(String)`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be used as a value of type `{T}` in a Toasty expression"
)]
pub trait IntoExpr<T> {
    /// Converts into an expression.
    fn into_expr(self) -> Expr<T>;
}

fn lit<T>(v: toasty_core::Value) -> Expr<T> {
    Expr::from_untyped(stmt::Expr::Value(v))
}

impl<T: Scalar> IntoExpr<T> for T {
    fn into_expr(self) -> Expr<T> {
        lit(self.to_value())
    }
}

impl<T: Scalar> IntoExpr<T> for &T {
    fn into_expr(self) -> Expr<T> {
        lit(self.to_value())
    }
}

impl<T> IntoExpr<T> for Expr<T> {
    fn into_expr(self) -> Expr<T> {
        self
    }
}

impl IntoExpr<String> for &str {
    fn into_expr(self) -> Expr<String> {
        lit(toasty_core::Value::String(self.to_string()))
    }
}

impl IntoExpr<String> for &&str {
    fn into_expr(self) -> Expr<String> {
        lit(toasty_core::Value::String(self.to_string()))
    }
}

impl IntoExpr<Vec<u8>> for &[u8] {
    fn into_expr(self) -> Expr<Vec<u8>> {
        lit(toasty_core::Value::Bytes(self.to_vec()))
    }
}

impl<T: Scalar> IntoExpr<Option<T>> for T {
    fn into_expr(self) -> Expr<Option<T>> {
        lit(self.to_value())
    }
}

impl<T: Scalar> IntoExpr<Option<T>> for &T {
    fn into_expr(self) -> Expr<Option<T>> {
        lit(self.to_value())
    }
}

impl<T: Scalar> IntoExpr<Option<T>> for Option<T> {
    fn into_expr(self) -> Expr<Option<T>> {
        lit(crate::Primitive::to_value(&self))
    }
}

impl<T: Scalar> IntoExpr<Option<T>> for &Option<T> {
    fn into_expr(self) -> Expr<Option<T>> {
        lit(crate::Primitive::to_value(self))
    }
}

impl IntoExpr<Option<String>> for &str {
    fn into_expr(self) -> Expr<Option<String>> {
        lit(toasty_core::Value::String(self.to_string()))
    }
}

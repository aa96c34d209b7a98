//! Typed boolean expressions.

use std::marker::PhantomData;
use toasty_core::stmt;

/// A typed expression; `Expr<bool>` is a filter.
///
/// Build one from a field path (`User::fields().name().eq("Ada")`) and combine with
/// [`Expr::and`], [`Expr::or`] and [`Expr::not`] (or the `!` operator).
pub struct Expr<T> {
    pub(crate) untyped: stmt::Expr,
    _ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Expr<T> {
    fn clone(&self) -> Self {
        Expr::from_untyped(self.untyped.clone())
    }
}

impl<T> std::fmt::Debug for Expr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.untyped.fmt(f)
    }
}

impl<T> Expr<T> {
    /// Wraps an untyped expression. The caller vouches for the type.
    pub fn from_untyped(untyped: stmt::Expr) -> Self {
        Expr {
            untyped,
            _ty: PhantomData,
        }
    }

    /// The untyped expression.
    pub fn into_untyped(self) -> stmt::Expr {
        self.untyped
    }
}

impl Expr<bool> {
    /// Both conditions hold.
    pub fn and(self, other: Expr<bool>) -> Expr<bool> {
        Expr::from_untyped(self.untyped.and(other.untyped))
    }

    /// At least one condition holds.
    pub fn or(self, other: Expr<bool>) -> Expr<bool> {
        Expr::from_untyped(self.untyped.or(other.untyped))
    }

    /// The condition does not hold (under three-valued logic: NOT of unknown is unknown,
    /// so a comparison with a NULL field matches neither `p` nor `p.not()`).
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr<bool> {
        Expr::from_untyped(self.untyped.not())
    }
}

impl std::ops::Not for Expr<bool> {
    type Output = Expr<bool>;
    fn not(self) -> Expr<bool> {
        Expr::not(self)
    }
}

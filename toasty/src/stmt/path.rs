//! Field paths: `User::fields().name()` and the comparisons built from them.

use super::{Expr, IntoExpr, OrderBy};
use std::marker::PhantomData;
use toasty_core::stmt::{self, BinaryOp, Direction, PatternOp};

/// A path to field `T` of model `M`, the starting point of filters and orderings.
pub struct Path<M, T> {
    field: usize,
    _ty: PhantomData<fn() -> (M, T)>,
}

impl<M, T> Clone for Path<M, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M, T> Copy for Path<M, T> {}

impl<M, T> std::fmt::Debug for Path<M, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Path(field #{})", self.field)
    }
}

impl<M, T> Path<M, T> {
    /// The path to the field at position `field` (generated code calls this).
    pub const fn from_field_index(field: usize) -> Self {
        Path {
            field,
            _ty: PhantomData,
        }
    }

    /// The field position.
    pub fn field_index(&self) -> usize {
        self.field
    }

    fn cmp(self, op: BinaryOp, rhs: impl IntoExpr<T>) -> Expr<bool> {
        Expr::from_untyped(stmt::Expr::binary(
            op,
            stmt::Expr::Field(self.field),
            rhs.into_expr().untyped,
        ))
    }

    /// `field = value`. Never true when either side is NULL; use `is_none()` for that.
    pub fn eq(self, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.cmp(BinaryOp::Eq, rhs)
    }

    /// `field <> value`. Never true when either side is NULL.
    pub fn ne(self, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.cmp(BinaryOp::Ne, rhs)
    }

    /// `field > value`.
    pub fn gt(self, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.cmp(BinaryOp::Gt, rhs)
    }

    /// `field >= value`.
    pub fn ge(self, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.cmp(BinaryOp::Ge, rhs)
    }

    /// `field < value`.
    pub fn lt(self, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.cmp(BinaryOp::Lt, rhs)
    }

    /// `field <= value`.
    pub fn le(self, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.cmp(BinaryOp::Le, rhs)
    }

    /// `field IN (values)`. An empty list matches nothing.
    pub fn in_list<I>(self, values: impl IntoIterator<Item = I>) -> Expr<bool>
    where
        I: IntoExpr<T>,
    {
        let mut list = Vec::new();
        let mut others = Vec::new();
        for v in values {
            match v.into_expr().untyped.into_value() {
                Ok(v) => list.push(v),
                Err(other) => others.push(other),
            }
        }
        let field = stmt::Expr::Field(self.field);
        let mut expr = stmt::Expr::InList {
            expr: Box::new(field.clone()),
            list,
        };
        for other in others {
            expr = expr.or(stmt::Expr::eq(field.clone(), other));
        }
        Expr::from_untyped(expr)
    }

    /// Ascending order (NULL first).
    pub fn asc(self) -> OrderBy<M> {
        OrderBy::new(self.field, Direction::Asc)
    }

    /// Descending order (NULL last).
    pub fn desc(self) -> OrderBy<M> {
        OrderBy::new(self.field, Direction::Desc)
    }

    fn pattern(self, op: PatternOp, pattern: &str) -> Expr<bool> {
        Expr::from_untyped(stmt::Expr::Pattern {
            op,
            expr: Box::new(stmt::Expr::Field(self.field)),
            pattern: pattern.to_string(),
        })
    }
}

impl<M, T> IntoExpr<T> for Path<M, T> {
    fn into_expr(self) -> Expr<T> {
        Expr::from_untyped(stmt::Expr::Field(self.field))
    }
}

impl<M, T> Path<M, Option<T>> {
    /// The field is NULL (`None`).
    pub fn is_none(self) -> Expr<bool> {
        Expr::from_untyped(stmt::Expr::IsNull(Box::new(stmt::Expr::Field(self.field))))
    }

    /// The field is not NULL (`Some`).
    pub fn is_some(self) -> Expr<bool> {
        self.is_none().not()
    }
}

/// String tests. `starts_with`, `ends_with` and `contains` are case-sensitive, and `%`
/// and `_` in their pattern match literally; `like` and `ilike` take wildcards.
macro_rules! string_patterns {
    ($t:ty) => {
        impl<M> Path<M, $t> {
            /// The string begins with `pattern` (case-sensitive, literal).
            pub fn starts_with(self, pattern: impl AsRef<str>) -> Expr<bool> {
                self.pattern(PatternOp::StartsWith, pattern.as_ref())
            }

            /// The string ends with `pattern` (case-sensitive, literal).
            pub fn ends_with(self, pattern: impl AsRef<str>) -> Expr<bool> {
                self.pattern(PatternOp::EndsWith, pattern.as_ref())
            }

            /// The string contains `pattern` (case-sensitive, literal).
            pub fn contains(self, pattern: impl AsRef<str>) -> Expr<bool> {
                self.pattern(PatternOp::Contains, pattern.as_ref())
            }

            /// The string matches the `like` pattern, case-sensitively on every backend:
            /// `%` matches any sequence of characters, `_` one character, and `\`
            /// makes the next character literal (`\%`, `\_`, `\\`). A pattern ending
            /// in a lone `\` is `InvalidValue`. On key-value backends the test is
            /// applied to the records the query's key fetches.
            pub fn like(self, pattern: impl AsRef<str>) -> Expr<bool> {
                self.pattern(PatternOp::Like, pattern.as_ref())
            }

            /// [`like`](Self::like), ignoring the case of ASCII letters (`A`-`Z` match
            /// `a`-`z`; other characters, such as `Ä` and `ä`, compare exactly), on
            /// every backend.
            pub fn ilike(self, pattern: impl AsRef<str>) -> Expr<bool> {
                self.pattern(PatternOp::ILike, pattern.as_ref())
            }
        }
    };
}
string_patterns!(String);
string_patterns!(Option<String>);

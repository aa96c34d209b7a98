//! Field paths: `User::fields().name()` and the comparisons built from them.

use super::{Expr, IncludePath, IntoExpr, OrderBy};
use std::marker::PhantomData;
use toasty_core::stmt::{self, BinaryOp, Direction, PatternOp};

/// A path to field `T` of model `M`, the starting point of filters and orderings; or,
/// reached through relations (`Todo::fields().user().name()`), to a field of a related
/// model, which filters `M` by its related records (`Path<Todo, String>` there).
pub struct Path<M, T> {
    field: usize,
    /// The relations followed from `M` to the field's model (empty for `M`'s own field).
    through: IncludePath<M>,
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
        write!(f, "Path({:?} field #{})", self.through, self.field)
    }
}

impl<M, T> Path<M, T> {
    /// The path to the field at position `field` (generated code calls this).
    pub const fn from_field_index(field: usize) -> Self {
        Path {
            field,
            through: IncludePath::root(),
            _ty: PhantomData,
        }
    }

    /// The path to field `field` of the model that `through` (relations followed from
    /// `M`) reaches (generated code calls this).
    pub const fn through(through: IncludePath<M>, field: usize) -> Self {
        Path {
            field,
            through,
            _ty: PhantomData,
        }
    }

    /// The field position (in the model the path ends at).
    pub fn field_index(&self) -> usize {
        self.field
    }

    /// `condition` on the field's model, as a condition on `M`: through relations, "some
    /// related record satisfies it".
    fn wrap(&self, condition: stmt::Expr) -> Expr<bool> {
        Expr::from_untyped(wrap_steps(&self.through, condition))
    }

    /// The field as an operand: only a field of `M` itself can be one (a field of a
    /// related model is compared with `.eq(..)` and friends, not used as a value).
    fn operand(&self) -> stmt::Expr {
        if self.through.steps().is_empty() && !self.through.overflowed() {
            stmt::Expr::Field(self.field)
        } else {
            stmt::Expr::Field(THROUGH_RELATION)
        }
    }

    fn cmp(self, op: BinaryOp, rhs: impl IntoExpr<T>) -> Expr<bool> {
        self.wrap(stmt::Expr::binary(
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
        self.wrap(expr)
    }

    /// Ascending order (NULL first). Only fields of `M` itself order its records.
    pub fn asc(self) -> OrderBy<M> {
        OrderBy::new(self.order_target(), Direction::Asc)
    }

    /// Descending order (NULL last). Only fields of `M` itself order its records.
    pub fn desc(self) -> OrderBy<M> {
        OrderBy::new(self.order_target(), Direction::Desc)
    }

    fn order_target(&self) -> usize {
        match self.operand() {
            stmt::Expr::Field(f) => f,
            _ => THROUGH_RELATION,
        }
    }

    fn pattern(self, op: PatternOp, pattern: &str) -> Expr<bool> {
        self.wrap(stmt::Expr::Pattern {
            op,
            expr: Box::new(stmt::Expr::Field(self.field)),
            pattern: pattern.to_string(),
        })
    }
}

/// The field position a path through a relation stands for where only a field of the
/// queried model can go (an operand, an ordering): the engine refuses it by name.
pub(crate) const THROUGH_RELATION: usize = usize::MAX;

/// `condition` (over the model `through` reaches) as a condition on the model it starts
/// from: one [`stmt::Expr::Related`] per relation, outermost first.
fn wrap_steps<O>(through: &IncludePath<O>, condition: stmt::Expr) -> stmt::Expr {
    if through.overflowed() {
        return stmt::Expr::Field(THROUGH_RELATION);
    }
    through
        .steps()
        .iter()
        .rev()
        .fold(condition, |inner, &relation| stmt::Expr::Related {
            relation: relation as usize,
            filter: Box::new(inner),
        })
}

/// `User::fields().todos().any(filter)`: at least one record reached through `path`
/// matches `filter` (generated code calls this).
pub fn relation_any<O>(path: IncludePath<O>, filter: Expr<bool>) -> Expr<bool> {
    Expr::from_untyped(wrap_steps(&path, filter.untyped))
}

/// `User::fields().todos().all(filter)`: every record reached through the last relation
/// of `path` matches `filter` (a record for which `filter` is unknown does not), and
/// vacuously so when there is none (generated code calls this).
pub fn relation_all<O>(path: IncludePath<O>, filter: Expr<bool>) -> Expr<bool> {
    let steps = path.steps();
    let Some((&last, outer)) = steps.split_last() else {
        return filter;
    };
    if path.overflowed() {
        return Expr::from_untyped(stmt::Expr::Field(THROUGH_RELATION));
    }
    let f = filter.untyped;
    let not_true = stmt::Expr::Or(vec![f.clone().not(), stmt::Expr::IsNull(Box::new(f))]);
    let none_fails = stmt::Expr::Related {
        relation: last as usize,
        filter: Box::new(not_true),
    }
    .not();
    let mut prefix = IncludePath::<O>::root();
    for &s in outer {
        prefix = prefix.push(s);
    }
    Expr::from_untyped(wrap_steps(&prefix, none_fails))
}

impl<M, T> IntoExpr<T> for Path<M, T> {
    fn into_expr(self) -> Expr<T> {
        Expr::from_untyped(self.operand())
    }
}

impl<M, T> Path<M, Option<T>> {
    /// The field is NULL (`None`).
    pub fn is_none(self) -> Expr<bool> {
        self.wrap(stmt::Expr::IsNull(Box::new(stmt::Expr::Field(self.field))))
    }

    /// The field is not NULL (`Some`).
    pub fn is_some(self) -> Expr<bool> {
        self.wrap(stmt::Expr::IsNull(Box::new(stmt::Expr::Field(self.field))).not())
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

//! Boolean and value expressions.

use crate::Value;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    /// `=`
    Eq,
    /// `<>`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl BinaryOp {
    /// All operators.
    pub const ALL: [BinaryOp; 6] = [
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Gt,
        BinaryOp::Ge,
    ];

    /// The operator with its operands swapped (`a < b` is `b > a`).
    pub fn commute(self) -> BinaryOp {
        match self {
            BinaryOp::Lt => BinaryOp::Gt,
            BinaryOp::Le => BinaryOp::Ge,
            BinaryOp::Gt => BinaryOp::Lt,
            BinaryOp::Ge => BinaryOp::Le,
            other => other,
        }
    }

    /// The SQL spelling.
    pub fn as_sql(self) -> &'static str {
        match self {
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
        }
    }
}

/// A case-sensitive string pattern test. The pattern is matched literally: `%` and `_`
/// have no special meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternOp {
    /// The value begins with the pattern.
    StartsWith,
    /// The value ends with the pattern.
    EndsWith,
    /// The pattern occurs anywhere in the value.
    Contains,
}

/// An expression over one row.
///
/// Predicates evaluate to `Bool` or, under three-valued logic, `Null` (unknown). A row
/// matches a filter only when the filter evaluates to `true`.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal.
    Value(Value),
    /// A model field by position (model level only).
    Field(usize),
    /// A table column by position (table level only).
    Column(usize),
    /// `lhs op rhs`; NULL if either side is NULL.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
    /// Conjunction; `And(vec![])` is `true`.
    And(Vec<Expr>),
    /// Disjunction; `Or(vec![])` is `false`.
    Or(Vec<Expr>),
    /// Negation; `NOT NULL` is NULL.
    Not(Box<Expr>),
    /// `expr IS NULL`; never NULL itself.
    IsNull(Box<Expr>),
    /// `expr IN (list)`. An empty list matches nothing; a NULL `expr` gives NULL.
    InList {
        /// The tested value.
        expr: Box<Expr>,
        /// The candidates.
        list: Vec<Value>,
    },
    /// A literal, case-sensitive pattern test on a string.
    Pattern {
        /// Which test.
        op: PatternOp,
        /// The tested string.
        expr: Box<Expr>,
        /// The literal pattern.
        pattern: String,
    },
}

impl Expr {
    /// The literal `true`.
    pub fn true_() -> Expr {
        Expr::Value(Value::Bool(true))
    }

    /// Builds `lhs op rhs`.
    pub fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
        Expr::Binary {
            op,
            lhs: Box::new(lhs),
            rhs: Box::new(rhs),
        }
    }

    /// Builds `lhs = rhs`.
    pub fn eq(lhs: Expr, rhs: Expr) -> Expr {
        Expr::binary(BinaryOp::Eq, lhs, rhs)
    }

    /// Builds the conjunction of `self` and `other`, flattening nested `And`s.
    pub fn and(self, other: Expr) -> Expr {
        let mut items = match self {
            Expr::And(items) => items,
            e => vec![e],
        };
        match other {
            Expr::And(more) => items.extend(more),
            e => items.push(e),
        }
        Expr::And(items)
    }

    /// Builds the disjunction of `self` and `other`, flattening nested `Or`s.
    pub fn or(self, other: Expr) -> Expr {
        let mut items = match self {
            Expr::Or(items) => items,
            e => vec![e],
        };
        match other {
            Expr::Or(more) => items.extend(more),
            e => items.push(e),
        }
        Expr::Or(items)
    }

    /// Builds `NOT self`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Expr {
        Expr::Not(Box::new(self))
    }

    /// Returns `true` if this is the literal `true`.
    pub fn is_true(&self) -> bool {
        matches!(self, Expr::Value(Value::Bool(true)))
    }

    /// Calls `f` on this expression and every sub-expression, parents first.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        f(self);
        match self {
            Expr::Value(_) | Expr::Field(_) | Expr::Column(_) => {}
            Expr::Binary { lhs, rhs, .. } => {
                lhs.walk(f);
                rhs.walk(f);
            }
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(|e| e.walk(f)),
            Expr::Not(e) | Expr::IsNull(e) => e.walk(f),
            Expr::InList { expr, .. } | Expr::Pattern { expr, .. } => expr.walk(f),
        }
    }

    /// Rewrites every `Field(i)` / `Column(i)` with `f`, bottom-up, and returns the result.
    pub fn map_refs(self, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
        // Boxes are moved out of and refilled in place, so mapping allocates nothing.
        match self {
            e @ (Expr::Field(_) | Expr::Column(_)) => f(e),
            e @ Expr::Value(_) => e,
            Expr::Binary {
                op,
                mut lhs,
                mut rhs,
            } => {
                *lhs = (*lhs).map_refs(f);
                *rhs = (*rhs).map_refs(f);
                Expr::Binary { op, lhs, rhs }
            }
            Expr::And(items) => Expr::And(items.into_iter().map(|e| e.map_refs(f)).collect()),
            Expr::Or(items) => Expr::Or(items.into_iter().map(|e| e.map_refs(f)).collect()),
            Expr::Not(mut e) => {
                *e = (*e).map_refs(f);
                Expr::Not(e)
            }
            Expr::IsNull(mut e) => {
                *e = (*e).map_refs(f);
                Expr::IsNull(e)
            }
            Expr::InList { mut expr, list } => {
                *expr = (*expr).map_refs(f);
                Expr::InList { expr, list }
            }
            Expr::Pattern {
                op,
                mut expr,
                pattern,
            } => {
                *expr = (*expr).map_refs(f);
                Expr::Pattern { op, expr, pattern }
            }
        }
    }
}

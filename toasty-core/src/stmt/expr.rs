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

/// A string pattern test. `StartsWith`, `EndsWith` and `Contains` are case-sensitive
/// and match the pattern literally (`%` and `_` have no special meaning); `Like` and
/// `ILike` take a `like` pattern (see [`crate::stmt::like`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatternOp {
    /// The value begins with the pattern.
    StartsWith,
    /// The value ends with the pattern.
    EndsWith,
    /// The pattern occurs anywhere in the value.
    Contains,
    /// The value matches the `like` pattern, case-sensitively.
    Like,
    /// The value matches the `like` pattern, ignoring ASCII case.
    ILike,
}

impl PatternOp {
    /// The name of the test in the user API (`starts_with`, `like`, ..).
    pub fn name(self) -> &'static str {
        match self {
            PatternOp::StartsWith => "starts_with",
            PatternOp::EndsWith => "ends_with",
            PatternOp::Contains => "contains",
            PatternOp::Like => "like",
            PatternOp::ILike => "ilike",
        }
    }

    /// Whether the pattern is a `like` pattern (wildcards and escapes) rather than a
    /// literal string.
    pub fn is_like(self) -> bool {
        matches!(self, PatternOp::Like | PatternOp::ILike)
    }
}

/// An expression over one row.
///
/// Predicates evaluate to `Bool` or, under three-valued logic, `Null` (unknown). A row
/// matches a filter only when the filter evaluates to `true`.
///
/// Measuring, walking, cloning, comparing (`==`), printing (`Debug`) and dropping an
/// expression use no deep recursion (see `expr_tree.rs`), so trees of any depth are safe
/// to build, refuse, print and drop. `Debug` prints what `#[derive(Debug)]` would, in
/// both `{:?}` and `{:#?}`.
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
    /// A pattern test on a string (see [`PatternOp`]).
    Pattern {
        /// Which test.
        op: PatternOp,
        /// The tested string.
        expr: Box<Expr>,
        /// The pattern: a literal string, or a `like` pattern for `Like` / `ILike`.
        pattern: String,
    },
    /// Model level only: at least one record related to this one through relation
    /// `relation` (its position among the relation fields of the model the expression is
    /// over) satisfies `filter`, an expression over the related model's fields. Never
    /// NULL. The engine rewrites it into [`Expr::InSelect`] before lowering.
    Related {
        /// The relation's position among the model's relation fields.
        relation: usize,
        /// The condition on the related records.
        filter: Box<Expr>,
    },
    /// `(lhs) IN (SELECT columns FROM source WHERE filter)`, with SQL's meaning: true
    /// when a selected row equals `lhs` (rows compared column by column under
    /// three-valued logic), false when no row is selected, otherwise false or NULL as
    /// `OR` of the row comparisons gives. The sub-select is not correlated: its filter
    /// refers only to its own source's fields or columns.
    InSelect {
        /// The tested values, one per selected column.
        lhs: Vec<Expr>,
        /// The sub-select.
        select: Box<SubSelect>,
    },
}

/// A scope nested in an expression, as [`Expr::visit_scopes_mut`] hands it over.
pub enum Scoped<'a> {
    /// The filter of an [`Expr::Related`] over relation `relation`.
    Related {
        /// The relation's position among the model's relation fields.
        relation: usize,
        /// The filter over the related model.
        filter: &'a mut Box<Expr>,
    },
    /// The sub-select of an [`Expr::InSelect`].
    Select(&'a mut Box<SubSelect>),
}

/// The sub-select of [`Expr::InSelect`]: at model level `source` is a model id and
/// `columns` and `filter` refer to its fields; at table level `source` is a table id and
/// they refer to its columns.
#[derive(Debug, Clone, PartialEq)]
pub struct SubSelect {
    /// The model (model level) or table (table level) selected from, by id.
    pub source: usize,
    /// The selected fields or columns.
    pub columns: Vec<usize>,
    /// Which rows are selected.
    pub filter: Expr,
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
    pub fn and(mut self, mut other: Expr) -> Expr {
        let mut items = match &mut self {
            Expr::And(items) => std::mem::take(items),
            _ => vec![self],
        };
        match &mut other {
            Expr::And(more) => items.append(more),
            _ => items.push(other),
        }
        Expr::And(items)
    }

    /// Builds the disjunction of `self` and `other`, flattening nested `Or`s.
    pub fn or(mut self, mut other: Expr) -> Expr {
        let mut items = match &mut self {
            Expr::Or(items) => std::mem::take(items),
            _ => vec![self],
        };
        match &mut other {
            Expr::Or(more) => items.append(more),
            _ => items.push(other),
        }
        Expr::Or(items)
    }

    /// The literal this expression is, or the expression itself if it is not a literal.
    pub fn into_value(mut self) -> std::result::Result<Value, Expr> {
        match &mut self {
            Expr::Value(v) => Ok(std::mem::replace(v, Value::Null)),
            _ => Err(self),
        }
    }

    /// Takes this expression out, leaving a leaf (`Field(0)`) in its place: the way to
    /// move a sub-expression out of a tree (`Expr` implements `Drop`, so its variants
    /// cannot be destructured by value).
    pub fn take(&mut self) -> Expr {
        std::mem::replace(self, Expr::Field(0))
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

    /// Rewrites every `Field(i)` / `Column(i)` with `f` (left to right) and returns the
    /// result. Expressions returned by `f` are not visited again. Uses no deep recursion.
    pub fn map_refs(mut self, f: &mut impl FnMut(Expr) -> Expr) -> Expr {
        self.map_refs_bounded(f, super::expr_tree::RECURSION);
        self
    }

    /// [`Expr::map_refs`] in place: recursive for `budget` levels, then iterative.
    fn map_refs_bounded(&mut self, f: &mut impl FnMut(Expr) -> Expr, budget: usize) {
        match self {
            Expr::Field(_) | Expr::Column(_) => {
                let old = self.take();
                *self = f(old);
            }
            Expr::Value(_) => {}
            _ if budget == 0 => self.map_refs_iterative(f),
            _ => self.for_each_local_child_mut(|c| c.map_refs_bounded(f, budget - 1)),
        }
    }

    /// [`Expr::map_refs`] in place, with a heap stack.
    fn map_refs_iterative(&mut self, f: &mut impl FnMut(Expr) -> Expr) {
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Field(_) | Expr::Column(_) => {
                    let old = e.take();
                    *e = f(old);
                }
                Expr::Value(_) => {}
                Expr::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                Expr::And(items) | Expr::Or(items) => stack.extend(items.iter_mut().rev()),
                Expr::Not(e)
                | Expr::IsNull(e)
                | Expr::InList { expr: e, .. }
                | Expr::Pattern { expr: e, .. } => stack.push(e),
                // The inner filters are over another model or table: their references
                // are their own.
                Expr::Related { .. } => {}
                Expr::InSelect { lhs, .. } => stack.extend(lhs.iter_mut().rev()),
            }
        }
    }

    /// Calls `f` on every [`Expr::Related`] filter and [`Expr::InSelect`] sub-select of
    /// this expression (not those nested inside them), so a pass can go on into another
    /// model's or table's scope with its own mapping. Uses no recursion.
    pub fn visit_scopes_mut(
        &mut self,
        f: &mut impl FnMut(Scoped<'_>) -> crate::Result<()>,
    ) -> crate::Result<()> {
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Value(_) | Expr::Field(_) | Expr::Column(_) => {}
                Expr::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                Expr::And(items) | Expr::Or(items) => stack.extend(items.iter_mut().rev()),
                Expr::Not(e)
                | Expr::IsNull(e)
                | Expr::InList { expr: e, .. }
                | Expr::Pattern { expr: e, .. } => stack.push(e),
                Expr::Related { relation, filter } => f(Scoped::Related {
                    relation: *relation,
                    filter,
                })?,
                Expr::InSelect { lhs, select } => {
                    f(Scoped::Select(select))?;
                    stack.extend(lhs.iter_mut().rev());
                }
            }
        }
        Ok(())
    }

    /// Replaces every [`Expr::Related`] node (outside sub-selects) with what `f` makes
    /// of its relation and filter. Uses no recursion; the replacements are not visited.
    pub fn try_map_related(
        &mut self,
        f: &mut impl FnMut(usize, Expr) -> crate::Result<Expr>,
    ) -> crate::Result<()> {
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Value(_) | Expr::Field(_) | Expr::Column(_) | Expr::InSelect { .. } => {}
                Expr::Binary { lhs, rhs, .. } => {
                    stack.push(rhs);
                    stack.push(lhs);
                }
                Expr::And(items) | Expr::Or(items) => stack.extend(items.iter_mut().rev()),
                Expr::Not(e)
                | Expr::IsNull(e)
                | Expr::InList { expr: e, .. }
                | Expr::Pattern { expr: e, .. } => stack.push(e),
                Expr::Related { relation, filter } => {
                    let relation = *relation;
                    let inner = filter.take();
                    *e = f(relation, inner)?;
                }
            }
        }
        Ok(())
    }

    /// `true` if the expression holds an [`Expr::Related`] or [`Expr::InSelect`].
    pub fn has_subquery(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| {
            if matches!(e, Expr::Related { .. } | Expr::InSelect { .. }) {
                found = true;
            }
        });
        found
    }
}

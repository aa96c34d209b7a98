//! Traversals of [`Expr`] trees that use no deep recursion, so a tree of any depth can be
//! measured, walked, cloned, compared, printed and dropped on a small stack.
//!
//! Statements built by user code may nest without bound (`a.and(b.or(c.and(..)))` in a
//! loop); the engine refuses filters deeper than its limit, but only after it has looked
//! at them, and a refused tree must still be dropped. So nothing here recurses more
//! than [`RECURSION`] levels (the engine's depth limit, a few KiB of stack); below that,
//! the rest of a tree is handled with an explicit stack on the heap:
//!
//! * [`Expr::shape`] measures depth and size (what the engine's limits check);
//! * [`Expr::walk`] / [`Expr::walk_mut`] (and `Expr::map_refs`) visit every node;
//! * `Clone for Expr` copies;
//! * `PartialEq for Expr` compares pairs of nodes from a heap stack;
//! * `Debug for Expr` writes the text `#[derive(Debug)]` would, piece by piece from a
//!   heap stack;
//! * `Drop for Expr` takes the children of deep trees apart one level at a time (the
//!   compiler's drop glue would recurse once per level).
//!
//! Recursing first is what keeps the usual statement cheap: a filter within the limits
//! is measured, walked and cloned without allocating a heap stack for each pass.

use super::Expr;
use std::fmt::{self, Write as _};

/// The size of an expression tree, as [`Expr::shape`] measures it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Shape {
    /// Nodes on the longest path from the root to a leaf (a lone literal is 1).
    pub depth: usize,
    /// Nodes in the tree; the values of an `IN` list are not nodes.
    pub nodes: usize,
}

impl Expr {
    /// The children of this node, in order.
    fn for_each_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match self {
            Expr::Value(_) | Expr::Field(_) | Expr::Column(_) => {}
            Expr::Binary { lhs, rhs, .. } => {
                f(lhs);
                f(rhs);
            }
            Expr::And(items) | Expr::Or(items) => items.iter().for_each(f),
            Expr::Not(e)
            | Expr::IsNull(e)
            | Expr::InList { expr: e, .. }
            | Expr::Pattern { expr: e, .. } => f(e),
            Expr::Related { filter, .. } => f(filter),
            Expr::InSelect { lhs, select } => {
                lhs.iter().for_each(&mut f);
                f(&select.filter);
            }
        }
    }

    /// The children of this node within its own scope (the filters of
    /// [`Expr::Related`] and [`Expr::InSelect`] are over another model or table).
    fn for_each_local_child<'a>(&'a self, mut f: impl FnMut(&'a Expr)) {
        match self {
            Expr::Related { .. } => {}
            Expr::InSelect { lhs, .. } => lhs.iter().for_each(&mut f),
            other => other.for_each_child(f),
        }
    }

    /// `true` if this node has no sub-expressions.
    fn is_leaf(&self) -> bool {
        match self {
            Expr::Value(_) | Expr::Field(_) | Expr::Column(_) => true,
            Expr::And(items) | Expr::Or(items) => items.is_empty(),
            _ => false,
        }
    }

    /// Measures the depth and the number of nodes of the tree, without recursion.
    ///
    /// Stops counting once either figure passes its `cap` (the result then reports a
    /// figure above the cap, not the exact size), so measuring a huge tree that will be
    /// refused costs no more than measuring one at the limit.
    pub fn shape(&self, cap: Shape) -> Shape {
        let mut shape = Shape::default();
        self.shape_bounded(1, cap, &mut shape, RECURSION);
        shape
    }

    /// [`Expr::shape`] of the subtree at `depth`, added to `shape`: recursive for
    /// `budget` levels, then iterative. `false` once a figure has passed its cap.
    fn shape_bounded(&self, depth: usize, cap: Shape, shape: &mut Shape, budget: usize) -> bool {
        if budget == 0 {
            return self.shape_iterative(depth, cap, shape);
        }
        shape.nodes += 1;
        shape.depth = shape.depth.max(depth);
        if shape.nodes > cap.nodes || shape.depth > cap.depth {
            return false;
        }
        let mut go_on = true;
        self.for_each_child(|c| {
            go_on = go_on && c.shape_bounded(depth + 1, cap, shape, budget - 1);
        });
        go_on
    }

    /// [`Expr::shape_bounded`] with a heap stack.
    fn shape_iterative(&self, depth: usize, cap: Shape, shape: &mut Shape) -> bool {
        let mut stack: Vec<(&Expr, usize)> = vec![(self, depth)];
        while let Some((e, depth)) = stack.pop() {
            shape.nodes += 1;
            shape.depth = shape.depth.max(depth);
            if shape.nodes > cap.nodes || shape.depth > cap.depth {
                return false;
            }
            e.for_each_child(|c| stack.push((c, depth + 1)));
        }
        true
    }

    /// Calls `f` on this expression and every sub-expression of its scope, parents first
    /// and children in order, without deep recursion. The filters of [`Expr::Related`] and
    /// [`Expr::InSelect`] (over another model or table) are not walked.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        self.walk_bounded(f, RECURSION)
    }

    /// [`Expr::walk`]: recursive for `budget` levels, then iterative.
    fn walk_bounded(&self, f: &mut impl FnMut(&Expr), budget: usize) {
        if budget == 0 {
            return self.walk_iterative(f);
        }
        f(self);
        self.for_each_local_child(|c| c.walk_bounded(f, budget - 1));
    }

    /// [`Expr::walk`] with a heap stack.
    fn walk_iterative(&self, f: &mut impl FnMut(&Expr)) {
        let mut stack: Vec<&Expr> = vec![self];
        let mut children: Vec<&Expr> = Vec::new();
        while let Some(e) = stack.pop() {
            f(e);
            e.for_each_local_child(|c| children.push(c));
            // Pushed in reverse, so the first child is visited next.
            stack.extend(children.drain(..).rev());
        }
    }

    /// Calls `f` on this expression and every sub-expression of its scope (as
    /// [`Expr::walk`]), parents first, without deep recursion. `f` may change a node, and the
    /// new node's children are visited.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
        self.walk_mut_bounded(f, RECURSION)
    }

    /// [`Expr::walk_mut`]: recursive for `budget` levels, then iterative.
    fn walk_mut_bounded(&mut self, f: &mut impl FnMut(&mut Expr), budget: usize) {
        if budget == 0 {
            return self.walk_mut_iterative(f);
        }
        f(self);
        self.for_each_local_child_mut(|c| c.walk_mut_bounded(f, budget - 1));
    }

    /// [`Expr::walk_mut`] with a heap stack.
    fn walk_mut_iterative(&mut self, f: &mut impl FnMut(&mut Expr)) {
        let mut stack: Vec<&mut Expr> = vec![self];
        while let Some(e) = stack.pop() {
            f(e);
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
                Expr::Related { .. } => {}
                Expr::InSelect { lhs, .. } => stack.extend(lhs.iter_mut().rev()),
            }
        }
    }

    /// The children of this node within its own scope, in order, mutably (as
    /// [`Expr::for_each_local_child`]: not the filters of [`Expr::Related`] and
    /// [`Expr::InSelect`], which are over another model or table).
    pub(super) fn for_each_local_child_mut(&mut self, mut f: impl FnMut(&mut Expr)) {
        match self {
            Expr::Value(_) | Expr::Field(_) | Expr::Column(_) | Expr::Related { .. } => {}
            Expr::Binary { lhs, rhs, .. } => {
                f(lhs);
                f(rhs);
            }
            Expr::And(items) | Expr::Or(items) => items.iter_mut().for_each(f),
            Expr::Not(e)
            | Expr::IsNull(e)
            | Expr::InList { expr: e, .. }
            | Expr::Pattern { expr: e, .. } => f(e),
            Expr::InSelect { lhs, .. } => lhs.iter_mut().for_each(f),
        }
    }

    /// `true` if some child of this node has children of its own, i.e. dropping it
    /// would recurse more than one level.
    fn has_grandchildren(&self) -> bool {
        let mut found = false;
        self.for_each_child(|c| found |= !c.is_leaf());
        found
    }

    /// Moves this node's children onto `stack`, leaving leaves in their place.
    fn take_children(&mut self, stack: &mut Vec<Expr>) {
        match self {
            Expr::Value(_) | Expr::Field(_) | Expr::Column(_) => {}
            Expr::Binary { lhs, rhs, .. } => {
                stack.push(std::mem::replace(&mut **lhs, Expr::Field(0)));
                stack.push(std::mem::replace(&mut **rhs, Expr::Field(0)));
            }
            Expr::And(items) | Expr::Or(items) => stack.append(items),
            Expr::Not(e)
            | Expr::IsNull(e)
            | Expr::InList { expr: e, .. }
            | Expr::Pattern { expr: e, .. } => {
                stack.push(std::mem::replace(&mut **e, Expr::Field(0)))
            }
            Expr::Related { filter, .. } => {
                stack.push(std::mem::replace(&mut **filter, Expr::Field(0)))
            }
            Expr::InSelect { lhs, select } => {
                stack.append(lhs);
                stack.push(std::mem::replace(&mut select.filter, Expr::Field(0)));
            }
        }
    }
}

/// How deep measuring, walking and cloning recurse before they continue with a heap
/// stack: deep enough for every filter within the engine's limits, so the usual
/// statement allocates nothing for them (a heap stack for every walk of every statement
/// cost more than the walks), and shallow enough for any thread's stack (a few KiB).
pub(super) const RECURSION: usize = 64;

impl Clone for Expr {
    fn clone(&self) -> Expr {
        self.clone_bounded(RECURSION)
    }
}

impl Expr {
    /// Clones recursively for `budget` levels, then iteratively.
    fn clone_bounded(&self, budget: usize) -> Expr {
        if budget == 0 {
            return self.clone_iterative();
        }
        let budget = budget - 1;
        match self {
            Expr::Value(v) => Expr::Value(v.clone()),
            Expr::Field(i) => Expr::Field(*i),
            Expr::Column(i) => Expr::Column(*i),
            Expr::Binary { op, lhs, rhs } => Expr::Binary {
                op: *op,
                lhs: Box::new(lhs.clone_bounded(budget)),
                rhs: Box::new(rhs.clone_bounded(budget)),
            },
            Expr::And(items) => Expr::And(items.iter().map(|e| e.clone_bounded(budget)).collect()),
            Expr::Or(items) => Expr::Or(items.iter().map(|e| e.clone_bounded(budget)).collect()),
            Expr::Not(e) => Expr::Not(Box::new(e.clone_bounded(budget))),
            Expr::IsNull(e) => Expr::IsNull(Box::new(e.clone_bounded(budget))),
            Expr::InList { expr, list } => Expr::InList {
                expr: Box::new(expr.clone_bounded(budget)),
                list: list.clone(),
            },
            Expr::Pattern { op, expr, pattern } => Expr::Pattern {
                op: *op,
                expr: Box::new(expr.clone_bounded(budget)),
                pattern: pattern.clone(),
            },
            Expr::Related { relation, filter } => Expr::Related {
                relation: *relation,
                filter: Box::new(filter.clone_bounded(budget)),
            },
            Expr::InSelect { lhs, select } => Expr::InSelect {
                lhs: lhs.iter().map(|e| e.clone_bounded(budget)).collect(),
                select: Box::new(super::SubSelect {
                    source: select.source,
                    columns: select.columns.clone(),
                    filter: select.filter.clone_bounded(budget),
                }),
            },
        }
    }

    /// Clones without recursion: children are cloned first (post-order) onto a stack of
    /// finished nodes, from which each parent takes its own.
    fn clone_iterative(&self) -> Expr {
        enum Task<'a> {
            Visit(&'a Expr),
            Build(&'a Expr),
        }
        let mut tasks = vec![Task::Visit(self)];
        let mut done: Vec<Expr> = Vec::new();
        while let Some(task) = tasks.pop() {
            match task {
                Task::Visit(e) if e.is_leaf() => done.push(e.shallow_leaf_clone()),
                Task::Visit(e) => {
                    tasks.push(Task::Build(e));
                    let mut children = Vec::new();
                    e.for_each_child(|c| children.push(c));
                    // Reversed, so the first child is finished first.
                    tasks.extend(children.into_iter().rev().map(Task::Visit));
                }
                Task::Build(e) => {
                    let mut n = 0;
                    e.for_each_child(|_| n += 1);
                    let mut children = done.split_off(done.len() - n).into_iter();
                    let mut next = || children.next().unwrap_or(Expr::Field(0));
                    let built = match e {
                        Expr::Binary { op, .. } => Expr::Binary {
                            op: *op,
                            lhs: Box::new(next()),
                            rhs: Box::new(next()),
                        },
                        Expr::And(_) => Expr::And((0..n).map(|_| next()).collect()),
                        Expr::Or(_) => Expr::Or((0..n).map(|_| next()).collect()),
                        Expr::Not(_) => Expr::Not(Box::new(next())),
                        Expr::IsNull(_) => Expr::IsNull(Box::new(next())),
                        Expr::InList { list, .. } => Expr::InList {
                            expr: Box::new(next()),
                            list: list.clone(),
                        },
                        Expr::Pattern { op, pattern, .. } => Expr::Pattern {
                            op: *op,
                            expr: Box::new(next()),
                            pattern: pattern.clone(),
                        },
                        Expr::Related { relation, .. } => Expr::Related {
                            relation: *relation,
                            filter: Box::new(next()),
                        },
                        Expr::InSelect { select, .. } => {
                            let lhs = (0..n.saturating_sub(1)).map(|_| next()).collect();
                            Expr::InSelect {
                                lhs,
                                select: Box::new(super::SubSelect {
                                    source: select.source,
                                    columns: select.columns.clone(),
                                    filter: next(),
                                }),
                            }
                        }
                        leaf => leaf.shallow_leaf_clone(),
                    };
                    done.push(built);
                }
            }
        }
        done.pop().unwrap_or(Expr::Field(0))
    }

    /// A copy of a node without children (an empty `And`/`Or` stays empty).
    fn shallow_leaf_clone(&self) -> Expr {
        match self {
            Expr::Value(v) => Expr::Value(v.clone()),
            Expr::Field(i) => Expr::Field(*i),
            Expr::Column(i) => Expr::Column(*i),
            Expr::And(_) => Expr::And(Vec::new()),
            Expr::Or(_) => Expr::Or(Vec::new()),
            // Not reached: only called on leaves.
            other => other.clone_bounded(1),
        }
    }
}

impl PartialEq for Expr {
    /// Structural equality, as `#[derive(PartialEq)]` would give (literals compare with
    /// `Value`'s `==`), without recursion: pairs of sub-expressions still to compare wait
    /// on a heap stack, which is only allocated when a tree has more than one level.
    fn eq(&self, other: &Expr) -> bool {
        let mut stack: Vec<(&Expr, &Expr)> = Vec::new();
        let (mut a, mut b) = (self, other);
        loop {
            if !a.same_node(b) {
                return false;
            }
            match (a, b) {
                (
                    Expr::Binary { lhs, rhs, .. },
                    Expr::Binary {
                        lhs: l2, rhs: r2, ..
                    },
                ) => {
                    stack.push((rhs, r2));
                    stack.push((lhs, l2));
                }
                (Expr::And(x), Expr::And(y)) | (Expr::Or(x), Expr::Or(y)) => {
                    stack.extend(x.iter().zip(y.iter()).rev())
                }
                (Expr::Not(x), Expr::Not(y))
                | (Expr::IsNull(x), Expr::IsNull(y))
                | (Expr::InList { expr: x, .. }, Expr::InList { expr: y, .. })
                | (Expr::Pattern { expr: x, .. }, Expr::Pattern { expr: y, .. })
                | (Expr::Related { filter: x, .. }, Expr::Related { filter: y, .. }) => {
                    stack.push((x, y))
                }
                (
                    Expr::InSelect { lhs, select },
                    Expr::InSelect {
                        lhs: l2,
                        select: s2,
                    },
                ) => {
                    stack.push((&select.filter, &s2.filter));
                    stack.extend(lhs.iter().zip(l2.iter()).rev());
                }
                _ => {}
            }
            match stack.pop() {
                Some((x, y)) => (a, b) = (x, y),
                None => return true,
            }
        }
    }
}

impl Expr {
    /// `true` if the two nodes are equal leaving their sub-expressions aside: the same
    /// variant, operator, literal, list, pattern and number of children.
    fn same_node(&self, other: &Expr) -> bool {
        match (self, other) {
            (Expr::Value(x), Expr::Value(y)) => x == y,
            (Expr::Field(x), Expr::Field(y)) | (Expr::Column(x), Expr::Column(y)) => x == y,
            (Expr::Binary { op: x, .. }, Expr::Binary { op: y, .. }) => x == y,
            (Expr::And(x), Expr::And(y)) | (Expr::Or(x), Expr::Or(y)) => x.len() == y.len(),
            (Expr::Not(_), Expr::Not(_)) | (Expr::IsNull(_), Expr::IsNull(_)) => true,
            (Expr::InList { list: x, .. }, Expr::InList { list: y, .. }) => x == y,
            (
                Expr::Pattern {
                    op: o1,
                    pattern: p1,
                    ..
                },
                Expr::Pattern {
                    op: o2,
                    pattern: p2,
                    ..
                },
            ) => o1 == o2 && p1 == p2,
            (Expr::Related { relation: x, .. }, Expr::Related { relation: y, .. }) => x == y,
            (
                Expr::InSelect { lhs, select },
                Expr::InSelect {
                    lhs: l2,
                    select: s2,
                },
            ) => {
                lhs.len() == l2.len() && select.source == s2.source && select.columns == s2.columns
            }
            _ => false,
        }
    }
}

/// One piece of `Debug` output still to write (see `impl Debug for Expr`).
enum Piece<'a> {
    /// A sub-expression, whose lines are indented `level` steps in `{:#?}`.
    Expr(&'a Expr, usize),
    /// A value printed with its own `Debug`, its later lines indented `level` steps.
    Leaf(&'a dyn fmt::Debug, usize),
    /// Literal text.
    Text(&'static str),
    /// `{:#?}`: a line break, then `level` steps of indentation; `{:?}`: `compact`.
    Break(usize, &'static str),
}

impl fmt::Debug for Expr {
    /// Prints what `#[derive(Debug)]` would (`Binary { op: Eq, lhs: Field(0), rhs:
    /// Value(I64(1)) }`, and the same over several lines with `{:#?}`), without
    /// recursion: the pieces still to write wait on a heap stack, so a tree of any depth
    /// can be printed on a small stack. (With `{:#?}` the indentation of a very deep tree
    /// makes the text grow with the square of its depth, as derived `Debug` would.)
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pretty = f.alternate();
        let mut stack = vec![Piece::Expr(self, 0)];
        // The pieces of one node, in order; pushed onto `stack` reversed.
        let mut node: Vec<Piece<'_>> = Vec::new();
        while let Some(piece) = stack.pop() {
            match piece {
                Piece::Text(s) => f.write_str(s)?,
                Piece::Break(level, compact) => {
                    if pretty {
                        f.write_str("\n")?;
                        write_indent(f, level)?;
                    } else {
                        f.write_str(compact)?;
                    }
                }
                Piece::Leaf(value, level) => {
                    if pretty {
                        write!(
                            Indented {
                                f,
                                level,
                                on_newline: false,
                            },
                            "{value:#?}"
                        )?;
                    } else {
                        write!(f, "{value:?}")?;
                    }
                }
                Piece::Expr(e, level) => {
                    e.debug_pieces(level, pretty, &mut node);
                    stack.extend(node.drain(..).rev());
                }
            }
        }
        Ok(())
    }
}

impl Expr {
    /// The pieces that print this node as derived `Debug` does, its sub-expressions
    /// as [`Piece::Expr`] (`level` is the node's indentation in `{:#?}`).
    fn debug_pieces<'a>(&'a self, level: usize, pretty: bool, out: &mut Vec<Piece<'a>>) {
        let inner = level + 1;
        let shape = DebugShape { level, pretty };
        match self {
            Expr::Value(v) => shape.tuple(out, "Value", Piece::Leaf(v, inner)),
            Expr::Field(i) => shape.tuple(out, "Field", Piece::Leaf(i, inner)),
            Expr::Column(i) => shape.tuple(out, "Column", Piece::Leaf(i, inner)),
            Expr::Binary { op, lhs, rhs } => shape.strukt(
                out,
                "Binary",
                [
                    ("op", Piece::Leaf(op, inner)),
                    ("lhs", Piece::Expr(lhs, inner)),
                    ("rhs", Piece::Expr(rhs, inner)),
                ],
            ),
            Expr::And(items) | Expr::Or(items) => {
                let name = if matches!(self, Expr::And(_)) {
                    "And"
                } else {
                    "Or"
                };
                out.extend([Piece::Text(name), Piece::Text("("), Piece::Break(inner, "")]);
                // The list, `[a, b]` / `[\n    a,\n    b,\n]`, one level further in.
                out.push(Piece::Text("["));
                for (i, item) in items.iter().enumerate() {
                    out.push(Piece::Break(inner + 1, if i == 0 { "" } else { ", " }));
                    out.push(Piece::Expr(item, inner + 1));
                    if pretty {
                        out.push(Piece::Text(","));
                    }
                }
                if !items.is_empty() {
                    out.push(Piece::Break(inner, ""));
                }
                out.push(Piece::Text("]"));
                if pretty {
                    out.push(Piece::Text(","));
                }
                out.extend([Piece::Break(level, ""), Piece::Text(")")]);
            }
            Expr::Not(e) => shape.tuple(out, "Not", Piece::Expr(e, inner)),
            Expr::IsNull(e) => shape.tuple(out, "IsNull", Piece::Expr(e, inner)),
            Expr::InList { expr, list } => shape.strukt(
                out,
                "InList",
                [
                    ("expr", Piece::Expr(expr, inner)),
                    ("list", Piece::Leaf(list, inner)),
                ],
            ),
            Expr::Pattern { op, expr, pattern } => shape.strukt(
                out,
                "Pattern",
                [
                    ("op", Piece::Leaf(op, inner)),
                    ("expr", Piece::Expr(expr, inner)),
                    ("pattern", Piece::Leaf(pattern, inner)),
                ],
            ),
            Expr::Related { relation, filter } => shape.strukt(
                out,
                "Related",
                [
                    ("relation", Piece::Leaf(relation, inner)),
                    ("filter", Piece::Expr(filter, inner)),
                ],
            ),
            // The list and the sub-select print through their own `Debug`, which comes
            // back here for each expression in them: one level of recursion per nested
            // sub-select, whose depth the engine's limits bound.
            Expr::InSelect { lhs, select } => shape.strukt(
                out,
                "InSelect",
                [
                    ("lhs", Piece::Leaf(lhs, inner)),
                    ("select", Piece::Leaf(select, inner)),
                ],
            ),
        }
    }
}

/// Where a node's `Debug` text goes: its indentation level, and `{:#?}` or `{:?}`.
#[derive(Clone, Copy)]
struct DebugShape {
    level: usize,
    pretty: bool,
}

impl DebugShape {
    /// `Name(field)`, or `Name(\n    field,\n)` with `{:#?}`.
    fn tuple<'a>(self, out: &mut Vec<Piece<'a>>, name: &'static str, field: Piece<'a>) {
        out.extend([
            Piece::Text(name),
            Piece::Text("("),
            Piece::Break(self.level + 1, ""),
        ]);
        out.push(field);
        if self.pretty {
            out.push(Piece::Text(","));
        }
        out.extend([Piece::Break(self.level, ""), Piece::Text(")")]);
    }

    /// `Name { a: x, b: y }`, or `Name {\n    a: x,\n    b: y,\n}` with `{:#?}`.
    fn strukt<'a, const N: usize>(
        self,
        out: &mut Vec<Piece<'a>>,
        name: &'static str,
        fields: [(&'static str, Piece<'a>); N],
    ) {
        out.extend([Piece::Text(name), Piece::Text(" {")]);
        for (i, (label, value)) in fields.into_iter().enumerate() {
            out.push(Piece::Break(
                self.level + 1,
                if i == 0 { " " } else { ", " },
            ));
            out.extend([Piece::Text(label), Piece::Text(": "), value]);
            if self.pretty {
                out.push(Piece::Text(","));
            }
        }
        out.extend([Piece::Break(self.level, " "), Piece::Text("}")]);
    }
}

/// Writes `level` steps of `{:#?}` indentation (four spaces each).
fn write_indent(f: &mut dyn fmt::Write, level: usize) -> fmt::Result {
    const SPACES: &str = "                                                                ";
    let mut n = level * 4;
    while n > 0 {
        let k = n.min(SPACES.len());
        f.write_str(&SPACES[..k])?;
        n -= k;
    }
    Ok(())
}

/// A writer that indents every line after the first `level` steps, so a value's own
/// multi-line `{:#?}` text sits at its place in the tree (what derived `Debug` does).
struct Indented<'f, 'a> {
    f: &'f mut fmt::Formatter<'a>,
    level: usize,
    on_newline: bool,
}

impl fmt::Write for Indented<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for line in s.split_inclusive('\n') {
            if self.on_newline {
                write_indent(self.f, self.level)?;
            }
            self.on_newline = line.ends_with('\n');
            self.f.write_str(line)?;
        }
        Ok(())
    }
}

impl Drop for Expr {
    /// Drops the tree level by level: a node whose children have children of their own
    /// hands them to a heap stack first, so no drop recurses more than two levels deep,
    /// whatever the depth of the tree. Shallow trees (the usual case) allocate nothing.
    fn drop(&mut self) {
        if !self.has_grandchildren() {
            return;
        }
        let mut stack = Vec::new();
        self.take_children(&mut stack);
        while let Some(mut e) = stack.pop() {
            if e.has_grandchildren() {
                e.take_children(&mut stack);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Value;

    fn deep(levels: usize) -> Expr {
        let mut e = Expr::eq(Expr::Field(0), Expr::Value(Value::I64(0)));
        for i in 0..levels {
            let leaf = Expr::eq(Expr::Field(1), Expr::Value(Value::I64(i as i64)));
            e = if i % 2 == 0 {
                Expr::And(vec![leaf, e])
            } else {
                Expr::Or(vec![leaf, e.not()])
            };
        }
        e
    }

    /// Runs `f` on a thread with a 128 KiB stack.
    fn small_stack(f: impl FnOnce() + Send + 'static) {
        std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(f)
            .expect("spawn")
            .join()
            .expect("the thread finished");
    }

    #[test]
    fn deep_trees_are_measured_walked_and_dropped_on_a_small_stack() {
        small_stack(|| {
            let mut e = deep(200_000);
            let shape = e.shape(Shape {
                depth: usize::MAX,
                nodes: usize::MAX,
            });
            assert!(shape.depth > 200_000, "{shape:?}");
            let mut values = 0;
            e.walk(&mut |n| values += matches!(n, Expr::Value(_)) as usize);
            assert_eq!(values, 200_001);
            e.walk_mut(&mut |n| {
                if let Expr::Value(Value::I64(v)) = n {
                    *v += 1
                }
            });
            let mut fields = 0;
            let e = e.map_refs(&mut |r| {
                fields += 1;
                r
            });
            assert_eq!(fields, 200_001);
            let copy = e.clone();
            assert_eq!(
                copy.shape(Shape {
                    depth: usize::MAX,
                    nodes: usize::MAX,
                }),
                shape
            );
            drop(e);
            drop(copy);
        });
    }

    #[test]
    fn shape_stops_at_the_cap() {
        let e = deep(1_000);
        let s = e.shape(Shape {
            depth: 10,
            nodes: usize::MAX,
        });
        assert_eq!(s.depth, 11);
        assert!(s.nodes < 100);
        let full = deep(1).shape(Shape {
            depth: 100,
            nodes: 100,
        });
        // And(eq(f1, v), eq(f0, v)): the And, two Binary, four leaves.
        assert_eq!(full, Shape { depth: 3, nodes: 7 });
    }

    #[test]
    fn clones_are_equal_at_every_depth() {
        for levels in [0, 1, 2, 5, RECURSION - 1, RECURSION, RECURSION + 3] {
            let e = deep(levels);
            assert_eq!(e.clone(), e, "{levels} levels");
            assert_eq!(e.clone_iterative(), e, "{levels} levels");
        }
        let odd = Expr::And(vec![
            Expr::Or(vec![]),
            Expr::IsNull(Box::new(Expr::Column(1))),
            Expr::InList {
                expr: Box::new(Expr::Field(2)),
                list: vec![Value::I64(1), Value::Null],
            },
            Expr::Pattern {
                op: crate::stmt::PatternOp::Contains,
                expr: Box::new(Expr::Field(3)),
                pattern: "x".into(),
            },
            Expr::Not(Box::new(Expr::And(vec![]))),
        ]);
        assert_eq!(odd.clone_iterative(), odd);
        assert_eq!(odd.clone_bounded(1), odd);
    }

    /// `Expr` as `#[derive(Debug, PartialEq)]` would have it: the reference the manual
    /// `Debug` and `==` are compared with (on shallow trees, where recursion is fine).
    #[derive(Debug, PartialEq)]
    enum Derived {
        Value(Value),
        Field(usize),
        Column(usize),
        Binary {
            op: crate::stmt::BinaryOp,
            lhs: Box<Derived>,
            rhs: Box<Derived>,
        },
        And(Vec<Derived>),
        Or(Vec<Derived>),
        Not(Box<Derived>),
        IsNull(Box<Derived>),
        InList {
            expr: Box<Derived>,
            list: Vec<Value>,
        },
        Pattern {
            op: crate::stmt::PatternOp,
            expr: Box<Derived>,
            pattern: String,
        },
        Related {
            relation: usize,
            filter: Box<Derived>,
        },
        InSelect {
            lhs: Vec<Derived>,
            select: Box<SubSelect>,
        },
    }

    /// `crate::stmt::SubSelect` as derived, over [`Derived`] (same name: `Debug` prints it).
    #[derive(Debug, PartialEq)]
    struct SubSelect {
        source: usize,
        columns: Vec<usize>,
        filter: Derived,
    }

    fn derived(e: &Expr) -> Derived {
        let b = |e: &Expr| Box::new(derived(e));
        match e {
            Expr::Value(v) => Derived::Value(v.clone()),
            Expr::Field(i) => Derived::Field(*i),
            Expr::Column(i) => Derived::Column(*i),
            Expr::Binary { op, lhs, rhs } => Derived::Binary {
                op: *op,
                lhs: b(lhs),
                rhs: b(rhs),
            },
            Expr::And(items) => Derived::And(items.iter().map(derived).collect()),
            Expr::Or(items) => Derived::Or(items.iter().map(derived).collect()),
            Expr::Not(e) => Derived::Not(b(e)),
            Expr::IsNull(e) => Derived::IsNull(b(e)),
            Expr::InList { expr, list } => Derived::InList {
                expr: b(expr),
                list: list.clone(),
            },
            Expr::Pattern { op, expr, pattern } => Derived::Pattern {
                op: *op,
                expr: b(expr),
                pattern: pattern.clone(),
            },
            Expr::Related { relation, filter } => Derived::Related {
                relation: *relation,
                filter: b(filter),
            },
            Expr::InSelect { lhs, select } => Derived::InSelect {
                lhs: lhs.iter().map(derived).collect(),
                select: Box::new(SubSelect {
                    source: select.source,
                    columns: select.columns.clone(),
                    filter: derived(&select.filter),
                }),
            },
        }
    }

    /// Small trees with every variant (and empty, one-item and multi-line lists).
    fn samples() -> Vec<Expr> {
        let every = Expr::And(vec![
            Expr::Or(vec![]),
            Expr::Or(vec![Expr::Value(Value::String("a\nb\"c".into()))]),
            Expr::IsNull(Box::new(Expr::Column(1))),
            Expr::InList {
                expr: Box::new(Expr::Field(2)),
                list: vec![Value::I64(1), Value::Null, Value::Bytes(vec![1, 2])],
            },
            Expr::InList {
                expr: Box::new(Expr::Field(2)),
                list: vec![],
            },
            Expr::Pattern {
                op: crate::stmt::PatternOp::Contains,
                expr: Box::new(Expr::Field(3)),
                pattern: "x%\"y".into(),
            },
            Expr::Not(Box::new(Expr::And(vec![]))),
            Expr::binary(
                crate::stmt::BinaryOp::Le,
                Expr::Field(4),
                Expr::Value(Value::F64(f64::NAN)),
            ),
            Expr::Related {
                relation: 1,
                filter: Box::new(Expr::Not(Box::new(Expr::Field(0)))),
            },
            Expr::InSelect {
                lhs: vec![Expr::Column(0), Expr::Field(1)],
                select: Box::new(crate::stmt::SubSelect {
                    source: 2,
                    columns: vec![0, 3],
                    filter: Expr::IsNull(Box::new(Expr::Column(3))),
                }),
            },
            Expr::InSelect {
                lhs: vec![],
                select: Box::new(crate::stmt::SubSelect {
                    source: 0,
                    columns: vec![],
                    filter: Expr::And(vec![]),
                }),
            },
        ]);
        vec![
            Expr::Field(7),
            Expr::Value(Value::Null),
            Expr::And(vec![]),
            every,
            deep(1),
            deep(6),
        ]
    }

    #[test]
    fn debug_prints_what_derive_would() {
        for e in samples() {
            let d = derived(&e);
            assert_eq!(format!("{e:?}"), format!("{d:?}"));
            assert_eq!(format!("{e:#?}"), format!("{d:#?}"));
            // Nested in another value's pretty output, the indentation follows.
            assert_eq!(format!("{:#?}", Some(&e)), format!("{:#?}", Some(&d)));
        }
    }

    #[test]
    fn eq_is_what_derive_would_give() {
        let samples = samples();
        for (i, a) in samples.iter().enumerate() {
            for (j, b) in samples.iter().enumerate() {
                assert_eq!(a == b, derived(a) == derived(b), "samples {i} and {j}");
            }
        }
        // One difference anywhere is found: a changed literal, operator or list length.
        let base = deep(8);
        let mut changed = base.clone();
        let mut n = 0;
        changed.walk_mut(&mut |e| {
            if let Expr::Value(Value::I64(v)) = e {
                n += 1;
                if n == 9 {
                    *v += 1;
                }
            }
        });
        assert!(base != changed);
        assert!(Expr::And(vec![Expr::Field(1)]) != Expr::And(vec![Expr::Field(1), Expr::Field(1)]));
        assert!(
            Expr::eq(Expr::Field(1), Expr::Field(2))
                != Expr::binary(crate::stmt::BinaryOp::Ne, Expr::Field(1), Expr::Field(2))
        );
        assert!(Expr::Not(Box::new(Expr::Field(1))) != Expr::IsNull(Box::new(Expr::Field(1))));
    }

    #[test]
    fn deep_trees_are_compared_and_printed_on_a_small_stack() {
        small_stack(|| {
            let a = deep(100_000);
            let b = a.clone();
            assert!(a == b);
            let mut c = a.clone();
            // The innermost literal differs: found at the bottom of the tree.
            let mut seen = 0;
            c.walk_mut(&mut |e| {
                if let Expr::Value(Value::I64(v)) = e {
                    seen += 1;
                    if seen == 100_001 {
                        *v += 1;
                    }
                }
            });
            assert_eq!(seen, 100_001);
            assert!(a != c);

            let text = format!("{a:?}");
            assert!(text.starts_with("Or([Binary { op: Eq, lhs: Field(1), rhs: Value("));
            assert_eq!(text.matches("Binary {").count(), 100_001);
            assert!(text.contains("lhs: Field(0), rhs: Value(0) }])"));
            assert_eq!(text.matches('(').count(), text.matches(')').count());
            assert_eq!(text.matches('[').count(), text.matches(']').count());
            // Pretty printing indents each level: check a shallower one whole.
            let pretty = format!("{:#?}", deep(300));
            assert_eq!(pretty.matches("Binary {").count(), 301);
        });
    }

    #[test]
    fn walk_visits_parents_first_and_children_in_order() {
        let e = Expr::And(vec![
            Expr::Field(1),
            Expr::Or(vec![Expr::Field(2), Expr::Field(3)]),
            Expr::Field(4),
        ]);
        let mut seen = Vec::new();
        e.walk(&mut |n| match n {
            Expr::Field(i) => seen.push(*i as i64),
            Expr::And(_) => seen.push(-1),
            Expr::Or(_) => seen.push(-2),
            _ => {}
        });
        assert_eq!(seen, vec![-1, 1, -2, 2, 3, 4]);
    }
}

//! Traversals of [`Expr`] trees that use no recursion, so a tree of any depth can be
//! measured, walked and dropped on a small stack.
//!
//! Statements built by user code may nest without bound (`a.and(b.or(c.and(..)))` in a
//! loop); the engine refuses filters deeper than its limit, but only after it has looked
//! at them, and a refused tree must still be dropped. Everything here uses an explicit
//! stack on the heap instead of the call stack:
//!
//! * [`Expr::shape`] measures depth and size (what the engine's limits check);
//! * [`Expr::walk`] / [`Expr::walk_mut`] visit every node;
//! * `Clone for Expr` recurses at most [`CLONE_RECURSION`] levels, then copies the rest
//!   with a heap stack;
//! * `Drop for Expr` takes the children of deep trees apart one level at a time (the
//!   compiler's drop glue would recurse once per level).

use super::Expr;

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
        let mut stack: Vec<(&Expr, usize)> = vec![(self, 1)];
        while let Some((e, depth)) = stack.pop() {
            shape.nodes += 1;
            shape.depth = shape.depth.max(depth);
            if shape.nodes > cap.nodes || shape.depth > cap.depth {
                break;
            }
            e.for_each_child(|c| stack.push((c, depth + 1)));
        }
        shape
    }

    /// Calls `f` on this expression and every sub-expression, parents first and children
    /// in order, without recursion.
    pub fn walk(&self, f: &mut impl FnMut(&Expr)) {
        let mut stack: Vec<&Expr> = vec![self];
        let mut children: Vec<&Expr> = Vec::new();
        while let Some(e) = stack.pop() {
            f(e);
            e.for_each_child(|c| children.push(c));
            // Pushed in reverse, so the first child is visited next.
            stack.extend(children.drain(..).rev());
        }
    }

    /// Calls `f` on this expression and every sub-expression, parents first, without
    /// recursion. `f` may change a node, and the new node's children are visited.
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Expr)) {
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
            }
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
        }
    }
}

/// How deep `clone` recurses before it continues with a heap stack: deep enough for
/// every filter within the engine's limits, so the usual clone allocates nothing extra.
const CLONE_RECURSION: usize = 64;

impl Clone for Expr {
    fn clone(&self) -> Expr {
        self.clone_bounded(CLONE_RECURSION)
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
        for levels in [
            0,
            1,
            2,
            5,
            CLONE_RECURSION - 1,
            CLONE_RECURSION,
            CLONE_RECURSION + 3,
        ] {
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

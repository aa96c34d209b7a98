//! Statement shapes: what a statement looks like with its values taken out.
//!
//! Two statements have the same shape when they differ only in the values that sit in a
//! *parameter position*: an operand of a comparison whose other side is not a literal,
//! an item of an `IN` list, an update's assigned value or an arithmetic operand. Every
//! other part of the statement is in the shape key exactly: the model, the filter's
//! structure (operators, fields, the length of every `IN` list, `like` patterns), the
//! order, the limit and offset *values* (SQLite gets them inlined), the projection,
//! the relations to load and, for each parameter, its kind of value (NULL is a kind of
//! its own: `x = NULL` and `x = 1` are different shapes). A literal anywhere else (a
//! bare `true`, `1 = 1`) makes the statement uncacheable, because `simplify` folds it.
//!
//! [`parameters`] walks a compiled [`Plan`] and finds the values in the same parameter
//! positions, in the same order as [`shape_of`] lists them in the statement. The cache
//! (`shape_cache`) keeps a plan as a template only when those two lists are equal, so
//! the template's parameter slots are exactly the statement's values, and
//! [`substitute`] puts a new statement's values into a copy of it.

use super::plan::{Output, Plan, Step};
use super::Statement;
use toasty_core::driver::{expr_params_mut, params_mut};
use toasty_core::stmt::{Expr, Query, Select};
use toasty_core::Value;

/// The exact shape of a statement: equal keys mean equal plans up to the parameters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ShapeKey(Vec<u8>);

/// Writes the shape key of a verified statement, or `None` when statements of its form
/// are not cached (creates, updates that change a `#[has_one]`, literals outside
/// parameter positions, relation filters not yet resolved).
pub(crate) fn shape_of(stmt: &Statement) -> Option<ShapeKey> {
    let mut w = Writer(Vec::with_capacity(64));
    match stmt {
        Statement::Query(q, include) => {
            w.tag(1);
            w.num(include.len());
            for path in include {
                w.num(path.len());
                for &r in path {
                    w.num(r);
                }
            }
            w.query(q)?;
        }
        // An update that also changes a `#[has_one]` is planned afresh each time.
        Statement::Update(_, has_one) if !has_one.is_empty() => return None,
        Statement::Update(u, _) => {
            w.tag(2);
            w.query(&u.selection)?;
            w.num(u.assignments.len());
            for (field, value) in &u.assignments {
                w.num(*field);
                w.param(value)?;
            }
            w.num(u.arithmetic.len());
            for (field, arith) in &u.arithmetic {
                w.num(*field);
                w.tag(arith.op as u8);
                w.param(&arith.operand)?;
            }
            w.tag(u8::from(u.returning));
        }
        Statement::Delete(d) => {
            w.tag(3);
            w.query(&d.selection)?;
        }
        Statement::Insert(_) | Statement::Create(_) => return None,
    }
    Some(ShapeKey(w.0))
}

/// The values in parameter positions of `stmt`, moved out, in shape order.
pub(crate) fn take_values(stmt: &mut Statement) -> Vec<Value> {
    let mut out = Vec::new();
    visit_statement(stmt, &mut |v| out.push(std::mem::replace(v, Value::Null)));
    out
}

/// Copies of the values in parameter positions of `stmt`, in shape order.
pub(crate) fn values_of(stmt: &mut Statement) -> Vec<Value> {
    let mut out = Vec::new();
    visit_statement(stmt, &mut |v| out.push(v.clone()));
    out
}

fn visit_statement(stmt: &mut Statement, f: &mut dyn FnMut(&mut Value)) {
    let query = |q: &mut Query, f: &mut dyn FnMut(&mut Value)| {
        if let Some(filter) = &mut q.filter {
            expr_params_mut(filter, f);
        }
    };
    match stmt {
        Statement::Query(q, _) => query(q, f),
        Statement::Update(u, _) => {
            query(&mut u.selection, f);
            for (_, v) in &mut u.assignments {
                f(v);
            }
            for (_, a) in &mut u.arithmetic {
                f(&mut a.operand);
            }
        }
        Statement::Delete(d) => query(&mut d.selection, f),
        Statement::Insert(_) | Statement::Create(_) => {}
    }
}

/// The values in parameter positions of `plan`, in the order [`substitute`] fills them,
/// or `None` when the plan has steps whose values are not all in such positions (key-value
/// fetches and writes, inserts).
pub(crate) fn parameters(plan: &mut Plan) -> Option<Vec<Value>> {
    let mut out = Vec::new();
    visit_plan(plan, &mut |v| out.push(v.clone()))?;
    Some(out)
}

/// Puts `values` into the parameter positions of `plan`, in order. `false` (and `plan`
/// unusable) if the counts differ.
pub(crate) fn substitute(plan: &mut Plan, values: Vec<Value>) -> bool {
    let mut values = values.into_iter();
    let mut short = false;
    let visited = visit_plan(plan, &mut |slot| match values.next() {
        Some(v) => *slot = v,
        None => short = true,
    });
    visited.is_some() && !short && values.next().is_none()
}

fn visit_plan(plan: &mut Plan, f: &mut dyn FnMut(&mut Value)) -> Option<()> {
    for step in &mut plan.steps {
        match step {
            Step::Op(op) | Step::OpWhereIn { op, .. } => {
                if !params_mut(op, f) {
                    return None;
                }
            }
            Step::Insert { .. }
            | Step::FetchWhereIn { .. }
            | Step::Fetch { .. }
            | Step::Select { .. }
            | Step::Check { .. }
            | Step::CheckArith { .. }
            | Step::Write(_) => return None,
        }
    }
    let mut output = &plan.output;
    loop {
        match output {
            Output::Checked { inner, .. } => output = inner,
            Output::Records { .. } | Output::Count { .. } | Output::Projected { .. } => {
                return Some(())
            }
            Output::Assigned { .. } | Output::Inserted { .. } => return None,
        }
    }
}

/// The shape key under construction.
struct Writer(Vec<u8>);

impl Writer {
    fn tag(&mut self, t: u8) {
        self.0.push(t);
    }

    fn num(&mut self, n: usize) {
        // Small numbers (field positions, lengths) take one byte.
        if n < 0x80 {
            self.0.push(n as u8);
        } else {
            self.0.push(0x80);
            self.0.extend_from_slice(&(n as u64).to_le_bytes());
        }
    }

    fn opt(&mut self, n: Option<u64>) {
        match n {
            None => self.tag(0),
            Some(n) => {
                self.tag(1);
                self.0.extend_from_slice(&n.to_le_bytes());
            }
        }
    }

    /// A value in a parameter position: its kind only.
    fn param(&mut self, v: &Value) -> Option<()> {
        self.tag(match v {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::I64(_) => 2,
            Value::U64(_) => 3,
            Value::F64(_) => 4,
            Value::String(_) => 5,
            Value::Bytes(_) => 6,
            Value::Uuid(_) => 7,
            Value::Timestamp(_) => 8,
        });
        Some(())
    }

    fn query(&mut self, q: &Query) -> Option<()> {
        self.num(q.model.0);
        match &q.filter {
            None => self.tag(0),
            Some(f) => {
                self.tag(1);
                self.expr(f)?;
            }
        }
        self.num(q.order_by.len());
        for o in &q.order_by {
            self.num(o.target);
            self.tag(o.direction as u8);
        }
        self.opt(q.limit);
        self.opt(q.offset);
        match &q.select {
            Select::Records => self.tag(0),
            Select::Count => self.tag(1),
            Select::Fields(fields) => {
                self.tag(2);
                self.num(fields.len());
                for &f in fields {
                    self.num(f);
                }
            }
        }
        Some(())
    }

    /// Recursive: only called on filters that passed verify's depth limit.
    fn expr(&mut self, e: &Expr) -> Option<()> {
        match e {
            // A literal outside a parameter position: `simplify` may fold it.
            Expr::Value(_) => return None,
            Expr::Field(i) => {
                self.tag(1);
                self.num(*i);
            }
            Expr::Column(i) => {
                self.tag(2);
                self.num(*i);
            }
            Expr::Binary { op, lhs, rhs } => {
                self.tag(3);
                self.tag(*op as u8);
                match (&**lhs, &**rhs) {
                    (Expr::Value(_), Expr::Value(_)) => return None,
                    (Expr::Value(v), other) => {
                        self.tag(0);
                        self.param(v)?;
                        self.expr(other)?;
                    }
                    (other, Expr::Value(v)) => {
                        self.tag(1);
                        self.expr(other)?;
                        self.param(v)?;
                    }
                    (l, r) => {
                        self.tag(2);
                        self.expr(l)?;
                        self.expr(r)?;
                    }
                }
            }
            Expr::And(items) | Expr::Or(items) => {
                self.tag(if matches!(e, Expr::And(_)) { 4 } else { 5 });
                self.num(items.len());
                for item in items {
                    self.expr(item)?;
                }
            }
            Expr::Not(inner) => {
                self.tag(6);
                self.expr(inner)?;
            }
            Expr::IsNull(inner) => {
                self.tag(7);
                self.expr(inner)?;
            }
            Expr::InList { expr, list } => {
                self.tag(8);
                self.expr(expr)?;
                self.num(list.len());
                for v in list {
                    self.param(v)?;
                }
            }
            Expr::Pattern { op, expr, pattern } => {
                self.tag(9);
                self.tag(*op as u8);
                self.expr(expr)?;
                self.num(pattern.len());
                self.0.extend_from_slice(pattern.as_bytes());
            }
            Expr::InSelect { lhs, select } => {
                self.tag(10);
                self.num(lhs.len());
                for e in lhs {
                    self.expr(e)?;
                }
                self.num(select.source);
                self.num(select.columns.len());
                for &c in &select.columns {
                    self.num(c);
                }
                self.expr(&select.filter)?;
            }
            // Resolved into `InSelect` before a statement is looked up.
            Expr::Related { .. } => return None,
        }
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use toasty_core::schema::app::ModelId;
    use toasty_core::stmt::BinaryOp;

    fn query(filter: Expr) -> Statement {
        let mut q = Query::all(ModelId(0));
        q.filter = Some(filter);
        Statement::Query(q, Vec::new())
    }

    fn eq(field: usize, v: Value) -> Expr {
        Expr::eq(Expr::Field(field), Expr::Value(v))
    }

    #[test]
    fn values_of_one_kind_share_a_shape() {
        assert_eq!(
            shape_of(&query(eq(0, Value::I64(1)))),
            shape_of(&query(eq(0, Value::I64(2))))
        );
    }

    #[test]
    fn null_kind_field_in_list_length_limit_and_pattern_are_in_the_key() {
        let base = shape_of(&query(eq(0, Value::I64(1))));
        assert_ne!(base, shape_of(&query(eq(0, Value::Null))));
        assert_ne!(base, shape_of(&query(eq(0, Value::String("1".into())))));
        assert_ne!(base, shape_of(&query(eq(1, Value::I64(1)))));
        let list = |n: usize| Expr::InList {
            expr: Box::new(Expr::Field(0)),
            list: (0..n as i64).map(Value::I64).collect(),
        };
        assert_ne!(shape_of(&query(list(2))), shape_of(&query(list(3))));
        let limited = |n| {
            let mut q = Query::all(ModelId(0));
            q.limit = Some(n);
            shape_of(&Statement::Query(q, Vec::new()))
        };
        assert_ne!(limited(1), limited(2));
        let pattern = |p: &str| Expr::Pattern {
            op: toasty_core::stmt::PatternOp::Like,
            expr: Box::new(Expr::Field(0)),
            pattern: p.into(),
        };
        assert_ne!(
            shape_of(&query(pattern("a%"))),
            shape_of(&query(pattern("b%")))
        );
    }

    #[test]
    fn literals_outside_parameter_positions_are_not_cached() {
        assert_eq!(shape_of(&query(Expr::true_())), None);
        let both = Expr::binary(
            BinaryOp::Eq,
            Expr::Value(Value::I64(1)),
            Expr::Value(Value::I64(1)),
        );
        assert_eq!(shape_of(&query(both)), None);
        assert_eq!(
            shape_of(&query(Expr::IsNull(Box::new(Expr::Value(Value::Null))))),
            None
        );
    }

    #[test]
    fn values_are_taken_in_shape_order() {
        let filter = Expr::And(vec![
            eq(0, Value::I64(1)),
            Expr::InList {
                expr: Box::new(Expr::Field(1)),
                list: vec![Value::I64(2), Value::I64(3)],
            },
            Expr::binary(BinaryOp::Lt, Expr::Value(Value::I64(4)), Expr::Field(2)),
        ]);
        let mut stmt = query(filter);
        assert_eq!(
            take_values(&mut stmt),
            (1..=4).map(Value::I64).collect::<Vec<_>>()
        );
    }
}

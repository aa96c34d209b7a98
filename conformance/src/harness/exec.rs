//! Running a [`Case`] on a backend and recording normalized outcomes.
//!
//! Normalization makes outcomes from different backends comparable: records become
//! [`Lit`] rows with `#[auto]` keys replaced by [`Lit::Auto`] (their creation index on
//! that backend), and errors are reduced to their [`ErrorKind`].

use super::case::{Case, Filter, KeySpec, Lit, ModelSpec, Op, Order};
use crate::Backend;
use std::collections::HashMap;
use toasty::{Db, ErrorKind, ModelSet, Value};
use toasty_core::schema::app::{self, ModelId};
use toasty_core::stmt::{self, Expr, OrderBy};
use toasty_core::Type;

/// What one operation produced.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Records in the backend's order; `order` says which fields order them (empty:
    /// unspecified order).
    Rows {
        /// Normalized records.
        rows: Vec<Vec<Lit>>,
        /// The sort keys the order must follow.
        order: Vec<Order>,
    },
    /// A count (of matches, or of affected records).
    Count(u64),
    /// The records a create returned, in insert order.
    Created(Vec<Vec<Lit>>),
    /// Pages of a pagination walk: records and whether more lie beyond.
    Pages(Vec<(Vec<Vec<Lit>>, bool)>),
    /// The operation failed with this kind of error.
    Error(ErrorKind, String),
}

impl Outcome {
    /// `true` for an `Unsupported` error.
    pub fn is_unsupported(&self) -> bool {
        matches!(self, Outcome::Error(ErrorKind::Unsupported, _))
    }
}

/// Everything a case produced on one backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The setup error, if the schema was rejected (then `outcomes` is empty).
    pub setup_error: Option<(ErrorKind, String)>,
    /// One outcome per operation.
    pub outcomes: Vec<Outcome>,
    /// Every model's records at the end (only for SQL-kind backends).
    pub final_state: Option<Vec<Vec<Vec<Lit>>>>,
    /// `true` if the backend is a key-value store (known once the schema was set up).
    pub key_value: bool,
}

/// Builds the app-schema models of a case.
pub fn models(case: &Case) -> ModelSet {
    let mut set = ModelSet::new();
    for (i, m) in case.models.iter().enumerate() {
        set = set.add_definition(model_def(i, m));
    }
    set
}

fn model_def(i: usize, m: &ModelSpec) -> app::Model {
    let fields = m
        .fields
        .iter()
        .enumerate()
        .map(|(f, spec)| app::Field {
            name: format!("f{f}"),
            column_name: format!("f{f}"),
            ty: spec.ty,
            nullable: spec.nullable,
            auto: if m.is_auto(f) {
                Some(if m.key == KeySpec::AutoUuid {
                    app::Auto::UuidV7
                } else {
                    app::Auto::Increment
                })
            } else {
                None
            },
        })
        .collect();
    app::Model {
        name: format!("M{i}"),
        table_name: format!("m{i}"),
        fields,
        primary_key: m.key_fields(),
        indices: m
            .indices
            .iter()
            .map(|ix| app::Index {
                fields: ix.fields.clone(),
                unique: ix.unique,
                primary: false,
            })
            .collect(),
    }
}

/// Runs `case` on `backend`. `label` names the namespace (unique per case).
pub async fn run_case(backend: &dyn Backend, case: &Case, label: &str) -> Run {
    let mut db = match backend.setup(models(case), label).await {
        Ok(db) => db,
        Err(e) => {
            return Run {
                setup_error: Some((e.kind(), e.to_string())),
                outcomes: Vec::new(),
                final_state: None,
                key_value: false,
            }
        }
    };
    let key_value = !db.capability().is_sql();
    let mut state = State {
        created: HashMap::new(),
    };
    let mut outcomes = Vec::with_capacity(case.ops.len());
    for op in &case.ops {
        outcomes.push(run_op(&mut db, case, op, &mut state).await);
    }
    let final_state = if db.capability().is_sql() {
        let mut tables = Vec::new();
        for (i, m) in case.models.iter().enumerate() {
            let q = stmt::Query::all(ModelId(i));
            match db.exec_query(q).await {
                Ok(rows) => tables.push(normalize_rows(m, i, rows, &state)),
                Err(_) => {
                    return Run {
                        setup_error: None,
                        outcomes,
                        final_state: None,
                        key_value,
                    }
                }
            }
        }
        Some(tables)
    } else {
        None
    };
    // Servers are shared by many cases: leave nothing behind (memdb does not care).
    let _ = db.drop_schema().await;
    Run {
        setup_error: None,
        outcomes,
        final_state,
        key_value,
    }
}

struct State {
    /// Auto key values created so far, per model, in creation order.
    created: HashMap<usize, Vec<Value>>,
}

fn err(e: toasty::Error) -> Outcome {
    Outcome::Error(e.kind(), e.to_string())
}

async fn run_op(db: &mut Db, case: &Case, op: &Op, state: &mut State) -> Outcome {
    let model = op.model();
    let Some(spec) = case.models.get(model) else {
        return Outcome::Error(ErrorKind::InvalidStatement, "no such model".into());
    };
    let id = ModelId(model);
    match op {
        Op::Create { rows, .. } => {
            let rows = rows
                .iter()
                .map(|row| {
                    row.iter()
                        .enumerate()
                        .map(|(f, v)| v.as_ref().map(|v| value(spec, model, f, v, state)))
                        .collect()
                })
                .collect();
            match db.exec_insert(stmt::Insert { model: id, rows }).await {
                Ok(records) => {
                    if matches!(spec.key, KeySpec::AutoInt | KeySpec::AutoUuid) {
                        let list = state.created.entry(model).or_default();
                        for r in &records {
                            if let Some(v) = r.first() {
                                list.push(v.clone());
                            }
                        }
                    }
                    Outcome::Created(normalize_rows(spec, model, records, state))
                }
                Err(e) => err(e),
            }
        }
        Op::Get { key, limit, .. } => {
            let filter = Expr::And(
                spec.key_fields()
                    .iter()
                    .zip(key)
                    .map(|(&f, v)| {
                        Expr::eq(Expr::Field(f), Expr::Value(value(spec, model, f, v, state)))
                    })
                    .collect(),
            );
            let mut q = stmt::Query::all(id);
            q.filter = Some(filter);
            q.limit = *limit;
            match db.exec_query(q).await {
                Ok(rows) if rows.is_empty() => {
                    Outcome::Error(ErrorKind::NotFound, "no record".into())
                }
                Ok(rows) => Outcome::Rows {
                    rows: normalize_rows(spec, model, rows, state),
                    order: vec![],
                },
                Err(e) => err(e),
            }
        }
        Op::Query {
            filter,
            order,
            limit,
            offset,
            ..
        } => {
            let q = stmt::Query {
                model: id,
                filter: Some(expr(spec, model, filter, state)),
                order_by: order_by(order),
                limit: *limit,
                offset: *offset,
                select: stmt::Select::Records,
            };
            match db.exec_query(q).await {
                Ok(rows) => Outcome::Rows {
                    rows: normalize_rows(spec, model, rows, state),
                    order: order.clone(),
                },
                Err(e) => err(e),
            }
        }
        Op::Count { filter, .. } => {
            let mut q = stmt::Query::all(id);
            q.filter = Some(expr(spec, model, filter, state));
            match db.exec_count(q).await {
                Ok(n) => Outcome::Count(n),
                Err(e) => err(e),
            }
        }
        Op::Paginate {
            filter,
            order,
            per_page,
            moves,
            ..
        } => {
            let q = stmt::Query {
                model: id,
                filter: Some(expr(spec, model, filter, state)),
                order_by: order_by(order),
                limit: None,
                offset: None,
                select: stmt::Select::Records,
            };
            let mut pages = Vec::new();
            let mut page = match db.exec_page(q.clone(), *per_page, None, false).await {
                Ok(p) => p,
                Err(e) => return err(e),
            };
            pages.push((
                normalize_rows(spec, model, page.rows.clone(), state),
                page.more,
            ));
            for &forward in moves {
                let edge = if forward {
                    page.rows.last()
                } else {
                    page.rows.first()
                };
                let Some(edge) = edge else { break };
                let cursor = match db.page_cursor(&q, edge) {
                    Ok(c) => c,
                    Err(e) => return err(e),
                };
                page = match db
                    .exec_page(q.clone(), *per_page, Some(&cursor), !forward)
                    .await
                {
                    Ok(p) => p,
                    Err(e) => return err(e),
                };
                pages.push((
                    normalize_rows(spec, model, page.rows.clone(), state),
                    page.more,
                ));
            }
            Outcome::Pages(pages)
        }
        Op::Update { filter, set, .. } => {
            let mut selection = stmt::Query::all(id);
            selection.filter = Some(expr(spec, model, filter, state));
            let assignments = set
                .iter()
                .map(|(f, v)| (*f, value(spec, model, *f, v, state)))
                .collect();
            match db
                .exec_update(stmt::Update {
                    selection,
                    assignments,
                    returning: false,
                })
                .await
            {
                Ok(n) => Outcome::Count(n),
                Err(e) => err(e),
            }
        }
        Op::Delete { filter, .. } => {
            let mut selection = stmt::Query::all(id);
            selection.filter = Some(expr(spec, model, filter, state));
            match db.exec_delete(stmt::Delete { selection }).await {
                Ok(n) => Outcome::Count(n),
                Err(e) => err(e),
            }
        }
    }
}

fn order_by(order: &[Order]) -> Vec<OrderBy> {
    order
        .iter()
        .map(|o| OrderBy {
            target: o.field,
            direction: o.direction(),
        })
        .collect()
}

/// Converts a literal that is not an `#[auto]` reference into a value.
pub fn value_of(lit: &Lit) -> Value {
    let state = State {
        created: HashMap::new(),
    };
    let spec = ModelSpec {
        fields: vec![],
        key: KeySpec::Single,
        indices: vec![],
    };
    value(&spec, 0, 0, lit, &state)
}

/// Converts a literal for field `f` of `spec` into a value on this backend.
fn value(spec: &ModelSpec, model: usize, f: usize, lit: &Lit, state: &State) -> Value {
    match lit {
        Lit::Null => Value::Null,
        Lit::Bool(b) => Value::Bool(*b),
        Lit::Int(i) => Value::I64(*i),
        Lit::BigUint(u) => Value::from_u64(*u),
        Lit::Float(x) => Value::F64(*x),
        Lit::Str(s) => Value::String(s.clone()),
        Lit::Bytes(b) => Value::Bytes(b.clone()),
        Lit::Uuid(u) => Value::Uuid(uuid::Uuid::from_u128(*u)),
        Lit::Timestamp(t) => Value::Timestamp(*t),
        Lit::Auto(n) => match state.created.get(&model).and_then(|l| l.get(*n)) {
            Some(v) => v.clone(),
            // A reference past the records created: a value no record has.
            None => match spec.fields.get(f).map(|s| s.ty) {
                Some(Type::Uuid) => Value::Uuid(uuid::Uuid::from_u128(1_000_000 + *n as u128)),
                _ => Value::I64(1_000_000_000 + *n as i64),
            },
        },
    }
}

/// Converts a filter of model `model` to a model-level expression, with `#[auto]`
/// references resolved against no created records (so they match nothing).
pub fn filter_to_expr(spec: &ModelSpec, model: usize, filter: &Filter) -> Expr {
    let state = State {
        created: HashMap::new(),
    };
    expr(spec, model, filter, &state)
}

fn expr(spec: &ModelSpec, model: usize, filter: &Filter, state: &State) -> Expr {
    match filter {
        Filter::True => Expr::true_(),
        Filter::Cmp(f, op, v) => Expr::binary(
            *op,
            Expr::Field(*f),
            Expr::Value(value(spec, model, *f, v, state)),
        ),
        Filter::InList(f, list) => Expr::InList {
            expr: Box::new(Expr::Field(*f)),
            list: list
                .iter()
                .map(|v| value(spec, model, *f, v, state))
                .collect(),
        },
        Filter::IsNull(f) => Expr::IsNull(Box::new(Expr::Field(*f))),
        Filter::Pattern(f, op, p) => Expr::Pattern {
            op: *op,
            expr: Box::new(Expr::Field(*f)),
            pattern: p.clone(),
        },
        Filter::And(items) => {
            Expr::And(items.iter().map(|i| expr(spec, model, i, state)).collect())
        }
        Filter::Or(items) => Expr::Or(items.iter().map(|i| expr(spec, model, i, state)).collect()),
        Filter::Not(inner) => Expr::Not(Box::new(expr(spec, model, inner, state))),
    }
}

fn normalize_rows(
    spec: &ModelSpec,
    model: usize,
    rows: Vec<Vec<Value>>,
    state: &State,
) -> Vec<Vec<Lit>> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(f, v)| {
                    if spec.is_auto(f) {
                        if let Some(pos) = state
                            .created
                            .get(&model)
                            .and_then(|l| l.iter().position(|x| x.same_as(&v)))
                        {
                            return Lit::Auto(pos);
                        }
                    }
                    lit(v)
                })
                .collect()
        })
        .collect()
}

/// A value as a literal.
pub fn lit(v: Value) -> Lit {
    match v {
        Value::Null => Lit::Null,
        Value::Bool(b) => Lit::Bool(b),
        Value::I64(i) => Lit::Int(i),
        Value::U64(u) => Lit::BigUint(u),
        Value::F64(x) => Lit::Float(if x == 0.0 { 0.0 } else { x }),
        Value::String(s) => Lit::Str(s),
        Value::Bytes(b) => Lit::Bytes(b),
        Value::Uuid(u) => Lit::Uuid(u.as_u128()),
        Value::Timestamp(t) => Lit::Timestamp(t),
    }
}

//! Running a [`Case`] on a backend and recording normalized outcomes.
//!
//! Normalization makes outcomes from different backends comparable: records become
//! [`Lit`] rows with `#[auto]` keys replaced by [`Lit::Auto`] (their creation index on
//! that backend), and errors are reduced to their [`ErrorKind`].
//!
//! Transactions run with the real API: [`Op::Begin`] calls `db.transaction()` and the
//! operations up to the matching end run on that [`Transaction`] (recursively, since a
//! nested transaction borrows its parent). After every operation that ends a transaction
//! and after every batch, the outcome carries every table's contents as seen right
//! after it ([`Outcome::Snapshot`]): through the database after a top-level transaction,
//! through the parent transaction after a nested one. A creation that a rollback undid
//! is forgotten (the auto-key registry is truncated), so creation indexes stay
//! comparable between databases that reuse a rolled-back auto-increment value and
//! databases that do not.

use super::case::{Case, Filter, KeySpec, Lit, ModelSpec, Op, Order};
use crate::Backend;
use async_trait::async_trait;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use toasty::{
    Db, ErrorKind, ModelSet, Transaction, UntypedOutcome, UntypedPage, UntypedStatement, Value,
};
use toasty_core::schema::app::{self, ModelId};
use toasty_core::stmt::{self, Expr, OrderBy};
use toasty_core::Type;

/// Every table's records (one list per model, in model order), or the error reading
/// them gave.
pub type Tables = Result<Vec<Vec<Vec<Lit>>>, (ErrorKind, String)>;

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
    /// A transaction-control operation succeeded.
    Done,
    /// Nothing ran: a control operation that fits no open transaction, or a batch
    /// holding an operation a batch cannot hold.
    Skipped,
    /// A batch succeeded: each statement's outcome.
    Batch(Vec<Outcome>),
    /// An outcome, then every table's contents as seen right after it (after each
    /// operation that ends a transaction and after each batch).
    Snapshot(Box<Outcome>, Tables),
}

impl Outcome {
    /// `true` for an `Unsupported` error (looking through a snapshot).
    pub fn is_unsupported(&self) -> bool {
        match self {
            Outcome::Error(ErrorKind::Unsupported, _) => true,
            Outcome::Snapshot(inner, _) => inner.is_unsupported(),
            _ => false,
        }
    }

    /// The outcome without its snapshot.
    pub fn inner(&self) -> &Outcome {
        match self {
            Outcome::Snapshot(inner, _) => inner.inner(),
            other => other,
        }
    }

    /// Calls `f` on this outcome and on every outcome nested in it (a batch's
    /// statements, a snapshot's operation).
    pub fn visit(&self, f: &mut impl FnMut(&Outcome)) {
        f(self);
        match self {
            Outcome::Batch(list) => list.iter().for_each(|o| o.visit(f)),
            Outcome::Snapshot(inner, _) => inner.visit(f),
            _ => {}
        }
    }
}

/// Everything a case produced on one backend.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The setup error, if the schema was rejected (then `outcomes` is empty).
    pub setup_error: Option<(ErrorKind, String)>,
    /// One outcome per operation.
    pub outcomes: Vec<Outcome>,
    /// Every model's records at the end (`None` if they could not be read). Key-value
    /// backends cannot list a table: there the records are fetched by every primary
    /// key the case ever created.
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
                name: None,
            })
            .collect(),
    }
}

/// Where statements run: the database, or an open transaction. The untyped API is
/// inherent on both; this gives the executor one type to recurse with.
#[async_trait]
trait Target: Send {
    async fn query(&mut self, q: stmt::Query) -> toasty::Result<Vec<Vec<Value>>>;
    async fn count(&mut self, q: stmt::Query) -> toasty::Result<u64>;
    async fn insert(&mut self, i: stmt::Insert) -> toasty::Result<Vec<Vec<Value>>>;
    async fn update(&mut self, u: stmt::Update) -> toasty::Result<u64>;
    async fn delete(&mut self, d: stmt::Delete) -> toasty::Result<u64>;
    async fn page(
        &mut self,
        q: stmt::Query,
        per_page: usize,
        cursor: Option<Vec<Value>>,
        backward: bool,
    ) -> toasty::Result<UntypedPage>;
    fn cursor(&self, q: &stmt::Query, record: &[Value]) -> toasty::Result<Vec<Value>>;
    async fn batch(&mut self, s: Vec<UntypedStatement>) -> toasty::Result<Vec<UntypedOutcome>>;
}

macro_rules! target {
    ($ty:ty) => {
        #[async_trait]
        impl Target for $ty {
            async fn query(&mut self, q: stmt::Query) -> toasty::Result<Vec<Vec<Value>>> {
                self.exec_query(q).await
            }
            async fn count(&mut self, q: stmt::Query) -> toasty::Result<u64> {
                self.exec_count(q).await
            }
            async fn insert(&mut self, i: stmt::Insert) -> toasty::Result<Vec<Vec<Value>>> {
                self.exec_insert(i).await
            }
            async fn update(&mut self, u: stmt::Update) -> toasty::Result<u64> {
                self.exec_update(u).await
            }
            async fn delete(&mut self, d: stmt::Delete) -> toasty::Result<u64> {
                self.exec_delete(d).await
            }
            async fn page(
                &mut self,
                q: stmt::Query,
                per_page: usize,
                cursor: Option<Vec<Value>>,
                backward: bool,
            ) -> toasty::Result<UntypedPage> {
                self.exec_page(q, per_page, cursor.as_deref(), backward)
                    .await
            }
            fn cursor(&self, q: &stmt::Query, record: &[Value]) -> toasty::Result<Vec<Value>> {
                self.page_cursor(q, record)
            }
            async fn batch(
                &mut self,
                s: Vec<UntypedStatement>,
            ) -> toasty::Result<Vec<UntypedOutcome>> {
                self.exec_untyped_batch(s).await
            }
        }
    };
}

target!(Db);
target!(Transaction<'_>);

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
    let mut ctx = Ctx {
        state: State {
            created: HashMap::new(),
        },
        outcomes: Vec::with_capacity(case.ops.len()),
        key_value,
    };
    let mut i = 0;
    while i < case.ops.len() {
        let op = &case.ops[i];
        i += 1;
        match op {
            Op::Begin => {
                let ran = match db.transaction().await {
                    Ok(tx) => {
                        ctx.outcomes.push(Outcome::Done);
                        Some(run_tx(tx, 1, case, &mut ctx, i).await)
                    }
                    Err(e) => {
                        ctx.outcomes.push(err(e));
                        None
                    }
                };
                if let Some((end, next)) = ran {
                    i = next;
                    if let Some(at) = end {
                        let tables = snapshot(&mut db, case, &ctx).await;
                        ctx.attach(at, tables);
                    }
                }
            }
            op if op.is_control() => ctx.outcomes.push(Outcome::Skipped),
            op => {
                let o = run_stmt(&mut db, case, op, &mut ctx).await;
                ctx.outcomes.push(o);
            }
        }
    }
    let final_state = snapshot(&mut db, case, &ctx).await.ok();
    // Servers are shared by many cases: leave nothing behind (memdb does not care).
    let _ = db.drop_schema().await;
    Run {
        setup_error: None,
        outcomes: ctx.outcomes,
        final_state,
        key_value,
    }
}

/// What the executor keeps while running a case.
struct Ctx {
    state: State,
    outcomes: Vec<Outcome>,
    key_value: bool,
}

impl Ctx {
    /// Adds the tables seen after operation `at` to its outcome.
    fn attach(&mut self, at: usize, tables: Tables) {
        if let Some(slot) = self.outcomes.get_mut(at) {
            let o = std::mem::replace(slot, Outcome::Skipped);
            *slot = Outcome::Snapshot(Box::new(o), tables);
        }
    }
}

/// Runs the operations of an open transaction at nesting `depth` (1: top level),
/// starting at operation `i`. Returns the index of the operation that ended it (its
/// parent adds the snapshot, which must be read through the parent) or `None` if the
/// operations ran out first (the transaction is then dropped, which rolls it back), and
/// the index of the next operation.
fn run_tx<'a>(
    mut tx: Transaction<'a>,
    depth: u32,
    case: &'a Case,
    ctx: &'a mut Ctx,
    mut i: usize,
) -> Pin<Box<dyn Future<Output = (Option<usize>, usize)> + 'a>> {
    Box::pin(async move {
        let mark = ctx.state.mark();
        while i < case.ops.len() {
            let at = i;
            let op = &case.ops[i];
            i += 1;
            let commit = match op {
                Op::Savepoint => {
                    let ran = match tx.transaction().await {
                        Ok(nested) => {
                            ctx.outcomes.push(Outcome::Done);
                            Some(run_tx(nested, depth + 1, case, &mut *ctx, i).await)
                        }
                        Err(e) => {
                            ctx.outcomes.push(err(e));
                            None
                        }
                    };
                    if let Some((end, next)) = ran {
                        i = next;
                        if let Some(at) = end {
                            let tables = snapshot(&mut tx, case, ctx).await;
                            ctx.attach(at, tables);
                        }
                    }
                    continue;
                }
                Op::ReleaseSavepoint if depth > 1 => true,
                Op::RollbackToSavepoint if depth > 1 => false,
                Op::Commit if depth == 1 => true,
                Op::Rollback if depth == 1 => false,
                op if op.is_control() => {
                    ctx.outcomes.push(Outcome::Skipped);
                    continue;
                }
                op => {
                    let o = run_stmt(&mut tx, case, op, ctx).await;
                    ctx.outcomes.push(o);
                    continue;
                }
            };
            let result = if commit {
                tx.commit().await
            } else {
                tx.rollback().await
            };
            // Creations this level made are gone unless it committed.
            if !(commit && result.is_ok()) {
                ctx.state.reset(&mark);
            }
            ctx.outcomes.push(match result {
                Ok(()) => Outcome::Done,
                Err(e) => err(e),
            });
            return (Some(at), i);
        }
        drop(tx);
        (None, i)
    })
}

/// Every table's records as `t` sees them: the whole table on SQL backends; on
/// key-value ones, the records under every key value the case ever created (key-value
/// stores cannot list a table, and every record exists because a create wrote it).
async fn snapshot(t: &mut dyn Target, case: &Case, ctx: &Ctx) -> Tables {
    let mut tables = Vec::with_capacity(case.models.len());
    for (i, m) in case.models.iter().enumerate() {
        let mut q = stmt::Query::all(ModelId(i));
        if ctx.key_value {
            let keys = known_keys(case, i, m, &ctx.state);
            if keys.is_empty() {
                tables.push(Vec::new());
                continue;
            }
            q.filter = Some(Expr::InList {
                expr: Box::new(Expr::Field(0)),
                list: keys,
            });
        }
        let rows = t.query(q).await.map_err(|e| (e.kind(), e.to_string()))?;
        tables.push(normalize_rows(m, i, rows, &ctx.state));
    }
    Ok(tables)
}

/// The values field 0 (the key, or the first key field) of model `mi` took in every
/// create of the case that could have stored them.
fn known_keys(case: &Case, mi: usize, m: &ModelSpec, state: &State) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::new();
    let mut add = |v: Value| {
        let ok = !v.is_null()
            && m.fields.first().is_some_and(|f| f.ty.check(&v, "").is_ok())
            && !out.iter().any(|x| x.same_as(&v));
        if ok {
            out.push(v);
        }
    };
    if m.is_auto(0) {
        for v in state.created.get(&mi).into_iter().flatten() {
            add(v.clone());
        }
        return out;
    }
    fn creates<'c>(ops: &'c [Op], mi: usize, out: &mut Vec<&'c Vec<Vec<Option<Lit>>>>) {
        for op in ops {
            match op {
                Op::Create { model, rows } if *model == mi => out.push(rows),
                Op::Batch(inner) => creates(inner, mi, out),
                _ => {}
            }
        }
    }
    let mut lists = Vec::new();
    creates(&case.ops, mi, &mut lists);
    for rows in lists {
        for row in rows {
            if let Some(Some(lit)) = row.first() {
                add(value(m, mi, 0, lit, state));
            }
        }
    }
    out
}

struct State {
    /// Auto key values created so far, per model, in creation order.
    created: HashMap<usize, Vec<Value>>,
}

impl State {
    /// How many creations each model has so far.
    fn mark(&self) -> HashMap<usize, usize> {
        self.created.iter().map(|(m, l)| (*m, l.len())).collect()
    }

    /// Forgets the creations made since `mark`.
    fn reset(&mut self, mark: &HashMap<usize, usize>) {
        for (m, list) in self.created.iter_mut() {
            list.truncate(mark.get(m).copied().unwrap_or(0));
        }
    }

    /// Records the auto keys of created records.
    fn register(&mut self, spec: &ModelSpec, model: usize, records: &[Vec<Value>]) {
        if matches!(spec.key, KeySpec::AutoInt | KeySpec::AutoUuid) {
            let list = self.created.entry(model).or_default();
            for r in records {
                if let Some(v) = r.first() {
                    list.push(v.clone());
                }
            }
        }
    }
}

fn err(e: toasty::Error) -> Outcome {
    Outcome::Error(e.kind(), e.to_string())
}

fn no_model() -> Outcome {
    Outcome::Error(ErrorKind::InvalidStatement, "no such model".into())
}

/// Runs one operation that is not transaction control.
async fn run_stmt(t: &mut dyn Target, case: &Case, op: &Op, ctx: &mut Ctx) -> Outcome {
    let state = &mut ctx.state;
    if let Op::Batch(ops) = op {
        let o = run_batch(t, case, ops, state).await;
        let tables = snapshot(t, case, ctx).await;
        return Outcome::Snapshot(Box::new(o), tables);
    }
    let Some(model) = op.model() else {
        return Outcome::Skipped;
    };
    let Some(spec) = case.models.get(model) else {
        return no_model();
    };
    let id = ModelId(model);
    match op {
        Op::Create { rows, .. } => {
            let rows = insert_rows(spec, model, rows, state);
            match t.insert(stmt::Insert { model: id, rows }).await {
                Ok(records) => {
                    state.register(spec, model, &records);
                    Outcome::Created(normalize_rows(spec, model, records, state))
                }
                Err(e) => err(e),
            }
        }
        Op::Get { key, limit, .. } => match t
            .query(get_query(spec, model, key, *limit, state))
            .await
        {
            Ok(rows) if rows.is_empty() => Outcome::Error(ErrorKind::NotFound, "no record".into()),
            Ok(rows) => Outcome::Rows {
                rows: normalize_rows(spec, model, rows, state),
                order: vec![],
            },
            Err(e) => err(e),
        },
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
            match t.query(q).await {
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
            match t.count(q).await {
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
            let mut page = match t.page(q.clone(), *per_page, None, false).await {
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
                let cursor = match t.cursor(&q, edge) {
                    Ok(c) => c,
                    Err(e) => return err(e),
                };
                page = match t.page(q.clone(), *per_page, Some(cursor), !forward).await {
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
            match t.update(update_stmt(spec, model, filter, set, state)).await {
                Ok(n) => Outcome::Count(n),
                Err(e) => err(e),
            }
        }
        Op::Delete { filter, .. } => {
            match t.delete(delete_stmt(spec, model, filter, state)).await {
                Ok(n) => Outcome::Count(n),
                Err(e) => err(e),
            }
        }
        _ => Outcome::Skipped,
    }
}

/// Runs the operations of a batch as one `exec_untyped_batch`.
async fn run_batch(t: &mut dyn Target, case: &Case, ops: &[Op], state: &mut State) -> Outcome {
    let mut stmts = Vec::with_capacity(ops.len());
    for op in ops {
        let Some(model) = op.model() else {
            return Outcome::Skipped;
        };
        let Some(spec) = case.models.get(model) else {
            return no_model();
        };
        let id = ModelId(model);
        stmts.push(match op {
            Op::Create { rows, .. } => UntypedStatement::Insert(stmt::Insert {
                model: id,
                rows: insert_rows(spec, model, rows, state),
            }),
            Op::Get { key, limit, .. } => {
                UntypedStatement::Query(get_query(spec, model, key, *limit, state))
            }
            Op::Query {
                filter,
                order,
                limit,
                offset,
                ..
            } => UntypedStatement::Query(stmt::Query {
                model: id,
                filter: Some(expr(spec, model, filter, state)),
                order_by: order_by(order),
                limit: *limit,
                offset: *offset,
                select: stmt::Select::Records,
            }),
            Op::Count { filter, .. } => {
                let mut q = stmt::Query::all(id);
                q.filter = Some(expr(spec, model, filter, state));
                UntypedStatement::Count(q)
            }
            Op::Update { filter, set, .. } => {
                UntypedStatement::Update(update_stmt(spec, model, filter, set, state))
            }
            Op::Delete { filter, .. } => {
                UntypedStatement::Delete(delete_stmt(spec, model, filter, state))
            }
            _ => return Outcome::Skipped,
        });
    }
    let outcomes = match t.batch(stmts).await {
        Ok(o) => o,
        Err(e) => return err(e),
    };
    if outcomes.len() != ops.len() {
        return Outcome::Error(
            ErrorKind::Driver,
            format!(
                "the batch returned {} outcomes for {} statements",
                outcomes.len(),
                ops.len()
            ),
        );
    }
    let mut out = Vec::with_capacity(ops.len());
    for (op, o) in ops.iter().zip(outcomes) {
        let model = op.model().unwrap_or(0);
        let Some(spec) = case.models.get(model) else {
            return no_model();
        };
        out.push(match (op, o) {
            (Op::Create { .. }, UntypedOutcome::Records(records)) => {
                state.register(spec, model, &records);
                Outcome::Created(normalize_rows(spec, model, records, state))
            }
            (Op::Query { order, .. }, UntypedOutcome::Records(rows)) => Outcome::Rows {
                rows: normalize_rows(spec, model, rows, state),
                order: order.clone(),
            },
            (Op::Get { .. }, UntypedOutcome::Records(rows)) => Outcome::Rows {
                rows: normalize_rows(spec, model, rows, state),
                order: vec![],
            },
            (
                Op::Count { .. } | Op::Update { .. } | Op::Delete { .. },
                UntypedOutcome::Count(n),
            ) => Outcome::Count(n),
            (_, other) => Outcome::Error(
                ErrorKind::Driver,
                format!("the batch returned {other:?} for {op:?}"),
            ),
        });
    }
    Outcome::Batch(out)
}

fn insert_rows(
    spec: &ModelSpec,
    model: usize,
    rows: &[Vec<Option<Lit>>],
    state: &State,
) -> Vec<Vec<Option<Value>>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .enumerate()
                .map(|(f, v)| v.as_ref().map(|v| value(spec, model, f, v, state)))
                .collect()
        })
        .collect()
}

fn get_query(
    spec: &ModelSpec,
    model: usize,
    key: &[Lit],
    limit: Option<u64>,
    state: &State,
) -> stmt::Query {
    let filter = Expr::And(
        spec.key_fields()
            .iter()
            .zip(key)
            .map(|(&f, v)| Expr::eq(Expr::Field(f), Expr::Value(value(spec, model, f, v, state))))
            .collect(),
    );
    let mut q = stmt::Query::all(ModelId(model));
    q.filter = Some(filter);
    q.limit = limit;
    q
}

fn update_stmt(
    spec: &ModelSpec,
    model: usize,
    filter: &Filter,
    set: &[(usize, Lit)],
    state: &State,
) -> stmt::Update {
    let mut selection = stmt::Query::all(ModelId(model));
    selection.filter = Some(expr(spec, model, filter, state));
    let assignments = set
        .iter()
        .map(|(f, v)| (*f, value(spec, model, *f, v, state)))
        .collect();
    stmt::Update {
        selection,
        assignments,
        returning: false,
    }
}

fn delete_stmt(spec: &ModelSpec, model: usize, filter: &Filter, state: &State) -> stmt::Delete {
    let mut selection = stmt::Query::all(ModelId(model));
    selection.filter = Some(expr(spec, model, filter, state));
    stmt::Delete { selection }
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

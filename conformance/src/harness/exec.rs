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
//!
//! Relations: a foreign-key field that refers to an `#[auto]` key is normalized like the
//! key ([`Lit::AutoOf`]); records created by a nested create are registered in the
//! order the engine inserts them (parents given inline, then the records, then their
//! children; one group per relation level, across all rows); records loaded with their
//! relations become [`Tree`]s. After a nested create and after a delete that cascades,
//! the outcome carries every table's contents. Every relation a query loaded is checked
//! against the per-record query it stands for (the target filtered by the foreign key):
//! a difference is a violation of the backend against itself ([`Run::violations`]).

use super::case::{
    now_at, ArithLit, Case, Filter, KeySpec, Lit, ModelSpec, NestedRow, Op, Order, RelKind,
};
use crate::Backend;
use async_trait::async_trait;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use toasty::{
    Db, ErrorKind, ModelSet, Transaction, UntypedCreate, UntypedOutcome, UntypedPage,
    UntypedRecord, UntypedStatement, Value,
};
use toasty_core::schema::app::{self, ModelId, RelationKind};
use toasty_core::stmt::{self, Expr, OrderBy};
use toasty_core::{Type, ValueSet};

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
    /// operation that ends a transaction, each batch, each nested create and each
    /// delete that cascades).
    Snapshot(Box<Outcome>, Tables),
    /// Records with their loaded relations, in the backend's order; `order` as for
    /// [`Outcome::Rows`].
    Loaded {
        /// Normalized records.
        rows: Vec<Tree>,
        /// The sort keys the order must follow.
        order: Vec<Order>,
    },
    /// The records a nested create returned, in insert order, with the records created
    /// with them (and eager relations) in their relations.
    CreatedTree(Vec<Tree>),
}

/// A normalized record with its loaded relations.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    /// The values, in field order.
    pub values: Vec<Lit>,
    /// Per relation position: the related records if loaded (trailing unloaded slots
    /// left out).
    pub relations: Vec<Option<Vec<Tree>>>,
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
    /// Where the backend disagreed with itself: `(operation, what)` for a loaded
    /// relation that differs from the query of the related records.
    pub violations: Vec<(usize, String)>,
    /// Relation checks run (loaded relations compared with their query).
    pub relation_checks: usize,
    /// Statements of this run whose plan came from the statement cache.
    pub cache_hits: u64,
}

/// Builds the app-schema models of a case.
pub fn models(case: &Case) -> ModelSet {
    let mut set = ModelSet::new();
    for (i, m) in case.models.iter().enumerate() {
        let relations = m
            .relations
            .iter()
            .enumerate()
            .map(|(r, rel)| relation_def(case, m, r, rel))
            .collect();
        set = set.add_definition_with_relations(model_def(i, m), relations);
    }
    set
}

fn relation_def(case: &Case, m: &ModelSpec, r: usize, rel: &super::case::RelSpec) -> app::Relation {
    let names = |fields: &[usize]| fields.iter().map(|f| format!("f{f}")).collect::<Vec<_>>();
    let mut via = Vec::new();
    let (kind, key, references, pair, optional) = match &rel.kind {
        RelKind::BelongsTo { key, target } => (
            RelationKind::BelongsTo,
            names(key),
            case.models
                .get(*target)
                .map(|t| names(&t.key_fields()))
                .unwrap_or_default(),
            None,
            key.iter()
                .any(|&f| m.fields.get(f).is_some_and(|x| x.nullable)),
        ),
        RelKind::HasMany { pair, .. } => (RelationKind::HasMany, vec![], vec![], *pair, false),
        RelKind::HasOne { pair, optional, .. } => {
            (RelationKind::HasOne, vec![], vec![], *pair, *optional)
        }
        RelKind::Via { path, .. } => {
            via = path.iter().map(|p| format!("r{p}")).collect();
            (RelationKind::HasMany, vec![], vec![], None, false)
        }
    };
    app::Relation {
        name: format!("r{r}"),
        kind,
        target: format!("M{}", rel.kind.target()),
        key,
        references,
        pair: pair.map(|p| format!("r{p}")),
        optional,
        eager: rel.eager,
        via,
    }
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
            column_type: spec.max_len.map(app::ColumnType::VarChar),
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
    async fn update_returning(&mut self, u: stmt::Update) -> toasty::Result<Vec<Vec<Value>>>;
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
    /// The error `s` gives before reaching the driver, if any (see `compile_untyped`).
    fn compile(&self, s: UntypedStatement) -> toasty::Result<()>;
    async fn create(
        &mut self,
        model: ModelId,
        rows: Vec<UntypedCreate>,
    ) -> toasty::Result<Vec<UntypedRecord>>;
    async fn including(
        &mut self,
        q: stmt::Query,
        include: Vec<Vec<usize>>,
    ) -> toasty::Result<Vec<UntypedRecord>>;
    async fn link(
        &mut self,
        model: ModelId,
        rel: usize,
        parent: Vec<(usize, Value)>,
        children: Vec<Vec<Value>>,
        insert: bool,
    ) -> toasty::Result<()>;
    async fn update_has_one(
        &mut self,
        u: stmt::Update,
        has_one: Vec<(usize, toasty::UntypedHasOne)>,
    ) -> toasty::Result<u64>;
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
            async fn update_returning(
                &mut self,
                u: stmt::Update,
            ) -> toasty::Result<Vec<Vec<Value>>> {
                self.exec_update_returning(u).await
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
            fn compile(&self, s: UntypedStatement) -> toasty::Result<()> {
                self.compile_untyped(s)
            }
            async fn create(
                &mut self,
                model: ModelId,
                rows: Vec<UntypedCreate>,
            ) -> toasty::Result<Vec<UntypedRecord>> {
                self.exec_create(model, rows).await
            }
            async fn including(
                &mut self,
                q: stmt::Query,
                include: Vec<Vec<usize>>,
            ) -> toasty::Result<Vec<UntypedRecord>> {
                self.exec_query_including(q, include).await
            }
            async fn link(
                &mut self,
                model: ModelId,
                rel: usize,
                parent: Vec<(usize, Value)>,
                children: Vec<Vec<Value>>,
                insert: bool,
            ) -> toasty::Result<()> {
                self.exec_link(model, rel, parent, children, insert).await
            }
            async fn update_has_one(
                &mut self,
                u: stmt::Update,
                has_one: Vec<(usize, toasty::UntypedHasOne)>,
            ) -> toasty::Result<u64> {
                self.exec_update_has_one(u, has_one).await
            }
        }
    };
}

target!(Db);
target!(Transaction<'_>);

/// Runs `case` on `backend`. `label` names the namespace (unique per case).
pub async fn run_case(backend: &dyn Backend, case: &Case, label: &str) -> Run {
    run_case_expecting(backend, case, label, false).await
}

/// [`run_case`]; with `as_key_value`, an operation that filters through a relation
/// ([`Op::has_relation_filter`]) is not run: its outcome is the `Unsupported` error a
/// key-value store gives. An SQL oracle compared with a key-value target runs this way,
/// so the target's refusal is compared (an answer instead of the error is a divergence)
/// and both stay in the same state.
pub async fn run_case_expecting(
    backend: &dyn Backend,
    case: &Case,
    label: &str,
    as_key_value: bool,
) -> Run {
    let mut runs = run_case_with(backend, case, label, as_key_value, CacheMode::Default).await;
    runs.swap_remove(0)
}

/// How a run uses the `Db`'s statement cache (plans kept per statement shape).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheMode {
    /// As built: empty at the start, filled as the case runs.
    Default,
    /// Turned off: every statement is compiled (the oracle's mode).
    Off,
    /// Two runs on one `Db`: the first starts with an empty cache (cold), then the
    /// schema is dropped and pushed again and the case runs once more with every plan
    /// of the first run cached (warm).
    ColdWarm,
}

/// Runs `case` once, or twice with [`CacheMode::ColdWarm`] (cold run first).
pub async fn run_case_with(
    backend: &dyn Backend,
    case: &Case,
    label: &str,
    as_key_value: bool,
    mode: CacheMode,
) -> Vec<Run> {
    let mut db = match backend.setup(models(case), label).await {
        Ok(db) => db,
        Err(e) => {
            return vec![Run {
                setup_error: Some((e.kind(), e.to_string())),
                outcomes: Vec::new(),
                final_state: None,
                key_value: false,
                violations: Vec::new(),
                relation_checks: 0,
                cache_hits: 0,
            }]
        }
    };
    if mode == CacheMode::Off {
        db.__statement_cache().set_capacity(0);
    }
    let hits = |db: &Db| db.statement_cache_stats().hits;
    let before = hits(&db);
    let mut runs = vec![run_ops(&mut db, case, as_key_value).await];
    runs[0].cache_hits = hits(&db) - before;
    if mode == CacheMode::ColdWarm {
        let before = hits(&db);
        let reset = match db.drop_schema().await {
            Ok(()) => db.push_schema().await,
            Err(e) => Err(e),
        };
        runs.push(match reset {
            Ok(()) => {
                let mut warm = run_ops(&mut db, case, as_key_value).await;
                warm.cache_hits = hits(&db) - before;
                warm
            }
            Err(e) => Run {
                setup_error: Some((e.kind(), format!("resetting for the warm run: {e}"))),
                outcomes: Vec::new(),
                final_state: None,
                key_value: false,
                violations: Vec::new(),
                relation_checks: 0,
                cache_hits: 0,
            },
        });
    }
    // Servers are shared by many cases: leave nothing behind (memdb does not care).
    let _ = db.drop_schema().await;
    runs
}

/// Runs the operations of `case` on a `Db` whose schema was just pushed.
async fn run_ops(db: &mut Db, case: &Case, as_key_value: bool) -> Run {
    let key_value = !db.capability().is_sql();
    let mut ctx = Ctx {
        state: State::new(case),
        outcomes: Vec::with_capacity(case.ops.len()),
        key_value,
        violations: Vec::new(),
        relation_checks: 0,
        as_key_value,
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
                        let tables = snapshot(db, case, &ctx).await;
                        ctx.attach(at, tables);
                    }
                }
            }
            op if op.is_control() => ctx.outcomes.push(Outcome::Skipped),
            op => {
                let o = run_stmt(db, case, op, &mut ctx).await;
                ctx.outcomes.push(o);
            }
        }
    }
    let final_state = snapshot(db, case, &ctx).await.ok();
    Run {
        setup_error: None,
        outcomes: ctx.outcomes,
        final_state,
        key_value,
        violations: ctx.violations,
        relation_checks: ctx.relation_checks,
        cache_hits: 0,
    }
}

/// With the SQL oracle standing in for a key-value store: the outcome of a batch that
/// creates a record past the key-value item size limit ([`super::kv_size`]), which the
/// store refuses with `ValueOutOfRange` (nothing of the batch written) unless a
/// statement up to that create fails to compile first. `None` when no create of the
/// batch is that large.
fn oversized_batch(t: &dyn Target, case: &Case, ops: &[Op], state: &State) -> Option<Outcome> {
    let oversized = |op: &Op| match op {
        Op::Create { model, rows } => case.models.get(*model).and_then(|spec| {
            super::kv_size::over_limit(spec, &insert_rows(spec, *model, rows, state))
        }),
        _ => None,
    };
    let at = ops.iter().position(|op| oversized(op).is_some())?;
    let size = oversized(&ops[at])?;
    let stmts = match batch_stmts(case, ops, state) {
        Ok(stmts) => stmts,
        Err(o) => return Some(o),
    };
    let compile_error = stmts
        .into_iter()
        .take(at + 1)
        .find_map(|s| t.compile(s).err().map(err));
    Some(compile_error.unwrap_or_else(|| {
        Outcome::Error(
            ErrorKind::ValueOutOfRange,
            format!("expected: a key-value store refuses a {size}-byte item"),
        )
    }))
}

/// What the executor keeps while running a case.
struct Ctx {
    state: State,
    outcomes: Vec<Outcome>,
    key_value: bool,
    violations: Vec<(usize, String)>,
    relation_checks: usize,
    /// Refuse filters through relations as a key-value store does (see
    /// [`run_case_expecting`]).
    as_key_value: bool,
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
    // Hashed: a case may create thousands of records.
    let mut out = ValueSet::new();
    let mut add = |v: Value| {
        let ok = !v.is_null() && m.fields.first().is_some_and(|f| f.ty.check(&v, "").is_ok());
        if ok {
            out.insert(v);
        }
    };
    if m.is_auto(0) {
        for v in state.created.get(&mi).into_iter().flatten() {
            add(v.clone());
        }
        return out.into_vec();
    }
    // Keys of records created nested (a key may be a foreign key the relation filled).
    for v in state.seen.get(&mi).into_iter().flatten() {
        add(v.clone());
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
    out.into_vec()
}

struct State {
    /// Auto key values created so far, per model, in creation order.
    created: HashMap<usize, ValueSet>,
    /// Field 0 of every record a create returned, per model (key-value snapshots fetch
    /// records by it).
    seen: HashMap<usize, ValueSet>,
    /// Per model and field: the model whose `#[auto]` key the field refers to as a
    /// foreign key (normalized like that key).
    fk_auto: Vec<Vec<Option<usize>>>,
    /// The case's models (filters through relations need their targets' fields).
    models: Vec<ModelSpec>,
}

impl State {
    /// No records created, no foreign keys.
    fn empty(models: &[ModelSpec]) -> State {
        State {
            created: HashMap::new(),
            seen: HashMap::new(),
            fk_auto: Vec::new(),
            models: models.to_vec(),
        }
    }

    fn new(case: &Case) -> State {
        State {
            created: HashMap::new(),
            seen: HashMap::new(),
            fk_auto: super::case::auto_refs(&case.models),
            models: case.models.clone(),
        }
    }

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
        let seen = self.seen.entry(model).or_default();
        for r in records {
            if let Some(v) = r.first() {
                seen.insert(v.clone());
            }
        }
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

/// Runs one operation that is not transaction control. A nested create and a delete
/// that cascades also report every table's contents right after them.
async fn run_stmt(t: &mut dyn Target, case: &Case, op: &Op, ctx: &mut Ctx) -> Outcome {
    // One outcome per operation so far: this operation's position. `now()` takes the
    // same instant on every backend (the runtime is single-threaded, so the statement
    // is prepared on this thread).
    let _now = toasty::testing::freeze_now(now_at(ctx.outcomes.len()));
    let o = run_op(t, case, op, ctx).await;
    let cascades = matches!(op, Op::Delete { model, .. }
        if case.models.get(*model).is_some_and(ModelSpec::has_children));
    if cascades
        || matches!(
            op,
            Op::CreateNested { .. } | Op::Link { .. } | Op::UpdateHasOne { .. }
        )
    {
        let tables = snapshot(t, case, ctx).await;
        return Outcome::Snapshot(Box::new(o), tables);
    }
    o
}

async fn run_op(t: &mut dyn Target, case: &Case, op: &Op, ctx: &mut Ctx) -> Outcome {
    let runnable_batch = match op {
        Op::Batch(ops) => ops.iter().all(|o| o.model().is_some()),
        _ => true,
    };
    if ctx.as_key_value && runnable_batch && op.has_relation_filter() {
        let refused = Outcome::Error(
            ErrorKind::Unsupported,
            "expected: key-value stores refuse filters through relations".into(),
        );
        if let Op::Batch(ops) = op {
            // A batch compiles its statements in order before running any: a statement
            // before the first relation filter that fails to compile gives its error.
            let expected = match batch_stmts(case, ops, &ctx.state) {
                Ok(stmts) => ops
                    .iter()
                    .zip(stmts)
                    .find_map(|(op, s)| {
                        if op.has_relation_filter() {
                            Some(refused.clone())
                        } else {
                            t.compile(s).err().map(err)
                        }
                    })
                    .unwrap_or(refused),
                Err(o) => o,
            };
            let tables = snapshot(t, case, ctx).await;
            return Outcome::Snapshot(Box::new(expected), tables);
        }
        return refused;
    }
    if ctx.as_key_value && runnable_batch {
        if let Op::Batch(ops) = op {
            if let Some(expected) = oversized_batch(t, case, ops, &ctx.state) {
                let tables = snapshot(t, case, ctx).await;
                return Outcome::Snapshot(Box::new(expected), tables);
            }
        }
    }
    match op {
        Op::CreateNested { model, rows } => {
            return run_nested_create(t, case, *model, rows, &mut ctx.state).await
        }
        Op::UpdateHasOne {
            model,
            key,
            set,
            relation,
            to,
        } => {
            return run_update_has_one(t, case, *model, key, set, *relation, to, &mut ctx.state)
                .await
        }
        Op::QueryIncluding {
            model,
            filter,
            order,
            limit,
            include,
        } => return run_including(t, case, *model, filter, order, *limit, include, ctx).await,
        Op::Link {
            model,
            rel,
            parent,
            children,
            insert,
        } => return run_link(t, case, *model, *rel, parent, children, *insert, &ctx.state).await,
        _ => {}
    }
    let as_key_value = ctx.as_key_value;
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
            if as_key_value {
                if let Some(size) = super::kv_size::over_limit(spec, &rows) {
                    let insert = stmt::Insert { model: id, rows };
                    return match t.compile(UntypedStatement::Insert(insert)) {
                        Err(e) => err(e),
                        Ok(()) => Outcome::Error(
                            ErrorKind::ValueOutOfRange,
                            format!("expected: a key-value store refuses a {size}-byte item"),
                        ),
                    };
                }
            }
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
            select,
            ..
        } => {
            let q = stmt::Query {
                model: id,
                filter: Some(expr(spec, model, filter, state)),
                order_by: order_by(order),
                limit: *limit,
                offset: *offset,
                select: projection(select),
            };
            match t.query(q).await {
                Ok(rows) => query_rows(spec, model, rows, order, select.as_deref(), state),
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
        Op::Update {
            filter,
            set,
            arith,
            returning: true,
            ..
        } => {
            let u = update_stmt(spec, model, filter, set, arith, state);
            match t.update_returning(u).await {
                Ok(rows) => Outcome::Rows {
                    rows: normalize_rows(spec, model, rows, state),
                    order: vec![],
                },
                Err(e) => err(e),
            }
        }
        Op::Update {
            filter, set, arith, ..
        } => match t
            .update(update_stmt(spec, model, filter, set, arith, state))
            .await
        {
            Ok(n) => Outcome::Count(n),
            Err(e) => err(e),
        },
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
/// The statements of a batch, or the outcome that stops it before it runs.
fn batch_stmts(case: &Case, ops: &[Op], state: &State) -> Result<Vec<UntypedStatement>, Outcome> {
    let mut stmts = Vec::with_capacity(ops.len());
    for op in ops {
        let Some(model) = op.model() else {
            return Err(Outcome::Skipped);
        };
        let Some(spec) = case.models.get(model) else {
            return Err(no_model());
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
                select,
                ..
            } => UntypedStatement::Query(stmt::Query {
                model: id,
                filter: Some(expr(spec, model, filter, state)),
                order_by: order_by(order),
                limit: *limit,
                offset: *offset,
                select: projection(select),
            }),
            Op::Count { filter, .. } => {
                let mut q = stmt::Query::all(id);
                q.filter = Some(expr(spec, model, filter, state));
                UntypedStatement::Count(q)
            }
            Op::Update {
                filter, set, arith, ..
            } => UntypedStatement::Update(update_stmt(spec, model, filter, set, arith, state)),
            Op::Delete { filter, .. } => {
                UntypedStatement::Delete(delete_stmt(spec, model, filter, state))
            }
            _ => return Err(Outcome::Skipped),
        });
    }
    Ok(stmts)
}

async fn run_batch(t: &mut dyn Target, case: &Case, ops: &[Op], state: &mut State) -> Outcome {
    let stmts = match batch_stmts(case, ops, state) {
        Ok(stmts) => stmts,
        Err(o) => return o,
    };
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
            (Op::Query { order, select, .. }, UntypedOutcome::Records(rows)) => {
                query_rows(spec, model, rows, order, select.as_deref(), state)
            }
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

/// Runs a link or an unlink (`exec_link`): the parent's key and the children's keys
/// as values of their models' key fields.
#[allow(clippy::too_many_arguments)]
async fn run_link(
    t: &mut dyn Target,
    case: &Case,
    model: usize,
    rel: usize,
    parent: &[Lit],
    children: &[Vec<Lit>],
    insert: bool,
    state: &State,
) -> Outcome {
    let Some(spec) = case.models.get(model) else {
        return no_model();
    };
    let target = spec.relations.get(rel).map_or(model, |r| r.kind.target());
    let Some(child) = case.models.get(target) else {
        return no_model();
    };
    let parent = spec
        .key_fields()
        .into_iter()
        .zip(parent)
        .map(|(f, l)| (f, value(spec, model, f, l, state)))
        .collect();
    let children = children
        .iter()
        .map(|key| {
            child
                .key_fields()
                .into_iter()
                .zip(key)
                .map(|(f, l)| value(child, target, f, l, state))
                .collect()
        })
        .collect();
    match t.link(ModelId(model), rel, parent, children, insert).await {
        Ok(()) => Outcome::Done,
        Err(e) => err(e),
    }
}

/// The most loaded relations checked against their query per operation.
const MAX_RELATION_CHECKS: usize = 12;

/// Runs a nested create (`exec_create`) and registers the records it created.
async fn run_nested_create(
    t: &mut dyn Target,
    case: &Case,
    model: usize,
    rows: &[NestedRow],
    state: &mut State,
) -> Outcome {
    if case.models.get(model).is_none() {
        return no_model();
    }
    let creates = rows
        .iter()
        .map(|r| untyped_create(case, model, r, state))
        .collect();
    match t.create(ModelId(model), creates).await {
        Ok(records) => {
            if records.len() != rows.len() {
                return Outcome::Error(
                    ErrorKind::Driver,
                    format!(
                        "the create returned {} records for {} rows",
                        records.len(),
                        rows.len()
                    ),
                );
            }
            let items: Vec<(&NestedRow, &UntypedRecord)> = rows.iter().zip(&records).collect();
            register_group(case, model, &items, state);
            Outcome::CreatedTree(
                records
                    .into_iter()
                    .map(|r| tree(case, model, r, state))
                    .collect(),
            )
        }
        Err(e) => err(e),
    }
}

/// Runs [`Op::UpdateHasOne`]. A new record's key (field 0) is remembered like a
/// created record's, so key-value snapshots fetch it.
#[allow(clippy::too_many_arguments)]
async fn run_update_has_one(
    t: &mut dyn Target,
    case: &Case,
    model: usize,
    key: &[Lit],
    set: &[(usize, Lit)],
    relation: usize,
    to: &super::case::HasOneTo,
    state: &mut State,
) -> Outcome {
    use super::case::HasOneTo;
    let Some(spec) = case.models.get(model) else {
        return no_model();
    };
    let target = spec
        .relations
        .get(relation)
        .map_or(model, |r| r.kind.target());
    let Some(tspec) = case.models.get(target) else {
        return no_model();
    };
    let selection = get_query(spec, model, key, None, state);
    let assignments = set
        .iter()
        .map(|(f, v)| (*f, value(spec, model, *f, v, state)))
        .collect();
    let update = stmt::Update {
        selection,
        assignments,
        arithmetic: Vec::new(),
        returning: false,
    };
    let mut new_key = None;
    let value_to = match to {
        HasOneTo::Create(row) => {
            let c = untyped_create(case, target, row, state);
            new_key = c.values.first().cloned().flatten();
            toasty::UntypedHasOne::Create(c)
        }
        HasOneTo::Link(k) => toasty::UntypedHasOne::Link(
            tspec
                .key_fields()
                .iter()
                .zip(k)
                .map(|(&f, v)| (f, value(tspec, target, f, v, state)))
                .collect(),
        ),
        HasOneTo::Unset => toasty::UntypedHasOne::Unset,
    };
    match t.update_has_one(update, vec![(relation, value_to)]).await {
        Ok(n) => {
            if let Some(v) = new_key.filter(|_| n > 0) {
                state.seen.entry(target).or_default().push(v);
            }
            Outcome::Count(n)
        }
        Err(e) => err(e),
    }
}

fn untyped_create(case: &Case, model: usize, row: &NestedRow, state: &State) -> UntypedCreate {
    let Some(spec) = case.models.get(model) else {
        return UntypedCreate {
            values: Vec::new(),
            nested: Vec::new(),
        };
    };
    UntypedCreate {
        values: row
            .values
            .iter()
            .enumerate()
            .map(|(f, v)| v.as_ref().map(|v| value(spec, model, f, v, state)))
            .collect(),
        nested: row
            .nested
            .iter()
            .map(|(r, n)| {
                let target = spec
                    .relations
                    .get(*r)
                    .map_or(model, |rel| rel.kind.target());
                (*r, untyped_create(case, target, n, state))
            })
            .collect(),
    }
}

/// The records of one group with the records created with them, per relation.
type Group<'a> = Vec<(&'a NestedRow, &'a UntypedRecord)>;

/// The groups nested in `items` through the `#[belongs_to]` relations of `spec`
/// (`parents`) or through its `#[has_many]` / `#[has_one]` ones, in relation order: the
/// records created with each row, found in the row's relation slot.
fn nested_groups<'a>(
    spec: &ModelSpec,
    items: &[(&'a NestedRow, &'a UntypedRecord)],
    parents: bool,
) -> Vec<(usize, Group<'a>)> {
    let mut out = Vec::new();
    for (r, rel) in spec.relations.iter().enumerate() {
        if rel.kind.is_belongs_to() != parents {
            continue;
        }
        let mut group = Vec::new();
        for (node, rec) in items {
            let created = node.nested.iter().filter(|(x, _)| *x == r).map(|(_, n)| n);
            if let Some(Some(slot)) = rec.relations.get(r) {
                group.extend(created.zip(slot.iter()));
            }
        }
        if !group.is_empty() {
            out.push((rel.kind.target(), group));
        }
    }
    out
}

/// Registers the records of a nested create in the order the engine inserts them:
/// parents given inline (one group per relation, across all rows), the records, then
/// their children, each group in turn with its own.
fn register_group(
    case: &Case,
    model: usize,
    items: &[(&NestedRow, &UntypedRecord)],
    state: &mut State,
) {
    let Some(spec) = case.models.get(model) else {
        return;
    };
    for (target, group) in nested_groups(spec, items, true) {
        register_group(case, target, &group, state);
    }
    let values: Vec<Vec<Value>> = items.iter().map(|(_, r)| r.values.clone()).collect();
    state.register(spec, model, &values);
    for (target, group) in nested_groups(spec, items, false) {
        register_group(case, target, &group, state);
    }
}

/// A record with its loaded relations, normalized.
fn tree(case: &Case, model: usize, rec: UntypedRecord, state: &State) -> Tree {
    let values = match case.models.get(model) {
        Some(spec) => normalize_rows(spec, model, vec![rec.values], state)
            .pop()
            .unwrap_or_default(),
        None => rec.values.into_iter().map(lit).collect(),
    };
    let mut relations: Vec<Option<Vec<Tree>>> = rec
        .relations
        .into_iter()
        .enumerate()
        .map(|(r, slot)| {
            let target = case
                .models
                .get(model)
                .and_then(|m| m.relations.get(r))
                .map_or(model, |rel| rel.kind.target());
            slot.map(|list| {
                list.into_iter()
                    .map(|c| tree(case, target, c, state))
                    .collect()
            })
        })
        .collect();
    while relations.last().is_some_and(Option::is_none) {
        relations.pop();
    }
    Tree { values, relations }
}

/// Runs a query that loads relations, then checks up to [`MAX_RELATION_CHECKS`] of
/// the loaded relations against the query of the related records.
#[allow(clippy::too_many_arguments)]
async fn run_including(
    t: &mut dyn Target,
    case: &Case,
    model: usize,
    filter: &Filter,
    order: &[Order],
    limit: Option<u64>,
    include: &[Vec<usize>],
    ctx: &mut Ctx,
) -> Outcome {
    let Some(spec) = case.models.get(model) else {
        return no_model();
    };
    let q = stmt::Query {
        model: ModelId(model),
        filter: Some(expr(spec, model, filter, &ctx.state)),
        order_by: order_by(order),
        limit,
        offset: None,
        select: stmt::Select::Records,
    };
    let records = match t.including(q, include.to_vec()).await {
        Ok(r) => r,
        Err(e) => return err(e),
    };
    let at = ctx.outcomes.len();
    let mut budget = MAX_RELATION_CHECKS;
    let mut stack: Vec<(usize, &UntypedRecord)> = records.iter().map(|r| (model, r)).collect();
    while let Some((m, rec)) = stack.pop() {
        for (r, slot) in rec.relations.iter().enumerate() {
            let Some(list) = slot else { continue };
            let Some(target) = case
                .models
                .get(m)
                .and_then(|s| s.relations.get(r))
                .map(|rel| rel.kind.target())
            else {
                continue;
            };
            stack.extend(list.iter().map(|c| (target, c)));
            if budget == 0 {
                continue;
            }
            budget -= 1;
            match check_relation(t, case, m, r, rec, list).await {
                Ok(true) => ctx.relation_checks += 1,
                Ok(false) => {}
                Err(message) => {
                    ctx.relation_checks += 1;
                    ctx.violations.push((at, message));
                }
            }
        }
    }
    Outcome::Loaded {
        rows: records
            .into_iter()
            .map(|r| tree(case, model, r, &ctx.state))
            .collect(),
        order: order.to_vec(),
    }
}

/// Checks that relation `r` of record `rec` (of model `m`) loaded `list`: the records of
/// the target whose fields equal the record's (the foreign key and the key it refers
/// to), none if a foreign-key value is NULL. `Ok(false)`: nothing to check.
async fn check_relation(
    t: &mut dyn Target,
    case: &Case,
    m: usize,
    r: usize,
    rec: &UntypedRecord,
    list: &[UntypedRecord],
) -> Result<bool, String> {
    let Some((child, parent, fk)) = case.foreign_key(m, r) else {
        return Ok(false);
    };
    let belongs = case.models[m].relations[r].kind.is_belongs_to();
    // (source field, target field) pairs.
    let (target, pairs): (usize, Vec<(usize, usize)>) = if belongs {
        (parent, fk)
    } else {
        (child, fk.into_iter().map(|(c, p)| (p, c)).collect())
    };
    let loaded: Vec<Vec<Lit>> = list
        .iter()
        .map(|x| x.values.iter().cloned().map(lit).collect())
        .collect();
    let mut conditions = Vec::with_capacity(pairs.len());
    for (source, target_field) in pairs {
        let v = rec.values.get(source).cloned().unwrap_or(Value::Null);
        if v.is_null() {
            return if loaded.is_empty() {
                Ok(true)
            } else {
                Err(format!(
                    "relation r{r} of a M{m} record {:?} with a NULL foreign key loaded {loaded:?}",
                    rec.values
                ))
            };
        }
        conditions.push(Expr::eq(Expr::Field(target_field), Expr::Value(v)));
    }
    let mut q = stmt::Query::all(ModelId(target));
    q.filter = Some(Expr::And(conditions));
    let found: Vec<Vec<Lit>> = match t.query(q).await {
        Ok(rows) => rows
            .into_iter()
            .map(|r| r.into_iter().map(lit).collect())
            .collect(),
        Err(e) if e.kind() == ErrorKind::Unsupported => return Ok(false),
        Err(e) => {
            return Err(format!(
                "relation r{r} of a M{m} record {:?} loaded {loaded:?}, but querying the \
                 related records failed: {e}",
                rec.values
            ))
        }
    };
    if super::compare::same_multiset(&found, &loaded) {
        Ok(true)
    } else {
        Err(format!(
            "relation r{r} of a M{m} record {:?} loaded {loaded:?}, but the query of its \
             related M{target} records returns {found:?}",
            rec.values
        ))
    }
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
    arith: &[(usize, ArithLit)],
    state: &State,
) -> stmt::Update {
    let mut selection = stmt::Query::all(ModelId(model));
    selection.filter = Some(expr(spec, model, filter, state));
    let assignments = set
        .iter()
        .map(|(f, v)| (*f, value(spec, model, *f, v, state)))
        .collect();
    let arithmetic = arith
        .iter()
        .map(|(f, a)| {
            let amount = value(spec, model, *f, &a.amount, state);
            let change = if a.sub {
                stmt::Arith::subtract(amount)
            } else {
                stmt::Arith::add(amount)
            };
            (*f, change)
        })
        .collect();
    stmt::Update {
        selection,
        assignments,
        arithmetic,
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
    let state = State::empty(&[]);
    let spec = ModelSpec {
        fields: vec![],
        key: KeySpec::Single,
        indices: vec![],
        relations: vec![],
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
        // The engine binds the frozen instant of the operation (see `run_stmt`).
        Lit::Now => toasty::now().value(),
        Lit::Auto(n) => auto_value(spec, model, f, *n, state),
        Lit::AutoOf { model, n } => auto_value(spec, *model, f, *n, state),
    }
}

/// The auto key of the `n`-th record created in `model`, for field `f` of `spec`.
fn auto_value(spec: &ModelSpec, model: usize, f: usize, n: usize, state: &State) -> Value {
    match state.created.get(&model).and_then(|l| l.get(n)) {
        Some(v) => v.clone(),
        // A reference past the records created: a value no record has.
        None => match spec.fields.get(f).map(|s| s.ty) {
            Some(Type::Uuid) => Value::Uuid(uuid::Uuid::from_u128(1_000_000 + n as u128)),
            _ => Value::I64(1_000_000_000 + n as i64),
        },
    }
}

/// Converts a filter of model `model` (of `models`) to a model-level expression, with
/// `#[auto]` references resolved against no created records (so they match nothing).
pub fn filter_to_expr(models: &[ModelSpec], model: usize, filter: &Filter) -> Expr {
    let state = State::empty(models);
    match models.get(model) {
        Some(spec) => expr(spec, model, filter, &state),
        None => Expr::true_(),
    }
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
        Filter::Any(r, inner) => Expr::Related {
            relation: *r,
            filter: Box::new(related_expr(spec, *r, inner, state)),
        },
        Filter::All(r, inner) => {
            // What `.all(f)` sends: no related record for which `f` is not true.
            let f = related_expr(spec, *r, inner, state);
            let not_true = Expr::Or(vec![f.clone().not(), Expr::IsNull(Box::new(f))]);
            Expr::Related {
                relation: *r,
                filter: Box::new(not_true),
            }
            .not()
        }
    }
}

/// The inner filter of [`Filter::Any`] / [`Filter::All`] over relation `r` of `spec`, as
/// an expression over the relation's target (a relation the schema lacks gets `true`,
/// which the engine then refuses by position).
fn related_expr(spec: &ModelSpec, r: usize, inner: &Filter, state: &State) -> Expr {
    let target = spec.relations.get(r).map(|rel| rel.kind.target());
    match target.and_then(|t| state.models.get(t).map(|m| (t, m))) {
        Some((t, target_spec)) => expr(target_spec, t, inner, state),
        None => Expr::true_(),
    }
}

/// The model-level projection of a generated query.
fn projection(select: &Option<Vec<usize>>) -> stmt::Select {
    match select {
        Some(fields) => stmt::Select::Fields(fields.clone()),
        None => stmt::Select::Records,
    }
}

/// A query's rows as an outcome: whole records, or with a projection the projected
/// values (each normalized as its field), whose order is checked by the sort keys the
/// projection holds (all of them, or the result compares as a multiset).
fn query_rows(
    spec: &ModelSpec,
    model: usize,
    rows: Vec<Vec<Value>>,
    order: &[Order],
    select: Option<&[usize]>,
    state: &State,
) -> Outcome {
    let Some(fields) = select else {
        return Outcome::Rows {
            rows: normalize_rows(spec, model, rows, state),
            order: order.to_vec(),
        };
    };
    let projected: Option<Vec<Order>> = order
        .iter()
        .map(|o| {
            fields.iter().position(|&f| f == o.field).map(|p| Order {
                field: p,
                desc: o.desc,
            })
        })
        .collect();
    Outcome::Rows {
        rows: normalize_fields(spec, model, rows, fields, state),
        order: projected.unwrap_or_default(),
    }
}

fn normalize_rows(
    spec: &ModelSpec,
    model: usize,
    rows: Vec<Vec<Value>>,
    state: &State,
) -> Vec<Vec<Lit>> {
    let all: Vec<usize> = (0..spec.fields.len()).collect();
    normalize_fields(spec, model, rows, &all, state)
}

/// Normalizes rows whose `i`-th value is field `fields[i]` of `model`.
fn normalize_fields(
    spec: &ModelSpec,
    model: usize,
    rows: Vec<Vec<Value>>,
    fields: &[usize],
    state: &State,
) -> Vec<Vec<Lit>> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .enumerate()
                .map(|(i, v)| {
                    let f = fields.get(i).copied().unwrap_or(i);
                    if spec.is_auto(f) {
                        if let Some(pos) = state.created.get(&model).and_then(|l| l.position(&v)) {
                            return Lit::Auto(pos);
                        }
                    }
                    if let Some(&Some(parent)) = state.fk_auto.get(model).and_then(|m| m.get(f)) {
                        if let Some(n) = state.created.get(&parent).and_then(|l| l.position(&v)) {
                            return Lit::AutoOf { model: parent, n };
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

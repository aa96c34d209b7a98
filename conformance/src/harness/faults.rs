//! Fault injection: a driver that fails the k-th operation it receives, and the check
//! that no statement, transaction or batch leaves a partial write behind.
//!
//! [`FaultInjector`] wraps memdb (either persona) and counts every operation it is
//! handed, transaction control (`BEGIN`, `COMMIT`, savepoints, `ROLLBACK`) included.
//! Armed with an index `k`, it fails operation `k` once, with a `Connection` or a
//! `Driver` error, either [`Timing::Before`] the operation reaches memdb (it never
//! happens) or [`Timing::After`] (it happened and its answer was lost, the ambiguous
//! case: for a `COMMIT` the work is committed although the caller sees an error). After
//! a connection fault the connection stays broken: everything later on it fails with a
//! connection error, as on a real network, so an engine that kept using it would show.
//!
//! [`run_faults`] runs each [`Scenario`] once without a fault to learn its operations
//! and the state it leaves, then once per operation index, error kind and timing, each
//! on a fresh database, and checks after every injected fault that every table equals
//! either the state before the scenario or the state after a fault-free run (and the
//! state after only if the fault could not have prevented it), and that a scenario that
//! reported success left the state after.
//!
//! The sql persona's capability is lowered to two rows per insert
//! (`max_insert_rows: Some(2)`), so a create of a few rows is already a multi-operation
//! statement; [`Scenario::CreateWide`] reaches the split by the bind-parameter limit
//! instead (3,100 rows of 10 columns).

use super::case::{Case, FieldSpec, IndexSpec, KeySpec, Lit, ModelSpec};
use super::compare::same_multiset;
use super::exec::{lit, models};
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use toasty::{Db, Error, ErrorKind, Result, UntypedStatement, Value};
use toasty_core::driver::{Capability, Connection, Driver, Operation, Response};
use toasty_core::schema::app::ModelId;
use toasty_core::schema::db;
use toasty_core::stmt::{self, BinaryOp, Expr};
use toasty_core::Type;
use toasty_memdb::MemDb;

/// The error an injected fault raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// The connection failed (`ErrorKind::Connection`); it stays broken.
    Connection,
    /// The database reported an error (`ErrorKind::Driver`); the connection stays usable.
    Driver,
}

/// When the fault strikes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Before memdb sees the operation: it does not happen.
    Before,
    /// After memdb ran the operation: it happened, but its answer is lost.
    After,
}

#[derive(Debug, Default)]
struct Plan {
    /// Operations received since the last arming.
    seen: usize,
    fail_at: Option<usize>,
    fault: Option<(FaultKind, Timing)>,
    fired: bool,
    /// The names of the operations received (for reports).
    log: Vec<&'static str>,
}

/// memdb with a fault injected at the k-th operation (see the module docs).
#[derive(Debug, Clone)]
pub struct FaultInjector {
    inner: MemDb,
    capability: Capability,
    plan: Arc<Mutex<Plan>>,
}

impl FaultInjector {
    /// Wraps `inner`; `max_insert_rows` overrides its capability's limit (the engine
    /// then splits larger creates into several inserts).
    pub fn new(inner: MemDb, max_insert_rows: Option<usize>) -> Self {
        let mut capability = inner.capability().clone();
        if max_insert_rows.is_some() {
            capability.max_insert_rows = max_insert_rows;
        }
        FaultInjector {
            inner,
            capability,
            plan: Arc::new(Mutex::new(Plan::default())),
        }
    }

    /// Claims no interactive transactions: the engine then cannot wrap a
    /// multi-operation statement, which makes it non-atomic (a negative control: the
    /// check must find partial writes).
    pub fn without_transactions(mut self) -> Self {
        self.capability.interactive_transactions = false;
        self
    }

    fn plan(&self) -> std::sync::MutexGuard<'_, Plan> {
        self.plan.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Restarts the count; operation `fail_at` (counted from 0) will fail with `fault`.
    pub fn arm(&self, fail_at: Option<usize>, kind: FaultKind, timing: Timing) {
        *self.plan() = Plan {
            fail_at,
            fault: Some((kind, timing)),
            ..Plan::default()
        };
    }

    /// Operations received since the last arming.
    pub fn seen(&self) -> usize {
        self.plan().seen
    }

    /// `true` once the armed fault struck.
    pub fn fired(&self) -> bool {
        self.plan().fired
    }

    /// The names of the operations received since the last arming.
    pub fn log(&self) -> Vec<&'static str> {
        self.plan().log.clone()
    }
}

#[async_trait]
impl Driver for FaultInjector {
    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(FaultConnection {
            inner: self.inner.connect().await?,
            plan: self.plan.clone(),
            broken: false,
        }))
    }

    fn max_connections(&self) -> usize {
        self.inner.max_connections()
    }
}

struct FaultConnection {
    inner: Box<dyn Connection>,
    plan: Arc<Mutex<Plan>>,
    broken: bool,
}

fn fault_error(kind: FaultKind, op: &str) -> Error {
    match kind {
        FaultKind::Connection => Error::connection(format!("injected connection fault on {op}")),
        FaultKind::Driver => Error::driver(format!("injected driver fault on {op}")),
    }
}

#[async_trait]
impl Connection for FaultConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let op = op.uncached()?;
        if self.broken {
            return Err(Error::connection(
                "this connection failed earlier (injected fault) and cannot be used",
            ));
        }
        let name = op.name();
        let fault = {
            let mut plan = self.plan.lock().unwrap_or_else(|e| e.into_inner());
            let k = plan.seen;
            plan.seen += 1;
            plan.log.push(name);
            if plan.fail_at == Some(k) {
                plan.fired = true;
                plan.fault
            } else {
                None
            }
        };
        let Some((kind, timing)) = fault else {
            return self.inner.exec(schema, op).await;
        };
        if timing == Timing::After {
            let _ = self.inner.exec(schema, op).await;
        }
        if kind == FaultKind::Connection {
            self.broken = true;
        }
        Err(fault_error(kind, name))
    }

    async fn is_valid(&mut self) -> bool {
        !self.broken && self.inner.is_valid().await
    }
}

/// One multi-operation unit of work whose atomicity is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// One create of `n` accounts, split into inserts of 2 rows.
    CreateMany(usize),
    /// The same with a last row that duplicates a seed account: fails at the last insert.
    CreateManyFailing(usize),
    /// One create of 3,100 rows of a 10-column model: split by the bind-parameter limit.
    CreateWide,
    /// Begin; create `n` accounts; update them; a nested transaction (entries) rolled
    /// back; a nested one (delete, entries) released; create entries; commit, or roll
    /// back if any step failed (a caller that wants all or nothing).
    Transaction(usize),
    /// Begin; create `n` accounts, update, count, delete, create entries, going on after
    /// errors; then commit regardless (the abort rule must make it roll back).
    TransactionCommitAnyway(usize),
    /// Begin; create `n` accounts; a duplicate (fails and aborts the transaction); a
    /// count (refused); commit (rolls back and fails).
    TransactionFailing(usize),
    /// Begin; create `n` accounts; a nested transaction (entries) committed; a duplicate
    /// account (fails and aborts the transaction); commit regardless (must roll back).
    /// Not in [`Scenario::all`] yet: a driver fault on the `RELEASE SAVEPOINT` leaves
    /// the engine's transaction depth stale, so the later failure is recorded at the
    /// wrong level and the commit goes through (see `tests/faults.rs`).
    NestedThenFailing(usize),
    /// One batch: creates of accounts and entries, an update, a delete, a count.
    Batch(usize),
    /// A batch whose last statement, a create of a duplicate account, fails.
    BatchFailing(usize),
    /// Key-value persona: a batch of an update of an account and a delete of an entry by
    /// key (reads), then creates of accounts and entries: one `TransactWrite`.
    KvBatch(usize),
}

impl Scenario {
    /// The scenarios [`run_faults`] checks.
    pub fn all() -> Vec<Scenario> {
        let mut out = Vec::new();
        for n in [1, 2, 3, 5, 8] {
            out.push(Scenario::CreateMany(n * 2 + 1));
            out.push(Scenario::CreateManyFailing(n * 2));
            out.push(Scenario::Transaction(n));
            out.push(Scenario::TransactionCommitAnyway(n));
            out.push(Scenario::TransactionFailing(n));
            out.push(Scenario::NestedThenFailing(n));
            out.push(Scenario::Batch(n));
            out.push(Scenario::BatchFailing(n));
            out.push(Scenario::KvBatch(n * 3));
        }
        out.push(Scenario::CreateWide);
        out
    }

    fn key_value(self) -> bool {
        matches!(self, Scenario::KvBatch(_))
    }

    /// `true` if a fault-free run succeeds.
    fn succeeds(self) -> bool {
        !matches!(
            self,
            Scenario::CreateManyFailing(_)
                | Scenario::TransactionFailing(_)
                | Scenario::NestedThenFailing(_)
                | Scenario::BatchFailing(_)
        )
    }

    /// Runs the scenario; returns the first error it met (it goes on where the API
    /// allows, as a caller that logs errors would).
    async fn run(self, db: &mut Db) -> Result<()> {
        let mut first: Option<Error> = None;
        let mut note = |r: Result<()>| {
            if let Err(e) = r {
                first.get_or_insert(e);
            }
        };
        match self {
            Scenario::CreateMany(n) => note(db.exec_insert(accounts(100, n)).await.map(drop)),
            Scenario::CreateManyFailing(n) => {
                let mut insert = accounts(100, n);
                insert.rows.push(account_row(0, "a0"));
                note(db.exec_insert(insert).await.map(drop));
            }
            Scenario::CreateWide => note(db.exec_insert(wide(3_100)).await.map(drop)),
            Scenario::Transaction(n) => match db.transaction().await {
                Ok(mut tx) => {
                    let mut failed = false;
                    let mut step = |r: Result<()>| {
                        failed |= r.is_err();
                        note(r);
                    };
                    step(tx.exec_insert(accounts(100, n)).await.map(drop));
                    step(tx.exec_update(set_balance(7)).await.map(drop));
                    match tx.transaction().await {
                        Ok(mut sp) => {
                            step(sp.exec_insert(entries(0, n, false)).await.map(drop));
                            step(sp.rollback().await);
                        }
                        Err(e) => step(Err(e)),
                    }
                    match tx.transaction().await {
                        Ok(mut sp) => {
                            step(sp.exec_delete(delete_account(1)).await.map(drop));
                            step(sp.exec_insert(entries(1000, 2, false)).await.map(drop));
                            step(sp.commit().await);
                        }
                        Err(e) => step(Err(e)),
                    }
                    step(tx.exec_insert(entries(2000, n, false)).await.map(drop));
                    // All or nothing: a caller that saw any error rolls back.
                    if failed {
                        note(tx.rollback().await);
                    } else {
                        note(tx.commit().await);
                    }
                }
                Err(e) => note(Err(e)),
            },
            Scenario::TransactionCommitAnyway(n) => match db.transaction().await {
                Ok(mut tx) => {
                    note(tx.exec_insert(accounts(100, n)).await.map(drop));
                    note(tx.exec_update(set_balance(7)).await.map(drop));
                    note(tx.exec_count(stmt::Query::all(ModelId(0))).await.map(drop));
                    note(tx.exec_delete(delete_account(1)).await.map(drop));
                    note(tx.exec_insert(entries(0, n, false)).await.map(drop));
                    // Committed whatever happened: the abort rule must turn the commit
                    // of a transaction in which a statement failed into a rollback.
                    note(tx.commit().await);
                }
                Err(e) => note(Err(e)),
            },
            Scenario::TransactionFailing(n) => match db.transaction().await {
                Ok(mut tx) => {
                    note(tx.exec_insert(accounts(100, n)).await.map(drop));
                    let dup = stmt::Insert {
                        model: ModelId(0),
                        rows: vec![account_row(0, "a0")],
                    };
                    note(tx.exec_insert(dup).await.map(drop));
                    note(tx.exec_count(stmt::Query::all(ModelId(0))).await.map(drop));
                    note(tx.commit().await);
                }
                Err(e) => note(Err(e)),
            },
            Scenario::NestedThenFailing(n) => match db.transaction().await {
                Ok(mut tx) => {
                    note(tx.exec_insert(accounts(100, n)).await.map(drop));
                    match tx.transaction().await {
                        Ok(mut sp) => {
                            note(sp.exec_insert(entries(0, n, false)).await.map(drop));
                            note(sp.commit().await);
                        }
                        Err(e) => note(Err(e)),
                    }
                    let dup = stmt::Insert {
                        model: ModelId(0),
                        rows: vec![account_row(0, "a0")],
                    };
                    note(tx.exec_insert(dup).await.map(drop));
                    note(tx.commit().await);
                }
                Err(e) => note(Err(e)),
            },
            Scenario::Batch(n) => note(db.exec_untyped_batch(batch(n, false)).await.map(drop)),
            Scenario::BatchFailing(n) => {
                note(db.exec_untyped_batch(batch(n, true)).await.map(drop))
            }
            Scenario::KvBatch(n) => {
                // Each table is read (by the update, by the delete) before it is
                // written: a key-value batch cannot read its own writes.
                let mut delete_entry = stmt::Query::all(ModelId(1));
                delete_entry.filter = Some(Expr::eq(Expr::Field(0), Expr::Value(Value::I64(500))));
                let stmts = vec![
                    UntypedStatement::Update(set_balance_of(0, 9)),
                    UntypedStatement::Delete(stmt::Delete {
                        selection: delete_entry,
                    }),
                    UntypedStatement::Insert(accounts(100, n)),
                    UntypedStatement::Insert(entries(0, n, true)),
                ];
                note(db.exec_untyped_batch(stmts).await.map(drop));
            }
        }
        match first {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// The models: `m0` accounts (key, unique name, balance, optional note), `m1` entries
/// (auto-increment key on the sql persona, a plain key on the kv one), `m2` a table of
/// 10 integer columns.
fn case(key_value: bool) -> Case {
    let field = |ty: Type, nullable: bool| FieldSpec {
        ty,
        nullable,
        max_len: None,
    };
    Case {
        models: vec![
            ModelSpec {
                fields: vec![
                    field(Type::I64, false),
                    field(Type::String, false),
                    field(Type::I64, false),
                    field(Type::String, true),
                ],
                key: KeySpec::Single,
                indices: vec![IndexSpec {
                    fields: vec![1],
                    unique: true,
                }],
                relations: vec![],
            },
            ModelSpec {
                fields: vec![
                    field(Type::I64, false),
                    field(Type::I64, false),
                    field(Type::I64, false),
                ],
                key: if key_value {
                    KeySpec::Single
                } else {
                    KeySpec::AutoInt
                },
                indices: vec![],
                relations: vec![],
            },
            ModelSpec {
                fields: (0..10).map(|_| field(Type::I64, false)).collect(),
                key: KeySpec::Single,
                indices: vec![],
                relations: vec![],
            },
        ],
        ops: vec![],
    }
}

fn account_row(id: i64, name: &str) -> Vec<Option<Value>> {
    vec![
        Some(Value::I64(id)),
        Some(Value::String(name.to_string())),
        Some(Value::I64(id * 10)),
        Some(if id % 2 == 0 {
            Value::Null
        } else {
            Value::String(format!("note {id}"))
        }),
    ]
}

/// `n` accounts with keys from `first`.
fn accounts(first: i64, n: usize) -> stmt::Insert {
    stmt::Insert {
        model: ModelId(0),
        rows: (0..n as i64)
            .map(|i| account_row(first + i, &format!("n{}", first + i)))
            .collect(),
    }
}

/// `n` entries with keys from `first` (on the kv persona; on the sql one the key is
/// auto-increment and left out).
fn entries(first: i64, n: usize, key_value: bool) -> stmt::Insert {
    stmt::Insert {
        model: ModelId(1),
        rows: (0..n as i64)
            .map(|i| {
                vec![
                    key_value.then_some(Value::I64(first + i)),
                    Some(Value::I64(i % 3)),
                    Some(Value::I64(i * 5)),
                ]
            })
            .collect(),
    }
}

fn wide(n: usize) -> stmt::Insert {
    stmt::Insert {
        model: ModelId(2),
        rows: (0..n as i64)
            .map(|i| (0..10).map(|c| Some(Value::I64(i * 10 + c))).collect())
            .collect(),
    }
}

fn where_key(op: BinaryOp, id: i64) -> stmt::Query {
    let mut q = stmt::Query::all(ModelId(0));
    q.filter = Some(Expr::binary(
        op,
        Expr::Field(0),
        Expr::Value(Value::I64(id)),
    ));
    q
}

fn set_balance(balance: i64) -> stmt::Update {
    stmt::Update {
        selection: where_key(BinaryOp::Ge, 2),
        assignments: vec![(2, Value::I64(balance))],
        arithmetic: Vec::new(),
        returning: false,
    }
}

fn set_balance_of(id: i64, balance: i64) -> stmt::Update {
    stmt::Update {
        selection: where_key(BinaryOp::Eq, id),
        assignments: vec![(2, Value::I64(balance))],
        arithmetic: Vec::new(),
        returning: false,
    }
}

fn delete_account(id: i64) -> stmt::Delete {
    stmt::Delete {
        selection: where_key(BinaryOp::Eq, id),
    }
}

fn batch(n: usize, failing: bool) -> Vec<UntypedStatement> {
    let mut stmts = vec![
        UntypedStatement::Insert(accounts(100, n)),
        UntypedStatement::Insert(entries(0, n + 1, false)),
        UntypedStatement::Update(set_balance(3)),
        UntypedStatement::Delete(delete_account(2)),
        UntypedStatement::Count(stmt::Query::all(ModelId(0))),
    ];
    if failing {
        stmts.push(UntypedStatement::Insert(stmt::Insert {
            model: ModelId(0),
            rows: vec![account_row(0, "dup")],
        }));
    }
    stmts
}

/// A fresh database behind a fresh injector, with seed accounts (0..4) and entries.
async fn setup(s: Scenario, atomic: bool) -> Result<(FaultInjector, Db)> {
    let key_value = s.key_value();
    let (memdb, max_rows) = if key_value {
        (MemDb::kv(), None)
    } else if s == Scenario::CreateWide {
        (MemDb::new(), None)
    } else {
        (MemDb::new(), Some(2))
    };
    let mut injector = FaultInjector::new(memdb, max_rows);
    if !atomic {
        injector = injector.without_transactions();
    }
    let mut db = Db::builder()
        .models(models(&case(key_value)))
        .build(injector.clone())
        .await?;
    db.push_schema().await?;
    let seed = stmt::Insert {
        model: ModelId(0),
        rows: (0..4).map(|i| account_row(i, &format!("a{i}"))).collect(),
    };
    db.exec_insert(seed).await?;
    db.exec_insert(entries(500, 2, key_value)).await?;
    Ok((injector, db))
}

type Tables = Vec<Vec<Vec<Lit>>>;

/// Every table's records (on the kv persona, by every key the scenarios use).
async fn tables(db: &mut Db, key_value: bool) -> Result<Tables> {
    let mut out = Vec::new();
    for m in 0..3 {
        let mut q = stmt::Query::all(ModelId(m));
        if key_value {
            if m == 2 {
                out.push(Vec::new());
                continue;
            }
            let keys = (0..4).chain(100..130).chain(0..40).chain(500..502);
            let mut list: Vec<Value> = Vec::new();
            for k in keys {
                if !list.iter().any(|v| v.same_as(&Value::I64(k))) {
                    list.push(Value::I64(k));
                }
            }
            q.filter = Some(Expr::InList {
                expr: Box::new(Expr::Field(0)),
                list,
            });
        }
        let rows = db.exec_query(q).await?;
        out.push(
            rows.into_iter()
                .map(|r| r.into_iter().map(lit).collect())
                .collect(),
        );
    }
    Ok(out)
}

fn same_tables(a: &Tables, b: &Tables) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_multiset(x, y))
}

/// The result of [`run_faults`].
#[derive(Debug, Clone, Default)]
pub struct FaultReport {
    /// Scenarios checked.
    pub scenarios: usize,
    /// Faults injected (each on a fresh database).
    pub faults: u64,
    /// Faults after which the tables were as before the scenario.
    pub rolled_back: u64,
    /// Faults after which the tables were as after a fault-free run (a lost answer to
    /// a `COMMIT`, or to a statement that was complete on its own).
    pub committed: u64,
    /// Faults after which the tables were neither: partial writes.
    pub partial_writes: u64,
    /// Every problem found (partial writes, lost writes, errors the caller never saw,
    /// faults that never struck, unreadable tables).
    pub failures: Vec<String>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Injects a fault at every operation of every scenario, of both kinds, at both
/// timings, and checks the tables after each (see the module docs).
pub fn run_faults() -> FaultReport {
    run_scenarios(&Scenario::all(), true)
}

/// [`run_faults`] for some scenarios. With `atomic: false` the driver claims no
/// interactive transactions, so the engine cannot make a multi-operation statement
/// atomic: a negative control, which must report partial writes.
pub fn run_scenarios(scenarios: &[Scenario], atomic: bool) -> FaultReport {
    let start = Instant::now();
    let mut report = FaultReport::default();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            report
                .failures
                .push(format!("could not start a Tokio runtime: {e}"));
            return report;
        }
    };
    for &s in scenarios {
        report.scenarios += 1;
        if let Err(e) = runtime.block_on(check_scenario(s, atomic, &mut report)) {
            report.failures.push(format!("{s:?}: {e}"));
        }
    }
    report.elapsed = start.elapsed();
    report
}

async fn check_scenario(s: Scenario, atomic: bool, report: &mut FaultReport) -> Result<()> {
    let kv = s.key_value();
    let (injector, mut db) = setup(s, atomic).await?;
    let before = tables(&mut db, kv).await?;
    injector.arm(None, FaultKind::Driver, Timing::Before);
    let result = s.run(&mut db).await;
    let n = injector.seen();
    let log = injector.log();
    let after = tables(&mut db, kv).await?;
    if result.is_ok() != s.succeeds() {
        report.failures.push(format!(
            "{s:?} without a fault: {result:?} (operations: {log:?})"
        ));
    }
    if !s.succeeds() && !same_tables(&before, &after) {
        report.failures.push(format!(
            "{s:?} without a fault failed but changed the tables (operations: {log:?})"
        ));
    }
    if n < 2 {
        report.failures.push(format!(
            "{s:?} ran only {n} operation(s); it should need several: {log:?}"
        ));
    }
    for k in 0..n {
        for kind in [FaultKind::Connection, FaultKind::Driver] {
            for timing in [Timing::Before, Timing::After] {
                let (injector, mut db) = setup(s, atomic).await?;
                injector.arm(Some(k), kind, timing);
                let result = s.run(&mut db).await;
                report.faults += 1;
                let what = format!(
                    "{s:?}, {kind:?} fault {timing:?} operation #{k} ({})",
                    log.get(k).copied().unwrap_or("?")
                );
                if !injector.fired() {
                    report
                        .failures
                        .push(format!("{what}: the fault never struck"));
                    continue;
                }
                let now = match tables(&mut db, kv).await {
                    Ok(t) => t,
                    Err(e) => {
                        report.failures.push(format!(
                            "{what}: the tables could not be read afterwards: {e}"
                        ));
                        continue;
                    }
                };
                let is_before = same_tables(&now, &before);
                let is_after = same_tables(&now, &after);
                if !is_before && !is_after {
                    report.partial_writes += 1;
                    report.failures.push(format!(
                        "{what}: PARTIAL WRITE\n  before: {before:?}\n  after:  {after:?}\n  \
                         now:    {now:?}\n  result: {result:?}"
                    ));
                    continue;
                }
                if is_before {
                    report.rolled_back += 1;
                } else {
                    report.committed += 1;
                }
                match &result {
                    Ok(()) if !is_after => report.failures.push(format!(
                        "{what}: the scenario reported success but its writes are missing"
                    )),
                    Err(e) if is_after && !is_before && timing == Timing::Before => {
                        // The operation never happened, yet everything did: only
                        // possible if it was not needed (it is not, in these scenarios).
                        report.failures.push(format!(
                            "{what}: the operation was refused but the state is as after \
                             success ({e})"
                        ));
                    }
                    // A failed nested rollback reports a connection error even after a
                    // driver fault; both kinds and TransactionAborted are what a caller
                    // may see.
                    Err(e)
                        if !matches!(
                            e.kind(),
                            ErrorKind::Connection
                                | ErrorKind::Driver
                                | ErrorKind::TransactionAborted
                        ) && s.succeeds() =>
                    {
                        report
                            .failures
                            .push(format!("{what}: the caller saw an unexpected error: {e}"));
                    }
                    _ => {}
                }
            }
        }
    }
    Ok(())
}

//! [`Executor`]: what statements run on. Implemented by [`crate::Db`] (a pooled
//! connection per statement) and [`crate::Transaction`] (the transaction's one
//! connection), and the [`Session`] through which the typed API reaches the engine.
//!
//! On a pooled connection, a plan that needs more than one write to the database (a
//! batch split by the bind-parameter limit, a `toasty::batch`) or that checks what the
//! database returned after writing (an auto-increment key narrower than `i64`) runs
//! between `BEGIN` and `COMMIT`, and is rolled back if any step fails: every statement
//! is all-or-nothing. Key-value plans need no such wrapping: their writes are one
//! `TransactWrite`.

use super::connection::HeldConn;
use super::pool::Pooled;
use super::transaction::TxState;
use super::Inner;
use crate::engine::{self, Outcome, Plan, Statement};
use crate::metrics;
use crate::observe::{self, Run, Watch};
use crate::Result;
use toasty_core::driver::{Capability, Operation, RawSql, Response, TransactionOp};
use toasty_core::schema::Schema;
use tracing::Instrument;

/// Anything a statement can run on: `&mut db` or `&mut tx`.
///
/// Every terminal (`exec`, `get_by_*`, `update_by_*`, `delete_by_*`, `paginate`, ...)
/// takes `&mut dyn Executor`, so the same code runs inside and outside a transaction:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> toasty::Result<()> {
/// # #[derive(Debug, toasty::Model)]
/// # struct User { #[key] #[auto] id: u64, name: String }
/// use toasty::Executor;
///
/// async fn add(e: &mut dyn Executor, name: &str) -> toasty::Result<User> {
///     toasty::create!(User { name: name }).exec(e).await
/// }
///
/// let mut db = toasty::Db::builder().models(toasty::models!(User)).connect("memory:").await?;
/// db.push_schema().await?;
/// add(&mut db, "Ada").await?;
/// let mut tx = db.transaction().await?;
/// add(&mut tx, "Grace").await?;
/// tx.commit().await?;
/// assert_eq!(User::all().count().exec(&mut db).await?, 2);
/// # Ok(())
/// # }
/// ```
///
/// Its one required method is hidden and takes an internal type: implement it only
/// through `Db` and `Transaction`.
pub trait Executor: Send {
    /// The schema statements are checked against.
    fn schema(&self) -> &Schema;

    /// What the driver can do.
    fn capability(&self) -> &Capability;

    /// The driver (for `explain`). Not part of the public API.
    #[doc(hidden)]
    fn __driver(&self) -> &dyn toasty_core::driver::Driver;

    /// Where the engine runs a statement. Not part of the public API.
    #[doc(hidden)]
    fn __session(&mut self) -> Session<'_>;

    /// Where metrics are recorded, if they are collected. Not part of the public API.
    #[doc(hidden)]
    fn __metrics(&self) -> Option<&std::sync::Arc<crate::metrics::Registry>> {
        None
    }

    /// The statement cache of the `Db` statements run on. Not part of the public API.
    #[doc(hidden)]
    fn __statement_cache(&self) -> Option<&std::sync::Arc<engine::StatementCache>> {
        None
    }
}

/// Where statements run: a connection from the pool, or the connection of an open
/// transaction. Not part of the public API.
#[doc(hidden)]
pub struct Session<'a>(SessionKind<'a>, Option<&'a engine::Pinned>);

enum SessionKind<'a> {
    /// A pooled connection per statement.
    Pool(&'a Inner),
    /// The connection of an open transaction.
    Tx(&'a mut TxState),
    /// A connection held by a [`crate::Connection`].
    Held(&'a Inner, &'a mut HeldConn),
}

impl<'a> Session<'a> {
    /// Statements run on pooled connections of `inner`.
    pub(crate) fn pool(inner: &'a Inner) -> Self {
        Session(SessionKind::Pool(inner), None)
    }

    /// Statements run in the transaction `tx`.
    pub(crate) fn tx(tx: &'a mut TxState) -> Self {
        Session(SessionKind::Tx(tx), None)
    }

    /// Statements run on the connection `held` of `inner`'s pool.
    pub(crate) fn held(inner: &'a Inner, held: &'a mut HeldConn) -> Self {
        Session(SessionKind::Held(inner, held), None)
    }

    /// Statements compiled in this session look up and keep their plans in `pinned`
    /// first (a [`crate::Prepared`] statement's own shapes).
    pub(crate) fn pinned(mut self, pinned: &'a engine::Pinned) -> Self {
        self.1 = Some(pinned);
        self
    }

    /// Compiles and runs one statement.
    pub(crate) async fn exec(self, stmt: Statement) -> Result<Outcome> {
        // Nobody listening (the common case) costs two atomic loads; the watched path
        // is boxed so it does not grow this future.
        if observe::watching(&self.inner().settings) {
            return Box::pin(self.exec_watched(stmt)).await;
        }
        // The same as `exec_plain`, inlined: one future fewer to move the statement into.
        let pinned = self.1;
        match self.0 {
            SessionKind::Pool(inner) => {
                let plan = engine::compile_cached(
                    engine::Caches {
                        shared: Some(&inner.settings.statements),
                        pinned,
                    },
                    &inner.schema,
                    &inner.capability,
                    stmt,
                )?;
                run_pooled(inner, plan).await
            }
            SessionKind::Tx(tx) => Box::pin(tx.exec(vec![stmt], None, pinned))
                .await?
                .pop()
                .ok_or_else(no_outcome),
            SessionKind::Held(inner, held) => {
                let plan = engine::compile_cached(
                    engine::Caches {
                        shared: Some(&inner.settings.statements),
                        pinned,
                    },
                    &inner.schema,
                    &inner.capability,
                    stmt,
                )?;
                Box::pin(run_held(inner, held, vec![plan]))
                    .await?
                    .pop()
                    .ok_or_else(no_outcome)
            }
        }
    }

    async fn exec_watched(self, stmt: Statement) -> Result<Outcome> {
        let inner = self.inner();
        let mut watch = Watch::start(
            &inner.settings,
            model_name(&inner.schema, &stmt),
            stmt.kind(),
        );
        let result = if watch.is_on() {
            let span = watch.span().clone();
            self.exec_plain(stmt, Some(&mut watch))
                .instrument(span)
                .await
        } else {
            // Metrics only: no span to enter.
            self.exec_plain(stmt, Some(&mut watch)).await
        };
        watch.finish(result)
    }

    async fn exec_plain(self, stmt: Statement, watch: Option<&mut Watch>) -> Result<Outcome> {
        let pinned = self.1;
        match self.0 {
            SessionKind::Pool(inner) => {
                let plan = metrics::compile(
                    inner.settings.metrics.as_deref(),
                    engine::Caches {
                        shared: Some(&inner.settings.statements),
                        pinned,
                    },
                    &inner.schema,
                    &inner.capability,
                    stmt,
                )?;
                if let Some(watch) = watch {
                    watch.planned(&inner.schema, std::slice::from_ref(&plan));
                }
                run_pooled(inner, plan).await
            }
            SessionKind::Tx(tx) => Box::pin(tx.exec(vec![stmt], watch, pinned))
                .await?
                .pop()
                .ok_or_else(no_outcome),
            SessionKind::Held(inner, held) => {
                let plan = metrics::compile(
                    inner.settings.metrics.as_deref(),
                    engine::Caches {
                        shared: Some(&inner.settings.statements),
                        pinned,
                    },
                    &inner.schema,
                    &inner.capability,
                    stmt,
                )?;
                if let Some(watch) = watch {
                    watch.planned(&inner.schema, std::slice::from_ref(&plan));
                }
                Box::pin(run_held(inner, held, vec![plan]))
                    .await?
                    .pop()
                    .ok_or_else(no_outcome)
            }
        }
    }

    /// Compiles and runs several statements as one atomic unit ([`crate::batch`]).
    pub(crate) async fn exec_batch(self, stmts: Vec<Statement>) -> Result<Vec<Outcome>> {
        if !observe::watching(&self.inner().settings) {
            return self.exec_batch_plain(stmts, None).await;
        }
        let inner = self.inner();
        let model = match stmts.as_slice() {
            [one] => model_name(&inner.schema, one),
            _ => "",
        };
        let mut watch = Watch::start(&inner.settings, model, "batch");
        let span = watch.span().clone();
        let result = self
            .exec_batch_plain(stmts, Some(&mut watch))
            .instrument(span)
            .await;
        watch.finish(result)
    }

    async fn exec_batch_plain(
        self,
        stmts: Vec<Statement>,
        watch: Option<&mut Watch>,
    ) -> Result<Vec<Outcome>> {
        let pinned = self.1;
        let (inner, held) = match self.0 {
            SessionKind::Tx(tx) => return Box::pin(tx.exec(stmts, watch, pinned)).await,
            SessionKind::Pool(inner) => (inner, None),
            SessionKind::Held(inner, held) => (inner, Some(held)),
        };
        let plans = stmts
            .into_iter()
            .map(|s| {
                metrics::compile(
                    inner.settings.metrics.as_deref(),
                    engine::Caches {
                        shared: Some(&inner.settings.statements),
                        pinned,
                    },
                    &inner.schema,
                    &inner.capability,
                    s,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        if let Some(watch) = watch {
            watch.planned(&inner.schema, &plans);
        }
        match held {
            Some(held) => Box::pin(run_held(inner, held, plans)).await,
            None => Box::pin(run_pooled_batch(inner, plans)).await,
        }
    }

    /// Runs raw SQL (`toasty::sql`) on a pooled connection or in the transaction.
    pub(crate) async fn exec_sql(self, raw: RawSql) -> Result<Response> {
        if !observe::watching(&self.inner().settings) {
            return self.exec_sql_plain(raw).await;
        }
        let watch = Watch::start(&self.inner().settings, "", "raw sql");
        let span = watch.span().clone();
        let result = self.exec_sql_plain(raw).instrument(span).await;
        watch.finish(result)
    }

    async fn exec_sql_plain(self, raw: RawSql) -> Result<Response> {
        match self.0 {
            SessionKind::Pool(inner) => {
                let mut pooled = inner.pool.get().await?;
                let start = std::time::Instant::now();
                let result = pooled.conn.exec_sql(raw).await;
                if let Some(m) = &inner.settings.metrics {
                    m.raw_sql(start, result.as_ref().ok().map(observe::Counted::counted));
                }
                let healthy = !matches!(&result, Err(e) if e.is_connection());
                inner.pool.put(pooled, healthy);
                result
            }
            SessionKind::Tx(tx) => tx.exec_sql(raw).await,
            SessionKind::Held(inner, held) => {
                held.settle(inner).await?;
                let pooled = held.pooled.as_mut().ok_or_else(lost)?;
                let start = std::time::Instant::now();
                let result = pooled.conn.exec_sql(raw).await;
                if let Some(m) = &inner.settings.metrics {
                    m.raw_sql(start, result.as_ref().ok().map(observe::Counted::counted));
                }
                if matches!(&result, Err(e) if e.is_connection()) {
                    held.pooled = None;
                }
                result
            }
        }
    }

    fn inner(&self) -> &Inner {
        match &self.0 {
            SessionKind::Pool(inner) => inner,
            SessionKind::Tx(tx) => &tx.inner,
            SessionKind::Held(inner, _) => inner,
        }
    }
}

fn model_name<'s>(schema: &'s Schema, stmt: &Statement) -> &'s str {
    schema
        .app
        .get(stmt.model().0)
        .map_or("", |m| m.name.as_str())
}

fn no_outcome() -> toasty_core::Error {
    toasty_core::Error::driver("the engine produced no outcome for a statement")
}

/// Runs `plan` on a pooled connection, inside `BEGIN` .. `COMMIT` when it needs to be.
async fn run_pooled(inner: &Inner, plan: Plan) -> Result<Outcome> {
    if plan.needs_transaction() && inner.capability.interactive_transactions {
        return Box::pin(run_pooled_batch(inner, vec![plan]))
            .await?
            .pop()
            .ok_or_else(no_outcome);
    }
    let mut pooled = inner.pool.get().await?;
    let mut run = Run::new(&inner.settings);
    let result = engine::run(
        &mut *pooled.conn,
        &inner.schema,
        &inner.capability,
        plan,
        &mut run,
    )
    .await;
    let healthy = !matches!(&result, Err(e) if e.is_connection());
    inner.pool.put(pooled, healthy);
    result
}

/// Runs `plans` on one pooled connection as one atomic unit.
async fn run_pooled_batch(inner: &Inner, plans: Vec<Plan>) -> Result<Vec<Outcome>> {
    let mut pooled = inner.pool.get().await?;
    let (result, healthy) = run_on(inner, &mut pooled, plans).await;
    inner.pool.put(pooled, healthy);
    result
}

/// The error of a [`crate::Connection`] whose connection was lost.
fn lost() -> toasty_core::Error {
    toasty_core::Error::connection(
        "this connection was lost after a connection error; take a new one with \
         `db.connection()`",
    )
}

/// Runs `plans` as one atomic unit on the connection a [`crate::Connection`] holds; a
/// connection that failed is given up (later statements fail with [`lost`]).
async fn run_held(inner: &Inner, held: &mut HeldConn, plans: Vec<Plan>) -> Result<Vec<Outcome>> {
    held.settle(inner).await?;
    let pooled = held.pooled.as_mut().ok_or_else(lost)?;
    let (result, healthy) = run_on(inner, pooled, plans).await;
    if !healthy {
        held.pooled = None;
    }
    result
}

/// Runs `plans` on `pooled` as one atomic unit (inside `BEGIN` .. `COMMIT` when they
/// need it), and says whether the connection may be used again.
async fn run_on(
    inner: &Inner,
    pooled: &mut Pooled,
    plans: Vec<Plan>,
) -> (Result<Vec<Outcome>>, bool) {
    let wrap = inner.capability.interactive_transactions && Plan::batch_needs_transaction(&plans);
    let schema = &inner.schema.db;
    let conn = &mut *pooled.conn;
    if wrap {
        let began = conn.exec(schema, begin()).await;
        observe::transaction(
            &TransactionOp::Begin {
                isolation: None,
                read_only: false,
            },
            &began,
        );
        if let Err(e) = began {
            // A connection that cannot begin a transaction is in an unknown state: it is
            // closed rather than reused.
            return (Err(e), false);
        }
    }
    let mut run = Run::new(&inner.settings);
    let result = engine::run_batch(conn, &inner.schema, &inner.capability, plans, &mut run).await;
    let (result, healthy) = match result {
        Ok(outcomes) if wrap => match observe::transaction_done(
            &TransactionOp::Commit,
            conn.exec(schema, Operation::Transaction(TransactionOp::Commit))
                .await,
        ) {
            Ok(_) => (Ok(outcomes), true),
            // A failed commit leaves the connection in an unknown state: drop it, and
            // the database rolls back whatever is left.
            Err(e) => (Err(e), false),
        },
        Ok(outcomes) => (Ok(outcomes), true),
        Err(e) if wrap && !e.is_connection() => {
            let rolled_back = observe::transaction_done(
                &TransactionOp::Rollback,
                conn.exec(schema, Operation::Transaction(TransactionOp::Rollback))
                    .await,
            )
            .is_ok();
            (Err(e), rolled_back)
        }
        Err(e) => {
            let healthy = !e.is_connection();
            (Err(e), healthy)
        }
    };
    (result, healthy)
}

fn begin() -> Operation {
    Operation::Transaction(TransactionOp::Begin {
        isolation: None,
        read_only: false,
    })
}

impl Executor for super::Db {
    fn schema(&self) -> &Schema {
        &self.inner.schema
    }

    fn capability(&self) -> &Capability {
        &self.inner.capability
    }

    fn __driver(&self) -> &dyn toasty_core::driver::Driver {
        self.inner.pool.driver()
    }

    fn __session(&mut self) -> Session<'_> {
        Session::pool(&self.inner)
    }

    fn __metrics(&self) -> Option<&std::sync::Arc<metrics::Registry>> {
        self.inner.settings.metrics.as_ref()
    }

    fn __statement_cache(&self) -> Option<&std::sync::Arc<engine::StatementCache>> {
        Some(&self.inner.settings.statements)
    }
}

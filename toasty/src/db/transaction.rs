//! Interactive transactions: [`Transaction`] and [`TransactionBuilder`].
//!
//! A transaction holds one pooled connection from `BEGIN` to `COMMIT`/`ROLLBACK`; it
//! borrows its [`Db`] mutably, so no statement can slip past it onto another connection.
//! A transaction begun on a held [`Connection`] (`conn.transaction()`) uses that
//! connection and borrows the `Connection` mutably; when it ends, the connection is
//! held by the `Connection` again (a transaction dropped unfinished is rolled back
//! before the connection's next statement).
//! Nested transactions are savepoints (`toasty_sp<depth>`) on the same connection, and
//! borrow their parent mutably in the same way.
//!
//! Rules, the same on every backend (see `docs/semantics.md`, "Transactions"):
//!
//! * A statement whose database operation fails (or whose write the engine must undo,
//!   such as a generated key out of its field's range) aborts the innermost open
//!   transaction: later statements fail with `TransactionAborted` until it is rolled
//!   back (or dropped); committing it rolls it back and returns `TransactionAborted`.
//!   Errors caught before anything reaches the database (a value out of range, a
//!   missing field) and answers read off a successful operation (`NotFound`,
//!   `TooManyRecords`) leave it usable. To recover from an expected failure, run the
//!   statement in a nested transaction and roll that back.
//! * Dropping a transaction without committing rolls it back: a nested one before the
//!   parent's next statement, a top-level one on a background task (or, outside a
//!   Tokio runtime, by closing its connection). The connection goes back to the pool
//!   only after the rollback succeeded.
//! * A read-only transaction refuses writes with `ReadOnlyTransaction` before they reach
//!   the database.
//! * Key-value backends have no interactive transactions: `db.transaction()` fails with
//!   `Unsupported`; [`crate::batch`] is the atomic unit there.

use super::executor::{Executor, Session};
use super::pool::Pooled;
use super::{Connection, Db, Inner};
use crate::engine::{self, Outcome, Statement};
use crate::observe::{self, Run, Watch};
use crate::Result;
use std::marker::PhantomData;
use std::sync::Arc;
use toasty_core::driver::{Capability, IsolationLevel, Operation, RawSql, Response, TransactionOp};
use toasty_core::schema::Schema;
use toasty_core::Error;

/// Configures a transaction before it begins. Created by [`Db::transaction_builder`]
/// and [`Connection::transaction_builder`].
#[derive(Debug)]
pub struct TransactionBuilder<'a> {
    source: Source<'a>,
    isolation: Option<IsolationLevel>,
    read_only: bool,
}

/// Where a transaction gets its connection.
#[derive(Debug)]
enum Source<'a> {
    /// A connection checked out of the pool.
    Db(&'a mut Db),
    /// The connection a [`Connection`] holds.
    Held(&'a mut Connection),
}

impl<'a> TransactionBuilder<'a> {
    pub(crate) fn new(db: &'a mut Db) -> Self {
        TransactionBuilder {
            source: Source::Db(db),
            isolation: None,
            read_only: false,
        }
    }

    pub(crate) fn on_connection(conn: &'a mut Connection) -> Self {
        TransactionBuilder {
            source: Source::Held(conn),
            isolation: None,
            read_only: false,
        }
    }

    /// The isolation level (default: the database's). SQLite and memdb are always
    /// serializable, which satisfies every level.
    pub fn isolation(mut self, level: IsolationLevel) -> Self {
        self.isolation = Some(level);
        self
    }

    /// Refuses writes inside the transaction (`ReadOnlyTransaction`).
    pub fn read_only(mut self, read_only: bool) -> Self {
        self.read_only = read_only;
        self
    }

    /// Begins the transaction: on a connection checked out of the pool, or on the
    /// connection a [`Connection`] holds.
    pub async fn begin(self) -> Result<Transaction<'a>> {
        let inner = match &self.source {
            Source::Db(db) => db.inner.clone(),
            Source::Held(conn) => conn.inner.clone(),
        };
        let cap = &inner.capability;
        if !cap.interactive_transactions {
            return Err(Error::unsupported(format!(
                "{} has no interactive transactions (key-value stores such as DynamoDB have \
                 none); group the writes with toasty::batch((..)), which runs as one atomic \
                 write",
                cap.name
            )));
        }
        let mut held = None;
        let mut pooled = match self.source {
            Source::Db(_) => inner.pool.get().await?,
            Source::Held(conn) => {
                conn.held.settle(&inner).await?;
                let pooled = conn.held.pooled.take().ok_or_else(|| {
                    Error::connection(
                        "this connection was lost after a connection error; take a new one \
                         with `db.connection()`",
                    )
                })?;
                held = Some(conn);
                pooled
            }
        };
        let begin = Operation::Transaction(TransactionOp::Begin {
            isolation: self.isolation,
            read_only: self.read_only,
        });
        let result = pooled.conn.exec(&inner.schema.db, begin).await;
        observe::transaction(
            &TransactionOp::Begin {
                isolation: self.isolation,
                read_only: self.read_only,
            },
            &result,
        );
        if let Err(e) = result {
            match held {
                // Refused before anything was sent: the held connection is unchanged.
                Some(conn) if e.is_unsupported() => conn.held.pooled = Some(pooled),
                // A failed BEGIN may leave the connection in any state: do not reuse it
                // (a `Connection` is then lost).
                _ => drop(pooled),
            }
            return Err(e);
        }
        let state = TxState {
            inner,
            conn: Some(pooled),
            read_only: self.read_only,
            depth: 0,
            aborted: None,
            pending_rollback: None,
            keeps_conn: held.is_some(),
        };
        Ok(Transaction {
            state: match held {
                None => TxRef::Root(state, PhantomData),
                Some(conn) => TxRef::Held(state, conn),
            },
            depth: 0,
            done: false,
        })
    }
}

/// An open transaction. Pass `&mut tx` wherever `&mut db` goes; end it with
/// [`Transaction::commit`] or [`Transaction::rollback`] (dropping it rolls back).
#[must_use = "a transaction that is dropped without commit() rolls back"]
pub struct Transaction<'a> {
    state: TxRef<'a>,
    /// 0 for a top-level transaction, the savepoint number for a nested one.
    depth: u32,
    done: bool,
}

enum TxRef<'a> {
    Root(TxState, PhantomData<&'a mut Db>),
    /// A top-level transaction on the connection of a [`Connection`], which gets it
    /// back when the transaction ends.
    Held(TxState, &'a mut Connection),
    Nested(&'a mut TxState),
}

/// The state shared by a transaction and the ones nested in it.
#[doc(hidden)]
pub struct TxState {
    pub(crate) inner: Arc<Inner>,
    /// `None` once the connection failed (the database rolled the transaction back).
    conn: Option<Pooled>,
    read_only: bool,
    /// The depth of the innermost open level (0: only the top level is open).
    depth: u32,
    /// The shallowest level a failed statement aborted.
    aborted: Option<u32>,
    /// A nested level dropped without finishing: roll back to it before anything else.
    pending_rollback: Option<u32>,
    /// The connection belongs to a [`Connection`]: when the transaction ends it stays
    /// here (for [`Transaction`]'s drop to hand back) instead of going to the pool.
    keeps_conn: bool,
}

impl std::fmt::Debug for Transaction<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state();
        f.debug_struct("Transaction")
            .field("driver", &state.inner.capability.name)
            .field("depth", &self.depth)
            .field("read_only", &state.read_only)
            .field("aborted", &state.aborted.is_some())
            .finish()
    }
}

impl<'a> Transaction<'a> {
    fn state(&self) -> &TxState {
        match &self.state {
            TxRef::Root(s, _) | TxRef::Held(s, _) => s,
            TxRef::Nested(s) => s,
        }
    }

    fn state_mut(&mut self) -> &mut TxState {
        match &mut self.state {
            TxRef::Root(s, _) | TxRef::Held(s, _) => s,
            TxRef::Nested(s) => s,
        }
    }

    /// Begins a nested transaction: a savepoint. Committing it keeps its work in this
    /// transaction; rolling it back (or dropping it) undoes only its work.
    pub async fn transaction(&mut self) -> Result<Transaction<'_>> {
        let state = self.state_mut();
        state.settle().await?;
        state.check_usable()?;
        let depth = state.depth + 1;
        if let Err(e) = state.control(TransactionOp::Savepoint(depth)).await {
            // A failed statement aborts the transaction it ran in (as PostgreSQL does
            // natively), a failed SAVEPOINT included.
            state.abort_at(state.depth);
            return Err(e);
        }
        state.depth = depth;
        Ok(Transaction {
            state: TxRef::Nested(state),
            depth,
            done: false,
        })
    }

    /// Commits: a top-level transaction's work becomes visible to others; a nested
    /// one's work joins its parent. A conflict found at commit is
    /// `SerializationFailure` (the transaction is then rolled back; retry it).
    pub async fn commit(mut self) -> Result<()> {
        self.done = true;
        let depth = self.depth;
        let state = self.state_mut();
        state.settle().await?;
        if state.aborted.is_some_and(|a| a <= depth) || state.conn.is_none() {
            state.end(depth).await?;
            return Err(Error::transaction_aborted(
                "the transaction was aborted by a statement that failed in it and has been \
                 rolled back instead of committed",
            ));
        }
        if depth > 0 {
            state.depth = depth - 1;
            if let Err(e) = state.control(TransactionOp::ReleaseSavepoint(depth)).await {
                // Whether the savepoint's work joined the parent is unknown: nothing more
                // may run, and the top level can only roll back.
                state.abort_at(0);
                return Err(Error::transaction_aborted(format!(
                    "committing the nested transaction failed ({e}); the whole transaction \
                     is aborted: roll it back"
                )));
            }
            return Ok(());
        }
        let result = state.control(TransactionOp::Commit).await;
        match result {
            Ok(()) => {
                state.release_connection(true);
                Ok(())
            }
            Err(e) => {
                // The database ended the transaction (or the connection failed): the
                // connection is not reused, so nothing of it can linger.
                state.conn = None;
                Err(e)
            }
        }
    }

    /// Rolls back: undoes the transaction's work (a nested one's only).
    pub async fn rollback(mut self) -> Result<()> {
        self.done = true;
        let depth = self.depth;
        let state = self.state_mut();
        state.settle().await?;
        state.end(depth).await
    }
}

impl Drop for Transaction<'_> {
    fn drop(&mut self) {
        if let TxRef::Held(state, conn) = &mut self.state {
            // The connection goes back to its `Connection` (none if it was lost); an
            // unfinished transaction is rolled back before its next statement.
            conn.held.pooled = state.conn.take();
            conn.held.rollback_pending = !self.done && conn.held.pooled.is_some();
            return;
        }
        if self.done {
            return;
        }
        let depth = self.depth;
        let state = self.state_mut();
        if depth > 0 {
            // Rolled back before the parent's next statement (see `TxState::settle`).
            state.pending_rollback = Some(state.pending_rollback.map_or(depth, |d| d.min(depth)));
            return;
        }
        let Some(mut pooled) = state.conn.take() else {
            return;
        };
        let inner = state.inner.clone();
        match tokio::runtime::Handle::try_current() {
            Ok(handle) => {
                handle.spawn(async move {
                    let rollback = Operation::Transaction(TransactionOp::Rollback);
                    let result = pooled.conn.exec(&inner.schema.db, rollback).await;
                    observe::transaction(&TransactionOp::Rollback, &result);
                    let ok = result.is_ok();
                    inner.pool.put(pooled, ok);
                });
            }
            // No runtime to roll back on: closing the connection rolls back.
            Err(_) => drop(pooled),
        }
    }
}

impl TxState {
    /// Sends one transaction-control operation.
    async fn control(&mut self, op: TransactionOp) -> Result<()> {
        let Some(pooled) = self.conn.as_mut() else {
            return Err(lost());
        };
        let result = pooled
            .conn
            .exec(&self.inner.schema.db, Operation::Transaction(op))
            .await;
        observe::transaction(&op, &result);
        match result {
            Ok(_) => Ok(()),
            Err(e) => {
                if e.is_connection() {
                    self.conn = None;
                }
                Err(e)
            }
        }
    }

    /// Rolls back nested levels that were dropped unfinished.
    async fn settle(&mut self) -> Result<()> {
        if let Some(depth) = self.pending_rollback.take() {
            self.end(depth).await?;
        }
        Ok(())
    }

    /// Ends level `depth` by rolling it back; a top-level one gives its connection back
    /// to the pool (only if the rollback succeeded: otherwise the connection is closed,
    /// which makes the database roll back). When a nested level cannot be undone, the
    /// whole transaction is aborted.
    async fn end(&mut self, depth: u32) -> Result<()> {
        if depth == 0 {
            let result = self.control(TransactionOp::Rollback).await;
            self.release_connection(result.is_ok());
            self.aborted = None;
            return result.map_err(|e| {
                Error::new(
                    e.kind(),
                    format!(
                        "the rollback failed ({e}); the connection was closed instead, which \
                         rolls the transaction back"
                    ),
                )
            });
        }
        self.depth = depth - 1;
        let result = match self
            .control(TransactionOp::RollbackToSavepoint(depth))
            .await
        {
            Ok(()) => self.control(TransactionOp::ReleaseSavepoint(depth)).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => {
                if self.aborted.is_some_and(|a| a >= depth) {
                    self.aborted = None;
                }
                Ok(())
            }
            Err(e) => {
                // The savepoint could not be undone: nothing more may run in this
                // transaction, which can only be rolled back now.
                self.abort_at(0);
                if self.conn.is_none() {
                    return Err(lost());
                }
                Err(Error::transaction_aborted(format!(
                    "rolling back the nested transaction failed ({e}); the whole transaction \
                     is aborted: roll it back"
                )))
            }
        }
    }

    /// Marks level `depth` (and so every deeper one) aborted.
    fn abort_at(&mut self, depth: u32) {
        self.aborted = Some(self.aborted.map_or(depth, |a| a.min(depth)));
    }

    fn release_connection(&mut self, healthy: bool) {
        if self.keeps_conn {
            // Handed back to its `Connection` when the transaction is dropped; one that
            // failed is closed (the `Connection` is then lost).
            if !healthy {
                self.conn = None;
            }
            return;
        }
        if let Some(pooled) = self.conn.take() {
            self.inner.pool.put(pooled, healthy);
        }
    }

    fn check_usable(&self) -> Result<()> {
        if self.conn.is_none() {
            return Err(lost());
        }
        if self.aborted.is_some() {
            return Err(Error::transaction_aborted(
                "an earlier statement failed in this transaction, which aborted it; roll it \
                 back (or drop it) and start again. To go on after an expected failure, run \
                 that statement in a nested transaction (tx.transaction()) and roll the \
                 nested one back",
            ));
        }
        Ok(())
    }

    /// Compiles and runs statements in the transaction, as one atomic unit.
    pub(crate) async fn exec(
        &mut self,
        stmts: Vec<Statement>,
        watch: Option<&mut Watch>,
        pinned: Option<&crate::engine::Pinned>,
    ) -> Result<Vec<Outcome>> {
        self.settle().await?;
        self.check_usable()?;
        let inner = self.inner.clone();
        let plans = stmts
            .into_iter()
            .map(|s| {
                crate::metrics::compile(
                    inner.settings.metrics.as_deref(),
                    crate::engine::Caches {
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
        if self.read_only && plans.iter().any(|p| p.writes()) {
            return Err(Error::read_only_transaction(
                "this statement writes, but the transaction is read-only; run it outside the \
                 transaction or begin one without .read_only(true)",
            ));
        }
        let Some(pooled) = self.conn.as_mut() else {
            return Err(lost());
        };
        let mut run = Run::new(&inner.settings);
        let result = engine::run_batch(
            &mut *pooled.conn,
            &inner.schema,
            &inner.capability,
            plans,
            &mut run,
        )
        .await;
        let sent = run.sent;
        if let Err(e) = &result {
            if e.is_connection() {
                self.conn = None;
                self.aborted = Some(0);
            } else if sent {
                self.abort_at(self.depth);
            }
        }
        result
    }
}

impl TxState {
    /// Runs raw SQL in the transaction; a failure aborts it like any statement that
    /// reached the database.
    pub(crate) async fn exec_sql(&mut self, raw: RawSql) -> Result<Response> {
        self.settle().await?;
        self.check_usable()?;
        let Some(pooled) = self.conn.as_mut() else {
            return Err(lost());
        };
        let start = std::time::Instant::now();
        let result = pooled.conn.exec_sql(raw).await;
        if let Some(m) = &self.inner.settings.metrics {
            m.raw_sql(
                start,
                result.as_ref().ok().map(crate::observe::Counted::counted),
            );
        }
        if let Err(e) = &result {
            if e.is_connection() {
                self.conn = None;
                self.aborted = Some(0);
            } else if !e.is_unsupported() {
                // Whether the driver had sent it is not known: abort, as for any
                // statement that failed in the database.
                self.abort_at(self.depth);
            }
        }
        result
    }
}

fn lost() -> Error {
    Error::transaction_aborted(
        "the transaction's connection failed, so the database rolled the transaction back; \
         start a new one",
    )
}

impl Executor for Transaction<'_> {
    fn schema(&self) -> &Schema {
        &self.state().inner.schema
    }

    fn capability(&self) -> &Capability {
        &self.state().inner.capability
    }

    fn __driver(&self) -> &dyn toasty_core::driver::Driver {
        self.state().inner.pool.driver()
    }

    fn __session(&mut self) -> Session<'_> {
        Session::tx(self.state_mut())
    }

    fn __metrics(&self) -> Option<&std::sync::Arc<crate::metrics::Registry>> {
        self.state().inner.settings.metrics.as_ref()
    }

    fn __statement_cache(&self) -> Option<&std::sync::Arc<crate::engine::StatementCache>> {
        Some(&self.state().inner.settings.statements)
    }
}

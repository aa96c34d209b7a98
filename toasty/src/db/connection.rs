//! [`Connection`]: one pooled connection held for a sequence of statements
//! (`db.connection()`).

use super::executor::Session;
use super::pool::Pooled;
use super::transaction::{Transaction, TransactionBuilder};
use super::{Executor, Inner};
use crate::{metrics, observe, Result};
use std::sync::Arc;
use toasty_core::driver::{Capability, Operation, TransactionOp};
use toasty_core::schema::Schema;

/// A connection taken from the pool and held until it is dropped: every statement run
/// on it (`&mut conn` is an [`Executor`]) uses the same database session, so session
/// state such as temporary tables and session variables carries over from one
/// statement to the next. Statements keep their usual rules: each is all-or-nothing
/// (wrapped in `BEGIN`/`COMMIT` when it needs more than one write).
///
/// While it is held the pool has one connection fewer; with a pool of one (in-memory
/// SQLite) statements run on the `Db` itself wait for it to be dropped (and time out
/// after `pool_wait_timeout`). After a connection error the connection is given up and
/// later statements fail with `Connection`: take a new one.
///
/// Transactions begin on the held connection too ([`Connection::transaction`],
/// [`Connection::transaction_builder`]): the transaction borrows the `Connection`
/// mutably, and once it ends the connection is held again for the next statements.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> toasty::Result<()> {
/// # #[derive(Debug, toasty::Model)]
/// # struct User { #[key] #[auto] id: u64, name: String }
/// let db = toasty::Db::builder().models(toasty::models!(User)).connect("memory:").await?;
/// db.push_schema().await?;
/// let mut conn = db.connection().await?;
/// toasty::create!(User { name: "Ada" }).exec(&mut conn).await?;
/// assert_eq!(User::all().count().exec(&mut conn).await?, 1);
/// # Ok(())
/// # }
/// ```
pub struct Connection {
    pub(crate) inner: Arc<Inner>,
    pub(crate) held: HeldConn,
}

/// The connection a [`Connection`] holds, and whether a transaction begun on it was
/// dropped unfinished.
pub(crate) struct HeldConn {
    /// `None` once the connection was given up (a connection error, a failed rollback)
    /// or while a transaction begun on it has it.
    pub(crate) pooled: Option<Pooled>,
    /// A transaction begun on this connection was dropped without commit or rollback:
    /// it is rolled back before anything else runs on the connection.
    pub(crate) rollback_pending: bool,
}

impl HeldConn {
    /// Rolls back a transaction that was dropped unfinished, if there is one. When the
    /// rollback fails the connection is closed (which rolls back) and given up.
    pub(crate) async fn settle(&mut self, inner: &Inner) -> Result<()> {
        if !std::mem::take(&mut self.rollback_pending) {
            return Ok(());
        }
        let Some(pooled) = self.pooled.as_mut() else {
            return Ok(());
        };
        let op = TransactionOp::Rollback;
        let result = pooled
            .conn
            .exec(&inner.schema.db, Operation::Transaction(op))
            .await;
        observe::transaction(&op, &result);
        if let Err(e) = result {
            self.pooled = None;
            return Err(toasty_core::Error::connection(format!(
                "rolling back the transaction dropped on this connection failed ({e}); the \
                 connection was closed instead, which rolls it back; take a new one with \
                 `db.connection()`"
            )));
        }
        Ok(())
    }
}

impl Connection {
    pub(crate) fn new(inner: Arc<Inner>, pooled: Pooled) -> Connection {
        Connection {
            inner,
            held: HeldConn {
                pooled: Some(pooled),
                rollback_pending: false,
            },
        }
    }

    /// `false` once the connection was given up after a connection error.
    pub fn is_open(&self) -> bool {
        self.held.pooled.is_some()
    }

    /// Begins an interactive transaction on this connection with the database's
    /// default settings. It borrows the connection mutably, so every statement until
    /// it ends goes through the transaction; afterwards the connection is held again.
    /// Dropping the transaction unfinished rolls it back before the connection's next
    /// statement. Key-value backends have no interactive transactions (`Unsupported`).
    /// See [`Transaction`].
    pub async fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.transaction_builder().begin().await
    }

    /// Configures a transaction on this connection (isolation level, read-only) before
    /// beginning it.
    pub fn transaction_builder(&mut self) -> TransactionBuilder<'_> {
        TransactionBuilder::on_connection(self)
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("driver", &self.inner.capability.name)
            .field("open", &self.held.pooled.is_some())
            .finish()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(pooled) = self.held.pooled.take() {
            // A transaction dropped unfinished is still open on it: closing the
            // connection rolls it back.
            self.inner.pool.put(pooled, !self.held.rollback_pending);
        }
    }
}

impl Executor for Connection {
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
        Session::held(&self.inner, &mut self.held)
    }

    fn __metrics(&self) -> Option<&Arc<metrics::Registry>> {
        self.inner.settings.metrics.as_ref()
    }

    fn __statement_cache(&self) -> Option<&Arc<crate::engine::StatementCache>> {
        Some(&self.inner.settings.statements)
    }
}

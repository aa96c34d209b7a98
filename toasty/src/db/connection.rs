//! [`Connection`]: one pooled connection held for a sequence of statements
//! (`db.connection()`).

use super::executor::Session;
use super::pool::Pooled;
use super::{Executor, Inner};
use crate::metrics;
use std::sync::Arc;
use toasty_core::driver::Capability;
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
    inner: Arc<Inner>,
    held: Option<Pooled>,
}

impl Connection {
    pub(crate) fn new(inner: Arc<Inner>, pooled: Pooled) -> Connection {
        Connection {
            inner,
            held: Some(pooled),
        }
    }

    /// `false` once the connection was given up after a connection error.
    pub fn is_open(&self) -> bool {
        self.held.is_some()
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("driver", &self.inner.capability.name)
            .field("open", &self.held.is_some())
            .finish()
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(pooled) = self.held.take() {
            self.inner.pool.put(pooled, true);
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

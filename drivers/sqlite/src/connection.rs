//! [`SqliteConnection`]: the async [`Connection`] over a [`BlockingConnection`].
//!
//! Operations run inline on the calling task while holding the connection's lock (see
//! the crate docs for the measurements behind this choice).

use crate::blocking::BlockingConnection;
use crate::driver::poisoned;
use async_trait::async_trait;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use toasty_core::driver::{Connection, Operation, RawSql, Response};
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// Numbers [`SqliteConnection`]s, to know which one a transaction belongs to.
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// One underlying SQLite connection and the Toasty connection whose user transaction
/// is open on it, if any. An in-memory database has one, shared by every
/// [`SqliteConnection`] of its driver; a file database has one per connection.
#[derive(Debug)]
pub(crate) struct Shared {
    conn: BlockingConnection,
    /// The id of the [`SqliteConnection`] that has a transaction open on `conn`.
    owner: Option<u64>,
}

impl Shared {
    pub(crate) fn new(conn: BlockingConnection) -> Shared {
        Shared { conn, owner: None }
    }
}

/// One Toasty connection to SQLite (connections of an in-memory driver share one
/// underlying SQLite connection).
///
/// A transaction belongs to the connection that began it: while it is open, the other
/// connections sharing an in-memory database are refused (they would otherwise run
/// inside it), and dropping the connection rolls it back.
pub struct SqliteConnection {
    inner: Arc<Mutex<Shared>>,
    id: u64,
}

impl SqliteConnection {
    pub(crate) fn new(inner: Arc<Mutex<Shared>>) -> SqliteConnection {
        SqliteConnection {
            inner,
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        }
    }
}

#[async_trait]
impl Connection for SqliteConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let mut shared = self.inner.lock().map_err(|_| poisoned())?;
        if shared.owner.is_some_and(|owner| owner != self.id) {
            return Err(Error::unsupported(
                "another connection has a transaction open on this in-memory SQLite \
                 database, which all connections of its driver share; finish that \
                 transaction first (an in-memory database serves one connection at a \
                 time: max_connections() is 1)",
            ));
        }
        let result = shared.conn.exec(schema, &op);
        shared.owner = shared.conn.in_transaction().then_some(self.id);
        result
    }

    async fn exec_sql(&mut self, sql: RawSql) -> Result<Response> {
        let mut shared = self.inner.lock().map_err(|_| poisoned())?;
        if shared.owner.is_some_and(|owner| owner != self.id) {
            return Err(Error::unsupported(
                "another connection has a transaction open on this in-memory SQLite \
                 database, which all connections of its driver share; finish that \
                 transaction first",
            ));
        }
        let result = shared.conn.exec_sql(&sql);
        shared.owner = shared.conn.in_transaction().then_some(self.id);
        result
    }

    async fn is_valid(&mut self) -> bool {
        match self.inner.lock() {
            Ok(shared) => shared.conn.ping(),
            Err(_) => false,
        }
    }
}

impl Drop for SqliteConnection {
    /// Rolls back this connection's open transaction, so the SQLite connection (shared
    /// by an in-memory database) is not left inside it.
    fn drop(&mut self) {
        // A poisoned lock means an operation panicked mid-way; nothing can be done then.
        if let Ok(mut shared) = self.inner.lock() {
            if shared.owner == Some(self.id) {
                shared.conn.abandon_transaction();
                shared.owner = None;
            }
        }
    }
}

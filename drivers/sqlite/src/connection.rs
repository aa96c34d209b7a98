//! [`SqliteConnection`]: the async [`Connection`] over a [`BlockingConnection`].
//!
//! Operations run inline on the calling task while holding the connection's lock (see
//! the crate docs for the measurements behind this choice).

use crate::blocking::BlockingConnection;
use crate::driver::poisoned;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use toasty_core::driver::{Connection, Operation, Response};
use toasty_core::schema::db;
use toasty_core::Result;

/// One Toasty connection to SQLite (connections of an in-memory driver share one
/// underlying SQLite connection).
pub struct SqliteConnection {
    inner: Arc<Mutex<BlockingConnection>>,
}

impl SqliteConnection {
    pub(crate) fn new(inner: Arc<Mutex<BlockingConnection>>) -> SqliteConnection {
        SqliteConnection { inner }
    }
}

#[async_trait]
impl Connection for SqliteConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let mut conn = self.inner.lock().map_err(|_| poisoned())?;
        conn.exec(schema, &op)
    }

    async fn is_valid(&mut self) -> bool {
        match self.inner.lock() {
            Ok(conn) => conn.ping(),
            Err(_) => false,
        }
    }
}

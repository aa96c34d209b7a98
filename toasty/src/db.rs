//! [`Db`], the handle applications hold, and what runs statements on it: the
//! [`Executor`] trait, [`Transaction`]s and the connection pool.
//!
//! * `builder`: [`Builder`], which validates the models and opens a [`Db`];
//! * `connect`: choosing a driver from a URL;
//! * `pool`: the connection pool shared by every clone of a `Db`;
//! * `executor`: [`Executor`], implemented by `Db` and `Transaction`, and the session
//!   the engine runs a plan in (a pooled connection, or the transaction's connection);
//! * `transaction`: interactive transactions, nested ones as savepoints;
//! * `connection`: [`Connection`], one pooled connection held for several statements.
//!
//! The engine never sees a `Db`: it receives one connection and runs a plan on it.

mod builder;
mod connect;
mod connection;
mod executor;
mod pool;
mod transaction;

pub use builder::Builder;
pub use connection::Connection;
pub use executor::Executor;
pub use pool::Pool;
pub use transaction::{Transaction, TransactionBuilder};

use crate::Result;
use std::sync::Arc;
use toasty_core::driver::{self, Capability, Operation};
use toasty_core::schema::Schema;

/// A database handle: the schema, the driver and a connection pool.
///
/// Cloning is cheap and shares the pool. Statements take `&mut Db` (or a
/// [`Transaction`]; both are [`Executor`]s).
#[derive(Clone)]
pub struct Db {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) schema: Arc<Schema>,
    pub(crate) pool: Pool,
    pub(crate) capability: Capability,
    /// What is logged (see `crate::observe`).
    pub(crate) settings: crate::observe::Settings,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("driver", &self.inner.capability.name)
            .field("models", &self.inner.schema.app.len())
            .finish()
    }
}

impl Db {
    /// Starts configuring a database handle.
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Takes a connection from the pool and holds it until the [`Connection`] is
    /// dropped, so several statements (`.exec(&mut conn)`) share one database session.
    /// Waits for a free connection like any statement (`pool_wait_timeout`).
    pub async fn connection(&self) -> Result<Connection> {
        let pooled = self.inner.pool.get().await?;
        Ok(Connection::new(self.inner.clone(), pooled))
    }

    /// The connection pool shared by every clone of this `Db` (its size and how many
    /// connections are in use).
    pub fn pool(&self) -> &Pool {
        &self.inner.pool
    }

    /// The validated schema.
    pub fn schema(&self) -> &Schema {
        &self.inner.schema
    }

    /// What the driver can do.
    pub fn capability(&self) -> &Capability {
        &self.inner.capability
    }

    /// A snapshot of the metrics collected so far by this `Db` and its clones (all
    /// zero, and [`crate::metrics::Metrics::is_enabled`] `false`, unless it was built
    /// with [`Builder::metrics`]`(true)`). Its `Display` prints them as a table.
    pub fn metrics(&self) -> crate::metrics::Metrics {
        match &self.inner.settings.metrics {
            Some(registry) => registry.snapshot(),
            None => crate::metrics::Metrics::disabled(),
        }
    }

    /// How often the statement cache served a compiled plan (see
    /// [`Builder::statement_cache`]). Shared by this `Db`'s clones, transactions and
    /// connections.
    pub fn statement_cache_stats(&self) -> crate::StatementCacheStats {
        self.inner.settings.statements.stats()
    }

    /// Forgets every compiled plan the statement cache holds, so the next statement
    /// of each shape is compiled again (for tests and benchmarks that want a cold
    /// cache; the cache refills as statements run).
    pub fn clear_statement_cache(&self) {
        self.inner.settings.statements.clear();
    }

    /// The statement cache itself, for tools that turn it off or resize it on a `Db`
    /// they did not build (the differential harness). Not part of the public API.
    #[doc(hidden)]
    pub fn __statement_cache(&self) -> &crate::engine::StatementCache {
        &self.inner.settings.statements
    }

    /// Sets every collected metric back to zero (for example after warming up).
    pub fn reset_metrics(&self) {
        if let Some(registry) = &self.inner.settings.metrics {
            registry.reset();
        }
    }

    /// Creates every table and index of the registered models.
    pub async fn push_schema(&self) -> Result<()> {
        for table in &self.inner.schema.db.tables {
            self.exec_ddl(Operation::CreateTable(driver::CreateTable {
                table: table.id,
            }))
            .await?;
        }
        Ok(())
    }

    /// Drops every table of the registered models (tables that do not exist are skipped).
    pub async fn drop_schema(&self) -> Result<()> {
        for table in &self.inner.schema.db.tables {
            self.exec_ddl(Operation::DropTable(driver::DropTable { table: table.id }))
                .await?;
        }
        Ok(())
    }

    /// Drops and re-creates every table: an empty database with the current schema.
    pub async fn reset_db(&self) -> Result<()> {
        self.drop_schema().await?;
        self.push_schema().await
    }

    /// Begins an interactive transaction with the database's default settings. It
    /// borrows the `Db` mutably, so every statement until it ends goes through the
    /// transaction. See [`Transaction`].
    pub async fn transaction(&mut self) -> Result<Transaction<'_>> {
        self.transaction_builder().begin().await
    }

    /// Configures a transaction (isolation level, read-only) before beginning it.
    pub fn transaction_builder(&mut self) -> TransactionBuilder<'_> {
        TransactionBuilder::new(self)
    }

    /// Runs one DDL operation on a pooled connection (DDL is not planned).
    async fn exec_ddl(&self, op: Operation) -> Result<()> {
        let mut pooled = self.inner.pool.get().await?;
        let result = pooled.conn.exec(&self.inner.schema.db, op).await;
        let healthy = !matches!(&result, Err(e) if e.is_connection());
        self.inner.pool.put(pooled, healthy);
        result.map(drop)
    }
}

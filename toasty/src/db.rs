//! [`Db`]: the handle applications hold, and its [`Builder`].

use crate::engine::{self, Outcome, Statement};
use crate::pool::{Pool, PoolConfig};
use crate::{ModelSet, Result};
use std::sync::Arc;
use std::time::Duration;
use toasty_core::driver::{self, Capability, Driver, Operation, Response};
use toasty_core::schema::{Schema, SchemaOptions};
use toasty_core::Error;

/// A database handle: the schema, the driver and a connection pool.
///
/// Cloning is cheap and shares the pool. Statements take `&mut Db`.
#[derive(Clone)]
pub struct Db {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) schema: Arc<Schema>,
    pub(crate) pool: Pool,
    pub(crate) capability: Capability,
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

    /// The validated schema.
    pub fn schema(&self) -> &Schema {
        &self.inner.schema
    }

    /// What the driver can do.
    pub fn capability(&self) -> &Capability {
        &self.inner.capability
    }

    /// Creates every table and index of the registered models.
    pub async fn push_schema(&self) -> Result<()> {
        for table in &self.inner.schema.db.tables {
            self.exec_op(Operation::CreateTable(driver::CreateTable {
                table: table.id,
            }))
            .await?;
        }
        Ok(())
    }

    /// Drops every table of the registered models (tables that do not exist are skipped).
    pub async fn drop_schema(&self) -> Result<()> {
        for table in &self.inner.schema.db.tables {
            self.exec_op(Operation::DropTable(driver::DropTable { table: table.id }))
                .await?;
        }
        Ok(())
    }

    /// Drops and re-creates every table: an empty database with the current schema.
    pub async fn reset_db(&self) -> Result<()> {
        self.drop_schema().await?;
        self.push_schema().await
    }

    /// Runs a statement through the engine. Not an `async fn`: the engine's future is
    /// returned as it is, without a wrapping layer that would hold a second copy of
    /// `stmt`.
    pub(crate) fn exec_stmt(
        &mut self,
        stmt: Statement,
    ) -> impl std::future::Future<Output = Result<Outcome>> + '_ {
        engine::exec(self, stmt)
    }

    /// Runs one table-level operation on a pooled connection; rows come back as one
    /// `Vec` per row.
    pub(crate) async fn exec_op(&self, op: Operation) -> Result<Response> {
        self.exec_op_any(op).await.map(Response::into_row_vecs)
    }

    /// Runs one table-level operation; rows come back as the driver returned them
    /// ([`Response::Rows`] or [`Response::RowSet`]).
    pub(crate) async fn exec_op_any(&self, op: Operation) -> Result<Response> {
        let mut pooled = self.inner.pool.get().await?;
        let result = pooled.conn.exec(&self.inner.schema.db, op).await;
        let healthy = !matches!(&result, Err(e) if e.is_connection());
        self.inner.pool.put(pooled, healthy);
        result
    }
}

/// Configures and opens a [`Db`].
#[derive(Debug, Default)]
pub struct Builder {
    models: ModelSet,
    options: SchemaOptions,
    pool: PoolConfig,
}

impl Builder {
    /// Registers models: `.models(toasty::models!(User, Post))`.
    pub fn models(mut self, models: ModelSet) -> Self {
        self.models = self.models.extend(models);
        self
    }

    /// Registers one model.
    pub fn register<M: crate::Model>(mut self) -> Self {
        self.models = self.models.add::<M>();
        self
    }

    /// Puts `prefix` in front of every table and index name.
    pub fn table_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.options.table_prefix = prefix.into();
        self
    }

    /// The most connections the pool opens (default 8; the driver may allow fewer).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.pool.max_size = n;
        self
    }

    /// How long an operation waits for a free connection, and for a new connection to
    /// open, before failing with a connection error (default 30 s).
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.pool.wait_timeout = timeout;
        self
    }

    /// A connection idle for longer than this is health-checked before reuse (default
    /// 5 s); recently used connections are handed out without a round trip.
    pub fn health_check_after(mut self, idle: Duration) -> Self {
        self.pool.health_check_after = idle;
        self
    }

    /// Opens the database named by `url`:
    ///
    /// | URL | driver | feature |
    /// |---|---|---|
    /// | `memory:` | memdb, sql persona | `memdb` (default) |
    /// | `memory:kv` | memdb, kv persona (DynamoDB's rules) | `memdb` (default) |
    /// | `sqlite::memory:`, `sqlite:path/to/file.db` | SQLite | `sqlite` |
    /// | `postgres://...`, `postgresql://...` | PostgreSQL | `postgres` |
    /// | `mysql://...` | MySQL / MariaDB | `mysql` |
    pub async fn connect(self, url: &str) -> Result<Db> {
        let driver = crate::connect::driver_for_url(url).await?;
        self.build_arc(driver).await
    }

    /// Opens the database with an explicit driver.
    pub async fn build(self, driver: impl Driver) -> Result<Db> {
        self.build_arc(Arc::new(driver)).await
    }

    /// Opens the database with a shared driver (one driver, several `Db`s).
    pub async fn build_shared(self, driver: Arc<dyn Driver>) -> Result<Db> {
        self.build_arc(driver).await
    }

    async fn build_arc(self, driver: Arc<dyn Driver>) -> Result<Db> {
        if self.models.models.is_empty() {
            return Err(Error::invalid_schema(
                "no models are registered; pass them with .models(toasty::models!(User, ...))",
            ));
        }
        let capability = driver.capability().clone();
        let schema = Schema::build(self.models.models, &self.options)?;
        engine::check_schema(&schema, &capability)?;
        Ok(Db {
            inner: Arc::new(Inner {
                schema: Arc::new(schema),
                pool: Pool::new(driver, self.pool),
                capability,
            }),
        })
    }
}

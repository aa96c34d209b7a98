//! [`Builder`]: registers models, validates the schema and opens a [`Db`].

use super::pool::{Pool, PoolConfig};
use super::{connect, Db, Inner};
use crate::observe::Settings;
use crate::{engine, ModelSet, Result};
use std::sync::Arc;
use std::time::Duration;
use toasty_core::driver::Driver;
use toasty_core::schema::{Schema, SchemaOptions};
use toasty_core::Error;

/// Configures and opens a [`Db`].
#[derive(Debug, Default)]
pub struct Builder {
    models: ModelSet,
    options: SchemaOptions,
    pool: PoolConfig,
    settings: Settings,
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

    /// Puts `prefix` in front of every table and index name (the guide's spelling;
    /// [`Builder::table_prefix`] is the same).
    pub fn table_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.options.table_prefix = prefix.into();
        self
    }

    /// Same as [`Builder::table_name_prefix`].
    pub fn table_prefix(self, prefix: impl Into<String>) -> Self {
        self.table_name_prefix(prefix)
    }

    /// The most connections the pool opens at once (default 8; the driver may allow
    /// fewer: in-memory SQLite has one).
    pub fn max_pool_size(mut self, n: usize) -> Self {
        self.pool.max_size = n;
        self
    }

    /// Same as [`Builder::max_pool_size`].
    pub fn max_connections(self, n: usize) -> Self {
        self.max_pool_size(n)
    }

    /// How long a statement waits for a free connection before failing with a
    /// connection error (default 30 s; `None` waits as long as it takes). The guide's
    /// Toasty waits forever by default; here a stuck pool is reported instead.
    pub fn pool_wait_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.wait_timeout = timeout;
        self
    }

    /// How long opening a new connection may take (default 30 s; `None`: no limit).
    pub fn pool_create_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.create_timeout = timeout;
        self
    }

    /// Sets both the wait and the connect timeout (see [`Builder::pool_wait_timeout`]).
    pub fn pool_timeout(mut self, timeout: Duration) -> Self {
        self.pool.wait_timeout = Some(timeout);
        self.pool.create_timeout = Some(timeout);
        self
    }

    /// Health-checks every connection before handing it out (one extra round trip per
    /// statement), instead of only those idle longer than
    /// [`Builder::health_check_after`].
    pub fn pool_pre_ping(mut self, on: bool) -> Self {
        if on {
            self.pool.health_check_after = Duration::ZERO;
        }
        self
    }

    /// A connection idle for longer than this is health-checked before reuse (default
    /// 5 s); recently used connections are handed out without a round trip.
    pub fn health_check_after(mut self, idle: Duration) -> Self {
        self.pool.health_check_after = idle;
        self
    }

    /// Statements that take longer than this are logged at `warn` (target
    /// `toasty::statement`, message `slow statement`, with the model, the kind, the plan
    /// and the duration) when a `tracing` subscriber listens. Default 1 s; `None`
    /// turns it off. Nothing is timed when no subscriber listens.
    pub fn slow_statement_threshold(mut self, threshold: impl Into<Option<Duration>>) -> Self {
        self.settings.slow_threshold = threshold.into();
        self
    }

    /// Logs bound values with each driver operation (target `toasty::driver`, field
    /// `values`). Off by default: parameter values may be personal data. Values of
    /// `#[sensitive]` fields are never logged; they print as `[redacted]`.
    pub fn log_parameters(mut self, on: bool) -> Self {
        self.settings.log_parameters = on;
        self
    }

    /// Collects metrics: counters and latency histograms per phase (build, plan,
    /// driver, load), per statement kind and per driver operation, read with
    /// [`Db::metrics`] (see [`crate::metrics`]). Off by default, when it costs one
    /// branch per statement; on, a few relaxed atomic increments and clock readings.
    /// With the `metrics` feature they also go to the `metrics` crate's recorder.
    pub fn metrics(mut self, on: bool) -> Self {
        self.settings.metrics = on.then(|| Arc::new(crate::metrics::Registry::new()));
        self
    }

    /// Keeps the compiled plans of up to `shapes` statement shapes (512 by default;
    /// `0` turns the cache off). Statements that differ only in their values (the
    /// same model, filter structure, order, limit and offset, projection and
    /// relations to load) share a shape: the second one onwards is verified, then
    /// runs a copy of the first one's plan with its own values instead of being
    /// lowered and planned again. Past `shapes`, the least recently used shape is
    /// dropped. See also [`Db::prepare`](crate::Db::prepare) for a statement that an
    /// application keeps.
    pub fn statement_cache(mut self, shapes: usize) -> Self {
        self.settings.statements = Arc::new(crate::engine::StatementCache::new(shapes));
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
    /// | `dynamodb://<region>`, `dynamodb://` | DynamoDB | `dynamodb` |
    ///
    /// For DynamoDB the URL names at most the region; credentials, the region when the URL
    /// leaves it out (`AWS_REGION`, the profile) and the endpoint
    /// (`AWS_ENDPOINT_URL_DYNAMODB` for an emulator such as moto or DynamoDB Local) come
    /// from the standard AWS configuration. DynamoDB serves the key-value subset of
    /// queries (by key, by an index's partition key, with sort-key conditions): anything
    /// that would scan a table is refused with `Unsupported`, naming the index to add.
    pub async fn connect(self, url: &str) -> Result<Db> {
        let driver = connect::driver_for_url(url).await?;
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

    async fn build_arc(mut self, driver: Arc<dyn Driver>) -> Result<Db> {
        if self.models.models.is_empty() {
            return Err(Error::invalid_schema(
                "no models are registered; pass them with .models(toasty::models!(User, ...))",
            ));
        }
        let capability = driver.capability().clone();
        check_identities(&self.models, &self.options)?;
        let types = std::mem::take(&mut self.models.types);
        let mut schema =
            Schema::build_with_relations(self.models.models, self.models.relations, &self.options)?;
        for (model, fields) in self.models.sensitive.iter().enumerate() {
            for &field in fields {
                schema.mark_sensitive(toasty_core::schema::app::ModelId(model), field);
            }
        }
        for (model, ty) in types.iter().enumerate() {
            if let Some((ty, _)) = ty {
                schema.set_model_type(toasty_core::schema::app::ModelId(model), *ty);
            }
        }
        engine::check_schema(&schema, &capability)?;
        Ok(Db {
            inner: Arc::new(Inner {
                schema: Arc::new(schema),
                pool: Pool::new(driver, self.pool),
                capability,
                settings: self.settings,
            }),
        })
    }
}

/// Refuses two models that would share a table, naming both by their full paths
/// (`crate::a::User` and `crate::b::Admin`), before the schema is built.
fn check_identities(models: &ModelSet, options: &SchemaOptions) -> Result<()> {
    let mut tables: Vec<(String, usize)> = Vec::with_capacity(models.models.len());
    for (i, model) in models.models.iter().enumerate() {
        let table = format!("{}{}", options.table_prefix, model.table_name);
        if let Some((_, other)) = tables.iter().find(|(t, _)| *t == table) {
            return Err(Error::invalid_schema(format!(
                "the models `{}` and `{}` would both be stored in the table `{table}`; give \
                 one of them another table with #[table = \"...\"]",
                models.path(*other),
                models.path(i)
            )));
        }
        tables.push((table, i));
    }
    Ok(())
}

//! The [`Backend`] abstraction: an isolated database per test.

use async_trait::async_trait;
use toasty::{Db, ModelSet, Result};

/// Whether a backend can run here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Availability {
    /// Ready to run tests.
    Available,
    /// Cannot run; the reason says why (for example, no server URL and no Docker engine).
    Unavailable(String),
}

/// A database the suite can run against.
///
/// Implementations must give every call to [`Backend::setup`] its own namespace (a fresh
/// in-memory database, its own database on a server, or a unique table prefix), so tests
/// can share one server and run in parallel.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    /// A short name ("memdb-sql", "sqlite", "postgres", ...).
    fn name(&self) -> &str;

    /// `true` if the backend stores strings containing NUL (PostgreSQL's TEXT cannot;
    /// its driver rejects them with a clear error, and the harness does not generate
    /// them).
    fn stores_nul(&self) -> bool {
        true
    }

    /// Whether this backend can run here.
    fn availability(&self) -> Availability {
        Availability::Available
    }

    /// Opens an isolated database serving `models`, with the schema pushed. `test` is the
    /// test's name, usable to derive a namespace.
    async fn setup(&self, models: ModelSet, test: &str) -> Result<Db>;
}

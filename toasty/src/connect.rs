//! Choosing a driver from a URL.

use std::sync::Arc;
use toasty_core::driver::Driver;
use toasty_core::{Error, Result};

pub(crate) async fn driver_for_url(url: &str) -> Result<Arc<dyn Driver>> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "memory" => memory(url),
        "sqlite" => sqlite(url),
        "postgres" | "postgresql" | "mysql" | "dynamodb" => Err(Error::config(format!(
            "the `{scheme}` driver is not available in this build of toasty; enable the \
             toasty feature that provides it"
        ))),
        _ => Err(Error::config(format!(
            "unrecognized database URL `{url}`; expected one of memory:, memory:kv, \
             sqlite::memory:, sqlite:path, postgres://..., mysql://..., dynamodb://..."
        ))),
    }
}

#[cfg(feature = "memdb")]
fn memory(url: &str) -> Result<Arc<dyn Driver>> {
    match url {
        "memory:" | "memory:sql" => Ok(Arc::new(toasty_memdb::MemDb::new())),
        "memory:kv" => Ok(Arc::new(toasty_memdb::MemDb::kv())),
        _ => Err(Error::config(format!(
            "unrecognized memdb URL `{url}`; use `memory:` (sql persona) or `memory:kv` \
             (DynamoDB's rules)"
        ))),
    }
}

#[cfg(not(feature = "memdb"))]
fn memory(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "the in-memory driver needs the `memdb` feature of toasty",
    ))
}

#[cfg(feature = "sqlite")]
fn sqlite(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_sqlite::Sqlite::from_url(url)?))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "SQLite URLs need the `sqlite` feature of toasty: toasty = { features = [\"sqlite\"] }",
    ))
}

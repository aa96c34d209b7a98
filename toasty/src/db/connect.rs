//! Choosing a driver from a URL.

use std::sync::Arc;
use toasty_core::driver::Driver;
use toasty_core::{Error, Result};

pub(crate) async fn driver_for_url(url: &str) -> Result<Arc<dyn Driver>> {
    let scheme = url.split(':').next().unwrap_or_default();
    match scheme {
        "memory" => memory(url),
        "sqlite" => sqlite(url),
        "postgres" | "postgresql" => postgres(url),
        "mysql" => mysql(url),
        "dynamodb" => Err(Error::config(
            "Toasty has no DynamoDB driver yet; `memory:kv` serves DynamoDB's operation set \
             and limits for tests of DynamoDB-shaped code",
        )),
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

#[cfg(feature = "postgres")]
fn postgres(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_postgres::Postgres::new(url)?))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "PostgreSQL URLs need the `postgres` feature of toasty: toasty = { features = [\"postgres\"] }",
    ))
}

#[cfg(feature = "mysql")]
fn mysql(url: &str) -> Result<Arc<dyn Driver>> {
    Ok(Arc::new(toasty_mysql::Mysql::new(url)?))
}

#[cfg(not(feature = "mysql"))]
fn mysql(_url: &str) -> Result<Arc<dyn Driver>> {
    Err(Error::config(
        "MySQL URLs need the `mysql` feature of toasty: toasty = { features = [\"mysql\"] }",
    ))
}

//! The built-in backends, and lookup by name for the CLI.

mod dynamodb;
mod memdb;
mod mysql;
mod postgres;
pub mod server;
mod sqlite;

pub use dynamodb::Dynamodb;
pub use memdb::{MemdbKv, MemdbSql};
pub use mysql::Mysql;
pub use postgres::Postgres;
pub use sqlite::SqliteMemory;

use crate::Backend;
use std::sync::Arc;

/// The names [`by_name`] knows.
pub const NAMES: &[&str] = &[
    "memdb-sql",
    "memdb-kv",
    "sqlite",
    "mysql",
    "postgres",
    "dynamodb",
];

/// The backend called `name`.
pub fn by_name(name: &str) -> Option<Arc<dyn Backend>> {
    match name {
        "memdb-sql" => Some(Arc::new(MemdbSql)),
        "memdb-kv" => Some(Arc::new(MemdbKv)),
        "sqlite" => Some(Arc::new(SqliteMemory)),
        "mysql" => Some(Arc::new(Mysql)),
        "postgres" => Some(Arc::new(Postgres)),
        "dynamodb" => Some(Arc::new(Dynamodb)),
        _ => None,
    }
}

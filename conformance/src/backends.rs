//! The built-in backends, and lookup by name for the CLI.

mod memdb;
mod sqlite;
mod mysql;
mod postgres;
pub mod server;

pub use memdb::{MemdbKv, MemdbSql};
pub use sqlite::SqliteMemory;
pub use mysql::Mysql;
pub use postgres::Postgres;

use crate::Backend;
use std::sync::Arc;

/// The names [`by_name`] knows.
pub const NAMES: &[&str] = &["memdb-sql", "memdb-kv", "sqlite", "mysql", "postgres"];

/// The backend called `name`.
pub fn by_name(name: &str) -> Option<Arc<dyn Backend>> {
    match name {
        "memdb-sql" => Some(Arc::new(MemdbSql)),
        "memdb-kv" => Some(Arc::new(MemdbKv)),
        "sqlite" => Some(Arc::new(SqliteMemory)),
        "mysql" => Some(Arc::new(Mysql)),
        "postgres" => Some(Arc::new(Postgres)),
        _ => None,
    }
}

/// `true` for backends that are key-value stores.
pub fn is_key_value(name: &str) -> bool {
    matches!(name, "memdb-kv" | "dynamodb")
}

/// `true` for backends that store strings containing NUL.
pub fn stores_nul(name: &str) -> bool {
    name != "postgres"
}

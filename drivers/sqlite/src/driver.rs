//! [`Sqlite`]: the driver value, its URL parsing and how connections are opened.

use crate::blocking::BlockingConnection;
use crate::connection::{Shared, SqliteConnection};
use crate::error;
use async_trait::async_trait;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::{Error, Result};

/// How many connections a pool may open on a file database. SQLite allows one writer at
/// a time; more connections only add concurrent readers (WAL mode).
const FILE_MAX_CONNECTIONS: usize = 4;

/// The SQLite driver.
///
/// An in-memory database exists only inside the SQLite connection that created it, so
/// every [`Connection`] of an in-memory driver shares that one underlying connection and
/// [`Driver::max_connections`] is 1. A file database opens one SQLite connection per
/// Toasty connection.
pub struct Sqlite {
    target: Target,
    capability: Capability,
}

enum Target {
    Memory(Arc<Mutex<Shared>>),
    File(PathBuf),
}

impl Sqlite {
    /// A new, empty in-memory database.
    pub fn in_memory() -> Result<Sqlite> {
        let conn = BlockingConnection::open_in_memory()?;
        Ok(Sqlite::with_target(Target::Memory(Arc::new(Mutex::new(
            Shared::new(conn),
        )))))
    }

    /// The database file at `path`, created if it does not exist.
    pub fn open(path: impl AsRef<Path>) -> Result<Sqlite> {
        let path = path.as_ref().to_path_buf();
        // Open once now so a bad path fails here rather than on first use.
        BlockingConnection::open(&path)?;
        Ok(Sqlite::with_target(Target::File(path)))
    }

    /// Opens the database a URL names: `sqlite::memory:` for a new in-memory database,
    /// `sqlite:path/to/file.db` (or `sqlite://path/to/file.db`) for a file. Anything
    /// else is an [`toasty_core::ErrorKind::Config`] error.
    pub fn from_url(url: &str) -> Result<Sqlite> {
        let rest = url.strip_prefix("sqlite:").ok_or_else(|| {
            Error::config(format!(
                "`{url}` is not an SQLite URL; use `sqlite::memory:` or `sqlite:path/to/file.db`"
            ))
        })?;
        if rest == ":memory:" {
            return Sqlite::in_memory();
        }
        let path = rest.strip_prefix("//").unwrap_or(rest);
        if path.is_empty() || path.starts_with(':') {
            return Err(Error::config(format!(
                "`{url}` names no database file; use `sqlite::memory:` or \
                 `sqlite:path/to/file.db`"
            )));
        }
        Sqlite::open(path)
    }

    fn with_target(target: Target) -> Sqlite {
        Sqlite {
            target,
            capability: Capability {
                name: "sqlite",
                ..Capability::SQL
            },
        }
    }

    /// `true` for an in-memory database.
    pub fn is_in_memory(&self) -> bool {
        matches!(self.target, Target::Memory(_))
    }
}

impl fmt::Debug for Sqlite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Memory(_) => f.write_str("Sqlite(:memory:)"),
            Target::File(path) => write!(f, "Sqlite({})", path.display()),
        }
    }
}

#[async_trait]
impl Driver for Sqlite {
    fn explain_sql(
        &self,
        schema: &toasty_core::schema::db::Schema,
        op: &toasty_core::driver::Operation,
    ) -> Option<String> {
        toasty_sql::explain_sql(toasty_sql::Dialect::Sqlite, schema, op)
    }

    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        let shared = match &self.target {
            Target::Memory(conn) => conn.clone(),
            Target::File(path) => {
                Arc::new(Mutex::new(Shared::new(BlockingConnection::open(path)?)))
            }
        };
        Ok(Box::new(SqliteConnection::new(shared)))
    }

    fn max_connections(&self) -> usize {
        match self.target {
            Target::Memory(_) => 1,
            Target::File(_) => FILE_MAX_CONNECTIONS,
        }
    }
}

// Keep the error helpers reachable from here for the poisoned-lock case.
pub(crate) use error::poisoned;

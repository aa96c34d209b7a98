//! The synchronous core: one `rusqlite` connection that executes operations.
//!
//! Everything SQLite-specific that is not async plumbing lives here: serializing with
//! `toasty-sql`, preparing through the statement cache, binding, decoding, running
//! multi-statement operations in one transaction, and mapping errors.

use crate::{bind, decode, error};
use rusqlite::{params_from_iter, Connection as RawConnection};
use std::path::Path;
use std::time::Duration;
use toasty_core::driver::{Operation, Response, RowSet};
use toasty_core::schema::db;
use toasty_core::{Error, Result};
use toasty_sql::{Dialect, Output, ResponseBuilder, Serializer, Statement};

/// How many prepared statements each connection keeps.
const STATEMENT_CACHE: usize = 256;

/// How long a connection waits for another connection's write lock on a file database.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A synchronous SQLite connection that executes Toasty operations.
///
/// [`crate::Sqlite`] wraps it for async use; it is public so synchronous programs and
/// benchmarks can drive SQLite without an async runtime.
#[derive(Debug)]
pub struct BlockingConnection {
    conn: RawConnection,
    serializer: Serializer,
}

impl BlockingConnection {
    /// Opens a private in-memory database.
    pub fn open_in_memory() -> Result<BlockingConnection> {
        let conn = RawConnection::open_in_memory()
            .map_err(|e| error::map(e, "open in-memory database"))?;
        Self::configure(conn, false)
    }

    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<BlockingConnection> {
        let conn = RawConnection::open(path).map_err(|e| {
            Error::connection(format!(
                "SQLite could not open `{}`: {e}; check that the directory exists and is \
                 writable",
                path.display()
            ))
            .with_source(e)
        })?;
        Self::configure(conn, true)
    }

    fn configure(conn: RawConnection, file: bool) -> Result<BlockingConnection> {
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        if file {
            conn.busy_timeout(BUSY_TIMEOUT)
                .map_err(|e| error::map(e, "PRAGMA busy_timeout"))?;
            // WAL lets readers proceed while one connection writes.
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(|e| error::map(e, "PRAGMA journal_mode = WAL"))?;
        }
        Ok(BlockingConnection {
            conn,
            serializer: Serializer::new(Dialect::Sqlite),
        })
    }

    /// Executes one operation.
    pub fn exec(&mut self, schema: &db::Schema, op: &Operation) -> Result<Response> {
        let statements = self.serializer.serialize(schema, op)?;
        let mut response = ResponseBuilder::new(schema, op);
        if statements.len() > 1 {
            let tx = self
                .conn
                .transaction()
                .map_err(|e| error::map(e, "BEGIN"))?;
            for statement in &statements {
                run(&tx, statement, &mut response)?;
            }
            tx.commit().map_err(|e| error::map(e, "COMMIT"))?;
        } else {
            for statement in &statements {
                run(&self.conn, statement, &mut response)?;
            }
        }
        Ok(response.finish())
    }

    /// Runs `SELECT 1` to check the connection works.
    pub fn ping(&self) -> bool {
        self.conn
            .prepare_cached("SELECT 1")
            .and_then(|mut stmt| stmt.query_row([], |row| row.get::<_, i64>(0)))
            .is_ok()
    }
}

/// Runs one statement and feeds its result to `response`.
fn run(conn: &RawConnection, statement: &Statement, response: &mut ResponseBuilder) -> Result<()> {
    let sql = statement.sql.as_str();
    let params = statement
        .params
        .iter()
        .map(bind::to_sqlite)
        .collect::<Result<Vec<_>>>()?;
    if statement.output == Output::Nothing {
        // DDL runs once; it is not worth a cache slot.
        conn.execute(sql, params_from_iter(params))
            .map_err(|e| error::map(e, sql))?;
        return Ok(());
    }
    let mut stmt = conn.prepare_cached(sql).map_err(|e| error::map(e, sql))?;
    match &statement.output {
        Output::Nothing | Output::Affected => {
            let n = stmt
                .execute(params_from_iter(params))
                .map_err(|e| error::map(e, sql))?;
            response.add_count(n as u64);
        }
        Output::Count => {
            let n: i64 = stmt
                .query_row(params_from_iter(params), |row| row.get(0))
                .map_err(|e| error::map(e, sql))?;
            response.add_count(u64::try_from(n).unwrap_or(0));
        }
        Output::Rows(types) => {
            let mut rows = stmt
                .query(params_from_iter(params))
                .map_err(|e| error::map(e, sql))?;
            let mut out = RowSet::with_capacity(types.len(), 0);
            while let Some(row) = rows.next().map_err(|e| error::map(e, sql))? {
                let values = out.cells_mut();
                for (i, ty) in types.iter().enumerate() {
                    let cell = row.get_ref(i).map_err(|e| error::map(e, sql))?;
                    decode::decode_into(cell, *ty, i, values)?;
                }
                out.end_row();
            }
            response.add_row_set(out);
        }
    }
    Ok(())
}

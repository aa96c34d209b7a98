//! The synchronous core: one `rusqlite` connection that executes operations.
//!
//! Everything SQLite-specific that is not async plumbing lives here: serializing with
//! `toasty-sql`, preparing through the statement cache, binding, decoding, running
//! multi-statement operations in one transaction (a savepoint inside a user
//! transaction), user transactions, and mapping errors.

use crate::error::{self, Tx};
use crate::{bind, decode};
use rusqlite::{params_from_iter, Connection as RawConnection};
use std::path::Path;
use std::time::Duration;
use toasty_core::driver::{Cached, Operation, RawSql, Response, RowSet, TransactionOp};
use toasty_core::schema::db;
use toasty_core::{Error, Result};
use toasty_sql::{Dialect, Output, ResponseBuilder, Serializer, Statement, TransactionState};

/// The savepoint that makes an operation of several statements atomic inside a user
/// transaction (user savepoints are `toasty_sp<n>`).
const OPERATION_SAVEPOINT: &str = "toasty_op";

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
    transaction: TransactionState,
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
        crate::functions::register(&conn)
            .map_err(|e| error::map(e, "register the toasty_like function"))?;
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
            transaction: TransactionState::new(),
        })
    }

    /// Executes one operation, including transaction control
    /// ([`Operation::Transaction`]).
    pub fn exec(&mut self, schema: &db::Schema, op: &Operation) -> Result<Response> {
        if let Operation::Transaction(step) = op {
            return self.transaction_step(step);
        }
        self.transaction.check_operation()?;
        let result = match op {
            Operation::Cached(cached) => self.exec_cached(schema, cached),
            op => self.exec_statements(schema, op),
        };
        if let Err(e) = &result {
            if self.transaction.is_open() {
                self.transaction.note_error(e);
                if self.conn.is_autocommit() {
                    // SQLite rolled the whole transaction back by itself (it may after
                    // SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY or SQLITE_NOMEM).
                    self.transaction.mark_ended();
                }
            }
        }
        result
    }

    /// Runs raw SQL (`toasty::sql`): the rows of a query, or the affected count.
    pub fn exec_sql(&mut self, raw: &RawSql) -> Result<Response> {
        self.transaction.check_operation()?;
        let result = self.exec_raw(raw);
        if let Err(e) = &result {
            if self.transaction.is_open() {
                self.transaction.note_error(e);
                if self.conn.is_autocommit() {
                    self.transaction.mark_ended();
                }
            }
        }
        result
    }

    fn exec_raw(&mut self, raw: &RawSql) -> Result<Response> {
        let statement = toasty_sql::raw_statement(Dialect::Sqlite, raw)?;
        let tx = self.tx();
        let sql = statement.sql.as_str();
        toasty_sql::trace_sql(sql, statement.params.len());
        let params = statement
            .params
            .iter()
            .map(bind::to_sqlite)
            .collect::<Result<Vec<_>>>()?;
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| error::map_in(e, sql, tx))?;
        let Output::Rows(types) = &statement.output else {
            let n = stmt
                .execute(params_from_iter(params))
                .map_err(|e| error::map_in(e, sql, tx))?;
            return Ok(Response::Count(n as u64));
        };
        let width = stmt.column_count();
        if !types.is_empty() && types.len() != width {
            return Err(Error::invalid_statement(format!(
                "the raw SQL query returns {width} column(s) but {} column type(s) were given",
                types.len()
            )));
        }
        let mut rows = stmt
            .query(params_from_iter(params))
            .map_err(|e| error::map_in(e, sql, tx))?;
        let mut out = RowSet::with_capacity(width, 0);
        while let Some(row) = rows.next().map_err(|e| error::map_in(e, sql, tx))? {
            let values = out.cells_mut();
            for i in 0..width {
                let cell = row.get_ref(i).map_err(|e| error::map_in(e, sql, tx))?;
                match types.get(i) {
                    Some(ty) => decode::decode_into(cell, *ty, i, values)?,
                    None => values.push(decode::infer(cell, i)?),
                }
            }
            out.end_row();
        }
        Ok(Response::RowSet(out))
    }

    /// `true` while a user transaction is open on this connection (begun with
    /// [`TransactionOp::Begin`] and not yet committed or rolled back).
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_open()
    }

    /// Rolls back the open user transaction, if any, ignoring errors: for a connection
    /// that is given up with a transaction still open.
    pub fn abandon_transaction(&mut self) {
        if self.transaction.is_open() {
            // Whatever fails, the transaction is forgotten and SQLite is out of it or
            // the connection is unusable anyway.
            let _ = self.transaction_step(&TransactionOp::Rollback);
            self.transaction.clear();
        }
    }

    /// The user transaction statements run in, for error mapping.
    fn tx(&self) -> Tx {
        if !self.transaction.is_open() {
            Tx::None
        } else if self.transaction.is_read_only() {
            Tx::ReadOnly
        } else {
            Tx::ReadWrite
        }
    }

    /// Runs one transaction-control step as [`TransactionState::plan`] says.
    fn transaction_step(&mut self, step: &TransactionOp) -> Result<Response> {
        let plan = self.transaction.plan(&self.serializer, step)?;
        let tx = self.tx();
        let mut result = Ok(());
        for statement in &plan.statements {
            if let Err(e) = self.control(statement, tx) {
                result = Err(e);
                break;
            }
        }
        if result.is_err() {
            for statement in &plan.cleanup {
                let _ = self.control(statement, tx);
            }
        }
        self.transaction.finish(step, result.is_ok());
        result?;
        match plan.refusal {
            Some(e) => Err(e),
            None => Ok(Response::Count(0)),
        }
    }

    /// Runs one transaction-control statement.
    fn control(&self, statement: &Statement, tx: Tx) -> Result<()> {
        if statement.sql == "ROLLBACK" && self.conn.is_autocommit() {
            // SQLite already rolled the transaction back by itself (or never began it):
            // there is nothing to undo, and ROLLBACK would fail with "no transaction is
            // active".
            return Ok(());
        }
        toasty_sql::trace_sql(&statement.sql, 0);
        self.conn
            .execute_batch(&statement.sql)
            .map_err(|e| error::map_in(e, &statement.sql, tx))
    }

    /// Runs a cached operation: binds its values into the template's SQL, serialized once
    /// per template ([`toasty_sql::SqlTemplate`]), or serializes it afresh when there is
    /// no such template or the values need other SQL text.
    fn exec_cached(&mut self, schema: &db::Schema, cached: &Cached) -> Result<Response> {
        let serializer = &self.serializer;
        let template = cached
            .template
            .driver_state(|op| serializer.template(schema, op));
        if let Some(template) = template {
            if template.check(schema, &cached.params)? {
                let mut response = ResponseBuilder::new(schema, cached.template.op());
                let params = template.params(&cached.params).map(|(v, _)| bind::Bound(v));
                run_sql(
                    &self.conn,
                    &template.sql,
                    &template.output,
                    template.param_count(),
                    params,
                    &mut response,
                    self.tx(),
                )?;
                return Ok(response.finish());
            }
        }
        let op = cached.clone().into_operation()?;
        self.exec_statements(schema, &op)
    }

    /// Serializes `op` and runs its statements, several of them atomically: in their own
    /// transaction, or inside a savepoint when a user transaction is open (a `BEGIN`
    /// there would fail).
    fn exec_statements(&mut self, schema: &db::Schema, op: &Operation) -> Result<Response> {
        let statements = self.serializer.serialize(schema, op)?;
        let mut response = ResponseBuilder::new(schema, op);
        let tx = self.tx();
        if statements.len() > 1 && tx != Tx::None {
            // Dropped without `commit` (on an error), it rolls back to the savepoint and
            // releases it, leaving the user's transaction as it was.
            let savepoint = self
                .conn
                .savepoint_with_name(OPERATION_SAVEPOINT)
                .map_err(|e| error::map_in(e, "SAVEPOINT", tx))?;
            for statement in &statements {
                run(&savepoint, statement, &mut response, tx)?;
            }
            savepoint
                .commit()
                .map_err(|e| error::map_in(e, "RELEASE SAVEPOINT", tx))?;
        } else if statements.len() > 1 {
            let transaction = self
                .conn
                .transaction()
                .map_err(|e| error::map(e, "BEGIN"))?;
            for statement in &statements {
                run(&transaction, statement, &mut response, tx)?;
            }
            transaction.commit().map_err(|e| error::map(e, "COMMIT"))?;
        } else {
            for statement in &statements {
                run(&self.conn, statement, &mut response, tx)?;
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
fn run(
    conn: &RawConnection,
    statement: &Statement,
    response: &mut ResponseBuilder,
    tx: Tx,
) -> Result<()> {
    if statement.params.iter().any(|p| p.array.is_some()) {
        return Err(Error::invalid_statement(
            "an array parameter reached the SQLite driver; only the PostgreSQL dialect \
             writes them",
        ));
    }
    let params = statement.params.iter().map(|p| bind::Bound(&p.value));
    run_sql(
        conn,
        &statement.sql,
        &statement.output,
        statement.params.len(),
        params,
        response,
        tx,
    )
}

/// Runs `sql` with `params` and feeds its result (`output`) to `response`.
fn run_sql<'a>(
    conn: &RawConnection,
    sql: &str,
    output: &Output,
    count: usize,
    params: impl Iterator<Item = bind::Bound<'a>>,
    response: &mut ResponseBuilder,
    tx: Tx,
) -> Result<()> {
    toasty_sql::trace_sql(sql, count);
    if *output == Output::Nothing {
        // DDL runs once; it is not worth a cache slot.
        conn.execute(sql, params_from_iter(params))
            .map_err(|e| error::map_in(e, sql, tx))?;
        return Ok(());
    }
    let mut stmt = conn
        .prepare_cached(sql)
        .map_err(|e| error::map_in(e, sql, tx))?;
    match output {
        Output::Nothing | Output::Affected => {
            let n = stmt
                .execute(params_from_iter(params))
                .map_err(|e| error::map_in(e, sql, tx))?;
            response.add_count(n as u64);
        }
        Output::Count => {
            let n: i64 = stmt
                .query_row(params_from_iter(params), |row| row.get(0))
                .map_err(|e| error::map_in(e, sql, tx))?;
            response.add_count(u64::try_from(n).unwrap_or(0));
        }
        Output::Rows(types) => {
            let mut rows = stmt
                .query(params_from_iter(params))
                .map_err(|e| error::map_in(e, sql, tx))?;
            let mut out = RowSet::with_capacity(types.len(), 0);
            while let Some(row) = rows.next().map_err(|e| error::map_in(e, sql, tx))? {
                let values = out.cells_mut();
                for (i, ty) in types.iter().enumerate() {
                    let cell = row.get_ref(i).map_err(|e| error::map_in(e, sql, tx))?;
                    decode::decode_into(cell, *ty, i, values)?;
                }
                out.end_row();
            }
            response.add_row_set(out);
        }
    }
    Ok(())
}

//! [`MysqlConnection`]: one `mysql_async` connection executing Toasty operations.
//!
//! Every operation runs under a time limit (an [`OperationClock`]: no runtime timer per
//! operation); a connection that timed out or lost its
//! server is closed, so later operations fail fast with a
//! [`toasty_core::ErrorKind::Connection`] error and the pool's validity check drops it.
//!
//! The connection also tracks the user transaction open on it (a
//! [`TransactionState`]): transaction control runs as its plan says, and while a
//! transaction is open an operation of several statements runs inside a savepoint
//! instead of its own transaction.

use crate::driver::PING_TIMEOUT;
use crate::run::{
    begin, commit, release, rollback, rollback_to_savepoint, run, savepoint, Outcome,
};
use crate::session::Session;
use crate::{error, returning, run};
use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use std::fmt::Display;
use std::time::Duration;
use toasty_core::driver::{Connection, Operation, OperationClock, RawSql, Response, TransactionOp};
use toasty_core::schema::db;
use toasty_core::{Error, Result};
use toasty_sql::{
    Output, ResponseBuilder, Serializer, Statement, TransactionPlan, TransactionState,
};

/// One Toasty connection to MySQL or MariaDB.
pub struct MysqlConnection {
    /// `None` once the connection failed or timed out.
    session: Option<Session>,
    serializer: Serializer,
    auto_increment_step: u64,
    clock: OperationClock,
    transaction: TransactionState,
}

impl MysqlConnection {
    pub(crate) fn new(
        conn: Conn,
        serializer: Serializer,
        auto_increment_step: u64,
        timeout: Duration,
    ) -> MysqlConnection {
        MysqlConnection {
            session: Some(Session::new(conn)),
            serializer,
            auto_increment_step,
            clock: OperationClock::new(timeout),
            transaction: TransactionState::new(),
        }
    }

    /// Runs one transaction-control step as [`TransactionState::plan`] says.
    async fn transaction_step(&mut self, step: &TransactionOp) -> Result<Response> {
        // A lost connection is reported as such, not as "no transaction is open".
        let Some(conn) = self.session.as_mut() else {
            return Err(closed());
        };
        let plan = self.transaction.plan(&self.serializer, step)?;
        let result = match self.clock.run(control(conn, &plan)).await {
            Ok(result) => result,
            Err(_) => Err(error::timeout(&"transaction control", self.clock.limit())),
        };
        self.transaction.finish(step, result.is_ok());
        if let Err(e) = &result {
            self.failed(e);
        }
        result?;
        match plan.refusal {
            Some(e) => Err(e),
            None => Ok(Response::Count(0)),
        }
    }

    /// Records a failed operation: a lost connection is never reused, and a
    /// serialization failure ends the user transaction (a deadlock has rolled it back).
    fn failed(&mut self, e: &Error) {
        if e.is_connection() {
            // The connection's state is unknown: never reuse it.
            self.session = None;
            self.transaction.clear();
        } else {
            self.transaction.note_error(e);
        }
    }

    /// The TLS cipher of this connection as the server reports it (the session's
    /// `Ssl_cipher` status), or `None` when the connection is not encrypted.
    pub async fn tls_cipher(&mut self) -> Result<Option<String>> {
        const SQL: &str = "SHOW SESSION STATUS LIKE 'Ssl_cipher'";
        let Some(session) = self.session.as_mut() else {
            return Err(closed());
        };
        let row: Option<(String, String)> =
            match self.clock.run(session.conn.query_first(SQL)).await {
                Ok(row) => row.map_err(|e| error::map(e, &"reading the TLS status"))?,
                Err(_) => {
                    return Err(error::timeout(
                        &"reading the TLS status",
                        self.clock.limit(),
                    ))
                }
            };
        Ok(row.map(|(_, cipher)| cipher).filter(|c| !c.is_empty()))
    }

    /// The collation string columns are created with.
    pub fn collation(&self) -> &str {
        self.serializer.mysql_collation()
    }
}

/// The table an operation works on (`None` for transaction control and
/// multi-table writes).
fn table_of(op: &Operation) -> Option<db::TableId> {
    Some(match op {
        Operation::CreateTable(o) => o.table,
        Operation::DropTable(o) => o.table,
        Operation::Insert(o) => o.table,
        Operation::Select(o) => o.table,
        Operation::Update(o) => o.table,
        Operation::Delete(o) => o.table,
        Operation::GetByKey(o) => o.table,
        Operation::QueryPk(o) => o.table,
        Operation::UpdateByKey(o) => o.table,
        Operation::DeleteByKey(o) => o.table,
        Operation::Cached(c) => return table_of(c.template.op()),
        Operation::Transaction(_) | Operation::TransactWrite(_) => return None,
    })
}

/// One operation ready to run: the operation, its table and its serialized statements,
/// with what running them needs besides the connection.
struct Job<'a> {
    serializer: &'a Serializer,
    step: u64,
    schema: &'a db::Schema,
    table: &'a db::Table,
    op: &'a Operation,
    statements: &'a [Statement],
    context: &'a (dyn Display + Sync),
}

/// The error for an operation on a connection closed after a failure.
fn closed() -> Error {
    Error::connection(
        "this MySQL connection was closed after an earlier connection failure or timeout; \
         open a new one",
    )
}

/// Runs a transaction plan's statements (text protocol: no parameters, nothing worth
/// preparing); when one fails, its cleanup runs, errors ignored.
async fn control(conn: &mut Session, plan: &TransactionPlan) -> Result<()> {
    for statement in &plan.statements {
        toasty_sql::trace_sql(&statement.sql, 0);
        if let Err(e) = conn.conn.query_drop(&statement.sql).await {
            let e = error::map(
                e,
                &format!(
                    "transaction control `{}`",
                    toasty_sql::shorten_sql(&statement.sql)
                ),
            );
            if !e.is_connection() {
                for cleanup in &plan.cleanup {
                    let _ = conn.conn.query_drop(&cleanup.sql).await;
                }
            }
            return Err(e);
        }
    }
    Ok(())
}

/// Executes `op`: serialize, then run its statements (several in one transaction, or
/// in a savepoint when `user_transaction`: a user transaction is open).
async fn exec_op(
    conn: &mut Session,
    serializer: &Serializer,
    step: u64,
    schema: &db::Schema,
    op: &Operation,
    user_transaction: bool,
) -> Result<Response> {
    let Some(table) = table_of(op) else {
        // TransactWrite: the serializer says why SQL drivers do not take it.
        // (Transaction control never gets here.)
        return Err(match serializer.serialize(schema, op) {
            Err(e) => e,
            Ok(_) => Error::unsupported(format!(
                "the MySQL driver does not run {} as a table operation",
                op.name()
            )),
        });
    };
    let table = schema.table(table)?;
    let context = error::Context {
        op: op.name(),
        table: &table.name,
    };
    let statements = serializer.serialize(schema, op)?;
    let emulated_update = matches!(op, Operation::Update(u) if u.returning
            && !(u.assignments.is_empty() && u.arithmetic.is_empty()));
    let ddl = statements.iter().all(|s| s.output == Output::Nothing);
    if ddl && user_transaction && !statements.is_empty() {
        return Err(Error::unsupported(format!(
            "{context}: MySQL commits the open transaction implicitly before CREATE TABLE \
             or DROP TABLE, so they cannot run inside a transaction; create and drop \
             tables outside transactions"
        )));
    }
    let transaction = !ddl && (statements.len() > 1 || emulated_update);
    let job = Job {
        serializer,
        step,
        schema,
        table,
        op,
        statements: &statements,
        context: &context,
    };
    if transaction && user_transaction {
        // Boxed for the same reason as below.
        return Box::pin(in_savepoint(conn, &job)).await;
    }
    if transaction {
        // Boxed: the transaction's extra state would otherwise enlarge (and be moved
        // with) the future of every single-statement operation.
        return Box::pin(in_transaction(conn, &job)).await;
    }
    run_all(conn, &job).await
}

/// [`run_all`] inside a savepoint of the open user transaction, rolled back to on
/// failure (unless the connection itself failed).
async fn in_savepoint(conn: &mut Session, job: &Job<'_>) -> Result<Response> {
    savepoint(conn, job.context).await?;
    match run_all(conn, job).await {
        Ok(response) => {
            release(conn, job.context).await?;
            Ok(response)
        }
        Err(e) => {
            if !e.is_connection() {
                rollback_to_savepoint(conn).await;
            }
            Err(e)
        }
    }
}

/// [`run_all`] inside `START TRANSACTION` .. `COMMIT`, rolled back on failure (unless
/// the connection itself failed: it is discarded then).
async fn in_transaction(conn: &mut Session, job: &Job<'_>) -> Result<Response> {
    begin(conn, job.context).await?;
    match run_all(conn, job).await {
        Ok(response) => {
            commit(conn, job.context).await?;
            Ok(response)
        }
        Err(e) => {
            if !e.is_connection() {
                rollback(conn).await;
            }
            Err(e)
        }
    }
}

/// Runs a job's statements in order and combines their outputs.
async fn run_all(conn: &mut Session, job: &Job<'_>) -> Result<Response> {
    let Job {
        serializer,
        step,
        schema,
        table,
        op,
        statements,
        context,
    } = *job;
    match op {
        Operation::Insert(insert) if !insert.returning.is_empty() => {
            // Writes with emulated RETURNING are boxed: their state would otherwise
            // enlarge (and be moved with) the future of every operation.
            let rows = Box::pin(returning::insert(
                conn, statements, table, insert, step, context,
            ))
            .await?;
            let mut response = ResponseBuilder::new(schema, op);
            response.add_rows(rows);
            Ok(response.finish())
        }
        Operation::Update(update)
            if update.returning
                && !(update.assignments.is_empty() && update.arithmetic.is_empty()) =>
        {
            Box::pin(returning::update(
                conn, serializer, schema, table, update, statements, context,
            ))
            .await
        }
        _ => {
            let mut response = ResponseBuilder::new(schema, op);
            for statement in statements {
                match run(conn, statement, context).await? {
                    Outcome::Nothing => {}
                    Outcome::Affected { rows, .. } | Outcome::Count(rows) => {
                        response.add_count(rows)
                    }
                    Outcome::Rows(rows) => response.add_row_set(rows),
                }
            }
            Ok(response.finish())
        }
    }
}

#[async_trait]
impl Connection for MysqlConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let op = op.uncached()?;
        if let Operation::Transaction(step) = &op {
            // Boxed: keeps the future of every ordinary operation small.
            return Box::pin(self.transaction_step(step)).await;
        }
        self.transaction.check_operation()?;
        let Some(conn) = self.session.as_mut() else {
            return Err(closed());
        };
        let fut = exec_op(
            conn,
            &self.serializer,
            self.auto_increment_step,
            schema,
            &op,
            self.transaction.is_open(),
        );
        let result = match self.clock.run(fut).await {
            Ok(result) => result,
            Err(_) => Err(error::timeout(&op.name(), self.clock.limit())),
        };
        if let Err(e) = &result {
            self.failed(e);
        }
        result
    }

    async fn exec_sql(&mut self, raw: RawSql) -> Result<Response> {
        self.transaction.check_operation()?;
        let statement = toasty_sql::raw_statement(toasty_sql::Dialect::Mysql, &raw)?;
        let Some(conn) = self.session.as_mut() else {
            return Err(closed());
        };
        let result = match self.clock.run(run::run_raw(conn, &statement)).await {
            Ok(result) => result,
            Err(_) => Err(error::timeout(&"raw SQL", self.clock.limit())),
        };
        if let Err(e) = &result {
            self.failed(e);
        }
        result
    }

    async fn is_valid(&mut self) -> bool {
        let Some(session) = self.session.as_mut() else {
            return false;
        };
        let ok = matches!(
            tokio::time::timeout(PING_TIMEOUT, session.conn.ping()).await,
            Ok(Ok(()))
        );
        if !ok {
            self.session = None;
        }
        ok
    }
}

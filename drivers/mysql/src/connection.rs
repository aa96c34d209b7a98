//! [`MysqlConnection`]: one `mysql_async` connection executing Toasty operations.
//!
//! Every operation runs under a time limit (an [`OperationClock`]: no runtime timer per
//! operation); a connection that timed out or lost its
//! server is closed, so later operations fail fast with a
//! [`toasty_core::ErrorKind::Connection`] error and the pool's validity check drops it.

use crate::driver::PING_TIMEOUT;
use crate::run::{begin, commit, rollback, run, Outcome};
use crate::session::Session;
use crate::{error, returning};
use async_trait::async_trait;
use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use std::fmt::Display;
use std::time::Duration;
use toasty_core::driver::{Connection, Operation, OperationClock, Response};
use toasty_core::schema::db;
use toasty_core::{Error, Result};
use toasty_sql::{Output, ResponseBuilder, Serializer, Statement};

/// One Toasty connection to MySQL or MariaDB.
pub struct MysqlConnection {
    /// `None` once the connection failed or timed out.
    session: Option<Session>,
    serializer: Serializer,
    auto_increment_step: u64,
    clock: OperationClock,
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
        }
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

/// Executes `op`: serialize, then run its statements (several in one transaction).
async fn exec_op(
    conn: &mut Session,
    serializer: &Serializer,
    step: u64,
    schema: &db::Schema,
    op: &Operation,
) -> Result<Response> {
    let Some(table) = table_of(op) else {
        return Err(toasty_core::Error::unsupported(format!(
            "the MySQL driver does not run {} yet",
            op.name()
        )));
    };
    let table = schema.table(table)?;
    let context = error::Context {
        op: op.name(),
        table: &table.name,
    };
    let statements = serializer.serialize(schema, op)?;
    let emulated_update =
        matches!(op, Operation::Update(u) if u.returning && !u.assignments.is_empty());
    let ddl = statements.iter().all(|s| s.output == Output::Nothing);
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
    if transaction {
        // Boxed: the transaction's extra state would otherwise enlarge (and be moved
        // with) the future of every single-statement operation.
        return Box::pin(in_transaction(conn, &job)).await;
    }
    run_all(conn, &job).await
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
        Operation::Update(update) if update.returning && !update.assignments.is_empty() => {
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
        let Some(conn) = self.session.as_mut() else {
            return Err(Error::connection(
                "this MySQL connection was closed after an earlier connection failure or \
                 timeout; open a new one",
            ));
        };
        let fut = exec_op(
            conn,
            &self.serializer,
            self.auto_increment_step,
            schema,
            &op,
        );
        let result = match self.clock.run(fut).await {
            Ok(result) => result,
            Err(_) => Err(error::timeout(&op.name(), self.clock.limit())),
        };
        if result.as_ref().is_err_and(|e| e.is_connection()) {
            // The connection's state is unknown: never reuse it.
            self.session = None;
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

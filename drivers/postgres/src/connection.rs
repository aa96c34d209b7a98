//! [`PgConnection`]: one PostgreSQL session executing Toasty operations.
//!
//! It owns the `tokio-postgres` client (whose socket is driven by a task spawned at
//! connect), a cache of prepared statements keyed by SQL text, the state of the user
//! transaction, and the rules for running an operation: serialize with `toasty-sql`,
//! bind, run several statements in one transaction (inline inside a user transaction),
//! decode, and give up with a connection error when the server does not answer in time
//! (an [`OperationClock`], not a runtime timer per operation).

use crate::bind::{bind, param_type, Bound};
use crate::{decode, error};
use async_trait::async_trait;
use rustc_hash::FxHashMap as HashMap;
use std::time::{Duration, Instant};
use toasty_core::driver::{
    Connection, Operation, OperationClock, RawSql, Response, RowSet, TransactionOp,
};
use toasty_core::schema::db;
use toasty_core::{Error, Result};
use toasty_sql::{
    Dialect, Output, ResponseBuilder, Serializer, Statement, TransactionPlan, TransactionState,
};
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls};
use tokio_postgres_rustls::MakeRustlsConnect;

/// How many prepared statements a connection keeps before it starts evicting.
const STATEMENT_CACHE: usize = 512;

/// An idle connection used more recently than this is handed out without a round trip.
const VALIDATE_AFTER_IDLE: Duration = Duration::from_secs(1);

/// How long the health check's round trip may take.
const VALIDATE_TIMEOUT: Duration = Duration::from_secs(2);

/// One connection to PostgreSQL.
pub struct PgConnection {
    client: Client,
    statements: HashMap<String, tokio_postgres::Statement>,
    serializer: Serializer,
    clock: OperationClock,
    last_ok: Instant,
    broken: bool,
    transaction: TransactionState,
    /// The TLS connector the connection was opened with (`None`: plain text), for
    /// cancel requests.
    tls: Option<MakeRustlsConnect>,
}

impl PgConnection {
    pub(crate) fn new(
        client: Client,
        operation_timeout: Duration,
        tls: Option<MakeRustlsConnect>,
    ) -> PgConnection {
        PgConnection {
            client,
            statements: HashMap::default(),
            serializer: Serializer::new(Dialect::Postgres),
            clock: OperationClock::new(operation_timeout),
            last_ok: Instant::now(),
            broken: false,
            transaction: TransactionState::new(),
            tls,
        }
    }

    /// The TLS cipher of this connection as the server reports it (`pg_stat_ssl`), or
    /// `None` when the connection is not encrypted.
    pub async fn tls_cipher(&mut self) -> Result<Option<String>> {
        const SQL: &str = "SELECT cipher FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl";
        let clock = self.clock.clone();
        let row = match clock.run(self.client.query_opt(SQL, &[])).await {
            Ok(row) => row.map_err(|e| error::map(e, SQL))?,
            Err(_) => return Err(error::timed_out("a TLS status query", clock.limit())),
        };
        match row {
            Some(row) => row
                .try_get::<_, Option<String>>(0)
                .map_err(|e| error::map(e, SQL)),
            None => Ok(None),
        }
    }

    /// Runs every statement of an operation (in one transaction when there are several).
    ///
    /// Inside a user transaction they run inline: a `BEGIN` there would only warn, and
    /// the `COMMIT` would end the user's transaction early. No savepoint is needed for
    /// atomicity: when one fails, PostgreSQL aborts the whole user transaction, which
    /// can then only be rolled back (or rolled back to a savepoint taken before).
    async fn run_all(&mut self, statements: &[Statement], out: &mut ResponseBuilder) -> Result<()> {
        if statements.len() <= 1 || self.transaction.is_open() {
            for statement in statements {
                self.run(statement, out).await?;
            }
            return Ok(());
        }
        self.client
            .batch_execute("BEGIN")
            .await
            .map_err(|e| error::map(e, "BEGIN"))?;
        for statement in statements {
            if let Err(e) = self.run(statement, out).await {
                // Best effort: on a broken connection the rollback fails too, and the
                // server rolls back when the session ends.
                let _ = self.client.batch_execute("ROLLBACK").await;
                return Err(e);
            }
        }
        self.client
            .batch_execute("COMMIT")
            .await
            .map_err(|e| error::map(e, "COMMIT"))
    }

    /// Runs a raw SQL statement (`toasty::sql`).
    async fn run_raw(&mut self, statement: &Statement) -> Result<Response> {
        let sql = statement.sql.as_str();
        toasty_sql::trace_sql(sql, statement.params.len());
        let bound = statement
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| bind(p, i + 1))
            .collect::<Result<Vec<Bound<'_>>>>()?;
        let params: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();
        let prepared = self.prepare(statement).await?;
        match &statement.output {
            Output::Rows(types) => {
                let width = prepared.columns().len();
                if !types.is_empty() && types.len() != width {
                    return Err(toasty_core::Error::invalid_statement(format!(
                        "the raw SQL query returns {width} column(s) but {} column type(s) \
                         were given",
                        types.len()
                    )));
                }
                let rows = self
                    .client
                    .query(&prepared, &params)
                    .await
                    .map_err(|e| error::map(e, sql))?;
                let mut decoded = RowSet::with_capacity(width, rows.len());
                for row in &rows {
                    if types.is_empty() {
                        decode::infer_row(row, decoded.cells_mut())?;
                    } else {
                        decode::decode_row(row, types, decoded.cells_mut())?;
                    }
                    decoded.end_row();
                }
                Ok(Response::RowSet(decoded))
            }
            _ => {
                let n = self
                    .client
                    .execute(&prepared, &params)
                    .await
                    .map_err(|e| error::map(e, sql))?;
                Ok(Response::Count(n))
            }
        }
    }

    /// Runs one statement and feeds its result to `out`.
    async fn run(&mut self, statement: &Statement, out: &mut ResponseBuilder) -> Result<()> {
        let sql = statement.sql.as_str();
        toasty_sql::trace_sql(sql, statement.params.len());
        // Encode first: a value PostgreSQL cannot take is rejected before any I/O.
        let bound = statement
            .params
            .iter()
            .enumerate()
            .map(|(i, p)| bind(p, i + 1))
            .collect::<Result<Vec<Bound<'_>>>>()?;
        let params: Vec<&(dyn ToSql + Sync)> =
            bound.iter().map(|b| b as &(dyn ToSql + Sync)).collect();

        if statement.output == Output::Nothing && params.is_empty() {
            // DDL: one simple-protocol round trip, no cache slot. Plans cached on this
            // connection may refer to the tables it changes.
            self.statements.clear();
            return self
                .client
                .batch_execute(sql)
                .await
                .map_err(|e| error::map(e, sql));
        }

        let prepared = self.prepare(statement).await?;
        let result = self.execute(&prepared, statement, &params, out).await;
        match result {
            // PostgreSQL refuses a cached plan whose result type changed (a table was
            // dropped and re-created differently by another connection): prepare again.
            // Not inside a user transaction: the error has aborted it, so a retry could
            // only fail with "current transaction is aborted".
            Err(e) if is_stale_plan(&e) && !self.transaction.is_open() => {
                self.statements.remove(sql);
                let prepared = self.prepare(statement).await?;
                self.execute(&prepared, statement, &params, out)
                    .await
                    .map_err(|e| e.into_error(sql))
            }
            other => other.map_err(|e| e.into_error(sql)),
        }
    }

    async fn execute(
        &self,
        prepared: &tokio_postgres::Statement,
        statement: &Statement,
        params: &[&(dyn ToSql + Sync)],
        out: &mut ResponseBuilder,
    ) -> std::result::Result<(), ExecError> {
        match &statement.output {
            Output::Nothing | Output::Affected => {
                let n = self.client.execute(prepared, params).await?;
                out.add_count(n);
            }
            Output::Count => {
                let row = self.client.query_one(prepared, params).await?;
                let n: i64 = row.try_get(0)?;
                out.add_count(u64::try_from(n).unwrap_or(0));
            }
            Output::Rows(types) => {
                let rows = self.client.query(prepared, params).await?;
                let mut decoded = RowSet::with_capacity(types.len(), rows.len());
                for row in &rows {
                    decode::decode_row(row, types, decoded.cells_mut())
                        .map_err(ExecError::Toasty)?;
                    decoded.end_row();
                }
                out.add_row_set(decoded);
            }
        }
        Ok(())
    }

    /// The prepared statement for `statement`, from the cache or newly prepared with
    /// every parameter declared as the PostgreSQL type of its [`toasty_sql::Param::ty`].
    async fn prepare(&mut self, statement: &Statement) -> Result<tokio_postgres::Statement> {
        if let Some(cached) = self.statements.get(&statement.sql) {
            let declared = cached.params();
            let same_types = declared.len() == statement.params.len()
                && declared
                    .iter()
                    .zip(&statement.params)
                    .all(|(d, p)| *d == param_type(p));
            if same_types {
                return Ok(cached.clone());
            }
        }
        let types: Vec<_> = statement.params.iter().map(param_type).collect();
        let prepared = self
            .client
            .prepare_typed(&statement.sql, &types)
            .await
            .map_err(|e| error::map(e, &statement.sql))?;
        if self.statements.len() >= STATEMENT_CACHE {
            // Dropping a statement closes it on the server.
            self.statements.clear();
        }
        self.statements
            .insert(statement.sql.clone(), prepared.clone());
        Ok(prepared)
    }

    /// Runs one transaction-control step as [`TransactionState::plan`] says.
    async fn transaction_step(&mut self, step: &TransactionOp) -> Result<Response> {
        let plan = self.transaction.plan(&self.serializer, step)?;
        let clock = self.clock.clone();
        let result = match clock.run(self.control(&plan)).await {
            Ok(result) => result,
            Err(_) => {
                self.broken = true;
                self.cancel_in_background();
                Err(error::timed_out("transaction control", clock.limit()))
            }
        };
        if result.as_ref().is_err_and(Error::is_connection) {
            self.broken = true;
        }
        self.transaction.finish(step, result.is_ok());
        if let Err(e) = &result {
            // A failed savepoint step aborts the transaction on the server.
            self.note_failure(e);
        }
        result?;
        self.last_ok = Instant::now();
        match plan.refusal {
            Some(e) => Err(e),
            None => Ok(Response::Count(0)),
        }
    }

    /// Runs a plan's statements (simple protocol: no parameters, nothing to cache);
    /// when one fails, its cleanup runs, errors ignored.
    async fn control(&self, plan: &TransactionPlan) -> Result<()> {
        for statement in &plan.statements {
            toasty_sql::trace_sql(&statement.sql, 0);
            if let Err(e) = self.client.batch_execute(&statement.sql).await {
                let e = error::map(e, &statement.sql);
                if !e.is_connection() {
                    for cleanup in &plan.cleanup {
                        let _ = self.client.batch_execute(&cleanup.sql).await;
                    }
                }
                return Err(e);
            }
        }
        Ok(())
    }

    /// Records in the transaction state that an operation inside it failed with `e`:
    /// a serialization failure ends the transaction, and any error the server reported
    /// aborts it (PostgreSQL then ignores everything until a rollback, to a savepoint or
    /// of the whole transaction).
    fn note_failure(&mut self, e: &Error) {
        if !self.transaction.is_open() {
            return;
        }
        self.transaction.note_error(e);
        let from_server = std::error::Error::source(e)
            .and_then(|s| s.downcast_ref::<tokio_postgres::Error>())
            .is_some_and(|pg| pg.as_db_error().is_some());
        if from_server {
            self.transaction.mark_failed();
        }
    }

    /// Asks the server to cancel whatever this connection is running (best effort, in
    /// the background).
    fn cancel_in_background(&self) {
        let token = self.client.cancel_token();
        let tls = self.tls.clone();
        tokio::spawn(async move {
            let _ = match tls {
                Some(tls) => tokio::time::timeout(VALIDATE_TIMEOUT, token.cancel_query(tls)).await,
                None => tokio::time::timeout(VALIDATE_TIMEOUT, token.cancel_query(NoTls)).await,
            };
        });
    }
}

/// An error from running a prepared statement: the database's, or a decoding failure.
enum ExecError {
    Pg(tokio_postgres::Error),
    Toasty(Error),
}

impl From<tokio_postgres::Error> for ExecError {
    fn from(e: tokio_postgres::Error) -> Self {
        ExecError::Pg(e)
    }
}

impl ExecError {
    /// The Toasty error for a failure while running `sql`.
    fn into_error(self, sql: &str) -> Error {
        match self {
            ExecError::Pg(e) => error::map(e, sql),
            ExecError::Toasty(e) => e,
        }
    }
}

fn is_stale_plan(e: &ExecError) -> bool {
    matches!(e, ExecError::Pg(pg) if pg.code().is_some_and(|c| c.code() == "0A000")
        && pg.as_db_error().is_some_and(|db| db.message().contains("cached plan")))
}

#[async_trait]
impl Connection for PgConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let op = op.uncached()?;
        if self.broken || self.client.is_closed() {
            self.broken = true;
            return Err(error::closed());
        }
        if let Operation::Transaction(step) = &op {
            // Boxed: keeps the future of every ordinary operation small.
            return Box::pin(self.transaction_step(step)).await;
        }
        self.transaction.check_operation()?;
        let statements = self.serializer.serialize(schema, &op)?;
        let mut response = ResponseBuilder::new(schema, &op);
        let clock = self.clock.clone();
        let result = clock.run(self.run_all(&statements, &mut response)).await;
        match result {
            Ok(Ok(())) => {
                self.last_ok = Instant::now();
                Ok(response.finish())
            }
            Ok(Err(e)) => {
                if e.is_connection() {
                    self.broken = true;
                } else {
                    self.note_failure(&e);
                }
                Err(e)
            }
            Err(_) => {
                self.broken = true;
                self.cancel_in_background();
                Err(error::timed_out(&format!("a {}", op.name()), clock.limit()))
            }
        }
    }

    async fn exec_sql(&mut self, raw: RawSql) -> Result<Response> {
        if self.broken || self.client.is_closed() {
            self.broken = true;
            return Err(error::closed());
        }
        self.transaction.check_operation()?;
        let statement = toasty_sql::raw_statement(Dialect::Postgres, &raw)?;
        let clock = self.clock.clone();
        let result = clock.run(self.run_raw(&statement)).await;
        match result {
            Ok(Ok(response)) => {
                self.last_ok = Instant::now();
                Ok(response)
            }
            Ok(Err(e)) => {
                if e.is_connection() {
                    self.broken = true;
                } else {
                    self.note_failure(&e);
                }
                Err(e)
            }
            Err(_) => {
                self.broken = true;
                self.cancel_in_background();
                Err(error::timed_out("raw SQL", clock.limit()))
            }
        }
    }

    async fn is_valid(&mut self) -> bool {
        if self.broken || self.client.is_closed() {
            return false;
        }
        if self.last_ok.elapsed() < VALIDATE_AFTER_IDLE {
            return true;
        }
        match tokio::time::timeout(VALIDATE_TIMEOUT, self.client.simple_query("")).await {
            Ok(Ok(_)) => {
                self.last_ok = Instant::now();
                true
            }
            _ => {
                self.broken = true;
                false
            }
        }
    }
}

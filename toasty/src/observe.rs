//! What Toasty tells a [`tracing`] subscriber: a span per statement, an event per
//! driver operation, slow statements, pool and transaction events.
//!
//! | target | level | what |
//! |---|---|---|
//! | `toasty::statement` | `debug` | span `statement` (fields `model`, `kind`, `plan`) around each statement; event `statement done` (`rows`, `duration_us`) or `statement failed` (`error_kind`, `error`) |
//! | `toasty::statement` | `warn` | `slow statement` when a statement took longer than [`crate::Builder::slow_statement_threshold`] |
//! | `toasty::driver` | `debug` | one event per driver operation: `op`, `table`, `params` (count), `rows`, `duration_us`, `error_kind`; `values` only with [`crate::Builder::log_parameters`] |
//! | `toasty::sql` | `debug` | emitted by the SQL drivers: the SQL text of each statement they run (`sql`) and its parameter count (`params`), never values |
//! | `toasty::pool` | `debug` / `info` | `checkout waited` (`wait_us`), `connection opened` (`duration_us`), `connection discarded` (after a connection error or a failed health check) |
//! | `toasty::transaction` | `debug` | `begin` / `commit` / `rollback` (and savepoints, with `depth`) |
//!
//! Values are never logged unless the `Db` was built with `.log_parameters(true)`, and
//! the values of `#[sensitive]` fields never: they print as `[redacted]`, and an error
//! whose message would quote one gets a message that does not.
//!
//! With no subscriber (or none interested in `toasty`), each check is one relaxed
//! atomic load: no span is created, no clock is read and nothing is formatted.

use crate::engine::Plan;
use crate::metrics::{Registry, StatementKind};
use std::fmt::{self, Write as _};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use toasty_core::driver::{Connection, Operation, Response, TransactionOp};
use toasty_core::schema::db::TableId;
use toasty_core::schema::Schema;
use toasty_core::stmt::Expr;
use toasty_core::{Error, Result, Value};
use tracing::{Level, Span};

/// Per-`Db` settings of what is logged.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Statements slower than this are logged at `warn` (`None`: never).
    pub(crate) slow_threshold: Option<Duration>,
    /// Log bound values (never those of `#[sensitive]` fields).
    pub(crate) log_parameters: bool,
    /// Where metrics are recorded (`None`: not collected). See `crate::metrics`.
    pub(crate) metrics: Option<Arc<Registry>>,
    /// Compiled plans by statement shape (see `engine::shape_cache`).
    pub(crate) statements: Arc<crate::engine::StatementCache>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            slow_threshold: Some(Duration::from_secs(1)),
            log_parameters: false,
            metrics: None,
            statements: Arc::new(crate::engine::StatementCache::new(
                crate::engine::DEFAULT_CACHE_CAPACITY,
            )),
        }
    }
}

/// What the engine carries through one run: whether anything reached the driver, and
/// whether bound values may be logged.
#[derive(Debug, Default)]
pub(crate) struct Run {
    /// `true` once any operation has reached the driver.
    pub(crate) sent: bool,
    /// From [`Settings::log_parameters`].
    pub(crate) log_parameters: bool,
    /// From [`Settings::metrics`].
    pub(crate) metrics: Option<Arc<Registry>>,
}

impl Run {
    pub(crate) fn new(settings: &Settings) -> Run {
        Run {
            sent: false,
            log_parameters: settings.log_parameters,
            metrics: settings.metrics.clone(),
        }
    }
}

/// The text that replaces a sensitive value.
pub(crate) const REDACTED: &str = "[redacted]";

/// Prints `[redacted]` (the `Debug` of a `#[sensitive]` field).
#[doc(hidden)]
pub struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Runs one driver operation: the only way the engine reaches a driver. Logs it at
/// `debug` (target `toasty::driver`) and keeps `#[sensitive]` values out of its error.
/// When nobody listens and the table has no sensitive column, this is the driver's own
/// future, with no layer added.
pub(crate) fn exec_op<'a>(
    conn: &'a mut dyn Connection,
    schema: &'a Schema,
    op: Operation,
    run: &mut Run,
) -> Pin<Box<dyn Future<Output = Result<Response>> + Send + 'a>> {
    run.sent = true;
    let secret = !schema.sensitive.is_empty()
        && table_of(&op).is_some_and(|t| !schema.sensitive_columns(t).is_empty());
    let logging = tracing::enabled!(target: "toasty::driver", Level::DEBUG);
    if !logging && !secret && run.metrics.is_none() {
        return conn.exec(&schema.db, op);
    }
    Box::pin(exec_op_observed(
        conn,
        schema,
        op,
        run.log_parameters,
        logging,
        run.metrics.clone(),
    ))
}

/// `true` when someone listens to statements: at `debug`, or at `warn` with a slow
/// threshold set. Two atomic loads when nobody does.
#[inline]
pub(crate) fn watching(settings: &Settings) -> bool {
    settings.metrics.is_some()
        || tracing::enabled!(target: "toasty::statement", Level::DEBUG)
        || (settings.slow_threshold.is_some()
            && tracing::enabled!(target: "toasty::statement", Level::WARN))
}

async fn exec_op_observed(
    conn: &mut dyn Connection,
    schema: &Schema,
    op: Operation,
    log_parameters: bool,
    logging: bool,
    metrics: Option<Arc<Registry>>,
) -> Result<Response> {
    if !logging && metrics.is_some() && schema.sensitive.is_empty() {
        // Counted only: no text is prepared.
        let start = Instant::now();
        let kind = crate::metrics::op_kind(&op);
        let result = conn.exec(&schema.db, op).await;
        if let Some(m) = &metrics {
            m.operation(kind, start, result.as_ref().ok().map(response_rows));
        }
        return result;
    }
    // What is logged (and redacted) is the operation a cached one stands for.
    let op = op.uncached()?;
    let table = table_of(&op);
    let sensitive: &[usize] = table.map_or(&[], |t| schema.sensitive_columns(t));
    let secrets: Vec<String> = if sensitive.is_empty() {
        Vec::new()
    } else {
        params(&op)
            .into_iter()
            .filter(|(c, _)| c.is_some_and(|c| sensitive.contains(&c)))
            .flat_map(|(_, v)| value_texts(v))
            .collect()
    };
    let name = op.name();
    let table_name = table
        .and_then(|t| schema.db.table(t).ok())
        .map_or("", |t| t.name.as_str());
    let (count, values) = if logging {
        let params = params(&op);
        let values = log_parameters.then(|| format_values(&params, sensitive));
        (params.len(), values)
    } else {
        (0, None)
    };
    let kind = crate::metrics::op_kind(&op);
    let start = Instant::now();
    let result = conn.exec(&schema.db, op).await;
    let duration_us = start.elapsed().as_micros() as u64;
    if let Some(m) = &metrics {
        m.operation(kind, start, result.as_ref().ok().map(response_rows));
    }
    let result = result.map_err(|e| redact_error(e, &secrets, table_name));
    if logging {
        match &result {
            Ok(response) => {
                let rows = response_rows(response);
                match &values {
                    Some(values) => tracing::debug!(
                        target: "toasty::driver", op = name, table = table_name,
                        params = count, values = %values, rows, duration_us, "driver operation"
                    ),
                    None => tracing::debug!(
                        target: "toasty::driver", op = name, table = table_name,
                        params = count, rows, duration_us, "driver operation"
                    ),
                }
            }
            Err(e) => match &values {
                Some(values) => tracing::debug!(
                    target: "toasty::driver", op = name, table = table_name, params = count,
                    values = %values, duration_us, error_kind = e.kind().as_str(),
                    error = %e.message(), "driver operation failed"
                ),
                None => tracing::debug!(
                    target: "toasty::driver", op = name, table = table_name, params = count,
                    duration_us, error_kind = e.kind().as_str(), error = %e.message(),
                    "driver operation failed"
                ),
            },
        }
    }
    result
}

/// Logs a transaction-control step (target `toasty::transaction`, `debug`).
pub(crate) fn transaction(op: &TransactionOp, result: &Result<Response>) {
    if !tracing::enabled!(target: "toasty::transaction", Level::DEBUG) {
        return;
    }
    let (what, depth) = match op {
        TransactionOp::Begin { .. } => ("begin", 0),
        TransactionOp::Commit => ("commit", 0),
        TransactionOp::Rollback => ("rollback", 0),
        TransactionOp::Savepoint(d) => ("savepoint", *d),
        TransactionOp::ReleaseSavepoint(d) => ("release savepoint", *d),
        TransactionOp::RollbackToSavepoint(d) => ("rollback to savepoint", *d),
    };
    match (op, result) {
        (
            TransactionOp::Begin {
                isolation,
                read_only,
            },
            Ok(_),
        ) => tracing::debug!(
            target: "toasty::transaction",
            isolation = isolation.map_or("default", |l| l.sql_name()),
            read_only, "begin"
        ),
        (_, Ok(_)) => tracing::debug!(target: "toasty::transaction", depth, "{what}"),
        (_, Err(e)) => tracing::debug!(
            target: "toasty::transaction", depth, error_kind = e.kind().as_str(),
            error = %e.message(), "{what} failed"
        ),
    }
}

/// [`transaction`], passing the result on.
pub(crate) fn transaction_done(op: &TransactionOp, result: Result<Response>) -> Result<Response> {
    transaction(op, &result);
    result
}

/// The table an operation works on.
pub(crate) fn table_of(op: &Operation) -> Option<TableId> {
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

/// The values an operation binds, each with the column it is stored into or compared
/// with when there is one.
pub(crate) fn params(op: &Operation) -> Vec<(Option<usize>, &Value)> {
    let mut out = Vec::new();
    match op {
        Operation::Insert(o) => {
            for row in &o.rows {
                for (c, v) in o.columns.iter().zip(row) {
                    out.push((Some(*c), v));
                }
            }
        }
        Operation::Select(o) => expr_params(&o.filter, &mut out),
        Operation::Update(o) => {
            for (c, v) in &o.assignments {
                out.push((Some(*c), v));
            }
            for (c, a) in &o.arithmetic {
                out.push((Some(*c), &a.operand));
            }
            expr_params(&o.filter, &mut out);
        }
        Operation::Delete(o) => expr_params(&o.filter, &mut out),
        Operation::UpdateByKey(o) => {
            for (c, v) in &o.assignments {
                out.push((Some(*c), v));
            }
            for key in &o.keys {
                out.extend(key.iter().map(|v| (None, v)));
            }
        }
        Operation::GetByKey(o) => {
            for key in &o.keys {
                out.extend(key.iter().map(|v| (None, v)));
            }
        }
        Operation::DeleteByKey(o) => {
            for key in &o.keys {
                out.extend(key.iter().map(|v| (None, v)));
            }
        }
        Operation::QueryPk(o) => {
            out.push((None, &o.partition));
            if let Some(sort) = &o.sort {
                expr_params(sort, &mut out);
            }
        }
        // `exec_op_observed` runs cached operations as what they stand for.
        Operation::CreateTable(_)
        | Operation::DropTable(_)
        | Operation::Transaction(_)
        | Operation::TransactWrite(_)
        | Operation::Cached(_) => {}
    }
    out
}

fn expr_params<'a>(expr: &'a Expr, out: &mut Vec<(Option<usize>, &'a Value)>) {
    match expr {
        Expr::Value(v) => out.push((None, v)),
        Expr::Field(_) | Expr::Column(_) => {}
        Expr::Binary { lhs, rhs, .. } => match (&**lhs, &**rhs) {
            (Expr::Column(c), Expr::Value(v)) | (Expr::Value(v), Expr::Column(c)) => {
                out.push((Some(*c), v))
            }
            _ => {
                expr_params(lhs, out);
                expr_params(rhs, out);
            }
        },
        Expr::And(list) | Expr::Or(list) => list.iter().for_each(|e| expr_params(e, out)),
        Expr::Not(e) | Expr::IsNull(e) => expr_params(e, out),
        Expr::InList { expr, list } => {
            let column = match &**expr {
                Expr::Column(c) => Some(*c),
                _ => None,
            };
            expr_params(expr, out);
            out.extend(list.iter().map(|v| (column, v)));
        }
        Expr::Pattern { expr, .. } => {
            // The pattern is a string, not a `Value`: it is counted, never logged.
            expr_params(expr, out);
        }
        Expr::Related { filter, .. } => inner_params(filter, out),
        Expr::InSelect { lhs, select } => {
            lhs.iter().for_each(|e| expr_params(e, out));
            inner_params(&select.filter, out);
        }
    }
}

/// The values of a sub-select's filter, which is over another table: they are listed
/// redacted (their columns' sensitivity is not looked up).
fn inner_params<'a>(expr: &'a Expr, out: &mut Vec<(Option<usize>, &'a Value)>) {
    let mut inner = Vec::new();
    expr_params(expr, &mut inner);
    out.extend(inner.into_iter().map(|(_, v)| (Some(SUBSELECT), v)));
}

/// The column marker of values inside a sub-select: always redacted.
const SUBSELECT: usize = usize::MAX;

/// `[v1, v2, ..]` with the values of sensitive columns redacted.
fn format_values(params: &[(Option<usize>, &Value)], sensitive: &[usize]) -> String {
    let mut out = String::from("[");
    for (i, (column, value)) in params.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if column.is_some_and(|c| c == SUBSELECT || sensitive.contains(&c)) {
            out.push_str(REDACTED);
        } else {
            let _ = write!(out, "{value:?}");
        }
    }
    out.push(']');
    out
}

/// The texts a message could quote a value as.
fn value_texts(value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    match value {
        Value::Null | Value::Bool(_) => {}
        Value::String(s) => {
            if !s.is_empty() {
                out.push(s.clone());
                let debug = format!("{s:?}");
                out.push(debug[1..debug.len() - 1].to_string());
            }
        }
        Value::I64(n) | Value::Timestamp(n) => out.push(n.to_string()),
        Value::U64(n) => out.push(n.to_string()),
        Value::F64(f) => out.push(f.to_string()),
        Value::Uuid(u) => {
            out.push(u.to_string());
            out.push(u.simple().to_string());
        }
        Value::Bytes(b) => {
            if let Ok(s) = std::str::from_utf8(b) {
                out.push(s.to_string());
            }
            out.push(format!("{:?}", Value::Bytes(b.clone())));
        }
    }
    out.retain(|t| !t.is_empty());
    out
}

/// An error whose message (or source) quotes one of `secrets` gets a message that
/// does not, and loses its source; a unique violation on a table with sensitive columns
/// always does (databases quote the conflicting key).
fn redact_error(error: Error, secrets: &[String], table: &str) -> Error {
    if secrets.is_empty() {
        return error;
    }
    let mut text = error.message().to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(s) = source {
        let _ = write!(text, " {s}");
        source = s.source();
    }
    let quotes = secrets.iter().any(|s| text.contains(s.as_str()));
    if !quotes && !error.is_unique_violation() {
        return error;
    }
    let what = match error.kind() {
        toasty_core::ErrorKind::UniqueViolation => {
            "a row with the same key or unique value already exists"
        }
        _ => "the database refused the statement",
    };
    Error::new(
        error.kind(),
        format!(
            "`{table}`: {what} (the database's message is withheld because it could show \
             the value of a #[sensitive] field)"
        ),
    )
}

fn response_rows(response: &Response) -> u64 {
    match response {
        Response::Rows(rows) => rows.len() as u64,
        Response::RowSet(set) => set.len() as u64,
        Response::Count(n) => *n,
    }
}

/// The `statement` span and timing of one statement (or batch), and its metrics.
pub(crate) struct Watch {
    span: Span,
    start: Option<Instant>,
    /// `true` when a subscriber listens (the span or the slow-statement warning).
    listening: bool,
    slow: Option<Duration>,
    kind: &'static str,
    metrics: Option<Arc<Registry>>,
    /// The model name and the plan summary, kept only when someone listens.
    model: String,
    plan: String,
}

impl Watch {
    /// Starts watching a statement of `kind` on `model` (a name). Costs two atomic
    /// loads when nobody listens and no metrics are collected.
    pub(crate) fn start(settings: &Settings, model: &str, kind: &'static str) -> Watch {
        let span = tracing::debug_span!(
            target: "toasty::statement", "statement",
            model = %model, kind, plan = tracing::field::Empty
        );
        let slow = settings
            .slow_threshold
            .filter(|_| tracing::enabled!(target: "toasty::statement", Level::WARN));
        let listening = !span.is_disabled() || slow.is_some();
        let metrics = settings.metrics.clone();
        Watch {
            span,
            start: (listening || metrics.is_some()).then(Instant::now),
            listening,
            slow,
            kind,
            metrics,
            model: if listening {
                model.to_string()
            } else {
                String::new()
            },
            plan: String::new(),
        }
    }

    /// `true` if anyone listens.
    pub(crate) fn is_on(&self) -> bool {
        self.listening
    }

    /// The span to run the statement in.
    pub(crate) fn span(&self) -> &Span {
        &self.span
    }

    /// Records the compiled plans' summary.
    pub(crate) fn planned(&mut self, schema: &Schema, plans: &[Plan]) {
        if !self.is_on() {
            return;
        }
        self.plan = plans
            .iter()
            .map(|p| p.summary(schema))
            .collect::<Vec<_>>()
            .join("; ");
        self.span.record("plan", self.plan.as_str());
    }

    /// Logs how the statement ended and passes its result on.
    pub(crate) fn finish<T: Counted>(self, result: Result<T>) -> Result<T> {
        let Some(start) = self.start else {
            return result;
        };
        let elapsed = start.elapsed();
        if let Some(m) = &self.metrics {
            m.statement(
                StatementKind::from_name(self.kind),
                elapsed,
                result.as_ref().ok().map(Counted::counted),
            );
        }
        if !self.listening {
            return result;
        }
        let duration_us = elapsed.as_micros() as u64;
        {
            let _entered = self.span.enter();
            match &result {
                Ok(out) => tracing::debug!(
                    target: "toasty::statement", rows = out.counted(), duration_us,
                    "statement done"
                ),
                Err(e) => tracing::debug!(
                    target: "toasty::statement", error_kind = e.kind().as_str(),
                    error = %e.message(), duration_us, "statement failed"
                ),
            }
        }
        if let Some(limit) = self.slow {
            if elapsed > limit {
                tracing::warn!(
                    target: "toasty::statement",
                    model = %self.model,
                    kind = self.kind,
                    plan = %self.plan,
                    duration_ms = elapsed.as_secs_f64() * 1000.0,
                    threshold_ms = limit.as_secs_f64() * 1000.0,
                    "slow statement"
                );
            }
        }
        result
    }
}

/// How many records (or the count) a statement's result holds, for logs.
pub(crate) trait Counted {
    fn counted(&self) -> u64;
}

impl Counted for crate::engine::Outcome {
    fn counted(&self) -> u64 {
        self.count()
    }
}

impl Counted for Vec<crate::engine::Outcome> {
    fn counted(&self) -> u64 {
        self.iter().map(|o| o.count()).sum()
    }
}

impl Counted for Response {
    fn counted(&self) -> u64 {
        response_rows(self)
    }
}

impl Counted for u64 {
    fn counted(&self) -> u64 {
        *self
    }
}

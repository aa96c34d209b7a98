//! Running serialized [`Statement`]s on a `mysql_async` connection: binding, the
//! prepared-statement cache, decoding, and the transactions (or savepoints) that make an
//! operation of several statements atomic.

use crate::session::Session;
use crate::{bind, decode, error};
use mysql_async::prelude::Queryable;
use mysql_async::{Row, Value as My};
use std::fmt::Display;
use toasty_core::driver::{Response, RowSet};
use toasty_core::{Error, Result};
use toasty_sql::{Output, Statement};

/// What one statement produced.
pub(crate) enum Outcome {
    /// DDL ran.
    Nothing,
    /// A write: affected (matched, with `CLIENT_FOUND_ROWS`) rows and the first
    /// generated auto-increment id, if any.
    Affected { rows: u64, last_id: Option<u64> },
    /// A `COUNT(*)`.
    Count(u64),
    /// Decoded rows.
    Rows(RowSet),
}

/// Runs one statement, prepared through the session's cache (DDL without parameters
/// runs unprepared: it runs once and is not worth a cache slot). `context` names the
/// operation and table for error messages.
pub(crate) async fn run(
    session: &mut Session,
    statement: &Statement,
    context: &(dyn Display + Sync),
) -> Result<Outcome> {
    let sql = statement.sql.as_str();
    toasty_sql::trace_sql(sql, statement.params.len());
    let params = bind::params(&statement.params)?;
    let fail = |e| error::map(e, context);
    if statement.output == Output::Nothing && statement.params.is_empty() {
        session.conn.query_drop(sql).await.map_err(fail)?;
        return Ok(Outcome::Nothing);
    }
    let prepared = session.prepared(sql).await.map_err(fail)?;
    let conn = &mut session.conn;
    match &statement.output {
        Output::Nothing => {
            conn.exec_drop(&prepared, params).await.map_err(fail)?;
            Ok(Outcome::Nothing)
        }
        Output::Affected => {
            conn.exec_drop(&prepared, params).await.map_err(fail)?;
            Ok(Outcome::Affected {
                rows: conn.affected_rows(),
                last_id: conn.last_insert_id().filter(|&id| id != 0),
            })
        }
        Output::Count => {
            let row: Option<Row> = conn.exec_first(&prepared, params).await.map_err(fail)?;
            let n = row
                .and_then(|mut r| r.take::<My, _>(0))
                .and_then(|v| match v {
                    My::Int(n) => u64::try_from(n).ok(),
                    My::UInt(n) => Some(n),
                    _ => None,
                })
                .ok_or_else(|| {
                    Error::driver(format!("{context}: COUNT(*) did not return an integer"))
                })?;
            Ok(Outcome::Count(n))
        }
        Output::Rows(types) => {
            // Rows are decoded as they arrive (no `Vec<Row>`); the fold's future is
            // boxed by mysql_async, which keeps this function's future small. The
            // first decoding error stops decoding and is returned after the result
            // set has been read to its end.
            let decoded = conn
                .exec_fold(
                    &prepared,
                    params,
                    Ok(RowSet::with_capacity(types.len(), 1)),
                    |acc: Result<RowSet>, row: Row| {
                        acc.and_then(|mut out| {
                            decode_row(row, types, context, out.cells_mut())?;
                            out.end_row();
                            Ok(out)
                        })
                    },
                )
                .await
                .map_err(fail)?;
            Ok(Outcome::Rows(decoded?))
        }
    }
}

/// Runs a raw SQL statement (`toasty::sql`): rows, or the affected count.
pub(crate) async fn run_raw(session: &mut Session, statement: &Statement) -> Result<Response> {
    let context: &(dyn Display + Sync) = &"raw SQL";
    if !matches!(&statement.output, Output::Rows(types) if types.is_empty()) {
        return Ok(match run(session, statement, context).await? {
            Outcome::Nothing => Response::Count(0),
            Outcome::Affected { rows, .. } => Response::Count(rows),
            Outcome::Count(n) => Response::Count(n),
            Outcome::Rows(set) => Response::RowSet(set),
        });
    }
    // Column types from the result's metadata.
    let sql = statement.sql.as_str();
    toasty_sql::trace_sql(sql, statement.params.len());
    let params = bind::params(&statement.params)?;
    let fail = |e| error::map(e, context);
    let prepared = session.prepared(sql).await.map_err(fail)?;
    let width = prepared.columns().len();
    let decoded = session
        .conn
        .exec_fold(
            &prepared,
            params,
            Ok(RowSet::with_capacity(width, 1)),
            |acc: Result<RowSet>, row: Row| {
                acc.and_then(|mut out| {
                    infer_row(row, out.cells_mut())?;
                    out.end_row();
                    Ok(out)
                })
            },
        )
        .await
        .map_err(fail)?;
    Ok(Response::RowSet(decoded?))
}

/// Decodes a row by what MySQL says of each column: integers as `I64`, floats as
/// `F64`, binary strings as `Bytes`, other strings as `String`, dates as timestamps.
fn infer_row(mut row: Row, out: &mut Vec<toasty_core::Value>) -> Result<()> {
    use toasty_core::{Type, Value};
    let binary: Vec<bool> = row
        .columns_ref()
        .iter()
        .map(|c| c.character_set() == 63)
        .collect();
    for (i, is_binary) in binary.into_iter().enumerate() {
        let cell = row.take::<My, _>(i).unwrap_or(My::NULL);
        let value = match cell {
            My::NULL => Value::Null,
            My::Int(n) => Value::I64(n),
            My::UInt(n) => Value::from_u64(n),
            My::Float(f) => Value::F64(f.into()),
            My::Double(f) => Value::F64(f),
            My::Bytes(b) if is_binary => Value::Bytes(b),
            My::Bytes(b) => Value::String(String::from_utf8(b).map_err(|_| {
                Error::invalid_value(format!(
                    "raw SQL result column #{i} holds text that is not valid UTF-8"
                ))
            })?),
            date @ My::Date(..) => decode::decode(date, Type::Timestamp, i)?,
            My::Time(..) => {
                return Err(Error::invalid_value(format!(
                    "raw SQL result column #{i} is a TIME, which Toasty does not read; cast it \
                     to a string"
                )))
            }
        };
        out.push(value);
    }
    Ok(())
}

/// Decodes one result row of column types `types`, appending its cells to `out`.
fn decode_row(
    mut row: Row,
    types: &[toasty_core::Type],
    context: &(dyn Display + Sync),
    out: &mut Vec<toasty_core::Value>,
) -> Result<()> {
    for (i, ty) in types.iter().enumerate() {
        let cell = row.take::<My, _>(i).ok_or_else(|| {
            Error::driver(format!(
                "{context}: the result has no column #{i} (expected {})",
                types.len()
            ))
        })?;
        decode::decode_into(cell, *ty, i, out)?;
    }
    Ok(())
}

/// Starts a transaction.
pub(crate) async fn begin(session: &mut Session, context: &(dyn Display + Sync)) -> Result<()> {
    session
        .conn
        .query_drop("START TRANSACTION")
        .await
        .map_err(|e| error::map(e, context))
}

/// Commits the transaction.
pub(crate) async fn commit(session: &mut Session, context: &(dyn Display + Sync)) -> Result<()> {
    session
        .conn
        .query_drop("COMMIT")
        .await
        .map_err(|e| error::map(e, context))
}

/// Rolls the transaction back after a failure. A failing rollback is ignored: the
/// original error is what the caller reports, and a broken connection is discarded.
pub(crate) async fn rollback(session: &mut Session) {
    let _ = session.conn.query_drop("ROLLBACK").await;
}

/// Makes an operation of several statements atomic inside a user transaction, where a
/// `START TRANSACTION` would commit the user's work: its own savepoint (user savepoints
/// are `toasty_sp<n>`).
pub(crate) async fn savepoint(session: &mut Session, context: &(dyn Display + Sync)) -> Result<()> {
    session
        .conn
        .query_drop("SAVEPOINT toasty_op")
        .await
        .map_err(|e| error::map(e, context))
}

/// Releases the operation's savepoint, keeping its work in the user's transaction.
pub(crate) async fn release(session: &mut Session, context: &(dyn Display + Sync)) -> Result<()> {
    session
        .conn
        .query_drop("RELEASE SAVEPOINT toasty_op")
        .await
        .map_err(|e| error::map(e, context))
}

/// Undoes the operation after a failure, leaving the user's transaction as it was
/// before it. Failures are ignored as in [`rollback`] (after a deadlock MySQL has rolled
/// back the whole transaction, savepoint included).
pub(crate) async fn rollback_to_savepoint(session: &mut Session) {
    if session
        .conn
        .query_drop("ROLLBACK TO SAVEPOINT toasty_op")
        .await
        .is_ok()
    {
        let _ = session.conn.query_drop("RELEASE SAVEPOINT toasty_op").await;
    }
}

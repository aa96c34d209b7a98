//! Running serialized [`Statement`]s on a `mysql_async` connection: binding, the
//! prepared-statement cache, decoding, and transactions.

use crate::{bind, decode, error};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row, Value as My};
use std::fmt::Display;
use toasty_core::driver::RowSet;
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

/// Runs one statement. `context` names the operation and table for error messages.
pub(crate) async fn run(
    conn: &mut Conn,
    statement: &Statement,
    context: &(dyn Display + Sync),
) -> Result<Outcome> {
    let sql = statement.sql.as_str();
    let params = bind::params(&statement.params)?;
    let fail = |e| error::map(e, context);
    match &statement.output {
        Output::Nothing => {
            if statement.params.is_empty() {
                // DDL runs once; it is not worth a cache slot.
                conn.query_drop(sql).await.map_err(fail)?;
            } else {
                conn.exec_drop(sql, params).await.map_err(fail)?;
            }
            Ok(Outcome::Nothing)
        }
        Output::Affected => {
            conn.exec_drop(sql, params).await.map_err(fail)?;
            Ok(Outcome::Affected {
                rows: conn.affected_rows(),
                last_id: conn.last_insert_id().filter(|&id| id != 0),
            })
        }
        Output::Count => {
            let row: Option<Row> = conn.exec_first(sql, params).await.map_err(fail)?;
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
            let rows: Vec<Row> = conn.exec(sql, params).await.map_err(fail)?;
            let mut out = RowSet::with_capacity(types.len(), rows.len());
            for mut row in rows {
                let values = out.cells_mut();
                for (i, ty) in types.iter().enumerate() {
                    let cell = row.take::<My, _>(i).ok_or_else(|| {
                        Error::driver(format!(
                            "{context}: the result has no column #{i} (expected {})",
                            types.len()
                        ))
                    })?;
                    decode::decode_into(cell, *ty, i, values)?;
                }
                out.end_row();
            }
            Ok(Outcome::Rows(out))
        }
    }
}

/// Starts a transaction.
pub(crate) async fn begin(conn: &mut Conn, context: &(dyn Display + Sync)) -> Result<()> {
    conn.query_drop("START TRANSACTION")
        .await
        .map_err(|e| error::map(e, context))
}

/// Commits the transaction.
pub(crate) async fn commit(conn: &mut Conn, context: &(dyn Display + Sync)) -> Result<()> {
    conn.query_drop("COMMIT")
        .await
        .map_err(|e| error::map(e, context))
}

/// Rolls the transaction back after a failure. A failing rollback is ignored: the
/// original error is what the caller reports, and a broken connection is discarded.
pub(crate) async fn rollback(conn: &mut Conn) {
    let _ = conn.query_drop("ROLLBACK").await;
}

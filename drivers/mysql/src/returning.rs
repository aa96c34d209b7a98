//! `RETURNING` emulation: MySQL has none, so inserts rebuild the returned columns from
//! the generated auto-increment ids, and updates lock, update and re-read the rows.

use crate::run::{run, Outcome};
use crate::session::Session;
use std::fmt::Display;
use toasty_core::driver::{GetByKey, Insert, Operation, Response, Select, Update};
use toasty_core::schema::db;
use toasty_core::stmt::Select as Projection;
use toasty_core::{Error, Result, Value};
use toasty_sql::{ResponseBuilder, Serializer, Statement};

/// Runs the insert `statements` of `op` (whose `returning` is not empty) and returns the
/// requested columns of each inserted row, in insert order.
///
/// A multi-row `INSERT` reports the first generated id (`LAST_INSERT_ID()`); the ids of
/// one statement are consecutive with the step `@@auto_increment_increment`.
pub(crate) async fn insert(
    conn: &mut Session,
    statements: &[Statement],
    table: &db::Table,
    op: &Insert,
    step: u64,
    context: &(dyn Display + Sync),
) -> Result<Vec<Vec<Value>>> {
    let auto = table.auto_increment_column();
    let mut returned = Vec::with_capacity(op.rows.len());
    let mut next_row = 0usize;
    for statement in statements {
        let Outcome::Affected { rows, last_id } = run(conn, statement, context).await? else {
            return Err(Error::driver(format!(
                "{context}: an INSERT statement did not report affected rows"
            )));
        };
        for k in 0..rows {
            let row = op.rows.get(next_row).ok_or_else(|| {
                Error::driver(format!(
                    "{context}: MySQL reports more inserted rows than were sent"
                ))
            })?;
            next_row += 1;
            let mut out = Vec::with_capacity(op.returning.len());
            for &c in &op.returning {
                if let Some(pos) = op.columns.iter().position(|&x| x == c) {
                    out.push(row.get(pos).cloned().unwrap_or(Value::Null));
                } else if Some(c) == auto {
                    let first = last_id.ok_or_else(|| {
                        Error::driver(format!(
                            "{context}: MySQL did not report the generated auto-increment id"
                        ))
                    })?;
                    let id = first
                        .checked_add(k * step)
                        .and_then(|id| i64::try_from(id).ok())
                        .ok_or_else(|| {
                            Error::out_of_range(format!(
                                "{context}: the generated id is larger than {}",
                                i64::MAX
                            ))
                        })?;
                    out.push(Value::I64(id));
                } else {
                    out.push(Value::Null);
                }
            }
            returned.push(out);
        }
    }
    if next_row != op.rows.len() {
        return Err(Error::driver(format!(
            "{context}: {} rows were sent but MySQL reports {next_row} inserted",
            op.rows.len()
        )));
    }
    Ok(returned)
}

/// Runs `op` (an update with `returning` and at least one assignment): locks the
/// matching rows (`SELECT ... FOR UPDATE`), runs the update `statements`, and re-reads
/// the rows by their (possibly reassigned) primary keys. The caller holds a transaction.
pub(crate) async fn update(
    conn: &mut Session,
    serializer: &Serializer,
    schema: &db::Schema,
    table: &db::Table,
    op: &Update,
    statements: &[Statement],
    context: &(dyn Display + Sync),
) -> Result<Response> {
    let select = Operation::Select(Select {
        table: op.table,
        filter: op.filter.clone(),
        order_by: Vec::new(),
        limit: None,
        offset: None,
        projection: Projection::Records,
    });
    let mut old_rows = Vec::new();
    for mut statement in serializer.serialize(schema, &select)? {
        statement.sql.push_str(" FOR UPDATE");
        if let Outcome::Rows(rows) = run(conn, &statement, context).await? {
            old_rows.extend(rows.into_vecs());
        }
    }
    for statement in statements {
        run(conn, statement, context).await?;
    }
    let update = Operation::Update(op.clone());
    let mut response = ResponseBuilder::new(schema, &update);
    if !old_rows.is_empty() {
        let keys = old_rows
            .iter()
            .map(|row| {
                table
                    .primary_key
                    .iter()
                    .map(|&c| {
                        op.assignments
                            .iter()
                            .rev()
                            .find(|(col, _)| *col == c)
                            .map(|(_, v)| v.clone())
                            .or_else(|| row.get(c).cloned())
                            .unwrap_or(Value::Null)
                    })
                    .collect()
            })
            .collect();
        let reread = Operation::GetByKey(GetByKey {
            table: op.table,
            keys,
        });
        for statement in serializer.serialize(schema, &reread)? {
            if let Outcome::Rows(rows) = run(conn, &statement, context).await? {
                response.add_rows(rows.into_vecs());
            }
        }
    }
    Ok(response.finish())
}

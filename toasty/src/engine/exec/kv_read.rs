//! Key-value reads: fetching rows by key or partition, then the evaluator's select.

use crate::engine::plan_kv::Fetch;
use crate::observe::{exec_op, Run};
use toasty_core::driver::{self, Capability, Connection, Operation, Response};
use toasty_core::schema::db::{Table, TableId};
use toasty_core::schema::Schema;
use toasty_core::stmt::{self, eval, OrderBy, RowSelection};
use toasty_core::{Error, Result, Value};

/// Runs `fetches` against `table`, splitting key lists to the capability's batch size.
/// Rows come back as the driver returned them (possibly with duplicates).
pub(super) async fn fetch(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    table: TableId,
    fetches: Vec<Fetch>,
    sent: &mut Run,
) -> Result<Vec<Vec<Value>>> {
    let mut rows = Vec::new();
    for fetch in fetches {
        match fetch {
            Fetch::Keys(keys) => {
                let chunk = cap.max_get_keys.unwrap_or(usize::MAX).max(1);
                for keys in keys.chunks(chunk) {
                    let op = Operation::GetByKey(driver::GetByKey {
                        table,
                        keys: keys.to_vec(),
                    });
                    rows.extend(rows_of(exec_op(conn, schema, op, sent).await?)?);
                }
            }
            Fetch::Partition { index, value, sort } => {
                let op = Operation::QueryPk(driver::QueryPk {
                    table,
                    index,
                    partition: value,
                    sort,
                });
                rows.extend(rows_of(exec_op(conn, schema, op, sent).await?)?);
            }
        }
    }
    Ok(rows)
}

/// The rows of `table` that match `filter`, each once, fetched through the access path
/// `filter` pins (a key, or an index's first field).
pub(super) async fn fetch_filtered(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    table: TableId,
    filter: stmt::Expr,
    sent: &mut Run,
) -> Result<Vec<Vec<Value>>> {
    let def = schema.db.table(table)?;
    let model = schema
        .mapping
        .models
        .iter()
        .position(|m| m.table == table)
        .and_then(|i| schema.app.get(i));
    let (name, fields) = match model {
        Some(m) => (
            m.name.clone(),
            m.fields.iter().map(|f| f.name.clone()).collect::<Vec<_>>(),
        ),
        None => (def.name.clone(), Vec::new()),
    };
    let fetches = crate::engine::plan_kv::plan_fetch(def, &filter, cap, &name, &fields)?;
    let rows = fetch(conn, schema, cap, table, fetches, sent).await?;
    select(schema, &driver::Select::records(table, filter), rows)
}

fn rows_of(response: Response) -> Result<Vec<Vec<Value>>> {
    match response {
        Response::Rows(rows) => Ok(rows),
        Response::RowSet(set) => Ok(set.into_vecs()),
        Response::Count(_) => Err(Error::driver(
            "the driver answered a key-value read with a count instead of rows",
        )),
    }
}

/// Puts fetched rows in primary-key order without duplicates, then applies `select`
/// ([`stmt::select_rows`]; a count keeps every row that matches; a projection keeps the
/// projected columns of each row, in projection order).
pub(super) fn select(
    schema: &Schema,
    select: &driver::Select,
    mut rows: Vec<Vec<Value>>,
) -> Result<Vec<Vec<Value>>> {
    let table = schema.db.table(select.table)?;
    sort_by_key(table, &mut rows);
    let count = select.projection == stmt::Select::Count;
    let rows = stmt::select_rows(
        RowSelection {
            filter: &select.filter,
            order_by: if count { &[] } else { &select.order_by },
            offset: if count { None } else { select.offset },
            limit: if count { None } else { select.limit },
        },
        rows,
    )?;
    // A projection is applied to the rows read (the filter needed their other values).
    Ok(match select.projection.fields() {
        Some(columns) => rows
            .iter()
            .map(|row| stmt::project_row(row, columns))
            .collect(),
        None => rows,
    })
}

/// Sorts rows by primary key and drops rows whose key repeats (a row reached by two
/// fetches).
fn sort_by_key(table: &Table, rows: &mut Vec<Vec<Value>>) {
    let pk_order: Vec<OrderBy> = table
        .primary_key
        .iter()
        .map(|&c| OrderBy {
            target: c,
            direction: stmt::Direction::Asc,
        })
        .collect();
    rows.sort_by(|a, b| eval::cmp_rows(&pk_order, a, b));
    rows.dedup_by(|a, b| {
        table
            .primary_key
            .iter()
            .all(|&c| match (a.get(c), b.get(c)) {
                (Some(x), Some(y)) => x.same_as(y),
                _ => false,
            })
    });
}

//! Execution: runs a verified, lowered and planned statement against the driver.
//!
//! This is the only stage that calls the driver. SQL drivers receive one operation per
//! statement. Key-value drivers receive fetches by key or partition, then the engine
//! applies the filter, order, offset and limit with the reference evaluator, and writes
//! by key in batches no larger than the capability allows.

use super::lower::{self, row_to_record, rows_to_records};
use super::plan_kv::{plan_fetch, Fetch};
use super::simplify::simplify;
use super::single_row::drop_redundant_limit;
use super::verify::{verify, verify_query};
use super::{Outcome, Statement};
use crate::Db;
use toasty_core::driver::{self, Operation, Response};
use toasty_core::schema::db::Table;
use toasty_core::schema::Schema;
use toasty_core::stmt::{self, eval, Expr, OrderBy};
use toasty_core::{Error, Result, Value};

pub(crate) async fn exec(db: &Db, stmt: Statement) -> Result<Outcome> {
    match stmt {
        // The common case stays inline, with no further async layer (each layer would
        // keep its own copy of its arguments in the future); every other path is boxed,
        // so the future of every read does not carry (and move around) the state of the
        // rarer ones.
        Statement::Query(q) if db.inner.capability.is_sql() => {
            let (op, mapping) = sql_select(db, q)?;
            sql_outcome(db.exec_op_any(op).await?, mapping)
        }
        other => Box::pin(exec_any(db, other)).await,
    }
}

/// A query on an SQL driver, verified and lowered to one `Select`, with the mapping of
/// its rows back to records.
fn sql_select(
    db: &Db,
    q: stmt::Query,
) -> Result<(Operation, &toasty_core::schema::mapping::Model)> {
    let schema = &db.inner.schema;
    verify_query(schema, &q)?;
    let (select, mapping) = lower_select(schema, q)?;
    Ok((Operation::Select(select), mapping))
}

/// What an SQL select returned, as records loaded the way the driver returned them.
fn sql_outcome(
    response: Response,
    mapping: &toasty_core::schema::mapping::Model,
) -> Result<Outcome> {
    match response {
        Response::Count(n) => Ok(Outcome::Count(n)),
        Response::Rows(rows) => Ok(Outcome::Records(rows_to_records(mapping, rows))),
        Response::RowSet(set) if lower::is_identity(mapping, set.width()) => {
            Ok(Outcome::RecordSet(set))
        }
        Response::RowSet(set) => Ok(Outcome::Records(rows_to_records(mapping, set.into_vecs()))),
    }
}

/// Every statement but a query on an SQL driver.
async fn exec_any(db: &Db, stmt: Statement) -> Result<Outcome> {
    let schema = db.inner.schema.clone();
    let sql = db.inner.capability.is_sql();
    verify(&schema, &stmt)?;
    match stmt {
        // `exec` runs queries on SQL drivers itself, so only key-value drivers' queries
        // arrive here (the key-value plan would still be correct on an SQL driver: its
        // serializer handles `GetByKey` and `QueryPk`).
        Statement::Query(q) => kv_query(db, &schema, q).await,
        Statement::Insert(i) => {
            let model = i.model;
            let lowered = lower::lower_insert(&schema, i)?;
            if lowered.records.is_empty() {
                return Ok(Outcome::Records(Vec::new()));
            }
            if !sql {
                kv_check_unique_on_insert(db, &schema, model, &lowered.op).await?;
            }
            insert(db, lowered).await
        }
        Statement::Update(u) => {
            let model = u.selection.model;
            let mut update = lower::lower_update(&schema, u)?;
            update.filter = simplify(update.filter);
            if sql {
                match db.exec_op(Operation::Update(update)).await? {
                    Response::Count(n) => Ok(Outcome::Count(n)),
                    Response::RowSet(set) => {
                        let mapping = lower::mapping_for(&schema, model)?;
                        Ok(Outcome::Records(rows_to_records(mapping, set.into_vecs())))
                    }
                    Response::Rows(rows) => {
                        let mapping = lower::mapping_for(&schema, model)?;
                        Ok(Outcome::Records(
                            rows.into_iter()
                                .map(|r| row_to_record(mapping, r))
                                .collect(),
                        ))
                    }
                }
            } else {
                kv_update(db, &schema, model, update).await
            }
        }
        Statement::Delete(d) => {
            let model = d.selection.model;
            let mut delete = lower::lower_delete(&schema, d)?;
            delete.filter = simplify(delete.filter);
            if sql {
                count_of(db.exec_op(Operation::Delete(delete)).await?)
            } else {
                let select = driver::Select::records(delete.table, delete.filter);
                let rows = kv_select(db, &schema, model, &select).await?;
                let table = schema.db.table(select.table)?;
                let keys: Vec<Vec<Value>> = rows.iter().map(|r| table.key_of(r)).collect();
                let mut n = 0;
                for chunk in keys.chunks(write_chunk(db)) {
                    let op = Operation::DeleteByKey(driver::DeleteByKey {
                        table: table.id,
                        keys: chunk.to_vec(),
                    });
                    if let Outcome::Count(c) = count_of(db.exec_op(op).await?)? {
                        n += c;
                    }
                }
                Ok(Outcome::Count(n))
            }
        }
    }
}

/// Lowers and simplifies a verified query into the table-level select, with the
/// mapping that turns its rows back into records.
fn lower_select(
    schema: &Schema,
    q: stmt::Query,
) -> Result<(driver::Select, &toasty_core::schema::mapping::Model)> {
    let model = q.model;
    let mut select = lower::lower_query(schema, q)?;
    select.filter = simplify(select.filter);
    drop_redundant_limit(schema.db.table(select.table)?, &mut select);
    Ok((select, lower::mapping_for(schema, model)?))
}

/// A query on a key-value driver: fetch by key or partition, then filter, order and
/// limit with the reference evaluator.
async fn kv_query(db: &Db, schema: &Schema, q: stmt::Query) -> Result<Outcome> {
    let model = q.model;
    let (select, mapping) = lower_select(schema, q)?;
    let rows = kv_select(db, schema, model, &select).await?;
    match select.projection {
        stmt::Select::Count => Ok(Outcome::Count(rows.len() as u64)),
        stmt::Select::Records => Ok(Outcome::Records(
            rows.into_iter()
                .map(|r| row_to_record(mapping, r))
                .collect(),
        )),
    }
}

fn count_of(response: Response) -> Result<Outcome> {
    match response {
        Response::Count(n) => Ok(Outcome::Count(n)),
        Response::Rows(rows) => Ok(Outcome::Count(rows.len() as u64)),
        Response::RowSet(set) => Ok(Outcome::Count(set.len() as u64)),
    }
}

fn write_chunk(db: &Db) -> usize {
    db.inner
        .capability
        .max_write_keys
        .unwrap_or(usize::MAX)
        .max(1)
}

/// Most bind parameters one SQL insert carries (below SQLite's, PostgreSQL's and MySQL's
/// limits), so large batches are split.
const MAX_INSERT_PARAMS: usize = 30_000;

async fn insert(db: &Db, lowered: lower::LoweredInsert) -> Result<Outcome> {
    let lower::LoweredInsert {
        op,
        mut records,
        returned_field,
    } = lowered;
    let width = op.columns.len().max(1);
    let by_params = (MAX_INSERT_PARAMS / width).max(1);
    let chunk = db
        .inner
        .capability
        .max_insert_rows
        .unwrap_or(usize::MAX)
        .min(by_params)
        .max(1);
    let mut returned: Vec<Vec<Value>> = Vec::with_capacity(records.len());
    let mut written = 0;
    for rows in op.rows.chunks(chunk) {
        let result = db
            .exec_op(Operation::Insert(driver::Insert {
                table: op.table,
                columns: op.columns.clone(),
                rows: rows.to_vec(),
                returning: op.returning.clone(),
            }))
            .await;
        let response = match result {
            Ok(response) => response,
            Err(e) => {
                if written > 0 {
                    undo_insert(db, &op, &returned, written).await;
                }
                return Err(e);
            }
        };
        if let Response::Rows(rows) = response {
            returned.extend(rows);
        }
        written += rows.len();
    }
    if let Some(field) = returned_field {
        if returned.len() != records.len() {
            return Err(Error::driver(format!(
                "the driver returned {} generated keys for {} inserted records",
                returned.len(),
                records.len()
            )));
        }
        for (record, mut ret) in records.iter_mut().zip(returned) {
            if let (Some(slot), Some(v)) = (record.get_mut(field), ret.pop()) {
                *slot = v;
            }
        }
    }
    Ok(Outcome::Records(records))
}

/// Deletes the first `written` rows of a batch insert whose later request failed, so the
/// batch leaves nothing behind. Best effort: the caller returns the original error whatever
/// happens here.
async fn undo_insert(db: &Db, op: &driver::Insert, returned: &[Vec<Value>], written: usize) {
    let Ok(table) = db.inner.schema.db.table(op.table) else {
        return;
    };
    let keys: Vec<Vec<Value>> = op
        .rows
        .iter()
        .take(written)
        .enumerate()
        .map(|(i, row)| {
            table
                .primary_key
                .iter()
                .map(|&c| {
                    let given = op.columns.iter().position(|&x| x == c);
                    let generated = op.returning.iter().position(|&x| x == c);
                    match (given, generated) {
                        (Some(pos), _) => row.get(pos).cloned(),
                        (None, Some(pos)) => returned.get(i).and_then(|r| r.get(pos)).cloned(),
                        (None, None) => None,
                    }
                    .unwrap_or(Value::Null)
                })
                .collect()
        })
        .collect();
    if db.inner.capability.is_sql() {
        for chunk in keys.chunks(5_000) {
            let filter = match table.primary_key.as_slice() {
                [c] => Expr::InList {
                    expr: Box::new(Expr::Column(*c)),
                    list: chunk.iter().filter_map(|k| k.first().cloned()).collect(),
                },
                columns => Expr::Or(
                    chunk
                        .iter()
                        .map(|key| {
                            Expr::And(
                                columns
                                    .iter()
                                    .zip(key)
                                    .map(|(&c, v)| {
                                        Expr::eq(Expr::Column(c), Expr::Value(v.clone()))
                                    })
                                    .collect(),
                            )
                        })
                        .collect(),
                ),
            };
            let op = Operation::Delete(driver::Delete {
                table: table.id,
                filter,
            });
            let _ = db.exec_op(op).await;
        }
    } else {
        for chunk in keys.chunks(write_chunk(db)) {
            let op = Operation::DeleteByKey(driver::DeleteByKey {
                table: table.id,
                keys: chunk.to_vec(),
            });
            let _ = db.exec_op(op).await;
        }
    }
}

/// Reads through a key-value driver: fetch by key/partition, then filter, order and slice
/// in the engine.
async fn kv_select(
    db: &Db,
    schema: &Schema,
    model: toasty_core::schema::app::ModelId,
    select: &driver::Select,
) -> Result<Vec<Vec<Value>>> {
    let table = schema.db.table(select.table)?;
    let app = schema.model(model)?;
    let field_names: Vec<String> = app.fields.iter().map(|f| f.name.clone()).collect();
    let fetches = plan_fetch(
        table,
        &select.filter,
        &db.inner.capability,
        &app.name,
        &field_names,
    )?;
    let mut rows: Vec<Vec<Value>> = Vec::new();
    let mut seen: Vec<Vec<Value>> = Vec::new();
    for fetch in fetches {
        for row in run_fetch(db, table, fetch).await? {
            let key = table.key_of(&row);
            if seen.iter().any(|k| keys_equal(k, &key)) {
                continue;
            }
            if eval::matches(&select.filter, &row)? {
                seen.push(key);
                rows.push(row);
            }
        }
    }
    // Deterministic base order (primary key), then the requested order (stable sort).
    let pk_order: Vec<OrderBy> = table
        .primary_key
        .iter()
        .map(|&c| OrderBy {
            target: c,
            direction: stmt::Direction::Asc,
        })
        .collect();
    rows.sort_by(|a, b| eval::cmp_rows(&pk_order, a, b));
    if !select.order_by.is_empty() {
        rows.sort_by(|a, b| eval::cmp_rows(&select.order_by, a, b));
    }
    if select.projection == stmt::Select::Count {
        return Ok(rows);
    }
    let offset = select.offset.unwrap_or(0) as usize;
    let rows: Vec<Vec<Value>> = rows.into_iter().skip(offset).collect();
    Ok(match select.limit {
        Some(limit) => rows.into_iter().take(limit as usize).collect(),
        None => rows,
    })
}

fn keys_equal(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
}

async fn run_fetch(db: &Db, table: &Table, fetch: Fetch) -> Result<Vec<Vec<Value>>> {
    match fetch {
        Fetch::Keys(keys) => {
            let chunk = db
                .inner
                .capability
                .max_get_keys
                .unwrap_or(usize::MAX)
                .max(1);
            let mut rows = Vec::new();
            for keys in keys.chunks(chunk) {
                if let Response::Rows(r) = db
                    .exec_op(Operation::GetByKey(driver::GetByKey {
                        table: table.id,
                        keys: keys.to_vec(),
                    }))
                    .await?
                {
                    rows.extend(r);
                }
            }
            Ok(rows)
        }
        Fetch::Partition { index, value, sort } => {
            match db
                .exec_op(Operation::QueryPk(driver::QueryPk {
                    table: table.id,
                    index,
                    partition: value,
                    sort,
                }))
                .await?
            {
                Response::Rows(r) => Ok(r),
                Response::RowSet(set) => Ok(set.into_vecs()),
                Response::Count(_) => Err(Error::driver(
                    "the driver answered a query with a count instead of rows",
                )),
            }
        }
    }
}

/// Key-value stores do not enforce unique secondary indexes, so the engine checks them
/// before writing (within the batch and against stored rows).
async fn kv_check_unique_on_insert(
    db: &Db,
    schema: &Schema,
    model: toasty_core::schema::app::ModelId,
    insert: &driver::Insert,
) -> Result<()> {
    let table = schema.db.table(insert.table)?;
    let app = schema.model(model)?;
    // Rebuild full rows (column order) for the checks.
    let full: Vec<Vec<Value>> = insert
        .rows
        .iter()
        .map(|row| {
            let mut full = vec![Value::Null; table.columns.len()];
            for (slot, &c) in insert.columns.iter().enumerate() {
                if let (Some(dst), Some(v)) = (full.get_mut(c), row.get(slot)) {
                    *dst = v.clone();
                }
            }
            full
        })
        .collect();
    // A batch larger than one insert is written in several requests, so a duplicate key
    // in a later request would leave the earlier ones written: check keys up front.
    let split = insert.rows.len() > db.inner.capability.max_insert_rows.unwrap_or(usize::MAX);
    if split {
        let mut keys: Vec<Vec<Value>> = Vec::with_capacity(full.len());
        for row in &full {
            let key = table.key_of(row);
            if keys.iter().any(|k| keys_equal(k, &key)) {
                return Err(key_error(app));
            }
            keys.push(key);
        }
        if !run_fetch(db, table, Fetch::Keys(keys)).await?.is_empty() {
            return Err(key_error(app));
        }
    }
    for (i, index) in table.indices.iter().enumerate() {
        if !index.unique {
            continue;
        }
        let mut batch_values: Vec<Vec<Value>> = Vec::new();
        for row in &full {
            let values: Vec<Value> = index
                .columns
                .iter()
                .map(|&c| row.get(c).cloned().unwrap_or(Value::Null))
                .collect();
            if values.iter().any(Value::is_null) {
                continue;
            }
            if batch_values.iter().any(|v| keys_equal(v, &values))
                || !rows_with_index_values(db, table, i, &values)
                    .await?
                    .is_empty()
            {
                return Err(unique_error(app, table, i));
            }
            batch_values.push(values);
        }
    }
    Ok(())
}

async fn rows_with_index_values(
    db: &Db,
    table: &Table,
    index: usize,
    values: &[Value],
) -> Result<Vec<Vec<Value>>> {
    let Some(idx) = table.indices.get(index) else {
        return Ok(Vec::new());
    };
    let filter = Expr::And(
        idx.columns
            .iter()
            .zip(values)
            .map(|(&c, v)| Expr::eq(Expr::Column(c), Expr::Value(v.clone())))
            .collect(),
    );
    let Some(first) = values.first() else {
        return Ok(Vec::new());
    };
    let sort = match (idx.columns.get(1), values.get(1)) {
        (Some(&c), Some(v)) => Some(Expr::eq(Expr::Column(c), Expr::Value(v.clone()))),
        _ => None,
    };
    let rows = run_fetch(
        db,
        table,
        Fetch::Partition {
            index: Some(index),
            value: first.clone(),
            sort,
        },
    )
    .await?;
    let mut out = Vec::new();
    for row in rows {
        if eval::matches(&filter, &row)? {
            out.push(row);
        }
    }
    Ok(out)
}

fn key_error(app: &toasty_core::schema::app::Model) -> Error {
    Error::unique_violation(format!(
        "another `{}` record already has this primary key",
        app.name
    ))
}

fn unique_error(app: &toasty_core::schema::app::Model, table: &Table, index: usize) -> Error {
    let fields: Vec<String> = table
        .indices
        .get(index)
        .map(|i| {
            i.columns
                .iter()
                .filter_map(|&c| app.fields.get(c).map(|f| f.name.clone()))
                .collect()
        })
        .unwrap_or_default();
    Error::unique_violation(format!(
        "another `{}` record already has this value of {}",
        app.name,
        fields
            .iter()
            .map(|f| format!("`{f}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

async fn kv_update(
    db: &Db,
    schema: &Schema,
    model: toasty_core::schema::app::ModelId,
    update: driver::Update,
) -> Result<Outcome> {
    let table = schema.db.table(update.table)?;
    let app = schema.model(model)?;
    let select = driver::Select::records(update.table, update.filter.clone());
    let rows = kv_select(db, schema, model, &select).await?;
    let keys: Vec<Vec<Value>> = rows.iter().map(|r| table.key_of(r)).collect();

    // Unique secondary indexes touched by the assignments.
    for (i, index) in table.indices.iter().enumerate() {
        if !index.unique
            || !index
                .columns
                .iter()
                .any(|c| update.assignments.iter().any(|(a, _)| a == c))
        {
            continue;
        }
        let mut new_values: Vec<Vec<Value>> = Vec::new();
        for row in &rows {
            let mut after = row.clone();
            for (c, v) in &update.assignments {
                if let Some(slot) = after.get_mut(*c) {
                    *slot = v.clone();
                }
            }
            let values: Vec<Value> = index
                .columns
                .iter()
                .map(|&c| after.get(c).cloned().unwrap_or(Value::Null))
                .collect();
            if values.iter().any(Value::is_null) {
                continue;
            }
            if new_values.iter().any(|v| keys_equal(v, &values)) {
                return Err(unique_error(app, table, i));
            }
            for other in rows_with_index_values(db, table, i, &values).await? {
                let other_key = table.key_of(&other);
                if !keys.iter().any(|k| keys_equal(k, &other_key)) {
                    return Err(unique_error(app, table, i));
                }
            }
            new_values.push(values);
        }
    }

    let mut n = 0;
    for chunk in keys.chunks(write_chunk(db)) {
        if let Outcome::Count(c) = count_of(
            db.exec_op(Operation::UpdateByKey(driver::UpdateByKey {
                table: table.id,
                keys: chunk.to_vec(),
                assignments: update.assignments.clone(),
            }))
            .await?,
        )? {
            n += c;
        }
    }
    if update.returning {
        let mapping = lower::mapping_for(schema, model)?;
        let updated = rows
            .into_iter()
            .map(|mut row| {
                for (c, v) in &update.assignments {
                    if let Some(slot) = row.get_mut(*c) {
                        *slot = v.clone();
                    }
                }
                row_to_record(mapping, row)
            })
            .collect();
        return Ok(Outcome::Records(updated));
    }
    Ok(Outcome::Count(n))
}

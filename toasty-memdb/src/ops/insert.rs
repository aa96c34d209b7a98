//! `Insert`.
//!
//! * `columns` lists the columns given in each row; every row carries one value per listed
//!   column. A column that is not listed is NULL, except the auto-increment column, which
//!   receives the next value of the table's counter. The counter starts at 1, increases by
//!   one per assigned row and never reuses a value, not even after deletes. When the
//!   auto-increment column is listed, the given value is stored and the counter moves past
//!   it if needed, so later assigned values never collide with it.
//! * Every value is checked against its column: NULL in a non-nullable column is
//!   `InvalidValue` naming the column; otherwise [`toasty_core::Type::check`] decides and
//!   its error is returned as is (`ValueOutOfRange`, `InvalidValue`).
//! * A primary key equal to an existing row's or to another row's in the same batch is
//!   `UniqueViolation` (both personas). On the sql persona, two rows with equal values in
//!   a unique index are `UniqueViolation` too, where an entry containing NULL never
//!   conflicts. The kv persona does not check unique indexes (DynamoDB cannot; there
//!   they are enforced by the claims of [`super::transact_write`]).
//! * The insert is atomic: on any error no row is written and the counter is unchanged.
//! * The response is `Rows` with the `returning` columns of each inserted row in insert
//!   order, or `Count(n)` when `returning` is empty.

use crate::key::Key;
use crate::persona::Persona;
use crate::table::TableData;
use std::collections::BTreeMap;
use toasty_core::driver::{Insert, Response};
use toasty_core::{Error, Result, Value};

/// Runs an insert (see the module docs).
pub(crate) fn insert(table: &mut TableData, persona: Persona, op: Insert) -> Result<Response> {
    table.check_column_list(&op.columns, "insert columns")?;
    table.check_column_list(&op.returning, "returning columns")?;
    let width = table.def.columns.len();
    let auto = table.def.auto_increment_column();
    let mut next_auto = table.next_auto;

    let mut new_rows: Vec<Vec<Value>> = Vec::with_capacity(op.rows.len());
    for given in op.rows {
        if given.len() != op.columns.len() {
            return Err(Error::invalid_statement(format!(
                "an insert into `{}` lists {} columns but a row has {} values",
                table.def.name,
                op.columns.len(),
                given.len()
            )));
        }
        let mut row = vec![Value::Null; width];
        for (&col, value) in op.columns.iter().zip(given) {
            row[col] = value;
        }
        if let Some(a) = auto {
            if op.columns.contains(&a) {
                if let Value::I64(v) = row[a] {
                    next_auto = next_auto.max(i128::from(v) + 1);
                }
            } else {
                let v = i64::try_from(next_auto).map_err(|_| {
                    Error::out_of_range(format!(
                        "the auto-increment counter of {} is exhausted",
                        table.column_label(a)
                    ))
                })?;
                row[a] = Value::I64(v);
                next_auto += 1;
            }
        }
        for (col, value) in row.iter().enumerate() {
            table.check_value(col, value)?;
        }
        new_rows.push(row);
    }

    let mut batch: BTreeMap<Key, Option<&Vec<Value>>> = BTreeMap::new();
    for row in &new_rows {
        let key = table.key_of(row);
        if table.rows.contains_key(&key) || batch.insert(key.clone(), Some(row)).is_some() {
            return Err(table.duplicate_key(&key));
        }
    }
    if persona.enforces_unique_indexes() {
        table.check_unique_changes(&batch)?;
    }
    drop(batch);

    let count = new_rows.len() as u64;
    let returned: Vec<Vec<Value>> = new_rows
        .iter()
        .map(|row| op.returning.iter().map(|&c| row[c].clone()).collect())
        .collect();
    table.next_auto = next_auto;
    for row in new_rows {
        let key: Key = table.key_of(&row);
        table.put_row(key, row);
    }
    if op.returning.is_empty() {
        Ok(Response::Count(count))
    } else {
        Ok(Response::Rows(returned))
    }
}

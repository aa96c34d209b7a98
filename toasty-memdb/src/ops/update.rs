//! `Update` (sql persona only) and `UpdateByKey` (both personas).
//!
//! * Assignments are `(column, value)` pairs; each column may appear once, and each value
//!   is checked like an inserted value (NULL into a non-nullable column is
//!   `InvalidValue`; [`toasty_core::Type::check`] otherwise).
//! * `Update` changes every row for which [`eval::matches`] says the filter is `true`
//!   (evaluated on the rows before the update). It may assign primary-key columns. A
//!   filter that refers to a model field or to a column the table does not have is
//!   `InvalidStatement`, even on an empty table.
//! * `UpdateByKey` changes the rows with the given primary keys; keys that do not exist
//!   are skipped and a key listed twice is updated once. Assigning a primary-key column
//!   is `Unsupported` (a key-value store cannot change an item's key).
//! * Uniqueness is checked against the final state of the table: two rows with the same
//!   primary key are `UniqueViolation`; on the sql persona so are two rows with equal
//!   non-NULL entries in a unique index. The kv persona does not check unique indexes.
//! * Assigning a value to the auto-increment column of at least one row moves the
//!   table's counter past it (as an explicit value on insert does), so values the
//!   database assigns later never collide with it.
//! * `Update` may also carry `arithmetic`: `(column, change)` pairs applied to each
//!   matched row's stored value with [`toasty_core::stmt::Arith::apply`] (a result outside
//!   the column's type is `ValueOutOfRange`); a column may not be both assigned and
//!   changed, and must be numeric (`InvalidStatement`).
//! * Atomic: on any error no row changes and the counter is unchanged.
//! * `Update` returns `Count` of the matched rows, or with `returning: true` the full
//!   updated rows in primary-key order. `UpdateByKey` returns `Count` of the rows that
//!   existed.

use crate::key::Key;
use crate::persona::Persona;
use crate::table::TableData;
use std::collections::{BTreeMap, BTreeSet};
use toasty_core::driver::{Response, Update, UpdateByKey};
use toasty_core::stmt::{eval, Arith};
use toasty_core::{Error, Result, Value};

/// Runs an update by filter (see the module docs).
pub(crate) fn update(table: &mut TableData, persona: Persona, op: Update) -> Result<Response> {
    check_assignments(table, &op.assignments)?;
    check_arithmetic(table, &op.assignments, &op.arithmetic)?;
    table.check_expr(&op.filter)?;
    let mut targets = Vec::new();
    for row in table.candidates(&op.filter) {
        if eval::matches(&op.filter, row)? {
            targets.push(table.key_of(row));
        }
    }
    let updated = apply(table, persona, targets, &op.assignments, &op.arithmetic)?;
    if op.returning {
        Ok(Response::Rows(updated.into_values().collect()))
    } else {
        Ok(Response::Count(updated.len() as u64))
    }
}

/// Runs an update by primary key (see the module docs).
pub(crate) fn update_by_key(
    table: &mut TableData,
    persona: Persona,
    op: UpdateByKey,
) -> Result<Response> {
    check_assignments(table, &op.assignments)?;
    check_key_not_assigned(table, &op.assignments)?;
    let mut targets = Vec::new();
    for values in op.keys {
        let key = table.key_from(values)?;
        if table.rows.contains_key(&key) && !targets.contains(&key) {
            targets.push(key);
        }
    }
    let updated = apply(table, persona, targets, &op.assignments, &[])?;
    Ok(Response::Count(updated.len() as u64))
}

/// Checks assignments: columns in range and listed once, values fit their columns.
pub(crate) fn check_assignments(table: &TableData, assignments: &[(usize, Value)]) -> Result<()> {
    let cols: Vec<usize> = assignments.iter().map(|(c, _)| *c).collect();
    table.check_column_list(&cols, "assignments")?;
    for (col, value) in assignments {
        table.check_value(*col, value)?;
    }
    Ok(())
}

/// Checks arithmetic: numeric columns in range, none also assigned or listed twice,
/// operands of the column's type.
fn check_arithmetic(
    table: &TableData,
    assignments: &[(usize, Value)],
    arithmetic: &[(usize, Arith)],
) -> Result<()> {
    let cols: Vec<usize> = assignments
        .iter()
        .map(|(c, _)| *c)
        .chain(arithmetic.iter().map(|(c, _)| *c))
        .collect();
    table.check_column_list(&cols, "assignments")?;
    for (col, arith) in arithmetic {
        let ty = table
            .def
            .columns
            .get(*col)
            .map(|c| c.ty)
            .ok_or_else(|| Error::invalid_statement(format!("column #{col} does not exist")))?;
        arith.check(ty, &table.column_label(*col))?;
    }
    Ok(())
}

/// Refuses assignments to primary-key columns (`Unsupported`: a key-value store cannot
/// change an item's key).
pub(crate) fn check_key_not_assigned(
    table: &TableData,
    assignments: &[(usize, Value)],
) -> Result<()> {
    for (col, _) in assignments {
        if table.def.primary_key.contains(col) {
            return Err(Error::unsupported(format!(
                "an update by key cannot assign the key {}; delete the row and insert it \
                 with the new key instead",
                table.column_label(*col)
            )));
        }
    }
    Ok(())
}

/// Applies `assignments` to the rows at `targets` (distinct existing keys), checks the
/// primary key and the unique indexes of the resulting table, and only then writes.
/// Returns the updated rows by their new key.
fn apply(
    table: &mut TableData,
    persona: Persona,
    targets: Vec<Key>,
    assignments: &[(usize, Value)],
    arithmetic: &[(usize, Arith)],
) -> Result<BTreeMap<Key, Vec<Value>>> {
    let mut next_auto = table.next_auto;
    let auto = table.def.auto_increment_column();
    for (col, value) in assignments {
        if let (Some(a), Value::I64(v)) = (auto, value) {
            if *col == a && !targets.is_empty() {
                next_auto = next_auto.max(i128::from(*v) + 1);
            }
        }
    }
    let moved: BTreeSet<&Key> = targets.iter().collect();
    let mut updated: BTreeMap<Key, Vec<Value>> = BTreeMap::new();
    for key in &targets {
        if let Some(row) = table.rows.get(key) {
            let mut row = row.clone();
            for (col, value) in assignments {
                if let Some(slot) = row.get_mut(*col) {
                    *slot = value.clone();
                }
            }
            for (col, arith) in arithmetic {
                let ty = table.def.columns.get(*col).map(|c| c.ty);
                if let (Some(slot), Some(ty)) = (row.get_mut(*col), ty) {
                    *slot = arith.apply(slot, ty).map_err(|e| {
                        Error::new(
                            e.kind(),
                            format!("{}: {}", table.column_label(*col), e.message()),
                        )
                    })?;
                }
            }
            let new_key = table.key_of(&row);
            // A new key may reuse a key its own row (or another updated row) gives up.
            let taken = table.rows.contains_key(&new_key) && !moved.contains(&new_key);
            if taken || updated.contains_key(&new_key) {
                return Err(table.duplicate_key(&new_key));
            }
            updated.insert(new_key, row);
        }
    }
    if persona.enforces_unique_indexes() {
        let mut changes: BTreeMap<Key, Option<&Vec<Value>>> =
            targets.iter().map(|k| (k.clone(), None)).collect();
        for (key, row) in &updated {
            changes.insert(key.clone(), Some(row));
        }
        table.check_unique_changes(&changes)?;
    }
    for key in &targets {
        table.remove_row(key);
    }
    for (key, row) in &updated {
        table.put_row(key.clone(), row.clone());
    }
    table.next_auto = next_auto;
    Ok(updated)
}

//! `TransactWrite` (both personas): an atomic, conditional write of several items, the
//! one atomic write of a key-value store (see [`toasty_core::driver::TransactWrite`]).
//!
//! All items happen or none does. Every item's condition is checked against the state
//! before the write; items are checked in order and the first failing one decides the
//! error:
//!
//! * `Put { table, row }` stores a full row (one value per column, in column order;
//!   `InvalidStatement` otherwise). Each value is checked like an inserted one
//!   (`InvalidValue` for NULL in a non-nullable column, [`toasty_core::Type::check`]
//!   otherwise). A row with the same primary key already stored is `UniqueViolation`, and
//!   so are two `Put`s of one key. A value given for the auto-increment column moves the
//!   table's counter past it, as on insert.
//! * `Update { table, key, expect, assignments }` sets columns of the row with `key`.
//!   Assignments are checked like those of `UpdateByKey` (each column once, values
//!   checked like inserted ones, assigning a primary-key column is `Unsupported`). The
//!   row must exist and equal `expect` column by column ([`toasty_core::Value::same_as`]),
//!   otherwise the write fails with `SerializationFailure` (the record changed since it
//!   was read; the caller retries). An `expect` that is not one value per column is
//!   `InvalidStatement`. Assigning the auto-increment column moves the counter past the
//!   value.
//! * `Delete { table, key, expect }` removes the row with `key`, under the same
//!   condition and error as `Update`.
//! * `Claim { table, index, values, key }` records that the row with primary key `key`
//!   holds `values` in unique index `index` of the table. `index` must be a unique index
//!   of the table and `values` one non-NULL value per index column, each checked against
//!   its column (`InvalidStatement` / the value check's error otherwise). If another key
//!   holds the values, the write fails with `UniqueViolation` naming the index columns;
//!   claiming values that `key` already holds is not an error.
//! * `Release { table, index, values, key }` removes the claim on `values` in unique
//!   index `index` if `key` holds it, and does nothing otherwise. `index` must be a
//!   unique index of the table and `values` one value per index column.
//! * `Transfer { table, index, values, from, to }` hands the claim on `values` from the
//!   row with key `from` to the row with key `to`, as a `Release` by `from` followed by a
//!   `Claim` by `to` would (checked like a `Claim`): afterwards `to` holds it, unless a
//!   third key holds it, which is `UniqueViolation`.
//! * Every key is one value per primary-key column (`InvalidStatement` otherwise); every
//!   table must exist with the definition in use (`Driver` otherwise).
//! * Two items may not address the same row, nor the same claim (one index and value):
//!   `InvalidStatement`, except two `Put`s of one key and two `Claim`s of one value by
//!   different keys, which are the `UniqueViolation`s they would be if written one after
//!   the other.
//! * On the sql persona, after every item's condition holds, unique secondary indexes
//!   are checked on the final rows of every written table, as for `Insert` and `Update`
//!   (`UniqueViolation`). Claims are stored the same way on both personas; on the sql
//!   persona they are not consulted by other operations. On the kv persona nothing but
//!   claims enforces unique secondary indexes (the engine writes a row and its claims in
//!   one `TransactWrite`), as on DynamoDB.
//! * The kv persona refuses a write of more than `max_transact_items` (100) items with
//!   `Unsupported` (DynamoDB's `TransactWriteItems` takes at most 100 actions).
//! * Claims are stored with their table: dropping the table drops them.
//! * An empty write does nothing. The response is `Count` of the items.
//!
//! Inside an interactive transaction (sql persona) the write applies to the
//! transaction's view like any other write (see [`super::transaction`]).

use crate::key::Key;
use crate::ops::update::{check_assignments, check_key_not_assigned};
use crate::persona::Persona;
use crate::space::Space;
use crate::table::TableData;
use std::collections::BTreeMap;
use toasty_core::driver::{Response, TransactWrite, WriteItem};
use toasty_core::schema::db;
use toasty_core::{Error, Result, Value};

/// Runs a transactional write (see the module docs).
pub(crate) fn transact_write(
    space: &mut Space<'_>,
    schema: &db::Schema,
    persona: Persona,
    op: TransactWrite,
) -> Result<Response> {
    let count = op.items.len() as u64;
    // 1. Check every item against the state before the write, building one plan per
    //    table. Nothing is written yet.
    let mut plans: BTreeMap<String, Plan<'_>> = BTreeMap::new();
    for item in op.items {
        let def = schema.table(item.table())?;
        let table = space.table(def)?;
        let plan = plans
            .entry(def.name.clone())
            .or_insert_with(|| Plan::new(def, table.next_auto));
        plan.add(table, item)?;
    }
    // 2. Unique secondary indexes on the final rows (sql persona).
    if persona.enforces_unique_indexes() {
        for plan in plans.values().filter(|p| !p.rows.is_empty()) {
            let table = space.table(plan.def)?;
            let changes: BTreeMap<Key, Option<&Vec<Value>>> = plan
                .rows
                .iter()
                .map(|(key, change)| (key.clone(), change.new_row()))
                .collect();
            table.check_unique_changes(&changes)?;
        }
    }
    // 3. Apply; nothing can fail any more.
    for plan in plans.into_values() {
        let table = space.table_mut(plan.def)?;
        plan.apply(table);
    }
    Ok(Response::Count(count))
}

/// What one `TransactWrite` does to one table, checked but not applied.
struct Plan<'s> {
    def: &'s db::Table,
    /// The rows written, by primary key.
    rows: BTreeMap<Key, RowChange>,
    /// The claims written, by index and value.
    claims: BTreeMap<(usize, Key), ClaimChange>,
    next_auto: i128,
}

enum RowChange {
    Put(Vec<Value>),
    Update(Vec<Value>),
    Delete,
}

impl RowChange {
    fn new_row(&self) -> Option<&Vec<Value>> {
        match self {
            RowChange::Put(row) | RowChange::Update(row) => Some(row),
            RowChange::Delete => None,
        }
    }
}

enum ClaimChange {
    /// `Claim` by this key (already held by it, or free).
    Claim(Key),
    /// `Release`; `true` if the releasing key holds the claim (so it is removed).
    Release(bool),
}

impl<'s> Plan<'s> {
    fn new(def: &'s db::Table, next_auto: i128) -> Plan<'s> {
        Plan {
            def,
            rows: BTreeMap::new(),
            claims: BTreeMap::new(),
            next_auto,
        }
    }

    /// Checks `item` (of this plan's table, whose state before the write is `table`) and
    /// adds it to the plan.
    fn add(&mut self, table: &TableData, item: WriteItem) -> Result<()> {
        match item {
            WriteItem::Put { row, .. } => self.put(table, row),
            WriteItem::Update {
                key,
                expect,
                assignments,
                ..
            } => {
                check_assignments(table, &assignments)?;
                check_key_not_assigned(table, &assignments)?;
                let key = table.key_from(key)?;
                self.unique_row(table, &key, false)?;
                let mut row = self.expected(table, &key, expect, "update")?;
                let auto = table.def.auto_increment_column();
                for (col, value) in assignments {
                    if let (Some(a), Value::I64(v)) = (auto, &value) {
                        if col == a {
                            self.next_auto = self.next_auto.max(i128::from(*v) + 1);
                        }
                    }
                    if let Some(slot) = row.get_mut(col) {
                        *slot = value;
                    }
                }
                self.rows.insert(key, RowChange::Update(row));
                Ok(())
            }
            WriteItem::Delete { key, expect, .. } => {
                let key = table.key_from(key)?;
                self.unique_row(table, &key, false)?;
                self.expected(table, &key, expect, "delete")?;
                self.rows.insert(key, RowChange::Delete);
                Ok(())
            }
            WriteItem::Claim {
                index, values, key, ..
            } => {
                let entry = claim_entry(table, index, values, true)?;
                let key = table.key_from(key)?;
                let slot = (index, entry);
                if let Some(ClaimChange::Claim(other)) = self.claims.get(&slot) {
                    if *other != key {
                        return Err(claim_conflict(table, index, &slot.1, other));
                    }
                }
                self.unique_claim(table, &slot)?;
                if let Some(holder) = table.claims.get(&slot) {
                    if *holder != key {
                        return Err(claim_conflict(table, index, &slot.1, holder));
                    }
                }
                self.claims.insert(slot, ClaimChange::Claim(key));
                Ok(())
            }
            WriteItem::Release {
                index, values, key, ..
            } => {
                let entry = claim_entry(table, index, values, false)?;
                let key = table.key_from(key)?;
                let slot = (index, entry);
                self.unique_claim(table, &slot)?;
                let held = table.claims.get(&slot).is_some_and(|holder| *holder == key);
                self.claims.insert(slot, ClaimChange::Release(held));
                Ok(())
            }
            WriteItem::Transfer {
                index,
                values,
                from,
                to,
                ..
            } => {
                let entry = claim_entry(table, index, values, true)?;
                let from = table.key_from(from)?;
                let to = table.key_from(to)?;
                let slot = (index, entry);
                self.unique_claim(table, &slot)?;
                if let Some(holder) = table.claims.get(&slot) {
                    if *holder != from && *holder != to {
                        return Err(claim_conflict(table, index, &slot.1, holder));
                    }
                }
                self.claims.insert(slot, ClaimChange::Claim(to));
                Ok(())
            }
        }
    }

    fn put(&mut self, table: &TableData, row: Vec<Value>) -> Result<()> {
        if row.len() != table.def.columns.len() {
            return Err(Error::invalid_statement(format!(
                "a put into `{}` has {} values but the table has {} columns",
                table.def.name,
                row.len(),
                table.def.columns.len()
            )));
        }
        for (col, value) in row.iter().enumerate() {
            table.check_value(col, value)?;
        }
        let key = table.key_of(&row);
        self.unique_row(table, &key, true)?;
        if table.rows.contains_key(&key) {
            return Err(table.duplicate_key(&key));
        }
        if let Some(a) = table.def.auto_increment_column() {
            if let Some(Value::I64(v)) = row.get(a) {
                self.next_auto = self.next_auto.max(i128::from(*v) + 1);
            }
        }
        self.rows.insert(key, RowChange::Put(row));
        Ok(())
    }

    /// The stored row with `key` if it equals `expect`; `SerializationFailure` if it is
    /// missing or differs.
    fn expected(
        &self,
        table: &TableData,
        key: &Key,
        expect: Vec<Value>,
        what: &str,
    ) -> Result<Vec<Value>> {
        if expect.len() != table.def.columns.len() {
            return Err(Error::invalid_statement(format!(
                "the expected row of a transactional {what} on `{}` has {} values but the \
                 table has {} columns",
                table.def.name,
                expect.len(),
                table.def.columns.len()
            )));
        }
        match table.rows.get(key) {
            Some(row)
                if row.len() == expect.len()
                    && row.iter().zip(&expect).all(|(a, b)| a.same_as(b)) =>
            {
                Ok(row.clone())
            }
            found => Err(Error::serialization_failure(format!(
                "the `{}` record with primary key {:?} changed since it was read ({}); retry",
                table.def.name,
                key.0,
                if found.is_some() {
                    "it holds other values now"
                } else {
                    "it no longer exists"
                }
            ))),
        }
    }

    /// Checks that no earlier item addressed the row with `key`: two `Put`s of one key
    /// are `UniqueViolation`, any other pair `InvalidStatement`.
    fn unique_row(&self, table: &TableData, key: &Key, put: bool) -> Result<()> {
        match self.rows.get(key) {
            None => Ok(()),
            Some(RowChange::Put(_)) if put => Err(table.duplicate_key(key)),
            Some(_) => Err(Error::invalid_statement(format!(
                "two items of one transactional write address the `{}` row with primary \
                 key {:?}; each row may appear once",
                table.def.name, key.0
            ))),
        }
    }

    /// Checks that no earlier item addressed the claim `slot` (two `Claim`s of one value
    /// by different keys were already reported as `UniqueViolation`).
    fn unique_claim(&self, table: &TableData, slot: &(usize, Key)) -> Result<()> {
        if self.claims.contains_key(slot) {
            return Err(Error::invalid_statement(format!(
                "two items of one transactional write address the claim on {:?} in the \
                 unique index `{}`; each claim may appear once",
                slot.1 .0,
                index_name(table, slot.0)
            )));
        }
        Ok(())
    }

    fn apply(self, table: &mut TableData) {
        for (key, change) in self.rows {
            match change {
                RowChange::Put(row) | RowChange::Update(row) => {
                    table.put_row(key, row);
                }
                RowChange::Delete => {
                    table.remove_row(&key);
                }
            }
        }
        for (slot, change) in self.claims {
            match change {
                ClaimChange::Claim(key) => {
                    table.claims.insert(slot, key);
                }
                ClaimChange::Release(true) => {
                    table.claims.remove(&slot);
                }
                ClaimChange::Release(false) => {}
            }
        }
        table.next_auto = self.next_auto;
    }
}

/// Checks the index and values of a claim (`claim: true`) or release and returns the
/// values as a key.
fn claim_entry(table: &TableData, index: usize, values: Vec<Value>, claim: bool) -> Result<Key> {
    let def = table
        .def
        .indices
        .get(index)
        .filter(|i| i.unique)
        .ok_or_else(|| {
            Error::invalid_statement(format!(
                "index #{index} of table `{}` is not a unique index; claims exist only for \
                 unique secondary indexes",
                table.def.name
            ))
        })?;
    if values.len() != def.columns.len() {
        return Err(Error::invalid_statement(format!(
            "a claim on the unique index `{}` has {} values but the index has {} columns",
            def.name,
            values.len(),
            def.columns.len()
        )));
    }
    if claim {
        if values.iter().any(Value::is_null) {
            return Err(Error::invalid_statement(format!(
                "a claim on the unique index `{}` contains NULL; an entry with NULL never \
                 conflicts, so it is not claimed",
                def.name
            )));
        }
        for (&col, value) in def.columns.iter().zip(&values) {
            table.check_value(col, value)?;
        }
    }
    Ok(Key(values))
}

fn index_name(table: &TableData, index: usize) -> &str {
    table
        .def
        .indices
        .get(index)
        .map(|i| i.name.as_str())
        .unwrap_or("?")
}

/// The `UniqueViolation` for claiming `entry` while `holder` holds it.
fn claim_conflict(table: &TableData, index: usize, entry: &Key, holder: &Key) -> Error {
    let columns: Vec<&str> = table
        .def
        .indices
        .get(index)
        .map(|i| {
            i.columns
                .iter()
                .filter_map(|&c| table.def.columns.get(c).map(|c| c.name.as_str()))
                .collect()
        })
        .unwrap_or_default();
    Error::unique_violation(format!(
        "({}) = {:?} in `{}` is already held by the record with primary key {:?}, but \
         the unique index `{}` allows each value once",
        columns.join(", "),
        entry.0,
        table.def.name,
        holder.0,
        index_name(table, index)
    ))
}

//! The items of a key-value `TransactWrite`: one conditional item per row written, and
//! one claim (or release) per unique-index value that a row takes (or gives up).
//!
//! Conflicts inside one write are found here, before anything is sent, with the errors
//! the contract gives on every backend: two new rows with one key, or two rows taking
//! one unique value, are `UniqueViolation`; any other item that writes the same record
//! or claim twice is `Unsupported` (DynamoDB allows one action per item in a
//! transaction). The size limit of the capability is checked here too.

use super::{rows_of, StepOut};
use crate::engine::plan::KvWrite;
use std::collections::BTreeMap;
use toasty_core::driver::{Capability, WriteItem};
use toasty_core::schema::db::{Table, TableId};
use toasty_core::schema::Schema;
use toasty_core::stmt::Arith;
use toasty_core::{Error, Result, Value};

/// The items of one `TransactWrite`, collected from the write steps of a batch.
pub(super) struct Items<'a> {
    schema: &'a Schema,
    cap: &'a Capability,
    items: Vec<WriteItem>,
    /// The items of each row a cascading delete unlinks: dropped when the same write
    /// deletes the row.
    unlinks: Vec<(TableId, KeyOf, std::ops::Range<usize>)>,
}

impl<'a> Items<'a> {
    pub(super) fn new(schema: &'a Schema, cap: &'a Capability) -> Self {
        Items {
            schema,
            cap,
            items: Vec::new(),
            unlinks: Vec::new(),
        }
    }

    /// The items of an update of the rows of step `input` (see [`KvWrite::Update`]).
    fn update(
        &mut self,
        table: TableId,
        input: usize,
        assignments: Vec<(usize, Value)>,
        arithmetic: &[(usize, Arith)],
        steps_out: &[StepOut],
        unlink: bool,
    ) -> Result<TableId> {
        let def = self.schema.db.table(table)?;
        for row in rows_of(steps_out, input)? {
            let start = self.items.len();
            let key = def.key_of(row);
            let mut after = row.clone();
            // Arithmetic is computed from the row as read; the item's condition that the
            // row is unchanged makes it apply to the stored value. An overflow fails here,
            // before anything is sent.
            super::outcome::apply_assignments(def, &mut after, &assignments, arithmetic)?;
            self.check_size(def, &after)?;
            let mut row_assignments = assignments.clone();
            for (c, _) in arithmetic {
                row_assignments.push((*c, after.get(*c).cloned().unwrap_or(Value::Null)));
            }
            let assignments = row_assignments;
            for (i, index) in def.indices.iter().enumerate() {
                let touched = index
                    .columns
                    .iter()
                    .any(|c| assignments.iter().any(|(a, _)| a == c));
                if !index.unique || !touched {
                    continue;
                }
                let old = index_values(&index.columns, row);
                let new = index_values(&index.columns, &after);
                if same(&old, &new) {
                    continue;
                }
                if !old.iter().any(Value::is_null) {
                    self.items.push(WriteItem::Release {
                        table,
                        index: i,
                        values: old,
                        key: key.clone(),
                    });
                }
                if !new.iter().any(Value::is_null) {
                    self.items.push(WriteItem::Claim {
                        table,
                        index: i,
                        values: new,
                        key: key.clone(),
                    });
                }
            }
            // A child unlinked from a deleted parent through two relations gets one
            // update with both assignments.
            if unlink {
                let earlier = self.unlinks.iter().find_map(|(t, k, range)| {
                    (*t == table && k.0.len() == key.len() && same(&k.0, &key))
                        .then(|| range.end - 1)
                });
                if let Some(WriteItem::Update {
                    assignments: merged,
                    ..
                }) = earlier.and_then(|i| self.items.get_mut(i))
                {
                    for a in &assignments {
                        if !merged.iter().any(|(c, _)| *c == a.0) {
                            merged.push(a.clone());
                        }
                    }
                    // Its claim moves go (or are dropped) with the row, like the first's.
                    self.unlinks
                        .push((table, KeyOf(key), start..self.items.len()));
                    continue;
                }
            }
            self.items.push(WriteItem::Update {
                table,
                key: key.clone(),
                expect: row.clone(),
                assignments: assignments.clone(),
            });
            if unlink {
                self.unlinks
                    .push((table, KeyOf(key), start..self.items.len()));
            }
        }
        Ok(table)
    }

    /// Adds the items of `write`, whose input rows are in `steps_out`. Returns the table
    /// it writes.
    pub(super) fn add(&mut self, write: KvWrite, steps_out: &[StepOut]) -> Result<TableId> {
        match write {
            KvWrite::Insert { table, rows } => {
                let def = self.schema.db.table(table)?;
                for row in rows {
                    self.check_size(def, &row)?;
                    let key = def.key_of(&row);
                    for (index, values) in unique_values(def, &row) {
                        self.items.push(WriteItem::Claim {
                            table,
                            index,
                            values,
                            key: key.clone(),
                        });
                    }
                    self.items.push(WriteItem::Put { table, row });
                }
                Ok(table)
            }
            KvWrite::Update {
                table,
                input,
                assignments,
                arithmetic,
            } => self.update(table, input, assignments, &arithmetic, steps_out, false),
            KvWrite::Unlink {
                table,
                input,
                assignments,
            } => self.update(table, input, assignments, &[], steps_out, true),
            KvWrite::Delete { table, input } => {
                let def = self.schema.db.table(table)?;
                for row in rows_of(steps_out, input)? {
                    let key = def.key_of(row);
                    for (index, values) in unique_values(def, row) {
                        self.items.push(WriteItem::Release {
                            table,
                            index,
                            values,
                            key: key.clone(),
                        });
                    }
                    self.items.push(WriteItem::Delete {
                        table,
                        key,
                        expect: row.clone(),
                    });
                }
                Ok(table)
            }
        }
    }

    /// Refuses a record that would take more than the capability's
    /// [`max_item_bytes`](Capability::max_item_bytes) as an item (`ValueOutOfRange`,
    /// like every other value past a size limit).
    fn check_size(&self, table: &Table, row: &[Value]) -> Result<()> {
        let Some(max) = self.cap.max_item_bytes else {
            return Ok(());
        };
        let size = toasty_core::driver::item_size(table, row);
        if size <= max {
            return Ok(());
        }
        Err(Error::out_of_range(format!(
            "a `{}` record would take {size} bytes as an item, but {} stores at most {max} \
             bytes per record (DynamoDB's 400 KB item limit); keep large values smaller or \
             in another store",
            self.model_name(table),
            self.cap.name
        )))
    }

    /// The items to send (`None` when there is nothing to write), after the checks in
    /// the module docs.
    pub(super) fn finish(mut self) -> Result<Option<Vec<WriteItem>>> {
        self.drop_unlinks_of_deleted();
        if self.items.is_empty() {
            return Ok(None);
        }
        self.merge_transfers();
        self.check_conflicts()?;
        if let Some(max) = self.cap.max_transact_items {
            if self.items.len() > max {
                return Err(Error::unsupported(format!(
                    "this write needs {} items in one atomic write (one per record, plus one \
                     per unique value taken or given up), but {} allows at most {max} \
                     (DynamoDB's TransactWriteItems limit); split it into smaller statements \
                     or batches",
                    self.items.len(),
                    self.cap.name
                )));
            }
        }
        Ok(Some(self.items))
    }

    /// A row that a cascading delete both unlinks and deletes is only deleted (the
    /// final state is the same as on SQL, where the update runs before the delete).
    fn drop_unlinks_of_deleted(&mut self) {
        if self.unlinks.is_empty() {
            return;
        }
        let deleted: std::collections::BTreeSet<(TableId, KeyOf)> = self
            .items
            .iter()
            .filter_map(|item| match item {
                WriteItem::Delete { table, key, .. } => Some((*table, KeyOf(key.clone()))),
                _ => None,
            })
            .collect();
        let mut keep = vec![true; self.items.len()];
        for (table, key, range) in &self.unlinks {
            if deleted.contains(&(*table, key.clone())) {
                for i in range.clone() {
                    if let Some(k) = keep.get_mut(i) {
                        *k = false;
                    }
                }
            }
        }
        let items = std::mem::take(&mut self.items);
        self.items = items
            .into_iter()
            .zip(keep)
            .filter_map(|(item, k)| k.then_some(item))
            .collect();
    }

    /// A unique value that one record of the write gives up and another takes (a
    /// `#[has_one]` child replaced by another) becomes one `Transfer` item: one write
    /// may address a claim only once.
    fn merge_transfers(&mut self) {
        let mut releases: BTreeMap<(TableId, usize, KeyOf), usize> = BTreeMap::new();
        for (i, item) in self.items.iter().enumerate() {
            if let WriteItem::Release {
                table,
                index,
                values,
                ..
            } = item
            {
                releases
                    .entry((*table, *index, KeyOf(values.clone())))
                    .or_insert(i);
            }
        }
        if releases.is_empty() {
            return;
        }
        let mut drop = vec![false; self.items.len()];
        for i in 0..self.items.len() {
            let WriteItem::Claim {
                table,
                index,
                values,
                key,
            } = &self.items[i]
            else {
                continue;
            };
            let slot = (*table, *index, KeyOf(values.clone()));
            let Some(r) = releases.remove(&slot) else {
                continue;
            };
            let Some(WriteItem::Release { key: from, .. }) = self.items.get(r) else {
                continue;
            };
            if same(from, key) {
                continue;
            }
            let transfer = WriteItem::Transfer {
                table: *table,
                index: *index,
                values: values.clone(),
                from: from.clone(),
                to: key.clone(),
            };
            self.items[i] = transfer;
            drop[r] = true;
        }
        let items = std::mem::take(&mut self.items);
        self.items = items
            .into_iter()
            .zip(drop)
            .filter_map(|(item, d)| (!d).then_some(item))
            .collect();
    }

    fn check_conflicts(&self) -> Result<()> {
        // (table, record key) or (table, index, values) -> the first item that wrote it.
        let mut records: BTreeMap<(TableId, KeyOf), &WriteItem> = BTreeMap::new();
        let mut claims: BTreeMap<(TableId, usize, KeyOf), &WriteItem> = BTreeMap::new();
        for item in &self.items {
            match item {
                WriteItem::Put { table, row } => {
                    let def = self.schema.db.table(*table)?;
                    let key = KeyOf(def.key_of(row));
                    if let Some(earlier) = records.insert((*table, key), item) {
                        return Err(match earlier {
                            WriteItem::Put { .. } => self.duplicate_key(def),
                            _ => twice(def),
                        });
                    }
                }
                WriteItem::Update { table, key, .. } | WriteItem::Delete { table, key, .. } => {
                    let def = self.schema.db.table(*table)?;
                    if records.insert((*table, KeyOf(key.clone())), item).is_some() {
                        return Err(twice(def));
                    }
                }
                WriteItem::Claim {
                    table,
                    index,
                    values,
                    ..
                }
                | WriteItem::Release {
                    table,
                    index,
                    values,
                    ..
                }
                | WriteItem::Transfer {
                    table,
                    index,
                    values,
                    ..
                } => {
                    let def = self.schema.db.table(*table)?;
                    let slot = (*table, *index, KeyOf(values.clone()));
                    if let Some(earlier) = claims.insert(slot, item) {
                        let both_claims = matches!(earlier, WriteItem::Claim { .. })
                            && matches!(item, WriteItem::Claim { .. });
                        return Err(if both_claims {
                            self.duplicate_unique(def, *index)
                        } else {
                            twice(def)
                        });
                    }
                }
            }
        }
        Ok(())
    }

    fn model_name(&self, table: &Table) -> String {
        self.schema
            .mapping
            .models
            .iter()
            .position(|m| m.table == table.id)
            .and_then(|i| self.schema.app.get(i))
            .map(|m| m.name.clone())
            .unwrap_or_else(|| table.name.clone())
    }

    fn duplicate_key(&self, table: &Table) -> Error {
        Error::unique_violation(format!(
            "two `{}` records in one write have the same primary key",
            self.model_name(table)
        ))
    }

    fn duplicate_unique(&self, table: &Table, index: usize) -> Error {
        let columns: Vec<String> = table
            .indices
            .get(index)
            .map(|i| {
                i.columns
                    .iter()
                    .filter_map(|&c| table.columns.get(c).map(|col| format!("`{}`", col.name)))
                    .collect()
            })
            .unwrap_or_default();
        Error::unique_violation(format!(
            "two `{}` records in one write have the same value of {}",
            self.model_name(table),
            columns.join(", ")
        ))
    }
}

fn twice(table: &Table) -> Error {
    Error::unsupported(format!(
        "this key-value write changes one record of `{}` (or one of its unique values) twice; \
         DynamoDB's TransactWriteItems takes one action per item, so run the two changes as \
         separate statements",
        table.name
    ))
}

/// A key for maps: values compared by the contract's sort order, and hashed so that
/// keys equal under that order hash alike (numbers by their `f64` value with `-0.0` as
/// `0.0`, so `1` and `1.0` meet; NaN, which that order cannot place, by one fixed hash).
#[derive(Debug, Clone)]
pub(super) struct KeyOf(pub(super) Vec<Value>);

impl std::hash::Hash for KeyOf {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        hash_values(&self.0, state);
    }
}

/// Hashes `values` as [`KeyOf`] does: values equal under [`cmp_values`] hash alike.
#[inline]
pub(super) fn hash_values<H: std::hash::Hasher>(values: &[Value], state: &mut H) {
    state.write_usize(values.len());
    for v in values {
        hash_value(v, state);
    }
}

#[inline]
fn hash_value<H: std::hash::Hasher>(v: &Value, state: &mut H) {
    let number = |x: f64, state: &mut H| {
        state.write_u8(2);
        let canonical = if x == 0.0 {
            0
        } else if x.is_nan() {
            u64::MAX
        } else {
            x.to_bits()
        };
        state.write_u64(canonical);
    };
    match v {
        Value::Null => state.write_u8(0),
        Value::Bool(b) => {
            state.write_u8(1);
            state.write_u8(u8::from(*b));
        }
        Value::I64(x) => number(*x as f64, state),
        Value::U64(x) => number(*x as f64, state),
        Value::F64(x) => number(*x, state),
        Value::String(s) => {
            state.write_u8(3);
            state.write(s.as_bytes());
            state.write_u8(0xff);
        }
        Value::Bytes(b) => {
            state.write_u8(4);
            state.write_usize(b.len());
            state.write(b);
        }
        Value::Uuid(u) => {
            state.write_u8(5);
            state.write(u.as_bytes());
        }
        Value::Timestamp(t) => {
            state.write_u8(6);
            state.write_i64(*t);
        }
    }
}

impl PartialEq for KeyOf {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for KeyOf {}
impl PartialOrd for KeyOf {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for KeyOf {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        cmp_values(&self.0, &other.0)
    }
}

/// Compares keys by the contract's sort order, value by value, then by length.
#[inline]
pub(super) fn cmp_values(a: &[Value], b: &[Value]) -> std::cmp::Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.sort_cmp(y))
        .find(|o| o.is_ne())
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

fn index_values(columns: &[usize], row: &[Value]) -> Vec<Value> {
    columns
        .iter()
        .map(|&c| row.get(c).cloned().unwrap_or(Value::Null))
        .collect()
}

fn same(a: &[Value], b: &[Value]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same_as(y))
}

/// The values `row` holds in each unique index, where none is NULL.
fn unique_values(table: &Table, row: &[Value]) -> Vec<(usize, Vec<Value>)> {
    table
        .indices
        .iter()
        .enumerate()
        .filter(|(_, index)| index.unique)
        .map(|(i, index)| (i, index_values(&index.columns, row)))
        .filter(|(_, values)| !values.iter().any(Value::is_null))
        .collect()
}

#[cfg(test)]
mod key_tests {
    use super::*;
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};

    fn hash(values: Vec<Value>) -> u64 {
        BuildHasherDefault::<DefaultHasher>::default().hash_one(KeyOf(values))
    }

    #[test]
    fn keys_equal_under_the_contract_hash_alike() {
        let pairs = [
            (Value::I64(1), Value::F64(1.0)),
            (Value::F64(-0.0), Value::F64(0.0)),
            (Value::I64(0), Value::F64(-0.0)),
        ];
        for (a, b) in pairs {
            assert_eq!(KeyOf(vec![a.clone()]), KeyOf(vec![b.clone()]));
            assert_eq!(hash(vec![a]), hash(vec![b]));
        }
        assert_ne!(
            hash(vec![Value::String("ab".into()), Value::String("c".into())]),
            hash(vec![Value::String("a".into()), Value::String("bc".into())])
        );
        assert_ne!(KeyOf(vec![Value::I64(1)]), KeyOf(vec![Value::I64(2)]));
    }
}

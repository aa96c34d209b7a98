//! One stored table: its definition, its rows keyed by primary key, an entry map per
//! secondary index, its auto-increment counter and its unique-value claims; plus the
//! checks every write applies to rows of a table.
//!
//! Rows change only through [`TableData::put_row`] and [`TableData::remove_row`], which
//! keep the index maps in step; the maps only make lookups fast ([`TableData::candidates`]
//! and [`TableData::check_unique_changes`]), they never change an answer.
//!
//! This module owns the row invariants (values fit their column, no NULL in a
//! non-nullable column, unique primary keys, and on the sql persona unique values in
//! unique indexes). It does not decide which operations are allowed; see
//! [`crate::persona`].

use crate::key::Key;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;
use toasty_core::schema::db;
use toasty_core::stmt::Expr;
use toasty_core::{Error, Result, Value};

/// The contents of one table.
#[derive(Debug, Clone)]
pub(crate) struct TableData {
    /// The definition the table was created with.
    pub(crate) def: db::Table,
    /// Full rows, keyed (and therefore ordered) by their primary-key values. Read freely;
    /// change only through [`TableData::put_row`] / [`TableData::remove_row`].
    pub(crate) rows: BTreeMap<Key, Vec<Value>>,
    /// One map per entry of `def.indices`: the values of the index's columns (NULLs
    /// included) to the primary keys of the rows that have them.
    indexes: Vec<BTreeMap<Key, BTreeSet<Key>>>,
    /// The next value the auto-increment column receives. Starts at 1, only grows, and is
    /// kept in `i128` so that running past `i64::MAX` is an error rather than an overflow.
    pub(crate) next_auto: i128,
    /// The claims of [`toasty_core::driver::WriteItem::Claim`]: for a unique index
    /// (its position in `def.indices`) and a value of its columns, the primary key of the
    /// row that holds the value. Written only by `TransactWrite`; dropped with the table.
    pub(crate) claims: BTreeMap<(usize, Key), Key>,
}

impl TableData {
    /// An empty table with definition `def`.
    pub(crate) fn new(def: db::Table) -> TableData {
        TableData {
            indexes: vec![BTreeMap::new(); def.indices.len()],
            def,
            rows: BTreeMap::new(),
            next_auto: 1,
            claims: BTreeMap::new(),
        }
    }

    /// The primary key of a full row of this table.
    pub(crate) fn key_of(&self, row: &[Value]) -> Key {
        Key(self.def.key_of(row))
    }

    /// Turns primary-key values given by the engine into a [`Key`], checking the arity.
    pub(crate) fn key_from(&self, values: Vec<Value>) -> Result<Key> {
        if values.len() != self.def.primary_key.len() {
            return Err(Error::invalid_statement(format!(
                "a key of table `{}` has {} values but the primary key has {} columns",
                self.def.name,
                values.len(),
                self.def.primary_key.len()
            )));
        }
        Ok(Key(values))
    }

    /// The values of index `index`'s columns in `row`.
    fn index_entry(&self, index: usize, row: &[Value]) -> Key {
        Key(self.def.indices[index]
            .columns
            .iter()
            .map(|&c| row.get(c).cloned().unwrap_or(Value::Null))
            .collect())
    }

    /// Stores `row` under `key`, replacing a row with that key, and updates the index
    /// maps.
    pub(crate) fn put_row(&mut self, key: Key, row: Vec<Value>) {
        if let Some(old) = self.rows.get(&key) {
            let old = old.clone();
            self.unindex(&key, &old);
        }
        for i in 0..self.indexes.len() {
            let entry = self.index_entry(i, &row);
            self.indexes[i]
                .entry(entry)
                .or_default()
                .insert(key.clone());
        }
        self.rows.insert(key, row);
    }

    /// Removes the row with `key`, if any, and its index entries.
    pub(crate) fn remove_row(&mut self, key: &Key) -> Option<Vec<Value>> {
        let row = self.rows.remove(key)?;
        self.unindex(key, &row);
        Some(row)
    }

    fn unindex(&mut self, key: &Key, row: &[Value]) {
        for i in 0..self.indexes.len() {
            let entry = self.index_entry(i, row);
            if let Some(keys) = self.indexes[i].get_mut(&entry) {
                keys.remove(key);
                if keys.is_empty() {
                    self.indexes[i].remove(&entry);
                }
            }
        }
    }

    /// The primary keys of the rows whose first `prefix.len()` columns of index `index`
    /// equal `prefix` (under the key order), unordered.
    fn index_prefix<'a>(&'a self, index: usize, prefix: &[Value]) -> Vec<&'a Key> {
        let start = Key(prefix.to_vec());
        self.indexes[index]
            .range((Bound::Included(start), Bound::Unbounded))
            .take_while(|(entry, _)| {
                entry.0.len() >= prefix.len()
                    && entry
                        .0
                        .iter()
                        .zip(prefix)
                        .all(|(a, b)| a.sort_cmp(b).is_eq())
            })
            .flat_map(|(_, keys)| keys.iter())
            .collect()
    }

    /// The rows whose first column of the primary key (`index: None`) or of secondary
    /// index `index` equals `partition` under the key order, as a superset of those a
    /// query by that partition key selects, in primary-key order. NULL selects nothing.
    pub(crate) fn partition_rows(
        &self,
        index: Option<usize>,
        partition: &Value,
    ) -> Vec<&Vec<Value>> {
        if partition.is_null() {
            return Vec::new();
        }
        let prefix = std::slice::from_ref(partition);
        match index {
            Some(i) if i < self.indexes.len() => {
                let mut keys: Vec<&Key> = self.index_prefix(i, prefix);
                keys.sort();
                keys.into_iter().filter_map(|k| self.rows.get(k)).collect()
            }
            Some(_) => Vec::new(),
            None => self
                .rows
                .range((Bound::Included(Key(prefix.to_vec())), Bound::Unbounded))
                .take_while(|(key, _)| key.0.first().is_some_and(|v| v.sort_cmp(partition).is_eq()))
                .map(|(_, row)| row)
                .collect(),
        }
    }

    /// The rows a filter can match, as a superset, in primary-key order: the single row
    /// with the primary key when the filter's top-level conjuncts pin every key column
    /// with `=` to a non-NULL literal (a B-tree lookup); else the rows found through the
    /// secondary index whose leading columns the conjuncts pin the most (`=` to a literal,
    /// or `IN` a list of literals for an index's first column); otherwise every row.
    /// Callers still evaluate the whole filter on each candidate, so this changes speed,
    /// never results.
    pub(crate) fn candidates<'a>(
        &'a self,
        filter: &Expr,
    ) -> Box<dyn Iterator<Item = &'a Vec<Value>> + 'a> {
        let conjuncts: Vec<&Expr> = match filter {
            Expr::And(items) => items.iter().collect(),
            other => vec![other],
        };
        if let Some(key) = self.pinned_key(&conjuncts) {
            return Box::new(self.rows.get(&key).into_iter());
        }
        match self.index_lookup(&conjuncts) {
            Some(keys) => Box::new(keys.into_iter().filter_map(move |k| self.rows.get(k))),
            None => Box::new(self.rows.values()),
        }
    }

    /// The value a conjunct `column = literal` pins `col` to (never NULL).
    fn pinned<'e>(conjuncts: &[&'e Expr], col: usize) -> Option<&'e Value> {
        conjuncts.iter().find_map(|c| match c {
            Expr::Binary {
                op: toasty_core::stmt::BinaryOp::Eq,
                lhs,
                rhs,
            } => match (&**lhs, &**rhs) {
                (Expr::Column(x), Expr::Value(v)) | (Expr::Value(v), Expr::Column(x))
                    if *x == col && !v.is_null() =>
                {
                    Some(v)
                }
                _ => None,
            },
            _ => None,
        })
    }

    /// The literals of a conjunct `column IN (list)` on `col`.
    fn listed<'e>(conjuncts: &[&'e Expr], col: usize) -> Option<&'e [Value]> {
        conjuncts.iter().find_map(|c| match c {
            Expr::InList { expr, list } if matches!(&**expr, Expr::Column(x) if *x == col) => {
                Some(list.as_slice())
            }
            _ => None,
        })
    }

    fn pinned_key(&self, conjuncts: &[&Expr]) -> Option<Key> {
        let mut values = Vec::with_capacity(self.def.primary_key.len());
        for &col in &self.def.primary_key {
            values.push(Self::pinned(conjuncts, col)?.clone());
        }
        Some(Key(values))
    }

    /// The sorted, distinct primary keys of the candidates found through the best index,
    /// or `None` when no index helps.
    fn index_lookup(&self, conjuncts: &[&Expr]) -> Option<Vec<&Key>> {
        // (pinned leading columns, index) of the best index by `=`.
        let mut best: Option<(usize, usize)> = None;
        for (i, index) in self.def.indices.iter().enumerate() {
            let n = index
                .columns
                .iter()
                .take_while(|&&c| Self::pinned(conjuncts, c).is_some())
                .count();
            if n > 0 && best.is_none_or(|(m, _)| n > m) {
                best = Some((n, i));
            }
        }
        let mut keys: Vec<&Key> = match best {
            Some((n, i)) => {
                let prefix: Vec<Value> = self.def.indices[i].columns[..n]
                    .iter()
                    .filter_map(|&c| Self::pinned(conjuncts, c).cloned())
                    .collect();
                self.index_prefix(i, &prefix)
            }
            None => {
                let (i, list) = self.def.indices.iter().enumerate().find_map(|(i, index)| {
                    let first = *index.columns.first()?;
                    Some((i, Self::listed(conjuncts, first)?))
                })?;
                let mut keys = Vec::new();
                for v in list.iter().filter(|v| !v.is_null()) {
                    keys.extend(self.index_prefix(i, std::slice::from_ref(v)));
                }
                keys
            }
        };
        keys.sort();
        keys.dedup();
        Some(keys)
    }

    /// The column at position `col`, or an `InvalidStatement` error naming the table.
    pub(crate) fn column(&self, col: usize) -> Result<&db::Column> {
        self.def.columns.get(col).ok_or_else(|| {
            Error::invalid_statement(format!(
                "column #{col} does not exist in table `{}`, which has {} columns",
                self.def.name,
                self.def.columns.len()
            ))
        })
    }

    /// A readable name for column `col` ("column `users.email`").
    pub(crate) fn column_label(&self, col: usize) -> String {
        match self.def.columns.get(col) {
            Some(c) => format!("column `{}.{}`", self.def.name, c.name),
            None => format!("column #{col} of `{}`", self.def.name),
        }
    }

    /// Checks that `value` may be stored in column `col`: NULL only in a nullable column
    /// (else `InvalidValue` naming the column), and [`toasty_core::Type::check`] for the
    /// column's type (its error is returned as is), and the column's `max_len`
    /// (characters of a string, bytes of a byte string; `ValueOutOfRange`).
    pub(crate) fn check_value(&self, col: usize, value: &Value) -> Result<()> {
        let column = self.column(col)?;
        let label = self.column_label(col);
        if value.is_null() {
            if column.nullable {
                return Ok(());
            }
            return Err(Error::invalid_value(format!(
                "{label} is not nullable but was given NULL; provide a value or make the \
                 field an Option"
            )));
        }
        column.ty.check(value, &label)?;
        if let Some(max) = column.max_len {
            let len = match value {
                Value::String(s) => s.chars().count(),
                Value::Bytes(b) => b.len(),
                _ => 0,
            };
            if len > max as usize {
                return Err(Error::out_of_range(format!(
                    "{label} holds at most {max} characters (bytes for byte strings); this \
                     value has {len}"
                )));
            }
        }
        Ok(())
    }

    /// Checks, before any row is read, that `expr` is at table level and names only
    /// columns of this table (so a malformed filter fails even on an empty table).
    pub(crate) fn check_expr(&self, expr: &Expr) -> Result<()> {
        let mut result = Ok(());
        expr.walk(&mut |e| {
            if result.is_err() {
                return;
            }
            match e {
                Expr::Field(i) => {
                    result = Err(Error::invalid_statement(format!(
                        "an expression on table `{}` refers to model field #{i}; drivers \
                         receive table-level expressions only (the engine must lower fields \
                         to columns)",
                        self.def.name
                    )))
                }
                Expr::Column(i) => result = self.column(*i).map(|_| ()),
                _ => {}
            }
        });
        result
    }

    /// Checks that column positions are in range and listed at most once. `what` names
    /// the list for messages ("insert columns", "assignments").
    pub(crate) fn check_column_list(&self, cols: &[usize], what: &str) -> Result<()> {
        for (i, &c) in cols.iter().enumerate() {
            self.column(c)?;
            if cols[..i].contains(&c) {
                return Err(Error::invalid_statement(format!(
                    "{} is listed twice in the {what}",
                    self.column_label(c)
                )));
            }
        }
        Ok(())
    }

    /// Checks the unique secondary indexes after a write that replaces the rows at the
    /// keys of `changes` with the given rows (`None`: the row is removed; a key not yet in
    /// the table is a new row). Rows not named in `changes` stay as they are. No two rows
    /// of the resulting table may share a value in a unique index; an entry containing
    /// NULL in any of its columns never conflicts (SQL semantics). The table itself is
    /// assumed to satisfy its unique indexes before the write.
    pub(crate) fn check_unique_changes(
        &self,
        changes: &BTreeMap<Key, Option<&Vec<Value>>>,
    ) -> Result<()> {
        for (i, index) in self.def.indices.iter().enumerate() {
            if !index.unique {
                continue;
            }
            let mut seen = BTreeSet::new();
            for row in changes.values().flatten() {
                let entry = self.index_entry(i, row);
                if entry.has_null() {
                    continue;
                }
                let taken = self.indexes[i]
                    .get(&entry)
                    .is_some_and(|keys| keys.iter().any(|k| !changes.contains_key(k)));
                if taken || seen.contains(&entry) {
                    return Err(self.unique_conflict(i, &entry));
                }
                seen.insert(entry);
            }
        }
        Ok(())
    }

    fn unique_conflict(&self, index: usize, entry: &Key) -> Error {
        let index = &self.def.indices[index];
        let names: Vec<&str> = index
            .columns
            .iter()
            .filter_map(|&c| self.def.columns.get(c).map(|c| c.name.as_str()))
            .collect();
        Error::unique_violation(format!(
            "two rows of `{}` would have ({}) = {:?}, but the unique index `{}` allows each \
             value once",
            self.def.name,
            names.join(", "),
            entry.0,
            index.name
        ))
    }

    /// The `UniqueViolation` error for a second row with primary key `key`.
    pub(crate) fn duplicate_key(&self, key: &Key) -> Error {
        Error::unique_violation(format!(
            "a row with primary key {:?} already exists in `{}`",
            key.0, self.def.name
        ))
    }
}

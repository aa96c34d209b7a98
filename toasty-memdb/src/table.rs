//! One stored table: its definition, its rows keyed by primary key, its auto-increment
//! counter and its unique-value claims; plus the checks every write applies to rows of a
//! table.
//!
//! This module owns the row invariants (values fit their column, no NULL in a
//! non-nullable column, unique primary keys, and on the sql persona unique values in
//! unique indexes). It does not decide which operations are allowed; see
//! [`crate::persona`].

use crate::key::Key;
use std::collections::BTreeMap;
use toasty_core::schema::db;
use toasty_core::stmt::Expr;
use toasty_core::{Error, Result, Value};

/// The contents of one table.
#[derive(Debug, Clone)]
pub(crate) struct TableData {
    /// The definition the table was created with.
    pub(crate) def: db::Table,
    /// Full rows, keyed (and therefore ordered) by their primary-key values.
    pub(crate) rows: BTreeMap<Key, Vec<Value>>,
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

    /// The rows a filter can match, as a superset: the single row with the primary key
    /// when the filter's top-level conjuncts pin every key column with `=` to a literal
    /// (a B-tree lookup), otherwise every row. Callers still evaluate the whole filter on
    /// each candidate, so this changes speed, never results.
    pub(crate) fn candidates<'a>(
        &'a self,
        filter: &Expr,
    ) -> Box<dyn Iterator<Item = &'a Vec<Value>> + 'a> {
        match self.pinned_key(filter) {
            Some(key) => Box::new(self.rows.get(&key).into_iter()),
            None => Box::new(self.rows.values()),
        }
    }

    fn pinned_key(&self, filter: &Expr) -> Option<Key> {
        let conjuncts: Vec<&Expr> = match filter {
            Expr::And(items) => items.iter().collect(),
            other => vec![other],
        };
        let mut values = Vec::with_capacity(self.def.primary_key.len());
        for &col in &self.def.primary_key {
            let v = conjuncts.iter().find_map(|c| match c {
                Expr::Binary {
                    op: toasty_core::stmt::BinaryOp::Eq,
                    lhs,
                    rhs,
                } => match (&**lhs, &**rhs) {
                    (Expr::Column(x), Expr::Value(v)) | (Expr::Value(v), Expr::Column(x))
                        if *x == col && !v.is_null() =>
                    {
                        Some(v.clone())
                    }
                    _ => None,
                },
                _ => None,
            })?;
            values.push(v);
        }
        Some(Key(values))
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
    /// column's type (its error is returned as is).
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
        column.ty.check(value, &label)
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

    /// Checks that no two of `rows` (the complete would-be contents of the table) share a
    /// value in a unique secondary index. An index entry containing NULL in any of its
    /// columns never conflicts (SQL semantics).
    pub(crate) fn check_unique_indexes<'a>(
        &self,
        rows: impl Iterator<Item = &'a Vec<Value>> + Clone,
    ) -> Result<()> {
        for index in self.def.indices.iter().filter(|i| i.unique) {
            let mut seen = BTreeMap::new();
            for row in rows.clone() {
                let entry = Key(index
                    .columns
                    .iter()
                    .map(|&c| row.get(c).cloned().unwrap_or(Value::Null))
                    .collect());
                if entry.has_null() {
                    continue;
                }
                if seen.insert(entry.clone(), ()).is_some() {
                    let names: Vec<&str> = index
                        .columns
                        .iter()
                        .filter_map(|&c| self.def.columns.get(c).map(|c| c.name.as_str()))
                        .collect();
                    return Err(Error::unique_violation(format!(
                        "two rows of `{}` would have ({}) = {:?}, but the unique index `{}` \
                         allows each value once",
                        self.def.name,
                        names.join(", "),
                        entry.0,
                        index.name
                    )));
                }
            }
        }
        Ok(())
    }

    /// The `UniqueViolation` error for a second row with primary key `key`.
    pub(crate) fn duplicate_key(&self, key: &Key) -> Error {
        Error::unique_violation(format!(
            "a row with primary key {:?} already exists in `{}`",
            key.0, self.def.name
        ))
    }
}

//! The shared store: every table of one [`crate::MemDb`], by table name, each with a
//! version.
//!
//! This module owns table existence (create, drop, lookup), the rule that an operation
//! must describe a table the same way it was created, and table versions. It does not
//! interpret rows; that is [`crate::table`] and the operation modules.
//!
//! # Versions
//!
//! Every stored table carries a version taken from one counter of the store, which only
//! grows. A table gets a new version whenever a committed write or DDL changes it
//! (creating it, an autocommit write, the commit of a transaction that wrote it), so a
//! version is never reused, not even by a table that was dropped and created again. An
//! absent table has no version. Transactions record the version of each table they use
//! and compare it at commit (see [`crate::ops::transaction`]).

use crate::table::TableData;
use std::collections::BTreeMap;
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// All tables, keyed by their database name (which includes any table prefix).
#[derive(Debug, Default)]
pub(crate) struct Store {
    tables: BTreeMap<String, Stored>,
    /// The last version handed out.
    clock: u64,
}

/// One stored table and its version.
#[derive(Debug)]
struct Stored {
    data: TableData,
    version: u64,
}

impl Store {
    /// The version of table `name`, or `None` if it does not exist.
    pub(crate) fn version(&self, name: &str) -> Option<u64> {
        self.tables.get(name).map(|t| t.version)
    }

    /// The committed contents of table `name`, if it exists (no definition check).
    pub(crate) fn get(&self, name: &str) -> Option<&TableData> {
        self.tables.get(name).map(|t| &t.data)
    }

    /// The table `def` refers to, for reading. Errors as [`Store::table_mut`].
    pub(crate) fn table(&self, def: &db::Table) -> Result<&TableData> {
        checked(self.get(&def.name), def)
    }

    /// The table `def` refers to, for writing.
    ///
    /// Errors (kind `Driver`) if it was never created, or was created with a different
    /// definition (columns, primary key or indexes). The caller bumps the version with
    /// [`Store::bump`] once its write succeeded.
    pub(crate) fn table_mut(&mut self, def: &db::Table) -> Result<&mut TableData> {
        checked_mut(self.tables.get_mut(&def.name).map(|t| &mut t.data), def)
    }

    /// Creates an empty table with a new version. Errors (kind `Driver`) if a table of
    /// that name exists.
    pub(crate) fn create(&mut self, def: &db::Table) -> Result<()> {
        let table = new_table(self.tables.contains_key(&def.name), def)?;
        self.install(&def.name, Some(table));
        Ok(())
    }

    /// Drops a table with its rows, counter and claims. Dropping an absent table does
    /// nothing.
    pub(crate) fn drop_table(&mut self, name: &str) {
        self.install(name, None);
    }

    /// Gives table `name` a new version (after a successful write to it). Does nothing
    /// if it does not exist.
    pub(crate) fn bump(&mut self, name: &str) {
        let version = self.clock + 1;
        if let Some(t) = self.tables.get_mut(name) {
            t.version = version;
            self.clock = version;
        }
    }

    /// Replaces table `name` with `data` under a new version, or removes it (`None`).
    pub(crate) fn install(&mut self, name: &str, data: Option<TableData>) {
        match data {
            Some(data) => {
                self.clock += 1;
                let version = self.clock;
                self.tables
                    .insert(name.to_owned(), Stored { data, version });
            }
            None => {
                self.tables.remove(name);
            }
        }
    }
}

/// A new empty table for `def`, or the `Driver` error for creating a table that
/// `exists` already.
pub(crate) fn new_table(exists: bool, def: &db::Table) -> Result<TableData> {
    if exists {
        return Err(Error::driver(format!(
            "table `{}` already exists; drop it first or use another table prefix",
            def.name
        )));
    }
    Ok(TableData::new(def.clone()))
}

/// `found` (the table stored under `def.name`, if any) checked against `def`.
pub(crate) fn checked<'t>(found: Option<&'t TableData>, def: &db::Table) -> Result<&'t TableData> {
    let table = found.ok_or_else(|| missing(def))?;
    check_definition(table, def)?;
    Ok(table)
}

/// [`checked`] for writing.
pub(crate) fn checked_mut<'t>(
    found: Option<&'t mut TableData>,
    def: &db::Table,
) -> Result<&'t mut TableData> {
    let table = found.ok_or_else(|| missing(def))?;
    check_definition(table, def)?;
    Ok(table)
}

fn check_definition(table: &TableData, def: &db::Table) -> Result<()> {
    if same_definition(&table.def, def) {
        Ok(())
    } else {
        Err(Error::driver(format!(
            "table `{}` was created with a different definition than the schema in use; \
             drop and re-create it",
            def.name
        )))
    }
}

fn missing(def: &db::Table) -> Error {
    Error::driver(format!(
        "table `{}` does not exist; create it first (push the schema)",
        def.name
    ))
}

/// Two definitions describe the same table (the table id may differ between schemas).
fn same_definition(a: &db::Table, b: &db::Table) -> bool {
    a.name == b.name
        && a.columns == b.columns
        && a.primary_key == b.primary_key
        && a.indices == b.indices
}

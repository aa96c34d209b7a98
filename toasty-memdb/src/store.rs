//! The shared store: every table of one [`crate::MemDb`], by table name.
//!
//! This module owns table existence (create, drop, lookup) and the rule that an
//! operation must describe a table the same way it was created. It does not interpret
//! rows; that is [`crate::table`] and the operation modules.

use crate::table::TableData;
use std::collections::BTreeMap;
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// All tables, keyed by their database name (which includes any table prefix).
#[derive(Debug, Default)]
pub(crate) struct Store {
    tables: BTreeMap<String, TableData>,
}

impl Store {
    /// Creates an empty table. Errors (kind `Driver`) if a table of that name exists.
    pub(crate) fn create(&mut self, def: &db::Table) -> Result<()> {
        if self.tables.contains_key(&def.name) {
            return Err(Error::driver(format!(
                "table `{}` already exists; drop it first or use another table prefix",
                def.name
            )));
        }
        self.tables
            .insert(def.name.clone(), TableData::new(def.clone()));
        Ok(())
    }

    /// Drops a table with its rows and counter. Dropping an absent table does nothing.
    pub(crate) fn drop_table(&mut self, name: &str) {
        self.tables.remove(name);
    }

    /// The table `def` refers to, for writing.
    ///
    /// Errors (kind `Driver`) if it was never created, or was created with a different
    /// definition (columns, primary key or indexes).
    pub(crate) fn table_mut(&mut self, def: &db::Table) -> Result<&mut TableData> {
        let table = self.tables.get_mut(&def.name).ok_or_else(|| missing(def))?;
        if !same_definition(&table.def, def) {
            return Err(Error::driver(format!(
                "table `{}` was created with a different definition than the schema in use; \
                 drop and re-create it",
                def.name
            )));
        }
        Ok(table)
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

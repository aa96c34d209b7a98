//! The tables one operation runs against: the shared store itself (autocommit) or the
//! private view of the connection's open transaction.
//!
//! This module owns the bookkeeping that differs between the two: in autocommit, a
//! successful write gives the tables it wrote a new version at once; in a transaction,
//! the first use of a table copies it into the view (recording its version) and a
//! successful write marks the copy as written, to be installed at commit. Operation
//! modules see only [`Space::table`], [`Space::table_mut`], [`Space::create`] and
//! [`Space::drop_table`] and never know which of the two they run in.

use crate::ops::transaction::Transaction;
use crate::store::{self, Store};
use crate::table::TableData;
use std::collections::BTreeSet;
use toasty_core::schema::db;
use toasty_core::Result;

/// The tables of one operation (see the module docs).
pub(crate) struct Space<'a> {
    store: &'a mut Store,
    txn: Option<&'a mut Transaction>,
    /// Tables handed out for writing during this operation.
    written: BTreeSet<String>,
}

impl<'a> Space<'a> {
    /// The space of one operation on `store`, inside `txn` if one is open.
    pub(crate) fn new(store: &'a mut Store, txn: Option<&'a mut Transaction>) -> Space<'a> {
        Space {
            store,
            txn,
            written: BTreeSet::new(),
        }
    }

    /// The table `def` refers to, for reading. Errors (kind `Driver`) if it does not
    /// exist (in this transaction's view) or was created with another definition.
    pub(crate) fn table(&mut self, def: &db::Table) -> Result<&TableData> {
        match &mut self.txn {
            None => self.store.table(def),
            Some(txn) => store::checked(txn.touch(self.store, &def.name).as_ref(), def),
        }
    }

    /// The table `def` refers to, for writing; errors as [`Space::table`]. The write
    /// counts only if the operation succeeds ([`Space::finish`]).
    pub(crate) fn table_mut(&mut self, def: &db::Table) -> Result<&mut TableData> {
        self.written.insert(def.name.clone());
        match &mut self.txn {
            None => self.store.table_mut(def),
            Some(txn) => store::checked_mut(txn.touch(self.store, &def.name).as_mut(), def),
        }
    }

    /// Creates an empty table. Errors (kind `Driver`) if a table of that name exists.
    pub(crate) fn create(&mut self, def: &db::Table) -> Result<()> {
        match &mut self.txn {
            None => self.store.create(def),
            Some(txn) => {
                let slot = txn.touch(self.store, &def.name);
                *slot = Some(store::new_table(slot.is_some(), def)?);
                self.written.insert(def.name.clone());
                Ok(())
            }
        }
    }

    /// Drops a table if it exists.
    pub(crate) fn drop_table(&mut self, def: &db::Table) {
        match &mut self.txn {
            None => self.store.drop_table(&def.name),
            Some(txn) => {
                *txn.touch(self.store, &def.name) = None;
                self.written.insert(def.name.clone());
            }
        }
    }

    /// Records the writes of a successful operation: new versions in autocommit, written
    /// tables of the transaction otherwise. Not called when the operation failed (it
    /// then changed nothing).
    pub(crate) fn finish(self) {
        match self.txn {
            None => {
                for name in &self.written {
                    self.store.bump(name);
                }
            }
            Some(txn) => {
                for name in self.written {
                    txn.mark_written(name);
                }
            }
        }
    }
}

//! `GetByKey` (both personas).
//!
//! Returns `Rows` with the full row of each key that exists, in the order of `keys`.
//! Keys that do not exist are skipped; a key listed more than once is returned once (at
//! its first position). Every key must have one value per primary-key column
//! (`InvalidStatement` otherwise); a key containing NULL matches nothing.

use crate::key::Key;
use crate::table::TableData;
use std::collections::BTreeSet;
use toasty_core::driver::{GetByKey, Response};
use toasty_core::Result;

/// Runs a get by key (see the module docs).
pub(crate) fn get_by_key(table: &TableData, op: GetByKey) -> Result<Response> {
    let mut seen: BTreeSet<Key> = BTreeSet::new();
    let mut rows = Vec::new();
    for values in op.keys {
        let key = table.key_from(values)?;
        if key.has_null() {
            continue;
        }
        if let Some(row) = table.rows.get(&key) {
            if seen.insert(key) {
                rows.push(row.clone());
            }
        }
    }
    Ok(Response::Rows(rows))
}

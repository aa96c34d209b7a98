//! Row keys: the ordered identity of a row (its primary-key values) or of an index entry.
//!
//! This module owns the one ordering memdb uses for keys, [`Value::sort_cmp`] applied
//! column by column. It must not define any other comparison.

use std::cmp::Ordering;
use toasty_core::Value;

/// A list of values ordered lexicographically by [`Value::sort_cmp`].
///
/// Used as the `BTreeMap` key of a table's rows (primary-key values in key order) and of
/// the entries of a unique index. Two keys are equal exactly when every column compares
/// equal under the contract (so `"a"` and `"A"` differ, and `-0.0` equals `0.0`).
#[derive(Debug, Clone)]
pub(crate) struct Key(pub(crate) Vec<Value>);

impl Key {
    /// Returns `true` if any column of the key is NULL.
    pub(crate) fn has_null(&self) -> bool {
        self.0.iter().any(Value::is_null)
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        for (a, b) in self.0.iter().zip(&other.0) {
            let ord = a.sort_cmp(b);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        self.0.len().cmp(&other.0.len())
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

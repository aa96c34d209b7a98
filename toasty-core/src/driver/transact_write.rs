//! [`TransactWrite`]: the one atomic write of a key-value store.
//!
//! A key-value store (DynamoDB, memdb's kv persona) has no interactive transactions, so
//! every write the engine makes there is one `TransactWrite`: a list of items that all
//! happen or none does. Every item carries its condition, checked against the state
//! before the write; if any condition fails, nothing is written and the error names the
//! first failing item's kind:
//!
//! | item | condition | error when it fails |
//! |---|---|---|
//! | [`WriteItem::Put`] | no row with this key exists | `UniqueViolation` |
//! | [`WriteItem::Update`] | the row exists and equals `expect` | `SerializationFailure` |
//! | [`WriteItem::Delete`] | the row exists and equals `expect` | `SerializationFailure` |
//! | [`WriteItem::Claim`] | no other key holds this unique value | `UniqueViolation` |
//! | [`WriteItem::Release`] | (none: removes the entry if `key` holds it) | |
//! | [`WriteItem::Transfer`] | the entry is free, or held by `from` or `to` | `UniqueViolation` |
//!
//! Unique secondary indexes are enforced with claims: an entry per unique index and
//! non-NULL value that names the key holding it. A driver stores claims wherever it
//! likes (memdb in the table, DynamoDB in a side table per unique index); the engine
//! writes a claim in the same `TransactWrite` as the row it belongs to, so two
//! concurrent writers of one value cannot both succeed.
//!
//! Two items may not address the same row (or the same claim); the engine never builds
//! such a write and drivers answer `InvalidStatement` if they see one.

use crate::schema::db::TableId;
use crate::Value;

/// An atomic, conditional write of several items (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct TransactWrite {
    /// The items, all written or none.
    pub items: Vec<WriteItem>,
}

/// One item of a [`TransactWrite`].
#[derive(Debug, Clone, PartialEq)]
pub enum WriteItem {
    /// Stores a new row (every column, in column order) if its key is new.
    Put {
        /// The table.
        table: TableId,
        /// The full row.
        row: Vec<Value>,
    },
    /// Sets columns on the row with `key`, if it still equals `expect` (the row as the
    /// engine read it). Key columns cannot be assigned.
    Update {
        /// The table.
        table: TableId,
        /// The primary key.
        key: Vec<Value>,
        /// The full row as it was read.
        expect: Vec<Value>,
        /// `(column, value)` pairs.
        assignments: Vec<(usize, Value)>,
    },
    /// Deletes the row with `key`, if it still equals `expect`.
    Delete {
        /// The table.
        table: TableId,
        /// The primary key.
        key: Vec<Value>,
        /// The full row as it was read.
        expect: Vec<Value>,
    },
    /// Records that `key` holds `values` in unique index `index` of `table`; fails if
    /// another key holds them.
    Claim {
        /// The table.
        table: TableId,
        /// The position in `table.indices` (a unique index).
        index: usize,
        /// The index columns' values (none NULL).
        values: Vec<Value>,
        /// The primary key of the row that holds them.
        key: Vec<Value>,
    },
    /// Removes the entry for `values` in unique index `index` if `key` holds it.
    Release {
        /// The table.
        table: TableId,
        /// The position in `table.indices`.
        index: usize,
        /// The index columns' values.
        values: Vec<Value>,
        /// The primary key of the row that held them.
        key: Vec<Value>,
    },
    /// Hands the entry for `values` in unique index `index` from the row with key `from`
    /// to the row with key `to`: what a `Release` by `from` followed by a `Claim` by `to`
    /// would do, as one item (one write may address a claim once). Fails with
    /// `UniqueViolation` if a third key holds the values.
    Transfer {
        /// The table.
        table: TableId,
        /// The position in `table.indices` (a unique index).
        index: usize,
        /// The index columns' values (none NULL).
        values: Vec<Value>,
        /// The primary key of the row that gives the values up.
        from: Vec<Value>,
        /// The primary key of the row that takes them.
        to: Vec<Value>,
    },
}

impl WriteItem {
    /// The table the item writes.
    pub fn table(&self) -> TableId {
        match self {
            WriteItem::Put { table, .. }
            | WriteItem::Update { table, .. }
            | WriteItem::Delete { table, .. }
            | WriteItem::Claim { table, .. }
            | WriteItem::Release { table, .. }
            | WriteItem::Transfer { table, .. } => *table,
        }
    }
}

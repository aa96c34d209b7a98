//! The database schema: tables, columns and indexes as the database holds them.

use crate::Type;

/// Identifies a table within a [`super::Schema`] (its position in `db.tables`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TableId(pub usize);

/// One column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column name, unquoted.
    pub name: String,
    /// The stored type (drivers choose the native type from it).
    pub ty: Type,
    /// `true` if the column accepts NULL.
    pub nullable: bool,
    /// `true` if the database assigns values (`#[auto]` on an integer key).
    pub auto_increment: bool,
    /// The most characters (strings) or bytes (byte strings) a value may have:
    /// `#[column(type = varchar(N))]` / `binary(N)`. The engine refuses longer values on
    /// every backend; SQL dialects that have `VARCHAR(N)` declare it.
    pub max_len: Option<u32>,
}

/// One secondary index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// The index name, unique within the database (it includes the table name).
    pub name: String,
    /// Column positions, in index order.
    pub columns: Vec<usize>,
    /// `true` for a unique index.
    pub unique: bool,
}

/// One table.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// This table's id.
    pub id: TableId,
    /// The table name, unquoted, including any prefix.
    pub name: String,
    /// The columns, in order.
    pub columns: Vec<Column>,
    /// Column positions of the primary key, in key order.
    pub primary_key: Vec<usize>,
    /// Secondary indexes.
    pub indices: Vec<Index>,
}

impl Table {
    /// The primary key values of `row` (a full row of this table).
    pub fn key_of(&self, row: &[crate::Value]) -> Vec<crate::Value> {
        self.primary_key
            .iter()
            .filter_map(|&c| row.get(c).cloned())
            .collect()
    }

    /// The column that is auto-incremented, if any.
    pub fn auto_increment_column(&self) -> Option<usize> {
        self.columns.iter().position(|c| c.auto_increment)
    }
}

/// All tables of an application.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// Tables, indexed by [`TableId`].
    pub tables: Vec<Table>,
}

impl Schema {
    /// The table with `id`.
    ///
    /// Table ids are only created by [`super::Schema::build`], so an id from the same
    /// schema is always in range; an id from another schema is a programming error that
    /// surfaces as an `InvalidStatement` error rather than a panic.
    pub fn table(&self, id: TableId) -> crate::Result<&Table> {
        self.tables.get(id.0).ok_or_else(|| {
            crate::Error::invalid_statement(format!(
                "table id {} does not belong to this schema",
                id.0
            ))
        })
    }
}

//! Table-level operations, the only thing drivers execute.

use crate::schema::db::TableId;
use crate::stmt::{Arith, Expr, OrderBy, Select as Projection};
use crate::Value;

/// One unit of work for a driver. Column positions refer to the table's columns; every
/// expression is at table level ([`Expr::Column`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Create a table with its indexes (both kinds).
    CreateTable(CreateTable),
    /// Drop a table if it exists (both kinds).
    DropTable(DropTable),
    /// Insert rows (both kinds). On a key-value driver the rows are written all or
    /// nothing, each only if its key is new.
    Insert(Insert),
    /// Filtered, ordered, limited read or count (SQL kind).
    Select(Select),
    /// Set columns on rows matching a filter (SQL kind).
    Update(Update),
    /// Delete rows matching a filter (SQL kind).
    Delete(Delete),
    /// Read rows by primary key (key-value kind).
    GetByKey(GetByKey),
    /// Read rows by partition key of the table or of an index (key-value kind).
    QueryPk(QueryPk),
    /// Set columns on rows by primary key (key-value kind).
    UpdateByKey(UpdateByKey),
    /// Delete rows by primary key (key-value kind).
    DeleteByKey(DeleteByKey),
    /// Begin, commit or roll back a transaction, or manage a savepoint (SQL kind; a
    /// driver without interactive transactions answers `Unsupported`).
    Transaction(super::TransactionOp),
    /// An atomic, conditional write of several items (key-value kind).
    TransactWrite(super::TransactWrite),
    /// A `Select`, `Update` or `Delete` kept by the engine's statement cache, run with
    /// new values (SQL kind; see [`super::Cached`]). It means exactly
    /// [`super::Cached::into_operation`].
    Cached(super::Cached),
}

impl Operation {
    /// A short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Operation::CreateTable(_) => "create table",
            Operation::DropTable(_) => "drop table",
            Operation::Insert(_) => "insert",
            Operation::Select(_) => "select",
            Operation::Update(_) => "update",
            Operation::Delete(_) => "delete",
            Operation::GetByKey(_) => "get by key",
            Operation::QueryPk(_) => "query by partition key",
            Operation::UpdateByKey(_) => "update by key",
            Operation::DeleteByKey(_) => "delete by key",
            Operation::Transaction(_) => "transaction control",
            Operation::TransactWrite(_) => "transactional write",
            Operation::Cached(c) => c.template.op().name(),
        }
    }

    /// `true` if the operation may change stored data (DDL and transaction control
    /// excluded).
    pub fn is_write(&self) -> bool {
        if let Operation::Cached(c) = self {
            return c.template.op().is_write();
        }
        matches!(
            self,
            Operation::Insert(_)
                | Operation::Update(_)
                | Operation::Delete(_)
                | Operation::UpdateByKey(_)
                | Operation::DeleteByKey(_)
                | Operation::TransactWrite(_)
        )
    }
}

impl Operation {
    /// The operation itself, or for [`Operation::Cached`] the operation it stands for
    /// (for drivers that run every operation the same way).
    pub fn uncached(self) -> crate::Result<Operation> {
        match self {
            Operation::Cached(c) => c.into_operation(),
            op => Ok(op),
        }
    }
}

/// The result of an operation.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// Rows (full rows for reads; the `returning` columns for writes).
    Rows(Vec<Vec<Value>>),
    /// The same as [`Response::Rows`], in one buffer: what SQL drivers return for a read
    /// of many rows (see [`super::RowSet`]).
    RowSet(super::RowSet),
    /// A number: affected rows for writes without `returning`, or a count.
    Count(u64),
}

impl Response {
    /// The same response with a [`Response::RowSet`] turned into [`Response::Rows`], for
    /// code that handles one row representation.
    pub fn into_row_vecs(self) -> Response {
        match self {
            Response::RowSet(set) => Response::Rows(set.into_vecs()),
            other => other,
        }
    }
}

/// Creates a table (and its secondary indexes).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    /// The table.
    pub table: TableId,
}

/// Drops a table if it exists.
#[derive(Debug, Clone, PartialEq)]
pub struct DropTable {
    /// The table.
    pub table: TableId,
}

/// Inserts rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The table.
    pub table: TableId,
    /// The columns given in each row (an auto-increment column is left out when the
    /// database assigns it).
    pub columns: Vec<usize>,
    /// One value per listed column per row.
    pub rows: Vec<Vec<Value>>,
    /// Columns to return for each inserted row, in insert order (empty: return a count).
    pub returning: Vec<usize>,
}

/// Reads or counts rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    /// The table.
    pub table: TableId,
    /// Which rows; `true` for all.
    pub filter: Expr,
    /// Sort keys (column positions). Empty: unspecified order.
    pub order_by: Vec<OrderBy>,
    /// At most this many rows.
    pub limit: Option<u64>,
    /// Skip this many rows first.
    pub offset: Option<u64>,
    /// Full rows, some of their columns (`Fields`: the rows hold exactly those columns, in
    /// that order), or a count. A count ignores order, limit and offset.
    pub projection: Projection,
}

impl Select {
    /// Every column of the rows of `table` matching `filter`, in no particular order,
    /// without limit or offset.
    pub fn records(table: TableId, filter: Expr) -> Select {
        Select {
            table,
            filter,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            projection: Projection::Records,
        }
    }
}

/// Sets columns on every row that matches a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// The table.
    pub table: TableId,
    /// Which rows.
    pub filter: Expr,
    /// `(column, value)` pairs.
    pub assignments: Vec<(usize, Value)>,
    /// `(column, change)` pairs: numeric columns set relative to their stored value, in
    /// the same atomic step as the rest of the update (SQL `SET c = c + ?`). A result
    /// outside the column's type ([`crate::stmt::Arith::apply`]) fails the whole
    /// operation with `ValueOutOfRange` and writes nothing. A column appears at most
    /// once in `assignments` and `arithmetic` together.
    pub arithmetic: Vec<(usize, Arith)>,
    /// When `true`, return the updated full rows instead of a count.
    pub returning: bool,
}

/// Deletes every row that matches a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// The table.
    pub table: TableId,
    /// Which rows.
    pub filter: Expr,
}

/// Reads rows by full primary key. Keys that do not exist are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct GetByKey {
    /// The table.
    pub table: TableId,
    /// Primary key values, one vector per key in primary-key column order.
    pub keys: Vec<Vec<Value>>,
}

/// Reads the rows whose partition key equals a value, from the table (`index: None`) or
/// from a secondary index, optionally narrowed by a condition on the sort key.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPk {
    /// The table.
    pub table: TableId,
    /// `None` for the primary key, or the position in `table.indices`.
    pub index: Option<usize>,
    /// The partition key value (first key column).
    pub partition: Value,
    /// An optional condition on the sort key (second key column): a comparison with a
    /// literal, or `starts_with`.
    pub sort: Option<Expr>,
}

/// Sets columns on the rows with the given primary keys. Keys that do not exist are
/// skipped. Key columns cannot be assigned.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateByKey {
    /// The table.
    pub table: TableId,
    /// Primary keys.
    pub keys: Vec<Vec<Value>>,
    /// `(column, value)` pairs.
    pub assignments: Vec<(usize, Value)>,
}

/// Deletes the rows with the given primary keys. Keys that do not exist are skipped.
#[derive(Debug, Clone, PartialEq)]
pub struct DeleteByKey {
    /// The table.
    pub table: TableId,
    /// Primary keys.
    pub keys: Vec<Vec<Value>>,
}

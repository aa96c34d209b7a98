//! Interactive transaction control: [`TransactionOp`] and [`IsolationLevel`].
//!
//! The engine sends these as [`super::Operation::Transaction`] on the one connection a
//! transaction holds. Savepoints are numbered by nesting depth (1 for the first nested
//! transaction); drivers name them `toasty_sp<depth>`.

use std::fmt;

/// How strongly a transaction is isolated from concurrent ones (SQL's four levels).
///
/// Without a level, the database's default applies (PostgreSQL and MySQL: see their
/// documentation; SQLite and memdb are always serializable).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IsolationLevel {
    /// Dirty reads allowed.
    ReadUncommitted,
    /// Only committed data is read.
    ReadCommitted,
    /// Reads are repeatable within the transaction.
    RepeatableRead,
    /// The outcome equals some serial order of the transactions; a conflict fails one of
    /// them with [`crate::ErrorKind::SerializationFailure`].
    Serializable,
}

impl IsolationLevel {
    /// The level as SQL spells it (`READ COMMITTED`, ...).
    pub fn sql_name(self) -> &'static str {
        match self {
            IsolationLevel::ReadUncommitted => "READ UNCOMMITTED",
            IsolationLevel::ReadCommitted => "READ COMMITTED",
            IsolationLevel::RepeatableRead => "REPEATABLE READ",
            IsolationLevel::Serializable => "SERIALIZABLE",
        }
    }
}

impl fmt::Display for IsolationLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sql_name())
    }
}

/// One transaction-control step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionOp {
    /// Begins a transaction on this connection. A driver that cannot give the requested
    /// isolation level (or something stronger) answers `Unsupported`.
    Begin {
        /// The isolation level; `None` for the database's default.
        isolation: Option<IsolationLevel>,
        /// Refuse writes until the transaction ends.
        read_only: bool,
    },
    /// Commits the open transaction. A conflict detected at commit is
    /// [`crate::ErrorKind::SerializationFailure`], and the transaction is then rolled back.
    Commit,
    /// Rolls the open transaction back.
    Rollback,
    /// Creates savepoint number `depth` (`toasty_sp<depth>`) inside the open transaction.
    Savepoint(u32),
    /// Releases savepoint `depth`, keeping its work in the enclosing transaction.
    ReleaseSavepoint(u32),
    /// Undoes everything since savepoint `depth`; the savepoint stays defined.
    RollbackToSavepoint(u32),
}

impl TransactionOp {
    /// The savepoint name drivers use for `depth`.
    pub fn savepoint_name(depth: u32) -> String {
        format!("toasty_sp{depth}")
    }
}

//! `Transaction`: interactive transactions (sql persona only).
//!
//! A transaction belongs to one connection; other connections never see its work before
//! it commits.
//!
//! # Control
//!
//! * `Begin { isolation, read_only }` opens a transaction on the connection. Every
//!   isolation level, and none, is accepted: memdb is always serializable, which is at
//!   least as strong as any level that can be asked for. `Begin` while a transaction is
//!   open on the connection is `InvalidStatement` (nest with savepoints instead).
//! * `Commit` ends the transaction, installing its work (see *Commit* below); `Rollback`
//!   ends it, discarding its work. `Commit`, `Rollback` and every savepoint operation
//!   with no open transaction are `InvalidStatement`.
//! * Every control operation responds with `Count(0)`.
//! * Dropping a connection with an open transaction discards the transaction.
//!
//! # The private view
//!
//! Inside a transaction every operation works on the transaction's private view of the
//! tables. The first time the transaction uses a table (to read it, write it, create or
//! drop it), the table is copied from the shared store as it is at that moment, rows,
//! auto-increment counter and claims together, and the table's version (or its absence)
//! is recorded. From then on the transaction reads and writes its copy, so it sees its
//! own earlier writes and nothing committed by others afterwards. Every rule of the
//! operations holds in the view exactly as in the store: each operation is atomic,
//! unique checks apply to the view's rows, and the counter is the copy's.
//!
//! A failed operation inside a transaction changes nothing (operations are atomic) and
//! leaves the transaction open and usable; memdb never aborts a transaction because a
//! statement failed.
//!
//! # Commit: serializable, optimistic
//!
//! Conflicts are detected at commit. The shared store keeps a version per table
//! (bumped by every committed write or DDL to the table, from one counter, so a table
//! dropped and created again never has an old version). `Commit`
//! fails with `SerializationFailure` if any table the transaction used (read or wrote,
//! even in a part later rolled back to a savepoint) now has another version, or exists
//! now when it was absent, or the reverse. The transaction is then rolled back: the
//! connection has no open transaction afterwards, and the store is as the other writers
//! left it. Otherwise every table the transaction wrote (or created, or dropped) is
//! installed in the store in one step under the store's lock, each with a new version;
//! tables it only read are left alone.
//!
//! Because a committed transaction's every table is unchanged since its first use, and
//! all its writes land at once, committed transactions are equivalent to running each
//! one alone at its commit: serializable. The check is per table, so any concurrent
//! committed write to a used table is a conflict, even to another row.
//!
//! An operation outside a transaction (autocommit) runs directly on the store and, when
//! it succeeds, gives every table it wrote a new version, even if no row changed. A
//! failed operation changes no version.
//!
//! # Read-only transactions
//!
//! With `read_only: true`, every write operation (`Insert`, `Update`, `Delete`,
//! `UpdateByKey`, `DeleteByKey`, `TransactWrite`) and every DDL (`CreateTable`,
//! `DropTable`) is refused with `ReadOnlyTransaction` before it touches anything.
//!
//! # Savepoints
//!
//! * `Savepoint(n)` records the state of the view. If savepoint `n` already exists, the
//!   new one hides it until the new one is released or rolled back past (as in
//!   PostgreSQL and SQLite).
//! * `RollbackToSavepoint(n)` restores the view to the latest savepoint `n`; that
//!   savepoint stays defined and every savepoint created after it is forgotten.
//! * `ReleaseSavepoint(n)` forgets the latest savepoint `n` and every savepoint created
//!   after it, keeping the work done since.
//! * A savepoint number that is not defined is `InvalidStatement`. Savepoints never
//!   forget reads: a table first used after a savepoint that is rolled back to still
//!   counts at commit.
//!
//! # kv persona
//!
//! Every `Transaction` operation is `Unsupported` on the kv persona: DynamoDB has no
//! interactive transactions; atomic writes there are one `TransactWrite`
//! ([`super::transact_write`]).

use crate::store::Store;
use crate::table::TableData;
use std::collections::{BTreeMap, BTreeSet};
use toasty_core::driver::{Operation, Response, TransactionOp};
use toasty_core::{Error, Result};

/// The open transaction of one connection (see the module docs).
#[derive(Debug)]
pub(crate) struct Transaction {
    read_only: bool,
    /// The version of every table the transaction used, when first used (`None`: the
    /// table did not exist). Never rolled back by savepoints.
    seen: BTreeMap<String, Option<u64>>,
    view: View,
    /// Savepoints in creation order, each with the view at its creation.
    savepoints: Vec<(u32, View)>,
}

/// The transaction's private copies of the tables it used.
#[derive(Debug, Clone, Default)]
struct View {
    /// Each used table as the transaction sees it (`None`: absent or dropped).
    tables: BTreeMap<String, Option<TableData>>,
    /// The tables the transaction wrote (rows, counter, claims or existence).
    written: BTreeSet<String>,
}

impl Transaction {
    fn new(read_only: bool) -> Transaction {
        Transaction {
            read_only,
            seen: BTreeMap::new(),
            view: View::default(),
            savepoints: Vec::new(),
        }
    }

    /// The transaction's copy of table `name`, copied from `store` (and its version
    /// recorded) on first use.
    pub(crate) fn touch(&mut self, store: &Store, name: &str) -> &mut Option<TableData> {
        self.seen
            .entry(name.to_owned())
            .or_insert_with(|| store.version(name));
        self.view
            .tables
            .entry(name.to_owned())
            .or_insert_with(|| store.get(name).cloned())
    }

    /// Records that an operation wrote table `name` successfully.
    pub(crate) fn mark_written(&mut self, name: String) {
        self.view.written.insert(name);
    }

    /// Refuses writes and DDL in a read-only transaction.
    pub(crate) fn admit(&self, op: &Operation) -> Result<()> {
        let ddl = matches!(op, Operation::CreateTable(_) | Operation::DropTable(_));
        if self.read_only && (op.is_write() || ddl) {
            return Err(Error::read_only_transaction(format!(
                "the open transaction is read-only, so it cannot run a {}; begin the \
                 transaction without read_only to write",
                op.name()
            )));
        }
        Ok(())
    }

    /// Installs the transaction's writes if no table it used changed meanwhile.
    fn commit(mut self, store: &mut Store) -> Result<()> {
        for (name, version) in &self.seen {
            if store.version(name) != *version {
                return Err(Error::serialization_failure(format!(
                    "the transaction conflicted with a concurrent one (table `{name}` \
                     changed after the transaction first used it) and was rolled back; \
                     retry it"
                )));
            }
        }
        for name in &self.view.written {
            if let Some(data) = self.view.tables.remove(name) {
                store.install(name, data);
            }
        }
        Ok(())
    }

    /// The position of the latest savepoint numbered `depth`.
    fn savepoint(&self, depth: u32) -> Result<usize> {
        self.savepoints
            .iter()
            .rposition(|(n, _)| *n == depth)
            .ok_or_else(|| {
                Error::invalid_statement(format!(
                    "savepoint `{}` does not exist in the open transaction (it was never \
                     created, or it was released or rolled back past)",
                    TransactionOp::savepoint_name(depth)
                ))
            })
    }
}

/// Runs one transaction-control operation on the connection whose open transaction (if
/// any) is `current` (see the module docs).
pub(crate) fn control(
    current: &mut Option<Transaction>,
    store: &mut Store,
    op: TransactionOp,
) -> Result<Response> {
    if let TransactionOp::Begin { read_only, .. } = op {
        if current.is_some() {
            return Err(Error::invalid_statement(
                "a transaction is already open on this connection; commit or roll it back \
                 first, or use a savepoint to nest",
            ));
        }
        *current = Some(Transaction::new(read_only));
        return Ok(Response::Count(0));
    }
    let Some(txn) = current else {
        return Err(Error::invalid_statement(format!(
            "{} needs an open transaction, but none is open on this connection; begin one \
             first",
            describe(op)
        )));
    };
    match op {
        TransactionOp::Begin { .. } => {}
        TransactionOp::Commit => {
            if let Some(txn) = current.take() {
                txn.commit(store)?;
            }
        }
        TransactionOp::Rollback => *current = None,
        TransactionOp::Savepoint(depth) => {
            let view = txn.view.clone();
            txn.savepoints.push((depth, view));
        }
        TransactionOp::RollbackToSavepoint(depth) => {
            let i = txn.savepoint(depth)?;
            txn.savepoints.truncate(i + 1);
            if let Some((_, view)) = txn.savepoints.last() {
                txn.view = view.clone();
            }
        }
        TransactionOp::ReleaseSavepoint(depth) => {
            let i = txn.savepoint(depth)?;
            txn.savepoints.truncate(i);
        }
    }
    Ok(Response::Count(0))
}

fn describe(op: TransactionOp) -> String {
    match op {
        TransactionOp::Begin { .. } => "begin".to_owned(),
        TransactionOp::Commit => "commit".to_owned(),
        TransactionOp::Rollback => "rollback".to_owned(),
        TransactionOp::Savepoint(n) => {
            format!("savepoint `{}`", TransactionOp::savepoint_name(n))
        }
        TransactionOp::ReleaseSavepoint(n) => {
            format!(
                "release of savepoint `{}`",
                TransactionOp::savepoint_name(n)
            )
        }
        TransactionOp::RollbackToSavepoint(n) => format!(
            "rollback to savepoint `{}`",
            TransactionOp::savepoint_name(n)
        ),
    }
}

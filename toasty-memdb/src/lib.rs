//! The in-memory reference driver: what every Toasty operation means.
//!
//! memdb interprets the table-level [`Operation`](toasty_core::driver::Operation)s of `toasty-core` literally, evaluating
//! every expression with [`toasty_core::stmt::eval`]. Every real driver is diffed
//! against it, so it favours obviously correct code over speed; the one speed structure
//! is a map per secondary index that narrows which rows a filter, a `QueryPk` or a
//! unique check looks at, never what it answers.
//!
//! # Personas
//!
//! * [`MemDb::new`], the **sql** persona (capability `memdb-sql`): accepts every
//!   operation, including the key-value ones and `TransactWrite`, runs interactive
//!   transactions (`Operation::Transaction`: begin, commit, rollback, savepoints), and
//!   enforces unique indexes on every write.
//! * [`MemDb::kv`], the **kv** persona (capability `memdb-kv`): accepts only what
//!   DynamoDB accepts (`CreateTable`, `DropTable`, `Insert`, `GetByKey`, `QueryPk`,
//!   `UpdateByKey`, `DeleteByKey`, `TransactWrite`); `Select`, `Update`, `Delete` and
//!   every `Transaction` operation are `Unsupported`. It enforces DynamoDB's limits from
//!   [`Capability::KV`] (100 rows per insert, 100 items per transactional write, 100 keys
//!   per get, 25 keys per write by key, at most 2 key columns in a primary key or index,
//!   no auto-increment), each as an `Unsupported` error telling the engine to split the
//!   batch or change the schema. It rejects a duplicate primary key on insert (a
//!   conditional put). Unique secondary indexes are enforced only by the claims of
//!   `TransactWrite` ([`ops::transact_write`]), which the engine writes in the same
//!   atomic write as each row; the kv persona's other writes do not check them.
//!
//! # Semantics
//!
//! The normative description of each operation is in the docs of its module:
//! table creation and removal ([`ops::ddl`]), [`ops::insert`], [`ops::select`],
//! [`ops::update`] (by filter and by key), [`ops::delete`] (by filter and by key),
//! [`ops::get`], [`ops::query_pk`], [`ops::transact_write`] and interactive transactions
//! ([`ops::transaction`]). Rules shared by all of them:
//!
//! * A table is found by its database name; using a table that was not created, or that
//!   was created with another definition, is a `Driver` error.
//! * Every write is atomic: on any error the store (or the open transaction's view) is
//!   unchanged. A `TransactWrite` is atomic across all its items and tables; a
//!   transaction is atomic across all its operations at commit.
//! * Rows are kept in primary-key order ([`toasty_core::Value::sort_cmp`] per column),
//!   which is the order of every result that has no other order.
//! * All connections of one `MemDb` and its clones share one store; operations are
//!   serialized. An operation outside a transaction is visible to every connection as
//!   soon as it returns; inside a transaction, only to its own connection until commit.
//!   Committed transactions are serializable: a conflict is `SerializationFailure` at
//!   commit ([`ops::transaction`]).

#![warn(missing_docs)]

mod connection;
mod key;
pub mod ops;
mod persona;
mod space;
mod store;
mod table;

use async_trait::async_trait;
use connection::MemConnection;
use persona::Persona;
use std::sync::{Arc, Mutex};
use store::Store;
use toasty_core::driver::{Capability, Connection, Driver};
use toasty_core::Result;

/// The in-memory reference database. Cloning shares the data.
#[derive(Debug, Clone)]
pub struct MemDb {
    persona: Persona,
    capability: Capability,
    store: Arc<Mutex<Store>>,
}

impl MemDb {
    /// An empty database with the **sql** persona (capability `memdb-sql`), which
    /// accepts every [`Operation`](toasty_core::driver::Operation).
    pub fn new() -> MemDb {
        MemDb::with_persona(Persona::Sql)
    }

    /// An empty database with the **kv** persona (capability `memdb-kv`), which accepts
    /// only DynamoDB's operations, with DynamoDB's limits.
    pub fn kv() -> MemDb {
        MemDb::with_persona(Persona::Kv)
    }

    fn with_persona(persona: Persona) -> MemDb {
        MemDb {
            persona,
            capability: persona.capability(),
            store: Arc::new(Mutex::new(Store::default())),
        }
    }
}

impl Default for MemDb {
    /// Same as [`MemDb::new`].
    fn default() -> Self {
        MemDb::new()
    }
}

#[async_trait]
impl Driver for MemDb {
    fn capability(&self) -> &Capability {
        &self.capability
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(MemConnection {
            persona: self.persona,
            capability: self.capability.clone(),
            store: self.store.clone(),
            txn: None,
        }))
    }
}

//! The two personas of memdb and what each accepts.
//!
//! * **sql** ([`crate::MemDb::new`]): capability `memdb-sql`, built from
//!   [`Capability::SQL`]. Accepts every [`Operation`], key-value ones (`TransactWrite`
//!   included) and interactive transactions included, and enforces unique indexes on
//!   every write.
//! * **kv** ([`crate::MemDb::kv`]): capability `memdb-kv`, built from
//!   [`Capability::KV`]. Accepts only what DynamoDB accepts (create/drop table, insert,
//!   get by key, query by partition key, update and delete by key, and `TransactWrite`
//!   of at most 100 items, DynamoDB's `TransactWriteItems`), with DynamoDB's limits. It
//!   has no interactive transactions (every `Operation::Transaction` is `Unsupported`).
//!   Its own writes do not check unique secondary indexes (DynamoDB cannot); they are
//!   enforced only through the claims of `TransactWrite`, which the engine writes with
//!   every row.
//!
//! This module owns admission: whether an operation may run at all, and the per-operation
//! size limits and table-shape limits taken from the capability. It must not touch rows.

use toasty_core::driver::{Capability, Operation};
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// Which database memdb imitates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Persona {
    /// An SQL database.
    Sql,
    /// DynamoDB.
    Kv,
}

impl Persona {
    /// The capability this persona reports.
    pub(crate) fn capability(self) -> Capability {
        match self {
            Persona::Sql => Capability {
                name: "memdb-sql",
                ..Capability::SQL
            },
            Persona::Kv => Capability {
                name: "memdb-kv",
                ..Capability::KV
            },
        }
    }

    /// Whether unique secondary indexes are enforced on writes (the primary key always is).
    pub(crate) fn enforces_unique_indexes(self) -> bool {
        self == Persona::Sql
    }

    /// Checks that `op` is accepted by this persona and within the capability's limits.
    pub(crate) fn admit(self, cap: &Capability, op: &Operation) -> Result<()> {
        if let Operation::Transaction(_) = op {
            if !cap.interactive_transactions {
                return Err(Error::unsupported(format!(
                    "{} has no interactive transactions (DynamoDB has none); group writes \
                     with toasty::batch(...) instead, which runs as one atomic \
                     TransactWriteItems",
                    cap.name
                )));
            }
        }
        if self == Persona::Kv {
            if let Operation::Select(_) | Operation::Update(_) | Operation::Delete(_) = op {
                return Err(Error::unsupported(format!(
                    "{} cannot run a {}: the kv persona serves only key and index access \
                     (get by key, query by partition key, update or delete by key), like \
                     DynamoDB; filter by a key or an indexed field, or use an SQL backend",
                    cap.name,
                    op.name()
                )));
            }
        }
        match op {
            Operation::Insert(insert) => within(
                cap,
                insert.rows.len(),
                cap.max_insert_rows,
                "rows in one insert",
                "TransactWriteItems accepts at most 100 actions",
            ),
            Operation::GetByKey(get) => within(
                cap,
                get.keys.len(),
                cap.max_get_keys,
                "keys in one get by key",
                "BatchGetItem reads at most 100 keys",
            ),
            Operation::UpdateByKey(update) => within(
                cap,
                update.keys.len(),
                cap.max_write_keys,
                "keys in one update by key",
                "BatchWriteItem writes at most 25 items",
            ),
            Operation::TransactWrite(write) => match cap.max_transact_items {
                Some(max) if write.items.len() > max => Err(Error::unsupported(format!(
                    "{} items in one transactional write exceed the limit of {max} on {} \
                     (DynamoDB: TransactWriteItems accepts at most 100 actions); an atomic \
                     write cannot be split, so write fewer records in one batch",
                    write.items.len(),
                    cap.name
                ))),
                _ => Ok(()),
            },
            Operation::DeleteByKey(delete) => within(
                cap,
                delete.keys.len(),
                cap.max_write_keys,
                "keys in one delete by key",
                "BatchWriteItem writes at most 25 items",
            ),
            _ => Ok(()),
        }
    }

    /// Checks that a table can be created under the capability: at most
    /// `max_key_columns` columns in the primary key and in each index, and no
    /// auto-increment column unless `auto_increment` is supported.
    pub(crate) fn check_table(self, cap: &Capability, def: &db::Table) -> Result<()> {
        if let Some(max) = cap.max_key_columns {
            if def.primary_key.len() > max {
                return Err(Error::unsupported(format!(
                    "table `{}` has a primary key of {} columns but {} allows at most {max} \
                     (DynamoDB keys are a partition key plus an optional sort key); use a key \
                     of at most {max} fields",
                    def.name,
                    def.primary_key.len(),
                    cap.name
                )));
            }
            for index in &def.indices {
                if index.columns.len() > max {
                    return Err(Error::unsupported(format!(
                        "index `{}` has {} columns but {} allows at most {max} (a DynamoDB \
                         global secondary index has a partition key plus an optional sort key)",
                        index.name,
                        index.columns.len(),
                        cap.name
                    )));
                }
            }
        }
        if !cap.auto_increment {
            if let Some(col) = def.auto_increment_column() {
                let name = def.columns.get(col).map(|c| c.name.as_str()).unwrap_or("?");
                return Err(Error::unsupported(format!(
                    "column `{}.{name}` is auto-increment, which {} cannot assign (DynamoDB has \
                     no counters); use #[auto] on a uuid::Uuid key instead",
                    def.name, cap.name
                )));
            }
        }
        Ok(())
    }
}

fn within(
    cap: &Capability,
    n: usize,
    max: Option<usize>,
    what: &str,
    dynamo_limit: &str,
) -> Result<()> {
    match max {
        Some(max) if n > max => Err(Error::unsupported(format!(
            "{n} {what} exceed the limit of {max} on {} (DynamoDB: {dynamo_limit}); the \
             engine must split the batch",
            cap.name
        ))),
        _ => Ok(()),
    }
}

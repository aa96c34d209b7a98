//! The entry point: [`Serializer`] turns one [`Operation`] into [`Statement`]s.

use crate::column_type::MYSQL_DEFAULT_COLLATION;
use crate::{Dialect, Statement};
use toasty_core::driver::Operation;
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// Serializes table-level operations for one [`Dialect`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Serializer {
    pub(crate) dialect: Dialect,
    pub(crate) mysql_collation: String,
}

impl Serializer {
    /// A serializer for `dialect` with default options.
    pub fn new(dialect: Dialect) -> Serializer {
        Serializer {
            dialect,
            mysql_collation: MYSQL_DEFAULT_COLLATION.to_string(),
        }
    }

    /// Sets the collation of MySQL string columns (default `utf8mb4_0900_bin`; use
    /// `utf8mb4_nopad_bin` on MariaDB). It must be a binary, no-pad collation for the
    /// semantics contract to hold. Only letters, digits and `_` are accepted, since the
    /// name is written into DDL.
    pub fn with_mysql_collation(mut self, name: &str) -> Result<Serializer> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(Error::config(format!(
                "{name:?} is not a valid MySQL collation name (letters, digits and `_` only)"
            )));
        }
        self.mysql_collation = name.to_string();
        Ok(self)
    }

    /// The dialect.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// The collation used for MySQL string columns.
    pub fn mysql_collation(&self) -> &str {
        &self.mysql_collation
    }

    /// Serializes `op` against `schema`.
    ///
    /// The result may hold several statements (a table and its indexes, an insert split
    /// to fit the parameter limit, long key lists); a driver runs them in order, in one
    /// transaction when the operation writes, and combines their outputs with
    /// [`crate::ResponseBuilder`]. It is empty when there is nothing to do (an insert of
    /// no rows, an operation on no keys).
    ///
    /// A [`Operation::Transaction`] step serializes as for a read-write transaction;
    /// drivers run transaction control through [`crate::TransactionState::plan`], which
    /// also refuses misuse and ends SQLite's read-only emulation.
    pub fn serialize(&self, schema: &db::Schema, op: &Operation) -> Result<Vec<Statement>> {
        match op {
            Operation::CreateTable(o) => self.create_table(schema.table(o.table)?),
            Operation::DropTable(o) => self.drop_table(schema.table(o.table)?),
            Operation::Insert(o) => self.insert(schema.table(o.table)?, o),
            Operation::Select(o) => self.select(Some(schema), schema.table(o.table)?, o),
            Operation::Update(o) => self.update(Some(schema), schema.table(o.table)?, o),
            Operation::Delete(o) => self.delete(Some(schema), schema.table(o.table)?, o),
            Operation::GetByKey(o) => self.get_by_key(schema.table(o.table)?, o),
            Operation::QueryPk(o) => self.query_pk(schema.table(o.table)?, o),
            Operation::UpdateByKey(o) => self.update_by_key(schema.table(o.table)?, o),
            Operation::DeleteByKey(o) => self.delete_by_key(schema.table(o.table)?, o),
            Operation::Transaction(o) => self.transaction(o),
            Operation::Cached(c) => self.serialize(schema, &c.clone().into_operation()?),
            Operation::TransactWrite(_) => Err(Error::unsupported(
                "TransactWrite is a key-value operation; SQL drivers take Insert/Update/Delete \
                 (inside a transaction for atomicity)",
            )),
        }
    }
}

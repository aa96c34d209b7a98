//! A connection to a [`crate::MemDb`]: admission by persona, then dispatch of each
//! operation to its module under the store's lock, against the store itself or the
//! connection's open transaction ([`crate::space::Space`]).
//!
//! Every operation runs entirely under one lock of the shared store, so operations are
//! serialized and each is atomic with respect to the others.

use crate::ops::transaction::{self, Transaction};
use crate::ops::{ddl, delete, get, insert, query_pk, select, transact_write, update};
use crate::persona::Persona;
use crate::space::Space;
use crate::store::Store;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use toasty_core::driver::{Capability, Connection, Operation, Response};
use toasty_core::schema::db;
use toasty_core::stmt;
use toasty_core::{Error, Result};

/// One connection; all connections of a `MemDb` and its clones share the store.
#[derive(Debug)]
pub(crate) struct MemConnection {
    pub(crate) persona: Persona,
    pub(crate) capability: Capability,
    pub(crate) store: Arc<Mutex<Store>>,
    /// The open transaction, if any; dropped (discarded) with the connection.
    pub(crate) txn: Option<Transaction>,
}

impl MemConnection {
    fn run(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let op = op.uncached()?;
        self.persona.admit(&self.capability, &op)?;
        if let Some(txn) = &self.txn {
            txn.admit(&op)?;
        }
        let mut store = self.store.lock().map_err(|_| {
            Error::driver(
                "the memdb store is unusable because an earlier operation panicked while \
                 holding it; create a new MemDb",
            )
        })?;
        let store = &mut *store;
        if let Operation::Transaction(op) = op {
            return transaction::control(&mut self.txn, store, op);
        }
        let mut space = Space::new(store, self.txn.as_mut());
        let response = dispatch(&mut space, schema, self.persona, &self.capability, op)?;
        space.finish();
        Ok(response)
    }
}

/// Runs one operation other than transaction control against `space`.
fn dispatch(
    space: &mut Space<'_>,
    schema: &db::Schema,
    p: Persona,
    cap: &Capability,
    op: Operation,
) -> Result<Response> {
    let op = resolve_subselects(space, schema, op)?;
    match op {
        Operation::CreateTable(op) => ddl::create_table(space, p, cap, schema.table(op.table)?),
        Operation::DropTable(op) => ddl::drop_table(space, schema.table(op.table)?),
        Operation::Insert(op) => insert::insert(space.table_mut(schema.table(op.table)?)?, p, op),
        Operation::Select(op) => select::select(space.table(schema.table(op.table)?)?, op),
        Operation::Update(op) => update::update(space.table_mut(schema.table(op.table)?)?, p, op),
        Operation::Delete(op) => delete::delete(space.table_mut(schema.table(op.table)?)?, op),
        Operation::GetByKey(op) => get::get_by_key(space.table(schema.table(op.table)?)?, op),
        Operation::QueryPk(op) => query_pk::query_pk(space.table(schema.table(op.table)?)?, op),
        Operation::UpdateByKey(op) => {
            update::update_by_key(space.table_mut(schema.table(op.table)?)?, p, op)
        }
        Operation::DeleteByKey(op) => {
            delete::delete_by_key(space.table_mut(schema.table(op.table)?)?, op)
        }
        Operation::TransactWrite(op) => transact_write::transact_write(space, schema, p, op),
        // `MemConnection::run` turned it into the operation it stands for.
        Operation::Cached(c) => dispatch(space, schema, p, cap, c.into_operation()?),
        Operation::Transaction(_) => Err(Error::invalid_statement(
            "transaction control reached the operation dispatcher; it is handled by the \
             connection",
        )),
    }
}

/// Replaces the sub-selects of a select's, update's or delete's filter by the literal
/// rows they select (`stmt::resolve_subselects`), read from `space` before the operation
/// runs, so the operation sees the tables as they were when it started.
fn resolve_subselects(
    space: &mut Space<'_>,
    schema: &db::Schema,
    op: Operation,
) -> Result<Operation> {
    fn resolve(space: &mut Space<'_>, schema: &db::Schema, filter: &mut stmt::Expr) -> Result<()> {
        if !filter.has_subquery() {
            return Ok(());
        }
        let taken = std::mem::replace(filter, stmt::Expr::true_());
        *filter = stmt::resolve_subselects(taken, &mut |source, sub| {
            let table = space.table(schema.table(db::TableId(source))?)?;
            table.check_expr(sub)?;
            let mut rows = Vec::new();
            for row in table.rows.values() {
                if stmt::eval::matches(sub, row)? {
                    rows.push(row.clone());
                }
            }
            Ok(rows)
        })?;
        Ok(())
    }
    let mut op = op;
    match &mut op {
        Operation::Select(o) => resolve(space, schema, &mut o.filter)?,
        Operation::Update(o) => resolve(space, schema, &mut o.filter)?,
        Operation::Delete(o) => resolve(space, schema, &mut o.filter)?,
        _ => {}
    }
    Ok(op)
}

#[async_trait]
impl Connection for MemConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        self.run(schema, op)
    }
}

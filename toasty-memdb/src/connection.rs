//! A connection to a [`crate::MemDb`]: admission by persona, then dispatch of each
//! operation to its module under the store's lock.
//!
//! Every operation runs entirely under one lock of the shared store, so operations are
//! serialized and each is atomic with respect to the others.

use crate::ops::{ddl, delete, get, insert, query_pk, select, update};
use crate::persona::Persona;
use crate::store::Store;
use async_trait::async_trait;
use std::sync::{Arc, Mutex};
use toasty_core::driver::{Capability, Connection, Operation, Response};
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// One connection; all connections of a `MemDb` and its clones share the store.
#[derive(Debug)]
pub(crate) struct MemConnection {
    pub(crate) persona: Persona,
    pub(crate) capability: Capability,
    pub(crate) store: Arc<Mutex<Store>>,
}

impl MemConnection {
    fn run(&self, schema: &db::Schema, op: Operation) -> Result<Response> {
        self.persona.admit(&self.capability, &op)?;
        let mut store = self.store.lock().map_err(|_| {
            Error::driver(
                "the memdb store is unusable because an earlier operation panicked while \
                 holding it; create a new MemDb",
            )
        })?;
        let store = &mut *store;
        let p = self.persona;
        match op {
            Operation::CreateTable(op) => {
                ddl::create_table(store, p, &self.capability, schema.table(op.table)?)
            }
            Operation::DropTable(op) => ddl::drop_table(store, schema.table(op.table)?),
            Operation::Insert(op) => {
                insert::insert(store.table_mut(schema.table(op.table)?)?, p, op)
            }
            Operation::Select(op) => select::select(store.table_mut(schema.table(op.table)?)?, op),
            Operation::Update(op) => {
                update::update(store.table_mut(schema.table(op.table)?)?, p, op)
            }
            Operation::Delete(op) => delete::delete(store.table_mut(schema.table(op.table)?)?, op),
            Operation::GetByKey(op) => {
                get::get_by_key(store.table_mut(schema.table(op.table)?)?, op)
            }
            Operation::QueryPk(op) => {
                query_pk::query_pk(store.table_mut(schema.table(op.table)?)?, op)
            }
            Operation::UpdateByKey(op) => {
                update::update_by_key(store.table_mut(schema.table(op.table)?)?, p, op)
            }
            Operation::DeleteByKey(op) => {
                delete::delete_by_key(store.table_mut(schema.table(op.table)?)?, op)
            }
            Operation::Transaction(_) | Operation::TransactWrite(_) => Err(Error::unsupported(
                format!("{} is not implemented by memdb yet", op.name()),
            )),
        }
    }
}

#[async_trait]
impl Connection for MemConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        self.run(schema, op)
    }
}

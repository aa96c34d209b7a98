//! `CreateTable` and `DropTable`.
//!
//! * `CreateTable` creates an empty table whose auto-increment counter starts at 1. It is
//!   an error (kind `Driver`) if a table of that name exists. On the kv persona a primary
//!   key or an index of more than 2 columns, or an auto-increment column, is
//!   `Unsupported`.
//! * `DropTable` removes the table, its rows and its counter. Dropping a table that does
//!   not exist is not an error.
//! * Both respond with `Count(0)`.

use crate::persona::Persona;
use crate::store::Store;
use toasty_core::driver::{Capability, Response};
use toasty_core::schema::db;
use toasty_core::Result;

/// Creates `def` in `store` (see the module docs).
pub(crate) fn create_table(
    store: &mut Store,
    persona: Persona,
    cap: &Capability,
    def: &db::Table,
) -> Result<Response> {
    persona.check_table(cap, def)?;
    store.create(def)?;
    Ok(Response::Count(0))
}

/// Drops `def` from `store` if present (see the module docs).
pub(crate) fn drop_table(store: &mut Store, def: &db::Table) -> Result<Response> {
    store.drop_table(&def.name);
    Ok(Response::Count(0))
}

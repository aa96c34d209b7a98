//! `CreateTable` and `DropTable`.
//!
//! * `CreateTable` creates an empty table whose auto-increment counter starts at 1. It is
//!   an error (kind `Driver`) if a table of that name exists. On the kv persona a primary
//!   key or an index of more than 2 columns, or an auto-increment column, is
//!   `Unsupported`.
//! * `DropTable` removes the table, its rows, its counter and its claims. Dropping a
//!   table that does not exist is not an error.
//! * Both respond with `Count(0)`.
//! * Inside a transaction both apply to the transaction's view and reach the store at
//!   commit; creating a table gives it a new version, so a table dropped and created
//!   again never looks unchanged to a transaction (see [`super::transaction`]). A
//!   read-only transaction refuses both.

use crate::persona::Persona;
use crate::space::Space;
use toasty_core::driver::{Capability, Response};
use toasty_core::schema::db;
use toasty_core::Result;

/// Creates `def` (see the module docs).
pub(crate) fn create_table(
    space: &mut Space<'_>,
    persona: Persona,
    cap: &Capability,
    def: &db::Table,
) -> Result<Response> {
    persona.check_table(cap, def)?;
    space.create(def)?;
    Ok(Response::Count(0))
}

/// Drops `def` if present (see the module docs).
pub(crate) fn drop_table(space: &mut Space<'_>, def: &db::Table) -> Result<Response> {
    space.drop_table(def);
    Ok(Response::Count(0))
}

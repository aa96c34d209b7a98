//! The three views of a schema.
//!
//! * [`app`]: what the user declared: models, fields, keys and indexes, named as in Rust.
//! * [`db`]: what the database holds: tables, columns and indexes, named as in the
//!   database (after `#[table]`, `#[column]` and the table prefix).
//! * [`mapping`]: how each model and field maps onto its table and column.
//! * [`Relation`]: the resolved relation fields of each model (`#[belongs_to]`,
//!   `#[has_many]`, `#[has_one]`). They are not columns; the foreign key is an ordinary
//!   field of the model that holds it.
//!
//! [`Schema::build`] validates the app schema and derives the other two. It is the only
//! place that decides table and column names.

pub mod app;
mod build;
pub mod db;
pub mod mapping;
mod relation;

pub use build::{Schema, SchemaOptions};
pub use relation::{Relation, RelationId};

//! The three views of a schema.
//!
//! * [`app`]: what the user declared: models, fields, keys and indexes, named as in Rust.
//! * [`db`]: what the database holds: tables, columns and indexes, named as in the
//!   database (after `#[table]`, `#[column]` and the table prefix).
//! * [`mapping`]: how each model and field maps onto its table and column.
//!
//! [`Schema::build`] validates the app schema and derives the other two. It is the only
//! place that decides table and column names.

pub mod app;
mod build;
pub mod db;
pub mod mapping;

pub use build::{Schema, SchemaOptions};

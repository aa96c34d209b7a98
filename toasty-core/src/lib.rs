//! The shared vocabulary of Toasty.
//!
//! `toasty-core` owns everything that both the user-facing `toasty` crate and the
//! drivers need to agree on:
//!
//! * [`Value`] and [`Type`]: the values that flow between the engine and a driver;
//! * [`schema`]: the application schema (models and fields), the database schema
//!   (tables and columns) and the mapping between them;
//! * [`stmt`]: the statement AST (model-level statements built by the user API and the
//!   table-level operations drivers receive) and the reference evaluator that defines what
//!   every expression means;
//! * [`driver`]: the [`driver::Driver`] / [`driver::Connection`] traits, the
//!   [`driver::Operation`] set and [`driver::Capability`];
//! * [`Error`]: the one error type every layer returns.
//!
//! This crate must not depend on any database client and must not know about SQL text.

pub mod driver;
mod error;
pub mod redact;
pub mod schema;
pub mod stmt;
mod ty;
mod value;
mod value_set;

pub use error::{Error, ErrorKind, Result};
pub use ty::{Type, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS};
pub use value::Value;
pub use value_set::ValueSet;

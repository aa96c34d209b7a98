//! The built-in backends.

mod memdb;

pub use memdb::{MemdbKv, MemdbSql};

//! One module per operation family. Each function takes the stored table (already
//! admitted by the persona and looked up in the store, or in the open transaction's
//! view), or the tables of the operation for DDL and `TransactWrite`, and the operation,
//! and either applies it completely or returns an error having changed nothing.
//! [`transaction`] describes transaction control and how every other operation behaves
//! inside a transaction.
//!
//! The rustdoc of each module is the normative description of what the operation means;
//! every other driver must give the same answers. The modules are public for these docs
//! only; their functions are internal.

pub mod ddl;
pub mod delete;
pub mod get;
pub mod insert;
pub mod query_pk;
pub mod select;
pub mod transact_write;
pub mod transaction;
pub mod update;

//! The statement AST and its reference evaluator.
//!
//! Expressions ([`Expr`]) are shared by both levels:
//!
//! * **model level** ([`Query`], [`Insert`], [`Update`], [`Delete`]): built by the typed
//!   user API; expressions refer to fields with [`Expr::Field`];
//! * **table level** ([`crate::driver::Operation`]): produced by the engine's lowering and
//!   sent to drivers; expressions refer to columns with [`Expr::Column`].
//!
//! [`eval`] defines the meaning of every expression over a row. memdb uses it directly;
//! every other driver must produce the same answers.

mod delete;
pub mod eval;
mod expr;
mod expr_tree;
mod insert;
pub mod like;
mod order;
mod query;
mod select_rows;
mod subselect;
mod update;

pub use delete::Delete;
pub use expr::{BinaryOp, Expr, PatternOp, Scoped, SubSelect};
pub use expr_tree::Shape;
pub use insert::Insert;
pub use order::{Direction, OrderBy};
pub use query::{Query, Select};
pub use select_rows::{filter_rows, project_row, select_rows, RowSelection};
pub use subselect::resolve_subselects;
pub use update::{Arith, ArithOp, Update};

//! The typed statement builders of the user API.
//!
//! Generated code (from `#[derive(Model)]`) and users build statements with these types;
//! they compile down to the model-level AST of [`toasty_core::stmt`] and are run by the
//! engine.

mod arith;
pub(crate) mod batch;
mod create;
mod delete;
mod expr;
mod include;
mod into_expr;
pub(crate) mod link;
pub(crate) mod now;
mod order;
pub(crate) mod paginate;
pub(crate) mod path;
mod query;
mod related;
pub(crate) mod scope;
mod select;
mod update;

pub use arith::{
    add, decrement, increment, subtract, Arithmetic, Assignment, ByChange, ByValue, IntoAssignment,
    Numeric,
};
pub use batch::{batch, Batch, BatchItem, IntoBatch, Prepared};
pub use create::{Create, CreateMany};
pub use delete::Delete;
pub use expr::Expr;
pub use include::{IncludePath, IntoInclude};
pub use into_expr::IntoExpr;
pub use link::Linkable;
pub use now::{now, Now};
pub use order::{IntoOrderBy, OrderBy};
pub use paginate::{Cursor, IntoCursor, Page, Paginate};
pub use path::{relation_all, relation_any, Path};
pub use query::{Count, First, Get, Query};
pub use related::{BelongsToRelation, CreatableInUpdate, IntoRelated, MaybeOne, One, Related};
pub use scope::Scope;
pub use select::{IntoSelect, Select, SelectFirst, SelectOne};
pub use update::Update;

/// A model-level statement inside a batch. Not part of the public API.
#[doc(hidden)]
pub struct BatchStatement(pub(crate) crate::engine::Statement);

impl std::fmt::Debug for BatchStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

//! `#[derive(Model)]`: parsing the struct into a [`ModelDef`] and expanding it.

mod expand;
mod parse;
mod query;
mod ty;

pub(crate) use expand::expand;
pub(crate) use parse::parse;

use proc_macro2::Span;

/// One field as declared.
pub(crate) struct FieldDef {
    /// The field identifier (may be raw, `r#type`).
    pub(crate) ident: syn::Ident,
    /// The name without `r#`.
    pub(crate) name: String,
    pub(crate) ty: syn::Type,
    pub(crate) column: Option<String>,
    /// `#[column(type = ..)]`: the `toasty::codegen::app::ColumnType` expression.
    pub(crate) column_type: Option<proc_macro2::TokenStream>,
    pub(crate) auto: Option<AutoKind>,
    pub(crate) default: Option<syn::Expr>,
    pub(crate) update: Option<syn::Expr>,
    /// `#[sensitive]`: values redacted in `Debug`, logs and error messages.
    pub(crate) sensitive: bool,
}

/// What `#[auto]` generates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum AutoKind {
    /// `#[auto]`: by the field's type (integer: increment, uuid::Uuid: UUID v7).
    Infer,
    /// `#[auto(increment)]`.
    Increment,
    /// `#[auto(uuid(v7))]` (also `#[auto(uuid)]`).
    UuidV7,
    /// `#[auto(uuid(v4))]`.
    UuidV4,
}

/// An index (or the key) over field positions.
pub(crate) struct IndexDef {
    pub(crate) fields: Vec<usize>,
    pub(crate) unique: bool,
    pub(crate) span: Span,
    /// `name = "..."`.
    pub(crate) name: Option<String>,
}

/// The kind of a relation field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RelKind {
    BelongsTo,
    HasMany,
    HasOne,
}

impl RelKind {
    pub(crate) fn name(self) -> &'static str {
        match self {
            RelKind::BelongsTo => "belongs_to",
            RelKind::HasMany => "has_many",
            RelKind::HasOne => "has_one",
        }
    }
}

/// A relation field (`#[belongs_to]`, `#[has_many]`, `#[has_one]`): not a column.
pub(crate) struct RelationDef {
    pub(crate) ident: syn::Ident,
    pub(crate) name: String,
    pub(crate) kind: RelKind,
    /// The whole field type (`toasty::HasMany<Todo>`, `Option<User>`, ...).
    pub(crate) ty: syn::Type,
    /// The related model type.
    pub(crate) target: syn::Type,
    /// `Option<..>` inside (or as) the field type.
    pub(crate) optional: bool,
    /// Not wrapped in `Deferred`/`HasMany`/`BelongsTo`/`HasOne`.
    pub(crate) eager: bool,
    /// `#[belongs_to]`: positions of the foreign-key fields.
    pub(crate) key: Vec<usize>,
    /// `#[belongs_to]`: the referenced field names of the target.
    pub(crate) references: Vec<String>,
    /// `#[has_many(pair = ..)]`.
    pub(crate) pair: Option<String>,
    /// `#[has_many(via = a.b)]`: the relation names of the path (empty when direct).
    pub(crate) via: Vec<String>,
}

/// The whole model.
pub(crate) struct ModelDef {
    pub(crate) ident: syn::Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) table: Option<String>,
    /// The stored fields (columns), in declaration order.
    pub(crate) fields: Vec<FieldDef>,
    /// The relation fields, in declaration order.
    pub(crate) relations: Vec<RelationDef>,
    /// Every field of the struct in declaration order: `Ok(i)` is `fields[i]`, `Err(j)`
    /// is `relations[j]`.
    pub(crate) order: Vec<std::result::Result<usize, usize>>,
    pub(crate) key: Vec<usize>,
    pub(crate) indices: Vec<IndexDef>,
}

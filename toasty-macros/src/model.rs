//! `#[derive(Model)]`: parsing the struct into a [`ModelDef`] and expanding it.

mod expand;
mod parse;
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
    pub(crate) auto: Option<AutoKind>,
    pub(crate) default: Option<syn::Expr>,
    pub(crate) update: Option<syn::Expr>,
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

/// The whole model.
pub(crate) struct ModelDef {
    pub(crate) ident: syn::Ident,
    pub(crate) vis: syn::Visibility,
    pub(crate) table: Option<String>,
    pub(crate) fields: Vec<FieldDef>,
    pub(crate) key: Vec<usize>,
    pub(crate) indices: Vec<IndexDef>,
}

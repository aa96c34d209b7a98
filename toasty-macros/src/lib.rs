//! Procedural macros for Toasty: `#[derive(Model)]`, `create!` and `update!`.
//!
//! This crate only parses and generates code; every rule that can be checked at compile
//! time (a missing key, `#[auto]` on a non-integer non-UUID field, `#[unique]` on a float,
//! malformed attributes) is reported here with a span on the offending attribute. The
//! generated code targets the `toasty` crate's runtime contract (`toasty::Model`).

use proc_macro::TokenStream;

mod model;
mod stmt_macros;
mod test_attr;

/// Derives `toasty::Model` for a struct with named fields.
///
/// Field attributes: `#[key]`, `#[auto]`, `#[unique]`, `#[index]`, `#[default(expr)]`,
/// `#[update(expr)]`, `#[column("name")]`, `#[sensitive]` (values redacted in logs and
/// error messages, and in the `Debug` this derive then generates: do not also derive
/// `Debug`); relation fields (not columns):
/// `#[belongs_to(key = .., references = ..)]`, `#[has_many]`, `#[has_one]` (with
/// `pair = ..`). Struct attributes: `#[key(a, b)]`, `#[index(a, b)]`, `#[unique(a, b)]`,
/// `#[table = "name"]`.
#[proc_macro_derive(
    Model,
    attributes(
        key, auto, unique, index, default, update, column, table, belongs_to, has_many, has_one,
        sensitive
    )
)]
pub fn derive_model(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    match model::parse(&input) {
        Ok(def) => model::expand(&def).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Creates records with struct-literal syntax; see `toasty::create!`.
#[proc_macro]
pub fn create(input: TokenStream) -> TokenStream {
    match stmt_macros::create(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Updates a record, or every record a query selects, with struct-literal syntax; see
/// `toasty::update!`.
#[proc_macro]
pub fn update(input: TokenStream) -> TokenStream {
    match stmt_macros::update(input.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// An async test run on memdb and every configured backend; see `toasty::testing`.
#[proc_macro_attribute]
pub fn test(args: TokenStream, item: TokenStream) -> TokenStream {
    match test_attr::expand(args.into(), item.into()) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

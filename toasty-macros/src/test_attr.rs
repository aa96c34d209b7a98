//! `#[toasty::test]`: an async test run on memdb and every configured backend.
//!
//! ```text
//! #[toasty::test]                                    every model of the crate
//! #[toasty::test(models(User, Todo))]                these models
//! #[toasty::test(fixtures(seed_users))]              run `async fn seed_users(&mut Db)` first
//! #[toasty::test(differential)]                      compare results with memdb's
//! #[toasty::test(differential(tables))]              ... and every table afterwards
//! #[toasty::test(kv)]                                memdb's key-value persona only
//! async fn name(db: &mut toasty::Db) -> toasty::Result<T> { .. }   (or `db: toasty::Db`)
//! ```
//!
//! The function becomes a plain `#[test]` that hands the body to
//! `toasty::testing::TestRun`, which owns the runtime, the backends and the reports.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, Result, Token};

#[derive(Default)]
struct Options {
    models: Option<Vec<syn::Path>>,
    fixtures: Vec<syn::Path>,
    differential: bool,
    tables: bool,
    kv: bool,
}

const OPTIONS: &str = "expected `models(A, B)`, `fixtures(f, g)`, `differential`, \
                       `differential(tables)` or `kv`";

fn parse_options(args: TokenStream) -> Result<Options> {
    let metas = Punctuated::<syn::Meta, Token![,]>::parse_terminated.parse2(args)?;
    let mut o = Options::default();
    for meta in metas {
        let name = meta
            .path()
            .get_ident()
            .map(|i| i.to_string())
            .unwrap_or_default();
        match (name.as_str(), &meta) {
            ("models", syn::Meta::List(l)) => {
                let paths = Punctuated::<syn::Path, Token![,]>::parse_terminated
                    .parse2(l.tokens.clone())?;
                if paths.is_empty() {
                    return Err(Error::new(l.span(), "models(..) needs at least one model"));
                }
                o.models = Some(paths.into_iter().collect());
            }
            ("fixtures", syn::Meta::List(l)) => {
                let paths = Punctuated::<syn::Path, Token![,]>::parse_terminated
                    .parse2(l.tokens.clone())?;
                o.fixtures.extend(paths);
            }
            ("differential", syn::Meta::Path(_)) => o.differential = true,
            ("differential", syn::Meta::List(l)) => {
                let what: syn::Ident = syn::parse2(l.tokens.clone())?;
                if what != "tables" {
                    return Err(Error::new(
                        what.span(),
                        "differential(..) takes `tables` (compare every table afterwards too)",
                    ));
                }
                o.differential = true;
                o.tables = true;
            }
            ("kv", syn::Meta::Path(_)) => o.kv = true,
            _ => {
                return Err(Error::new(
                    meta.span(),
                    format!("unknown #[toasty::test] option: {OPTIONS}"),
                ))
            }
        }
    }
    if o.kv && o.differential {
        return Err(Error::new(
            proc_macro2::Span::call_site(),
            "#[toasty::test(kv)] runs on memdb's key-value persona only, so there is nothing \
             to compare: drop `differential` or `kv`",
        ));
    }
    Ok(o)
}

/// How the body takes the database.
enum Param {
    /// `db: &mut Db`.
    Borrowed,
    /// `db: Db` (a clone that shares the pool).
    Owned,
}

fn param_kind(f: &syn::ItemFn) -> Result<Param> {
    let usage = "a #[toasty::test] function takes one parameter: `db: &mut toasty::Db` (or \
                 `db: toasty::Db`)";
    let inputs: Vec<&syn::FnArg> = f.sig.inputs.iter().collect();
    let [syn::FnArg::Typed(arg)] = inputs.as_slice() else {
        return Err(Error::new(f.sig.inputs.span(), usage));
    };
    let is_db = |ty: &syn::Type| matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Db"));
    match &*arg.ty {
        syn::Type::Reference(r) if r.mutability.is_some() && is_db(&r.elem) => Ok(Param::Borrowed),
        ty if is_db(ty) => Ok(Param::Owned),
        other => Err(Error::new(other.span(), usage)),
    }
}

pub(crate) fn expand(args: TokenStream, item: TokenStream) -> Result<TokenStream> {
    let options = parse_options(args)?;
    let mut f: syn::ItemFn = syn::parse2(item)?;
    if f.sig.asyncness.is_none() {
        return Err(Error::new(
            f.sig.fn_token.span(),
            "#[toasty::test] needs an `async fn`",
        ));
    }
    if !f.sig.generics.params.is_empty() {
        return Err(Error::new(
            f.sig.generics.span(),
            "a #[toasty::test] function cannot be generic",
        ));
    }
    let param = param_kind(&f)?;
    let name = f.sig.ident.clone();
    let body_ident = format_ident!("__toasty_test_body");
    f.sig.ident = body_ident.clone();
    let attrs = std::mem::take(&mut f.attrs);
    let ret = match &f.sig.output {
        syn::ReturnType::Default => quote!(()),
        syn::ReturnType::Type(_, ty) => quote!(#ty),
    };
    let call = match param {
        Param::Borrowed => quote!(#body_ident(db)),
        Param::Owned => quote!(#body_ident(::std::clone::Clone::clone(&*db))),
    };
    let models = match &options.models {
        Some(paths) => quote!(.models(toasty::models!(#(#paths),*))),
        None => quote!(),
    };
    let fixtures = options.fixtures.iter().enumerate().map(|(i, path)| {
        let shim = format_ident!("__toasty_fixture_{i}");
        let label = quote!(#path).to_string().replace(' ', "");
        quote! {
            fn #shim<'a>(
                db: &'a mut toasty::Db,
            ) -> toasty::testing::BoxFuture<'a, toasty::Result<()>> {
                ::std::boxed::Box::pin(#path(db))
            }
            let run = run.fixture(#label, #shim);
        }
    });
    let differential = if options.differential {
        let tables = options.tables;
        quote!(let run = run.differential(#tables);)
    } else {
        quote!()
    };
    let kv = if options.kv {
        quote!(let run = run.kv();)
    } else {
        quote!()
    };
    Ok(quote! {
        #[::core::prelude::v1::test]
        #(#attrs)*
        fn #name() {
            #f
            fn __toasty_test_call<'a>(
                db: &'a mut toasty::Db,
            ) -> toasty::testing::BoxFuture<'a, #ret> {
                ::std::boxed::Box::pin(#call)
            }
            let run = toasty::testing::TestRun::new(::core::module_path!(), stringify!(#name))
                #models;
            #(#fixtures)*
            #differential
            #kv
            run.run(__toasty_test_call);
        }
    })
}

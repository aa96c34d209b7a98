//! Code generation for `#[derive(Model)]`.
//!
//! For a model `User` this generates: `impl toasty::Model for User`; `UserFields` (field
//! paths); `UserCreate` and `UserUpdate` builders; and on `User` the query entry points
//! (`all`, `filter`, `fields`, `create`, `update`, `delete`) plus `get_by_*`,
//! `filter_by_*`, `update_by_*` and `delete_by_*` for the key, every unique field and
//! every index.

use super::{ty, AutoKind, FieldDef, ModelDef, RelKind, RelationDef};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(crate) fn expand(def: &ModelDef) -> TokenStream {
    let model_impl = expand_model_impl(def);
    let fields = expand_fields(def);
    let create = expand_create(def);
    let update = expand_update(def);
    let methods = expand_methods(def);
    let query = super::query::expand_query(def);
    quote! {
        #model_impl
        #fields
        #create
        #update
        #methods
        #query
    }
}

/// `BlogPost` -> `blog_posts`, `Category` -> `categories`, `Person` -> `people`.
fn table_name(struct_name: &str) -> String {
    let mut snake = String::new();
    for (i, c) in struct_name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                snake.push('_');
            }
            snake.extend(c.to_lowercase());
        } else {
            snake.push(c);
        }
    }
    // Only the last word is pluralized (`blog_post` -> `blog_posts`).
    match snake.rsplit_once('_') {
        Some((head, last)) => format!("{head}_{}", pluralizer::pluralize(last, 2, false)),
        None => pluralizer::pluralize(&snake, 2, false),
    }
}

fn names(def: &ModelDef) -> (syn::Ident, syn::Ident, syn::Ident) {
    let m = &def.ident;
    (
        format_ident!("{}Fields", m),
        format_ident!("{}Create", m),
        format_ident!("{}Update", m),
    )
}

fn expand_model_impl(def: &ModelDef) -> TokenStream {
    let ident = &def.ident;
    let (_, _, update_ident) = names(def);
    let query_ident = format_ident!("{}Query", ident);
    let name = ident.to_string();
    // The default table name: snake case, then an English plural (`Category` ->
    // `categories`, `Person` -> `people`), decided here at compile time.
    let table = def.table.clone().unwrap_or_else(|| table_name(&name));
    let table = quote!(::std::string::String::from(#table));
    let field_count = def.fields.len();
    let key = &def.key;
    let field_defs = def.fields.iter().map(|f| {
        let fname = &f.name;
        let column = f.column.clone().unwrap_or_else(|| f.name.clone());
        let column_type = f
            .column_type
            .clone()
            .unwrap_or_else(|| quote!(::std::option::Option::None));
        let ty = &f.ty;
        let auto = if let Some(kind) = f.auto {
            let variant = match kind {
                AutoKind::UuidV4 => quote!(UuidV4),
                AutoKind::UuidV7 => quote!(UuidV7),
                AutoKind::Increment => quote!(Increment),
                AutoKind::Infer if ty::is_uuid(&f.ty) => quote!(UuidV7),
                AutoKind::Infer => quote!(Increment),
            };
            quote!(::std::option::Option::Some(
                toasty::codegen::app::Auto::#variant
            ))
        } else {
            quote!(::std::option::Option::None)
        };
        quote! {
            toasty::codegen::app::Field {
                name: ::std::string::String::from(#fname),
                column_name: ::std::string::String::from(#column),
                ty: <#ty as toasty::Primitive>::TYPE,
                nullable: <#ty as toasty::Primitive>::NULLABLE,
                auto: #auto,
                column_type: #column_type,
            }
        }
    });
    let index_defs = def.indices.iter().map(|i| {
        let fields = &i.fields;
        let unique = i.unique;
        let name = match &i.name {
            Some(n) => quote!(::std::option::Option::Some(::std::string::String::from(#n))),
            None => quote!(::std::option::Option::None),
        };
        quote! {
            toasty::codegen::app::Index {
                fields: ::std::vec![#(#fields),*],
                unique: #unique,
                primary: false,
                name: #name,
            }
        }
    });
    let loads: Vec<TokenStream> = def
        .order
        .iter()
        .map(|slot| match slot {
            Ok(i) => {
                let f = &def.fields[*i];
                let id = &f.ident;
                let ty = &f.ty;
                quote! {
                    #id: <#ty as toasty::Primitive>::take_value(&mut row[#i])?
                }
            }
            Err(j) => {
                let r = &def.relations[*j];
                let id = &r.ident;
                let ty = &r.ty;
                let info = relation_info(def, r);
                quote! {
                    #id: <#ty as toasty::codegen::RelationField>::unloaded(#info)?
                }
            }
        })
        .collect();
    let record_loads: Vec<TokenStream> = def
        .order
        .iter()
        .map(|slot| match slot {
            Ok(i) => {
                let f = &def.fields[*i];
                let id = &f.ident;
                let ty = &f.ty;
                quote! {
                    #id: <#ty as toasty::Primitive>::take_value(&mut row[#i])?
                }
            }
            Err(j) => {
                let r = &def.relations[*j];
                let id = &r.ident;
                let ty = &r.ty;
                let info = relation_info(def, r);
                quote! {
                    #id: match relations.get_mut(#j).and_then(::std::option::Option::take) {
                        ::std::option::Option::Some(records) => {
                            <#ty as toasty::codegen::RelationField>::loaded(records, #info)?
                        }
                        ::std::option::Option::None => {
                            <#ty as toasty::codegen::RelationField>::unloaded(#info)?
                        }
                    }
                }
            }
        })
        .collect();
    let field_names = def.fields.iter().map(|f| &f.name);
    let field_values = def.fields.iter().enumerate().map(|(i, f)| {
        let id = &f.ident;
        let ty = &f.ty;
        quote!(#i => ::std::option::Option::Some(<#ty as toasty::Primitive>::to_value(&self.#id)),)
    });
    let relation_defs = def.relations.iter().map(|r| {
        let rname = &r.name;
        let target = &r.target;
        let kind = match r.kind {
            RelKind::BelongsTo => quote!(BelongsTo),
            RelKind::HasMany => quote!(HasMany),
            RelKind::HasOne => quote!(HasOne),
        };
        let keys = r.key.iter().map(|&k| &def.fields[k].name);
        let refs = &r.references;
        let pair = match &r.pair {
            Some(p) => quote!(::std::option::Option::Some(::std::string::String::from(#p))),
            None => quote!(::std::option::Option::None),
        };
        let optional = r.optional;
        let eager = r.eager;
        let via = &r.via;
        quote! {
            toasty::codegen::app::Relation {
                via: ::std::vec![#(::std::string::String::from(#via)),*],
                name: ::std::string::String::from(#rname),
                kind: toasty::codegen::app::RelationKind::#kind,
                target: ::std::string::String::from(<#target as toasty::Model>::NAME),
                key: ::std::vec![#(::std::string::String::from(#keys)),*],
                references: ::std::vec![#(::std::string::String::from(#refs)),*],
                pair: #pair,
                optional: #optional,
                eager: #eager,
            }
        }
    });
    let rel_idents: Vec<&syn::Ident> = def.relations.iter().map(|r| &r.ident).collect();
    let (fields_ident, create_ident, _) = names(def);
    let load_record = if def.relations.is_empty() {
        quote!()
    } else {
        quote! {
            fn load_record(record: toasty::codegen::Record) -> toasty::Result<Self> {
                let toasty::codegen::Record { values: mut row, mut relations } = record;
                if row.len() < #field_count {
                    return ::std::result::Result::Err(toasty::Error::invalid_value(
                        ::std::format!(
                            "a `{}` record needs {} values but the row has {}",
                            #name, #field_count, row.len()
                        ),
                    ));
                }
                ::std::result::Result::Ok(#ident { #(#record_loads),* })
            }
        }
    };
    let assigns = def.fields.iter().enumerate().map(|(i, f)| {
        let id = &f.ident;
        let ty = &f.ty;
        quote!(#i => self.#id = <#ty as toasty::Primitive>::from_value(value)?,)
    });
    let key_values = def.key.iter().map(|&k| {
        let id = &def.fields[k].ident;
        let ty = &def.fields[k].ty;
        quote!(<#ty as toasty::Primitive>::to_value(&self.#id))
    });
    let sensitive: Vec<usize> = def
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.sensitive)
        .map(|(i, _)| i)
        .collect();
    let debug_impl = if sensitive.is_empty() {
        quote!()
    } else {
        // A model with #[sensitive] fields gets its own `Debug` (do not derive it too):
        // those fields print as `[redacted]`.
        let entries = def.order.iter().map(|entry| match entry {
            Ok(i) => {
                let f = &def.fields[*i];
                let id = &f.ident;
                let fname = &f.name;
                if f.sensitive {
                    quote!(.field(#fname, &toasty::codegen::Redacted))
                } else {
                    quote!(.field(#fname, &self.#id))
                }
            }
            Err(j) => {
                let r = &def.relations[*j];
                let id = &r.ident;
                let fname = &r.name;
                quote!(.field(#fname, &self.#id))
            }
        });
        quote! {
            impl ::std::fmt::Debug for #ident {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#name)#(#entries)*.finish()
                }
            }
        }
    };
    quote! {
        #debug_impl

        impl toasty::Model for #ident {
            const NAME: &'static str = #name;
            const FIELD_COUNT: usize = #field_count;
            const PRIMARY_KEY: &'static [usize] = &[#(#key),*];
            const FIELD_NAMES: &'static [&'static str] = &[#(#field_names),*];
            const SENSITIVE_FIELDS: &'static [usize] = &[#(#sensitive),*];

            type Create = #create_ident;
            type Fields<O> = #fields_ident<O>;

            fn fields_at<O>(path: toasty::stmt::IncludePath<O>) -> #fields_ident<O> {
                #fields_ident { path }
            }

            fn relations() -> ::std::vec::Vec<toasty::codegen::app::Relation> {
                ::std::vec![#(#relation_defs),*]
            }

            #load_record

            fn field_value(&self, field: usize) -> ::std::option::Option<toasty::Value> {
                // Relation fields are read by users (`.get()`), not by generated code;
                // this keeps them from being reported as never read.
                let _ = (#(&self.#rel_idents,)*);
                match field {
                    #(#field_values)*
                    _ => ::std::option::Option::None,
                }
            }

            fn schema() -> toasty::codegen::app::Model {
                toasty::codegen::app::Model {
                    name: ::std::string::String::from(#name),
                    table_name: #table,
                    fields: ::std::vec![#(#field_defs),*],
                    primary_key: ::std::vec![#(#key),*],
                    indices: ::std::vec![#(#index_defs),*],
                }
            }

            fn load(mut row: ::std::vec::Vec<toasty::Value>) -> toasty::Result<Self> {
                Self::load_slice(&mut row)
            }

            #[inline]
            fn load_slice(row: &mut [toasty::Value]) -> toasty::Result<Self> {
                if row.len() < #field_count {
                    return ::std::result::Result::Err(toasty::Error::invalid_value(
                        ::std::format!(
                            "a `{}` record needs {} values but the row has {}",
                            #name, #field_count, row.len()
                        ),
                    ));
                }
                ::std::result::Result::Ok(#ident { #(#loads),* })
            }

            fn assign(&mut self, field: usize, value: toasty::Value) -> toasty::Result<()> {
                match field {
                    #(#assigns)*
                    other => {
                        return ::std::result::Result::Err(toasty::Error::invalid_statement(
                            ::std::format!("`{}` has no field #{}", #name, other),
                        ))
                    }
                }
                ::std::result::Result::Ok(())
            }

            fn primary_key(&self) -> ::std::vec::Vec<toasty::Value> {
                ::std::vec![#(#key_values),*]
            }

            type Update<'a> = #update_ident<'a>;

            type Query = #query_ident;

            fn update_query(query: toasty::Query<Self>) -> #update_ident<'static> {
                #update_ident::from_query(query)
            }
        }

        toasty::codegen::inventory::submit! {
            toasty::codegen::RegisteredModel {
                module: ::core::module_path!(),
                schema: <#ident as toasty::Model>::schema,
                sensitive: <#ident as toasty::Model>::SENSITIVE_FIELDS,
            }
        }
    }
}

fn expand_fields(def: &ModelDef) -> TokenStream {
    let (fields_ident, _, _) = names(def);
    let vis = &def.vis;
    let model = &def.ident;
    let doc = format!(
        "Field paths of [`{model}`], for filters and orderings, and relation paths for \
         `.include(..)`. `O` is the model the path starts from."
    );
    let paths = def.fields.iter().enumerate().map(|(i, f)| {
        let id = &f.ident;
        let ty = &f.ty;
        let doc = format!(
            "The path to `{}.{}` (through the relations followed from `O`, if any).",
            model, f.name
        );
        quote! {
            #[doc = #doc]
            pub fn #id(&self) -> toasty::Path<O, #ty> {
                toasty::Path::through(self.path, #i)
            }
        }
    });
    let relations = def.relations.iter().enumerate().map(|(j, r)| {
        let id = &r.ident;
        let target = &r.target;
        let j = j as u16;
        let doc = format!(
            "The relation `{}.{}`, for `.include(..)` (and, chained, the relations of its records).",
            model, r.name
        );
        quote! {
            #[doc = #doc]
            pub fn #id(&self) -> <#target as toasty::Model>::Fields<O> {
                <#target as toasty::Model>::fields_at(self.path.push(#j))
            }
        }
    });
    quote! {
        #[doc = #doc]
        #vis struct #fields_ident<O = #model> {
            path: toasty::stmt::IncludePath<O>,
        }

        impl<O> ::std::clone::Clone for #fields_ident<O> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<O> ::std::marker::Copy for #fields_ident<O> {}

        impl<O> ::std::fmt::Debug for #fields_ident<O> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(::std::stringify!(#fields_ident)).field(&self.path).finish()
            }
        }

        impl<O> #fields_ident<O> {
            #(#paths)*

            #(#relations)*

            /// At least one record reached through this relation path matches `filter`
            /// (a filter on this model): `User::fields().todos().any(..)`.
            pub fn any(self, filter: toasty::Expr<bool>) -> toasty::Expr<bool> {
                toasty::stmt::relation_any(self.path, filter)
            }

            /// Every record reached through the last relation of this path matches
            /// `filter` (true when there is none): `User::fields().todos().all(..)`.
            pub fn all(self, filter: toasty::Expr<bool>) -> toasty::Expr<bool> {
                toasty::stmt::relation_all(self.path, filter)
            }
        }

        impl<O> toasty::stmt::IntoInclude<O> for #fields_ident<O> {
            fn into_include(self) -> toasty::stmt::IncludePath<O> {
                self.path
            }
        }
    }
}

/// `&RelationInfo { model, field }` for a relation field (a promoted constant).
fn relation_info(def: &ModelDef, r: &RelationDef) -> TokenStream {
    let model = def.ident.to_string();
    let field = &r.name;
    quote!(&toasty::codegen::RelationInfo { model: #model, field: #field })
}

fn setter(model: &syn::Ident, i: usize, f: &FieldDef) -> TokenStream {
    let id = &f.ident;
    let ty = &f.ty;
    let doc = format!("Sets `{}.{}`.", model, f.name);
    quote! {
        #[doc = #doc]
        pub fn #id(mut self, #id: impl toasty::IntoExpr<#ty>) -> Self {
            self.inner.set(#i, toasty::IntoExpr::<#ty>::into_expr(#id));
            self
        }
    }
}

/// An update setter: a value, or for a numeric field a change relative to the stored
/// value (`toasty::stmt::increment()`, `add(v)`, ..).
fn update_setter(model: &syn::Ident, i: usize, f: &FieldDef) -> TokenStream {
    let id = &f.ident;
    let ty = &f.ty;
    let doc = format!(
        "Sets `{}.{}` to a value{}.",
        model,
        f.name,
        if numeric_type(ty) {
            ", or changes it relative to its stored value (`toasty::stmt::increment()`, \
             `decrement()`, `add(v)`, `subtract(v)`)"
        } else {
            ""
        }
    );
    quote! {
        #[doc = #doc]
        pub fn #id<M>(mut self, #id: impl toasty::stmt::IntoAssignment<#ty, M>) -> Self {
            self.inner.assign(#i, toasty::stmt::IntoAssignment::<#ty, M>::into_assignment(#id));
            self
        }
    }
}

/// `true` when `ty` is spelled as a numeric primitive (for docs only).
fn numeric_type(ty: &syn::Type) -> bool {
    let syn::Type::Path(p) = ty else {
        return false;
    };
    p.path.get_ident().is_some_and(|id| {
        matches!(
            id.to_string().as_str(),
            "i8" | "i16"
                | "i32"
                | "i64"
                | "isize"
                | "u8"
                | "u16"
                | "u32"
                | "u64"
                | "usize"
                | "f32"
                | "f64"
        )
    })
}

fn expand_create(def: &ModelDef) -> TokenStream {
    let (_, create_ident, _) = names(def);
    let vis = &def.vis;
    let model = &def.ident;
    let setters = def
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| f.auto.is_none())
        .map(|(i, f)| setter(model, i, f));
    // `#[default]` applies on create; a field with only `#[update]` gets that value on
    // create too (as in the Toasty guide).
    let defaults = def.fields.iter().enumerate().filter_map(|(i, f)| {
        let expr = f.default.as_ref().or(f.update.as_ref())?;
        let ty = &f.ty;
        Some(quote! {
            if !inner.is_set(#i) {
                inner.set(#i, toasty::IntoExpr::<#ty>::into_expr(#expr));
            }
        })
    });
    let rel_setters: Vec<TokenStream> = def
        .relations
        .iter()
        .enumerate()
        .map(|(j, r)| relation_create_setters(def, j, r))
        .collect();
    let doc = format!("Builds a new [`{model}`] record; run it with `exec`.");
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        #vis struct #create_ident {
            inner: toasty::Create<#model>,
        }

        impl ::std::default::Default for #create_ident {
            fn default() -> Self {
                #create_ident { inner: toasty::Create::new() }
            }
        }

        impl #create_ident {
            #(#setters)*

            #(#rel_setters)*

            /// Inserts the record and returns it as stored (with generated values).
            pub async fn exec(self, db: &mut dyn toasty::Executor) -> toasty::Result<#model> {
                toasty::Create::<#model>::from(self).exec(db).await
            }
        }

        impl toasty::BatchItem for #create_ident {
            type Output = #model;
            #[doc(hidden)]
            type State = <toasty::Create<#model> as toasty::BatchItem>::State;

            fn __prepare(
                self,
                db: &dyn toasty::Executor,
            ) -> toasty::Result<toasty::stmt::Prepared<Self::State, #model>> {
                toasty::BatchItem::__prepare(toasty::Create::<#model>::from(self), db)
            }

            fn __finish(
                state: Self::State,
                outcome: toasty::codegen::Outcome,
            ) -> toasty::Result<#model> {
                <toasty::Create<#model> as toasty::BatchItem>::__finish(state, outcome)
            }
        }

        impl ::std::convert::From<#create_ident> for toasty::Create<#model> {
            fn from(builder: #create_ident) -> Self {
                #[allow(unused_mut)]
                let mut inner = builder.inner;
                #(#defaults)*
                inner
            }
        }

        impl ::std::convert::From<toasty::Create<#model>> for #create_ident {
            fn from(inner: toasty::Create<#model>) -> Self {
                #create_ident { inner }
            }
        }

        impl toasty::stmt::IntoRelated<#model> for #create_ident {
            fn into_related(self) -> toasty::stmt::Related<#model> {
                toasty::stmt::Related::Create(::std::convert::From::from(self))
            }
        }
    }
}

/// Sets the foreign-key fields of a `#[belongs_to]` from `key` (the target's primary
/// key), through `$set(position, value)`.
fn set_foreign_key(
    def: &ModelDef,
    r: &RelationDef,
    set: impl Fn(usize, TokenStream) -> TokenStream,
) -> TokenStream {
    let target = &r.target;
    let model = def.ident.to_string();
    let rname = &r.name;
    let sets = r.key.iter().zip(&r.references).map(|(&k, reference)| {
        let assign = set(k, quote!(value));
        quote! {
            match toasty::codegen::key_value::<#target>(&key, #reference) {
                ::std::option::Option::Some(value) => { #assign }
                ::std::option::Option::None => {
                    error = ::std::option::Option::Some(toasty::Error::invalid_statement(
                        ::std::format!(
                            "`{}.{}` references `{}`, which is not part of the key of `{}`",
                            #model, #rname, #reference, <#target as toasty::Model>::NAME
                        ),
                    ));
                }
            }
        }
    });
    quote!(#(#sets)*)
}

/// Setters of a create builder for one relation: link an existing record, or create
/// related records with this one.
fn relation_create_setters(def: &ModelDef, j: usize, r: &RelationDef) -> TokenStream {
    if !r.via.is_empty() {
        // A `via` relation is read-only: records are created through the relations it
        // follows.
        return quote!();
    }
    let model = &def.ident;
    let id = &r.ident;
    let target = &r.target;
    let with = format_ident!("with_{}", r.name);
    let with_doc = match r.kind {
        RelKind::HasMany => format!(
            "Adds a `{}` created with this record, built by `f` from a fresh builder (its \
             foreign key is set from this record): `.{with}(|t| t.title(\"..\"))`. Call it \
             once per record.",
            quote!(#target)
        ),
        _ => format!(
            "Creates the `{}` of `{}.{}` with this record, built by `f` from a fresh \
             builder.",
            quote!(#target),
            model,
            r.name
        ),
    };
    let with_fn = quote! {
        #[doc = #with_doc]
        pub fn #with(
            mut self,
            f: impl ::std::ops::FnOnce(<#target as toasty::Model>::Create) -> <#target as toasty::Model>::Create,
        ) -> Self {
            let child: toasty::Create<#target> =
                ::std::convert::Into::into(f(::std::default::Default::default()));
            self.inner.add_nested(#j, child);
            self
        }
    };
    match r.kind {
        RelKind::BelongsTo => {
            let doc = format!(
                "Sets `{model}.{}`: an existing record (`&record`, which sets the foreign key \
                 to its key{}), or a builder of a new one created first.",
                r.name,
                if r.optional { "; `None` clears it" } else { "" }
            );
            let set = set_foreign_key(def, r, |k, v| quote!(self.inner.set_value(#k, #v);));
            quote! {
                #[doc = #doc]
                pub fn #id(mut self, #id: impl toasty::stmt::IntoRelated<#target>) -> Self {
                    match toasty::stmt::IntoRelated::into_related(#id) {
                        toasty::stmt::Related::Key(key) => {
                            let mut error: ::std::option::Option<toasty::Error> = ::std::option::Option::None;
                            #set
                            if let ::std::option::Option::Some(e) = error {
                                self.inner.set_error(e);
                            }
                        }
                        toasty::stmt::Related::Create(child) => self.inner.add_nested(#j, child),
                    }
                    self
                }

                #with_fn
            }
        }
        RelKind::HasOne => {
            let doc = format!(
                "Creates `{model}.{}` with this record (its foreign key is set from this record).",
                r.name
            );
            quote! {
                #[doc = #doc]
                pub fn #id(mut self, #id: impl ::std::convert::Into<toasty::Create<#target>>) -> Self {
                    self.inner.add_nested(#j, ::std::convert::Into::into(#id));
                    self
                }

                #with_fn
            }
        }
        RelKind::HasMany => {
            let doc = format!(
                "Adds records of `{model}.{}` created with this record (their foreign keys are \
                 set from this record).",
                r.name
            );
            let singular = pluralizer::pluralize(&r.name, 1, false);
            let taken = singular == r.name
                || def
                    .fields
                    .iter()
                    .any(|f| f.name == singular || format!("with_{}", f.name) == singular)
                || def
                    .relations
                    .iter()
                    .any(|x| x.name == singular || format!("with_{}", x.name) == singular)
                || !is_ident(&singular);
            let one = if taken {
                quote!()
            } else {
                let one = format_ident!("{}", singular);
                let doc = format!(
                    "Adds one record of `{model}.{}` created with this record.",
                    r.name
                );
                quote! {
                    #[doc = #doc]
                    pub fn #one(mut self, #one: impl ::std::convert::Into<toasty::Create<#target>>) -> Self {
                        self.inner.add_nested(#j, ::std::convert::Into::into(#one));
                        self
                    }
                }
            };
            quote! {
                #[doc = #doc]
                pub fn #id<I>(mut self, #id: I) -> Self
                where
                    I: ::std::iter::IntoIterator,
                    I::Item: ::std::convert::Into<toasty::Create<#target>>,
                {
                    for child in #id {
                        self.inner.add_nested(#j, ::std::convert::Into::into(child));
                    }
                    self
                }

                #one

                #with_fn
            }
        }
    }
}

/// `true` if `s` is a plain identifier that is not a keyword.
fn is_ident(s: &str) -> bool {
    syn::parse_str::<syn::Ident>(s).is_ok()
}

fn expand_update(def: &ModelDef) -> TokenStream {
    let (_, _, update_ident) = names(def);
    let vis = &def.vis;
    let model = &def.ident;
    let setters = def
        .fields
        .iter()
        .enumerate()
        .filter(|(i, _)| !def.key.contains(i))
        .map(|(i, f)| update_setter(model, i, f));
    let on_update = def.fields.iter().enumerate().filter_map(|(i, f)| {
        let expr = f.update.as_ref()?;
        let ty = &f.ty;
        Some(quote! {
            if !inner.is_set(#i) {
                inner.set(#i, toasty::IntoExpr::<#ty>::into_expr(#expr));
            }
        })
    });
    let rel_setters = def.relations.iter().filter(|r| r.kind == RelKind::BelongsTo).map(|r| {
        let id = &r.ident;
        let target = &r.target;
        let doc = format!(
            "Points `{model}.{}` at an existing record (sets the foreign key to its key{}).",
            r.name,
            if r.optional { "; `None` clears it" } else { "" }
        );
        let set = set_foreign_key(def, r, |k, v| {
            quote!(self.inner.set(#k, toasty::Expr::<()>::from_untyped(toasty::codegen::value_expr(#v)));)
        });
        let with = format_ident!("with_{}", r.name);
        quote! {
            /// Not available: an update cannot create the record a `#[belongs_to]` points
            /// at (a compile error saying so); create it first and pass `&record`.
            #[doc(hidden)]
            pub fn #with<F>(self, _f: F) -> Self
            where
                F: ::std::ops::FnOnce(<#target as toasty::Model>::Create) -> <#target as toasty::Model>::Create,
                toasty::stmt::BelongsToRelation<F>: toasty::stmt::CreatableInUpdate,
            {
                self
            }

            #[doc = #doc]
            pub fn #id(mut self, #id: impl toasty::stmt::IntoRelated<#target>) -> Self {
                match toasty::stmt::IntoRelated::into_related(#id) {
                    toasty::stmt::Related::Key(key) => {
                        let mut error: ::std::option::Option<toasty::Error> = ::std::option::Option::None;
                        #set
                        if let ::std::option::Option::Some(e) = error {
                            self.inner.set_error(e);
                        }
                    }
                    toasty::stmt::Related::Create(_) => {
                        self.inner.set_error(toasty::Error::invalid_statement(
                            "an update can point a relation at an existing record, not create one; create the record first",
                        ));
                    }
                }
                self
            }
        }
    });
    let has_one_setters = def
        .relations
        .iter()
        .enumerate()
        .filter(|(_, r)| r.kind == RelKind::HasOne && r.via.is_empty())
        .map(|(j, r)| {
            let id = &r.ident;
            let target = &r.target;
            let with = format_ident!("with_{}", r.name);
            let doc = format!(
                "Points `{model}.{}` at another record: a builder of a new one created with \
                 the update, or an existing one (`&record`){}. The current one is deleted if \
                 its foreign key is required, and unlinked (NULL foreign key) if it is \
                 optional. Needs the one record being updated (`record.update()`, or a \
                 query by the whole primary key).",
                r.name,
                if r.optional { "; `None` unsets it" } else { "" }
            );
            let with_doc = format!(
                "Replaces `{model}.{}` with a new record built by `f` from a fresh builder \
                 (`update!(record {{ {}: {{ .. }} }})`).",
                r.name, r.name
            );
            quote! {
                #[doc = #doc]
                pub fn #id(mut self, #id: impl toasty::stmt::IntoRelated<#target>) -> Self {
                    self.inner.set_has_one(#j, toasty::stmt::IntoRelated::into_related(#id));
                    self
                }

                #[doc = #with_doc]
                pub fn #with(
                    mut self,
                    f: impl ::std::ops::FnOnce(<#target as toasty::Model>::Create) -> <#target as toasty::Model>::Create,
                ) -> Self {
                    let child: toasty::Create<#target> =
                        ::std::convert::Into::into(f(::std::default::Default::default()));
                    self.inner.set_has_one(#j, toasty::stmt::Related::Create(child));
                    self
                }
            }
        });
    let doc = format!(
        "Sets fields on a [`{model}`] record (or on every record a query selects); run it with `exec`."
    );
    quote! {
        #[doc = #doc]
        #[derive(Debug)]
        #vis struct #update_ident<'a> {
            inner: toasty::stmt::Update<'a, #model>,
        }

        /// A query-based update clones like any builder (see `toasty::stmt::Update`).
        impl ::std::clone::Clone for #update_ident<'static> {
            fn clone(&self) -> Self {
                #update_ident { inner: ::std::clone::Clone::clone(&self.inner) }
            }
        }

        impl<'a> #update_ident<'a> {
            /// Updates every record `query` selects.
            pub fn from_query(query: toasty::Query<#model>) -> #update_ident<'static> {
                #update_ident { inner: toasty::stmt::Update::from_query(query) }
            }

            #(#setters)*

            #(#rel_setters)*

            #(#has_one_setters)*

            /// Runs the update and returns how many records it changed. For a record
            /// (`record.update()`), the local value is updated too, and a record that no
            /// longer exists is a not-found error.
            pub async fn exec(self, db: &mut dyn toasty::Executor) -> toasty::Result<u64> {
                self.into_inner().exec(db).await
            }

            fn into_inner(self) -> toasty::stmt::Update<'a, #model> {
                #[allow(unused_mut)]
                let mut inner = self.inner;
                #(#on_update)*
                inner
            }
        }

        impl<'a> toasty::BatchItem for #update_ident<'a> {
            type Output = u64;
            #[doc(hidden)]
            type State = <toasty::stmt::Update<'a, #model> as toasty::BatchItem>::State;

            fn __prepare(
                self,
                db: &dyn toasty::Executor,
            ) -> toasty::Result<toasty::stmt::Prepared<Self::State, u64>> {
                toasty::BatchItem::__prepare(self.into_inner(), db)
            }

            fn __finish(
                state: Self::State,
                outcome: toasty::codegen::Outcome,
            ) -> toasty::Result<u64> {
                <toasty::stmt::Update<'a, #model> as toasty::BatchItem>::__finish(state, outcome)
            }
        }
    }
}

/// The field sets that get generated accessors: the key and each index, then every
/// leading prefix of a composite key or index (`filter_by_<first>`, ...), each once.
pub(crate) fn accessor_sets(def: &ModelDef) -> Vec<Vec<usize>> {
    let mut sets: Vec<Vec<usize>> = vec![def.key.clone()];
    for index in &def.indices {
        sets.push(index.fields.clone());
    }
    let mut prefixes = Vec::new();
    for fields in &sets {
        for len in 1..fields.len() {
            prefixes.push(fields[..len].to_vec());
        }
    }
    sets.extend(prefixes);
    let mut seen: Vec<Vec<usize>> = Vec::new();
    for fields in sets {
        if !seen.contains(&fields) {
            seen.push(fields);
        }
    }
    seen
}

fn expand_methods(def: &ModelDef) -> TokenStream {
    let (fields_ident, create_ident, update_ident) = names(def);
    let model = &def.ident;
    let key_filter = filter_expr(def, &def.key, |f| {
        let id = &f.ident;
        quote!(&self.#id)
    });

    let accessors: Vec<TokenStream> = accessor_sets(def)
        .iter()
        .map(|fields| accessors_for(def, fields, &update_ident))
        .collect();
    let rel_methods = def.relations.iter().enumerate().map(|(j, r)| {
        let id = &r.ident;
        let target = &r.target;
        let name = def.ident.to_string();
        let mut positions: Vec<usize> = def.key.clone();
        for &k in &r.key {
            if !positions.contains(&k) {
                positions.push(k);
            }
        }
        if !r.via.is_empty() {
            // The first step of the path may be any relation: give it every field.
            positions = (0..def.fields.len()).collect();
        }
        let values = positions.iter().map(|&p| {
            let f = &def.fields[p];
            let fid = &f.ident;
            let ty = &f.ty;
            quote!((#p, <#ty as toasty::Primitive>::to_value(&self.#fid)))
        });
        let scope = quote! {
            toasty::Query::scoped(toasty::codegen::Scope::new(#name, #j, ::std::vec![#(#values),*]))
        };
        match (r.kind, r.optional) {
            (RelKind::HasMany, _) => {
                let doc = format!(
                    "The `{}` records related to this one through `{}.{}`: a query to run, filter, count, update, delete or create in, whose `get_by_*`, `filter_by_*`, `update_by_*` and `delete_by_*` look only among them.",
                    quote!(#target), name, r.name
                );
                quote! {
                    #[doc = #doc]
                    pub fn #id(&self) -> <#target as toasty::Model>::Query {
                        ::std::convert::From::from(#scope)
                    }
                }
            }
            (_, false) => {
                let doc = format!("The `{}` of this record (`{}.{}`): `.exec(&mut db)` loads it.", quote!(#target), name, r.name);
                quote! {
                    #[doc = #doc]
                    pub fn #id(&self) -> toasty::stmt::One<#target> {
                        toasty::stmt::One::from_query(#scope)
                    }
                }
            }
            (_, true) => {
                let doc = format!("The `{}` of this record, if any (`{}.{}`): `.exec(&mut db)` loads it.", quote!(#target), name, r.name);
                quote! {
                    #[doc = #doc]
                    pub fn #id(&self) -> toasty::stmt::MaybeOne<#target> {
                        toasty::stmt::MaybeOne::from_query(#scope)
                    }
                }
            }
        }
    });
    quote! {
        impl #model {
            /// Field paths for filters and orderings (`Self::fields().name().eq(..)`), and
            /// relation paths for `.include(..)`.
            pub fn fields() -> #fields_ident {
                #fields_ident { path: toasty::stmt::IncludePath::root() }
            }

            #(#rel_methods)*

            /// A query for every record.
            pub fn all() -> toasty::Query<#model> {
                toasty::Query::all()
            }

            /// A query for the records matching `expr`.
            pub fn filter(expr: toasty::Expr<bool>) -> toasty::Query<#model> {
                toasty::Query::from_filter(expr)
            }

            /// A builder for a new record.
            pub fn create() -> #create_ident {
                ::std::default::Default::default()
            }

            /// A batch of new records created in one statement.
            pub fn create_many() -> toasty::CreateMany<#model> {
                toasty::CreateMany::new()
            }

            /// Updates this record (by primary key); on success the local value is updated.
            pub fn update(&mut self) -> #update_ident<'_> {
                #update_ident { inner: toasty::stmt::Update::from_record(self) }
            }

            /// Deletes this record (by primary key).
            pub fn delete(&self) -> toasty::stmt::Delete<#model> {
                toasty::stmt::Delete::from_query(toasty::Query::from_filter(#key_filter))
            }

            #(#accessors)*
        }
    }
}

/// `field_a = a AND field_b = b` over `fields`, with `value(f)` giving each operand.
pub(crate) fn filter_expr(
    def: &ModelDef,
    fields: &[usize],
    value: impl Fn(&FieldDef) -> TokenStream,
) -> TokenStream {
    let model = &def.ident;
    let parts: Vec<TokenStream> = fields
        .iter()
        .map(|&p| {
            let f = &def.fields[p];
            let id = &f.ident;
            let v = value(f);
            quote!(#model::fields().#id().eq(#v))
        })
        .collect();
    let mut iter = parts.into_iter();
    let first = iter
        .next()
        .unwrap_or_else(|| quote!(compile_error!("empty key")));
    iter.fold(first, |acc, p| quote!(#acc.and(#p)))
}

/// What the `*_by_<fields>` accessors of one field set share: their parameters, the
/// arguments that pass them on, the filter over them, their names, and the field list
/// for their docs. Used by the model's accessors and by the scoped ones of a relation
/// query (`query.rs`).
pub(super) struct AccessorParts {
    pub(super) params: Vec<TokenStream>,
    pub(super) args: Vec<syn::Ident>,
    pub(super) filter: TokenStream,
    pub(super) filter_by: syn::Ident,
    pub(super) update_by: syn::Ident,
    pub(super) delete_by: syn::Ident,
    pub(super) get_by: syn::Ident,
    /// `a, b`: the fields, for docs.
    pub(super) listed: String,
}

pub(super) fn accessor_parts(def: &ModelDef, fields: &[usize]) -> AccessorParts {
    let suffix = fields
        .iter()
        .map(|&p| def.fields[p].name.clone())
        .collect::<Vec<_>>()
        .join("_and_");
    AccessorParts {
        params: fields
            .iter()
            .map(|&p| {
                let f = &def.fields[p];
                let id = &f.ident;
                let ty = &f.ty;
                quote!(#id: impl toasty::IntoExpr<#ty>)
            })
            .collect(),
        args: fields
            .iter()
            .map(|&p| def.fields[p].ident.clone())
            .collect(),
        filter: filter_expr(def, fields, |f| {
            let id = &f.ident;
            quote!(#id)
        }),
        filter_by: format_ident!("filter_by_{}", suffix),
        update_by: format_ident!("update_by_{}", suffix),
        delete_by: format_ident!("delete_by_{}", suffix),
        get_by: format_ident!("get_by_{}", suffix),
        listed: suffix.replace("_and_", ", "),
    }
}

fn accessors_for(def: &ModelDef, fields: &[usize], update_ident: &syn::Ident) -> TokenStream {
    let model = &def.ident;
    let AccessorParts {
        params,
        args,
        filter,
        filter_by,
        update_by,
        delete_by,
        get_by,
        listed,
    } = accessor_parts(def, fields);
    let doc_filter = format!("A query for the records with the given {listed}.");
    let doc_update = format!("Updates the records with the given {listed}.");
    let doc_delete = format!("Deletes the records with the given {listed}.");
    let doc_get = format!(
        "Fetches the one record with the given {listed}: a not-found error if there is none, \
         a too-many-records error if there are several."
    );
    let get = quote! {
        #[doc = #doc_get]
        pub async fn #get_by(db: &mut dyn toasty::Executor, #(#params),*) -> toasty::Result<#model> {
            #model::#filter_by(#(#args),*).get(db).await
        }
    };
    quote! {
        #[doc = #doc_filter]
        pub fn #filter_by(#(#params),*) -> toasty::Query<#model> {
            toasty::Query::from_filter(#filter)
        }

        #[doc = #doc_update]
        pub fn #update_by(#(#params),*) -> #update_ident<'static> {
            #update_ident::from_query(#model::#filter_by(#(#args),*))
        }

        #[doc = #doc_delete]
        pub async fn #delete_by(db: &mut dyn toasty::Executor, #(#params),*) -> toasty::Result<u64> {
            #model::#filter_by(#(#args),*).delete().exec(db).await
        }

        #get
    }
}

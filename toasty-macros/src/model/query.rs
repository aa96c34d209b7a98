//! `<Model>Query`: a query of one model with the model's `filter_by_*`, `get_by_*`,
//! `update_by_*` and `delete_by_*` accessors, what a `#[has_many]` relation returns
//! (`user.todos().get_by_id(&mut db, id)` looks up a todo among the user's).
//!
//! It wraps a `toasty::Query<Model>`: the query's builder methods are forwarded (so
//! `.filter(..)`, `.order_by(..)` keep the accessors available), it dereferences to the
//! query for the `&self` methods (`create`, `insert`, `remove`, `explain`), and converts
//! into it with `From`/`Into`.

use super::expand::{accessor_parts, accessor_sets, AccessorParts};
use super::ModelDef;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

pub(crate) fn expand_query(def: &ModelDef) -> TokenStream {
    let model = &def.ident;
    let vis = &def.vis;
    let query = format_ident!("{}Query", model);
    let update = format_ident!("{}Update", model);
    let accessors = accessor_sets(def)
        .into_iter()
        .map(|fields| scoped_accessors(def, &fields, &update));
    let doc = format!(
        "A query of [`{model}`] records (what a `#[has_many]` relation to `{model}` \
         returns), with the `filter_by_*`, `get_by_*`, `update_by_*` and `delete_by_*` \
         accessors of `{model}` looking among the records the query selects. It \
         dereferences to, and converts into, `toasty::Query<{model}>`."
    );
    quote! {
        #[doc = #doc]
        #[derive(Clone, Debug)]
        #vis struct #query {
            inner: toasty::Query<#model>,
        }

        impl ::std::convert::From<toasty::Query<#model>> for #query {
            fn from(inner: toasty::Query<#model>) -> Self {
                #query { inner }
            }
        }

        impl ::std::convert::From<#query> for toasty::Query<#model> {
            fn from(q: #query) -> Self {
                q.inner
            }
        }

        impl ::std::ops::Deref for #query {
            type Target = toasty::Query<#model>;

            fn deref(&self) -> &toasty::Query<#model> {
                &self.inner
            }
        }

        impl ::std::ops::DerefMut for #query {
            fn deref_mut(&mut self) -> &mut toasty::Query<#model> {
                &mut self.inner
            }
        }

        impl #query {
            /// The query without the accessors.
            pub fn into_query(self) -> toasty::Query<#model> {
                self.inner
            }

            /// Keeps the records matching `expr` too (see `toasty::Query::filter`).
            pub fn filter(self, expr: toasty::Expr<bool>) -> Self {
                #query { inner: self.inner.filter(expr) }
            }

            /// Orders the records (see `toasty::Query::order_by`).
            pub fn order_by(self, order: impl toasty::stmt::IntoOrderBy<#model>) -> Self {
                #query { inner: self.inner.order_by(order) }
            }

            /// The records with the greatest `field` first (see `toasty::Query::latest_by`).
            pub fn latest_by<T>(self, field: toasty::Path<#model, T>) -> Self {
                #query { inner: self.inner.latest_by(field) }
            }

            /// At most `n` records (see `toasty::Query::limit`).
            pub fn limit(self, n: usize) -> Self {
                #query { inner: self.inner.limit(n) }
            }

            /// Skips the first `n` records (see `toasty::Query::offset`).
            pub fn offset(self, n: usize) -> Self {
                #query { inner: self.inner.offset(n) }
            }

            /// Loads a relation with the records (see `toasty::Query::include`).
            pub fn include(self, path: impl toasty::stmt::IntoInclude<#model>) -> Self {
                #query { inner: self.inner.include(path) }
            }

            /// Runs the query and returns the records.
            pub async fn exec(self, db: &mut dyn toasty::Executor) -> toasty::Result<::std::vec::Vec<#model>> {
                self.inner.exec(db).await
            }

            /// The first record, or `None` (see `toasty::Query::first`).
            pub fn first(self) -> toasty::stmt::First<#model> {
                self.inner.first()
            }

            /// The one record the query selects: not-found if none, too-many-records if
            /// several.
            pub async fn get(self, db: &mut dyn toasty::Executor) -> toasty::Result<#model> {
                self.inner.get(db).await
            }

            /// The same as `get` as a statement to run later or in a batch.
            pub fn one(self) -> toasty::stmt::Get<#model> {
                self.inner.one()
            }

            /// Counts the records (see `toasty::Query::count`).
            pub fn count(self) -> toasty::stmt::Count<#model> {
                self.inner.count()
            }

            /// Updates every record the query selects.
            pub fn update(self) -> #update<'static> {
                self.inner.update()
            }

            /// Deletes every record the query selects.
            pub fn delete(self) -> toasty::stmt::Delete<#model> {
                self.inner.delete()
            }

            /// Reads the records a page at a time (see `toasty::Query::paginate`).
            pub fn paginate(self, per_page: usize) -> toasty::stmt::Paginate<#model> {
                self.inner.paginate(per_page)
            }

            /// Returns fields of the records instead of the records (see
            /// `toasty::Query::select`).
            pub fn select<P: toasty::stmt::IntoSelect<#model>>(self, projection: P) -> toasty::stmt::Select<#model, P> {
                self.inner.select(projection)
            }

            #(#accessors)*
        }

        impl toasty::BatchItem for #query {
            type Output = ::std::vec::Vec<#model>;
            #[doc(hidden)]
            type State = <toasty::Query<#model> as toasty::BatchItem>::State;

            fn __prepare(
                self,
                db: &dyn toasty::Executor,
            ) -> toasty::Result<toasty::stmt::Prepared<Self::State, Self::Output>> {
                toasty::BatchItem::__prepare(self.inner, db)
            }

            fn __finish(
                state: Self::State,
                outcome: toasty::codegen::Outcome,
            ) -> toasty::Result<Self::Output> {
                <toasty::Query<#model> as toasty::BatchItem>::__finish(state, outcome)
            }
        }
    }
}

/// `filter_by_*`, `get_by_*`, `update_by_*` and `delete_by_*` for one field set, among
/// the records of the query.
fn scoped_accessors(def: &ModelDef, fields: &[usize], update: &syn::Ident) -> TokenStream {
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
    let doc_filter = format!("The records of this query with the given {listed}.");
    let doc_update = format!("Updates the records of this query with the given {listed}.");
    let doc_delete =
        format!("Deletes the records of this query with the given {listed}; returns how many.");
    let doc_get = format!(
        "Fetches the one record of this query with the given {listed}: a not-found error \
         if there is none among them (also when such a record exists outside the query), \
         a too-many-records error if there are several."
    );
    quote! {
        #[doc = #doc_filter]
        pub fn #filter_by(self, #(#params),*) -> Self {
            self.filter(#filter)
        }

        #[doc = #doc_get]
        pub async fn #get_by(self, db: &mut dyn toasty::Executor, #(#params),*) -> toasty::Result<#model> {
            self.#filter_by(#(#args),*).get(db).await
        }

        #[doc = #doc_update]
        pub fn #update_by(self, #(#params),*) -> #update<'static> {
            self.#filter_by(#(#args),*).update()
        }

        #[doc = #doc_delete]
        pub async fn #delete_by(self, db: &mut dyn toasty::Executor, #(#params),*) -> toasty::Result<u64> {
            self.#filter_by(#(#args),*).delete().exec(db).await
        }
    }
}

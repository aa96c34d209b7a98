//! Programs written against the Toasty guide's API (tokio-rs/toasty, `docs/guide/src/`),
//! one module per chapter (flat models, and the relation chapters it covers), run on memdb and (with feature `sqlite`)
//! on in-memory SQLite. Where our API differs on purpose, `docs/coming-from-toasty.md`
//! says so.

#[path = "guide_compat/batch.rs"]
mod batch;
#[path = "guide_compat/cloning.rs"]
mod cloning;
#[path = "guide_compat/connection_transactions.rs"]
mod connection_transactions;
#[path = "guide_compat/creating.rs"]
mod creating;
#[path = "guide_compat/field_options.rs"]
mod field_options;
#[path = "guide_compat/filtering.rs"]
mod filtering;
#[path = "guide_compat/has_many.rs"]
mod has_many;
#[path = "guide_compat/has_one.rs"]
mod has_one;
#[path = "guide_compat/indexes.rs"]
mod indexes;
#[path = "guide_compat/keys.rs"]
mod keys;
#[path = "guide_compat/pagination.rs"]
mod pagination;
#[path = "guide_compat/querying.rs"]
mod querying;
#[path = "guide_compat/setup.rs"]
mod setup;
#[path = "guide_compat/transactions.rs"]
mod transactions;
#[path = "guide_compat/updating.rs"]
mod updating;

/// The URLs every program runs on.
pub fn urls() -> Vec<&'static str> {
    let mut urls = vec!["memory:"];
    if cfg!(feature = "sqlite") {
        urls.push("sqlite::memory:");
    }
    urls
}

/// Runs `body` on a fresh database per URL, with `models` pushed.
#[macro_export]
macro_rules! on_every_backend {
    ($models:expr, |$db:ident| $body:block) => {
        for url in $crate::urls() {
            let mut $db = toasty::Db::builder()
                .models($models)
                .connect(url)
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            $db.push_schema()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            let result: toasty::Result<()> = async { $body }.await;
            result.unwrap_or_else(|e| panic!("{url}: {e}"));
        }
    };
}

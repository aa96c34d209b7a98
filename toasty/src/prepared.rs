//! [`Prepared`]: a statement an application keeps and runs with new arguments.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> toasty::Result<()> {
//! #[derive(Debug, toasty::Model)]
//! struct User {
//!     #[key]
//!     #[auto]
//!     id: u64,
//!     #[unique]
//!     email: String,
//!     age: i64,
//! }
//!
//! let mut db = toasty::Db::builder()
//!     .models(toasty::models!(User))
//!     .connect("sqlite::memory:")
//!     .await?;
//! db.push_schema().await?;
//! toasty::create!(User { email: "ada@example.com", age: 36 }).exec(&mut db).await?;
//!
//! // Built once; each run only verifies the new values and copies the plan.
//! let by_email = db.prepare(|email: &str| User::filter_by_email(email).first());
//! let older_than = db.prepare(|age: i64| User::filter(User::fields().age().gt(age)).count());
//!
//! let ada = by_email.exec(&mut db, "ada@example.com").await?;
//! assert_eq!(ada.map(|u| u.age), Some(36));
//! assert_eq!(older_than.exec(&mut db, 30).await?, 1);
//! assert_eq!(older_than.exec(&mut db, 40).await?, 0);
//! # Ok(())
//! # }
//! ```

use crate::db::Db;
use crate::engine::{Pinned, StatementCache};
use crate::stmt::batch::Prepared as Built;
use crate::{BatchItem, Executor, Result};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

/// A statement kept by the application and run with new arguments: made by
/// [`Db::prepare`] from a function that builds the statement from its arguments.
///
/// The first run compiles the statement's plan (verify, lower, simplify, plan) and the
/// prepared statement keeps it; later runs with arguments of the same kinds only
/// verify the new values and run a copy of that plan with them, whatever else runs on
/// the `Db` (unlike the `Db`'s own statement cache, whose least recently used shapes
/// make way for new ones). Arguments that change the statement's shape (a `None` where
/// there was a value, an `IN` list of another length) get a plan of their own, up to
/// 16 shapes. On a key-value backend (DynamoDB, `memory:kv`) every run is compiled
/// anew, with the same results.
///
/// It runs on the `Db` it was prepared on and on that `Db`'s clones, transactions and
/// connections; on another `Db` it runs like the unprepared statement.
pub struct Prepared<A, T> {
    build: Box<dyn Fn(A) -> T + Send + Sync>,
    cache: Arc<StatementCache>,
    pinned: Pinned,
    _args: PhantomData<fn(A)>,
}

impl Db {
    /// Prepares a statement built by `build` from its arguments (see [`Prepared`]):
    /// `db.prepare(|id: u64| User::filter_by_id(id).first())`. For several arguments,
    /// take a tuple: `db.prepare(|(name, age): (String, i64)| ..)`.
    pub fn prepare<A, T, F>(&self, build: F) -> Prepared<A, T>
    where
        T: BatchItem,
        F: Fn(A) -> T + Send + Sync + 'static,
    {
        Prepared {
            build: Box::new(build),
            cache: self.inner.settings.statements.clone(),
            pinned: Pinned::default(),
            _args: PhantomData,
        }
    }
}

impl<A, T: BatchItem> Prepared<A, T> {
    /// Builds the statement from `args` and runs it on `e`, with the plan kept for its
    /// shape when there is one.
    pub async fn exec(&self, e: &mut dyn Executor, args: A) -> Result<T::Output> {
        let item = (self.build)(args);
        match item.__prepare(e)? {
            Built::Run(stmt, state) => {
                let same_db = e
                    .__statement_cache()
                    .is_some_and(|c| Arc::ptr_eq(c, &self.cache));
                let session = e.__session();
                let session = if same_db {
                    session.pinned(&self.pinned)
                } else {
                    session
                };
                T::__finish(state, session.exec(stmt.0).await?)
            }
            Built::Done(output) => Ok(output),
        }
    }

    /// The number of statement shapes whose plans this statement keeps (`0` before it
    /// first runs, and on key-value backends).
    pub fn shapes(&self) -> usize {
        self.pinned.len()
    }
}

impl<A, T> fmt::Debug for Prepared<A, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Prepared")
            .field("shapes", &self.pinned.len())
            .finish_non_exhaustive()
    }
}

//! [`batch`]: several statements, of any models, run as one atomic unit.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> toasty::Result<()> {
//! # #[derive(Debug, toasty::Model)]
//! # struct User { #[key] #[auto] id: u64, #[index] name: String }
//! # #[derive(Debug, toasty::Model)]
//! # struct Post { #[key] #[auto] id: u64, #[index] title: String }
//! # let mut db = toasty::Db::builder().models(toasty::models!(User, Post)).connect("memory:").await?;
//! # db.push_schema().await?;
//! let (user, post, users): (User, Post, Vec<User>) = toasty::batch((
//!     toasty::create!(User { name: "Ada" }),
//!     toasty::create!(Post { title: "Hello" }),
//!     User::filter_by_name("Ada"),
//! ))
//! .exec(&mut db)
//! .await?;
//! assert_eq!(users.len(), 1);
//! # Ok(())
//! # }
//! ```
//!
//! Statements run in order and later ones see earlier ones' writes. All of them take
//! effect or none does: on SQL backends the batch runs in one transaction (or in the
//! enclosing [`crate::Transaction`]); on key-value backends its writes are one
//! `TransactWriteItems` (at most 100 items), and a statement that must read a table an
//! earlier statement of the batch writes is refused with `Unsupported`, since that read
//! could not see the write.
//!
//! A batch takes a tuple of up to 8 statements, a `Vec` or an array of one kind.

use super::BatchStatement;
use crate::engine::Outcome;
use crate::metrics::{Phase, Registry};
use crate::{Error, Executor, Result};
use std::sync::Arc;
use std::time::Instant;

/// A statement that can run alone or as part of a [`batch`]: every terminal builder
/// (`Query`, `First`, `Get`, `Count`, `Create`, `CreateMany`, `Update`, `Delete`, the
/// generated create and update builders).
pub trait BatchItem: Sized {
    /// What the statement returns.
    type Output;
    /// What finishing the statement needs besides its outcome. Not part of the public
    /// API.
    #[doc(hidden)]
    type State;

    /// Builds the statement. Not part of the public API.
    #[doc(hidden)]
    fn __prepare(self, e: &dyn Executor) -> Result<Prepared<Self::State, Self::Output>>;

    /// Turns the statement's outcome into its output. Not part of the public API.
    #[doc(hidden)]
    fn __finish(state: Self::State, outcome: Outcome) -> Result<Self::Output>;

    /// The plan the statement compiles to on `e`'s driver, as text (see
    /// [`crate::Plan::explain`]), without running it.
    fn explain(self, e: &dyn Executor) -> Result<String> {
        match self.__prepare(e)? {
            Prepared::Run(stmt, _) => {
                let plan = crate::engine::compile(e.schema(), e.capability(), stmt.0)?;
                Ok(plan.explain_with(e.schema(), Some(e.__driver())))
            }
            Prepared::Done(_) => Ok("(nothing to run)".to_string()),
        }
    }
}

/// A prepared statement of a batch. Not part of the public API.
#[doc(hidden)]
pub enum Prepared<S, O> {
    /// Run the statement, then finish with the state.
    Run(BatchStatement, S),
    /// Nothing to run (an empty insert, an update without assignments): the output.
    Done(O),
}

/// Runs one batch item alone.
pub(crate) async fn exec_one<T: BatchItem>(item: T, e: &mut dyn Executor) -> Result<T::Output> {
    if let Some(m) = e.__metrics() {
        let m = m.clone();
        return Box::pin(exec_one_measured(item, e, m)).await;
    }
    match item.__prepare(e)? {
        Prepared::Run(stmt, state) => T::__finish(state, e.__session().exec(stmt.0).await?),
        Prepared::Done(output) => Ok(output),
    }
}

/// [`exec_one`], timing the build and load phases.
async fn exec_one_measured<T: BatchItem>(
    item: T,
    e: &mut dyn Executor,
    m: Arc<Registry>,
) -> Result<T::Output> {
    let start = Instant::now();
    let prepared = item.__prepare(e);
    m.phase(Phase::Build, start);
    match prepared? {
        Prepared::Run(stmt, state) => {
            let outcome = e.__session().exec(stmt.0).await?;
            let start = Instant::now();
            let output = T::__finish(state, outcome);
            m.phase(Phase::Load, start);
            output
        }
        Prepared::Done(output) => Ok(output),
    }
}

/// The statements of a batch: a tuple, `Vec` or array of [`BatchItem`]s.
pub trait IntoBatch {
    /// What the batch returns: a tuple, `Vec` or array of the statements' outputs.
    type Output;
    /// The items' states. Not part of the public API.
    #[doc(hidden)]
    type State;

    /// Prepares every item, appending their statements. Not part of the public API.
    #[doc(hidden)]
    fn __prepare(self, e: &dyn Executor, stmts: &mut Vec<BatchStatement>) -> Result<Self::State>;

    /// Finishes every item from the outcomes, in order. Not part of the public API.
    #[doc(hidden)]
    fn __finish(
        state: Self::State,
        outcomes: &mut std::vec::IntoIter<Outcome>,
    ) -> Result<Self::Output>;
}

/// A batch ready to run. Created by [`batch`].
#[derive(Debug)]
#[must_use = "a batch does nothing until .exec() runs it"]
pub struct Batch<T> {
    items: T,
}

/// Groups statements into one atomic unit (see the module docs of `toasty::stmt::batch`).
pub fn batch<T: IntoBatch>(items: T) -> Batch<T> {
    Batch { items }
}

impl<T: IntoBatch> Batch<T> {
    /// Runs every statement, all-or-nothing, and returns their outputs in order.
    pub async fn exec(self, e: &mut dyn Executor) -> Result<T::Output> {
        let m = e.__metrics().cloned();
        let start = m.as_ref().map(|_| Instant::now());
        let mut stmts = Vec::new();
        let state = self.items.__prepare(e, &mut stmts);
        if let (Some(m), Some(start)) = (&m, start) {
            m.phase(Phase::Build, start);
        }
        let state = state?;
        let outcomes = if stmts.is_empty() {
            Vec::new()
        } else {
            e.__session()
                .exec_batch(stmts.into_iter().map(|s| s.0).collect())
                .await?
        };
        let mut outcomes = outcomes.into_iter();
        let start = m.as_ref().map(|_| Instant::now());
        let output = T::__finish(state, &mut outcomes);
        if let (Some(m), Some(start)) = (&m, start) {
            m.phase(Phase::Load, start);
        }
        output
    }
}

fn prepare_item<T: BatchItem>(
    item: T,
    e: &dyn Executor,
    stmts: &mut Vec<BatchStatement>,
) -> Result<Result<T::State, Option<T::Output>>> {
    Ok(match item.__prepare(e)? {
        Prepared::Run(stmt, state) => {
            stmts.push(stmt);
            Ok(state)
        }
        Prepared::Done(output) => Err(Some(output)),
    })
}

fn finish_item<T: BatchItem>(
    state: Result<T::State, Option<T::Output>>,
    outcomes: &mut std::vec::IntoIter<Outcome>,
) -> Result<T::Output> {
    match state {
        Ok(state) => {
            let outcome = outcomes
                .next()
                .ok_or_else(|| Error::driver("a batch returned fewer outcomes than statements"))?;
            T::__finish(state, outcome)
        }
        Err(Some(output)) => Ok(output),
        Err(None) => Err(Error::driver("a batch item was finished twice")),
    }
}

impl<T: BatchItem> IntoBatch for Vec<T> {
    type Output = Vec<T::Output>;
    type State = Vec<Result<T::State, Option<T::Output>>>;

    fn __prepare(self, e: &dyn Executor, stmts: &mut Vec<BatchStatement>) -> Result<Self::State> {
        self.into_iter()
            .map(|item| prepare_item(item, e, stmts))
            .collect()
    }

    fn __finish(
        state: Self::State,
        outcomes: &mut std::vec::IntoIter<Outcome>,
    ) -> Result<Self::Output> {
        state
            .into_iter()
            .map(|s| finish_item::<T>(s, outcomes))
            .collect()
    }
}

impl<T: BatchItem, const N: usize> IntoBatch for [T; N] {
    type Output = Vec<T::Output>;
    type State = Vec<Result<T::State, Option<T::Output>>>;

    fn __prepare(self, e: &dyn Executor, stmts: &mut Vec<BatchStatement>) -> Result<Self::State> {
        Vec::from(self).__prepare(e, stmts)
    }

    fn __finish(
        state: Self::State,
        outcomes: &mut std::vec::IntoIter<Outcome>,
    ) -> Result<Self::Output> {
        <Vec<T> as IntoBatch>::__finish(state, outcomes)
    }
}

macro_rules! tuple_batch {
    ($($t:ident $v:ident),+) => {
        impl<$($t: BatchItem),+> IntoBatch for ($($t,)+) {
            type Output = ($($t::Output,)+);
            type State = ($(Result<$t::State, Option<$t::Output>>,)+);

            fn __prepare(
                self,
                e: &dyn Executor,
                stmts: &mut Vec<BatchStatement>,
            ) -> Result<Self::State> {
                let ($($v,)+) = self;
                Ok(($(prepare_item($v, e, stmts)?,)+))
            }

            fn __finish(
                state: Self::State,
                outcomes: &mut std::vec::IntoIter<Outcome>,
            ) -> Result<Self::Output> {
                let ($($v,)+) = state;
                Ok(($(finish_item::<$t>($v, outcomes)?,)+))
            }
        }
    };
}

tuple_batch!(A a);
tuple_batch!(A a, B b);
tuple_batch!(A a, B b, C c);
tuple_batch!(A a, B b, C c, D d);
tuple_batch!(A a, B b, C c, D d, E e);
tuple_batch!(A a, B b, C c, D d, E e, F f);
tuple_batch!(A a, B b, C c, D d, E e, F f, G g);
tuple_batch!(A a, B b, C c, D d, E e, F f, G g, H h);

//! [`Select`]: a query that returns some fields of each record (`.select(..)`).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> toasty::Result<()> {
//! # #[derive(Debug, toasty::Model)]
//! # struct User { #[key] #[auto] id: u64, name: String, #[unique] email: String }
//! # let mut db = toasty::Db::builder().models(toasty::models!(User)).connect("memory:").await?;
//! # db.push_schema().await?;
//! # toasty::create!(User { name: "Ada", email: "ada@example.com" }).exec(&mut db).await?;
//! let names: Vec<String> = User::all()
//!     .select(User::fields().name())
//!     .exec(&mut db)
//!     .await?;
//! let pairs: Vec<(u64, String)> = User::all()
//!     .select((User::fields().id(), User::fields().name()))
//!     .exec(&mut db)
//!     .await?;
//! let name: Option<String> = User::filter_by_email("ada@example.com")
//!     .select(User::fields().name())
//!     .first()
//!     .exec(&mut db)
//!     .await?;
//! # assert_eq!(names, ["Ada"]);
//! # assert_eq!(pairs.len(), 1);
//! # assert_eq!(name.as_deref(), Some("Ada"));
//! # Ok(())
//! # }
//! ```
//!
//! The database reads only the projected columns (SQL: `SELECT "name" FROM ..`); on
//! key-value backends the engine keeps the projected values of the records the query's
//! key fetches. Which queries a key-value backend accepts does not change. Only fields
//! can be projected: relations are loaded with `.include(..)`.

use super::batch::{exec_one, BatchItem, Prepared};
use super::query::Query;
use super::{BatchStatement, Expr, IntoOrderBy, Path};
use crate::engine::{Outcome, Statement};
use crate::{Error, Executor, Model, Primitive, Result, Value};
use toasty_core::stmt;

/// What `.select(..)` takes: a field path (`User::fields().name()`) or a tuple of up to
/// 8 of them. [`IntoSelect::Output`] is what each record becomes: the field's type, or a
/// tuple of the fields' types.
#[diagnostic::on_unimplemented(
    message = "`.select(..)` on a query of `{M}` cannot project `{Self}`",
    label = "not a field path of `{M}` (or a tuple of them)",
    note = "`.select(..)` takes a field path such as `{M}::fields().name()`, or a tuple of up \
            to 8 field paths of the queried model; relations cannot be projected (load them \
            with `.include(..)`)"
)]
pub trait IntoSelect<M> {
    /// What one record becomes.
    type Output;

    /// Appends the projected field positions. Not part of the public API.
    #[doc(hidden)]
    fn __fields(&self, out: &mut Vec<usize>);

    /// Loads the output from a projected row, starting at `*at` and advancing it. Not
    /// part of the public API.
    #[doc(hidden)]
    fn __load(row: &mut [Value], at: &mut usize) -> Result<Self::Output>;
}

impl<M, T: Primitive> IntoSelect<M> for Path<M, T> {
    type Output = T;

    fn __fields(&self, out: &mut Vec<usize>) {
        out.push(self.field_index());
    }

    fn __load(row: &mut [Value], at: &mut usize) -> Result<T> {
        let slot = row.get_mut(*at).ok_or_else(|| {
            Error::driver("the database returned fewer values than the projection has fields")
        })?;
        *at += 1;
        T::take_value(slot)
    }
}

macro_rules! tuple_select {
    ($($t:ident),+) => {
        impl<M, $($t: IntoSelect<M>),+> IntoSelect<M> for ($($t,)+) {
            type Output = ($($t::Output,)+);

            #[allow(non_snake_case)]
            fn __fields(&self, out: &mut Vec<usize>) {
                let ($($t,)+) = self;
                $($t.__fields(out);)+
            }

            fn __load(row: &mut [Value], at: &mut usize) -> Result<Self::Output> {
                Ok(($($t::__load(row, at)?,)+))
            }
        }
    };
}
tuple_select!(A);
tuple_select!(A, B);
tuple_select!(A, B, C);
tuple_select!(A, B, C, D);
tuple_select!(A, B, C, D, E);
tuple_select!(A, B, C, D, E, F);
tuple_select!(A, B, C, D, E, F, G);
tuple_select!(A, B, C, D, E, F, G, H);

/// A query that returns the projected fields of each matching record. Created by
/// [`Query::select`]; nothing runs until a terminal: [`Select::exec`],
/// [`Select::first`], [`Select::get`] or [`Select::count`].
pub struct Select<M, P> {
    query: Query<M>,
    projection: P,
}

impl<M, P: Clone> Clone for Select<M, P> {
    fn clone(&self) -> Self {
        Select {
            query: self.query.clone(),
            projection: self.projection.clone(),
        }
    }
}

impl<M, P> std::fmt::Debug for Select<M, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl<M: Model> Query<M> {
    /// Returns the values of some fields of each record instead of whole records:
    /// `.select(User::fields().name())` makes `.exec()` return `Vec<String>`, and
    /// `.select((User::fields().id(), User::fields().name()))` `Vec<(u64, String)>`.
    /// The database reads only those columns. Relations cannot be projected, and a
    /// query with `.include(..)` cannot be projected (`InvalidStatement`).
    pub fn select<P: IntoSelect<M>>(self, projection: P) -> Select<M, P> {
        Select {
            query: self,
            projection,
        }
    }
}

impl<M: Model, P: IntoSelect<M>> Select<M, P> {
    /// Narrows the query: the records must also match `expr`.
    pub fn filter(mut self, expr: Expr<bool>) -> Self {
        self.query = self.query.filter(expr);
        self
    }

    /// Sorts by one ordering or a tuple of them (see [`Query::order_by`]).
    pub fn order_by(mut self, order: impl IntoOrderBy<M>) -> Self {
        self.query = self.query.order_by(order);
        self
    }

    /// Returns the values of at most `n` records.
    pub fn limit(mut self, n: usize) -> Self {
        self.query = self.query.limit(n);
        self
    }

    /// Skips the first `n` records.
    pub fn offset(mut self, n: usize) -> Self {
        self.query = self.query.offset(n);
        self
    }

    /// Runs the query and returns the projected values of every matching record.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Vec<P::Output>> {
        exec_one(self, db).await
    }

    /// Narrows to the first record: `.first().exec(&mut db)` returns an `Option`.
    pub fn first(self) -> SelectFirst<M, P> {
        SelectFirst { select: self }
    }

    /// Runs the query expecting exactly one record: its projected values, or a
    /// not-found error if none matches and a too-many-records error if several do.
    pub async fn get(self, db: &mut dyn Executor) -> Result<P::Output> {
        exec_one(self.one(), db).await
    }

    /// The same as [`Select::get`] as a statement to run later or in a
    /// [`crate::batch`].
    pub fn one(self) -> SelectOne<M, P> {
        SelectOne { select: self }
    }

    /// Counts the matching records (the projection does not change the count).
    pub fn count(self) -> super::Count<M> {
        self.query.count()
    }

    /// The plan this query compiles to on `db`'s driver, as text, without running it.
    pub fn explain(self, db: &dyn Executor) -> Result<String> {
        BatchItem::explain(self, db)
    }

    fn into_statement(self, db: &dyn Executor, limit: Option<u64>) -> Result<Statement> {
        let mut query = self.query;
        if !query.include.is_empty() {
            return Err(Error::invalid_statement(format!(
                "a query of `{}` with `.include(..)` cannot be projected with `.select(..)`: \
                 a projection returns field values, not records",
                M::NAME
            )));
        }
        if let Some(max) = limit {
            query.limit = Some(query.limit.map_or(max, |l| l.min(max)));
        }
        let mut fields = Vec::new();
        self.projection.__fields(&mut fields);
        let stmt = query.into_stmt(db, stmt::Select::Fields(fields))?;
        Ok(Statement::Query(stmt, Vec::new()))
    }
}

/// Loads every projected row of `outcome`.
fn load_rows<M, P: IntoSelect<M>>(outcome: Outcome) -> Result<Vec<P::Output>> {
    match outcome {
        Outcome::Records(mut rows) => rows.iter_mut().map(|row| load_row::<M, P>(row)).collect(),
        Outcome::RecordSet(mut set) => set.rows_mut().map(load_row::<M, P>).collect(),
        Outcome::Loaded(_) | Outcome::Count(_) => Err(Error::driver(
            "expected projected rows from the driver but got records or a count",
        )),
    }
}

fn load_row<M, P: IntoSelect<M>>(row: &mut [Value]) -> Result<P::Output> {
    let mut at = 0;
    P::__load(row, &mut at)
}

/// At most one projected row: `Ok(None)` for none, `Err` naming the count for several.
fn load_at_most_one<M, P: IntoSelect<M>>(
    outcome: Outcome,
) -> Result<Result<Option<P::Output>, usize>> {
    let mut rows = load_rows::<M, P>(outcome)?;
    Ok(match rows.len() {
        0 | 1 => Ok(rows.pop()),
        n => Err(n),
    })
}

impl<M: Model, P: IntoSelect<M>> BatchItem for Select<M, P> {
    type Output = Vec<P::Output>;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Self::Output>> {
        Ok(Prepared::Run(
            BatchStatement(self.into_statement(db, None)?),
            (),
        ))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Self::Output> {
        load_rows::<M, P>(outcome)
    }
}

/// The projected values of the first matching record, if any. Created by
/// [`Select::first`].
#[derive(Debug)]
pub struct SelectFirst<M, P> {
    select: Select<M, P>,
}

impl<M, P: Clone> Clone for SelectFirst<M, P> {
    fn clone(&self) -> Self {
        SelectFirst {
            select: self.select.clone(),
        }
    }
}

impl<M: Model, P: IntoSelect<M>> SelectFirst<M, P> {
    /// Runs the query; `None` when nothing matches.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Option<P::Output>> {
        exec_one(self, db).await
    }
}

impl<M: Model, P: IntoSelect<M>> BatchItem for SelectFirst<M, P> {
    type Output = Option<P::Output>;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Self::Output>> {
        let stmt = self.select.into_statement(db, Some(1))?;
        Ok(Prepared::Run(BatchStatement(stmt), ()))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Self::Output> {
        load_at_most_one::<M, P>(outcome)?.map_err(|_| {
            Error::driver("the database returned more than one row for a query limited to one")
        })
    }
}

/// The projected values of exactly one matching record. Created by [`Select::one`].
#[derive(Debug)]
pub struct SelectOne<M, P> {
    select: Select<M, P>,
}

impl<M, P: Clone> Clone for SelectOne<M, P> {
    fn clone(&self) -> Self {
        SelectOne {
            select: self.select.clone(),
        }
    }
}

impl<M: Model, P: IntoSelect<M>> SelectOne<M, P> {
    /// Runs the query; errors unless exactly one record matches.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<P::Output> {
        exec_one(self, db).await
    }
}

impl<M: Model, P: IntoSelect<M>> BatchItem for SelectOne<M, P> {
    type Output = P::Output;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Self::Output>> {
        let stmt = self.select.into_statement(db, Some(2))?;
        Ok(Prepared::Run(BatchStatement(stmt), ()))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Self::Output> {
        match load_at_most_one::<M, P>(outcome)? {
            Ok(Some(output)) => Ok(output),
            Ok(None) => Err(Error::not_found(format!(
                "no `{}` record matches the query",
                M::NAME
            ))),
            Err(_) => Err(Error::new(
                toasty_core::ErrorKind::TooManyRecords,
                format!(
                    "more than one `{}` record matches a query that expects exactly one; use \
                     .first() or .exec() instead",
                    M::NAME
                ),
            )),
        }
    }
}

//! [`Query`]: which records of a model, in which order, how many; and its terminals.

use super::batch::{exec_one, BatchItem, Prepared};
use super::include::{IncludePath, IntoInclude, MAX_INCLUDE_DEPTH};
use super::scope::Scope;
use super::{BatchStatement, Delete, Expr, IntoOrderBy, Paginate};
use crate::engine::{Outcome, Statement};
use crate::{Error, Executor, Model, Result};
use std::marker::PhantomData;
use toasty_core::stmt;

/// A query over model `M`. Nothing runs until a terminal: [`Query::exec`],
/// [`Query::first`], [`Query::get`], [`Query::count`], [`Query::delete`] or
/// [`Query::paginate`].
pub struct Query<M> {
    pub(crate) filter: Option<stmt::Expr>,
    pub(crate) order_by: Vec<stmt::OrderBy>,
    pub(crate) limit: Option<u64>,
    pub(crate) offset: Option<u64>,
    /// The records related to one record (`user.todos()`), resolved when the statement
    /// is built.
    pub(crate) scope: Option<Scope>,
    /// Relations to load with the records (`.include(..)`).
    pub(crate) include: Vec<IncludePath<M>>,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for Query<M> {
    fn clone(&self) -> Self {
        Query {
            filter: self.filter.clone(),
            order_by: self.order_by.clone(),
            limit: self.limit,
            offset: self.offset,
            scope: self.scope.clone(),
            include: self.include.clone(),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Query<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Query")
            .field("filter", &self.filter)
            .field("order_by", &self.order_by)
            .field("limit", &self.limit)
            .field("offset", &self.offset)
            .field("scope", &self.scope)
            .field("include", &self.include)
            .finish()
    }
}

impl<M: Model> Default for Query<M> {
    fn default() -> Self {
        Self::all()
    }
}

impl<M: Model> Query<M> {
    /// Every record.
    pub fn all() -> Self {
        Query {
            filter: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            scope: None,
            include: Vec::new(),
            _m: PhantomData,
        }
    }

    /// The records related to one record through one relation (generated relation
    /// accessors call this: `user.todos()`). Not part of the public API.
    #[doc(hidden)]
    pub fn scoped(scope: Scope) -> Self {
        let mut q = Self::all();
        q.scope = Some(scope);
        q
    }

    /// Loads a relation of every returned record with the query:
    /// `.include(User::fields().todos())`, or nested,
    /// `.include(User::fields().todos().user())`. Each relation level costs one more
    /// database read (a batched `IN` query; on key-value stores a batched key lookup, or
    /// one index query per parent for `#[has_many]`/`#[has_one]`), whatever the number
    /// of records. Read the loaded records with `record.relation.get()`.
    pub fn include(mut self, path: impl IntoInclude<M>) -> Self {
        self.include.push(path.into_include());
        self
    }

    /// A builder for a new record in this query's scope: `user.todos().create()` sets the
    /// new todo's foreign key to `user` (as `toasty::create!(in user.todos() { .. })`
    /// does). On a query without a relation scope it is `M::create()`.
    pub fn create(&self) -> M::Create {
        let mut create = super::Create::<M>::new();
        create.set_scope(self.scope.clone());
        M::Create::from(create)
    }

    /// The records matching `expr`.
    pub fn from_filter(expr: Expr<bool>) -> Self {
        Self::all().filter(expr)
    }

    /// Narrows the query: the records must also match `expr`.
    pub fn filter(mut self, expr: Expr<bool>) -> Self {
        self.filter = Some(match self.filter.take() {
            None => expr.untyped,
            Some(existing) => existing.and(expr.untyped),
        });
        self
    }

    /// Sorts by one ordering or a tuple of them; calling it again adds lower-priority keys.
    /// Without `order_by` the order is unspecified.
    pub fn order_by(mut self, order: impl IntoOrderBy<M>) -> Self {
        self.order_by.extend(order.into_order_by().keys);
        self
    }

    /// Newest first: sorts by `field`, descending (shorthand for
    /// `.order_by(field.desc())`).
    pub fn latest_by<T>(self, field: super::Path<M, T>) -> Self {
        self.order_by(field.desc())
    }

    /// Returns at most `n` records.
    pub fn limit(mut self, n: usize) -> Self {
        self.limit = Some(n as u64);
        self
    }

    /// Skips the first `n` records.
    pub fn offset(mut self, n: usize) -> Self {
        self.offset = Some(n as u64);
        self
    }

    pub(crate) fn into_stmt(self, db: &dyn Executor, select: stmt::Select) -> Result<stmt::Query> {
        let mut filter = self.filter;
        if let Some(scope) = &self.scope {
            let scoped = scope.filter(db.schema())?;
            filter = Some(match filter {
                None => scoped,
                Some(f) => scoped.and(f),
            });
        }
        Ok(stmt::Query {
            model: model_id::<M>(db)?,
            filter,
            order_by: self.order_by,
            limit: self.limit,
            offset: self.offset,
            select,
        })
    }

    /// The relation paths of `.include(..)`, checked.
    pub(crate) fn include_paths(&self) -> Result<Vec<Vec<usize>>> {
        self.include
            .iter()
            .map(|p| {
                if p.overflowed() {
                    return Err(Error::invalid_statement(format!(
                        "an include path on `{}` follows more than {MAX_INCLUDE_DEPTH} \
                         relations",
                        M::NAME
                    )));
                }
                if p.steps().is_empty() {
                    return Err(Error::invalid_statement(format!(
                        "`.include(..)` on `{}` needs a relation: `.include({}::fields().<relation>())`",
                        M::NAME,
                        M::NAME
                    )));
                }
                Ok(p.steps().iter().map(|&s| s as usize).collect())
            })
            .collect()
    }

    /// The statement that reads the records (with their included relations).
    pub(crate) fn into_read(self, db: &dyn Executor) -> Result<Statement> {
        let include = self.include_paths()?;
        let stmt = self.into_stmt(db, stmt::Select::Records)?;
        Ok(Statement::Query(stmt, include))
    }

    /// Runs the query and returns every matching record.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Vec<M>> {
        exec_one(self, db).await
    }

    /// Narrows to the first record: `.first().exec(&mut db)` returns an `Option`.
    pub fn first(self) -> First<M> {
        First { query: self }
    }

    /// Runs the query expecting exactly one record: `.get(&mut db)` fails with a
    /// not-found error if there is none and a too-many-records error if there are
    /// several.
    pub async fn get(self, db: &mut dyn Executor) -> Result<M> {
        exec_one(self.one(), db).await
    }

    /// The same as [`Query::get`] as a statement to run later or in a
    /// [`crate::batch`]: `toasty::batch((User::filter_by_email(e).one(), ..))`.
    pub fn one(self) -> Get<M> {
        Get { query: self }
    }

    /// Counts the matching records: `.count().exec(&mut db)`.
    pub fn count(self) -> Count<M> {
        Count { query: self }
    }

    /// Updates every matching record: `.update().name("x").exec(&mut db)` (the model's
    /// update builder, with a setter per field; `exec` returns how many changed).
    pub fn update(self) -> M::Update<'static> {
        M::update_query(self)
    }

    /// Deletes the matching records: `.delete().exec(&mut db)`.
    pub fn delete(self) -> Delete<M> {
        Delete::from_query(self)
    }

    /// The plan this query compiles to on `db`'s driver, as text, without running it:
    /// `User::filter_by_email("a@b").explain(&db)?`.
    pub fn explain(&self, db: &dyn Executor) -> Result<String> {
        BatchItem::explain(self.clone(), db)
    }

    /// Splits the results into pages of `per_page` records (keyset pagination, with the
    /// primary key appended to the order as a tie-breaker).
    pub fn paginate(self, per_page: usize) -> Paginate<M> {
        Paginate::new(self, per_page)
    }
}

impl<M: Model> BatchItem for Query<M> {
    type Output = Vec<M>;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Vec<M>>> {
        Ok(Prepared::Run(BatchStatement(self.into_read(db)?), ()))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Vec<M>> {
        load_all(outcome)
    }
}

pub(crate) fn model_id<M: Model>(db: &dyn Executor) -> Result<toasty_core::schema::app::ModelId> {
    let schema = db.schema();
    // By type: two models may share a name (in different modules), never a type. By
    // name only for a schema that has no types (models defined at runtime).
    let by_type = schema.model_id_for_type(std::any::TypeId::of::<M>());
    let by_name = || {
        schema
            .model_id(M::NAME)
            .filter(|id| schema.model_types.get(id.0).copied().flatten().is_none())
    };
    by_type.or_else(by_name).ok_or_else(|| {
        Error::invalid_statement(format!(
            "model `{}` is not registered with this Db; add it to toasty::models!(...)",
            M::NAME
        ))
    })
}

pub(crate) fn load_all<M: Model>(outcome: Outcome) -> Result<Vec<M>> {
    match outcome {
        Outcome::Records(rows) => {
            let mut models = Vec::with_capacity(rows.len());
            for row in rows {
                models.push(M::load(row)?);
            }
            Ok(models)
        }
        Outcome::RecordSet(mut set) => {
            let mut models = Vec::with_capacity(set.len());
            for row in set.rows_mut() {
                models.push(M::load_slice(row)?);
            }
            Ok(models)
        }
        Outcome::Loaded(records) => records.into_iter().map(M::load_record).collect(),
        Outcome::Count(_) => Err(Error::driver(
            "expected records from the driver but got a count",
        )),
    }
}

/// What a query expected to match at most one record found.
pub(crate) enum AtMostOne<M> {
    /// No record.
    None,
    /// Exactly one record, loaded.
    One(M),
    /// Several records (none is loaded).
    Many,
}

/// Loads the only record of `outcome`, without collecting into a `Vec` first (the path
/// of `.get()` and `.first()`).
pub(crate) fn load_at_most_one<M: Model>(outcome: Outcome) -> Result<AtMostOne<M>> {
    match outcome {
        Outcome::Records(mut rows) => match rows.len() {
            0 => Ok(AtMostOne::None),
            1 => match rows.pop() {
                Some(row) => Ok(AtMostOne::One(M::load(row)?)),
                None => Ok(AtMostOne::None),
            },
            _ => Ok(AtMostOne::Many),
        },
        Outcome::RecordSet(mut set) => match set.len() {
            0 => Ok(AtMostOne::None),
            1 => match set.rows_mut().next() {
                Some(row) => Ok(AtMostOne::One(M::load_slice(row)?)),
                None => Ok(AtMostOne::None),
            },
            _ => Ok(AtMostOne::Many),
        },
        Outcome::Loaded(mut records) => match records.len() {
            0 => Ok(AtMostOne::None),
            1 => match records.pop() {
                Some(record) => Ok(AtMostOne::One(M::load_record(record)?)),
                None => Ok(AtMostOne::None),
            },
            _ => Ok(AtMostOne::Many),
        },
        Outcome::Count(_) => Err(Error::driver(
            "expected records from the driver but got a count",
        )),
    }
}

/// The first matching record, if any. Created by [`Query::first`].
#[derive(Debug)]
pub struct First<M> {
    query: Query<M>,
}

impl<M> Clone for First<M> {
    fn clone(&self) -> Self {
        First {
            query: self.query.clone(),
        }
    }
}

impl<M: Model> First<M> {
    /// Runs the query; `None` when nothing matches.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Option<M>> {
        exec_one(self, db).await
    }
}

impl<M: Model> BatchItem for First<M> {
    type Output = Option<M>;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Option<M>>> {
        let mut query = self.query;
        query.limit = Some(query.limit.map_or(1, |l| l.min(1)));
        Ok(Prepared::Run(BatchStatement(query.into_read(db)?), ()))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Option<M>> {
        match load_at_most_one(outcome)? {
            AtMostOne::One(record) => Ok(Some(record)),
            AtMostOne::None => Ok(None),
            AtMostOne::Many => Err(Error::driver(
                "the database returned more than one record for a query limited to one",
            )),
        }
    }
}

/// Exactly one matching record. Created by [`Query::one`].
#[derive(Debug)]
pub struct Get<M> {
    query: Query<M>,
}

impl<M> Clone for Get<M> {
    fn clone(&self) -> Self {
        Get {
            query: self.query.clone(),
        }
    }
}

impl<M: Model> Get<M> {
    /// Runs the query; errors unless exactly one record matches.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<M> {
        exec_one(self, db).await
    }
}

impl<M: Model> BatchItem for Get<M> {
    type Output = M;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), M>> {
        let mut query = self.query;
        query.limit = Some(query.limit.map_or(2, |l| l.min(2)));
        Ok(Prepared::Run(BatchStatement(query.into_read(db)?), ()))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<M> {
        match load_at_most_one(outcome)? {
            AtMostOne::None => Err(Error::not_found(format!(
                "no `{}` record matches the query",
                M::NAME
            ))),
            AtMostOne::One(record) => Ok(record),
            AtMostOne::Many => Err(Error::new(
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

/// The number of matching records. Created by [`Query::count`].
#[derive(Debug)]
pub struct Count<M> {
    query: Query<M>,
}

impl<M> Clone for Count<M> {
    fn clone(&self) -> Self {
        Count {
            query: self.query.clone(),
        }
    }
}

impl<M: Model> Count<M> {
    /// Runs the count. Limit and offset, if set, apply to the count.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<u64> {
        exec_one(self, db).await
    }
}

impl<M: Model> BatchItem for Count<M> {
    type Output = u64;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), u64>> {
        let query = self.query;
        // With a limit or offset, the records are counted after slicing.
        let select = if query.limit.is_some() || query.offset.is_some() {
            stmt::Select::Records
        } else {
            stmt::Select::Count
        };
        let stmt = query.into_stmt(db, select)?;
        Ok(Prepared::Run(
            BatchStatement(Statement::Query(stmt, Vec::new())),
            (),
        ))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<u64> {
        Ok(match outcome {
            Outcome::Count(n) => n,
            Outcome::Records(rows) => rows.len() as u64,
            Outcome::RecordSet(set) => set.len() as u64,
            Outcome::Loaded(records) => records.len() as u64,
        })
    }
}

//! The one record on the other side of a `#[belongs_to]` or `#[has_one]`
//! (`todo.user()`, `user.profile()`): [`One`] and [`MaybeOne`]; and what a relation
//! setter of a create builder accepts ([`IntoRelated`]).

use super::batch::{exec_one, BatchItem, Prepared};
use super::include::IntoInclude;
use super::query::{load_at_most_one, AtMostOne};
use super::{Create, Delete, Get, Query};
use crate::engine::Outcome;
use crate::{Error, Executor, Model, Result, Value};

/// The one related record of a required relation (`todo.user()` for a
/// `BelongsTo<User>`, `user.profile()` for a `HasOne<Profile>`): `.exec(&mut db)`
/// returns it, or a not-found error if it does not exist.
#[derive(Debug, Clone)]
pub struct One<M> {
    query: Query<M>,
}

/// The related record of an optional relation (`BelongsTo<Option<User>>`,
/// `HasOne<Option<Profile>>`): `.exec(&mut db)` returns `None` when there is none.
#[derive(Debug, Clone)]
pub struct MaybeOne<M> {
    query: Query<M>,
}

macro_rules! common {
    ($t:ident) => {
        impl<M: Model> $t<M> {
            /// The related record of `query` (generated relation accessors call this).
            #[doc(hidden)]
            pub fn from_query(query: Query<M>) -> Self {
                $t { query }
            }

            /// The query for the related record (to filter it further or count it).
            pub fn query(self) -> Query<M> {
                self.query
            }

            /// Loads a relation of the related record with it (see [`Query::include`]).
            pub fn include(self, path: impl IntoInclude<M>) -> Self {
                $t {
                    query: self.query.include(path),
                }
            }

            /// Loads the related record, expecting it to exist: a not-found error if it
            /// does not.
            pub async fn get(self, db: &mut dyn Executor) -> Result<M> {
                exec_one(self.query.one(), db).await
            }

            /// The same as `get` as a statement to run later or in a batch.
            pub fn one(self) -> Get<M> {
                self.query.one()
            }

            /// A builder for the related record with its foreign key set
            /// (`user.profile().create().bio("..")`, as
            /// `toasty::create!(in user.profile() { bio: ".." })` does).
            pub fn create(&self) -> M::Create {
                self.query.create()
            }

            /// Deletes the related record (if it exists): `.delete().exec(&mut db)`.
            pub fn delete(self) -> Delete<M> {
                self.query.delete()
            }

            /// Updates the related record: `.update().bio("..").exec(&mut db)`.
            pub fn update(self) -> M::Update<'static> {
                self.query.update()
            }
        }
    };
}

common!(One);
common!(MaybeOne);

impl<M: Model> One<M> {
    /// Loads the related record; a not-found error if it does not exist.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<M> {
        exec_one(self, db).await
    }
}

impl<M: Model> MaybeOne<M> {
    /// Loads the related record, or `None`.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Option<M>> {
        exec_one(self, db).await
    }
}

fn several<M: Model>() -> Error {
    Error::new(
        toasty_core::ErrorKind::TooManyRecords,
        format!(
            "more than one `{}` record is related through a relation that holds one",
            M::NAME
        ),
    )
}

impl<M: Model> BatchItem for One<M> {
    type Output = M;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), M>> {
        BatchItem::__prepare(self.query.one(), db)
    }

    fn __finish(_: (), outcome: Outcome) -> Result<M> {
        match load_at_most_one(outcome)? {
            AtMostOne::One(m) => Ok(m),
            AtMostOne::None => Err(Error::not_found(format!(
                "the related `{}` record does not exist",
                M::NAME
            ))),
            AtMostOne::Many => Err(several::<M>()),
        }
    }
}

impl<M: Model> BatchItem for MaybeOne<M> {
    type Output = Option<M>;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Option<M>>> {
        match BatchItem::__prepare(self.query.one(), db)? {
            Prepared::Run(stmt, ()) => Ok(Prepared::Run(stmt, ())),
            Prepared::Done(m) => Ok(Prepared::Done(Some(m))),
        }
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Option<M>> {
        match load_at_most_one(outcome)? {
            AtMostOne::One(m) => Ok(Some(m)),
            AtMostOne::None => Ok(None),
            AtMostOne::Many => Err(several::<M>()),
        }
    }
}

/// What a relation setter of a create builder takes: an existing record (`&user`,
/// which sets the foreign key to its key), `None` for an optional relation, or a
/// builder of a new record created with this one. Not implemented by users.
pub trait IntoRelated<M> {
    /// The relation's new value. Not part of the public API.
    #[doc(hidden)]
    fn into_related(self) -> Related<M>;
}

/// See [`IntoRelated`]. Not part of the public API.
#[doc(hidden)]
#[derive(Debug)]
pub enum Related<M> {
    /// An existing record: its primary-key `(field, value)` pairs (NULL values for
    /// `None`).
    Key(Vec<(usize, Value)>),
    /// A new record created with this one.
    Create(Create<M>),
}

impl<M: Model> IntoRelated<M> for &M {
    fn into_related(self) -> Related<M> {
        Related::Key(
            M::PRIMARY_KEY
                .iter()
                .copied()
                .zip(self.primary_key())
                .collect(),
        )
    }
}

impl<M: Model> IntoRelated<M> for &&M {
    fn into_related(self) -> Related<M> {
        (*self).into_related()
    }
}

impl<M: Model> IntoRelated<M> for Option<&M> {
    fn into_related(self) -> Related<M> {
        match self {
            Some(m) => m.into_related(),
            None => Related::Key(M::PRIMARY_KEY.iter().map(|&f| (f, Value::Null)).collect()),
        }
    }
}

impl<M: Model> IntoRelated<M> for Create<M> {
    fn into_related(self) -> Related<M> {
        Related::Create(self)
    }
}

/// A relation that an update can give a new record: a `#[has_one]`. Never implemented
/// for a `#[belongs_to]`, whose parent must exist before the record points at it, so
/// `update!(todo { user: { .. } })` is a compile error with this message.
#[diagnostic::on_unimplemented(
    message = "update! cannot create the record a #[belongs_to] points at",
    label = "a #[belongs_to] relation",
    note = "create the parent first and point the relation at it: `update!(record {{ field: \
            &parent }})`; only a #[has_one] can be given a new record in an update"
)]
pub trait CreatableInUpdate {}

/// The marker type of a `#[belongs_to]` relation's `with_*` method on an update builder.
/// Not part of the public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct BelongsToRelation<F>(std::marker::PhantomData<F>);

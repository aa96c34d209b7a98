//! Relation fields: [`Deferred`] (and its names [`HasMany`], [`BelongsTo`], [`HasOne`])
//! for lazy relations, and the plain `Vec<T>`, `T` and `Option<T>` of eager ones.
//!
//! A relation field is not a column. A query leaves a lazy relation unloaded unless it
//! names it with `.include(..)`; an eager relation is loaded by every query that returns
//! its model. Reading a loaded relation never touches the database:
//! `user.todos.get()` is not async, while `user.todos().exec(&mut db).await` is a query.

use crate::engine::Related;
use crate::{Error, Model, Result, Value};

/// A lazily loaded relation: `toasty::Deferred<Vec<Todo>>` (has many),
/// `toasty::Deferred<User>` (belongs to or has one, required) or
/// `toasty::Deferred<Option<User>>` (optional).
///
/// A record loaded by a query holds it unloaded unless the query named the relation
/// with `.include(Model::fields().relation())`. [`Deferred::get`] reads a loaded value
/// (and panics, naming the `.include(..)` to add, when it is not loaded);
/// [`Deferred::try_get`] returns `None` instead.
pub struct Deferred<T> {
    // Boxed: two models that refer to each other would otherwise contain each other.
    value: Option<Box<T>>,
    info: &'static RelationInfo,
}

/// `toasty::HasMany<T>`: a lazily loaded list of related records, the same as
/// `toasty::Deferred<Vec<T>>`.
pub type HasMany<T> = Deferred<Vec<T>>;

/// `toasty::BelongsTo<T>`: a lazily loaded parent record, the same as
/// `toasty::Deferred<T>` (`BelongsTo<Option<T>>` when the foreign key is optional).
pub type BelongsTo<T> = Deferred<T>;

/// `toasty::HasOne<T>`: a lazily loaded child record, the same as `toasty::Deferred<T>`
/// (`HasOne<Option<T>>` when the parent may have none).
pub type HasOne<T> = Deferred<T>;

/// Which relation a [`Deferred`] belongs to, for messages. Not part of the public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct RelationInfo {
    /// The model that declares the field.
    pub model: &'static str,
    /// The field name.
    pub field: &'static str,
}

impl<T> Deferred<T> {
    /// The loaded value.
    ///
    /// # Panics
    ///
    /// If the relation was not loaded. The message names the `.include(..)` to add to
    /// the query that loaded the record; use [`Deferred::try_get`] where the record may
    /// come from a query without it.
    #[track_caller]
    pub fn get(&self) -> &T {
        match &self.value {
            Some(v) => v,
            None => panic!(
                "`{model}.{field}` is not loaded: add `.include({model}::fields().{field}())` \
                 to the query that loaded this record, or query it with \
                 `record.{field}().exec(&mut db)`",
                model = self.info.model,
                field = self.info.field,
            ),
        }
    }

    /// The loaded value, or `None` if the relation was not loaded.
    pub fn try_get(&self) -> Option<&T> {
        self.value.as_deref()
    }

    /// `true` if the relation was not loaded.
    pub fn is_unloaded(&self) -> bool {
        self.value.is_none()
    }

    /// `true` if the relation was loaded.
    pub fn is_loaded(&self) -> bool {
        self.value.is_some()
    }

    /// Takes the loaded value out, if any (the relation is unloaded afterwards).
    pub fn take(&mut self) -> Option<T> {
        self.value.take().map(|b| *b)
    }

    /// The loaded value, if any.
    pub fn into_inner(self) -> Option<T> {
        self.value.map(|b| *b)
    }

    /// An unloaded relation (generated code calls this).
    #[doc(hidden)]
    pub fn unloaded(info: &'static RelationInfo) -> Self {
        Deferred { value: None, info }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Deferred<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.value {
            Some(v) => f.debug_tuple("Loaded").field(v).finish(),
            None => f.write_str("Unloaded"),
        }
    }
}

impl<T: Clone> Clone for Deferred<T> {
    fn clone(&self) -> Self {
        Deferred {
            value: self.value.clone(),
            info: self.info,
        }
    }
}

impl<T: PartialEq> PartialEq for Deferred<T> {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

/// A type a relation field can have. Implemented for [`Deferred`] over `Vec<T>`, `T` and
/// `Option<T>` (lazy) and for `Vec<T>`, `T` and `Option<T>` themselves (eager). Not part
/// of the public API.
#[doc(hidden)]
pub trait RelationField: Sized {
    /// The related model.
    type Target: Model;

    /// The field of a record whose query did not load the relation.
    fn unloaded(info: &'static RelationInfo) -> Result<Self>;

    /// The field holding `related`, the related records found (or created).
    fn loaded(related: Related, info: &'static RelationInfo) -> Result<Self>;
}

/// What a loaded relation holds: `Vec<T>`, `T` or `Option<T>`. Not part of the public
/// API.
#[doc(hidden)]
pub trait RelationValue: Sized {
    /// The related model.
    type Target: Model;

    /// The value holding `related`.
    fn from_records(related: Related, info: &'static RelationInfo) -> Result<Self>;
}

/// The models of `related`, in order: the records first, then the rows (built straight
/// from the row buffer's slices).
fn load_all<M: Model>(related: Related) -> Result<Vec<M>> {
    let Related { records, mut rows } = related;
    let mut out = Vec::with_capacity(records.len() + rows.len());
    for record in records {
        out.push(M::load_record(record)?);
    }
    for row in rows.rows_mut() {
        out.push(M::load_slice(row)?);
    }
    Ok(out)
}

/// The model of the only record in `related`; `Ok(None)` if there is none, and the
/// `several` error if there are more.
fn load_one<M: Model>(related: Related, info: &'static RelationInfo) -> Result<Option<M>> {
    match related.len() {
        0 => Ok(None),
        1 => {
            let Related { records, mut rows } = related;
            match records.into_iter().next() {
                Some(record) => M::load_record(record).map(Some),
                None => match rows.rows_mut().next() {
                    Some(row) => M::load_slice(row).map(Some),
                    None => Ok(None),
                },
            }
        }
        _ => Err(several::<M>(info)),
    }
}

impl<M: Model> RelationValue for Vec<M> {
    type Target = M;

    fn from_records(related: Related, _: &'static RelationInfo) -> Result<Self> {
        load_all(related)
    }
}

impl<M: Model> RelationValue for Option<M> {
    type Target = M;

    fn from_records(related: Related, info: &'static RelationInfo) -> Result<Self> {
        load_one(related, info)
    }
}

impl<M: Model> RelationValue for M {
    type Target = M;

    fn from_records(related: Related, info: &'static RelationInfo) -> Result<Self> {
        load_one(related, info)?.ok_or_else(|| {
            Error::not_found(format!(
                "`{}.{}` is required, but no `{}` record is related to this one",
                info.model,
                info.field,
                M::NAME
            ))
        })
    }
}

fn several<M: Model>(info: &RelationInfo) -> Error {
    Error::new(
        toasty_core::ErrorKind::TooManyRecords,
        format!(
            "`{}.{}` holds one record, but several `{}` records are related to this one",
            info.model,
            info.field,
            M::NAME
        ),
    )
}

impl<V: RelationValue> RelationField for Deferred<V> {
    type Target = V::Target;

    fn unloaded(info: &'static RelationInfo) -> Result<Self> {
        Ok(Deferred::unloaded(info))
    }

    fn loaded(related: Related, info: &'static RelationInfo) -> Result<Self> {
        Ok(Deferred {
            value: Some(Box::new(V::from_records(related, info)?)),
            info,
        })
    }
}

fn eager_not_loaded(info: &RelationInfo) -> Error {
    Error::driver(format!(
        "the eager relation `{}.{}` was not loaded with its record",
        info.model, info.field
    ))
}

impl<M: Model> RelationField for Vec<M> {
    type Target = M;

    fn unloaded(info: &'static RelationInfo) -> Result<Self> {
        Err(eager_not_loaded(info))
    }

    fn loaded(related: Related, info: &'static RelationInfo) -> Result<Self> {
        RelationValue::from_records(related, info)
    }
}

impl<M: Model> RelationField for Option<M> {
    type Target = M;

    fn unloaded(info: &'static RelationInfo) -> Result<Self> {
        Err(eager_not_loaded(info))
    }

    fn loaded(related: Related, info: &'static RelationInfo) -> Result<Self> {
        RelationValue::from_records(related, info)
    }
}

impl<M: Model> RelationField for M {
    type Target = M;

    fn unloaded(info: &'static RelationInfo) -> Result<Self> {
        Err(eager_not_loaded(info))
    }

    fn loaded(related: Related, info: &'static RelationInfo) -> Result<Self> {
        RelationValue::from_records(related, info)
    }
}

/// The value of the field named `name` of `M` in `key` (`(field, value)` pairs).
/// Generated relation setters call this.
#[doc(hidden)]
pub fn key_value<M: Model>(key: &[(usize, Value)], name: &str) -> Option<Value> {
    let pos = M::FIELD_NAMES.iter().position(|n| *n == name)?;
    key.iter().find(|(f, _)| *f == pos).map(|(_, v)| v.clone())
}

/// A literal expression. Generated code calls this.
#[doc(hidden)]
pub fn value_expr(value: Value) -> toasty_core::stmt::Expr {
    toasty_core::stmt::Expr::Value(value)
}

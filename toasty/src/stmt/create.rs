//! [`Create`] and [`CreateMany`]: inserting records.

use super::batch::{exec_one, BatchItem, Prepared};
use super::query::{load_all, model_id};
use super::{BatchStatement, Expr};
use crate::engine::{Outcome, Statement};
use crate::{Error, Executor, Model, Result, Value};
use std::marker::PhantomData;
use toasty_core::stmt;

/// One record being created: a value (or "not given") per field. Generated
/// `<Model>Create` builders wrap this with a typed setter per field.
pub struct Create<M> {
    values: Vec<Option<Value>>,
    error: Option<Error>,
    _m: PhantomData<fn() -> M>,
}

impl<M> Clone for Create<M> {
    fn clone(&self) -> Self {
        Create {
            values: self.values.clone(),
            error: self
                .error
                .as_ref()
                .map(|e| Error::new(e.kind(), e.message())),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Create<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Create")
            .field("values", &self.values)
            .finish()
    }
}

impl<M: Model> Default for Create<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> Create<M> {
    /// A record with no field given yet.
    pub fn new() -> Self {
        Create {
            values: vec![None; M::FIELD_COUNT],
            error: None,
            _m: PhantomData,
        }
    }

    /// Sets field `field` (generated setters call this).
    pub fn set<T>(&mut self, field: usize, value: Expr<T>) {
        match (value.untyped, self.values.get_mut(field)) {
            (stmt::Expr::Value(v), Some(slot)) => *slot = Some(v),
            (_, None) => {
                self.error = Some(Error::invalid_statement(format!(
                    "`{}` has no field #{field}",
                    M::NAME
                )))
            }
            (_, Some(_)) => {
                self.error = Some(Error::invalid_statement(format!(
                    "a `{}` field can only be created from a value, not an expression",
                    M::NAME
                )))
            }
        }
    }

    /// Returns `true` if field `field` has been given a value.
    pub fn is_set(&self, field: usize) -> bool {
        matches!(self.values.get(field), Some(Some(_)))
    }

    /// Inserts the record and returns it as stored (with generated keys).
    pub async fn exec(self, db: &mut dyn Executor) -> Result<M> {
        exec_one(self, db).await
    }
}

impl<M: Model> BatchItem for Create<M> {
    type Output = M;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), M>> {
        match CreateMany::new().item(self).__prepare(db)? {
            Prepared::Run(stmt, ()) => Ok(Prepared::Run(stmt, ())),
            Prepared::Done(_) => Err(Error::driver(format!(
                "the insert of a `{}` has no record",
                M::NAME
            ))),
        }
    }

    fn __finish(_: (), outcome: Outcome) -> Result<M> {
        let mut records = load_all::<M>(outcome)?;
        records.pop().ok_or_else(|| {
            Error::driver(format!("the insert of a `{}` returned no record", M::NAME))
        })
    }
}

/// Several records created with one statement: `toasty::create!(User::[{..}, {..}])`.
pub struct CreateMany<M> {
    items: Vec<Create<M>>,
}

impl<M> Clone for CreateMany<M> {
    fn clone(&self) -> Self {
        CreateMany {
            items: self.items.clone(),
        }
    }
}

impl<M> std::fmt::Debug for CreateMany<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateMany")
            .field("items", &self.items)
            .finish()
    }
}

impl<M: Model> Default for CreateMany<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M: Model> CreateMany<M> {
    /// An empty batch.
    pub fn new() -> Self {
        CreateMany { items: Vec::new() }
    }

    /// Adds one record (a generated `<Model>Create` builder or a [`Create`]).
    #[allow(clippy::should_implement_trait)]
    pub fn item(mut self, item: impl Into<Create<M>>) -> Self {
        self.items.push(item.into());
        self
    }

    /// Adds one record built by `f` from a fresh builder (the model's generated
    /// `<Model>Create`, or a [`Create`]): `.with_item(|c| c.title("Write docs"))`.
    pub fn with_item<B>(self, f: impl FnOnce(B) -> B) -> Self
    where
        B: Default + Into<Create<M>>,
    {
        self.item(f(B::default()))
    }

    /// Inserts every record, all or nothing, and returns them as stored, in order.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Vec<M>> {
        exec_one(self, db).await
    }
}

impl<M: Model> BatchItem for CreateMany<M> {
    type Output = Vec<M>;
    type State = ();

    fn __prepare(self, db: &dyn Executor) -> Result<Prepared<(), Vec<M>>> {
        let mut rows = Vec::with_capacity(self.items.len());
        for item in self.items {
            if let Some(e) = item.error {
                return Err(e);
            }
            rows.push(item.values);
        }
        if rows.is_empty() {
            return Ok(Prepared::Done(Vec::new()));
        }
        let stmt = stmt::Insert {
            model: model_id::<M>(db)?,
            rows,
        };
        Ok(Prepared::Run(BatchStatement(Statement::Insert(stmt)), ()))
    }

    fn __finish(_: (), outcome: Outcome) -> Result<Vec<M>> {
        load_all(outcome)
    }
}

impl<M: Model> Extend<Create<M>> for CreateMany<M> {
    fn extend<I: IntoIterator<Item = Create<M>>>(&mut self, iter: I) {
        self.items.extend(iter);
    }
}

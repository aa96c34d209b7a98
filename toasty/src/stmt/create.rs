//! [`Create`] and [`CreateMany`]: inserting records.

use super::batch::{exec_one, BatchItem, Prepared};
use super::query::{load_all, model_id};
use super::scope::Scope;
use super::{BatchStatement, Expr};
use crate::engine::{CreateNode, CreateTree, Outcome, Statement};
use crate::{Error, Executor, Model, Result, Value};
use std::marker::PhantomData;
use toasty_core::schema::Schema;
use toasty_core::stmt;

/// One record being created: a value (or "not given") per field, and the related
/// records created with it. Generated `<Model>Create` builders wrap this with a typed
/// setter per field and relation.
pub struct Create<M> {
    pub(crate) node: Node,
    _m: PhantomData<fn() -> M>,
}

/// A record being created, without its type: what nested creates hold.
pub(crate) struct Node {
    pub(crate) model: &'static str,
    pub(crate) values: Vec<Option<Value>>,
    /// `(relation position, record)`: records created with this one.
    pub(crate) nested: Vec<(usize, Node)>,
    pub(crate) scope: Option<Scope>,
    pub(crate) error: Option<Error>,
}

impl Clone for Node {
    fn clone(&self) -> Self {
        Node {
            model: self.model,
            values: self.values.clone(),
            nested: self.nested.clone(),
            scope: self.scope.clone(),
            error: self
                .error
                .as_ref()
                .map(|e| Error::new(e.kind(), e.message())),
        }
    }
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Create");
        d.field("model", &self.model).field("values", &self.values);
        if !self.nested.is_empty() {
            d.field("nested", &self.nested);
        }
        d.finish()
    }
}

impl Node {
    /// The statement-level record: the scope applied, errors reported, nested records
    /// resolved.
    pub(crate) fn resolve(self, schema: &Schema) -> Result<CreateNode> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let mut values = self.values;
        if let Some(scope) = &self.scope {
            for (field, value) in scope.resolve(schema)? {
                match values.get_mut(field) {
                    Some(slot @ None) => *slot = Some(value),
                    Some(Some(given)) if given.same_as(&value) => {}
                    Some(Some(_)) => {
                        return Err(Error::invalid_statement(format!(
                            "a `{}` created through a relation gets its foreign key from the \
                             related record; do not set field #{field} as well",
                            self.model
                        )))
                    }
                    None => {
                        return Err(Error::invalid_statement(format!(
                            "`{}` has no field #{field}",
                            self.model
                        )))
                    }
                }
            }
        }
        let nested = self
            .nested
            .into_iter()
            .map(|(rel, node)| Ok((rel, node.resolve(schema)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok(CreateNode { values, nested })
    }
}

impl<M> Clone for Create<M> {
    fn clone(&self) -> Self {
        Create {
            node: self.node.clone(),
            _m: PhantomData,
        }
    }
}

impl<M> std::fmt::Debug for Create<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.node.fmt(f)
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
            node: Node {
                model: M::NAME,
                values: vec![None; M::FIELD_COUNT],
                nested: Vec::new(),
                scope: None,
                error: None,
            },
            _m: PhantomData,
        }
    }

    /// Sets field `field` (generated setters call this).
    pub fn set<T>(&mut self, field: usize, value: Expr<T>) {
        match (value.untyped.into_value(), self.node.values.get_mut(field)) {
            (Ok(v), Some(slot)) => *slot = Some(v),
            (_, None) => {
                self.node.error = Some(Error::invalid_statement(format!(
                    "`{}` has no field #{field}",
                    M::NAME
                )))
            }
            (_, Some(_)) => {
                self.node.error = Some(Error::invalid_statement(format!(
                    "a `{}` field can only be created from a value, not an expression",
                    M::NAME
                )))
            }
        }
    }

    /// Sets field `field` to a value (generated relation setters call this).
    pub fn set_value(&mut self, field: usize, value: Value) {
        self.set::<()>(field, Expr::from_untyped(stmt::Expr::Value(value)));
    }

    /// Returns `true` if field `field` has been given a value.
    pub fn is_set(&self, field: usize) -> bool {
        matches!(self.node.values.get(field), Some(Some(_)))
    }

    /// Creates `child` with this record, related through the relation at position
    /// `relation` (generated relation setters call this). The foreign key is filled in
    /// from whichever record is created first.
    pub fn add_nested<C: Model>(&mut self, relation: usize, child: Create<C>) {
        self.node.nested.push((relation, child.node));
    }

    /// Records an error reported when the statement runs (generated setters call this).
    pub fn set_error(&mut self, error: Error) {
        self.node.error = Some(error);
    }

    /// Inserts the record and returns it as stored (with generated keys).
    pub async fn exec(self, db: &mut dyn Executor) -> Result<M> {
        exec_one(self, db).await
    }

    /// Creates the record in the scope of a relation (`user.todos().create()`).
    pub(crate) fn set_scope(&mut self, scope: Option<Scope>) {
        self.node.scope = scope;
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
            rows.push(item.node.resolve(db.schema())?);
        }
        if rows.is_empty() {
            return Ok(Prepared::Done(Vec::new()));
        }
        let stmt = CreateTree {
            model: model_id::<M>(db)?,
            rows,
        };
        Ok(Prepared::Run(BatchStatement(Statement::Create(stmt)), ()))
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

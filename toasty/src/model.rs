//! The [`Model`] trait implemented by `#[derive(Model)]`, and [`ModelSet`].

use crate::{Result, Value};
use toasty_core::schema::app;

/// A Rust struct stored as one table. Implemented by `#[derive(toasty::Model)]`; the
/// methods here are the contract between generated code and the engine, not user API.
pub trait Model: Sized + Send + Sync + 'static {
    /// The struct name.
    const NAME: &'static str;

    /// The number of fields.
    const FIELD_COUNT: usize;

    /// Field positions of the primary key, in key order.
    const PRIMARY_KEY: &'static [usize];

    /// The model's definition: fields, keys, indexes and names.
    fn schema() -> app::Model;

    /// Builds a record from values in field order.
    fn load(row: Vec<Value>) -> Result<Self>;

    /// Builds a record from values in field order, taking them out of `row` (the
    /// slots are left NULL or empty). Used to load many rows from one buffer.
    fn load_slice(row: &mut [Value]) -> Result<Self> {
        Self::load(
            row.iter_mut()
                .map(|v| std::mem::replace(v, Value::Null))
                .collect(),
        )
    }

    /// Sets field `field` from a value (used to keep a local record in step with an
    /// update).
    fn assign(&mut self, field: usize, value: Value) -> Result<()>;

    /// The primary key values, in key order.
    fn primary_key(&self) -> Vec<Value>;

    /// The generated update builder (`<Model>Update`).
    type Update<'a>;

    /// An update of every record `query` selects (what `query.update()` returns).
    fn update_query(query: crate::Query<Self>) -> Self::Update<'static>;
}

/// The set of models a [`crate::Db`] serves. Build it with [`crate::models!`].
#[derive(Debug, Clone, Default)]
pub struct ModelSet {
    pub(crate) models: Vec<app::Model>,
}

impl ModelSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds model `M` (adding the same model twice keeps one).
    pub fn add<M: Model>(mut self) -> Self {
        if !self.models.iter().any(|m| m.name == M::NAME) {
            self.models.push(M::schema());
        }
        self
    }

    /// Adds a model from its definition (for tools that build schemas at runtime, such as
    /// the differential harness; applications use [`ModelSet::add`]).
    pub fn add_definition(mut self, model: app::Model) -> Self {
        if !self.models.iter().any(|m| m.name == model.name) {
            self.models.push(model);
        }
        self
    }

    /// Adds every model of `other`.
    pub fn extend(mut self, other: ModelSet) -> Self {
        for m in other.models {
            if !self.models.iter().any(|x| x.name == m.name) {
                self.models.push(m);
            }
        }
        self
    }

    /// The model definitions, in registration order.
    pub fn definitions(&self) -> &[app::Model] {
        &self.models
    }
}

/// Builds a [`ModelSet`] from model types: `toasty::models!(User, Post)`.
#[macro_export]
macro_rules! models {
    ($($model:ty),* $(,)?) => {
        $crate::ModelSet::new()$(.add::<$model>())*
    };
}

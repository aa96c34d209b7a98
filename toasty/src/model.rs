//! The [`Model`] trait implemented by `#[derive(Model)]`, and [`ModelSet`].

use crate::engine::Record;
use crate::stmt::IncludePath;
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

    /// The stored fields' names, in field order.
    const FIELD_NAMES: &'static [&'static str];

    /// Field positions of the `#[sensitive]` fields: their values are redacted in the
    /// model's `Debug`, in logs and in error messages.
    const SENSITIVE_FIELDS: &'static [usize] = &[];

    /// The model's definition: fields, keys, indexes and names.
    fn schema() -> app::Model;

    /// The model's relation fields (`#[belongs_to]`, `#[has_many]`, `#[has_one]`), in
    /// declaration order. They are not columns.
    fn relations() -> Vec<app::Relation> {
        Vec::new()
    }

    /// The generated create builder (`<Model>Create`).
    type Create: Default + From<crate::Create<Self>> + Into<crate::Create<Self>>;

    /// The generated field paths (`<Model>Fields<O>`), reached from model `O` through
    /// relations (`O = Self` for `Model::fields()`).
    type Fields<O>;

    /// The field paths of this model, reached from `O` by `path`.
    fn fields_at<O>(path: IncludePath<O>) -> Self::Fields<O>;

    /// Builds a record, with its loaded relations, from a loaded [`Record`]. Relations
    /// the query did not load are left unloaded.
    fn load_record(record: Record) -> Result<Self> {
        Self::load(record.values)
    }

    /// The value of field `field` (its position), or `None` if there is no such field.
    fn field_value(&self, field: usize) -> Option<Value>;

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

    /// The generated `<Model>Query`: a query of this model with its `filter_by_*`,
    /// `get_by_*`, `update_by_*` and `delete_by_*` accessors, what a `#[has_many]`
    /// relation returns (`user.todos().get_by_id(&mut db, id)` looks among the user's
    /// todos). It dereferences to, and converts into, [`crate::Query`].
    type Query: From<crate::Query<Self>> + Into<crate::Query<Self>>;

    /// An update of every record `query` selects (what `query.update()` returns).
    fn update_query(query: crate::Query<Self>) -> Self::Update<'static>;
}

/// The set of models a [`crate::Db`] serves. Build it with [`crate::models!`].
#[derive(Debug, Clone, Default)]
pub struct ModelSet {
    pub(crate) models: Vec<app::Model>,
    /// The relation fields of each model (`relations[i]` belongs to `models[i]`).
    pub(crate) relations: Vec<Vec<app::Relation>>,
    /// The `#[sensitive]` field positions of each model (`sensitive[i]` belongs to
    /// `models[i]`).
    pub(crate) sensitive: Vec<Vec<usize>>,
    /// The Rust type and its full path (`crate::module::User`) of each model added with
    /// [`ModelSet::add`] (`None` for definitions added at runtime). Models are told apart
    /// by type, never by their bare name: two `User`s in different modules are two
    /// models.
    pub(crate) types: Vec<Option<(std::any::TypeId, &'static str)>>,
}

impl ModelSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds model `M` (adding the same model twice keeps one).
    pub fn add<M: Model>(mut self) -> Self {
        let ty = std::any::TypeId::of::<M>();
        if !self.types.iter().flatten().any(|(t, _)| *t == ty) {
            self.models.push(M::schema());
            self.relations.push(M::relations());
            self.sensitive.push(M::SENSITIVE_FIELDS.to_vec());
            self.types.resize(self.models.len() - 1, None);
            self.types.push(Some((ty, std::any::type_name::<M>())));
        }
        self
    }

    /// Adds a model from its definition (for tools that build schemas at runtime, such as
    /// the differential harness; applications use [`ModelSet::add`]).
    pub fn add_definition(self, model: app::Model) -> Self {
        self.add_definition_with_relations(model, Vec::new())
    }

    /// Adds a model from its definition and its relation fields.
    pub fn add_definition_with_relations(
        mut self,
        model: app::Model,
        relations: Vec<app::Relation>,
    ) -> Self {
        if !self.models.iter().any(|m| m.name == model.name) {
            self.models.push(model);
            self.relations.push(relations);
            self.sensitive.push(Vec::new());
            self.types.resize(self.models.len(), None);
        }
        self
    }

    /// Adds every model of `other`.
    pub fn extend(mut self, other: ModelSet) -> Self {
        let mut relations = other.relations.into_iter();
        let mut sensitive = other.sensitive.into_iter();
        let mut types = other.types.into_iter();
        for m in other.models {
            let rels = relations.next().unwrap_or_default();
            let secret = sensitive.next().unwrap_or_default();
            let ty = types.next().flatten();
            // The same type twice (or, without a type, the same name twice) is one model.
            let present = match ty {
                Some((t, _)) => self.types.iter().flatten().any(|(x, _)| *x == t),
                None => self.models.iter().any(|x| x.name == m.name),
            };
            if !present {
                self.models.push(m);
                self.relations.push(rels);
                self.sensitive.push(secret);
                self.types.resize(self.models.len() - 1, None);
                self.types.push(ty);
            }
        }
        self
    }

    /// Marks field `field` of the model named `model` `#[sensitive]` (for tools that
    /// build schemas at runtime; generated models declare it with `#[sensitive]`).
    pub fn mark_sensitive(mut self, model: &str, field: usize) -> Self {
        if let Some(i) = self.models.iter().position(|m| m.name == model) {
            if self.sensitive.len() <= i {
                self.sensitive.resize(i + 1, Vec::new());
            }
            if !self.sensitive[i].contains(&field) {
                self.sensitive[i].push(field);
            }
        }
        self
    }

    /// The full path of model `i` (`crate::module::User`), or its bare name when it was
    /// added as a definition.
    pub(crate) fn path(&self, i: usize) -> String {
        match self.types.get(i).copied().flatten() {
            Some((_, path)) => path.to_string(),
            None => self
                .models
                .get(i)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
        }
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

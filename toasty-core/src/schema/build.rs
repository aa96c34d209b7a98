//! Validating an app schema and deriving the database schema and the mapping.

use super::relation::{self, Relation, RelationId};
use super::{app, db, mapping};
use crate::{Error, Result, Type};
use std::collections::{HashMap, HashSet};

/// Options that change how the database schema is derived.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SchemaOptions {
    /// A prefix put in front of every table and index name (used to isolate tests that
    /// share one database).
    pub table_prefix: String,
}

/// A validated schema: the app view, the db view and the mapping between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    /// Models, indexed by [`app::ModelId`].
    pub app: Vec<app::Model>,
    /// Tables, indexed by [`db::TableId`].
    pub db: db::Schema,
    /// Model to table mapping, indexed by [`app::ModelId`].
    pub mapping: mapping::Mapping,
    /// The resolved relation fields of each model, indexed by [`app::ModelId`], each in
    /// declaration order.
    pub relations: Vec<Vec<Relation>>,
    /// The `#[sensitive]` fields of each model, indexed by [`app::ModelId`] (field
    /// positions, ascending; a model's table stores field `i` in column `i`, so these
    /// are its table's sensitive columns too). Their values are never logged and never
    /// quoted in error messages. Empty unless set with [`Schema::mark_sensitive`].
    pub sensitive: Vec<Vec<usize>>,
    /// The Rust type of each model, indexed by [`app::ModelId`], when known (set with
    /// [`Schema::set_model_type`]; models defined at runtime have none). Two models
    /// may share a name (in different modules); they never share a type.
    pub model_types: Vec<Option<std::any::TypeId>>,
}

impl Schema {
    /// Validates `models` and derives tables, columns and indexes.
    ///
    /// Errors are [`crate::ErrorKind::InvalidSchema`] and name the model and field at fault.
    pub fn build(models: Vec<app::Model>, options: &SchemaOptions) -> Result<Schema> {
        Schema::build_with_relations(models, Vec::new(), options)
    }

    /// Like [`Schema::build`], with the declared relation fields of each model
    /// (`relations[i]` belongs to `models[i]`; missing entries mean none). Each
    /// `#[has_many]` / `#[has_one]` is paired with the `#[belongs_to]` of its target that
    /// points back; a relation that cannot be resolved is an `InvalidSchema` error that
    /// names the fix.
    pub fn build_with_relations(
        models: Vec<app::Model>,
        relations: Vec<Vec<app::Relation>>,
        options: &SchemaOptions,
    ) -> Result<Schema> {
        let mut tables = Vec::with_capacity(models.len());
        let mut mappings = Vec::with_capacity(models.len());
        // Table name -> the model stored there.
        let mut table_names: HashMap<String, &str> = HashMap::new();
        let mut model_names = HashSet::new();
        // Names shared by several (distinct) models: allowed, but not in relations,
        // which find their target by name.
        let mut shared_names = HashSet::new();

        for (i, model) in models.iter().enumerate() {
            validate_model(model)?;
            if !model_names.insert(model.name.as_str()) {
                shared_names.insert(model.name.as_str());
            }
            let name = format!("{}{}", options.table_prefix, model.table_name);
            if let Some(other) = table_names.insert(name.clone(), &model.name) {
                return Err(Error::invalid_schema(format!(
                    "the models `{other}` and `{}` both map to the table `{name}`; give one \
                     of them another name with #[table = \"...\"]",
                    model.name
                )));
            }
            let columns: Vec<db::Column> = model
                .fields
                .iter()
                .map(|f| {
                    let ty = match f.column_type {
                        None => f.ty,
                        Some(ct) => ct.storage(f.ty).map_err(|why| {
                            Error::invalid_schema(format!(
                                "`{}.{}`: #[column(type = {})] does not fit the field: {why}",
                                model.name,
                                f.name,
                                ct.syntax()
                            ))
                        })?,
                    };
                    Ok(db::Column {
                        name: f.column_name.clone(),
                        ty,
                        nullable: f.nullable,
                        auto_increment: f.auto == Some(app::Auto::Increment),
                        max_len: f.column_type.and_then(|ct| ct.max_len()),
                    })
                })
                .collect::<Result<_>>()?;
            let indices = model
                .indices
                .iter()
                .map(|index| db::Index {
                    name: index_name(&options.table_prefix, &name, model, index),
                    columns: index.fields.clone(),
                    unique: index.unique,
                })
                .collect();
            tables.push(db::Table {
                id: db::TableId(i),
                name,
                columns,
                primary_key: model.primary_key.clone(),
                indices,
            });
            mappings.push(mapping::Model {
                table: db::TableId(i),
                columns: (0..model.fields.len()).collect(),
            });
        }

        let mut relations = relations;
        relations.resize(models.len(), Vec::new());
        for (model, rels) in models.iter().zip(&relations) {
            let ambiguous = shared_names.contains(model.name.as_str()) && !rels.is_empty();
            if let Some(name) = ambiguous.then_some(model.name.as_str()).or_else(|| {
                rels.iter()
                    .map(|r| r.target.as_str())
                    .find(|t| shared_names.contains(t))
            }) {
                return Err(Error::invalid_schema(format!(
                    "several models are named `{name}`, and one of them is in a relation; \
                     relations find their models by name, so rename one of the models"
                )));
            }
        }
        let relations = relation::resolve(&models, &relations)?;
        Ok(Schema {
            app: models,
            db: db::Schema { tables },
            mapping: mapping::Mapping { models: mappings },
            relations,
            sensitive: Vec::new(),
            model_types: Vec::new(),
        })
    }

    /// Records that model `model` is the Rust type `ty`, so typed statements find their
    /// model by type ([`Schema::model_id_for_type`]) and never by a name that two models
    /// in different modules may share.
    pub fn set_model_type(&mut self, model: app::ModelId, ty: std::any::TypeId) {
        if model.0 >= self.app.len() {
            return;
        }
        if self.model_types.len() <= model.0 {
            self.model_types.resize(model.0 + 1, None);
        }
        self.model_types[model.0] = Some(ty);
    }

    /// The model that is the Rust type `ty` (see [`Schema::set_model_type`]).
    pub fn model_id_for_type(&self, ty: std::any::TypeId) -> Option<app::ModelId> {
        self.model_types
            .iter()
            .position(|t| *t == Some(ty))
            .map(app::ModelId)
    }

    /// Marks field `field` of model `model` `#[sensitive]`: its values are redacted in
    /// logs and error messages. Unknown models or fields are ignored.
    pub fn mark_sensitive(&mut self, model: app::ModelId, field: usize) {
        let Some(m) = self.app.get(model.0) else {
            return;
        };
        if field >= m.fields.len() {
            return;
        }
        if self.sensitive.len() <= model.0 {
            self.sensitive.resize(model.0 + 1, Vec::new());
        }
        let fields = &mut self.sensitive[model.0];
        if let Err(at) = fields.binary_search(&field) {
            fields.insert(at, field);
        }
    }

    /// The sensitive columns of table `table` (ascending), empty for most tables.
    pub fn sensitive_columns(&self, table: db::TableId) -> &[usize] {
        self.sensitive.get(table.0).map_or(&[], Vec::as_slice)
    }

    /// `true` if column `column` of table `table` holds a `#[sensitive]` field.
    pub fn is_sensitive(&self, table: db::TableId, column: usize) -> bool {
        self.sensitive_columns(table).binary_search(&column).is_ok()
    }

    /// The relation `id`, or an `InvalidStatement` error if it does not exist.
    pub fn relation(&self, id: RelationId) -> Result<&Relation> {
        self.relations
            .get(id.model.0)
            .and_then(|r| r.get(id.index))
            .ok_or_else(|| {
                Error::invalid_statement(format!(
                    "model id {} has no relation #{}",
                    id.model.0, id.index
                ))
            })
    }

    /// The relations of model `id` (empty for an unknown id).
    pub fn relations_of(&self, id: app::ModelId) -> &[Relation] {
        self.relations
            .get(id.0)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The model with `id`, or an `InvalidStatement` error if it is not registered.
    pub fn model(&self, id: app::ModelId) -> Result<&app::Model> {
        self.app
            .get(id.0)
            .ok_or_else(|| Error::invalid_statement(format!("model id {} is not registered", id.0)))
    }

    /// Finds a model by its Rust name.
    pub fn model_id(&self, name: &str) -> Option<app::ModelId> {
        self.app
            .iter()
            .position(|m| m.name == name)
            .map(app::ModelId)
    }

    /// The table that stores model `id`.
    pub fn table_for(&self, id: app::ModelId) -> Result<&db::Table> {
        let mapping = self.mapping.models.get(id.0).ok_or_else(|| {
            Error::invalid_statement(format!("model id {} is not registered", id.0))
        })?;
        self.db.table(mapping.table)
    }
}

/// The database name of an index: the one given with `#[index(name = "..")]` (with the
/// table prefix), else `index_<table>_by_<column>[_and_<column>..]`, as Toasty names them.
fn index_name(prefix: &str, table: &str, model: &app::Model, index: &app::Index) -> String {
    if let Some(name) = &index.name {
        return format!("{prefix}{name}");
    }
    let mut name = format!("index_{table}_by");
    for (i, &f) in index.fields.iter().enumerate() {
        if let Some(field) = model.fields.get(f) {
            if i > 0 {
                name.push_str("_and");
            }
            name.push('_');
            name.push_str(&field.column_name);
        }
    }
    fit_identifier(name)
}

/// The longest identifier every database keeps whole (PostgreSQL truncates at 63 bytes,
/// MySQL refuses more than 64).
const MAX_IDENTIFIER: usize = 63;

/// A generated name longer than [`MAX_IDENTIFIER`] keeps its start and ends with a hash
/// of the whole name, so two long names never collide after shortening.
fn fit_identifier(name: String) -> String {
    if name.len() <= MAX_IDENTIFIER {
        return name;
    }
    // FNV-1a: stable across runs and platforms.
    let mut hash: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        hash ^= u32::from(b);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    let mut cut = MAX_IDENTIFIER - 9;
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}_{hash:08x}", &name[..cut])
}

fn validate_model(model: &app::Model) -> Result<()> {
    let m = &model.name;
    if model.fields.is_empty() {
        return Err(Error::invalid_schema(format!("model `{m}` has no fields")));
    }
    if model.primary_key.is_empty() {
        return Err(Error::invalid_schema(format!(
            "model `{m}` has no primary key; mark a field with #[key] or the struct with \
             #[key(a, b)]"
        )));
    }
    let mut columns = HashSet::new();
    for f in &model.fields {
        if !columns.insert(f.column_name.as_str()) {
            return Err(Error::invalid_schema(format!(
                "model `{m}` maps two fields to the column `{}`",
                f.column_name
            )));
        }
    }
    let field = |i: usize| {
        model.fields.get(i).ok_or_else(|| {
            Error::invalid_schema(format!(
                "model `{m}` refers to field #{i}, which does not exist"
            ))
        })
    };
    for &k in &model.primary_key {
        let f = field(k)?;
        if f.nullable {
            return Err(Error::invalid_schema(format!(
                "`{m}.{}` is part of the primary key and cannot be an Option",
                f.name
            )));
        }
        if f.ty.is_float() {
            return Err(Error::invalid_schema(format!(
                "`{m}.{}` is a float and cannot be part of the primary key",
                f.name
            )));
        }
    }
    let mut autos = 0;
    for f in &model.fields {
        match f.auto {
            None => {}
            Some(app::Auto::Increment) => {
                autos += 1;
                if !f.ty.is_integer() {
                    return Err(Error::invalid_schema(format!(
                        "#[auto] on `{m}.{}` needs an integer or uuid::Uuid field, not {}",
                        f.name, f.ty
                    )));
                }
                if model.primary_key.len() != 1
                    || model.fields.get(model.primary_key[0]).map(|k| &k.name) != Some(&f.name)
                {
                    return Err(Error::invalid_schema(format!(
                        "#[auto] on the integer field `{m}.{}` is only supported when it is the \
                         whole primary key",
                        f.name
                    )));
                }
            }
            Some(app::Auto::UuidV7 | app::Auto::UuidV4) => {
                autos += 1;
                if f.ty != Type::Uuid {
                    return Err(Error::invalid_schema(format!(
                        "#[auto] UUID generation on `{m}.{}` needs a uuid::Uuid field",
                        f.name
                    )));
                }
            }
        }
    }
    if autos > 1 {
        return Err(Error::invalid_schema(format!(
            "model `{m}` has more than one #[auto] field"
        )));
    }
    for index in &model.indices {
        if index.fields.is_empty() {
            return Err(Error::invalid_schema(format!(
                "model `{m}` has an empty index"
            )));
        }
        for &i in &index.fields {
            let f = field(i)?;
            if index.unique && f.ty.is_float() {
                return Err(Error::invalid_schema(format!(
                    "#[unique] on the float field `{m}.{}` is not supported: float equality is \
                     not a reliable identity",
                    f.name
                )));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fit_identifier;

    #[test]
    fn long_generated_names_are_shortened_without_colliding() {
        let short = "index_users_by_email".to_string();
        assert_eq!(fit_identifier(short.clone()), short);
        let a = fit_identifier(format!("index_{}_by_a", "t".repeat(80)));
        let b = fit_identifier(format!("index_{}_by_b", "t".repeat(80)));
        assert_eq!(a.len(), 63);
        assert_eq!(b.len(), 63);
        assert_ne!(a, b);
        let multibyte = fit_identifier(format!("index_{}", "é".repeat(40)));
        assert!(multibyte.len() <= 63);
    }
}

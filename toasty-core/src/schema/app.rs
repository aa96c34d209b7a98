//! The application schema: models and fields as the user declared them.

use crate::Type;

/// Identifies a model within a [`super::Schema`] (its position in `app.models`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModelId(pub usize);

/// How a field's value is generated when a record is created without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Auto {
    /// The database (or memdb) assigns the next integer.
    Increment,
    /// Toasty generates a UUID version 7 (time-ordered) before the insert.
    UuidV7,
    /// Toasty generates a random UUID (version 4) before the insert.
    UuidV4,
}

/// One field of a model.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The Rust field name (without `r#`).
    pub name: String,
    /// The column name, from `#[column("...")]` or the field name.
    pub column_name: String,
    /// The value type.
    pub ty: Type,
    /// `true` for `Option<T>` fields.
    pub nullable: bool,
    /// `#[auto]`, if present.
    pub auto: Option<Auto>,
}

/// An index over one or more fields of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    /// Field positions, in index order.
    pub fields: Vec<usize>,
    /// `true` for `#[unique]` and for the primary key.
    pub unique: bool,
    /// `true` for the primary key.
    pub primary: bool,
    /// The database name given with `#[index(name = "...", ..)]`; `None` for the default
    /// (`index_<table>_by_<column>[_and_<column>..]`).
    pub name: Option<String>,
}

/// One model: a Rust struct stored as one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// The Rust struct name.
    pub name: String,
    /// The table name, from `#[table = "..."]` or derived from the struct name.
    pub table_name: String,
    /// The fields, in declaration order.
    pub fields: Vec<Field>,
    /// Field positions of the primary key, in key order.
    pub primary_key: Vec<usize>,
    /// Secondary indexes (unique and not), in declaration order. The primary key is not
    /// listed here.
    pub indices: Vec<Index>,
}

impl Model {
    /// Looks up a field position by its Rust name.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }

    /// The field with `#[auto]`, if any.
    pub fn auto_field(&self) -> Option<(usize, Auto)> {
        self.fields
            .iter()
            .enumerate()
            .find_map(|(i, f)| f.auto.map(|a| (i, a)))
    }

    /// Returns `true` if the fields at `fields` are exactly the primary key.
    pub fn is_primary_key(&self, fields: &[usize]) -> bool {
        self.primary_key == fields
    }
}

/// The kind of a relation field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationKind {
    /// `#[belongs_to]`: this model holds the foreign key.
    BelongsTo,
    /// `#[has_many]`: records of the target hold a foreign key to this model.
    HasMany,
    /// `#[has_one]`: at most one record of the target holds a foreign key to this model.
    HasOne,
}

impl RelationKind {
    /// The attribute's name: `belongs_to`, `has_many` or `has_one`.
    pub fn name(self) -> &'static str {
        match self {
            RelationKind::BelongsTo => "belongs_to",
            RelationKind::HasMany => "has_many",
            RelationKind::HasOne => "has_one",
        }
    }

    /// The attribute, for messages: `#[has_many]`.
    pub fn attribute(self) -> String {
        format!("#[{}]", self.name())
    }
}

/// A relation field as the user declared it. Relation fields are not columns: they are
/// listed beside the model ([`crate::schema::Schema::build_with_relations`]), not in
/// [`Model::fields`], and [`crate::schema::Schema::build`] resolves them into
/// [`crate::schema::Relation`]s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The Rust field name.
    pub name: String,
    /// The attribute.
    pub kind: RelationKind,
    /// The target model's Rust name.
    pub target: String,
    /// `#[belongs_to]`: the foreign-key fields of this model, in order.
    pub key: Vec<String>,
    /// `#[belongs_to]`: the fields of the target they refer to (its primary key), in the
    /// same order as `key`.
    pub references: Vec<String>,
    /// `#[has_many(pair = ..)]` / `#[has_one(pair = ..)]`: the `#[belongs_to]` field of
    /// the target that points back.
    pub pair: Option<String>,
    /// The field type is an `Option` (`Deferred<Option<T>>`, `Option<T>`).
    pub optional: bool,
    /// The field is loaded with every query that returns the model (a plain `T`,
    /// `Option<T>` or `Vec<T>` instead of `Deferred<..>`).
    pub eager: bool,
    /// `#[has_many(via = a.b)]`: the relation names of the path, read from this model
    /// (empty for a direct relation).
    pub via: Vec<String>,
}

/// Converts a Rust struct name to the default table name: snake case, pluralized with a
/// trailing `s` (`User` -> `users`, `BlogPost` -> `blog_posts`).
pub fn default_table_name(struct_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in struct_name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out.push('s');
    out
}

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

/// The explicit column type of `#[column(type = ..)]`: a storage type that narrows what
/// the field's Rust type may hold, the same on every backend (the engine checks every
/// written value against it before any driver sees it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColumnType {
    /// `boolean`: a `bool` field (the default).
    Boolean,
    /// `i8`, `i16`, `i32`, `i64`, `int(N)`: a signed integer of `N` bytes (1, 2, 4, 8),
    /// for an integer field; values outside the range are `ValueOutOfRange`.
    Int(u8),
    /// `u8`, `u16`, `u32`, `u64`, `uint(N)`: an unsigned integer of `N` bytes, for an
    /// integer field (`u64` holds at most `i64::MAX`, as everywhere).
    UInt(u8),
    /// `text`: a string field (the default).
    Text,
    /// `varchar(N)`: a string field of at most `N` characters (Unicode scalar values).
    VarChar(u32),
    /// `blob`: a `Vec<u8>` field (the default).
    Blob,
    /// `binary(N)`: a `Vec<u8>` field of at most `N` bytes.
    Binary(u32),
    /// `timestamp(P)` / `datetime(P)`: a timestamp field; `P` must be 6 (microseconds,
    /// the precision of every timestamp).
    Timestamp(u8),
}

/// The largest `N` of `varchar(N)` and `binary(N)` (PostgreSQL's limit for `VARCHAR`).
pub const MAX_COLUMN_LENGTH: u32 = 10_485_760;

impl ColumnType {
    /// The type syntax as written in `#[column(type = ..)]`.
    pub fn syntax(self) -> String {
        match self {
            ColumnType::Boolean => "boolean".into(),
            ColumnType::Int(n) => format!("i{}", u32::from(n) * 8),
            ColumnType::UInt(n) => format!("u{}", u32::from(n) * 8),
            ColumnType::Text => "text".into(),
            ColumnType::VarChar(n) => format!("varchar({n})"),
            ColumnType::Blob => "blob".into(),
            ColumnType::Binary(n) => format!("binary({n})"),
            ColumnType::Timestamp(p) => format!("timestamp({p})"),
        }
    }

    /// The stored type of a field of type `field` with this column type, or why the
    /// two do not fit (a sentence naming the fix).
    pub fn storage(self, field: Type) -> Result<Type, String> {
        let int = |signed: bool, n: u8| -> Result<Type, String> {
            if !field.is_integer() {
                return Err(format!(
                    "`{}` is an integer column type and needs an integer field, not {field}",
                    self.syntax()
                ));
            }
            Ok(match (signed, n) {
                (true, 1) => Type::I8,
                (true, 2) => Type::I16,
                (true, 4) => Type::I32,
                (true, 8) => Type::I64,
                (false, 1) => Type::U8,
                (false, 2) => Type::U16,
                (false, 4) => Type::U32,
                (false, 8) => Type::U64,
                _ => return Err(format!("an integer column has 1, 2, 4 or 8 bytes, not {n}")),
            })
        };
        let needs = |want: Type, what: &str| -> Result<Type, String> {
            if field == want {
                Ok(want)
            } else {
                Err(format!(
                    "`{}` needs {what} field, not {field}",
                    self.syntax()
                ))
            }
        };
        let length = |n: u32| -> Result<(), String> {
            if n == 0 || n > MAX_COLUMN_LENGTH {
                Err(format!(
                    "the length of `{}` is 1 to {MAX_COLUMN_LENGTH}",
                    self.syntax()
                ))
            } else {
                Ok(())
            }
        };
        match self {
            ColumnType::Boolean => needs(Type::Bool, "a bool"),
            ColumnType::Int(n) => int(true, n),
            ColumnType::UInt(n) => int(false, n),
            ColumnType::Text => needs(Type::String, "a String"),
            ColumnType::VarChar(n) => {
                length(n)?;
                needs(Type::String, "a String")
            }
            ColumnType::Blob => needs(Type::Bytes, "a Vec<u8>"),
            ColumnType::Binary(n) => {
                length(n)?;
                needs(Type::Bytes, "a Vec<u8>")
            }
            ColumnType::Timestamp(6) => needs(Type::Timestamp, "a timestamp"),
            ColumnType::Timestamp(p) => Err(format!(
                "timestamps have microsecond precision on every backend: use precision 6,                  not {p}"
            )),
        }
    }

    /// The most characters (`varchar`) or bytes (`binary`) a value may have.
    pub fn max_len(self) -> Option<u32> {
        match self {
            ColumnType::VarChar(n) | ColumnType::Binary(n) => Some(n),
            _ => None,
        }
    }
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
    /// `#[column(type = ..)]`, if present.
    pub column_type: Option<ColumnType>,
}

impl Field {
    /// Checks a value written into this field against its column type (the narrower
    /// integer range, the `varchar`/`binary` length): `ValueOutOfRange` naming `what`.
    /// The field type itself is checked with [`Type::check`].
    pub fn check_column(
        &self,
        value: &crate::Value,
        what: impl FnOnce() -> String,
    ) -> crate::Result<()> {
        let Some(ct) = self.column_type else {
            return Ok(());
        };
        if let Ok(stored) = ct.storage(self.ty) {
            if stored != self.ty {
                stored.check_with(value, || {
                    format!("{} (column type `{}`)", what(), ct.syntax())
                })?;
                return Ok(());
            }
        }
        let Some(max) = ct.max_len() else {
            return Ok(());
        };
        let (len, unit) = match value {
            crate::Value::String(s) => (s.chars().count(), "characters"),
            crate::Value::Bytes(b) => (b.len(), "bytes"),
            _ => return Ok(()),
        };
        if len > max as usize {
            return Err(crate::Error::out_of_range(format!(
                "{} is `{}` and holds at most {max} {unit} on every backend; this value has {len}",
                what(),
                ct.syntax()
            )));
        }
        Ok(())
    }
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

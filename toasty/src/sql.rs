//! Raw SQL, for what the query builders do not express: `toasty::sql::query(..)` for
//! rows, `toasty::sql::statement(..)` for writes.
//!
//! ```no_run
//! # async fn f(db: &mut toasty::Db) -> toasty::Result<()> {
//! # #[derive(Debug, toasty::Model)] struct User { #[key] id: i64, name: String }
//! // Plain values, one Vec per row, in selected-column order:
//! let rows = toasty::sql::query("SELECT name, length(name) FROM users WHERE id > ?")
//!     .bind(10_i64)
//!     .exec(db)
//!     .await?;
//! // Records of a model (every field selected, in field order):
//! let users: Vec<User> = toasty::sql::query("SELECT * FROM users WHERE name LIKE ?")
//!     .bind("A%")
//!     .exec_as::<User>(db)
//!     .await?;
//! // A write: the number of rows it affected.
//! let n = toasty::sql::statement("UPDATE users SET name = upper(name) WHERE id = ?")
//!     .bind(7_i64)
//!     .exec(db)
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! * The text is SQL only because it is passed here explicitly; every value is a bind
//!   parameter (`.bind(v)`), never spliced into the text.
//! * Placeholders are `?` on every backend, bound in order; Toasty translates them to
//!   the database's form (`$1`, `$2`, .. on PostgreSQL). A `?` inside a string literal,
//!   a quoted identifier or a comment is not a placeholder; write `??` for a literal
//!   `?` (PostgreSQL's JSON operators). The number of `?` must equal the number of
//!   values (`InvalidStatement` otherwise, before anything is sent).
//! * It runs through the executor like any statement: `&mut db` (a pooled connection)
//!   or `&mut tx` (inside the transaction, whose abort rule it follows). It must not
//!   begin, commit or roll back transactions itself.
//! * Backends that do not speak SQL (memdb, DynamoDB) refuse it with `Unsupported`.
//! * Result columns are decoded as the types given with `.column_types(..)` (or the
//!   model's field types for `exec_as`), otherwise as what the database reports for
//!   each column (SQLite: by storage class, so booleans come back as integers).
//! * Toasty's cross-backend guarantees (semantics.md) cover the query builders, not the
//!   meaning of raw SQL, which is the database's.

use crate::{Executor, Model, Primitive, Result};
use toasty_core::driver::{RawSql, Response};
use toasty_core::{Type, Value};

/// A raw SQL query: returns rows. Created by [`query`].
#[derive(Debug, Clone)]
#[must_use = "a query does nothing until .exec(&mut db) is awaited"]
pub struct Query {
    raw: RawSql,
}

/// A raw SQL statement: returns the number of rows it affected. Created by
/// [`statement`].
#[derive(Debug, Clone)]
#[must_use = "a statement does nothing until .exec(&mut db) is awaited"]
pub struct Statement {
    raw: RawSql,
}

/// A raw SQL query returning rows (see the [module docs](self)).
pub fn query(sql: impl Into<String>) -> Query {
    Query {
        raw: RawSql {
            sql: sql.into(),
            params: Vec::new(),
            rows: true,
            column_types: None,
        },
    }
}

/// A raw SQL statement returning the number of rows it affected (see the
/// [module docs](self)).
pub fn statement(sql: impl Into<String>) -> Statement {
    Statement {
        raw: RawSql {
            sql: sql.into(),
            params: Vec::new(),
            rows: false,
            column_types: None,
        },
    }
}

/// A value `.bind(..)` accepts: any field type ([`Primitive`], `Option`s included),
/// `&str` and `&[u8]`.
pub trait Bind {
    /// The value and the type to bind it as.
    fn bind_value(self) -> (Value, Type);
}

impl<T: Primitive> Bind for T {
    fn bind_value(self) -> (Value, Type) {
        (self.to_value(), T::TYPE)
    }
}

impl Bind for &str {
    fn bind_value(self) -> (Value, Type) {
        (Value::String(self.to_string()), Type::String)
    }
}

impl Bind for &[u8] {
    fn bind_value(self) -> (Value, Type) {
        (Value::Bytes(self.to_vec()), Type::Bytes)
    }
}

fn bind_value(raw: &mut RawSql, value: impl Bind) {
    raw.params.push(value.bind_value());
}

impl Query {
    /// Binds the value of the next `?` (its type is the Rust type's: `None::<i32>` is a
    /// NULL integer).
    pub fn bind(mut self, value: impl Bind) -> Self {
        bind_value(&mut self.raw, value);
        self
    }

    /// Binds the next `?` to `value` as type `ty` (for a [`Value`] built at runtime).
    pub fn bind_typed(mut self, value: Value, ty: Type) -> Self {
        self.raw.params.push((value, ty));
        self
    }

    /// Decodes the result columns as these types, in order (their number must match
    /// the columns').
    pub fn column_types(mut self, types: impl IntoIterator<Item = Type>) -> Self {
        self.raw.column_types = Some(types.into_iter().collect());
        self
    }

    /// Runs the query: each row's values, in selected-column order.
    pub async fn exec(self, e: &mut dyn Executor) -> Result<Vec<Vec<Value>>> {
        rows(e.__session().exec_sql(self.raw).await?)
    }

    /// Runs the query and loads each row as a record of `M`: the query must select
    /// every field of `M`, in field order (as `SELECT *` does on a table Toasty
    /// created). Relations are not loaded.
    pub async fn exec_as<M: Model>(mut self, e: &mut dyn Executor) -> Result<Vec<M>> {
        let model = M::schema();
        self.raw.column_types = Some(model.fields.iter().map(|f| f.ty).collect());
        rows(e.__session().exec_sql(self.raw).await?)?
            .into_iter()
            .map(M::load)
            .collect()
    }
}

impl Statement {
    /// Binds the value of the next `?`.
    pub fn bind(mut self, value: impl Bind) -> Self {
        bind_value(&mut self.raw, value);
        self
    }

    /// Binds the next `?` to `value` as type `ty`.
    pub fn bind_typed(mut self, value: Value, ty: Type) -> Self {
        self.raw.params.push((value, ty));
        self
    }

    /// Runs the statement and returns the number of rows it affected.
    pub async fn exec(self, e: &mut dyn Executor) -> Result<u64> {
        match e.__session().exec_sql(self.raw).await? {
            Response::Count(n) => Ok(n),
            Response::Rows(rows) => Ok(rows.len() as u64),
            Response::RowSet(set) => Ok(set.len() as u64),
        }
    }
}

fn rows(response: Response) -> Result<Vec<Vec<Value>>> {
    match response {
        Response::Rows(rows) => Ok(rows),
        Response::RowSet(set) => Ok(set.into_vecs()),
        Response::Count(_) => Err(toasty_core::Error::driver(
            "the driver answered a raw SQL query with a count instead of rows",
        )),
    }
}

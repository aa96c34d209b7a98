//! Binding [`toasty_sql::Param`]s to SQLite values.
//!
//! SQLite stores booleans as 0/1 integers, UUIDs as 16-byte blobs, timestamps as integer
//! microseconds since the epoch and every float as a 64-bit REAL (an `f32` is widened
//! exactly).

use rusqlite::types::{ToSql, ToSqlOutput, Value as Sql, ValueRef};
use toasty_core::{Error, Result, Value};
use toasty_sql::Param;

/// A value bound without copying it (strings and bytes are borrowed). The serializer and
/// [`toasty_sql::SqlTemplate::check`] refuse [`Value::U64`] before anything is bound.
pub(crate) struct Bound<'a>(pub(crate) &'a Value);

impl ToSql for Bound<'_> {
    #[inline]
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self.0 {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Bool(b) => ToSqlOutput::Borrowed(ValueRef::Integer(i64::from(*b))),
            Value::I64(v) => ToSqlOutput::Borrowed(ValueRef::Integer(*v)),
            Value::U64(v) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    format!(
                        "{v} is larger than {}, the largest integer SQLite stores",
                        i64::MAX
                    )
                    .into(),
                ))
            }
            Value::F64(v) => ToSqlOutput::Borrowed(ValueRef::Real(*v)),
            Value::String(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bytes(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Uuid(u) => ToSqlOutput::Borrowed(ValueRef::Blob(u.as_bytes())),
            Value::Timestamp(us) => ToSqlOutput::Borrowed(ValueRef::Integer(*us)),
        })
    }
}

/// The SQLite value for `param`.
pub(crate) fn to_sqlite(param: &Param) -> Result<Sql> {
    if param.array.is_some() {
        return Err(Error::invalid_statement(
            "an array parameter reached the SQLite driver; only the PostgreSQL dialect \
             writes them",
        ));
    }
    Ok(match &param.value {
        Value::Null => Sql::Null,
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::I64(v) => Sql::Integer(*v),
        Value::U64(v) => {
            return Err(Error::out_of_range(format!(
                "{v} is larger than {}, the largest integer SQLite stores",
                i64::MAX
            )))
        }
        Value::F64(v) => Sql::Real(*v),
        Value::String(s) => Sql::Text(s.clone()),
        Value::Bytes(b) => Sql::Blob(b.clone()),
        Value::Uuid(u) => Sql::Blob(u.as_bytes().to_vec()),
        Value::Timestamp(us) => Sql::Integer(*us),
    })
}

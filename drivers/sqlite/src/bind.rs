//! Binding [`toasty_sql::Param`]s to SQLite values.
//!
//! SQLite stores booleans as 0/1 integers, UUIDs as 16-byte blobs, timestamps as integer
//! microseconds since the epoch and every float as a 64-bit REAL (an `f32` is widened
//! exactly).

use rusqlite::types::Value as Sql;
use toasty_core::{Error, Result, Value};
use toasty_sql::Param;

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

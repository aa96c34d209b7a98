//! Binding [`toasty_sql::Param`]s as MySQL binary-protocol values.
//!
//! Booleans are 0/1 integers, UUIDs 16 bytes, timestamps `DATETIME(6)` parts in UTC.
//! Floats are always bound as `DOUBLE`, even for an `f32` column: the engine only stores
//! `f32`-representable values (so the server's rounding to `FLOAT` is exact), and a
//! comparison of a `FLOAT` column with a literal must use the literal's exact value, as
//! the reference evaluator does, not the literal rounded to `f32`.

use crate::time;
use mysql_async::Value as My;
use toasty_core::{Error, Result, Value};
use toasty_sql::Param;

/// The MySQL value for `param`.
pub(crate) fn to_mysql(param: &Param) -> Result<My> {
    if param.array.is_some() {
        return Err(Error::invalid_statement(
            "an array parameter reached the MySQL driver; only the PostgreSQL dialect \
             writes them",
        ));
    }
    Ok(match &param.value {
        Value::Null => My::NULL,
        Value::Bool(b) => My::Int(i64::from(*b)),
        Value::I64(v) => My::Int(*v),
        Value::U64(v) => {
            return Err(Error::out_of_range(format!(
                "{v} is larger than {}, the largest integer Toasty stores on MySQL",
                i64::MAX
            )))
        }
        Value::F64(v) => My::Double(*v),
        Value::String(s) => My::Bytes(s.as_bytes().to_vec()),
        Value::Bytes(b) => My::Bytes(b.clone()),
        Value::Uuid(u) => My::Bytes(u.as_bytes().to_vec()),
        Value::Timestamp(us) => {
            let t = time::to_datetime(*us)?;
            My::Date(t.year, t.month, t.day, t.hour, t.minute, t.second, t.micros)
        }
    })
}

/// Binds every parameter of a statement.
pub(crate) fn params(params: &[Param]) -> Result<mysql_async::Params> {
    if params.is_empty() {
        return Ok(mysql_async::Params::Empty);
    }
    Ok(mysql_async::Params::Positional(
        params.iter().map(to_mysql).collect::<Result<_>>()?,
    ))
}

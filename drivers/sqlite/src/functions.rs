//! SQL functions this driver registers on every connection.
//!
//! `toasty_like(value, pattern, ascii_ci)` is the contract's `like` / `ilike`
//! (`toasty_core::stmt::like`). SQLite's own `LIKE` ignores ASCII case and `GLOB`
//! (like `LIKE`) stops at a NUL character, so neither gives the contract's answer for
//! every string; the function runs the reference matcher on the value's full text
//! instead. It returns NULL for a NULL value and fails for a value that is not text.
//! `toasty-sql` emits calls to it for the SQLite dialect.
//!
//! `toasty_arith(stored, operand, op, type)` changes a numeric value relative to its
//! stored value with the reference arithmetic (`toasty_core::stmt::Arith::apply`):
//! SQLite's own `+` turns a 64-bit overflow into a float and knows nothing of narrower
//! types, so the function fails the statement instead (SQLite then undoes the whole
//! statement), with a message the driver maps to `ValueOutOfRange`.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use toasty_core::stmt::like::like_match;
use toasty_core::stmt::Arith;
use toasty_core::{Type, Value};
use toasty_sql::SQLITE_ARITH_FUNCTION as ARITH_FUNCTION;
use toasty_sql::SQLITE_ARITH_OUT_OF_RANGE as ARITH_OUT_OF_RANGE;
use toasty_sql::SQLITE_LIKE_FUNCTION as LIKE_FUNCTION;

/// Registers the functions on `conn`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        LIKE_FUNCTION,
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        like,
    )?;
    conn.create_scalar_function(
        ARITH_FUNCTION,
        4,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        arith,
    )
}

fn text<'a>(ctx: &'a Context<'_>, idx: usize) -> rusqlite::Result<Option<&'a [u8]>> {
    match ctx.get_raw(idx) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => Ok(Some(bytes)),
        other => Err(rusqlite::Error::UserFunctionError(
            format!(
                "{LIKE_FUNCTION}: argument {} is {:?}, not text",
                idx + 1,
                other.data_type()
            )
            .into(),
        )),
    }
}

fn like(ctx: &Context<'_>) -> rusqlite::Result<Option<bool>> {
    let (Some(value), Some(pattern)) = (text(ctx, 0)?, text(ctx, 1)?) else {
        return Ok(None);
    };
    let ascii_ci: bool = ctx.get(2)?;
    let value = String::from_utf8_lossy(value);
    let pattern = String::from_utf8_lossy(pattern);
    like_match(&value, &pattern, ascii_ci)
        .map(Some)
        .map_err(|e| rusqlite::Error::UserFunctionError(e.message().to_string().into()))
}

/// `toasty_arith(stored, operand, op, type)`: see
/// [`toasty_sql::SQLITE_ARITH_FUNCTION`].
fn arith(ctx: &Context<'_>) -> rusqlite::Result<rusqlite::types::Value> {
    use rusqlite::types::Value as Sql;
    let fail = |msg: String| rusqlite::Error::UserFunctionError(msg.into());
    let value = |idx: usize| -> rusqlite::Result<Value> {
        Ok(match ctx.get_raw(idx) {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::I64(i),
            ValueRef::Real(f) => Value::F64(f),
            other => {
                return Err(fail(format!(
                    "{ARITH_FUNCTION}: argument {} is {:?}, not a number",
                    idx + 1,
                    other.data_type()
                )))
            }
        })
    };
    let stored = value(0)?;
    let operand = value(1)?;
    let op: String = ctx.get(2)?;
    let ty: String = ctx.get(3)?;
    let ty = Type::ALL
        .into_iter()
        .find(|t| t.rust_name() == ty)
        .ok_or_else(|| fail(format!("{ARITH_FUNCTION}: unknown type `{ty}`")))?;
    let arith = match op.as_str() {
        "+" => Arith::add(operand),
        "-" => Arith::subtract(operand),
        other => {
            return Err(fail(format!(
                "{ARITH_FUNCTION}: unknown operator `{other}`"
            )))
        }
    };
    match arith.apply(&stored, ty) {
        Ok(Value::Null) => Ok(Sql::Null),
        Ok(Value::I64(i)) => Ok(Sql::Integer(i)),
        Ok(Value::F64(f)) => Ok(Sql::Real(f)),
        Ok(other) => Err(fail(format!(
            "{ARITH_FUNCTION}: unexpected result {other:?}"
        ))),
        Err(e) if e.kind() == toasty_core::ErrorKind::ValueOutOfRange => {
            Err(fail(format!("{ARITH_OUT_OF_RANGE}{}", e.message())))
        }
        Err(e) => Err(fail(format!("{ARITH_FUNCTION}: {}", e.message()))),
    }
}

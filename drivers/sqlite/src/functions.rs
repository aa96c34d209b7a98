//! SQL functions this driver registers on every connection.
//!
//! `toasty_like(value, pattern, ascii_ci)` is the contract's `like` / `ilike`
//! (`toasty_core::stmt::like`). SQLite's own `LIKE` ignores ASCII case and `GLOB`
//! (like `LIKE`) stops at a NUL character, so neither gives the contract's answer for
//! every string; the function runs the reference matcher on the value's full text
//! instead. It returns NULL for a NULL value and fails for a value that is not text.
//! `toasty-sql` emits calls to it for the SQLite dialect.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use toasty_core::stmt::like::like_match;
use toasty_sql::SQLITE_LIKE_FUNCTION as LIKE_FUNCTION;

/// Registers the functions on `conn`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        LIKE_FUNCTION,
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        like,
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

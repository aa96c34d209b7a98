//! Checks on written values and column lists, so every SQL driver reports the same error
//! kinds as the reference driver before the database sees the statement.
//!
//! SQLite would otherwise store an out-of-range integer in any `INTEGER` column and turn
//! NaN into NULL; PostgreSQL and MySQL report such problems with their own codes.

use toasty_core::schema::db::Table;
use toasty_core::{Error, Result, Value};

/// `table.column`, for messages.
pub(crate) fn label(table: &Table, col: usize) -> String {
    match table.columns.get(col) {
        Some(c) => format!("`{}.{}`", table.name, c.name),
        None => format!("column #{col} of `{}`", table.name),
    }
}

/// Every position exists and none is listed twice (`InvalidStatement` otherwise).
pub(crate) fn column_list(table: &Table, cols: &[usize], what: &str) -> Result<()> {
    for (i, &c) in cols.iter().enumerate() {
        if c >= table.columns.len() {
            return Err(Error::invalid_statement(format!(
                "column #{c} in the {what} does not exist in table `{}`",
                table.name
            )));
        }
        if cols[..i].contains(&c) {
            return Err(Error::invalid_statement(format!(
                "{} is listed twice in the {what}",
                label(table, c)
            )));
        }
    }
    Ok(())
}

/// A value written into column `col`: NULL only where the column is nullable (or the
/// database assigns it), otherwise acceptable to [`toasty_core::Type::check`].
pub(crate) fn value(table: &Table, col: usize, value: &Value) -> Result<()> {
    let column = table.columns.get(col).ok_or_else(|| {
        Error::invalid_statement(format!(
            "column #{col} does not exist in table `{}`",
            table.name
        ))
    })?;
    if value.is_null() && !column.nullable {
        return Err(Error::invalid_value(format!(
            "{} cannot be NULL",
            label(table, col)
        )));
    }
    column.ty.check_with(value, || label(table, col))
}

/// A change `arith` to column `col`: a numeric column, an operand of its type
/// ([`toasty_core::stmt::Arith::check`]).
pub(crate) fn arith(table: &Table, col: usize, arith: &toasty_core::stmt::Arith) -> Result<()> {
    let column = table.columns.get(col).ok_or_else(|| {
        Error::invalid_statement(format!(
            "column #{col} does not exist in table `{}`",
            table.name
        ))
    })?;
    arith.check(column.ty, &label(table, col))
}

//! A small SQL text builder that tracks bind parameters and numbers placeholders.

use crate::{Dialect, Output, Param, Statement};
use toasty_core::{Error, Result, Type, Value};

/// Accumulates the text and parameters of one statement.
pub(crate) struct Writer {
    pub(crate) dialect: Dialect,
    sql: String,
    params: Vec<Param>,
}

impl Writer {
    pub(crate) fn new(dialect: Dialect) -> Writer {
        Writer {
            dialect,
            sql: String::with_capacity(256),
            params: Vec::new(),
        }
    }

    /// Appends SQL text written by the serializer (never user data).
    pub(crate) fn push(&mut self, sql: &str) {
        self.sql.push_str(sql);
    }

    /// Appends a quoted identifier.
    pub(crate) fn ident(&mut self, name: &str) -> Result<()> {
        self.dialect.push_quoted_ident(&mut self.sql, name)
    }

    /// Appends a placeholder bound to `value`, bound as `ty`.
    pub(crate) fn param(&mut self, value: Value, ty: Type) -> Result<()> {
        if let Value::U64(v) = value {
            return Err(Error::out_of_range(format!(
                "{v} is larger than {}, the largest integer Toasty stores on SQL databases",
                i64::MAX
            )));
        }
        self.params.push(Param::scalar(value, ty));
        self.dialect
            .push_placeholder(&mut self.sql, self.params.len());
        Ok(())
    }

    /// Appends a placeholder bound to an array of `elements`, each of type `ty` or NULL
    /// (PostgreSQL only; the caller checks the dialect and the elements' types).
    pub(crate) fn array_param(&mut self, elements: Vec<Value>, ty: Type) {
        self.params.push(Param::array(elements, ty));
        self.dialect
            .push_placeholder(&mut self.sql, self.params.len());
    }

    /// Finishes the statement.
    pub(crate) fn finish(self, output: Output) -> Statement {
        Statement {
            sql: self.sql,
            params: self.params,
            output,
        }
    }
}

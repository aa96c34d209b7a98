//! A small SQL text builder that tracks bind parameters and numbers placeholders.

use crate::{Dialect, Output, Param, Statement};
use std::cell::RefCell;
use toasty_core::{Error, Result, Type, Value};

thread_local! {
    /// While [`crate::Serializer::template`] serializes on this thread: for each
    /// statement finished, the source of each of its parameters ([`Writer::sources`]).
    static RECORDING: RefCell<Option<Vec<Vec<Source>>>> = const { RefCell::new(None) };
}

/// Runs `f` with the sources of the parameters of every statement it finishes recorded,
/// and returns them with its result.
pub(crate) fn recording<T>(f: impl FnOnce() -> T) -> (T, Vec<Vec<Source>>) {
    RECORDING.with(|r| *r.borrow_mut() = Some(Vec::new()));
    let out = f();
    let sources = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    (out, sources)
}

/// Accumulates the text and parameters of one statement.
pub(crate) struct Writer {
    pub(crate) dialect: Dialect,
    sql: String,
    params: Vec<Param>,
    /// Where each parameter came from: what a template needs to know to bind new
    /// values.
    sources: Vec<Source>,
}

/// Where a parameter's value came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Source {
    /// The address of the operation's value it was copied from ([`Writer::param_of`]),
    /// or 0 for a value the serializer made (a pattern, a limit).
    pub(crate) addr: usize,
    /// The type of the column the value is stored into or compared with, if any.
    pub(crate) column: Option<Type>,
}

impl Source {
    const MADE: Source = Source {
        addr: 0,
        column: None,
    };

    fn of(value: &Value, column: Option<Type>) -> Source {
        Source {
            addr: value as *const Value as usize,
            column,
        }
    }
}

impl Writer {
    pub(crate) fn new(dialect: Dialect) -> Writer {
        Writer {
            dialect,
            sql: String::with_capacity(256),
            params: Vec::new(),
            sources: Vec::new(),
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

    /// Appends a placeholder bound to a copy of `value`, a value of the operation being
    /// serialized (never one the serializer made: see [`Writer::param`]), bound as `ty`,
    /// which is [`crate::column_type::bind_type`] of `column` and the value when a
    /// column gives the value its type, else [`crate::column_type::value_type`].
    pub(crate) fn param_of(&mut self, value: &Value, ty: Type, column: Option<Type>) -> Result<()> {
        self.push_param(value.clone(), ty, Source::of(value, column))
    }

    /// Appends a placeholder bound to `value`, bound as `ty`: a value the serializer
    /// made or derived (a pattern, a limit). A value of the operation goes through
    /// [`Writer::param_of`].
    pub(crate) fn param(&mut self, value: Value, ty: Type) -> Result<()> {
        self.push_param(value, ty, Source::MADE)
    }

    fn push_param(&mut self, value: Value, ty: Type, source: Source) -> Result<()> {
        if let Value::U64(v) = value {
            return Err(Error::out_of_range(format!(
                "{v} is larger than {}, the largest integer Toasty stores on SQL databases",
                i64::MAX
            )));
        }
        self.params.push(Param::scalar(value, ty));
        self.sources.push(source);
        self.dialect
            .push_placeholder(&mut self.sql, self.params.len());
        Ok(())
    }

    /// Appends a placeholder bound to an array of `elements`, each of type `ty` or NULL
    /// (PostgreSQL only; the caller checks the dialect and the elements' types).
    /// An array is a value the serializer made: a template whose `IN` list is one
    /// array parameter finds its list's values unbound and is not kept.
    pub(crate) fn array_param(&mut self, elements: Vec<Value>, ty: Type) {
        self.params.push(Param::array(elements, ty));
        self.sources.push(Source::MADE);
        self.dialect
            .push_placeholder(&mut self.sql, self.params.len());
    }

    /// Finishes the statement.
    pub(crate) fn finish(mut self, output: Output) -> Statement {
        RECORDING.with(|r| {
            if let Some(all) = r.borrow_mut().as_mut() {
                all.push(std::mem::take(&mut self.sources));
            }
        });
        Statement {
            sql: self.sql,
            params: self.params,
            output,
        }
    }
}

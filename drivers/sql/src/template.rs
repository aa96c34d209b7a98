//! [`SqlTemplate`]: an operation serialized once, for the engine's statement cache
//! ([`toasty_core::driver::Template`]), and bound again with new values.
//!
//! [`Serializer::template`] serializes the template's operation as usual while the
//! writer records where each bind parameter comes from: a value in one of the
//! operation's *parameter positions* ([`toasty_core::driver::params`]: its *slot*), or
//! a value the serializer made (a pattern, a limit), which stays as it is. The template
//! is kept only when that accounts for every slot: each slot is bound by at least one
//! parameter, or holds NULL (written as the keyword; its shape fixes that it stays
//! NULL). An operation the serializer writes as several statements, an update with
//! arithmetic (MySQL writes `- i64::MIN` differently), and anything else it could not
//! account for is not a template, and the driver serializes it afresh.
//!
//! [`SqlTemplate::check`] decides, for a new statement's values, whether the recorded
//! SQL text is still the text the serializer would write: each parameter's bind type
//! (which depends on whether the value fits its column, and decides PostgreSQL's casts)
//! must be the one recorded. It also runs the checks the serializer makes on written
//! values. The differential harness runs every case cold and warm, so a template that
//! binds differently from a fresh serialization shows up as a divergence.

use crate::check;
use crate::column_type::{bind_type, value_type};
use crate::writer::{self, Source};
use crate::{Output, Param, Serializer};
use toasty_core::driver::{params, Operation};
use toasty_core::schema::db::{self, TableId};
use toasty_core::{Error, Result, Type, Value};

/// One serialized statement whose parameters are taken from a cached operation's
/// values (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct SqlTemplate {
    /// The SQL text.
    pub sql: String,
    /// What the statement yields.
    pub output: Output,
    params: Vec<TemplateParam>,
    /// The number of slots of the operation.
    slots: usize,
    /// Slots that held NULL and are not bound (they must hold NULL again).
    nulls: Vec<usize>,
    /// The table written, and `(slot, column)` for each value written into it.
    table: TableId,
    written: Vec<(usize, usize)>,
}

#[derive(Debug, Clone, PartialEq)]
enum TemplateParam {
    /// A value the serializer made.
    Made(Param),
    /// The value of a slot, bound as `ty`, which is what the serializer computes from
    /// the value and `column` (see [`crate::column_type::bind_type`]).
    Slot {
        slot: usize,
        column: Option<Type>,
        ty: Type,
    },
}

impl Serializer {
    /// The template of `op` (a `Select`, a `Delete`, or an `Update` without arithmetic,
    /// that serializes to one statement), or `None` (see the module docs).
    pub fn template(&self, schema: &db::Schema, op: &Operation) -> Option<SqlTemplate> {
        let table = match op {
            Operation::Select(s) => s.table,
            Operation::Delete(d) => d.table,
            Operation::Update(u) if u.arithmetic.is_empty() => u.table,
            _ => return None,
        };
        let mut slots: Vec<(usize, bool)> = Vec::new();
        if !params(op, &mut |v| {
            slots.push((v as *const Value as usize, v.is_null()))
        }) {
            return None;
        }
        let (statements, mut sources) = writer::recording(|| self.serialize(schema, op));
        let mut statements = statements.ok()?;
        if statements.len() != 1 || sources.len() != 1 {
            return None;
        }
        let statement = statements.pop()?;
        let sources = sources.pop()?;
        if sources.len() != statement.params.len() {
            return None;
        }
        let slot_of = |addr: usize| slots.iter().position(|&(a, _)| a == addr);
        let mut used = vec![false; slots.len()];
        let mut out = Vec::with_capacity(sources.len());
        for (param, source) in statement.params.into_iter().zip(sources) {
            let Source { addr, column } = source;
            if addr == 0 {
                out.push(TemplateParam::Made(param));
                continue;
            }
            let slot = slot_of(addr)?;
            used[slot] = true;
            out.push(TemplateParam::Slot {
                slot,
                column,
                ty: param.ty,
            });
        }
        let mut nulls = Vec::new();
        for (slot, (&(_, null), used)) in slots.iter().zip(&used).enumerate() {
            match (used, null) {
                (true, _) => {}
                (false, true) => nulls.push(slot),
                // A value the SQL text does not bind: it is not a parameter.
                (false, false) => return None,
            }
        }
        let mut written = Vec::new();
        if let Operation::Update(u) = op {
            for (col, value) in &u.assignments {
                written.push((slot_of(value as *const Value as usize)?, *col));
            }
        }
        Some(SqlTemplate {
            sql: statement.sql,
            output: statement.output,
            params: out,
            slots: slots.len(),
            nulls,
            table,
            written,
        })
    }
}

impl SqlTemplate {
    /// Whether `values` (the values of a cached operation, in slot order) bind into
    /// this statement as they are: `Ok(false)` when the serializer would write other SQL
    /// text for them (the driver then serializes the operation afresh), an error when a
    /// written value is one the serializer refuses (the same error it gives).
    pub fn check(&self, schema: &db::Schema, values: &[Value]) -> Result<bool> {
        if values.len() != self.slots {
            return Ok(false);
        }
        if self.nulls.iter().any(|&slot| !values[slot].is_null()) {
            return Ok(false);
        }
        if !self.written.is_empty() {
            let table = schema.table(self.table)?;
            for &(slot, col) in &self.written {
                check::value(table, col, &values[slot])?;
            }
        }
        for param in &self.params {
            if let TemplateParam::Slot { slot, column, ty } = param {
                let value = &values[*slot];
                if let Value::U64(v) = value {
                    return Err(Error::out_of_range(format!(
                        "{v} is larger than {}, the largest integer Toasty stores on SQL \
                         databases",
                        i64::MAX
                    )));
                }
                let bind = match column {
                    Some(column) => bind_type(*column, value),
                    None => value_type(value),
                };
                if bind != *ty {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// The statement's parameters for `values` (which passed [`SqlTemplate::check`]),
    /// in placeholder order: each value with the type to bind it as.
    pub fn params<'a>(&'a self, values: &'a [Value]) -> impl Iterator<Item = (&'a Value, Type)> {
        self.params.iter().map(move |param| match param {
            TemplateParam::Made(p) => (&p.value, p.ty),
            TemplateParam::Slot { slot, ty, .. } => (&values[*slot], *ty),
        })
    }

    /// The number of parameters.
    pub fn param_count(&self) -> usize {
        self.params.len()
    }
}

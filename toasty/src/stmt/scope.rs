//! [`Scope`]: the records related to one record through one relation
//! (`user.todos()`, `todo.user()`), resolved against the schema when the statement is
//! built, since only the schema knows which `#[belongs_to]` a `#[has_many]` pairs with.

use crate::{Error, Result, Value};
use toasty_core::schema::{RelationId, Schema};
use toasty_core::stmt;

/// The records related to one source record through one of its relations. Not part of
/// the public API (generated relation accessors build it).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// The model that declares the relation.
    source: &'static str,
    /// The relation's position among the source model's relation fields.
    relation: usize,
    /// Values of the source record: `(field position, value)` for every field the
    /// relation may need (the primary key, and the foreign key of a `#[belongs_to]`).
    values: Vec<(usize, Value)>,
}

impl Scope {
    /// The records related to the source record with `values` through relation
    /// `relation` of model `source`.
    pub fn new(source: &'static str, relation: usize, values: Vec<(usize, Value)>) -> Self {
        Scope {
            source,
            relation,
            values,
        }
    }

    /// `(target field, value)` pairs every related record has.
    pub(crate) fn resolve(&self, schema: &Schema) -> Result<Vec<(usize, Value)>> {
        let model = schema.model_id(self.source).ok_or_else(|| {
            Error::invalid_statement(format!(
                "model `{}` is not registered with this Db; add it to toasty::models!(...)",
                self.source
            ))
        })?;
        let rel = schema.relation(RelationId {
            model,
            index: self.relation,
        })?;
        let belongs = rel.kind == toasty_core::schema::app::RelationKind::BelongsTo;
        rel.fk
            .iter()
            .map(|&(child, parent)| {
                let (target, source) = if belongs {
                    (parent, child)
                } else {
                    (child, parent)
                };
                let value = self
                    .values
                    .iter()
                    .find(|(f, _)| *f == source)
                    .map(|(_, v)| v.clone())
                    .ok_or_else(|| {
                        Error::invalid_statement(format!(
                            "`{}.{}` needs field #{source} of the record",
                            self.source, rel.name
                        ))
                    })?;
                Ok((target, value))
            })
            .collect()
    }

    /// The filter selecting the related records: every target field equals the source
    /// record's value (a NULL foreign key selects nothing).
    pub(crate) fn filter(&self, schema: &Schema) -> Result<stmt::Expr> {
        let pairs = self.resolve(schema)?;
        let mut parts: Vec<stmt::Expr> = pairs
            .into_iter()
            .map(|(f, v)| stmt::Expr::eq(stmt::Expr::Field(f), stmt::Expr::Value(v)))
            .collect();
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            stmt::Expr::And(parts)
        })
    }
}

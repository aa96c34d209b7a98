//! [`Scope`]: the records related to one record through one relation
//! (`user.todos()`, `todo.user()`), resolved against the schema when the statement is
//! built, since only the schema knows which `#[belongs_to]` a `#[has_many]` pairs with.

use crate::{Error, Result, Value};
use std::borrow::Cow;
use toasty_core::schema::{RelationId, Schema};
use toasty_core::stmt;

/// The records related to one source record through one of its relations. Not part of
/// the public API (generated relation accessors build it).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct Scope {
    /// The model that declares the relation.
    source: Cow<'static, str>,
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
            source: Cow::Borrowed(source),
            relation,
            values,
        }
    }

    /// [`Scope::new`] for a model named at run time (the untyped API).
    pub(crate) fn named(source: String, relation: usize, values: Vec<(usize, Value)>) -> Self {
        Scope {
            source: Cow::Owned(source),
            relation,
            values,
        }
    }

    /// `(target field, value)` pairs every related record has.
    pub(crate) fn resolve(&self, schema: &Schema) -> Result<Vec<(usize, Value)>> {
        let model = schema.model_id(&self.source).ok_or_else(|| {
            Error::invalid_statement(format!(
                "model `{}` is not registered with this Db; add it to toasty::models!(...)",
                self.source
            ))
        })?;
        let rel = schema.relation(RelationId {
            model,
            index: self.relation,
        })?;
        if rel.is_via() {
            return Err(Error::invalid_statement(format!(
                "`{}.{}` is a #[has_many(via = ..)] relation, which is read-only: create, link \
                 and unlink records through the relations it follows",
                self.source, rel.name
            )));
        }
        self.pairs(rel)
    }

    /// `(target field, value)` pairs of a direct relation.
    fn pairs(&self, rel: &toasty_core::schema::Relation) -> Result<Vec<(usize, Value)>> {
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
        let model = schema.model_id(&self.source).ok_or_else(|| {
            Error::invalid_statement(format!(
                "model `{}` is not registered with this Db; add it to toasty::models!(...)",
                self.source
            ))
        })?;
        let rel = schema.relation(RelationId {
            model,
            index: self.relation,
        })?;
        if rel.is_via() {
            return self.via_filter(schema, &rel.via);
        }
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

    /// The filter of a `via` relation over its target: the first step's records are
    /// those related to the source record; each further step's target records are those
    /// whose side of the foreign key is in a sub-select of the previous step's records.
    fn via_filter(&self, schema: &Schema, steps: &[RelationId]) -> Result<stmt::Expr> {
        let Some((first, rest)) = steps.split_first() else {
            return Err(Error::invalid_statement(
                "a `via` relation with an empty path",
            ));
        };
        let rel = schema.relation(*first)?;
        let mut filter = stmt::Expr::And(
            self.pairs(rel)?
                .into_iter()
                .map(|(f, v)| stmt::Expr::eq(stmt::Expr::Field(f), stmt::Expr::Value(v)))
                .collect(),
        );
        let mut at = rel.target;
        for step in rest {
            let rel = schema.relation(*step)?;
            let prev = schema.model(at)?;
            let mut inner = vec![filter];
            for f in rel.source_fields() {
                if prev.fields.get(f).is_some_and(|x| x.nullable) {
                    inner.push(stmt::Expr::IsNull(Box::new(stmt::Expr::Field(f))).not());
                }
            }
            filter = stmt::Expr::InSelect {
                lhs: rel
                    .target_fields()
                    .into_iter()
                    .map(stmt::Expr::Field)
                    .collect(),
                select: Box::new(stmt::SubSelect {
                    source: at.0,
                    columns: rel.source_fields(),
                    filter: stmt::Expr::And(inner),
                }),
            };
            at = rel.target;
        }
        Ok(filter)
    }
}

/// What linking through a relation scope assigns, and what unlinking does.
pub(crate) struct Link {
    /// `(child field, parent value)`: the foreign key pointing at the scope's record.
    pub(crate) assignments: Vec<(usize, Value)>,
    /// `None`: the foreign key is required and unlinking deletes the child; otherwise
    /// the nullable foreign-key fields set to NULL.
    pub(crate) unlink: Option<Vec<(usize, Value)>>,
    /// The model of the linked records.
    pub(crate) child: toasty_core::schema::app::ModelId,
}

/// The link of `scope` (`what` names the operation for messages).
pub(crate) fn link_of(scope: Option<&Scope>, schema: &Schema, what: &str) -> Result<Link> {
    let Some(scope) = scope else {
        return Err(Error::invalid_statement(format!(
            "`.{what}(..)` links records through a relation: call it on a relation query such \
             as `user.todos()`"
        )));
    };
    let model = schema.model_id(&scope.source).ok_or_else(|| {
        Error::invalid_statement(format!(
            "model `{}` is not registered with this Db; add it to toasty::models!(...)",
            scope.source
        ))
    })?;
    let rel = schema.relation(RelationId {
        model,
        index: scope.relation,
    })?;
    if rel.kind == toasty_core::schema::app::RelationKind::BelongsTo {
        return Err(Error::invalid_statement(format!(
            "`{}.{}` points at one record: point it elsewhere with the update builder \
             (`.{}(&other)`), not `.{what}(..)`",
            scope.source, rel.name, rel.name
        )));
    }
    let assignments = scope.resolve(schema)?;
    let child = schema.model(rel.target)?;
    let unlink = if rel.fk_nullable {
        Some(
            rel.child_fields()
                .into_iter()
                .filter(|&f| child.fields.get(f).is_some_and(|x| x.nullable))
                .map(|f| (f, Value::Null))
                .collect(),
        )
    } else {
        None
    };
    Ok(Link {
        assignments,
        unlink,
        child: rel.target,
    })
}

//! Filters through relations: every [`Expr::Related`] of a statement's filter becomes a
//! model-level [`Expr::InSelect`] on the foreign key, before the statement is verified.
//!
//! `Related { r, f }` over model `M` means "at least one record related through `r`
//! satisfies `f`" and is never NULL: it becomes
//! `source fields IS NOT NULL AND (source fields) IN (SELECT target fields FROM target
//! WHERE f AND target fields IS NOT NULL)`, where the source fields are `M`'s side of the
//! foreign key (its primary key for `#[has_many]` / `#[has_one]`, the foreign key for
//! `#[belongs_to]`). The `IS NOT NULL` conditions are only written for nullable fields;
//! with them the `IN` is never NULL on any backend.

use super::Statement;
use toasty_core::driver::{Capability, DriverKind};
use toasty_core::schema::app::ModelId;
use toasty_core::schema::{RelationId, Schema};
use toasty_core::stmt::{self, Expr, SubSelect};
use toasty_core::{Error, Result};

/// Rewrites the relation filters of `stmt`. A key-value driver cannot run a sub-select:
/// there the statement is refused with `Unsupported`.
pub(crate) fn resolve(schema: &Schema, cap: &Capability, stmt: &mut Statement) -> Result<()> {
    let (model, filter) = match stmt {
        Statement::Query(q, _) => (q.model, &mut q.filter),
        Statement::Update(u, _) => (u.selection.model, &mut u.selection.filter),
        Statement::Delete(d) => (d.selection.model, &mut d.selection.filter),
        Statement::Insert(_) | Statement::Create(_) => return Ok(()),
    };
    if let Some(f) = filter {
        if f.has_subquery() {
            if cap.kind != DriverKind::Sql {
                let name = schema
                    .model(model)
                    .map(|m| m.name.clone())
                    .unwrap_or_default();
                return Err(Error::unsupported(format!(
                    "{} cannot filter `{name}` records through a relation (`.any(..)`, \
                     `.all(..)`, a path through a relation, or a `via` relation): a \
                     key-value store reads only by key and index, and this needs a \
                     sub-select. Query the related model through its indexed foreign key \
                     and filter by the keys found, or use an SQL backend",
                    cap.name
                )));
            }
            let taken = std::mem::replace(f, Expr::true_());
            *f = resolve_expr(schema, model, taken)?;
        }
    }
    Ok(())
}

/// Rewrites the relation filters of `expr`, an expression over `model`.
pub(crate) fn resolve_expr(schema: &Schema, model: ModelId, mut expr: Expr) -> Result<Expr> {
    expr.try_map_related(&mut |relation, filter| related(schema, model, relation, filter))?;
    // Sub-selects written by hand (the untyped API) may hold relation filters too.
    expr.visit_scopes_mut(&mut |scoped| {
        if let stmt::Scoped::Select(select) = scoped {
            let inner = std::mem::replace(&mut select.filter, Expr::true_());
            select.filter = resolve_expr(schema, ModelId(select.source), inner)?;
        }
        Ok(())
    })?;
    Ok(expr)
}

/// `Related { relation, filter }` over `model`.
fn related(schema: &Schema, model: ModelId, relation: usize, filter: Expr) -> Result<Expr> {
    let rel = schema
        .relation(RelationId {
            model,
            index: relation,
        })?
        .clone();
    if !rel.via.is_empty() {
        // A relation through others: nest one condition per step.
        let mut inner = filter;
        let mut steps = rel.via.clone();
        let last = steps.pop();
        if let Some(last) = last {
            inner = Expr::Related {
                relation: last.index,
                filter: Box::new(inner),
            };
        }
        while let Some(step) = steps.pop() {
            inner = Expr::Related {
                relation: step.index,
                filter: Box::new(inner),
            };
        }
        return resolve_expr(schema, model, inner);
    }
    let filter = resolve_expr(schema, rel.target, filter)?;
    let source = schema.model(model)?;
    let target = schema.model(rel.target)?;
    let source_fields = rel.source_fields();
    let target_fields = rel.target_fields();
    let nullable =
        |m: &toasty_core::schema::app::Model, f: usize| m.fields.get(f).is_some_and(|x| x.nullable);
    let mut inner = vec![filter];
    for &t in &target_fields {
        if nullable(target, t) {
            inner.push(Expr::IsNull(Box::new(Expr::Field(t))).not());
        }
    }
    let mut outer = Vec::new();
    for &s in &source_fields {
        if nullable(source, s) {
            outer.push(Expr::IsNull(Box::new(Expr::Field(s))).not());
        }
    }
    outer.push(Expr::InSelect {
        lhs: source_fields.iter().map(|&f| Expr::Field(f)).collect(),
        select: Box::new(SubSelect {
            source: rel.target.0,
            columns: target_fields,
            filter: if inner.len() == 1 {
                inner.remove(0)
            } else {
                Expr::And(inner)
            },
        }),
    });
    Ok(if outer.len() == 1 {
        outer.remove(0)
    } else {
        Expr::And(outer)
    })
}

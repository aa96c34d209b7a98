//! Type-checks model-level statements against the app schema.
//!
//! Everything a user can get wrong at runtime is caught here with a message that names
//! the model and field: values of the wrong type, integers out of range, NaN, missing
//! required fields, assignments to key or auto fields; and the size limits of
//! [`crate::limits`] (filter depth and size, values, limit and offset), measured without
//! recursion before anything else looks at a filter.

use super::Statement;
use crate::limits::{
    MAX_FILTER_DEPTH, MAX_FILTER_NODES, MAX_FILTER_VALUES, MAX_KEYED_LEN, MAX_LIMIT,
};
use toasty_core::schema::app::{Auto, Model};
use toasty_core::schema::Schema;
use toasty_core::stmt::{Expr, Shape};
use toasty_core::{Error, Result, Value};

/// Checks a query (see [`verify`]).
pub(crate) fn verify_query(schema: &Schema, q: &toasty_core::stmt::Query) -> Result<()> {
    let model = schema.model(q.model)?;
    for (what, n) in [("limit", q.limit), ("offset", q.offset)] {
        if let Some(n) = n.filter(|&n| n > MAX_LIMIT) {
            return Err(Error::invalid_statement(format!(
                "a {what} on `{}` is at most {MAX_LIMIT} (toasty::limits::MAX_LIMIT) on every \
                 backend, and a page size at most one less; this one is {n}",
                model.name
            )));
        }
    }
    for o in &q.order_by {
        field_of(model, o.target)?;
    }
    if let Some(fields) = q.select.fields() {
        if fields.is_empty() {
            return Err(Error::invalid_statement(format!(
                "a `.select(..)` on `{}` needs at least one field",
                model.name
            )));
        }
        for &f in fields {
            field_of(model, f)?;
        }
    }
    verify_filter(schema, model, q.filter.as_ref())
}

pub(crate) fn verify(schema: &Schema, stmt: &Statement) -> Result<()> {
    match stmt {
        Statement::Query(q, _) => verify_query(schema, q),
        // Checked group by group when the create is compiled, once the values that come
        // from related records are known.
        Statement::Create(_) | Statement::Insert(_) => Ok(()),
        Statement::Delete(d) => {
            let model = schema.model(d.selection.model)?;
            no_slice(model, &d.selection, "delete")?;
            verify_filter(schema, model, d.selection.filter.as_ref())
        }
        Statement::Update(u, _) => {
            let model = schema.model(u.selection.model)?;
            no_slice(model, &u.selection, "update")?;
            verify_filter(schema, model, u.selection.filter.as_ref())?;
            for (i, (field, value)) in u.assignments.iter().enumerate() {
                let f = field_of(model, *field)?;
                if u.assignments[..i].iter().any(|(other, _)| other == field) {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` is assigned twice in one update",
                        model.name, f.name
                    )));
                }
                if model.primary_key.contains(field) {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` is part of the primary key and cannot be updated; delete the \
                         record and create a new one",
                        model.name, f.name
                    )));
                }
                check_value(model, *field, value)?;
            }
            for (i, (field, arith)) in u.arithmetic.iter().enumerate() {
                let f = field_of(model, *field)?;
                if u.arithmetic[..i].iter().any(|(other, _)| other == field)
                    || u.assignments.iter().any(|(other, _)| other == field)
                {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` is assigned twice in one update",
                        model.name, f.name
                    )));
                }
                if model.primary_key.contains(field) {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` is part of the primary key and cannot be updated; delete the \
                         record and create a new one",
                        model.name, f.name
                    )));
                }
                arith.check(f.ty, &format!("`{}.{}`", model.name, f.name))?;
            }
            unique_arith_selects_one(model, u)
        }
    }
}

/// A relative change to a field of a unique index must update one record, selected by
/// its primary key or by a unique index (every field of one pinned to a literal by the
/// filter's top-level `AND`). Several records changed at once could take each other's
/// values (`u = u + 1` on 1 and 2), and whether that conflicts would depend on the order
/// the database updates them: SQL databases check unique indexes row by row, memdb and
/// key-value stores against the final state. So the statement is refused on every
/// backend with `InvalidStatement` before anything runs.
fn unique_arith_selects_one(model: &Model, u: &toasty_core::stmt::Update) -> Result<()> {
    let Some((field, index)) = u.arithmetic.iter().find_map(|(f, _)| {
        model
            .indices
            .iter()
            .find(|i| i.unique && !i.primary && i.fields.contains(f))
            .map(|i| (*f, i))
    }) else {
        return Ok(());
    };
    let pinned = pinned_fields(u.selection.filter.as_ref());
    let selects_one = model.primary_key.iter().all(|k| pinned.contains(k))
        || model
            .indices
            .iter()
            .filter(|i| i.unique)
            .any(|i| i.fields.iter().all(|f| pinned.contains(f)));
    if selects_one {
        return Ok(());
    }
    let name = |f: usize| {
        model
            .fields
            .get(f)
            .map_or_else(|| format!("#{f}"), |f| f.name.clone())
    };
    let index_fields: Vec<String> = index.fields.iter().map(|&f| name(f)).collect();
    Err(Error::invalid_statement(format!(
        "`{m}.{f}` is in a unique index ({fields}), so a relative change to it (add, \
         subtract, increment, decrement) must update one record, selected by its primary key \
         or a unique field with `eq` (records changed together could take each other's \
         values, and whether that conflicts would depend on the order the database updates \
         them); update the records one at a time",
        m = model.name,
        f = name(field),
        fields = index_fields.join(", ")
    )))
}

/// The fields the top-level `AND` of `filter` compares with `eq` to a non-NULL literal
/// (or to a one-value `IN` list).
fn pinned_fields(filter: Option<&Expr>) -> Vec<usize> {
    let Some(filter) = filter else {
        return Vec::new();
    };
    let terms: Vec<&Expr> = match filter {
        Expr::And(items) => items.iter().collect(),
        other => vec![other],
    };
    let mut out = Vec::new();
    for t in terms {
        match t {
            Expr::Binary {
                op: toasty_core::stmt::BinaryOp::Eq,
                lhs,
                rhs,
            } => match (&**lhs, &**rhs) {
                (Expr::Field(f), Expr::Value(v)) | (Expr::Value(v), Expr::Field(f))
                    if !v.is_null() =>
                {
                    out.push(*f)
                }
                _ => {}
            },
            Expr::InList { expr, list } if list.len() == 1 && !list[0].is_null() => {
                if let Expr::Field(f) = &**expr {
                    out.push(*f);
                }
            }
            _ => {}
        }
    }
    out
}

/// Checks one record to insert. Fields in `filled` get their value from a related
/// record when the statement runs (a generated key), so they may be missing here.
pub(crate) fn verify_insert_row(
    model: &Model,
    row: &[Option<Value>],
    filled: &[usize],
) -> Result<()> {
    if row.len() != model.fields.len() {
        return Err(Error::invalid_statement(format!(
            "a `{}` record needs {} values, got {}",
            model.name,
            model.fields.len(),
            row.len()
        )));
    }
    for (idx, value) in row.iter().enumerate() {
        let f = field_of(model, idx)?;
        match (value, f.auto) {
            (Some(_), Some(Auto::Increment)) => {
                return Err(Error::invalid_statement(format!(
                    "`{}.{}` is assigned by the database (#[auto]) and cannot be set",
                    model.name, f.name
                )))
            }
            (Some(v), _) => check_value(model, idx, v)?,
            (None, Some(_)) => {}
            (None, None) if f.nullable || filled.contains(&idx) => {}
            (None, None) => {
                return Err(Error::invalid_statement(format!(
                    "missing value for `{}.{}`; set it before creating the record",
                    model.name, f.name
                )))
            }
        }
    }
    Ok(())
}

/// Updates and deletes act on every record their selection matches: a limit or an
/// offset would mean "some of them", which not every database can do, so it is refused
/// rather than ignored.
fn no_slice(model: &Model, selection: &toasty_core::stmt::Query, what: &str) -> Result<()> {
    if selection.limit.is_some() || selection.offset.is_some() {
        return Err(Error::invalid_statement(format!(
            "cannot {what} `{}` records with limit/offset; select the records first and {what} them by key",
            model.name
        )));
    }
    Ok(())
}

fn field_of(model: &Model, idx: usize) -> Result<&toasty_core::schema::app::Field> {
    if idx == crate::stmt::path::THROUGH_RELATION {
        return Err(Error::invalid_statement(format!(
            "a field of a model related to `{}` was used as a value or an ordering; compare \
             it instead (`Todo::fields().user().name().eq(..)`), or order by a field of `{}`",
            model.name, model.name
        )));
    }
    model.fields.get(idx).ok_or_else(|| {
        Error::invalid_statement(format!("model `{}` has no field #{idx}", model.name))
    })
}

fn check_value(model: &Model, idx: usize, value: &Value) -> Result<()> {
    let f = field_of(model, idx)?;
    if value.is_null() && !f.nullable {
        return Err(Error::invalid_value(format!(
            "`{}.{}` is not optional and cannot be set to None/NULL",
            model.name, f.name
        )));
    }
    f.ty.check_with(value, || format!("`{}.{}`", model.name, f.name))?;
    f.check_column(value, || format!("`{}.{}`", model.name, f.name))?;
    let keyed =
        model.primary_key.contains(&idx) || model.indices.iter().any(|i| i.fields.contains(&idx));
    if keyed {
        let len = match value {
            Value::String(s) => s.chars().count(),
            Value::Bytes(b) => b.len(),
            _ => 0,
        };
        if len > MAX_KEYED_LEN {
            return Err(Error::out_of_range(format!(
                "`{}.{}` is a key or indexed field and holds at most {MAX_KEYED_LEN} \
                 characters (bytes for Vec<u8>) on every backend; this value has {len}",
                model.name, f.name
            )));
        }
    }
    Ok(())
}

/// Checks a literal compared with a field: the right family, and in range.
fn check_operand(model: &Model, idx: usize, value: &Value) -> Result<()> {
    if value.is_null() {
        return Ok(());
    }
    let f = field_of(model, idx)?;
    f.ty.check_with(value, || format!("`{}.{}`", model.name, f.name))
}

fn verify_filter(schema: &Schema, model: &Model, filter: Option<&Expr>) -> Result<()> {
    let Some(filter) = filter else {
        return Ok(());
    };
    check_filter_shape(&model.name, filter)?;
    let mut values = 0usize;
    verify_scope(schema, model, filter, &mut values)?;
    if values > MAX_FILTER_VALUES {
        return Err(Error::invalid_statement(format!(
            "a `{}` filter holds {values} values, more than the {MAX_FILTER_VALUES} \
             (toasty::limits::MAX_FILTER_VALUES) every backend can bind in one statement; \
             split the list into several queries",
            model.name
        )));
    }
    Ok(())
}

/// Checks `filter` over `model`, and the filters of its sub-selects over theirs.
fn verify_scope(schema: &Schema, model: &Model, filter: &Expr, values: &mut usize) -> Result<()> {
    let mut result = Ok(());
    let mut nested = Vec::new();
    filter.walk(&mut |e| {
        match e {
            Expr::InSelect { lhs, select } => {
                if lhs.len() != select.columns.len() || lhs.is_empty() {
                    result = Err(Error::invalid_statement(format!(
                        "a sub-select compares {} values with {} fields",
                        lhs.len(),
                        select.columns.len()
                    )));
                }
                nested.push((**select).clone());
            }
            Expr::Related { .. } => {
                result = Err(Error::invalid_statement(
                    "a filter through a relation was not resolved before verification",
                ))
            }
            _ => {}
        }
        *values += match e {
            Expr::Value(_) => 1,
            Expr::InList { list, .. } => list.len(),
            _ => 0,
        };
        if result.is_err() {
            return;
        }
        result = verify_node(model, e);
    });
    result?;
    for select in nested {
        let inner = schema.model(toasty_core::schema::app::ModelId(select.source))?;
        for &c in &select.columns {
            field_of(inner, c)?;
        }
        verify_scope(schema, inner, &select.filter, values)?;
    }
    Ok(())
}

/// Refuses a filter deeper than [`MAX_FILTER_DEPTH`] or larger than
/// [`MAX_FILTER_NODES`]. Measures without recursion, and stops counting past the limits,
/// so a filter of any size is refused quickly and on any stack.
pub(crate) fn check_filter_shape(model: &str, filter: &Expr) -> Result<()> {
    let shape = filter.shape(Shape {
        depth: MAX_FILTER_DEPTH,
        nodes: MAX_FILTER_NODES,
    });
    if shape.depth > MAX_FILTER_DEPTH {
        return Err(Error::invalid_statement(format!(
            "a `{model}` filter is nested more than {MAX_FILTER_DEPTH} levels deep \
             (toasty::limits::MAX_FILTER_DEPTH, the same on every backend); combine \
             conditions in one `and`/`or` (a list is one level) or split the query"
        )));
    }
    if shape.nodes > MAX_FILTER_NODES {
        return Err(Error::invalid_statement(format!(
            "a `{model}` filter has more than {MAX_FILTER_NODES} expression nodes \
             (toasty::limits::MAX_FILTER_NODES, the same on every backend); use `in_list` \
             for many values of one field, or split the query"
        )));
    }
    Ok(())
}

fn verify_node(model: &Model, e: &Expr) -> Result<()> {
    match e {
        Expr::Column(_) => Err(Error::invalid_statement(
            "a model-level filter refers to a column; use field paths",
        )),
        Expr::Field(i) => field_of(model, *i).map(|_| ()),
        Expr::Binary { lhs, rhs, .. } => match (&**lhs, &**rhs) {
            (Expr::Field(i), Expr::Value(v)) | (Expr::Value(v), Expr::Field(i)) => {
                check_operand(model, *i, v)
            }
            (Expr::Field(a), Expr::Field(b)) => {
                let (fa, fb) = (field_of(model, *a)?, field_of(model, *b)?);
                if fa.ty == fb.ty
                    || (fa.ty.is_integer() && fb.ty.is_integer())
                    || (fa.ty.is_float() && fb.ty.is_float())
                {
                    Ok(())
                } else {
                    Err(Error::invalid_statement(format!(
                        "cannot compare `{}.{}` ({}) with `{}.{}` ({})",
                        model.name, fa.name, fa.ty, model.name, fb.name, fb.ty
                    )))
                }
            }
            _ => Ok(()),
        },
        Expr::InList { expr, list } => {
            if let Expr::Field(i) = &**expr {
                for v in list {
                    check_operand(model, *i, v)?;
                }
            }
            Ok(())
        }
        Expr::Pattern { op, expr, pattern } => {
            if op.is_like() {
                toasty_core::stmt::like::parse_like(pattern)?;
            }
            if let Expr::Field(i) = &**expr {
                let f = field_of(model, *i)?;
                if f.ty != toasty_core::Type::String {
                    return Err(Error::invalid_statement(format!(
                        "string pattern tests need a String field; `{}.{}` is {}",
                        model.name, f.name, f.ty
                    )));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

//! Lowering: model-level statements become table-level operations.
//!
//! Fields become columns through the schema mapping, the model becomes its table,
//! `#[auto]` UUIDs are generated, and omitted optional fields become NULL.

use toasty_core::driver;
use toasty_core::schema::app::Auto;
use toasty_core::schema::{mapping, Schema};
use toasty_core::stmt::{self, Expr, OrderBy};
use toasty_core::{Error, Result, Value};

fn mapping_of(
    schema: &Schema,
    model: toasty_core::schema::app::ModelId,
) -> Result<&mapping::Model> {
    schema
        .mapping
        .models
        .get(model.0)
        .ok_or_else(|| Error::invalid_statement(format!("model id {} is not registered", model.0)))
}

fn column(m: &mapping::Model, field: usize) -> Result<usize> {
    m.columns
        .get(field)
        .copied()
        .ok_or_else(|| Error::invalid_statement(format!("field #{field} has no column")))
}

/// Rewrites `Field(i)` into `Column(c)`, and the sub-selects of `expr` (model ids and
/// fields) into table ids and columns.
pub(crate) fn lower_scoped(schema: &Schema, m: &mapping::Model, mut expr: Expr) -> Result<Expr> {
    expr.visit_scopes_mut(&mut |scoped| match scoped {
        stmt::Scoped::Select(select) => {
            let inner = mapping_of(schema, toasty_core::schema::app::ModelId(select.source))?;
            select.columns = select
                .columns
                .iter()
                .map(|&f| column(inner, f))
                .collect::<Result<_>>()?;
            select.source = inner.table.0;
            let filter = std::mem::replace(&mut select.filter, Expr::true_());
            select.filter = lower_scoped(schema, inner, filter)?;
            Ok(())
        }
        stmt::Scoped::Related { .. } => Err(Error::invalid_statement(
            "a filter through a relation was not resolved before lowering",
        )),
    })?;
    lower_expr(m, expr)
}

/// Rewrites `Field(i)` into `Column(c)`.
pub(crate) fn lower_expr(m: &mapping::Model, expr: Expr) -> Result<Expr> {
    let mut err = None;
    let lowered = expr.map_refs(&mut |e| match e {
        Expr::Field(i) => match column(m, i) {
            Ok(c) => Expr::Column(c),
            Err(e) => {
                err = Some(e);
                Expr::Value(Value::Null)
            }
        },
        other => other,
    });
    match err {
        Some(e) => Err(e),
        None => Ok(lowered),
    }
}

fn lower_filter(schema: &Schema, m: &mapping::Model, filter: Option<Expr>) -> Result<Expr> {
    match filter {
        Some(f) => lower_scoped(schema, m, f),
        None => Ok(Expr::true_()),
    }
}

/// A query becomes a `Select`.
pub(crate) fn lower_query(schema: &Schema, q: stmt::Query) -> Result<driver::Select> {
    let m = mapping_of(schema, q.model)?;
    let order_by = q
        .order_by
        .iter()
        .map(|o| {
            Ok(OrderBy {
                target: column(m, o.target)?,
                direction: o.direction,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let projection = match q.select {
        stmt::Select::Fields(fields) => stmt::Select::Fields(
            fields
                .iter()
                .map(|&f| column(m, f))
                .collect::<Result<Vec<_>>>()?,
        ),
        other => other,
    };
    Ok(driver::Select {
        table: m.table,
        filter: lower_filter(schema, m, q.filter)?,
        order_by,
        limit: q.limit,
        offset: q.offset,
        projection,
    })
}

/// An insert, with the records as they will be stored (field order). The auto-increment
/// field, if any, is NULL in the records until the driver returns it.
pub(crate) struct LoweredInsert {
    pub(crate) op: driver::Insert,
    pub(crate) records: Vec<Vec<Value>>,
}

pub(crate) fn lower_insert(schema: &Schema, i: stmt::Insert) -> Result<LoweredInsert> {
    let model = schema.model(i.model)?;
    let m = mapping_of(schema, i.model)?;
    let table = schema.db.table(m.table)?;
    let auto_inc_field = match model.auto_field() {
        Some((f, Auto::Increment)) => Some(f),
        _ => None,
    };
    let columns: Vec<usize> = (0..model.fields.len())
        .filter(|f| Some(*f) != auto_inc_field)
        .map(|f| column(m, f))
        .collect::<Result<_>>()?;
    let mut records = Vec::with_capacity(i.rows.len());
    let mut rows = Vec::with_capacity(i.rows.len());
    for row in i.rows {
        let mut record = Vec::with_capacity(row.len());
        for (f, value) in row.into_iter().enumerate() {
            let auto = model.fields.get(f).and_then(|x| x.auto);
            record.push(match (value, auto) {
                (Some(v), _) => v,
                (None, Some(Auto::UuidV7)) => Value::Uuid(uuid::Uuid::now_v7()),
                (None, Some(Auto::UuidV4)) => Value::Uuid(uuid::Uuid::new_v4()),
                (None, _) => Value::Null,
            });
        }
        let mut out = vec![Value::Null; columns.len()];
        for (slot, f) in (0..model.fields.len())
            .filter(|f| Some(*f) != auto_inc_field)
            .enumerate()
        {
            if let (Some(dst), Some(v)) = (out.get_mut(slot), record.get(f)) {
                *dst = v.clone();
            }
        }
        rows.push(out);
        records.push(record);
    }
    let returning = match auto_inc_field {
        Some(f) => vec![column(m, f)?],
        None => Vec::new(),
    };
    Ok(LoweredInsert {
        op: driver::Insert {
            table: table.id,
            columns,
            rows,
            returning,
        },
        records,
    })
}

pub(crate) fn lower_update(schema: &Schema, u: stmt::Update) -> Result<driver::Update> {
    let m = mapping_of(schema, u.selection.model)?;
    let assignments = u
        .assignments
        .into_iter()
        .map(|(f, v)| Ok((column(m, f)?, v)))
        .collect::<Result<_>>()?;
    let arithmetic = u
        .arithmetic
        .into_iter()
        .map(|(f, a)| Ok((column(m, f)?, a)))
        .collect::<Result<_>>()?;
    Ok(driver::Update {
        table: m.table,
        filter: lower_filter(schema, m, u.selection.filter)?,
        assignments,
        arithmetic,
        returning: u.returning,
    })
}

pub(crate) fn lower_delete(schema: &Schema, d: stmt::Delete) -> Result<driver::Delete> {
    let m = mapping_of(schema, d.selection.model)?;
    Ok(driver::Delete {
        table: m.table,
        filter: lower_filter(schema, m, d.selection.filter)?,
    })
}

/// Reorders table rows into records; rows are returned as they are when the fields
/// are stored in column order (the usual case), without touching each row.
pub(crate) fn rows_to_records(m: &mapping::Model, rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    let width = m.columns.len();
    if fields_in_column_order(m) && rows.iter().all(|r| r.len() == width) {
        return rows;
    }
    rows.into_iter().map(|r| row_to_record(m, r)).collect()
}

/// `true` when a row of `width` columns already is a record: field `i` is stored in
/// column `i` and there are no other columns.
pub(crate) fn is_identity(m: &mapping::Model, width: usize) -> bool {
    width == m.columns.len() && fields_in_column_order(m)
}

/// `true` when field `i` is stored in column `i` for every field.
fn fields_in_column_order(m: &mapping::Model) -> bool {
    m.columns.iter().enumerate().all(|(f, c)| f == *c)
}

/// Reorders a table row (column order) into a record (field order).
pub(crate) fn row_to_record(m: &mapping::Model, mut row: Vec<Value>) -> Vec<Value> {
    let identity =
        row.len() == m.columns.len() && m.columns.iter().enumerate().all(|(f, c)| f == *c);
    if identity {
        return row;
    }
    m.columns
        .iter()
        .map(|&c| {
            row.get_mut(c)
                .map(|v| std::mem::replace(v, Value::Null))
                .unwrap_or(Value::Null)
        })
        .collect()
}

pub(crate) fn mapping_for(
    schema: &Schema,
    model: toasty_core::schema::app::ModelId,
) -> Result<&mapping::Model> {
    mapping_of(schema, model)
}

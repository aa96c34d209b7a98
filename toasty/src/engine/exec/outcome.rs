//! Reading a statement's [`Outcome`] off its steps' outputs.

use super::StepOut;
use crate::engine::lower::{self, rows_to_records};
use crate::engine::plan::{Generated, InsertGroup, Output};
use crate::engine::{Outcome, Record, Related};
use toasty_core::driver::Response;
use toasty_core::schema::db::Table;
use toasty_core::schema::Schema;
use toasty_core::stmt::Arith;
use toasty_core::{Error, Result, Value};

/// The outcome `output` describes, from the outputs of the plan's steps.
pub(super) fn outcome(schema: &Schema, output: Output, outs: &mut [StepOut]) -> Result<Outcome> {
    match output {
        Output::Records { step, model } => {
            let mapping = lower::mapping_for(schema, model)?;
            match take(outs, step)? {
                StepOut::Response(Response::RowSet(set))
                    if lower::is_identity(mapping, set.width()) =>
                {
                    Ok(Outcome::RecordSet(set))
                }
                StepOut::Response(Response::RowSet(set)) => {
                    Ok(Outcome::Records(rows_to_records(mapping, set.into_vecs())))
                }
                StepOut::Response(Response::Rows(rows)) | StepOut::Rows(rows) => {
                    Ok(Outcome::Records(rows_to_records(mapping, rows)))
                }
                StepOut::Response(Response::Count(n)) => Ok(Outcome::Count(n)),
                StepOut::Written => Err(no_rows(step)),
            }
        }
        Output::Assigned {
            step,
            model,
            assignments,
            arithmetic,
        } => {
            let mapping = lower::mapping_for(schema, model)?;
            let StepOut::Rows(mut rows) = take(outs, step)? else {
                return Err(no_rows(step));
            };
            let table = schema.db.table(mapping.table)?;
            for row in &mut rows {
                apply_assignments(table, row, &assignments, &arithmetic)?;
            }
            Ok(Outcome::Records(rows_to_records(mapping, rows)))
        }
        Output::Checked {
            step,
            columns,
            inner,
        } => {
            for row in super::row_slices(outs, step)? {
                for c in &columns {
                    let value = row.get(c.field).unwrap_or(&Value::Null);
                    c.ty.check(value, "").map_err(|_| {
                        Error::out_of_range(format!(
                            "the update makes `{}` {}, outside the range of its type {}; \
                             nothing was written",
                            c.label,
                            shown(value),
                            c.ty.rust_name()
                        ))
                    })?;
                }
            }
            outcome(schema, *inner, outs)
        }
        Output::Projected { step } => match take(outs, step)? {
            StepOut::Response(Response::RowSet(set)) => Ok(Outcome::RecordSet(set)),
            StepOut::Response(Response::Rows(rows)) | StepOut::Rows(rows) => {
                Ok(Outcome::Records(rows))
            }
            StepOut::Response(Response::Count(_)) | StepOut::Written => Err(no_rows(step)),
        },
        Output::Count { step } => Ok(Outcome::Count(match take(outs, step)? {
            StepOut::Response(Response::Count(n)) => n,
            StepOut::Response(Response::Rows(rows)) | StepOut::Rows(rows) => rows.len() as u64,
            StepOut::Response(Response::RowSet(set)) => set.len() as u64,
            StepOut::Written => return Err(no_rows(step)),
        })),
        Output::Inserted { groups, root } => inserted(groups, root, outs),
    }
}

/// The records a create stored: generated keys filled in (and copied into the foreign
/// keys that refer to them), and the records created with each one attached to its
/// relations.
fn inserted(mut groups: Vec<InsertGroup>, root: usize, outs: &mut [StepOut]) -> Result<Outcome> {
    for g in &mut groups {
        if let Some(generated) = &g.generated {
            fill_generated(&mut g.records, generated, outs, &g.steps)?;
        }
    }
    for gi in 0..groups.len() {
        for (row, field, from, from_row) in groups[gi].copies.clone() {
            let value = groups
                .get(from)
                .and_then(|g| {
                    let f = g.generated.as_ref()?.field;
                    g.records.get(from_row)?.get(f).cloned()
                })
                .ok_or_else(|| Error::driver("a copied key has no source"))?;
            if let Some(slot) = groups[gi]
                .records
                .get_mut(row)
                .and_then(|r| r.get_mut(field))
            {
                *slot = value;
            }
        }
    }
    if groups.len() == 1 {
        return Ok(Outcome::Records(
            groups.pop().map(|g| g.records).unwrap_or_default(),
        ));
    }
    // Depth of each group below the root: attach the deepest first, so every group has
    // its own attachments before it moves into its owner.
    let depth = |mut g: usize| {
        let mut d = 0;
        while let Some(a) = groups.get(g).and_then(|x| x.attach.as_ref()) {
            g = a.group;
            d += 1;
            if d > groups.len() {
                break;
            }
        }
        d
    };
    let mut order: Vec<(usize, usize)> = (0..groups.len()).map(|g| (depth(g), g)).collect();
    order.sort_by(|a, b| b.cmp(a));
    let mut records: Vec<Vec<Record>> = groups
        .iter_mut()
        .map(|g| {
            std::mem::take(&mut g.records)
                .into_iter()
                .map(Record::new)
                .collect()
        })
        .collect();
    for (_, g) in order {
        let Some(attach) = groups[g].attach.clone() else {
            continue;
        };
        let moved = std::mem::take(&mut records[g]);
        for (j, rec) in moved.into_iter().enumerate() {
            let owner = attach
                .owners
                .get(j)
                .and_then(|&o| records.get_mut(attach.group)?.get_mut(o))
                .ok_or_else(|| Error::driver("a created record has no owner"))?;
            owner
                .slot(attach.relation)
                .get_or_insert_with(Related::default)
                .records
                .push(rec);
        }
    }
    Ok(Outcome::Loaded(
        records.into_iter().nth(root).unwrap_or_default(),
    ))
}

/// Puts the values the database generated into the records, checking each against the
/// field's type: a value outside it fails the statement (whose write is then undone).
fn fill_generated(
    records: &mut [Vec<Value>],
    generated: &Generated,
    outs: &mut [StepOut],
    steps: &[usize],
) -> Result<()> {
    let mut values = Vec::with_capacity(records.len());
    for &step in steps {
        match take(outs, step)? {
            StepOut::Response(Response::Rows(rows)) => {
                values.extend(rows.into_iter().map(|mut r| r.pop().unwrap_or(Value::Null)))
            }
            StepOut::Response(Response::RowSet(set)) => values.extend(
                set.into_vecs()
                    .into_iter()
                    .map(|mut r| r.pop().unwrap_or(Value::Null)),
            ),
            _ => return Err(no_rows(step)),
        }
    }
    if values.len() != records.len() {
        return Err(Error::driver(format!(
            "the driver returned {} generated keys for {} inserted records",
            values.len(),
            records.len()
        )));
    }
    for (record, value) in records.iter_mut().zip(values) {
        if generated.needs_check() {
            generated.ty.check(&value, "").map_err(|_| {
                Error::out_of_range(format!(
                    "the database assigned {value:?} to `{}`, which does not fit its type {}; \
                     the insert was undone. Use a wider integer type for the key",
                    generated.label,
                    generated.ty.rust_name()
                ))
            })?;
        }
        if let Some(slot) = record.get_mut(generated.field) {
            *slot = value;
        }
    }
    Ok(())
}

/// A value for a message: the number itself for numbers.
fn shown(value: &Value) -> String {
    match value {
        Value::I64(v) => v.to_string(),
        Value::U64(v) => v.to_string(),
        Value::F64(v) => v.to_string(),
        other => format!("{other:?}"),
    }
}

/// Sets `assignments` on `row` (in column order) and applies `arithmetic` to its stored
/// values, each checked against its column's type.
pub(super) fn apply_assignments(
    table: &Table,
    row: &mut [Value],
    assignments: &[(usize, Value)],
    arithmetic: &[(usize, Arith)],
) -> Result<()> {
    for (c, v) in assignments {
        if let Some(slot) = row.get_mut(*c) {
            *slot = v.clone();
        }
    }
    for (c, a) in arithmetic {
        let ty = table
            .columns
            .get(*c)
            .map(|col| col.ty)
            .ok_or_else(|| Error::driver(format!("table column #{c} is missing")))?;
        if let Some(slot) = row.get_mut(*c) {
            *slot = a.apply(slot, ty).map_err(|e| {
                let name = table.columns.get(*c).map(|c| c.name.as_str()).unwrap_or("");
                Error::new(
                    e.kind(),
                    format!("`{}.{name}`: {}", table.name, e.message()),
                )
            })?;
        }
    }
    Ok(())
}

fn take(outs: &mut [StepOut], step: usize) -> Result<StepOut> {
    outs.get_mut(step)
        .map(|o| std::mem::replace(o, StepOut::Written))
        .ok_or_else(|| no_rows(step))
}

fn no_rows(step: usize) -> Error {
    Error::driver(format!(
        "plan step #{step} did not produce what the statement's outcome reads"
    ))
}

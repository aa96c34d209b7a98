//! Reading a statement's [`Outcome`] off its steps' outputs.

use super::StepOut;
use crate::engine::lower::{self, rows_to_records};
use crate::engine::plan::{Generated, Output};
use crate::engine::Outcome;
use toasty_core::driver::Response;
use toasty_core::schema::Schema;
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
        } => {
            let mapping = lower::mapping_for(schema, model)?;
            let StepOut::Rows(mut rows) = take(outs, step)? else {
                return Err(no_rows(step));
            };
            for row in &mut rows {
                for (c, v) in &assignments {
                    if let Some(slot) = row.get_mut(*c) {
                        *slot = v.clone();
                    }
                }
            }
            Ok(Outcome::Records(rows_to_records(mapping, rows)))
        }
        Output::Count { step } => Ok(Outcome::Count(match take(outs, step)? {
            StepOut::Response(Response::Count(n)) => n,
            StepOut::Response(Response::Rows(rows)) | StepOut::Rows(rows) => rows.len() as u64,
            StepOut::Response(Response::RowSet(set)) => set.len() as u64,
            StepOut::Written => return Err(no_rows(step)),
        })),
        Output::Inserted {
            mut records,
            generated,
            steps,
        } => {
            if let Some(generated) = generated {
                fill_generated(&mut records, &generated, outs, &steps)?;
            }
            Ok(Outcome::Records(records))
        }
    }
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

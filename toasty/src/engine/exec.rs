//! Running a [`Plan`] on the one connection it is handed.
//!
//! Steps run in order; each step's output is kept for the steps and the outcome that
//! name it. On an SQL driver every step is one driver operation. On a key-value driver
//! the reads run first and every write step contributes items to one `TransactWrite`,
//! sent once at the end, so the statement (or the whole batch) is all-or-nothing. This
//! module never begins or commits a transaction: its caller (`db::executor`,
//! `db::transaction`) decides that from [`Plan::needs_transaction`].
//!
//! After the steps (and a key-value plan's `TransactWrite`), the relations the plan
//! loads ([`Plan::load`]) are read, one relation level at a time.
//!
//! * `kv_read`: the key-value fetches and the evaluator's select over their rows;
//! * `kv_items`: the conditional items (rows and unique-value claims) of a write;
//! * `keyed`: steps whose keys come from an earlier step's rows (fills, `IN` lists);
//! * `include`: loading relations for a statement's records;
//! * `outcome`: reading a statement's outcome off its steps' outputs.

mod include;
mod key_groups;
mod keyed;
mod kv_items;
mod kv_read;
mod outcome;

use super::plan::{OnEmpty, Plan, Step};
use super::Outcome;
use crate::observe::exec_op;
pub(crate) use crate::observe::Run;
use kv_items::Items;
use std::collections::BTreeSet;
use toasty_core::driver::{Capability, Connection, Operation, Response, TransactWrite};
use toasty_core::schema::db::TableId;
use toasty_core::schema::Schema;
use toasty_core::{Error, Result, Value};

/// What one step produced.
#[derive(Debug)]
pub(crate) enum StepOut {
    /// A driver operation's response.
    Response(Response),
    /// Rows in column order (key-value reads).
    Rows(Vec<Vec<Value>>),
    /// A key-value write (its items went into the `TransactWrite`).
    Written,
}

/// Runs one plan. `sent` becomes `true` once any operation has reached the driver.
pub(crate) async fn run(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    plan: Plan,
    sent: &mut Run,
) -> Result<Outcome> {
    // The common case, one SQL operation, runs without the batch machinery.
    if let [Step::Op(_)] = plan.steps.as_slice() {
        let Plan {
            mut steps,
            output,
            load,
        } = plan;
        let Some(Step::Op(op)) = steps.pop() else {
            return Err(Error::driver("a one-step plan lost its step"));
        };
        let mut out = StepOut::Response(exec_op(conn, schema, op, sent).await?);
        let outcome = outcome::outcome(schema, output, std::slice::from_mut(&mut out))?;
        return match load {
            None => Ok(outcome),
            Some(load) => Box::pin(include::load(conn, schema, cap, outcome, &load, sent)).await,
        };
    }
    Box::pin(run_batch(conn, schema, cap, vec![plan], sent))
        .await?
        .pop()
        .ok_or_else(|| Error::driver("the engine produced no outcome for a statement"))
}

/// Runs several plans, in order, as one unit: on a key-value driver their writes are
/// one `TransactWrite`, and a read of a table that an earlier statement of the batch
/// writes is refused (it could not see that write).
pub(crate) async fn run_batch(
    conn: &mut dyn Connection,
    schema: &Schema,
    cap: &Capability,
    plans: Vec<Plan>,
    sent: &mut Run,
) -> Result<Vec<Outcome>> {
    let mut items = Items::new(schema, cap);
    let mut written: BTreeSet<TableId> = BTreeSet::new();
    let mut results: Vec<Pending> = Vec::with_capacity(plans.len());
    for plan in plans {
        let plan_writes = plan.writes();
        let mut steps_out: Vec<StepOut> = Vec::with_capacity(plan.steps.len());
        let mut stopped = false;
        for step in plan.steps {
            if stopped {
                // A check found nothing to do: the rest of the plan reads and writes
                // nothing.
                steps_out.push(StepOut::Rows(Vec::new()));
                continue;
            }
            let out = match step {
                Step::Op(op) => StepOut::Response(exec_op(conn, schema, op, sent).await?),
                Step::Insert { op, fills } => {
                    let op = keyed::fill(op, &fills, &steps_out)?;
                    StepOut::Response(exec_op(conn, schema, op, sent).await?)
                }
                Step::OpWhereIn { op, keys } => {
                    let select = matches!(op, Operation::Select(_));
                    let ops = keyed::where_in(op, &keys, &steps_out)?;
                    let mut responses = Vec::with_capacity(ops.len());
                    for op in ops {
                        responses.push(exec_op(conn, schema, op, sent).await?);
                    }
                    StepOut::Response(keyed::combine(responses, select))
                }
                Step::FetchWhereIn { table, keys } => {
                    if written.contains(&table) {
                        return Err(read_after_write(schema, table));
                    }
                    let filter = keyed::filter_in(&keys, &steps_out)?;
                    let rows = match filter {
                        None => Vec::new(),
                        Some(filter) => {
                            kv_read::fetch_filtered(conn, schema, cap, table, filter, sent).await?
                        }
                    };
                    StepOut::Rows(rows)
                }
                Step::Fetch { table, fetches } => {
                    if written.contains(&table) {
                        return Err(read_after_write(schema, table));
                    }
                    StepOut::Rows(kv_read::fetch(conn, schema, cap, table, fetches, sent).await?)
                }
                Step::Select { input, select } => {
                    let rows = take_rows(&mut steps_out, input)?;
                    StepOut::Rows(kv_read::select(schema, &select, rows)?)
                }
                Step::Write(write) => {
                    written.insert(items.add(write, &steps_out)?);
                    StepOut::Written
                }
                Step::Check { input, on_empty } => {
                    if row_slices(&steps_out, input)?.is_empty() {
                        match on_empty {
                            OnEmpty::Stop => stopped = true,
                            OnEmpty::Fail(message) => return Err(Error::not_found(message)),
                        }
                    }
                    StepOut::Rows(Vec::new())
                }
                Step::CheckArith {
                    input,
                    table,
                    arithmetic,
                } => {
                    let def = schema.db.table(table)?;
                    for row in row_slices(&steps_out, input)? {
                        let mut row = row.to_vec();
                        outcome::apply_assignments(def, &mut row, &[], &arithmetic)?;
                    }
                    StepOut::Rows(Vec::new())
                }
            };
            steps_out.push(out);
        }
        // Relations are loaded right after the statement, so later statements of the
        // batch do not change what it returns; on a key-value store the relations of
        // records a statement writes are loaded after the write, which stores them.
        match plan.load {
            Some(load) if cap.is_sql() || !plan_writes => {
                if !cap.is_sql() {
                    if let Some(table) = load_tables(schema, &load)?
                        .into_iter()
                        .find(|t| written.contains(t))
                    {
                        return Err(read_after_write(schema, table));
                    }
                }
                let outcome = outcome::outcome(schema, plan.output, &mut steps_out)?;
                let loaded =
                    Box::pin(include::load(conn, schema, cap, outcome, &load, sent)).await?;
                results.push(Pending::Ready(loaded));
            }
            load => results.push(Pending::Later(plan.output, steps_out, load)),
        }
    }
    if let Some(write) = items.finish()? {
        exec_op(
            conn,
            schema,
            Operation::TransactWrite(TransactWrite { items: write }),
            sent,
        )
        .await?;
    }
    let mut outcomes = Vec::with_capacity(results.len());
    for result in results {
        outcomes.push(match result {
            Pending::Ready(outcome) => outcome,
            Pending::Later(output, mut steps_out, load) => {
                let outcome = outcome::outcome(schema, output, &mut steps_out)?;
                match load {
                    None => outcome,
                    Some(load) => {
                        Box::pin(include::load(conn, schema, cap, outcome, &load, sent)).await?
                    }
                }
            }
        });
    }
    Ok(outcomes)
}

/// A statement of a batch: its outcome, or what it is read from after the batch's write.
enum Pending {
    Ready(Outcome),
    Later(super::plan::Output, Vec<StepOut>, Option<super::plan::Load>),
}

/// The tables the relations of `load` read.
fn load_tables(schema: &Schema, load: &super::plan::Load) -> Result<Vec<TableId>> {
    fn walk(
        schema: &Schema,
        includes: &[super::plan::Include],
        out: &mut Vec<TableId>,
    ) -> Result<()> {
        for inc in includes {
            out.push(schema.table_for(inc.target)?.id);
            walk(schema, &inc.nested, out)?;
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk(schema, &load.includes, &mut out)?;
    Ok(out)
}

/// Takes the rows step `input` produced (a `Select` consumes its fetch's rows, which
/// nothing else reads).
fn take_rows(steps_out: &mut [StepOut], input: usize) -> Result<Vec<Vec<Value>>> {
    match steps_out.get_mut(input) {
        Some(StepOut::Rows(rows)) => Ok(std::mem::take(rows)),
        Some(StepOut::Response(r)) => Ok(match std::mem::replace(r, Response::Count(0)) {
            Response::Rows(rows) => rows,
            Response::RowSet(set) => set.into_vecs(),
            Response::Count(_) => Vec::new(),
        }),
        _ => Err(Error::driver(format!(
            "plan step #{input} has no rows to read"
        ))),
    }
}

/// A step's rows, borrowed.
pub(crate) fn rows_of(steps_out: &[StepOut], input: usize) -> Result<&[Vec<Value>]> {
    match steps_out.get(input) {
        Some(StepOut::Rows(rows)) => Ok(rows),
        Some(StepOut::Response(Response::Rows(rows))) => Ok(rows),
        _ => Err(Error::driver(format!(
            "plan step #{input} has no rows to read"
        ))),
    }
}

/// A step's rows, borrowed, whichever way the driver returned them.
pub(crate) fn row_slices(steps_out: &[StepOut], input: usize) -> Result<Vec<&[Value]>> {
    match steps_out.get(input) {
        Some(StepOut::Rows(rows)) | Some(StepOut::Response(Response::Rows(rows))) => {
            Ok(rows.iter().map(Vec::as_slice).collect())
        }
        Some(StepOut::Response(Response::RowSet(set))) => Ok(set.rows().collect()),
        _ => Err(Error::driver(format!(
            "plan step #{input} has no rows to read"
        ))),
    }
}

fn read_after_write(schema: &Schema, table: TableId) -> Error {
    let name = schema
        .db
        .table(table)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    Error::unsupported(format!(
        "this key-value batch reads table `{name}` after an earlier statement of the batch \
         writes it; a key-value store writes the whole batch at once at the end, so the read \
         could not see that write. Put the reads (and updates or deletes by filter) of \
         `{name}` before its writes, or run them as separate statements"
    ))
}

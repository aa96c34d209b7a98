//! Compiling a statement into a [`Plan`]: verify, lower, simplify, then plan by the
//! driver's capability.
//!
//! * SQL drivers: one `Op` step per driver operation (an insert split by the
//!   bind-parameter limit gives several).
//! * Key-value drivers: `Fetch` (by key or partition, found by `plan_kv`), `Select` (the
//!   reference evaluator applies filter, order, offset and limit), and for writes one
//!   `Write` step whose items become the statement's single `TransactWrite`.

use super::lower::{self, LoweredInsert};
use super::plan::{Generated, KvWrite, Output, Plan, Step};
use super::plan_kv::plan_fetch;
use super::simplify::simplify;
use super::single_row::drop_redundant_limit;
use super::verify::verify;
use super::Statement;
use toasty_core::driver::{self, Capability, Operation};
use toasty_core::schema::app::{Auto, ModelId};
use toasty_core::schema::Schema;
use toasty_core::stmt::{self, Expr};
use toasty_core::{Result, Value};

/// Most bind parameters one SQL insert carries (below SQLite's, PostgreSQL's and MySQL's
/// limits), so large batches are split into several inserts (in one transaction).
pub(crate) const MAX_INSERT_PARAMS: usize = 30_000;

/// Compiles `stmt` for a driver with capability `cap`.
pub(crate) fn compile(schema: &Schema, cap: &Capability, stmt: Statement) -> Result<Plan> {
    verify(schema, &stmt)?;
    match stmt {
        Statement::Query(q) => compile_query(schema, cap, q),
        Statement::Insert(i) => compile_insert(schema, cap, i),
        Statement::Update(u) => compile_update(schema, cap, u),
        Statement::Delete(d) => compile_delete(schema, cap, d),
    }
}

fn compile_query(schema: &Schema, cap: &Capability, q: stmt::Query) -> Result<Plan> {
    let model = q.model;
    let mut select = lower::lower_query(schema, q)?;
    select.filter = simplify(select.filter);
    drop_redundant_limit(schema.db.table(select.table)?, &mut select);
    let count = select.projection == stmt::Select::Count;
    if cap.is_sql() {
        let output = if count {
            Output::Count { step: 0 }
        } else {
            Output::Records { step: 0, model }
        };
        return Ok(Plan::single(Operation::Select(select), output));
    }
    let fetch = fetch_step(schema, cap, model, select.table, &select.filter)?;
    let output = if count {
        Output::Count { step: 1 }
    } else {
        Output::Records { step: 1, model }
    };
    Ok(Plan {
        steps: vec![fetch, Step::Select { input: 0, select }],
        output,
    })
}

/// The key-value fetch that reaches every row `filter` can match, or `Unsupported`
/// naming the index to add.
fn fetch_step(
    schema: &Schema,
    cap: &Capability,
    model: ModelId,
    table: toasty_core::schema::db::TableId,
    filter: &Expr,
) -> Result<Step> {
    let app = schema.model(model)?;
    let field_names: Vec<String> = app.fields.iter().map(|f| f.name.clone()).collect();
    let fetches = plan_fetch(
        schema.db.table(table)?,
        filter,
        cap,
        &app.name,
        &field_names,
    )?;
    Ok(Step::Fetch { table, fetches })
}

fn compile_insert(schema: &Schema, cap: &Capability, i: stmt::Insert) -> Result<Plan> {
    let model = schema.model(i.model)?;
    let generated = match model.auto_field() {
        Some((field, Auto::Increment)) => model.fields.get(field).map(|f| Generated {
            field,
            ty: f.ty,
            label: format!("{}.{}", model.name, f.name),
        }),
        _ => None,
    };
    let LoweredInsert { op, records, .. } = lower::lower_insert(schema, i)?;
    if records.is_empty() {
        return Ok(Plan {
            steps: Vec::new(),
            output: Output::Inserted {
                records,
                generated: None,
                steps: Vec::new(),
            },
        });
    }
    if !cap.is_sql() {
        let table = schema.db.table(op.table)?;
        let rows = op
            .rows
            .into_iter()
            .map(|given| {
                let mut row = vec![Value::Null; table.columns.len()];
                for (&c, v) in op.columns.iter().zip(given) {
                    if let Some(slot) = row.get_mut(c) {
                        *slot = v;
                    }
                }
                row
            })
            .collect();
        return Ok(Plan {
            steps: vec![Step::Write(KvWrite::Insert {
                table: op.table,
                rows,
            })],
            output: Output::Inserted {
                records,
                generated: None,
                steps: Vec::new(),
            },
        });
    }
    let width = op.columns.len().max(1);
    let chunk = cap
        .max_insert_rows
        .unwrap_or(usize::MAX)
        .min((MAX_INSERT_PARAMS / width).max(1))
        .max(1);
    let driver::Insert {
        table,
        columns,
        rows,
        returning,
    } = op;
    let mut steps = Vec::with_capacity(rows.len().div_ceil(chunk));
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let part: Vec<Vec<Value>> = rows.by_ref().take(chunk).collect();
        steps.push(Step::Op(Operation::Insert(driver::Insert {
            table,
            columns: columns.clone(),
            rows: part,
            returning: returning.clone(),
        })));
    }
    let step_ids = (0..steps.len()).collect();
    Ok(Plan {
        steps,
        output: Output::Inserted {
            records,
            generated,
            steps: step_ids,
        },
    })
}

fn compile_update(schema: &Schema, cap: &Capability, u: stmt::Update) -> Result<Plan> {
    let model = u.selection.model;
    let returning = u.returning;
    let mut update = lower::lower_update(schema, u)?;
    update.filter = simplify(update.filter);
    if cap.is_sql() {
        let output = if returning {
            Output::Records { step: 0, model }
        } else {
            Output::Count { step: 0 }
        };
        return Ok(Plan::single(Operation::Update(update), output));
    }
    let driver::Update {
        table,
        filter,
        assignments,
        ..
    } = update;
    let fetch = fetch_step(schema, cap, model, table, &filter)?;
    let output = if returning {
        Output::Assigned {
            step: 1,
            model,
            assignments: assignments.clone(),
        }
    } else {
        Output::Count { step: 1 }
    };
    Ok(Plan {
        steps: vec![
            fetch,
            Step::Select {
                input: 0,
                select: driver::Select::records(table, filter),
            },
            Step::Write(KvWrite::Update {
                table,
                input: 1,
                assignments,
            }),
        ],
        output,
    })
}

fn compile_delete(schema: &Schema, cap: &Capability, d: stmt::Delete) -> Result<Plan> {
    let model = d.selection.model;
    let mut delete = lower::lower_delete(schema, d)?;
    delete.filter = simplify(delete.filter);
    if cap.is_sql() {
        return Ok(Plan::single(
            Operation::Delete(delete),
            Output::Count { step: 0 },
        ));
    }
    let fetch = fetch_step(schema, cap, model, delete.table, &delete.filter)?;
    Ok(Plan {
        steps: vec![
            fetch,
            Step::Select {
                input: 0,
                select: driver::Select::records(delete.table, delete.filter),
            },
            Step::Write(KvWrite::Delete {
                table: delete.table,
                input: 1,
            }),
        ],
        output: Output::Count { step: 1 },
    })
}

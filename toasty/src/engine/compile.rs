//! Compiling a statement into a [`Plan`]: verify, lower, simplify, then plan by the
//! driver's capability.
//!
//! * SQL drivers: one `Op` step per driver operation (an insert split by the
//!   bind-parameter limit gives several).
//! * Key-value drivers: `Fetch` (by key or partition, found by `plan_kv`), `Select` (the
//!   reference evaluator applies filter, order, offset and limit), and for writes one
//!   `Write` step whose items become the statement's single `TransactWrite`.

use super::lower;
use super::plan::{Include, KvWrite, Load, Output, Plan, Step};
use super::plan_kv::plan_fetch;
use super::simplify::simplify;
use super::single_row::drop_redundant_limit;
use super::verify::verify;
use super::Statement;
use toasty_core::driver::{self, Capability, Operation};
use toasty_core::schema::app::ModelId;
use toasty_core::schema::{RelationId, Schema};
use toasty_core::stmt::{self, Expr};
use toasty_core::{Error, Result};

/// Most bind parameters one SQL insert carries (below SQLite's, PostgreSQL's and MySQL's
/// limits), so large batches are split into several inserts (in one transaction).
pub(crate) const MAX_INSERT_PARAMS: usize = 30_000;

/// Compiles `stmt` for a driver with capability `cap`.
pub(crate) fn compile(schema: &Schema, cap: &Capability, mut stmt: Statement) -> Result<Plan> {
    prepare(schema, cap, &mut stmt)?;
    compile_verified(schema, cap, stmt)
}

/// The steps before planning, run on every statement (cached shapes too): `now()`
/// becomes one reading of the clock, relation filters become sub-selects, and the
/// statement is verified.
pub(crate) fn prepare(schema: &Schema, cap: &Capability, stmt: &mut Statement) -> Result<()> {
    crate::stmt::now::resolve(stmt);
    super::related_filter::resolve(schema, cap, stmt)?;
    verify(schema, stmt)
}

/// Compiles a statement [`prepare`] accepted.
pub(crate) fn compile_verified(schema: &Schema, cap: &Capability, stmt: Statement) -> Result<Plan> {
    match stmt {
        Statement::Query(q, include) => {
            let model = q.model;
            // A count or a projection returns no records to load relations into.
            let records = q.select == stmt::Select::Records;
            let mut plan = compile_query(schema, cap, q)?;
            if records {
                plan.load = load_for(schema, model, &include)?;
            }
            Ok(plan)
        }
        Statement::Insert(i) => super::create::compile_create(
            schema,
            cap,
            super::CreateTree {
                model: i.model,
                rows: i
                    .rows
                    .into_iter()
                    .map(|values| super::CreateNode {
                        values,
                        nested: Vec::new(),
                    })
                    .collect(),
            },
        ),
        Statement::Create(tree) => super::create::compile_create(schema, cap, tree),
        Statement::Update(u, changes) if changes.is_empty() => compile_update(schema, cap, u),
        Statement::Update(u, changes) => super::has_one_update::compile(schema, cap, u, changes),
        Statement::Delete(d) => super::cascade::compile_delete(schema, cap, d),
    }
}

/// The relations to load for records of `model`: the include paths, plus every eager
/// relation (and the eager relations of what they load).
pub(crate) fn load_for(
    schema: &Schema,
    model: ModelId,
    paths: &[Vec<usize>],
) -> Result<Option<Load>> {
    let mut includes = Vec::new();
    for path in paths {
        add_path(schema, model, &mut includes, path)?;
    }
    add_eager(schema, model, &mut includes)?;
    Ok(if includes.is_empty() {
        None
    } else {
        Some(Load { model, includes })
    })
}

fn include_node<'a>(
    schema: &Schema,
    model: ModelId,
    tree: &'a mut Vec<Include>,
    relation: usize,
) -> Result<&'a mut Include> {
    let rel = schema.relation(RelationId {
        model,
        index: relation,
    })?;
    let pos = match tree.iter().position(|i| i.relation == relation) {
        Some(p) => p,
        None => {
            let mut via = Vec::with_capacity(rel.via.len());
            for step in &rel.via {
                let s = schema.relation(*step)?;
                via.push(Include {
                    relation: step.index,
                    target: s.target,
                    source_fields: s.source_fields(),
                    target_fields: s.target_fields(),
                    nested: Vec::new(),
                    via: Vec::new(),
                });
            }
            tree.push(Include {
                relation,
                target: rel.target,
                source_fields: rel.source_fields(),
                target_fields: rel.target_fields(),
                nested: Vec::new(),
                via,
            });
            tree.len() - 1
        }
    };
    tree.get_mut(pos)
        .ok_or_else(|| Error::driver("an include node disappeared"))
}

fn add_path(
    schema: &Schema,
    model: ModelId,
    tree: &mut Vec<Include>,
    path: &[usize],
) -> Result<()> {
    let Some((&first, rest)) = path.split_first() else {
        return Ok(());
    };
    let node = include_node(schema, model, tree, first)?;
    let target = node.target;
    add_path(schema, target, &mut node.nested, rest)
}

/// Adds the eager relations of `model` to `tree`, and recursively those of every model
/// the tree reaches (eager cycles are refused when the schema is built).
fn add_eager(schema: &Schema, model: ModelId, tree: &mut Vec<Include>) -> Result<()> {
    for (i, rel) in schema.relations_of(model).iter().enumerate() {
        if rel.eager {
            include_node(schema, model, tree, i)?;
        }
    }
    for node in tree.iter_mut() {
        add_eager(schema, node.target, &mut node.nested)?;
    }
    Ok(())
}

fn compile_query(schema: &Schema, cap: &Capability, q: stmt::Query) -> Result<Plan> {
    let model = q.model;
    let mut select = lower::lower_query(schema, q)?;
    select.filter = simplify(select.filter);
    drop_redundant_limit(schema.db.table(select.table)?, &mut select);
    let output = |step| match &select.projection {
        stmt::Select::Count => Output::Count { step },
        stmt::Select::Records => Output::Records { step, model },
        stmt::Select::Fields(_) => Output::Projected { step },
    };
    if cap.is_sql() {
        let output = output(0);
        return Ok(Plan::single(Operation::Select(select), output));
    }
    let output = output(1);
    let fetch = fetch_step(schema, cap, model, select.table, &select.filter)?;
    Ok(Plan {
        steps: vec![fetch, Step::Select { input: 0, select }],
        output,
        load: None,
    })
}

/// The key-value fetch that reaches every row `filter` can match, or `Unsupported`
/// naming the index to add.
pub(crate) fn fetch_step(
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
        if !update.arithmetic.is_empty() {
            // The database computes the new values; the rows it returns are checked
            // against the fields' types, in the transaction the plan then needs.
            let app = schema.model(model)?;
            let table = schema.db.table(update.table)?;
            let mapping = lower::mapping_for(schema, model)?;
            let mut columns = Vec::with_capacity(update.arithmetic.len());
            for (c, _) in &update.arithmetic {
                let ty = table
                    .columns
                    .get(*c)
                    .map(|col| col.ty)
                    .ok_or_else(|| Error::driver(format!("table column #{c} is missing")))?;
                let field = mapping.columns.iter().position(|&mc| mc == *c);
                let name = field
                    .and_then(|f| app.fields.get(f))
                    .map(|f| f.name.clone())
                    .unwrap_or_default();
                columns.push(super::plan::Generated {
                    field: *c,
                    ty,
                    label: format!("{}.{name}", app.name),
                });
            }
            update.returning = true;
            // The matched rows are read first and every result checked with the
            // reference arithmetic, so an overflow is `ValueOutOfRange` with nothing
            // written, before the database could report another error for the same
            // update (a unique violation of one of its assignments, its own overflow
            // error); the rows the update returns are checked again, inside the same
            // transaction, in case a concurrent writer changed them in between.
            let output = match output {
                Output::Records { model, .. } => Output::Records { step: 2, model },
                _ => Output::Count { step: 2 },
            };
            let read = driver::Select::records(update.table, update.filter.clone());
            return Ok(Plan {
                steps: vec![
                    Step::Op(Operation::Select(read)),
                    Step::CheckArith {
                        input: 0,
                        table: update.table,
                        arithmetic: update.arithmetic.clone(),
                    },
                    Step::Op(Operation::Update(update)),
                ],
                output: Output::Checked {
                    step: 2,
                    columns,
                    inner: Box::new(output),
                },
                load: None,
            });
        }
        return Ok(Plan::single(Operation::Update(update), output));
    }
    let driver::Update {
        table,
        filter,
        assignments,
        arithmetic,
        ..
    } = update;
    let fetch = fetch_step(schema, cap, model, table, &filter)?;
    let output = if returning {
        Output::Assigned {
            step: 1,
            model,
            assignments: assignments.clone(),
            arithmetic: arithmetic.clone(),
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
                arithmetic,
            }),
        ],
        output,
        load: None,
    })
}

//! Compiling a delete: the records and, through the model's `#[has_many]` /
//! `#[has_one]` relations, what happens to their children (see docs/semantics.md):
//!
//! * a child whose foreign key is required is deleted too (and its own children in
//!   turn);
//! * a child whose foreign key is optional stays, with the nullable foreign-key fields
//!   set to NULL.
//!
//! The plan first reads the records to delete, then finds their children by foreign key
//! (an `IN` list of the parents' keys, built when the plan runs), and deletes or updates
//! children before parents. On SQL the plan has several writes and runs in one
//! transaction; on a key-value store the reads come first and every write is an item of
//! the statement's one `TransactWrite`, so the cascade is atomic everywhere.

use super::compile::fetch_step;
use super::lower;
use super::plan::{KeysFrom, KvWrite, Output, Plan, Step, StepId};
use super::simplify::simplify;
use toasty_core::driver::{self, Capability, Operation};
use toasty_core::schema::app::{ModelId, RelationKind};
use toasty_core::schema::Schema;
use toasty_core::stmt::{self, Expr};
use toasty_core::{Error, Result, Value};

pub(crate) fn compile_delete(schema: &Schema, cap: &Capability, d: stmt::Delete) -> Result<Plan> {
    let model = d.selection.model;
    let mut delete = lower::lower_delete(schema, d)?;
    delete.filter = simplify(delete.filter);
    let cascades = has_children(schema, model);
    let table = delete.table;
    let pk = schema.db.table(table)?.primary_key.clone();
    if cap.is_sql() {
        if !cascades {
            return Ok(Plan::single(
                Operation::Delete(delete),
                Output::Count { step: 0 },
            ));
        }
        let mut steps = vec![Step::Op(Operation::Select(driver::Select::records(
            table,
            delete.filter,
        )))];
        let mut path = vec![model];
        cascade_sql(schema, model, 0, &mut steps, &mut path)?;
        let last = steps.len();
        steps.push(Step::OpWhereIn {
            op: Operation::Delete(driver::Delete {
                table,
                filter: Expr::true_(),
            }),
            keys: KeysFrom {
                input: 0,
                from: pk.clone(),
                to: pk,
            },
        });
        return Ok(Plan {
            steps,
            output: Output::Count { step: last },
            load: None,
        });
    }
    let fetch = fetch_step(schema, cap, model, table, &delete.filter)?;
    let mut steps = vec![
        fetch,
        Step::Select {
            input: 0,
            select: driver::Select::records(table, delete.filter),
        },
    ];
    let mut writes = Vec::new();
    let mut path = vec![model];
    cascade_kv(schema, model, 1, &mut steps, &mut writes, &mut path)?;
    writes.push(Step::Write(KvWrite::Delete { table, input: 1 }));
    steps.extend(writes);
    Ok(Plan {
        steps,
        output: Output::Count { step: 1 },
        load: None,
    })
}

/// `true` if deleting a record of `model` can affect other records.
fn has_children(schema: &Schema, model: ModelId) -> bool {
    schema
        .relations_of(model)
        .iter()
        .any(|r| r.kind != RelationKind::BelongsTo && !r.is_via())
}

/// One child relation of `model`: the child table, the keys that find its records from
/// the parent rows of step `input`, and (for an optional foreign key) the assignments
/// that unlink them.
struct ChildLink {
    child: ModelId,
    table: toasty_core::schema::db::TableId,
    keys: KeysFrom,
    unlink: Option<Vec<(usize, Value)>>,
    label: String,
}

fn children(schema: &Schema, model: ModelId, input: StepId) -> Result<Vec<ChildLink>> {
    let parent_map = lower::mapping_for(schema, model)?;
    let parent_name = schema.model(model)?.name.clone();
    let mut out = Vec::new();
    for rel in schema.relations_of(model) {
        // A `via` relation owns no foreign key: the relations it follows cascade.
        if rel.kind == RelationKind::BelongsTo || rel.is_via() {
            continue;
        }
        let child = rel.target;
        let child_model = schema.model(child)?;
        let child_map = lower::mapping_for(schema, child)?;
        let col = |m: &toasty_core::schema::mapping::Model, f: usize| {
            m.columns
                .get(f)
                .copied()
                .ok_or_else(|| Error::invalid_statement(format!("field #{f} has no column")))
        };
        let from = rel
            .parent_fields()
            .into_iter()
            .map(|f| col(parent_map, f))
            .collect::<Result<Vec<_>>>()?;
        let to = rel
            .child_fields()
            .into_iter()
            .map(|f| col(child_map, f))
            .collect::<Result<Vec<_>>>()?;
        let unlink = if rel.fk_nullable {
            let mut set = Vec::new();
            for f in rel.child_fields() {
                if child_model.fields.get(f).is_some_and(|x| x.nullable) {
                    set.push((col(child_map, f)?, Value::Null));
                }
            }
            Some(set)
        } else {
            None
        };
        out.push(ChildLink {
            child,
            table: child_map.table,
            keys: KeysFrom { input, from, to },
            unlink,
            label: format!("{parent_name}.{}", rel.name),
        });
    }
    Ok(out)
}

fn cycle(path: &[ModelId], schema: &Schema, label: &str) -> Error {
    let names: Vec<String> = path
        .iter()
        .filter_map(|m| schema.model(*m).ok().map(|m| m.name.clone()))
        .collect();
    Error::unsupported(format!(
        "deleting a `{}` would cascade through `{label}` back to a model it is already \
         deleting ({}); cascading deletes around a cycle of required foreign keys are not \
         supported: make one of the foreign keys optional, or delete the records bottom-up",
        names.first().cloned().unwrap_or_default(),
        names.join(" -> ")
    ))
}

fn cascade_sql(
    schema: &Schema,
    model: ModelId,
    input: StepId,
    steps: &mut Vec<Step>,
    path: &mut Vec<ModelId>,
) -> Result<()> {
    for link in children(schema, model, input)? {
        if let Some(assignments) = link.unlink {
            steps.push(Step::OpWhereIn {
                op: Operation::Update(driver::Update {
                    table: link.table,
                    filter: Expr::true_(),
                    assignments,
                    arithmetic: Vec::new(),
                    returning: false,
                }),
                keys: link.keys,
            });
            continue;
        }
        if path.contains(&link.child) {
            return Err(cycle(path, schema, &link.label));
        }
        if has_children(schema, link.child) {
            let read = steps.len();
            steps.push(Step::OpWhereIn {
                op: Operation::Select(driver::Select::records(link.table, Expr::true_())),
                keys: link.keys,
            });
            path.push(link.child);
            cascade_sql(schema, link.child, read, steps, path)?;
            path.pop();
            let pk = schema.db.table(link.table)?.primary_key.clone();
            steps.push(Step::OpWhereIn {
                op: Operation::Delete(driver::Delete {
                    table: link.table,
                    filter: Expr::true_(),
                }),
                keys: KeysFrom {
                    input: read,
                    from: pk.clone(),
                    to: pk,
                },
            });
        } else {
            steps.push(Step::OpWhereIn {
                op: Operation::Delete(driver::Delete {
                    table: link.table,
                    filter: Expr::true_(),
                }),
                keys: link.keys,
            });
        }
    }
    Ok(())
}

fn cascade_kv(
    schema: &Schema,
    model: ModelId,
    input: StepId,
    reads: &mut Vec<Step>,
    writes: &mut Vec<Step>,
    path: &mut Vec<ModelId>,
) -> Result<()> {
    for link in children(schema, model, input)? {
        if link.unlink.is_none() && path.contains(&link.child) {
            return Err(cycle(path, schema, &link.label));
        }
        let read = reads.len();
        reads.push(Step::FetchWhereIn {
            table: link.table,
            keys: link.keys,
        });
        match link.unlink {
            Some(assignments) => writes.push(Step::Write(KvWrite::Unlink {
                table: link.table,
                input: read,
                assignments,
            })),
            None => {
                path.push(link.child);
                cascade_kv(schema, link.child, read, reads, writes, path)?;
                path.pop();
                writes.push(Step::Write(KvWrite::Delete {
                    table: link.table,
                    input: read,
                }));
            }
        }
    }
    Ok(())
}

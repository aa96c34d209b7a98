//! Compiling an update that points `#[has_one]` relations at other records
//! (`user.update().profile(create!(Profile { .. }))`, `.profile(&profile)`,
//! `.profile(None)`), as one plan (see docs/semantics.md):
//!
//! 1. read the record to update (the selection must pin its whole primary key, so the
//!    foreign key its children get is known now); when it does not exist, nothing more
//!    happens (the update counts 0);
//! 2. for a link, read the record to link: when it does not exist the statement fails
//!    with `NotFound` before anything is written;
//! 3. update the record's own fields, if any are assigned;
//! 4. per relation, the record's current child (other than the one being linked) is
//!    deleted when its foreign key is required (with what deleting it cascades to) or
//!    gets a NULL foreign key when it is optional;
//! 5. the new child is created with the record's key as its foreign key, or the linked
//!    record's foreign key is set to it.
//!
//! Each part is compiled as the statement it is (a query, an update, a delete with its
//! cascade, a create) and the plans are joined: in order on SQL, where the plan runs in
//! one transaction; on a key-value store every read first, then the checks, then every
//! write, which all become items of the statement's one `TransactWrite` (the claim on
//! the foreign key's unique value moves from the old child to the new one with one
//! `Transfer` item).

use super::compile::compile as compile_statement;
use super::plan::{OnEmpty, Output, Plan, Step, StepId};
use super::{CreateTree, HasOneChange, HasOneTo, Statement};
use toasty_core::driver::Capability;
use toasty_core::schema::app::RelationKind;
use toasty_core::schema::{RelationId, Schema};
use toasty_core::stmt::{self, BinaryOp, Expr};
use toasty_core::{Error, Result, Value};

pub(crate) fn compile(
    schema: &Schema,
    cap: &Capability,
    update: stmt::Update,
    changes: Box<[HasOneChange]>,
) -> Result<Plan> {
    let model = update.selection.model;
    let app = schema.model(model)?;
    let key = pinned_key(&app.primary_key, update.selection.filter.as_ref());
    if key.is_none() {
        let names: Vec<String> = changes
            .iter()
            .filter_map(|c| {
                schema
                    .relation(RelationId {
                        model,
                        index: c.relation,
                    })
                    .ok()
                    .map(|r| format!("`{}.{}`", app.name, r.name))
            })
            .collect();
        return Err(Error::invalid_statement(format!(
            "setting {} in an update needs the one record it changes: update a record \
             (`record.update()`) or select it by its whole primary key \
             (`{}::filter_by_<key>(..).update()`)",
            names.join(", "),
            app.name
        )));
    }
    let mut joined = Joined::new(cap.is_sql());

    // 1. The record to update.
    let parent = compile_statement(
        schema,
        cap,
        Statement::Query(
            stmt::Query {
                select: stmt::Select::Records,
                ..update.selection.clone()
            },
            Vec::new(),
        ),
    )?;
    let parent_rows = rows_step(&parent)?;
    let parent_map = joined.reads(parent)?;
    let parent_rows = map_id(&parent_map, parent_rows)?;
    joined.check(parent_rows, OnEmpty::Stop);

    // Each change, compiled as the statements it is made of.
    let mut writes: Vec<Plan> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for change in changes.into_vec().into_iter().rev() {
        // A relation given twice keeps the last value.
        if seen.contains(&change.relation) {
            continue;
        }
        seen.push(change.relation);
        let rel = schema.relation(RelationId {
            model,
            index: change.relation,
        })?;
        if rel.kind != RelationKind::HasOne || rel.is_via() {
            return Err(Error::invalid_statement(format!(
                "`{}.{}` is not a #[has_one] relation; an update points only a #[has_one] \
                 (or, through its foreign key, a #[belongs_to]) at another record",
                app.name, rel.name
            )));
        }
        let Some(key) = &key else {
            return Err(Error::driver("the key of the record to update disappeared"));
        };
        let child = schema.model(rel.target)?;
        // The foreign key the child gets: the record's key.
        let mut fk: Vec<(usize, Value)> = Vec::with_capacity(rel.fk.len());
        for &(child_field, parent_field) in &rel.fk {
            let value = key
                .iter()
                .find(|(f, _)| *f == parent_field)
                .map(|(_, v)| v.clone())
                .ok_or_else(|| {
                    Error::invalid_statement(format!(
                        "`{}.{}` refers to a field that is not part of `{}`'s primary key",
                        app.name, rel.name, app.name
                    ))
                })?;
            fk.push((child_field, value));
        }
        let by_fk = Expr::And(
            fk.iter()
                .map(|(f, v)| Expr::eq(Expr::Field(*f), Expr::Value(v.clone())))
                .collect(),
        );
        let by_key = |k: &[(usize, Value)]| {
            Expr::And(
                k.iter()
                    .map(|(f, v)| Expr::eq(Expr::Field(*f), Expr::Value(v.clone())))
                    .collect(),
            )
        };
        let query = |filter: Expr| stmt::Query {
            model: rel.target,
            filter: Some(filter),
            order_by: Vec::new(),
            limit: None,
            offset: None,
            select: stmt::Select::Records,
        };

        // 2. The record to link must exist.
        let linked = match &change.to {
            HasOneTo::Link(k) => {
                if k.iter().any(|(_, v)| v.is_null()) {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` is pointed at a record without a key",
                        app.name, rel.name
                    )));
                }
                let read =
                    compile_statement(schema, cap, Statement::Query(query(by_key(k)), Vec::new()))?;
                let rows = rows_step(&read)?;
                let map = joined.reads(read)?;
                joined.check(
                    map_id(&map, rows)?,
                    OnEmpty::Fail(format!(
                        "the `{}` record to link through `{}.{}` does not exist",
                        child.name, app.name, rel.name
                    )),
                );
                Some(k.clone())
            }
            HasOneTo::Unset if !rel.optional => {
                return Err(Error::invalid_statement(format!(
                    "`{}.{}` is required: every `{}` has one, so it cannot be unset; point it \
                     at another record (`.{}(&record)`) or create a new one",
                    app.name, rel.name, app.name, rel.name
                )))
            }
            _ => None,
        };

        // 4. The current child, unless it is the record being linked.
        let mut old = vec![by_fk];
        if let Some(k) = &linked {
            old.push(Expr::Not(Box::new(by_key(k))));
        }
        let old = query(Expr::And(old));
        let remove = if rel.fk_nullable {
            let assignments = rel
                .child_fields()
                .into_iter()
                .filter(|&f| child.fields.get(f).is_some_and(|x| x.nullable))
                .map(|f| (f, Value::Null))
                .collect();
            Statement::Update(
                stmt::Update {
                    selection: old,
                    assignments,
                    arithmetic: Vec::new(),
                    returning: false,
                },
                Box::default(),
            )
        } else {
            Statement::Delete(stmt::Delete { selection: old })
        };
        writes.push(compile_statement(schema, cap, remove)?);

        // 5. The new child.
        match change.to {
            HasOneTo::Create(mut node) => {
                for (field, value) in &fk {
                    match node.values.get_mut(*field) {
                        Some(slot @ None) => *slot = Some(value.clone()),
                        Some(Some(given)) if given.same_as(value) => {}
                        Some(Some(_)) => {
                            let name = child
                                .fields
                                .get(*field)
                                .map(|f| f.name.as_str())
                                .unwrap_or("?");
                            return Err(Error::invalid_statement(format!(
                                "`{}.{name}` is set by the `{}` record this `{}` is created \
                                 for through `{}.{}`; leave it out",
                                child.name, app.name, child.name, app.name, rel.name
                            )));
                        }
                        None => {
                            return Err(Error::invalid_statement(format!(
                                "`{}` has no field #{field}",
                                child.name
                            )))
                        }
                    }
                }
                let mut plan = compile_statement(
                    schema,
                    cap,
                    Statement::Create(CreateTree {
                        model: rel.target,
                        rows: vec![node],
                    }),
                )?;
                plan.load = None;
                writes.push(plan);
            }
            HasOneTo::Link(k) => writes.push(compile_statement(
                schema,
                cap,
                Statement::Update(
                    stmt::Update {
                        selection: query(by_key(&k)),
                        assignments: fk,
                        arithmetic: Vec::new(),
                        returning: false,
                    },
                    Box::default(),
                ),
            )?),
            HasOneTo::Unset => {}
        }
    }

    // 3. The record's own fields, then the children.
    let own = !update.assignments.is_empty() || !update.arithmetic.is_empty();
    let output = if own {
        let plan = compile_statement(schema, cap, Statement::Update(update, Box::default()))?;
        let output = plan.output.clone();
        let map = joined.all(plan)?;
        remap_output(output, &map)?
    } else {
        Output::Count { step: parent_rows }
    };
    for plan in writes {
        joined.all(plan)?;
    }
    Ok(Plan {
        steps: joined.finish(),
        output,
        load: None,
    })
}

/// The values the filter pins every primary-key field to (`field = value` in its
/// top-level conjunction), or `None`.
fn pinned_key(pk: &[usize], filter: Option<&Expr>) -> Option<Vec<(usize, Value)>> {
    fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
        match e {
            Expr::And(items) => items.iter().for_each(|i| conjuncts(i, out)),
            other => out.push(other),
        }
    }
    let mut all = Vec::new();
    conjuncts(filter?, &mut all);
    pk.iter()
        .map(|&f| {
            all.iter().find_map(|e| match e {
                Expr::Binary {
                    op: BinaryOp::Eq,
                    lhs,
                    rhs,
                } => match (&**lhs, &**rhs) {
                    (Expr::Field(x), Expr::Value(v)) | (Expr::Value(v), Expr::Field(x))
                        if *x == f && !v.is_null() =>
                    {
                        Some((f, v.clone()))
                    }
                    _ => None,
                },
                _ => None,
            })
        })
        .collect()
}

/// The step whose rows are the records a compiled query returns.
fn rows_step(plan: &Plan) -> Result<StepId> {
    match plan.output {
        Output::Records { step, .. } => Ok(step),
        _ => Err(Error::driver("a query plan does not return records")),
    }
}

fn map_id(map: &[Option<StepId>], id: StepId) -> Result<StepId> {
    map.get(id)
        .copied()
        .flatten()
        .ok_or_else(|| Error::driver(format!("plan step #{id} was not joined")))
}

fn remap_output(output: Output, map: &[Option<StepId>]) -> Result<Output> {
    Ok(match output {
        Output::Records { step, model } => Output::Records {
            step: map_id(map, step)?,
            model,
        },
        Output::Assigned {
            step,
            model,
            assignments,
            arithmetic,
        } => Output::Assigned {
            step: map_id(map, step)?,
            model,
            assignments,
            arithmetic,
        },
        Output::Checked {
            step,
            columns,
            inner,
        } => Output::Checked {
            step: map_id(map, step)?,
            columns,
            inner: Box::new(remap_output(*inner, map)?),
        },
        Output::Count { step } => Output::Count {
            step: map_id(map, step)?,
        },
        Output::Projected { step } => Output::Projected {
            step: map_id(map, step)?,
        },
        Output::Inserted { .. } => {
            return Err(Error::driver("an update's outcome is not a create's"))
        }
    })
}

/// Plans joined into one: on SQL in order; on a key-value store reads, then checks,
/// then writes (a key-value write step is only ever an input to nothing, so moving the
/// writes after every read keeps each step's inputs before it).
struct Joined {
    sql: bool,
    reads: Vec<Step>,
    checks: Vec<Step>,
    writes: Vec<Step>,
}

impl Joined {
    fn new(sql: bool) -> Joined {
        Joined {
            sql,
            reads: Vec::new(),
            checks: Vec::new(),
            writes: Vec::new(),
        }
    }

    /// Adds a plan that only reads; returns where each of its steps went.
    fn reads(&mut self, plan: Plan) -> Result<Vec<Option<StepId>>> {
        self.all(plan)
    }

    /// A check of step `input`'s rows, after the reads and before the writes.
    fn check(&mut self, input: StepId, on_empty: OnEmpty) {
        let step = Step::Check { input, on_empty };
        if self.sql {
            self.reads.push(step);
        } else {
            self.checks.push(step);
        }
    }

    /// Adds every step of `plan`; returns where each read step went (write steps of a
    /// key-value plan have no id yet: `None`).
    fn all(&mut self, plan: Plan) -> Result<Vec<Option<StepId>>> {
        let mut map: Vec<Option<StepId>> = Vec::with_capacity(plan.steps.len());
        let mut steps = plan.steps.into_iter().peekable();
        while let Some(step) = steps.next() {
            let step = remap(step, &map)?;
            // A key-value read of rows another part already reads (a fetch and the
            // select over it, which consumes the fetch's rows) is read once.
            if !self.sql && matches!(step, Step::Fetch { .. } | Step::FetchWhereIn { .. }) {
                if let Some(Step::Select { input, select }) = steps.peek() {
                    if *input == map.len() {
                        let found = (0..self.reads.len().saturating_sub(1)).find(|&j| {
                            self.reads[j] == step
                                && matches!(&self.reads[j + 1], Step::Select { input: i, select: s }
                                    if *i == j && s == select)
                        });
                        if let Some(j) = found {
                            steps.next();
                            map.push(Some(j));
                            map.push(Some(j + 1));
                            continue;
                        }
                    }
                }
            }
            if self.sql || !matches!(step, Step::Write(_)) {
                map.push(Some(self.reads.len()));
                self.reads.push(step);
            } else {
                map.push(None);
                self.writes.push(step);
            }
        }
        Ok(map)
    }

    fn finish(self) -> Vec<Step> {
        let mut steps = self.reads;
        steps.extend(self.checks);
        steps.extend(self.writes);
        steps
    }
}

/// `step` with the ids of the steps it reads mapped through `map`.
fn remap(step: Step, map: &[Option<StepId>]) -> Result<Step> {
    use super::plan::KvWrite;
    let m = |id: StepId| map_id(map, id);
    Ok(match step {
        Step::Op(op) => Step::Op(op),
        Step::Insert { op, fills } => Step::Insert {
            op,
            fills: fills
                .into_iter()
                .map(|f| {
                    Ok(super::plan::Fill {
                        from: m(f.from)?,
                        ..f
                    })
                })
                .collect::<Result<_>>()?,
        },
        Step::OpWhereIn { op, mut keys } => {
            keys.input = m(keys.input)?;
            Step::OpWhereIn { op, keys }
        }
        Step::FetchWhereIn { table, mut keys } => {
            keys.input = m(keys.input)?;
            Step::FetchWhereIn { table, keys }
        }
        Step::Fetch { table, fetches } => Step::Fetch { table, fetches },
        Step::Select { input, select } => Step::Select {
            input: m(input)?,
            select,
        },
        Step::Check { input, on_empty } => Step::Check {
            input: m(input)?,
            on_empty,
        },
        Step::CheckArith {
            input,
            table,
            arithmetic,
        } => Step::CheckArith {
            input: m(input)?,
            table,
            arithmetic,
        },
        Step::Write(w) => Step::Write(match w {
            KvWrite::Insert { table, rows } => KvWrite::Insert { table, rows },
            KvWrite::Update {
                table,
                input,
                assignments,
                arithmetic,
            } => KvWrite::Update {
                table,
                input: m(input)?,
                assignments,
                arithmetic,
            },
            KvWrite::Delete { table, input } => KvWrite::Delete {
                table,
                input: m(input)?,
            },
            KvWrite::Unlink {
                table,
                input,
                assignments,
            } => KvWrite::Unlink {
                table,
                input: m(input)?,
                assignments,
            },
        }),
    })
}

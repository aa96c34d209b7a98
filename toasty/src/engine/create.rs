//! Compiling a create, with the records created with it through relations
//! (`create!(User { todos: [{ .. }, { .. }] })`), into one plan.
//!
//! The records are inserted in groups, one per model and relation level: a
//! `#[belongs_to]` record given inline is inserted before the records that refer to it,
//! `#[has_many]` / `#[has_one]` records after the record they refer to. A foreign key
//! that refers to a key the database generates (auto-increment) is a [`Fill`]: the
//! child insert's cell is taken from the parent insert's returned key when the plan
//! runs. The plan has more than one write, so on SQL it runs in one transaction; on a
//! key-value store every group is a write step of the statement's one `TransactWrite`
//! (keys are generated client-side there, so no fill is ever needed).

use super::compile::{load_for, MAX_INSERT_PARAMS};
use super::lower::{self, LoweredInsert};
use super::plan::{Attach, Fill, Generated, InsertGroup, KvWrite, Output, Plan, Step, StepId};
use super::verify::verify_insert_row;
use super::{CreateNode, CreateTree};
use toasty_core::driver::{self, Capability, Operation};
use toasty_core::schema::app::{Auto, ModelId, RelationKind};
use toasty_core::schema::Schema;
use toasty_core::stmt;
use toasty_core::{Error, Result, Value};

pub(crate) fn compile_create(schema: &Schema, cap: &Capability, tree: CreateTree) -> Result<Plan> {
    let model = tree.model;
    if tree.rows.is_empty() {
        return Ok(Plan {
            steps: Vec::new(),
            output: Output::Inserted {
                groups: vec![InsertGroup {
                    model,
                    records: Vec::new(),
                    generated: None,
                    steps: Vec::new(),
                    copies: Vec::new(),
                    attach: None,
                }],
                root: 0,
            },
            load: None,
        });
    }
    let mut b = Builder {
        schema,
        cap,
        steps: Vec::new(),
        groups: Vec::new(),
        rows_at: Vec::new(),
    };
    let presets = vec![Vec::new(); tree.rows.len()];
    let root = b.group(model, tree.rows, presets, None)?;
    let load = load_for(schema, model, &[])?;
    Ok(Plan {
        steps: b.steps,
        output: Output::Inserted {
            groups: b.groups,
            root,
        },
        load,
    })
}

/// Where a field value of a record being created comes from.
#[derive(Debug, Clone)]
enum Src {
    /// Known now.
    Lit(Value),
    /// The key the database generates for row `row` of group `group`.
    Gen { group: usize, row: usize },
}

/// Per row of a group: the insert step and the row within it.
type RowsAt = Vec<(StepId, usize)>;

struct Builder<'a> {
    schema: &'a Schema,
    cap: &'a Capability,
    steps: Vec<Step>,
    groups: Vec<InsertGroup>,
    /// Per group: for each row, the insert step and the row within it.
    rows_at: Vec<RowsAt>,
}

impl Builder<'_> {
    /// Adds the group of `nodes` (records of `model`; `presets[i]` are the foreign-key
    /// values of node `i` that come from the record it was created with), with every
    /// record created with them. Returns the group's index.
    fn group(
        &mut self,
        model: ModelId,
        nodes: Vec<CreateNode>,
        presets: Vec<Vec<(usize, Src)>>,
        attach: Option<Attach>,
    ) -> Result<usize> {
        let schema = self.schema;
        let app = schema.model(model)?;
        let rels = schema.relations_of(model);
        let gid = self.groups.len();
        self.groups.push(InsertGroup {
            model,
            records: Vec::new(),
            generated: None,
            steps: Vec::new(),
            copies: Vec::new(),
            attach,
        });
        self.rows_at.push(Vec::new());

        // Split each record's nested records by relation: parents first, children after.
        let mut values: Vec<Vec<Option<Value>>> = Vec::with_capacity(nodes.len());
        let mut before: Vec<(usize, Vec<(usize, CreateNode)>)> = Vec::new();
        let mut after: Vec<(usize, Vec<(usize, CreateNode)>)> = Vec::new();
        for (i, node) in nodes.into_iter().enumerate() {
            values.push(node.values);
            let mut counts = vec![0usize; rels.len()];
            for (r, child) in node.nested {
                let rel = rels.get(r).ok_or_else(|| {
                    Error::invalid_statement(format!("`{}` has no relation #{r}", app.name))
                })?;
                if rel.is_via() {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` is a #[has_many(via = ..)] relation, which is read-only; create \
                         the records of the relations it follows instead",
                        app.name, rel.name
                    )));
                }
                counts[r] += 1;
                if rel.kind != RelationKind::HasMany && counts[r] > 1 {
                    return Err(Error::invalid_statement(format!(
                        "`{}.{}` holds one record, but the create gives it {}",
                        app.name, rel.name, counts[r]
                    )));
                }
                let side = if rel.kind == RelationKind::BelongsTo {
                    &mut before
                } else {
                    &mut after
                };
                match side.iter_mut().find(|(x, _)| *x == r) {
                    Some((_, list)) => list.push((i, child)),
                    None => side.push((r, vec![(i, child)])),
                }
            }
            for (r, rel) in rels.iter().enumerate() {
                if rel.kind == RelationKind::HasOne && !rel.optional && counts[r] == 0 {
                    return Err(Error::invalid_statement(format!(
                        "missing `{}.{}`: every `{}` has one, so create it with the record \
                         (`{}: {{ .. }}` in create!, or the builder's `.{}(..)`)",
                        app.name, rel.name, app.name, rel.name, rel.name
                    )));
                }
            }
        }
        before.sort_by_key(|(r, _)| *r);
        after.sort_by_key(|(r, _)| *r);

        // Foreign keys given by the record created with this one.
        let mut srcs: Vec<Vec<(usize, Src)>> = presets;
        srcs.resize(values.len(), Vec::new());

        // Parents given inline are inserted first; their keys become our foreign keys.
        for (r, list) in before {
            let rel = &rels[r];
            let owners: Vec<usize> = list.iter().map(|(i, _)| *i).collect();
            let children: Vec<CreateNode> = list.into_iter().map(|(_, c)| c).collect();
            let n = children.len();
            let pg = self.group(
                rel.target,
                children,
                vec![Vec::new(); n],
                Some(Attach {
                    group: gid,
                    relation: r,
                    owners: owners.clone(),
                }),
            )?;
            for (j, &owner) in owners.iter().enumerate() {
                for &(child_field, parent_field) in &rel.fk {
                    let src = self.src(pg, j, parent_field)?;
                    srcs[owner].push((child_field, src));
                }
            }
        }

        // This group's records.
        let mut filled: Vec<(usize, usize, usize, usize)> = Vec::new();
        for (i, row) in values.iter_mut().enumerate() {
            for (field, src) in &srcs[i] {
                let slot = row.get_mut(*field).ok_or_else(|| {
                    Error::invalid_statement(format!("`{}` has no field #{field}", app.name))
                })?;
                if slot.is_some() {
                    let name = app
                        .fields
                        .get(*field)
                        .map(|f| f.name.as_str())
                        .unwrap_or("?");
                    return Err(Error::invalid_statement(format!(
                        "`{}.{name}` is set by the record this `{}` is created with; leave it \
                         out",
                        app.name, app.name
                    )));
                }
                match src {
                    Src::Lit(v) => *slot = Some(v.clone()),
                    Src::Gen { group, row: r } => filled.push((i, *field, *group, *r)),
                }
            }
        }
        for (i, row) in values.iter().enumerate() {
            let gen: Vec<usize> = filled
                .iter()
                .filter(|(r, ..)| *r == i)
                .map(|(_, f, ..)| *f)
                .collect();
            verify_insert_row(app, row, &gen)?;
        }
        let generated = match app.auto_field() {
            Some((field, Auto::Increment)) => app.fields.get(field).map(|f| Generated {
                field,
                ty: f.ty,
                label: format!("{}.{}", app.name, f.name),
            }),
            _ => None,
        };
        let LoweredInsert { op, records } = lower::lower_insert(
            schema,
            stmt::Insert {
                model,
                rows: values,
            },
        )?;
        let mapping = lower::mapping_for(schema, model)?;
        let mut fills: Vec<Fill> = Vec::new();
        for &(row, field, group, from_row) in &filled {
            let col =
                mapping.columns.get(field).copied().ok_or_else(|| {
                    Error::invalid_statement(format!("field #{field} has no column"))
                })?;
            let column = op.columns.iter().position(|&c| c == col).ok_or_else(|| {
                Error::driver(format!("the insert of `{}` has no column #{col}", app.name))
            })?;
            let (from, from_row) = self
                .rows_at
                .get(group)
                .and_then(|r| r.get(from_row))
                .copied()
                .ok_or_else(|| Error::driver("a generated key comes from an unknown row"))?;
            let check = match app.fields.get(field) {
                Some(f) => Generated {
                    field,
                    ty: f.ty,
                    label: format!("{}.{}", app.name, f.name),
                },
                None => return Err(Error::invalid_statement(format!("no field #{field}"))),
            };
            fills.push(Fill {
                row,
                column,
                from,
                from_row,
                check,
            });
        }
        let (steps, rows_at) = self.emit(op, fills)?;
        let g = &mut self.groups[gid];
        g.records = records;
        g.generated = generated;
        g.steps = steps;
        g.copies = filled;
        self.rows_at[gid] = rows_at;

        // Children are inserted after; their foreign keys are our keys.
        for (r, list) in after {
            let rel = &rels[r];
            let owners: Vec<usize> = list.iter().map(|(i, _)| *i).collect();
            let children: Vec<CreateNode> = list.into_iter().map(|(_, c)| c).collect();
            let mut presets = Vec::with_capacity(children.len());
            for &owner in &owners {
                let mut preset = Vec::with_capacity(rel.fk.len());
                for &(child_field, parent_field) in &rel.fk {
                    preset.push((child_field, self.src(gid, owner, parent_field)?));
                }
                presets.push(preset);
            }
            self.group(
                rel.target,
                children,
                presets,
                Some(Attach {
                    group: gid,
                    relation: r,
                    owners,
                }),
            )?;
        }
        Ok(gid)
    }

    /// Where the value of `field` of row `row` of group `group` comes from.
    fn src(&self, group: usize, row: usize, field: usize) -> Result<Src> {
        let g = self
            .groups
            .get(group)
            .ok_or_else(|| Error::driver("a relation refers to an unknown group"))?;
        if g.generated.as_ref().is_some_and(|gen| gen.field == field) {
            return Ok(Src::Gen { group, row });
        }
        if let Some(&(_, _, from_group, from_row)) =
            g.copies.iter().find(|(r, f, ..)| *r == row && *f == field)
        {
            return Ok(Src::Gen {
                group: from_group,
                row: from_row,
            });
        }
        g.records
            .get(row)
            .and_then(|r| r.get(field))
            .cloned()
            .map(Src::Lit)
            .ok_or_else(|| Error::driver("a relation refers to an unknown record"))
    }

    /// Emits the insert steps of one group (split past the bind-parameter limit on SQL)
    /// and returns their ids and, per row, the step and the row within it.
    fn emit(&mut self, op: driver::Insert, fills: Vec<Fill>) -> Result<(Vec<StepId>, RowsAt)> {
        if op.rows.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        if !self.cap.is_sql() {
            if !fills.is_empty() {
                return Err(Error::unsupported(format!(
                    "{} cannot fill a foreign key from a key the database generates",
                    self.cap.name
                )));
            }
            let table = self.schema.db.table(op.table)?;
            let n = op.rows.len();
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
            let id = self.steps.len();
            self.steps.push(Step::Write(KvWrite::Insert {
                table: op.table,
                rows,
            }));
            return Ok((vec![id], (0..n).map(|r| (id, r)).collect()));
        }
        let width = op.columns.len().max(1);
        let chunk = self
            .cap
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
        let mut ids = Vec::new();
        let mut rows_at = Vec::with_capacity(rows.len());
        let mut rows = rows.into_iter().peekable();
        let mut first_row = 0;
        while rows.peek().is_some() {
            let part: Vec<Vec<Value>> = rows.by_ref().take(chunk).collect();
            let n = part.len();
            let id = self.steps.len();
            let part_fills: Vec<Fill> = fills
                .iter()
                .filter(|f| (first_row..first_row + n).contains(&f.row))
                .map(|f| Fill {
                    row: f.row - first_row,
                    ..f.clone()
                })
                .collect();
            let insert = driver::Insert {
                table,
                columns: columns.clone(),
                rows: part,
                returning: returning.clone(),
            };
            self.steps.push(if part_fills.is_empty() {
                Step::Op(Operation::Insert(insert))
            } else {
                Step::Insert {
                    op: insert,
                    fills: part_fills,
                }
            });
            ids.push(id);
            rows_at.extend((0..n).map(|r| (id, r)));
            first_row += n;
        }
        Ok((ids, rows_at))
    }
}

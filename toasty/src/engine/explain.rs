//! [`Plan::explain`]: a plan as text, one line per step, with table and column names.
//!
//! The text is for people and snapshot tests; it is not parsed back. Values appear as
//! literals (the plan holds them). On an SQL driver each step is followed by the SQL
//! text the driver runs for it ([`Driver::explain_sql`]), with placeholders for values.

use super::plan::{Include, KeysFrom, KvWrite, OnEmpty, Output, Plan, Step};
use super::plan_kv::Fetch;
use std::fmt::Write;
use toasty_core::driver::{Driver, Operation, Select};
use toasty_core::schema::db::Table;
use toasty_core::schema::Schema;
use toasty_core::stmt::{Arith, Direction, Expr, OrderBy, Select as Projection};
use toasty_core::Value;

impl Plan {
    /// The plan as text: one numbered line per step, then what the statement returns.
    pub fn explain(&self, schema: &Schema) -> String {
        self.explain_with(schema, None)
    }

    /// [`Plan::explain`], with the SQL text an SQL driver runs for each step under its
    /// line (`   sql: SELECT ..`); placeholders stand for the values.
    pub(crate) fn explain_with(&self, schema: &Schema, driver: Option<&dyn Driver>) -> String {
        let mut out = String::new();
        for (i, step) in self.steps.iter().enumerate() {
            let _ = writeln!(out, "#{i} {}", step_line(schema, step, &self.steps));
            if let Some(sql) = driver.and_then(|d| step_sql(schema, d, step)) {
                for line in sql.lines() {
                    let _ = writeln!(out, "   sql: {line}");
                }
            }
        }
        let _ = write!(out, "=> {}", output_line(schema, &self.output));
        if let Some(load) = &self.load {
            let model = schema
                .model(load.model)
                .map(|m| m.name.clone())
                .unwrap_or_default();
            for inc in &load.includes {
                include_lines(schema, &model, load.model, inc, 1, &mut out);
            }
        }
        out
    }
}

/// The SQL a step runs, when the driver speaks SQL and the step's text is known before
/// it runs (an `IN` list built from an earlier step's rows is not).
fn step_sql(schema: &Schema, driver: &dyn Driver, step: &Step) -> Option<String> {
    match step {
        Step::Op(op) => driver.explain_sql(&schema.db, op),
        // The filled cells are values like the others: the text is the same.
        Step::Insert { op, .. } => driver.explain_sql(&schema.db, &Operation::Insert(op.clone())),
        Step::OpWhereIn { op, keys } => driver.explain_sql(&schema.db, op).map(|sql| {
            format!(
                "{sql}\n(and an IN list of the rows of #{}, added when it runs)",
                keys.input
            )
        }),
        _ => None,
    }
}

/// One line per relation loaded: one read of the related model per level.
fn include_lines(
    schema: &Schema,
    owner: &str,
    model: toasty_core::schema::app::ModelId,
    inc: &Include,
    depth: usize,
    out: &mut String,
) {
    let rel = schema
        .relations_of(model)
        .get(inc.relation)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let target = schema.model(inc.target).ok();
    let target_name = target.map(|m| m.name.clone()).unwrap_or_default();
    let names = |m: Option<&toasty_core::schema::app::Model>, fields: &[usize]| {
        fields
            .iter()
            .map(|&f| {
                m.and_then(|m| m.fields.get(f))
                    .map(|f| f.name.clone())
                    .unwrap_or_else(|| format!("#{f}"))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let source = schema.model(model).ok();
    let _ = write!(
        out,
        "\n{}+ load {owner}.{rel}: {target_name} records where ({}) IN the ({}) of the records \
         above (one read)",
        "  ".repeat(depth - 1),
        names(target, &inc.target_fields),
        names(source, &inc.source_fields),
    );
    for nested in &inc.nested {
        include_lines(schema, &target_name, inc.target, nested, depth + 1, out);
    }
}

/// The table whose rows step `id` produces.
fn step_table(steps: &[Step], id: usize) -> Option<toasty_core::schema::db::TableId> {
    match steps.get(id)? {
        Step::Op(Operation::Select(s))
        | Step::OpWhereIn {
            op: Operation::Select(s),
            ..
        } => Some(s.table),
        Step::Fetch { table, .. } | Step::FetchWhereIn { table, .. } => Some(*table),
        Step::Select { select, .. } => Some(select.table),
        _ => None,
    }
}

fn keys_line(schema: &Schema, t: &Table, keys: &KeysFrom, steps: &[Step]) -> String {
    let from = match step_table(steps, keys.input).and_then(|id| schema.db.table(id).ok()) {
        Some(input) => columns(input, &keys.from),
        None => keys
            .from
            .iter()
            .map(|c| format!("#{c}"))
            .collect::<Vec<_>>()
            .join(", "),
    };
    format!(
        "({}) IN the ({from}) of the rows of #{}",
        columns(t, &keys.to),
        keys.input
    )
}

fn step_line(schema: &Schema, step: &Step, steps: &[Step]) -> String {
    match step {
        Step::Op(op) => op_line(schema, op),
        Step::Insert { op, fills } => {
            let mut line = op_line(schema, &Operation::Insert(op.clone()));
            let mut froms: Vec<String> = fills.iter().map(|f| format!("#{}", f.from)).collect();
            froms.dedup();
            let _ = write!(
                line,
                ", {} cell(s) filled from the keys returned by {}",
                fills.len(),
                froms.join(", ")
            );
            line
        }
        Step::OpWhereIn { op, keys } => {
            let line = op_line(schema, op);
            let table = match op {
                Operation::Select(s) => Some(s.table),
                Operation::Update(u) => Some(u.table),
                Operation::Delete(d) => Some(d.table),
                _ => None,
            };
            match table.and_then(|t| schema.db.table(t).ok()) {
                Some(t) => {
                    let line = line.replace(" WHERE true", "");
                    let sep = if line.contains(" WHERE ") {
                        " AND"
                    } else {
                        " WHERE"
                    };
                    format!("{line}{sep} {}", keys_line(schema, t, keys, steps))
                }
                None => line,
            }
        }
        Step::FetchWhereIn { table, keys } => match schema.db.table(*table) {
            Ok(t) => format!(
                "kv fetch {} through its index: {}",
                t.name,
                keys_line(schema, t, keys, steps)
            ),
            Err(_) => "fetch from an unknown table".to_string(),
        },
        Step::Fetch { table, fetches } => {
            let Ok(t) = schema.db.table(*table) else {
                return "fetch from an unknown table".to_string();
            };
            let parts: Vec<String> = fetches.iter().map(|f| fetch_line(schema, t, f)).collect();
            format!("kv fetch {}: {}", t.name, parts.join("; "))
        }
        Step::Select { input, select } => {
            let Ok(t) = schema.db.table(select.table) else {
                return format!("evaluate over #{input}");
            };
            let project = match select.projection.fields() {
                Some(cols) => format!(" SELECT ({})", columns(t, cols)),
                None => String::new(),
            };
            format!(
                "evaluate over #{input}:{}{project}",
                select_clauses(schema, t, select)
            )
        }
        Step::Write(write) => match write {
            KvWrite::Insert { table, rows } => format!(
                "kv write: put {} new {} row(s), claiming their unique values",
                rows.len(),
                table_name(schema, *table)
            ),
            KvWrite::Update {
                table,
                input,
                assignments,
                arithmetic,
            } => {
                let set = schema
                    .db
                    .table(*table)
                    .map(|t| assignments_line(t, assignments, arithmetic))
                    .unwrap_or_default();
                let moves_claims = schema.db.table(*table).is_ok_and(|t| {
                    t.indices.iter().any(|i| {
                        i.unique
                            && i.columns.iter().any(|c| {
                                assignments.iter().any(|(a, _)| a == c)
                                    || arithmetic.iter().any(|(a, _)| a == c)
                            })
                    })
                });
                format!(
                    "kv write: update the {} rows of #{input} if unchanged, SET {set}{}",
                    table_name(schema, *table),
                    if moves_claims {
                        ", moving the claims of changed unique values"
                    } else {
                        ""
                    }
                )
            }
            KvWrite::Unlink {
                table,
                input,
                assignments,
            } => {
                let set = schema
                    .db
                    .table(*table)
                    .map(|t| assignments_line(t, assignments, &[]))
                    .unwrap_or_default();
                format!(
                    "kv write: unlink the {} rows of #{input} if unchanged (unless deleted by \
                     this write), SET {set}",
                    table_name(schema, *table)
                )
            }
            KvWrite::Delete { table, input } => format!(
                "kv write: delete the {} rows of #{input} if unchanged, releasing their unique \
                 values",
                table_name(schema, *table)
            ),
        },
        Step::Check { input, on_empty } => match on_empty {
            OnEmpty::Stop => format!("if #{input} has no rows: stop (nothing more to do)"),
            OnEmpty::Fail(_) => format!("if #{input} has no rows: fail with NotFound"),
        },
        Step::CheckArith {
            input,
            table,
            arithmetic,
        } => {
            let set = schema
                .db
                .table(*table)
                .map(|t| assignments_line(t, &[], arithmetic))
                .unwrap_or_default();
            format!(
                "check that {set} stays in range for every row of #{input} (else \
                 ValueOutOfRange, before writing)"
            )
        }
    }
}

fn op_line(schema: &Schema, op: &Operation) -> String {
    let table_of = |id| schema.db.table(id).ok();
    match op {
        Operation::Select(s) => match table_of(s.table) {
            Some(t) => {
                let what = match &s.projection {
                    Projection::Count => "count".to_string(),
                    Projection::Records => "select".to_string(),
                    Projection::Fields(cols) => format!("select ({}) from", columns(t, cols)),
                };
                format!("{what} {}{}", t.name, select_clauses(schema, t, s))
            }
            None => "select".to_string(),
        },
        Operation::Insert(i) => match table_of(i.table) {
            Some(t) => {
                let mut line = format!(
                    "insert {} ({}) {} row(s)",
                    t.name,
                    columns(t, &i.columns),
                    i.rows.len()
                );
                if !i.returning.is_empty() {
                    let _ = write!(line, " RETURNING {}", columns(t, &i.returning));
                }
                line
            }
            None => "insert".to_string(),
        },
        Operation::Update(u) => match table_of(u.table) {
            Some(t) => format!(
                "update {} SET {} WHERE {}{}",
                t.name,
                assignments_line(t, &u.assignments, &u.arithmetic),
                expr(schema, t, &u.filter),
                if u.returning { " RETURNING *" } else { "" }
            ),
            None => "update".to_string(),
        },
        Operation::Delete(d) => match table_of(d.table) {
            Some(t) => format!("delete {} WHERE {}", t.name, expr(schema, t, &d.filter)),
            None => "delete".to_string(),
        },
        // The kept operation (with the values of the statement that made it).
        Operation::Cached(c) => op_line(schema, c.template.op()),
        other => other.name().to_string(),
    }
}

fn select_clauses(sc: &Schema, t: &Table, s: &Select) -> String {
    let mut out = String::new();
    if !s.filter.is_true() {
        let _ = write!(out, " WHERE {}", expr(sc, t, &s.filter));
    }
    if !s.order_by.is_empty() {
        let _ = write!(out, " ORDER BY {}", order(t, &s.order_by));
    }
    if let Some(l) = s.limit {
        let _ = write!(out, " LIMIT {l}");
    }
    if let Some(o) = s.offset {
        let _ = write!(out, " OFFSET {o}");
    }
    out
}

fn fetch_line(sc: &Schema, t: &Table, f: &Fetch) -> String {
    match f {
        Fetch::Keys(keys) => format!("get {} key(s) {}", keys.len(), values_list(keys)),
        Fetch::Partition { index, value, sort } => {
            let source = match index {
                None => format!("{} by {}", t.name, key_columns(t, &t.primary_key)),
                Some(i) => t
                    .indices
                    .get(*i)
                    .map(|idx| format!("index {}", idx.name))
                    .unwrap_or_else(|| format!("index #{i}")),
            };
            let mut line = format!("query {source} = {value:?}");
            if let Some(sort) = sort {
                let _ = write!(line, " AND {}", expr(sc, t, sort));
            }
            line
        }
    }
}

fn values_list(keys: &[Vec<Value>]) -> String {
    let shown: Vec<String> = keys.iter().take(5).map(|k| format!("{k:?}")).collect();
    if keys.len() > 5 {
        format!("{}, ...", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn output_line(schema: &Schema, output: &Output) -> String {
    let model = |id: toasty_core::schema::app::ModelId| {
        schema.model(id).map(|m| m.name.clone()).unwrap_or_default()
    };
    match output {
        Output::Records { step, model: m } => format!("{} records from #{step}", model(*m)),
        Output::Assigned { step, model: m, .. } => {
            format!("{} records from #{step}, as updated", model(*m))
        }
        Output::Count { step } => format!("count from #{step}"),
        Output::Checked {
            step,
            columns,
            inner,
        } => {
            let names: Vec<&str> = columns.iter().map(|c| c.label.as_str()).collect();
            format!(
                "{}, after checking {} of #{step} against {} type",
                output_line(schema, inner),
                names.join(", "),
                if names.len() == 1 { "its" } else { "their" }
            )
        }
        Output::Projected { step } => format!("projected rows from #{step}"),
        Output::Inserted { groups, root } => {
            let mut parts = Vec::new();
            for (i, group) in groups.iter().enumerate() {
                let mut line = if groups.len() == 1 {
                    format!("{} inserted record(s)", group.records.len())
                } else {
                    format!(
                        "{} inserted {} record(s)",
                        group.records.len(),
                        model(group.model)
                    )
                };
                if let Some(g) = &group.generated {
                    let ids: Vec<String> = group.steps.iter().map(|s| format!("#{s}")).collect();
                    let _ = write!(
                        line,
                        ", {} generated by {}{}",
                        g.label,
                        ids.join(", "),
                        if g.needs_check() {
                            format!(" and checked against {}", g.ty.rust_name())
                        } else {
                            String::new()
                        }
                    );
                }
                if let Some(a) = &group.attach {
                    let rel = groups
                        .get(a.group)
                        .map(|o| {
                            let r = schema
                                .relations_of(o.model)
                                .get(a.relation)
                                .map(|r| r.name.clone())
                                .unwrap_or_default();
                            format!("{}.{r}", model(o.model))
                        })
                        .unwrap_or_default();
                    let _ = write!(line, ", into {rel}");
                }
                if i == *root || groups.len() > 1 {
                    parts.push(line);
                }
            }
            parts.join("; ")
        }
    }
}

fn table_name(schema: &Schema, id: toasty_core::schema::db::TableId) -> String {
    schema
        .db
        .table(id)
        .map(|t| t.name.clone())
        .unwrap_or_default()
}

fn column(t: &Table, c: usize) -> String {
    t.columns
        .get(c)
        .map(|col| col.name.clone())
        .unwrap_or_else(|| format!("#{c}"))
}

fn columns(t: &Table, cols: &[usize]) -> String {
    cols.iter()
        .map(|&c| column(t, c))
        .collect::<Vec<_>>()
        .join(", ")
}

fn key_columns(t: &Table, cols: &[usize]) -> String {
    cols.first().map(|&c| column(t, c)).unwrap_or_default()
}

fn order(t: &Table, order_by: &[OrderBy]) -> String {
    order_by
        .iter()
        .map(|o| {
            let dir = match o.direction {
                Direction::Asc => "ASC",
                Direction::Desc => "DESC",
            };
            format!("{} {dir}", column(t, o.target))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn assignments_line(
    t: &Table,
    assignments: &[(usize, Value)],
    arithmetic: &[(usize, Arith)],
) -> String {
    assignments
        .iter()
        .map(|(c, v)| format!("{} = {v:?}", column(t, *c)))
        .chain(arithmetic.iter().map(|(c, a)| {
            let name = column(t, *c);
            format!("{name} = {name} {} {:?}", a.op.as_sql(), a.operand)
        }))
        .collect::<Vec<_>>()
        .join(", ")
}

fn expr(sc: &Schema, t: &Table, e: &Expr) -> String {
    match e {
        Expr::Value(v) => format!("{v:?}"),
        Expr::Field(f) => format!("field#{f}"),
        Expr::Column(c) => column(t, *c),
        Expr::Binary { op, lhs, rhs } => {
            format!("{} {} {}", expr(sc, t, lhs), op.as_sql(), expr(sc, t, rhs))
        }
        Expr::And(items) if items.is_empty() => "true".to_string(),
        Expr::And(items) => joined(sc, t, items, " AND "),
        Expr::Or(items) => joined(sc, t, items, " OR "),
        Expr::Not(inner) => format!("NOT ({})", expr(sc, t, inner)),
        Expr::IsNull(inner) => format!("{} IS NULL", expr(sc, t, inner)),
        Expr::InList { expr: inner, list } => {
            let items: Vec<String> = list.iter().map(|v| format!("{v:?}")).collect();
            format!("{} IN ({})", expr(sc, t, inner), items.join(", "))
        }
        Expr::Pattern {
            op,
            expr: inner,
            pattern,
        } => {
            let name = op.name();
            format!("{name}({}, {pattern:?})", expr(sc, t, inner))
        }
        Expr::Related { relation, filter } => {
            format!("related#{relation}({})", expr(sc, t, filter))
        }
        Expr::InSelect { lhs, select } => {
            let lhs: Vec<String> = lhs.iter().map(|e| expr(sc, t, e)).collect();
            match sc.db.table(toasty_core::schema::db::TableId(select.source)) {
                Ok(inner) => format!(
                    "({}) IN (SELECT {} FROM {} WHERE {})",
                    lhs.join(", "),
                    columns(inner, &select.columns),
                    inner.name,
                    expr(sc, inner, &select.filter)
                ),
                Err(_) => format!(
                    "({}) IN (SELECT FROM table#{})",
                    lhs.join(", "),
                    select.source
                ),
            }
        }
    }
}

fn joined(sc: &Schema, t: &Table, items: &[Expr], sep: &str) -> String {
    items
        .iter()
        .map(|i| format!("({})", expr(sc, t, i)))
        .collect::<Vec<_>>()
        .join(sep)
}

impl Plan {
    /// A one-line summary for logs: each step's operation and table (`select users`,
    /// `insert users, insert todos`), and the relations loaded after them.
    pub(crate) fn summary(&self, schema: &Schema) -> String {
        let table = |t: toasty_core::schema::db::TableId| {
            schema
                .db
                .table(t)
                .map(|t| t.name.clone())
                .unwrap_or_default()
        };
        let mut parts: Vec<String> = Vec::with_capacity(self.steps.len() + 1);
        for step in &self.steps {
            let (what, on) = match step {
                Step::Op(op) | Step::OpWhereIn { op, .. } => {
                    (op.name(), crate::observe::table_of(op))
                }
                Step::Insert { op, .. } => ("insert", Some(op.table)),
                Step::FetchWhereIn { table, .. } | Step::Fetch { table, .. } => {
                    ("fetch", Some(*table))
                }
                Step::Select { .. } => ("filter fetched rows", None),
                Step::Check { .. } => ("check", None),
                Step::CheckArith { table, .. } => ("check arithmetic", Some(*table)),
                Step::Write(w) => match w {
                    KvWrite::Insert { table, .. } => ("write insert", Some(*table)),
                    KvWrite::Update { table, .. } => ("write update", Some(*table)),
                    KvWrite::Delete { table, .. } => ("write delete", Some(*table)),
                    KvWrite::Unlink { table, .. } => ("write unlink", Some(*table)),
                },
            };
            parts.push(match on {
                Some(t) => format!("{what} {}", table(t)),
                None => what.to_string(),
            });
        }
        if let Some(load) = &self.load {
            parts.push(format!("then load {} relation(s)", load.includes.len()));
        }
        parts.join(", ")
    }
}

//! What a campaign's generated cases reached: a coverage matrix, so "the generator
//! reaches the whole API" is measured rather than assumed.
//!
//! [`record`] is called with every case a campaign runs (shrink attempts included) and
//! adds it to a process-wide tally; [`Coverage::report`] prints three tables:
//!
//! * **filter operator × field type**: every comparison, `IN`, `IS NULL` and pattern
//!   the cases' filters (queries, counts, pages, updates, deletes, batches, includes)
//!   apply to a field of each type. Patterns apply to strings only; the other cells of
//!   their rows are `n/a`.
//! * **statement kind × key shape**: the operations run on models of each key shape
//!   (auto integer, auto UUID, single, composite).
//! * **sizes and edge values**: the largest filter (nodes, depth, widest `OR`, longest
//!   `IN` list), create batch, string and page, and which edge values of each type
//!   appeared (integer extremes, `u64` above `i64::MAX`, NaN, infinities, `-0.0`, empty
//!   strings and bytes, strings outside the Basic Multilingual Plane).
//! * **filters through relations** (in cases whose models are related): `.any(..)` and
//!   `.all(..)` per kind of relation they go through (a `#[belongs_to]` or `#[has_one]`
//!   one is a comparison through the path).
//!
//! A cell that stays empty is a part of the API no case touched; [`Coverage::empty_cells`]
//! lists them.

use crate::harness::case::{Case, Filter, KeySpec, Lit, ModelSpec, Op, RelKind};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use toasty_core::stmt::{BinaryOp, PatternOp};
use toasty_core::Type;

/// The filter operators of the matrix, in display order.
const OPERATORS: [&str; 13] = [
    "=", "<>", "<", "<=", ">", ">=", "IN", "IS NULL", "starts", "ends", "contains", "like", "ilike",
];

/// The statement kinds of the matrix, in display order.
const KINDS: [&str; 14] = [
    "create", "get", "query", "select", "count", "paginate", "update", "arith", "delete", "batch",
    "nested", "include", "link", "unlink",
];

/// How an arithmetic update selects its records, in display order.
const ARITH_BY: [&str; 2] = ["by key", "by query"];

/// The key shapes of the matrix, in display order.
const KEYS: [&str; 4] = ["auto int", "auto uuid", "single", "composite"];

/// Filters through relations (`.any`, `.all`), in display order.
const RELATION_FILTERS: [&str; 2] = ["any", "all"];

/// Relation kinds, in display order.
const RELATION_KINDS: [&str; 4] = ["belongs_to", "has_many", "has_one", "via"];

/// Edge values looked for, in display order.
const EDGES: [&str; 12] = [
    "i64::MIN",
    "i64::MAX",
    "0",
    "u64 > i64::MAX",
    "NaN",
    "±inf",
    "-0.0",
    "\"\"",
    "non-BMP char",
    "empty bytes",
    "uuid 0",
    "timestamp < 1970",
];

/// A campaign's tally.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Coverage {
    /// Cases recorded.
    pub cases: u64,
    /// (operator, type name) -> uses.
    pub filters: BTreeMap<(&'static str, String), u64>,
    /// (statement kind, key shape) -> operations.
    pub statements: BTreeMap<(&'static str, &'static str), u64>,
    /// Edge value -> occurrences in literals.
    pub edges: BTreeMap<&'static str, u64>,
    /// Field types seen in models.
    pub types: BTreeSet<String>,
    /// Relation kinds seen in models.
    pub relation_kinds: BTreeSet<&'static str>,
    /// (`any` / `all`, relation kind) -> uses.
    pub relation_filters: BTreeMap<(&'static str, &'static str), u64>,
    /// (`by key` / `by query`, numeric type name) -> relative changes in updates
    /// (`("with set", "any")`: those mixed with plain assignments).
    pub arith: BTreeMap<(&'static str, String), u64>,
    /// Largest filter, in nodes.
    pub max_filter_nodes: usize,
    /// Deepest filter (a comparison is depth 1).
    pub max_filter_depth: usize,
    /// Widest `OR`.
    pub max_or_width: usize,
    /// Longest `IN` list.
    pub max_in_list: usize,
    /// Most records in one create (plain or nested roots).
    pub max_create_rows: usize,
    /// Longest string literal, in bytes.
    pub max_string: usize,
    /// Largest page size.
    pub max_page: usize,
    /// Largest limit and offset.
    pub max_limit: u64,
    /// Largest offset.
    pub max_offset: u64,
}

static TALLY: Mutex<Option<Coverage>> = Mutex::new(None);

/// Adds `case` to the process-wide tally.
pub fn record(case: &Case) {
    if let Ok(mut tally) = TALLY.lock() {
        tally.get_or_insert_with(Coverage::default).add(case);
    }
}

/// The process-wide tally so far.
pub fn tally() -> Coverage {
    TALLY
        .lock()
        .ok()
        .and_then(|t| t.clone())
        .unwrap_or_default()
}

/// Forgets the tally (between campaigns of one process).
pub fn reset() {
    if let Ok(mut tally) = TALLY.lock() {
        *tally = None;
    }
}

fn type_name(ty: Type) -> String {
    format!("{ty:?}").to_lowercase()
}

fn key_name(key: KeySpec) -> &'static str {
    match key {
        KeySpec::AutoInt => KEYS[0],
        KeySpec::AutoUuid => KEYS[1],
        KeySpec::Single => KEYS[2],
        KeySpec::Composite => KEYS[3],
    }
}

fn rel_kind_name(kind: &RelKind) -> &'static str {
    match kind {
        RelKind::BelongsTo { .. } => RELATION_KINDS[0],
        RelKind::HasMany { .. } => RELATION_KINDS[1],
        RelKind::HasOne { .. } => RELATION_KINDS[2],
        RelKind::Via { .. } => RELATION_KINDS[3],
    }
}

fn op_name(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Eq => "=",
        BinaryOp::Ne => "<>",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
    }
}

fn pattern_name(op: PatternOp) -> &'static str {
    match op {
        PatternOp::StartsWith => "starts",
        PatternOp::EndsWith => "ends",
        PatternOp::Contains => "contains",
        PatternOp::Like => "like",
        PatternOp::ILike => "ilike",
    }
}

impl Coverage {
    /// Adds one case.
    pub fn add(&mut self, case: &Case) {
        self.cases += 1;
        for m in &case.models {
            for f in &m.fields {
                self.types.insert(type_name(f.ty));
            }
            for r in &m.relations {
                self.relation_kinds.insert(rel_kind_name(&r.kind));
            }
        }
        for op in &case.ops {
            self.op(&case.models, op);
        }
    }

    fn op(&mut self, models: &[ModelSpec], op: &Op) {
        let key = |m: &usize| models.get(*m).map(|m| key_name(m.key));
        let (kind, model) = match op {
            Op::Create { model, rows } => {
                self.max_create_rows = self.max_create_rows.max(rows.len());
                for lit in rows.iter().flatten().flatten() {
                    self.lit(lit);
                }
                ("create", Some(model))
            }
            Op::Get { model, key, .. } => {
                for lit in key {
                    self.lit(lit);
                }
                ("get", Some(model))
            }
            Op::Query {
                model,
                filter,
                limit,
                offset,
                select,
                ..
            } => {
                self.filter(models, *model, filter);
                self.max_limit = self.max_limit.max(limit.unwrap_or(0));
                self.max_offset = self.max_offset.max(offset.unwrap_or(0));
                let kind = if select.is_some() { "select" } else { "query" };
                (kind, Some(model))
            }
            Op::Count { model, filter } => {
                self.filter(models, *model, filter);
                ("count", Some(model))
            }
            Op::Paginate {
                model,
                filter,
                per_page,
                ..
            } => {
                self.filter(models, *model, filter);
                self.max_page = self.max_page.max(*per_page);
                ("paginate", Some(model))
            }
            Op::Update {
                model,
                filter,
                set,
                arith,
                ..
            } => {
                self.filter(models, *model, filter);
                for (_, lit) in set {
                    self.lit(lit);
                }
                if arith.is_empty() {
                    ("update", Some(model))
                } else {
                    let by = if pins_key(models, *model, filter) {
                        "by key"
                    } else {
                        "by query"
                    };
                    for (f, a) in arith {
                        self.lit(&a.amount);
                        let ty = models
                            .get(*model)
                            .and_then(|m| m.fields.get(*f))
                            .map(|f| type_name(f.ty));
                        if let Some(t) = ty {
                            *self.arith.entry((by, t)).or_default() += 1;
                        }
                        if !set.is_empty() {
                            *self
                                .arith
                                .entry(("with set", "any".to_string()))
                                .or_default() += 1;
                        }
                    }
                    ("arith", Some(model))
                }
            }
            Op::Delete { model, filter } => {
                self.filter(models, *model, filter);
                ("delete", Some(model))
            }
            Op::Batch(ops) => {
                for op in ops {
                    self.op(models, op);
                }
                ("batch", None)
            }
            Op::CreateNested { model, rows } => {
                self.max_create_rows = self.max_create_rows.max(rows.len());
                ("nested", Some(model))
            }
            Op::UpdateHasOne {
                model,
                key,
                set,
                to,
                ..
            } => {
                for lit in key.iter().chain(set.iter().map(|(_, l)| l)) {
                    self.lit(lit);
                }
                let kind = match to {
                    crate::harness::case::HasOneTo::Create(_) => "has_one replace",
                    crate::harness::case::HasOneTo::Link(_) => "has_one link",
                    crate::harness::case::HasOneTo::Unset => "has_one unset",
                };
                (kind, Some(model))
            }
            Op::QueryIncluding {
                model,
                filter,
                limit,
                ..
            } => {
                self.filter(models, *model, filter);
                self.max_limit = self.max_limit.max(limit.unwrap_or(0));
                ("include", Some(model))
            }
            Op::Link { model, insert, .. } => {
                (if *insert { "link" } else { "unlink" }, Some(model))
            }
            Op::Begin
            | Op::Savepoint
            | Op::ReleaseSavepoint
            | Op::RollbackToSavepoint
            | Op::Commit
            | Op::Rollback => return,
        };
        match model.and_then(key) {
            Some(k) => *self.statements.entry((kind, k)).or_default() += 1,
            // A batch counts once for the key shape of each model it touches.
            None => {
                if let Op::Batch(ops) = op {
                    let shapes: BTreeSet<&'static str> = ops
                        .iter()
                        .filter_map(|o| op_model(o).and_then(key))
                        .collect();
                    for k in shapes {
                        *self.statements.entry(("batch", k)).or_default() += 1;
                    }
                }
            }
        }
    }

    fn filter(&mut self, models: &[ModelSpec], model: usize, filter: &Filter) {
        let (nodes, depth) = shape(filter);
        self.max_filter_nodes = self.max_filter_nodes.max(nodes);
        self.max_filter_depth = self.max_filter_depth.max(depth);
        let ty = |model: usize, f: &usize| {
            models
                .get(model)
                .and_then(|m| m.fields.get(*f))
                .map(|f| type_name(f.ty))
        };
        // Iterative walk: generated filters may be deep. Filters through relations are
        // over their target model.
        let mut stack = vec![(filter, model)];
        while let Some((f, model)) = stack.pop() {
            let ty = |f: &usize| ty(model, f);
            match f {
                Filter::True => {}
                Filter::Cmp(field, op, lit) => {
                    if let Some(t) = ty(field) {
                        *self.filters.entry((op_name(*op), t)).or_default() += 1;
                    }
                    self.lit(lit);
                }
                Filter::InList(field, list) => {
                    self.max_in_list = self.max_in_list.max(list.len());
                    if let Some(t) = ty(field) {
                        *self.filters.entry(("IN", t)).or_default() += 1;
                    }
                    for lit in list {
                        self.lit(lit);
                    }
                }
                Filter::IsNull(field) => {
                    if let Some(t) = ty(field) {
                        *self.filters.entry(("IS NULL", t)).or_default() += 1;
                    }
                }
                Filter::Pattern(field, op, s) => {
                    if let Some(t) = ty(field) {
                        *self.filters.entry((pattern_name(*op), t)).or_default() += 1;
                    }
                    self.string(s);
                }
                Filter::And(items) => stack.extend(items.iter().map(|i| (i, model))),
                Filter::Or(items) => {
                    self.max_or_width = self.max_or_width.max(items.len());
                    stack.extend(items.iter().map(|i| (i, model)));
                }
                Filter::Not(inner) => stack.push((inner, model)),
                Filter::Any(r, inner) | Filter::All(r, inner) => {
                    let which = if matches!(f, Filter::Any(..)) {
                        "any"
                    } else {
                        "all"
                    };
                    let rel = models.get(model).and_then(|m| m.relations.get(*r));
                    if let Some(rel) = rel {
                        let kind = rel_kind_name(&rel.kind);
                        *self.relation_filters.entry((which, kind)).or_default() += 1;
                        stack.push((inner, rel.kind.target()));
                    }
                }
            }
        }
    }

    fn string(&mut self, s: &str) {
        self.max_string = self.max_string.max(s.len());
        if s.is_empty() {
            self.edge("\"\"");
        }
        if s.chars().any(|c| c as u32 > 0xFFFF) {
            self.edge("non-BMP char");
        }
    }

    fn edge(&mut self, name: &'static str) {
        *self.edges.entry(name).or_default() += 1;
    }

    fn lit(&mut self, lit: &Lit) {
        match lit {
            Lit::Int(i64::MIN) => self.edge("i64::MIN"),
            Lit::Int(i64::MAX) => self.edge("i64::MAX"),
            Lit::Int(0) => self.edge("0"),
            Lit::BigUint(_) => self.edge("u64 > i64::MAX"),
            Lit::Float(f) if f.is_nan() => self.edge("NaN"),
            Lit::Float(f) if f.is_infinite() => self.edge("±inf"),
            Lit::Float(f) if *f == 0.0 && f.is_sign_negative() => self.edge("-0.0"),
            Lit::Str(s) => self.string(s),
            Lit::Bytes(b) if b.is_empty() => self.edge("empty bytes"),
            Lit::Uuid(0) => self.edge("uuid 0"),
            Lit::Timestamp(t) if *t < 0 => self.edge("timestamp < 1970"),
            _ => {}
        }
    }

    /// The matrix cells no case reached (pattern cells of non-string types and
    /// `IS NULL` are only expected where they apply).
    pub fn empty_cells(&self) -> Vec<String> {
        let mut out = Vec::new();
        for op in OPERATORS {
            for t in &self.types {
                if applies(op, t) && !self.filters.contains_key(&(op, t.clone())) {
                    out.push(format!("filter {op} on {t}"));
                }
            }
        }
        for kind in KINDS {
            for key in KEYS {
                if !self.statements.contains_key(&(kind, key)) {
                    out.push(format!("{kind} on a {key} key"));
                }
            }
        }
        for by in ARITH_BY {
            for t in self.types.iter().filter(|t| is_numeric(t)) {
                if !self.arith.contains_key(&(by, t.clone())) {
                    out.push(format!("arith {by} on {t}"));
                }
            }
        }
        for which in RELATION_FILTERS {
            for kind in &self.relation_kinds {
                if !self.relation_filters.contains_key(&(which, *kind)) {
                    out.push(format!("{which} through a {kind}"));
                }
            }
        }
        for edge in EDGES {
            if !self.edges.contains_key(edge) {
                out.push(format!("edge value {edge}"));
            }
        }
        out
    }

    /// The three tables, as text.
    pub fn report(&self) -> String {
        use std::fmt::Write;
        let mut s = String::new();
        let _ = writeln!(s, "coverage of {} cases", self.cases);
        let _ = write!(s, "\n{:<10}", "filter");
        for t in &self.types {
            let _ = write!(s, " {:>9}", t);
        }
        let _ = writeln!(s);
        for op in OPERATORS {
            let _ = write!(s, "{op:<10}");
            for t in &self.types {
                let cell = match self.filters.get(&(op, t.clone())) {
                    Some(n) => n.to_string(),
                    None if applies(op, t) => "-".to_string(),
                    None => "n/a".to_string(),
                };
                let _ = write!(s, " {cell:>9}");
            }
            let _ = writeln!(s);
        }
        let _ = write!(s, "\n{:<10}", "statement");
        for k in KEYS {
            let _ = write!(s, " {k:>10}");
        }
        let _ = writeln!(s);
        for kind in KINDS {
            let _ = write!(s, "{kind:<10}");
            for k in KEYS {
                let cell = self
                    .statements
                    .get(&(kind, k))
                    .map_or("-".to_string(), |n| n.to_string());
                let _ = write!(s, " {cell:>10}");
            }
            let _ = writeln!(s);
        }
        let numeric: Vec<&String> = self.types.iter().filter(|t| is_numeric(t)).collect();
        if !numeric.is_empty() {
            let _ = write!(s, "\n{:<10}", "arith");
            for t in &numeric {
                let _ = write!(s, " {t:>9}");
            }
            let _ = writeln!(s);
            for by in ARITH_BY {
                let _ = write!(s, "{by:<10}");
                for t in &numeric {
                    let cell = self
                        .arith
                        .get(&(by, (*t).clone()))
                        .map_or("-".to_string(), |n| n.to_string());
                    let _ = write!(s, " {cell:>9}");
                }
                let _ = writeln!(s);
            }
            let mixed = self
                .arith
                .get(&("with set", "any".to_string()))
                .copied()
                .unwrap_or(0);
            let _ = writeln!(
                s,
                "(relative changes mixed with plain assignments: {mixed})"
            );
        }
        if !self.relation_kinds.is_empty() {
            let _ = write!(s, "\n{:<10}", "through");
            for k in RELATION_KINDS {
                let _ = write!(s, " {k:>10}");
            }
            let _ = writeln!(s);
            for which in RELATION_FILTERS {
                let _ = write!(s, "{which:<10}");
                for k in RELATION_KINDS {
                    let cell = match self.relation_filters.get(&(which, k)) {
                        Some(n) => n.to_string(),
                        None if self.relation_kinds.contains(k) => "-".to_string(),
                        None => "n/a".to_string(),
                    };
                    let _ = write!(s, " {cell:>10}");
                }
                let _ = writeln!(s);
            }
        }
        let has_one: Vec<String> = ["has_one replace", "has_one link", "has_one unset"]
            .iter()
            .map(|kind| {
                let n: u64 = self
                    .statements
                    .iter()
                    .filter(|((k, _), _)| k == kind)
                    .map(|(_, n)| n)
                    .sum();
                format!("{} {n}", kind.trim_start_matches("has_one "))
            })
            .collect();
        let _ = writeln!(s, "\nhas_one updates: {}", has_one.join(", "));
        let _ = writeln!(
            s,
            "\nlargest: filter {} nodes, depth {}, OR of {}, IN list of {}; create of {} \
             records; string of {} bytes; page of {}; limit {}, offset {}",
            self.max_filter_nodes,
            self.max_filter_depth,
            self.max_or_width,
            self.max_in_list,
            self.max_create_rows,
            self.max_string,
            self.max_page,
            self.max_limit,
            self.max_offset
        );
        let edges: Vec<String> = EDGES
            .iter()
            .map(|e| format!("{e}: {}", self.edges.get(e).copied().unwrap_or(0)))
            .collect();
        let _ = writeln!(s, "edge values: {}", edges.join(", "));
        let empty = self.empty_cells();
        if empty.is_empty() {
            let _ = writeln!(s, "every cell reached");
        } else {
            let _ = writeln!(s, "not reached ({}): {}", empty.len(), empty.join("; "));
        }
        s
    }
}

/// Whether filter operator `op` applies to a field of type `ty` (patterns: strings).
fn applies(op: &str, ty: &str) -> bool {
    match op {
        "starts" | "ends" | "contains" | "like" | "ilike" => ty == "string",
        _ => true,
    }
}

/// Whether `ty` (a type name of the matrix) is numeric: relative changes apply to it.
fn is_numeric(ty: &str) -> bool {
    matches!(
        ty,
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" | "f32" | "f64"
    )
}

/// Whether `filter` pins every key field of `model` to one literal (an update of one
/// record).
fn pins_key(models: &[ModelSpec], model: usize, filter: &Filter) -> bool {
    let Some(m) = models.get(model) else {
        return false;
    };
    let eqs: Vec<usize> = match filter {
        Filter::And(items) => items
            .iter()
            .filter_map(|i| match i {
                Filter::Cmp(f, BinaryOp::Eq, lit) if *lit != Lit::Null => Some(*f),
                _ => None,
            })
            .collect(),
        Filter::Cmp(f, BinaryOp::Eq, lit) if *lit != Lit::Null => vec![*f],
        _ => vec![],
    };
    m.key_fields().iter().all(|f| eqs.contains(f))
}

/// The model an operation addresses, if it addresses one.
fn op_model(op: &Op) -> Option<&usize> {
    match op {
        Op::Create { model, .. }
        | Op::Get { model, .. }
        | Op::Query { model, .. }
        | Op::Count { model, .. }
        | Op::Paginate { model, .. }
        | Op::Update { model, .. }
        | Op::Delete { model, .. }
        | Op::CreateNested { model, .. }
        | Op::QueryIncluding { model, .. }
        | Op::Link { model, .. } => Some(model),
        _ => None,
    }
}

/// (nodes, depth) of a filter, computed without recursion.
fn shape(filter: &Filter) -> (usize, usize) {
    let mut nodes = 0;
    let mut depth = 0;
    let mut stack = vec![(filter, 1usize)];
    while let Some((f, d)) = stack.pop() {
        nodes += 1;
        depth = depth.max(d);
        match f {
            Filter::And(items) | Filter::Or(items) => {
                stack.extend(items.iter().map(|i| (i, d + 1)));
            }
            Filter::Not(inner) | Filter::Any(_, inner) | Filter::All(_, inner) => {
                stack.push((inner, d + 1))
            }
            _ => {}
        }
    }
    (nodes, depth)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::harness::case::FieldSpec;

    fn model(key: KeySpec, types: &[Type]) -> ModelSpec {
        ModelSpec {
            fields: types
                .iter()
                .map(|&ty| FieldSpec {
                    ty,
                    nullable: true,
                    max_len: None,
                })
                .collect(),
            key,
            indices: vec![],
            relations: vec![],
        }
    }

    #[test]
    fn counts_cells_sizes_and_edges() {
        let case = Case {
            models: vec![model(KeySpec::Single, &[Type::I64, Type::String])],
            ops: vec![
                Op::Query {
                    model: 0,
                    filter: Filter::Or(vec![
                        Filter::Cmp(0, BinaryOp::Lt, Lit::Int(i64::MIN)),
                        Filter::Not(Box::new(Filter::Pattern(
                            1,
                            PatternOp::Contains,
                            "🎉".to_string(),
                        ))),
                        Filter::InList(0, vec![Lit::Int(1), Lit::Int(2), Lit::Int(0)]),
                    ]),
                    order: vec![],
                    limit: Some(7),
                    offset: None,
                    select: None,
                },
                Op::Batch(vec![Op::Delete {
                    model: 0,
                    filter: Filter::IsNull(1),
                }]),
            ],
        };
        let mut c = Coverage::default();
        c.add(&case);
        assert_eq!(c.filters.get(&("<", "i64".to_string())), Some(&1));
        assert_eq!(c.filters.get(&("contains", "string".to_string())), Some(&1));
        assert_eq!(c.filters.get(&("IN", "i64".to_string())), Some(&1));
        assert_eq!(c.filters.get(&("IS NULL", "string".to_string())), Some(&1));
        assert_eq!(c.statements.get(&("query", "single")), Some(&1));
        assert_eq!(c.statements.get(&("delete", "single")), Some(&1));
        assert_eq!(c.statements.get(&("batch", "single")), Some(&1));
        assert_eq!((c.max_filter_nodes, c.max_filter_depth), (5, 3));
        assert_eq!((c.max_or_width, c.max_in_list, c.max_limit), (3, 3, 7));
        assert_eq!(c.edges.get("i64::MIN"), Some(&1));
        assert_eq!(c.edges.get("non-BMP char"), Some(&1));
        assert_eq!(c.edges.get("0"), Some(&1));
        let empty = c.empty_cells();
        assert!(empty.contains(&"filter = on i64".to_string()));
        assert!(!empty.contains(&"filter starts on i64".to_string()));
        assert!(empty.contains(&"create on a composite key".to_string()));
        assert!(c.report().contains("not reached"));
    }
}

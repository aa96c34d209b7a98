//! Differential campaigns: generate cases, run them on the oracle and the target,
//! shrink any divergence to a minimal case and print it as a regression test.

use super::case::{Case, Filter, Lit, ModelSpec, NestedRow, Op, RelKind};
use super::compare::{compare, Verdict};
use super::exec::{run_case_with, CacheMode, Outcome, Run, Tree};
use super::gen::{self, GenConfig};
use crate::Backend;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Settings of one campaign.
#[derive(Debug, Clone)]
pub struct DiffConfig {
    /// Cases to generate.
    pub cases: u32,
    /// The seed (the same seed generates the same cases).
    pub seed: u64,
    /// Generator settings.
    pub gen: GenConfig,
    /// Treat `Unsupported` on the target as "not applicable" (kv target, sql oracle).
    pub allow_unsupported: bool,
    /// Most shrink steps.
    pub max_shrink_iters: u32,
}

impl Default for DiffConfig {
    fn default() -> Self {
        DiffConfig {
            cases: 256,
            seed: 42,
            gen: GenConfig::default(),
            allow_unsupported: false,
            max_shrink_iters: 2048,
        }
    }
}

/// A divergence, shrunk.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The minimal case.
    pub case: Case,
    /// What differed.
    pub message: String,
}

impl Divergence {
    /// The case as JSON (the format of `conformance/regressions/*.json`).
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(&self.case).unwrap_or_else(|e| format!("<{e}>"))
    }

    /// A ready-to-paste Rust regression test.
    pub fn regression_test(&self, backend_expr: &str) -> String {
        let json = serde_json::to_string(&self.case).unwrap_or_default();
        let name = format!("{:016x}", fnv1a(json.as_bytes()));
        format!(
            "#[test]\nfn regression_{name}() {{\n    toasty_conformance::harness::regressions::check_json(\n        {backend_expr},\n        r#\"{json}\"#,\n    );\n}}\n"
        )
    }
}

/// The result of a campaign.
#[derive(Debug, Clone)]
pub struct DiffReport {
    /// The target's name.
    pub backend: String,
    /// Cases run (including shrink attempts).
    pub cases: u64,
    /// Operations run on the target.
    pub ops: u64,
    /// Operations compared.
    pub compared: u64,
    /// Operations the target does not support (kv targets only).
    pub not_applicable: u64,
    /// Reads (queries, gets, counts, pages) whose oracle answer was not empty: a measure
    /// of how often generated filters actually select data.
    pub nonempty_reads: u64,
    /// Operations whose oracle answer was an error.
    pub errors: u64,
    /// Top-level transactions run (`Begin` operations).
    pub transactions: u64,
    /// Nested transactions run (`Savepoint` operations).
    pub savepoints: u64,
    /// Batches run.
    pub batches: u64,
    /// Statements the oracle refused because an earlier failure aborted their
    /// transaction (`TransactionAborted`, commits included).
    pub aborted: u64,
    /// Target statements whose plan came from the statement cache, in the warm runs.
    pub warm_cache_hits: u64,
    /// What the cases did with relations.
    pub relations: RelationStats,
    /// The divergence found, shrunk (a campaign stops at the first).
    pub divergence: Option<Divergence>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Counts of what a campaign's cases did with relations (on the oracle).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RelationStats {
    /// Cases whose models are related.
    pub cases: u64,
    /// Nested creates run.
    pub nested_creates: u64,
    /// Records the nested creates that succeeded created (roots and nested ones).
    pub nested_records: u64,
    /// Queries that included relations.
    pub includes: u64,
    /// Related records those queries loaded (below the roots).
    pub loaded: u64,
    /// Deletes of a model with children (whose cascade runs) that deleted something.
    pub parent_deletes: u64,
    /// Loaded relations checked against the query of their records (both runs).
    pub checks: u64,
    /// `.insert(..)` links run (that succeeded).
    pub links: u64,
    /// `.remove(..)` unlinks run (that succeeded).
    pub unlinks: u64,
    /// Includes that loaded a `#[has_many(via = ..)]` relation.
    pub via_includes: u64,
}

impl RelationStats {
    fn add(&self, other: &RelationStats) -> RelationStats {
        RelationStats {
            cases: self.cases + other.cases,
            nested_creates: self.nested_creates + other.nested_creates,
            nested_records: self.nested_records + other.nested_records,
            includes: self.includes + other.includes,
            loaded: self.loaded + other.loaded,
            parent_deletes: self.parent_deletes + other.parent_deletes,
            links: self.links + other.links,
            unlinks: self.unlinks + other.unlinks,
            via_includes: self.via_includes + other.via_includes,
            checks: self.checks + other.checks,
        }
    }
}

fn tree_size(t: &Tree) -> u64 {
    1 + t
        .relations
        .iter()
        .flatten()
        .flatten()
        .map(tree_size)
        .sum::<u64>()
}

/// What `case` did with relations, read off the oracle's run.
fn relation_stats(case: &Case, oracle: &Run, target: &Run) -> RelationStats {
    let mut st = RelationStats {
        cases: case.has_relations() as u64,
        checks: (oracle.relation_checks + target.relation_checks) as u64,
        ..RelationStats::default()
    };
    for (op, o) in case.ops.iter().zip(&oracle.outcomes) {
        match (op, o.inner()) {
            (Op::CreateNested { .. }, inner) => {
                st.nested_creates += 1;
                if let Outcome::CreatedTree(trees) = inner {
                    st.nested_records += trees.iter().map(tree_size).sum::<u64>();
                }
            }
            (Op::Link { insert, .. }, inner) => {
                if matches!(inner, Outcome::Done) {
                    if *insert {
                        st.links += 1;
                    } else {
                        st.unlinks += 1;
                    }
                }
            }
            (Op::QueryIncluding { model, include, .. }, inner) => {
                st.includes += 1;
                let via = include.iter().any(|path| {
                    let mut at = *model;
                    path.iter().any(|&r| {
                        let rel = case.models.get(at).and_then(|m| m.relations.get(r));
                        at = rel.map_or(at, |x| x.kind.target());
                        rel.is_some_and(|x| x.kind.is_via())
                    })
                });
                st.via_includes += via as u64;
                if let Outcome::Loaded { rows, .. } = inner {
                    st.loaded += rows.iter().map(|t| tree_size(t) - 1).sum::<u64>();
                }
            }
            (Op::Delete { model, .. }, Outcome::Count(n))
                if *n > 0 && case.models.get(*model).is_some_and(|m| m.has_children()) =>
            {
                st.parent_deletes += 1;
            }
            _ => {}
        }
    }
    st
}

/// Relation figures summed over every campaign of this process, per target (the CLI
/// runs a campaign in chunks; the last line it prints holds the totals).
static TOTALS: std::sync::Mutex<Vec<(String, RelationStats)>> = std::sync::Mutex::new(Vec::new());

/// Runs `case` on the oracle with its statement cache off, and on the target twice
/// (cold cache, then warm: every plan of the first run cached; see
/// [`CacheMode::ColdWarm`]).
async fn run_both(
    oracle: &dyn crate::Backend,
    target: &dyn crate::Backend,
    case: &Case,
    label: &str,
    allow_unsupported: bool,
) -> (Run, Vec<Run>) {
    let mut o = run_case_with(oracle, case, label, allow_unsupported, CacheMode::Off).await;
    let t = run_case_with(target, case, label, false, CacheMode::ColdWarm).await;
    (o.swap_remove(0), t)
}

/// Compares the oracle's run with each of the target's (cold, then warm); the first
/// divergence says which run it was in.
fn compare_runs(case: &Case, oracle: &Run, targets: &[Run], allow_unsupported: bool) -> Verdict {
    let mut first = None;
    for (i, target) in targets.iter().enumerate() {
        match compare(case, oracle, target, allow_unsupported) {
            Verdict::Diverge { op, message } => {
                let run = if i == 0 { "cold" } else { "warm" };
                return Verdict::Diverge {
                    op,
                    message: format!("{message}\n  (target run with a {run} statement cache)"),
                };
            }
            agree => {
                if first.is_none() {
                    first = Some(agree);
                }
            }
        }
    }
    first.unwrap_or(Verdict::Agree {
        compared: 0,
        not_applicable: 0,
    })
}

/// Runs a campaign of `config.cases` cases on `target` against `oracle`.
pub fn run_diff(
    target: Arc<dyn Backend>,
    oracle: Arc<dyn Backend>,
    config: &DiffConfig,
) -> DiffReport {
    run_diff_with_progress(target, oracle, config, &|| {})
}

/// [`run_diff`], calling `progress` after each generated case has been compared (not
/// for the runs of shrinking).
pub fn run_diff_with_progress(
    target: Arc<dyn Backend>,
    oracle: Arc<dyn Backend>,
    config: &DiffConfig,
    progress: &dyn Fn(),
) -> DiffReport {
    let start = Instant::now();
    let cases = AtomicU64::new(0);
    let ops = AtomicU64::new(0);
    let compared = AtomicU64::new(0);
    let na = AtomicU64::new(0);
    let nonempty = AtomicU64::new(0);
    let errors = AtomicU64::new(0);
    let transactions = AtomicU64::new(0);
    let savepoints = AtomicU64::new(0);
    let batches = AtomicU64::new(0);
    let aborted = AtomicU64::new(0);
    let warm_cache_hits = AtomicU64::new(0);
    let relations = std::sync::Mutex::new(RelationStats::default());
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return DiffReport {
                backend: target.name().to_string(),
                cases: 0,
                ops: 0,
                compared: 0,
                not_applicable: 0,
                nonempty_reads: 0,
                errors: 0,
                transactions: 0,
                savepoints: 0,
                batches: 0,
                aborted: 0,
                warm_cache_hits: 0,
                relations: RelationStats::default(),
                divergence: Some(Divergence {
                    case: Case {
                        models: vec![],
                        ops: vec![],
                    },
                    message: format!("could not start a Tokio runtime: {e}"),
                }),
                elapsed: start.elapsed(),
            }
        }
    };
    let verbose = std::env::var_os("TOASTY_DIFF_VERBOSE").is_some();
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&config.seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: config.cases,
            max_shrink_iters: config.max_shrink_iters,
            failure_persistence: None,
            max_global_rejects: config.cases.saturating_mul(4),
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let result = runner.run(&gen::case(config.gen), |case| {
        let n = cases.fetch_add(1, Ordering::Relaxed);
        super::coverage::record(&case);
        let label = format!("c{n}");
        let (oracle_run, target_runs) = runtime.block_on(run_both(
            oracle.as_ref(),
            target.as_ref(),
            &case,
            &label,
            config.allow_unsupported,
        ));
        let target_run = &target_runs[0];
        if let Some(warm) = target_runs.get(1) {
            warm_cache_hits.fetch_add(warm.cache_hits, Ordering::Relaxed);
        }
        ops.fetch_add(case.ops.len() as u64, Ordering::Relaxed);
        for op in &case.ops {
            let counter = match op {
                Op::Begin => &transactions,
                Op::Savepoint => &savepoints,
                Op::Batch(_) => &batches,
                _ => continue,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
        let mut count = |o: &Outcome| match o {
            Outcome::Rows { rows, .. } if !rows.is_empty() => {
                nonempty.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Count(n) if *n > 0 => {
                nonempty.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Pages(p) if p.iter().any(|(r, _)| !r.is_empty()) => {
                nonempty.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Error(kind, msg) => {
                errors.fetch_add(1, Ordering::Relaxed);
                if *kind == toasty::ErrorKind::TransactionAborted {
                    aborted.fetch_add(1, Ordering::Relaxed);
                }
                if verbose {
                    eprintln!("oracle error: {kind}: {msg}");
                }
            }
            _ => {}
        };
        for o in &oracle_run.outcomes {
            o.visit(&mut count);
        }
        if let Ok(mut r) = relations.lock() {
            *r = r.add(&relation_stats(&case, &oracle_run, target_run));
        }
        progress();
        match compare_runs(&case, &oracle_run, &target_runs, config.allow_unsupported) {
            Verdict::Agree {
                compared: c,
                not_applicable,
            } => {
                compared.fetch_add(c as u64, Ordering::Relaxed);
                na.fetch_add(not_applicable as u64, Ordering::Relaxed);
                Ok(())
            }
            Verdict::Diverge { op, message } => Err(TestCaseError::fail(match op {
                Some(i) => format!("operation #{i} diverged:\n  {message}"),
                None => message,
            })),
        }
    });
    let divergence = match result {
        Ok(()) => None,
        Err(TestError::Fail(reason, case)) => {
            // proptest shrinks the generator's choices; this pass then shrinks the case
            // itself (operations, rows, unused models), which proptest cannot do once
            // its budget is spent or when a model would have to go.
            let budget = config.max_shrink_iters as usize;
            let (case, message) = minimize(case, reason.to_string(), budget, |case| {
                let n = cases.fetch_add(1, Ordering::Relaxed);
                let label = format!("c{n}");
                let (o, t) = runtime.block_on(run_both(
                    oracle.as_ref(),
                    target.as_ref(),
                    case,
                    &label,
                    config.allow_unsupported,
                ));
                match compare_runs(case, &o, &t, config.allow_unsupported) {
                    Verdict::Agree { .. } => None,
                    Verdict::Diverge { op, message } => Some(match op {
                        Some(i) => format!("operation #{i} diverged:\n  {message}"),
                        None => message,
                    }),
                }
            });
            Some(Divergence { case, message })
        }
        Err(TestError::Abort(reason)) => Some(Divergence {
            case: Case {
                models: vec![],
                ops: vec![],
            },
            message: format!("the campaign aborted: {reason}"),
        }),
    };
    let relations = relations.into_inner().unwrap_or_default();
    if relations.cases > 0 {
        let name = target.name().to_string();
        let total = TOTALS.lock().ok().map(|mut totals| {
            let slot = match totals.iter().position(|(n, _)| *n == name) {
                Some(i) => i,
                None => {
                    totals.push((name.clone(), RelationStats::default()));
                    totals.len() - 1
                }
            };
            totals[slot].1 = totals[slot].1.add(&relations);
            totals[slot].1
        });
        if let Some(t) = total {
            eprintln!(
                "[{name}] relations so far: {} related cases, {} nested creates ({} records), \
                 {} includes ({} related records loaded, {} through `via`), {} deletes of \
                 parents, {} links, {} unlinks, {} relation checks",
                t.cases,
                t.nested_creates,
                t.nested_records,
                t.includes,
                t.loaded,
                t.via_includes,
                t.parent_deletes,
                t.links,
                t.unlinks,
                t.checks
            );
        }
    }
    DiffReport {
        backend: target.name().to_string(),
        cases: cases.load(Ordering::Relaxed),
        ops: ops.load(Ordering::Relaxed),
        compared: compared.load(Ordering::Relaxed),
        not_applicable: na.load(Ordering::Relaxed),
        nonempty_reads: nonempty.load(Ordering::Relaxed),
        errors: errors.load(Ordering::Relaxed),
        transactions: transactions.load(Ordering::Relaxed),
        savepoints: savepoints.load(Ordering::Relaxed),
        batches: batches.load(Ordering::Relaxed),
        aborted: aborted.load(Ordering::Relaxed),
        warm_cache_hits: warm_cache_hits.load(Ordering::Relaxed),
        relations,
        divergence,
        elapsed: start.elapsed(),
    }
}

/// A stable 64-bit FNV-1a hash (names regression tests and files after their case).
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Shrinks a diverging case greedily on its own terms: drops operations (from the last),
/// unwraps and trims batches, drops rows of creates, and drops models no operation uses,
/// keeping each change that still diverges (`diverges` returns the divergence). At most
/// `budget` runs.
pub fn minimize(
    mut case: Case,
    mut message: String,
    budget: usize,
    mut diverges: impl FnMut(&Case) -> Option<String>,
) -> (Case, String) {
    let mut runs = 0;
    let mut progress = true;
    while progress && runs < budget {
        progress = false;
        for candidate in candidates(&case) {
            if runs >= budget {
                break;
            }
            runs += 1;
            if let Some(m) = diverges(&candidate) {
                case = candidate;
                message = m;
                progress = true;
                break;
            }
        }
    }
    (case, message)
}

/// Every one-step simplification of `case`, most aggressive first.
fn candidates(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    // A model no operation uses (seeds aside, which go with it) and no other model
    // relates to.
    for m in (0..case.models.len()).rev() {
        if case.models.len() == 1 {
            break;
        }
        let used = case
            .ops
            .iter()
            .any(|op| uses_model(case, op, m) && !is_seed(case, op, m));
        let related = case
            .models
            .iter()
            .enumerate()
            .any(|(i, x)| i != m && x.relations.iter().any(|r| r.kind.target() == m));
        if !used && !related {
            out.push(drop_model(case, m));
        }
    }
    for i in (0..case.ops.len()).rev() {
        let mut c = case.clone();
        c.ops.remove(i);
        out.push(c);
    }
    for (i, op) in case.ops.iter().enumerate() {
        match op {
            Op::Query {
                select: Some(fields),
                ..
            } => {
                // Whole records, then each projected field dropped.
                let mut c = case.clone();
                if let Op::Query { select, .. } = &mut c.ops[i] {
                    *select = None;
                }
                out.push(c);
                for j in 0..fields.len() {
                    if fields.len() > 1 {
                        let mut fewer = fields.clone();
                        fewer.remove(j);
                        let mut c = case.clone();
                        if let Op::Query { select, .. } = &mut c.ops[i] {
                            *select = Some(fewer);
                        }
                        out.push(c);
                    }
                }
            }
            Op::Batch(inner) => {
                let mut c = case.clone();
                c.ops.splice(i..=i, inner.iter().cloned());
                out.push(c);
                for j in 0..inner.len() {
                    let mut inner = inner.clone();
                    inner.remove(j);
                    let mut c = case.clone();
                    c.ops[i] = Op::Batch(inner);
                    out.push(c);
                }
            }
            Op::Update {
                set,
                arith,
                returning,
                ..
            } => {
                // Each assignment and each relative change dropped (one must stay), and
                // the count instead of the records.
                let total = set.len() + arith.len();
                for j in (0..total).rev() {
                    if total < 2 {
                        break;
                    }
                    let mut c = case.clone();
                    if let Op::Update { set, arith, .. } = &mut c.ops[i] {
                        if j < set.len() {
                            set.remove(j);
                        } else {
                            arith.remove(j - set.len());
                        }
                    }
                    out.push(c);
                }
                if *returning {
                    let mut c = case.clone();
                    if let Op::Update { returning, .. } = &mut c.ops[i] {
                        *returning = false;
                    }
                    out.push(c);
                }
            }
            Op::Create { model, rows } if rows.len() > 1 => {
                // Large creates (hostile cases) shrink by halves first; single records
                // are tried only once few remain, so shrinking stays within budget.
                if rows.len() > 8 {
                    let half = rows.len() / 2;
                    for part in [&rows[..half], &rows[half..]] {
                        let mut c = case.clone();
                        c.ops[i] = Op::Create {
                            model: *model,
                            rows: part.to_vec(),
                        };
                        out.push(c);
                    }
                }
                let singles = if rows.len() > 64 { 0 } else { rows.len() };
                for j in (0..singles).rev() {
                    let mut rows = rows.clone();
                    rows.remove(j);
                    let mut c = case.clone();
                    c.ops[i] = Op::Create {
                        model: *model,
                        rows,
                    };
                    out.push(c);
                }
            }
            Op::CreateNested { model, rows } => {
                // A plain create when nothing is nested any more.
                if rows.iter().all(|r| r.nested.is_empty()) {
                    let mut c = case.clone();
                    c.ops[i] = Op::Create {
                        model: *model,
                        rows: rows.iter().map(|r| r.values.clone()).collect(),
                    };
                    out.push(c);
                }
                if rows.len() > 1 {
                    for j in (0..rows.len()).rev() {
                        let mut rows = rows.clone();
                        rows.remove(j);
                        let mut c = case.clone();
                        c.ops[i] = Op::CreateNested {
                            model: *model,
                            rows,
                        };
                        out.push(c);
                    }
                }
                // Each nested record, anywhere in the tree, dropped.
                let total: usize = rows.iter().map(nested_count).sum();
                for n in (0..total).rev() {
                    let mut rows = rows.clone();
                    let mut k = n;
                    for r in rows.iter_mut() {
                        if drop_nested(r, &mut k) {
                            break;
                        }
                    }
                    let mut c = case.clone();
                    c.ops[i] = Op::CreateNested {
                        model: *model,
                        rows,
                    };
                    out.push(c);
                }
            }
            Op::QueryIncluding {
                model,
                filter,
                order,
                limit,
                include,
            } => {
                let mut c = case.clone();
                c.ops[i] = Op::Query {
                    model: *model,
                    filter: filter.clone(),
                    order: order.clone(),
                    limit: *limit,
                    offset: None,
                    select: None,
                };
                out.push(c);
                for j in 0..include.len() {
                    let mut include = include.clone();
                    if include[j].len() > 1 {
                        let mut shorter = include.clone();
                        shorter[j].pop();
                        let mut c = case.clone();
                        c.ops[i] = Op::QueryIncluding {
                            model: *model,
                            filter: filter.clone(),
                            order: order.clone(),
                            limit: *limit,
                            include: shorter,
                        };
                        out.push(c);
                    }
                    include.remove(j);
                    let mut c = case.clone();
                    c.ops[i] = Op::QueryIncluding {
                        model: *model,
                        filter: filter.clone(),
                        order: order.clone(),
                        limit: *limit,
                        include,
                    };
                    out.push(c);
                }
            }
            _ => {}
        }
        // A long top-level OR or IN list (hostile cases) loses half its terms.
        if let Some(filter) = op_filter(op) {
            for smaller in halve_filter(filter) {
                let mut c = case.clone();
                if let Some(f) = op_filter_mut(&mut c.ops[i]) {
                    *f = smaller;
                }
                out.push(c);
            }
        }
    }
    // A relation dropped (with the relations paired with it, and what uses them).
    for k in 0..case.models.len() {
        for r in (0..case.models[k].relations.len()).rev() {
            out.push(remove_relation(case, k, r));
        }
    }
    out
}

/// Records nested in `row`, at every depth.
fn nested_count(row: &NestedRow) -> usize {
    row.nested.iter().map(|(_, n)| 1 + nested_count(n)).sum()
}

/// Drops the `k`-th nested record of `row` (depth first); `true` once dropped.
fn drop_nested(row: &mut NestedRow, k: &mut usize) -> bool {
    for j in 0..row.nested.len() {
        if *k == 0 {
            row.nested.remove(j);
            return true;
        }
        *k -= 1;
        if drop_nested(&mut row.nested[j].1, k) {
            return true;
        }
    }
    false
}

/// `case` without relation `r` of model `k`: the `#[has_many]` / `#[has_one]`
/// relations paired with it go too; nested records and include paths through it are
/// dropped, and later relation positions move down. The foreign-key fields stay, as
/// plain fields.
fn remove_relation(case: &Case, k: usize, mut r: usize) -> Case {
    let mut case = case.clone();
    // `via` relations whose path goes through it go first.
    while let Some((t, h)) = via_through(&case, k, r) {
        case = remove_one_relation(&case, t, h);
        if t == k && h < r {
            r -= 1;
        }
    }
    if case.models[k].relations[r].kind.is_belongs_to() {
        loop {
            let paired = case.models.iter().enumerate().find_map(|(t, m)| {
                (0..m.relations.len()).find_map(|h| {
                    let has = m.relations[h].kind.is_has();
                    (has && case.belongs_to_of(t, h) == Some((k, r))).then_some((t, h))
                })
            });
            let Some((t, h)) = paired else { break };
            case = remove_one_relation(&case, t, h);
            if t == k && h < r {
                r -= 1;
            }
        }
    }
    remove_one_relation(&case, k, r)
}

/// A `#[has_many(via = ..)]` relation `(model, position)` other than `(k, r)` whose path
/// goes through relation `r` of model `k`.
fn via_through(case: &Case, k: usize, r: usize) -> Option<(usize, usize)> {
    case.models.iter().enumerate().find_map(|(t, m)| {
        m.relations.iter().enumerate().find_map(|(h, rel)| {
            let RelKind::Via { path, .. } = &rel.kind else {
                return None;
            };
            let first = path.first().copied()?;
            let mid = m.relations.get(first).map(|x| x.kind.target());
            let through =
                (t == k && first == r) || (mid == Some(k) && path.get(1).copied() == Some(r));
            (through && (t, h) != (k, r)).then_some((t, h))
        })
    })
}

fn remove_one_relation(case: &Case, k: usize, r: usize) -> Case {
    let old = case.models.clone();
    let mut out = case.clone();
    out.models[k].relations.remove(r);
    for (mi, m) in out.models.iter_mut().enumerate() {
        for rel in m.relations.iter_mut() {
            if let RelKind::Via { path, .. } = &mut rel.kind {
                // Positions in this model, then in the first step's target (read from
                // the schema before the removal).
                let mid = path
                    .first()
                    .and_then(|&p| old[mi].relations.get(p))
                    .map(|x| x.kind.target());
                if let Some(p) = path.first_mut() {
                    if mi == k && *p > r {
                        *p -= 1;
                    }
                }
                if let Some(p) = path.get_mut(1) {
                    if mid == Some(k) && *p > r {
                        *p -= 1;
                    }
                }
                continue;
            }
            match &mut rel.kind {
                RelKind::HasMany { target, pair } | RelKind::HasOne { target, pair, .. }
                    if *target == k =>
                {
                    if let Some(p) = pair {
                        if *p > r {
                            *p -= 1;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    fn fix(old: &[ModelSpec], op: &mut Op, k: usize, r: usize) {
        match op {
            Op::Batch(inner) => inner.iter_mut().for_each(|o| fix(old, o, k, r)),
            Op::CreateNested { model, rows } => {
                for x in rows.iter_mut() {
                    row_fix(old, *model, x, k, r);
                }
            }
            Op::QueryIncluding { model, include, .. } => {
                for path in include.iter_mut() {
                    let mut m = *model;
                    let mut fixed = Vec::with_capacity(path.len());
                    for &rel in path.iter() {
                        if m == k && rel == r {
                            break;
                        }
                        let next = old[m].relations.get(rel).map_or(m, |x| x.kind.target());
                        fixed.push(if m == k && rel > r { rel - 1 } else { rel });
                        m = next;
                    }
                    *path = fixed;
                }
                include.retain(|p| !p.is_empty());
            }
            _ => {}
        }
    }
    // Links through the removed relation go (links are never batched); later
    // relation positions of `k` move down.
    fn link_fix(op: &mut Op, k: usize, r: usize) {
        match op {
            Op::Batch(inner) => inner.iter_mut().for_each(|o| link_fix(o, k, r)),
            Op::Link { model, rel, .. } if *model == k && *rel > r => *rel -= 1,
            _ => {}
        }
    }
    out.ops
        .retain(|o| !matches!(o, Op::Link { model, rel, .. } if *model == k && *rel == r));
    for op in out.ops.iter_mut() {
        fix(&old, op, k, r);
        link_fix(op, k, r);
    }
    out
}

/// `row` (of model `m`, under the schema `old`) without its records nested through
/// relation `r` of model `k`, later positions of `k` moved down.
fn row_fix(old: &[ModelSpec], m: usize, row: &mut NestedRow, k: usize, r: usize) {
    let nested = std::mem::take(&mut row.nested);
    for (rel, mut child) in nested {
        let target = old[m].relations.get(rel).map_or(m, |x| x.kind.target());
        if m == k && rel == r {
            continue;
        }
        let rel = if m == k && rel > r { rel - 1 } else { rel };
        row_fix(old, target, &mut child, k, r);
        row.nested.push((rel, child));
    }
}

/// `true` if `op` works on model `m`: its own model, a model of a record nested in it,
/// or a model an include path reaches.
fn uses_model(case: &Case, op: &Op, m: usize) -> bool {
    fn nested_uses(case: &Case, model: usize, row: &NestedRow, m: usize) -> bool {
        row.nested.iter().any(|(r, child)| {
            let target = case
                .models
                .get(model)
                .and_then(|x| x.relations.get(*r))
                .map_or(model, |x| x.kind.target());
            target == m || nested_uses(case, target, child, m)
        })
    }
    match op {
        Op::Batch(inner) => inner.iter().any(|o| uses_model(case, o, m)),
        Op::CreateNested { model, rows } => {
            *model == m || rows.iter().any(|r| nested_uses(case, *model, r, m))
        }
        Op::Link { model, rel, .. } => {
            *model == m
                || case
                    .models
                    .get(*model)
                    .and_then(|x| x.relations.get(*rel))
                    .is_some_and(|x| x.kind.target() == m)
        }
        Op::QueryIncluding { model, include, .. } => {
            *model == m
                || include.iter().any(|path| {
                    let mut at = *model;
                    path.iter().any(|&rel| {
                        at = case
                            .models
                            .get(at)
                            .and_then(|x| x.relations.get(rel))
                            .map_or(at, |x| x.kind.target());
                        at == m
                    })
                })
        }
        other => other.model() == Some(m),
    }
}

/// `true` for the first create of model `m` (its seed data).
fn is_seed(case: &Case, op: &Op, m: usize) -> bool {
    case.ops
        .iter()
        .find(|o| {
            matches!(o, Op::Create { model, .. } | Op::CreateNested { model, .. } if *model == m)
        })
        .is_some_and(|first| std::ptr::eq(first, op))
}

/// Calls `f` on every literal of `op`.
fn for_each_lit(op: &mut Op, f: &mut impl FnMut(&mut Lit)) {
    fn filter(x: &mut Filter, f: &mut impl FnMut(&mut Lit)) {
        match x {
            Filter::True | Filter::IsNull(_) | Filter::Pattern(..) => {}
            Filter::Cmp(_, _, v) => f(v),
            Filter::InList(_, list) => list.iter_mut().for_each(f),
            Filter::And(items) | Filter::Or(items) => items.iter_mut().for_each(|i| filter(i, f)),
            Filter::Not(inner) | Filter::Any(_, inner) | Filter::All(_, inner) => filter(inner, f),
        }
    }
    fn row(x: &mut NestedRow, f: &mut impl FnMut(&mut Lit)) {
        x.values.iter_mut().flatten().for_each(&mut *f);
        x.nested.iter_mut().for_each(|(_, c)| row(c, f));
    }
    match op {
        Op::Create { rows, .. } => rows.iter_mut().flatten().flatten().for_each(f),
        Op::CreateNested { rows, .. } => rows.iter_mut().for_each(|r| row(r, f)),
        Op::Get { key, .. } => key.iter_mut().for_each(f),
        Op::Query { filter: x, .. }
        | Op::Count { filter: x, .. }
        | Op::Paginate { filter: x, .. }
        | Op::Delete { filter: x, .. }
        | Op::QueryIncluding { filter: x, .. } => filter(x, f),
        Op::Update {
            filter: x,
            set,
            arith,
            ..
        } => {
            filter(x, f);
            set.iter_mut().for_each(|(_, v)| f(v));
            arith.iter_mut().for_each(|(_, a)| f(&mut a.amount));
        }
        Op::Link {
            parent, children, ..
        } => {
            parent.iter_mut().for_each(&mut *f);
            children.iter_mut().flatten().for_each(f);
        }
        Op::UpdateHasOne { key, set, to, .. } => {
            key.iter_mut().for_each(&mut *f);
            set.iter_mut().for_each(|(_, v)| f(v));
            match to {
                super::case::HasOneTo::Create(r) => row(r, f),
                super::case::HasOneTo::Link(k) => k.iter_mut().for_each(f),
                super::case::HasOneTo::Unset => {}
            }
        }
        Op::Batch(inner) => inner.iter_mut().for_each(|o| for_each_lit(o, f)),
        Op::Begin
        | Op::Savepoint
        | Op::ReleaseSavepoint
        | Op::RollbackToSavepoint
        | Op::Commit
        | Op::Rollback => {}
    }
}

/// `case` without model `m` (which no other model relates to) and its operations; later
/// models move down by one, and references to the keys of `m`'s records become NULL.
fn drop_model(case: &Case, m: usize) -> Case {
    fn renumber(op: &Op, m: usize) -> Option<Op> {
        let mut op = op.clone();
        match &mut op {
            Op::Batch(inner) => {
                *inner = inner.iter().filter_map(|o| renumber(o, m)).collect();
            }
            Op::Create { model, .. }
            | Op::Get { model, .. }
            | Op::Query { model, .. }
            | Op::Count { model, .. }
            | Op::Paginate { model, .. }
            | Op::Update { model, .. }
            | Op::Delete { model, .. }
            | Op::CreateNested { model, .. }
            | Op::QueryIncluding { model, .. }
            | Op::Link { model, .. } => {
                if *model == m {
                    return None;
                }
                if *model > m {
                    *model -= 1;
                }
            }
            _ => {}
        }
        for_each_lit(&mut op, &mut |l| {
            if let Lit::AutoOf { model, .. } = l {
                if *model == m {
                    *l = Lit::Null;
                } else if *model > m {
                    *model -= 1;
                }
            }
        });
        Some(op)
    }
    let mut models = case.models.clone();
    models.remove(m);
    for x in models.iter_mut() {
        for rel in x.relations.iter_mut() {
            match &mut rel.kind {
                RelKind::BelongsTo { target, .. }
                | RelKind::HasMany { target, .. }
                | RelKind::HasOne { target, .. }
                | RelKind::Via { target, .. } => {
                    if *target > m {
                        *target -= 1;
                    }
                }
            }
        }
    }
    Case {
        models,
        ops: case.ops.iter().filter_map(|o| renumber(o, m)).collect(),
    }
}

/// The filter of an operation that has one.
fn op_filter(op: &Op) -> Option<&Filter> {
    match op {
        Op::Query { filter, .. }
        | Op::Count { filter, .. }
        | Op::Paginate { filter, .. }
        | Op::Update { filter, .. }
        | Op::Delete { filter, .. }
        | Op::QueryIncluding { filter, .. } => Some(filter),
        _ => None,
    }
}

fn op_filter_mut(op: &mut Op) -> Option<&mut Filter> {
    match op {
        Op::Query { filter, .. }
        | Op::Count { filter, .. }
        | Op::Paginate { filter, .. }
        | Op::Update { filter, .. }
        | Op::Delete { filter, .. }
        | Op::QueryIncluding { filter, .. } => Some(filter),
        _ => None,
    }
}

/// Each half of a top-level `OR` or `IN` list of more than 8 terms.
fn halve_filter(filter: &Filter) -> Vec<Filter> {
    match filter {
        Filter::Or(items) if items.len() > 8 => {
            let half = items.len() / 2;
            vec![
                Filter::Or(items[..half].to_vec()),
                Filter::Or(items[half..].to_vec()),
            ]
        }
        Filter::InList(f, list) if list.len() > 8 => {
            let half = list.len() / 2;
            vec![
                Filter::InList(*f, list[..half].to_vec()),
                Filter::InList(*f, list[half..].to_vec()),
            ]
        }
        Filter::And(_) | Filter::Or(_) => {
            // A deep chain (hostile cases): keep the subtree half way down its last
            // branch, so depth shrinks by halves rather than one level per run.
            let mut chain = vec![filter];
            while let Some(Filter::And(items) | Filter::Or(items)) = chain.last() {
                match items.last() {
                    Some(next) => chain.push(next),
                    None => break,
                }
            }
            if chain.len() > 8 {
                vec![chain[chain.len() / 2].clone()]
            } else {
                Vec::new()
            }
        }
        _ => Vec::new(),
    }
}

//! Differential campaigns: generate cases, run them on the oracle and the target,
//! shrink any divergence to a minimal case and print it as a regression test.

use super::case::{Case, Op};
use super::compare::{compare, Verdict};
use super::exec::{run_case, Outcome};
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
    /// The divergence found, shrunk (a campaign stops at the first).
    pub divergence: Option<Divergence>,
    /// Wall time.
    pub elapsed: Duration,
}

/// Runs a campaign of `config.cases` cases on `target` against `oracle`.
pub fn run_diff(
    target: Arc<dyn Backend>,
    oracle: Arc<dyn Backend>,
    config: &DiffConfig,
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
        let label = format!("c{n}");
        let (oracle_run, target_run) = runtime.block_on(async {
            let o = run_case(oracle.as_ref(), &case, &label).await;
            let t = run_case(target.as_ref(), &case, &label).await;
            (o, t)
        });
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
        match compare(&case, &oracle_run, &target_run, config.allow_unsupported) {
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
                let (o, t) = runtime.block_on(async {
                    let o = run_case(oracle.as_ref(), case, &label).await;
                    let t = run_case(target.as_ref(), case, &label).await;
                    (o, t)
                });
                match compare(case, &o, &t, config.allow_unsupported) {
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
    // A model no operation uses (seeds aside, which go with it).
    for m in (0..case.models.len()).rev() {
        if case.models.len() == 1 {
            break;
        }
        let used = case
            .ops
            .iter()
            .any(|op| uses_model(op, m) && !is_seed(case, op, m));
        if !used {
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
            Op::Create { model, rows } if rows.len() > 1 => {
                for j in (0..rows.len()).rev() {
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
            _ => {}
        }
    }
    out
}

fn uses_model(op: &Op, m: usize) -> bool {
    match op {
        Op::Batch(inner) => inner.iter().any(|o| uses_model(o, m)),
        other => other.model() == Some(m),
    }
}

/// `true` for the first create of model `m` (its seed data).
fn is_seed(case: &Case, op: &Op, m: usize) -> bool {
    case.ops
        .iter()
        .find(|o| matches!(o, Op::Create { model, .. } if *model == m))
        .is_some_and(|first| std::ptr::eq(first, op))
}

/// `case` without model `m` and its operations; later models move down by one.
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
            | Op::Delete { model, .. } => {
                if *model == m {
                    return None;
                }
                if *model > m {
                    *model -= 1;
                }
            }
            _ => {}
        }
        Some(op)
    }
    let mut models = case.models.clone();
    models.remove(m);
    Case {
        models,
        ops: case.ops.iter().filter_map(|o| renumber(o, m)).collect(),
    }
}

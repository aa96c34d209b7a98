//! Differential campaigns: generate cases, run them on the oracle and the target,
//! shrink any divergence to a minimal case and print it as a regression test.

use super::case::Case;
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
        for o in &oracle_run.outcomes {
            match o {
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
                    if verbose {
                        eprintln!("oracle error: {kind}: {msg}");
                    }
                }
                _ => {}
            }
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
        Err(TestError::Fail(reason, case)) => Some(Divergence {
            case,
            message: reason.to_string(),
        }),
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

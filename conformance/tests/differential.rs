//! Bounded differential campaigns run on every `cargo test` (the CLI runs long ones).

use std::sync::Arc;
use toasty_conformance::backends::{MemdbKv, MemdbSql};
use toasty_conformance::harness::diff::{run_diff, DiffConfig};
use toasty_conformance::harness::faulty::{Fault, FaultyBackend};
use toasty_conformance::harness::gen::GenConfig;

fn cases(default: u32) -> u32 {
    std::env::var("TOASTY_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn memdb_kv_agrees_with_memdb_sql() {
    let config = DiffConfig {
        cases: cases(300),
        seed: 7,
        gen: GenConfig {
            auto_increment: false,
            kv_friendly: true,
            // memdb-kv refuses transactions, so nothing after one could be compared.
            transactions: false,
            ..GenConfig::default()
        },
        allow_unsupported: true,
        ..DiffConfig::default()
    };
    let report = run_diff(Arc::new(MemdbKv), Arc::new(MemdbSql), &config);
    if let Some(d) = &report.divergence {
        panic!(
            "memdb-kv diverged from memdb-sql: {}\n{}",
            d.message,
            d.regression_test("toasty_conformance::backends::MemdbKv")
        );
    }
    assert!(
        report.compared > report.cases,
        "too few operations compared: {report:?}"
    );
}

#[test]
fn harness_catches_lt_served_as_le_and_shrinks_it() {
    let config = DiffConfig {
        cases: 500,
        seed: 1,
        ..DiffConfig::default()
    };
    let report = run_diff(
        Arc::new(FaultyBackend(Fault::LtAsLe)),
        Arc::new(MemdbSql),
        &config,
    );
    let d = report
        .divergence
        .expect("the harness must detect `<` served as `<=`");
    assert!(
        d.case.ops.len() <= 3,
        "the divergence should shrink to at most 3 operations, got {}: {:#?}",
        d.case.ops.len(),
        d.case
    );
    assert!(d.regression_test("B").contains("check_json"));
}

#[test]
fn harness_catches_nulls_sorted_last() {
    let config = DiffConfig {
        cases: 500,
        seed: 5,
        ..DiffConfig::default()
    };
    let report = run_diff(
        Arc::new(FaultyBackend(Fault::NullsLast)),
        Arc::new(MemdbSql),
        &config,
    );
    let d = report
        .divergence
        .expect("the harness must detect NULLs sorted last");
    assert!(
        d.case.ops.len() <= 3,
        "the divergence should shrink to at most 3 operations, got {}: {:#?}",
        d.case.ops.len(),
        d.case
    );
}

#[test]
fn harness_catches_rollback_that_keeps_work() {
    let config = DiffConfig {
        cases: 500,
        seed: 3,
        ..DiffConfig::default()
    };
    let report = run_diff(
        Arc::new(FaultyBackend(Fault::RollbackKeeps)),
        Arc::new(MemdbSql),
        &config,
    );
    let d = report
        .divergence
        .expect("the harness must detect a rollback that keeps the work");
    assert!(
        d.case.ops.len() <= 3,
        "the divergence should shrink to at most 3 operations, got {}: {:#?}",
        d.case.ops.len(),
        d.case
    );
}

#[test]
fn harness_catches_cascade_that_keeps_foreign_keys() {
    let config = DiffConfig {
        cases: 500,
        seed: 4,
        ..DiffConfig::default()
    };
    let report = run_diff(
        Arc::new(FaultyBackend(Fault::UnlinkKeeps)),
        Arc::new(MemdbSql),
        &config,
    );
    let d = report
        .divergence
        .expect("the harness must detect a cascading delete that keeps foreign keys");
    assert!(
        d.case.ops.len() <= 4,
        "the divergence should shrink to at most 4 operations, got {}: {:#?}",
        d.case.ops.len(),
        d.case
    );
    assert!(d.case.has_relations(), "{:#?}", d.case);
    eprintln!("{}", d.json());
}

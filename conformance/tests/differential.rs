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
                .replace("check_json(", "check_json_key_value_against_sql(")
                .replace(
                    "backends::MemdbKv,",
                    "backends::MemdbKv,\n        toasty_conformance::backends::MemdbSql,"
                )
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

/// A batch whose first statement holds a value out of range and whose second filters
/// through a relation: a key-value store reports the first statement's error (a batch
/// compiles its statements in order before running any), not the refusal of the second.
#[test]
fn regression_batch_error_before_relation_refusal() {
    toasty_conformance::harness::regressions::check_json_key_value_against_sql(
        MemdbKv,
        MemdbSql,
        r#"{"models":[{"fields":[{"ty":"i32","nullable":false},{"ty":"f64","nullable":false},{"ty":"Vec<u8>","nullable":false},{"ty":"i64","nullable":true},{"ty":"i64","nullable":true},{"ty":"i32","nullable":true}],"key":"Single","indices":[{"fields":[2],"unique":true},{"fields":[3],"unique":false},{"fields":[2,3],"unique":false}]},{"fields":[{"ty":"String","nullable":false},{"ty":"uuid::Uuid","nullable":false},{"ty":"Vec<u8>","nullable":true},{"ty":"f64","nullable":false},{"ty":"u32","nullable":false},{"ty":"u64","nullable":true},{"ty":"u16","nullable":true}],"key":"Composite","indices":[{"fields":[2],"unique":true},{"fields":[6],"unique":false},{"fields":[5],"unique":false}]}],"ops":[{"Batch":[{"Query":{"model":1,"filter":{"And":[{"Cmp":[0,"=",{"Str":"a"}]},{"And":[{"Or":[{"Cmp":[4,"<=",{"BigUint":18446744073709551615}]}]}]}]},"order":[{"field":3,"desc":false}],"limit":null,"offset":null}},{"Update":{"model":0,"filter":{"Any":[0,{"Cmp":[0,"=",{"Int":0}]}]},"set":[[1,{"Float":0.0}]]}}]}]}"#,
    );
}

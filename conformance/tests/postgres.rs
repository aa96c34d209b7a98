//! The conformance suite, a bounded differential campaign and the saved regressions on
//! PostgreSQL (`TOASTY_TEST_POSTGRES_URL`; skipped with the reason when it is not set,
//! failed under `CI=true`).

use std::sync::Arc;
use toasty_conformance::backends::{MemdbSql, Postgres};
use toasty_conformance::harness::compare::Verdict;
use toasty_conformance::harness::diff::{run_diff, DiffConfig};
use toasty_conformance::harness::gen::GenConfig;
use toasty_conformance::harness::regressions::{check, load_all};
use toasty_conformance::{Availability, Backend};

toasty_conformance::conformance_suite!(toasty_conformance::backends::Postgres);

/// `true` when the backend can run; otherwise prints why (or panics under `CI=true`).
fn available(test: &str) -> bool {
    match Postgres.availability() {
        Availability::Available => true,
        Availability::Unavailable(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("backend postgres is unavailable under CI=true: {why}");
            }
            eprintln!("skipping {test} on postgres: {why}");
            false
        }
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("TOASTY_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn differential_postgres_agrees_with_memdb_sql() {
    if !available("differential_postgres_agrees_with_memdb_sql") {
        return;
    }
    let config = DiffConfig {
        cases: cases(300),
        seed: 4242,
        gen: GenConfig {
            nul_in_strings: false,
            ..GenConfig::default()
        },
        ..DiffConfig::default()
    };
    let report = run_diff(Arc::new(Postgres), Arc::new(MemdbSql), &config);
    if let Some(d) = &report.divergence {
        panic!(
            "postgres diverged from memdb-sql: {}\n{}",
            d.message,
            d.regression_test("toasty_conformance::backends::Postgres")
        );
    }
    assert!(
        report.compared > report.cases,
        "too few operations compared: {report:?}"
    );
    assert!(
        report.nonempty_reads > 0,
        "no read returned rows: {report:?}"
    );
}

#[test]
fn saved_regressions_agree_on_postgres() {
    if !available("saved_regressions_agree_on_postgres") {
        return;
    }
    let cases = load_all().unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (name, case) in cases {
        if let Verdict::Diverge { op, message } = rt.block_on(check(&Postgres, &case, "reg")) {
            panic!("{name} diverged on postgres at {op:?}: {message}");
        }
    }
}

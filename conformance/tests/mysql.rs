//! The conformance suite, a bounded differential campaign against memdb-sql, and every
//! saved regression, on MySQL / MariaDB (`TOASTY_TEST_MYSQL_URL`).

use std::sync::Arc;
use toasty_conformance::backends::{MemdbSql, Mysql};
use toasty_conformance::harness::compare::Verdict;
use toasty_conformance::harness::diff::{run_diff, DiffConfig};
use toasty_conformance::harness::regressions::{check, load_all};
use toasty_conformance::{Availability, Backend};

mod suite {
    toasty_conformance::conformance_suite!(toasty_conformance::backends::Mysql);
}

/// `false` (after saying why) when the server is not provisioned; under `CI=true` that
/// is a failure instead.
fn available() -> bool {
    match Mysql.availability() {
        Availability::Available => true,
        Availability::Unavailable(why) => {
            let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
            assert!(!ci, "backend mysql is unavailable under CI=true: {why}");
            eprintln!("skipping mysql: {why}");
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
fn mysql_agrees_with_memdb_sql() {
    if !available() {
        return;
    }
    let config = DiffConfig {
        cases: cases(300),
        seed: 11,
        ..DiffConfig::default()
    };
    let report = run_diff(Arc::new(Mysql), Arc::new(MemdbSql), &config);
    if let Some(d) = &report.divergence {
        panic!(
            "mysql diverged from memdb-sql: {}\n{}",
            d.message,
            d.regression_test("toasty_conformance::backends::Mysql")
        );
    }
    assert!(
        report.compared > report.cases,
        "too few operations compared: {report:?}"
    );
}

#[test]
fn saved_regressions_agree_on_mysql() {
    if !available() {
        return;
    }
    let cases = load_all().unwrap_or_else(|e| panic!("{e}"));
    assert!(!cases.is_empty(), "no saved regression cases were found");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (name, case) in cases {
        if let Verdict::Diverge { op, message } = rt.block_on(check(&Mysql, &case, "reg")) {
            panic!("{name} diverged on mysql at {op:?}: {message}");
        }
    }
}

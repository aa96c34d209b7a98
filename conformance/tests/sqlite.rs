//! The conformance suite, a bounded differential campaign and the saved regressions on
//! in-memory SQLite, with memdb (sql persona) as the oracle.

use std::sync::Arc;
use toasty_conformance::backends::{MemdbSql, SqliteMemory};
use toasty_conformance::harness::compare::Verdict;
use toasty_conformance::harness::diff::{run_diff, DiffConfig};
use toasty_conformance::harness::regressions::{check, load_all};

toasty_conformance::conformance_suite!(SqliteMemory);

#[test]
fn differential_sqlite_vs_memdb() {
    let cases = std::env::var("TOASTY_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    let config = DiffConfig {
        cases,
        seed: 3,
        ..DiffConfig::default()
    };
    let report = run_diff(Arc::new(SqliteMemory), Arc::new(MemdbSql), &config);
    if let Some(d) = &report.divergence {
        panic!(
            "SQLite diverged from memdb: {}\n{}",
            d.message,
            d.regression_test("toasty_conformance::backends::SqliteMemory")
        );
    }
}

#[test]
fn regressions_on_sqlite() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for (name, case) in load_all().unwrap_or_else(|e| panic!("{e}")) {
        if let Verdict::Diverge { op, message } = rt.block_on(check(&SqliteMemory, &case, "reg")) {
            panic!("{name} diverged on sqlite at {op:?}: {message}");
        }
    }
}

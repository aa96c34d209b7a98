//! Fault injection: a connection or driver error at every operation of multi-operation
//! statements, transactions and batches must never leave a partial write.

use toasty_conformance::harness::faults::{run_faults, run_scenarios, Scenario};

#[test]
fn no_partial_writes_under_injected_faults() {
    let report = run_faults();
    println!(
        "{} scenarios, {} faults injected: {} rolled back, {} committed, {} partial writes \
         ({:.2}s)",
        report.scenarios,
        report.faults,
        report.rolled_back,
        report.committed,
        report.partial_writes,
        report.elapsed.as_secs_f64()
    );
    assert!(
        report.failures.is_empty(),
        "{} problems:\n{}",
        report.failures.len(),
        report.failures.join("\n\n")
    );
    assert_eq!(report.partial_writes, 0);
    assert!(
        report.faults >= 1000,
        "too few faults injected: {}",
        report.faults
    );
}

/// The check can fail: a driver that claims no interactive transactions leaves the
/// engine unable to wrap a split create, and a fault between its inserts leaves some
/// of them behind.
#[test]
fn fault_check_catches_non_atomic_statements() {
    let report = run_scenarios(&[Scenario::CreateMany(7)], false);
    assert!(
        report.partial_writes > 0,
        "a split create without a transaction must show partial writes: {report:?}"
    );
}

/// Regression: when `RELEASE SAVEPOINT` failed with a driver error, `Transaction::commit`
/// of the nested level returned before lowering the transaction's depth, so a statement
/// that failed later in the parent was recorded as aborting the (gone) nested level, and
/// the parent's `commit()` committed the work before the failure. A failed release now
/// aborts the whole transaction. (The scenario is also part of `Scenario::all`.)
#[test]
fn failed_release_then_failure_still_rolls_back() {
    let report = run_scenarios(&[Scenario::NestedThenFailing(2)], true);
    assert!(
        report.failures.is_empty(),
        "{} problems:\n{}",
        report.failures.len(),
        report.failures.join("\n\n")
    );
}

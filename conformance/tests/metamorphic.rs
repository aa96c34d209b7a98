//! Metamorphic checks of memdb itself: ternary logic partitioning and equivalent rewrites.

use toasty_conformance::backends::{MemdbKv, MemdbSql};
use toasty_conformance::harness::gen::GenConfig;
use toasty_conformance::harness::metamorphic::run_metamorphic;

#[test]
fn memdb_sql_partitions_and_rewrites() {
    let report = run_metamorphic(&MemdbSql, 200, 11, GenConfig::default());
    if let Some((case, msg)) = &report.failure {
        panic!("{msg}\n{}", serde_json::to_string(case).unwrap_or_default());
    }
    assert!(report.checks > 200, "too few checks: {report:?}");
}

#[test]
fn memdb_kv_partitions_and_rewrites() {
    let gen = GenConfig {
        auto_increment: false,
        kv_friendly: true,
        ..GenConfig::default()
    };
    let report = run_metamorphic(&MemdbKv, 150, 12, gen);
    if let Some((case, msg)) = &report.failure {
        panic!("{msg}\n{}", serde_json::to_string(case).unwrap_or_default());
    }
}

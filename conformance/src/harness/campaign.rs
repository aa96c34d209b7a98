//! The bounded campaign every backend gets from `conformance_suite!`: the oracle and the
//! generator settings are chosen from what the backend is.

use super::diff::{run_diff, DiffConfig, DiffReport};
use super::gen::GenConfig;
use crate::backends::{MemdbKv, MemdbSql};
use crate::{Availability, Backend};
use std::sync::Arc;

#[derive(Debug, toasty::Model)]
struct Probe {
    #[key]
    #[auto]
    id: uuid::Uuid,
}

/// Whether `backend` is a key-value store, learned by opening a database on it.
pub async fn is_key_value(backend: &dyn Backend) -> toasty::Result<bool> {
    let db = backend.setup(toasty::models!(Probe), "probe").await?;
    let kv = !db.capability().is_sql();
    let _ = db.drop_schema().await;
    Ok(kv)
}

/// The campaign settings for `backend`: memdb of the same persona as the oracle, and a
/// generator that only produces what the backend can store.
pub fn config_for(
    backend: &dyn Backend,
    key_value: bool,
    cases: u32,
) -> (Arc<dyn Backend>, DiffConfig) {
    let gen = GenConfig {
        auto_increment: !key_value,
        kv_friendly: key_value,
        nul_in_strings: backend.stores_nul(),
        ..GenConfig::default()
    };
    let oracle: Arc<dyn Backend> = if key_value {
        Arc::new(MemdbKv)
    } else {
        Arc::new(MemdbSql)
    };
    (
        oracle,
        DiffConfig {
            cases,
            seed: 42,
            gen,
            ..DiffConfig::default()
        },
    )
}

/// The number of cases of a bounded campaign: `TOASTY_DIFF_CASES`, or 300.
pub fn bounded_cases() -> u32 {
    std::env::var("TOASTY_DIFF_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// Runs a bounded campaign on `backend` (the `differential_campaign` test of
/// `conformance_suite!`). An unavailable backend is skipped with a message.
///
/// # Panics
///
/// This is a test entry point: it fails the calling `#[test]` by panicking on a
/// divergence (with the shrunk case and a ready-to-paste regression test), when too few
/// operations were compared, and on an unavailable backend under `CI=true`.
pub fn check_backend(backend: impl Backend) {
    let name = backend.name().to_string();
    if let Availability::Unavailable(why) = backend.availability() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("backend {name} is unavailable under CI=true: {why}");
        }
        eprintln!("skipping the differential campaign on {name}: {why}");
        return;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("could not start a Tokio runtime: {e}"),
    };
    let key_value = match runtime.block_on(is_key_value(&backend)) {
        Ok(kv) => kv,
        Err(e) => panic!("could not open a database on {name}: {e}"),
    };
    drop(runtime);
    let backend: Arc<dyn Backend> = Arc::new(backend);
    let (oracle, config) = config_for(backend.as_ref(), key_value, bounded_cases());
    let report: DiffReport = run_diff(backend, oracle, &config);
    if let Some(d) = &report.divergence {
        panic!(
            "{name} diverged from memdb after {} cases: {}\nminimal case:\n{}\nregression test:\n{}",
            report.cases,
            d.message,
            d.json(),
            d.regression_test(&format!("/* the {name} backend */"))
        );
    }
    assert!(
        report.compared > report.cases,
        "the campaign on {name} compared too few operations: {report:?}"
    );
    assert!(
        report.nonempty_reads > 0,
        "no read returned data on {name}: the generators are not exercising it: {report:?}"
    );
}

//! Regression cases: divergences the harness once found, kept forever.
//!
//! Each file in `conformance/regressions/` is a [`Case`] in JSON. They are replayed on
//! every backend by `tests/regressions.rs`; new ones are printed by the harness as
//! ready-to-paste tests and can be saved with the CLI's `--save`.

use super::case::Case;
use super::compare::{compare, Verdict};
use super::exec::{run_case, run_case_expecting};
use crate::backends::{MemdbKv, MemdbSql};
use crate::Backend;
use std::path::{Path, PathBuf};

/// The folder holding regression cases.
pub fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("regressions")
}

/// Every saved case, with its file name.
pub fn load_all() -> Result<Vec<(String, Case)>, String> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir()) {
        Ok(e) => e,
        Err(_) => return Ok(out),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let case: Case =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        out.push((path.display().to_string(), case));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Saves a case; returns its path.
pub fn save(case: &Case) -> std::io::Result<PathBuf> {
    let json = serde_json::to_string_pretty(case).map_err(std::io::Error::other)?;
    let h = super::diff::fnv1a(json.as_bytes());
    std::fs::create_dir_all(dir())?;
    let path = dir().join(format!("{h:016x}.json"));
    std::fs::write(&path, json)?;
    Ok(path)
}

/// Runs `case` on `target` and on the memdb oracle of the same persona; returns the
/// verdict.
pub async fn check(target: &dyn Backend, case: &Case, label: &str) -> Verdict {
    let target_run = run_case(target, case, label).await;
    let oracle: Box<dyn Backend> = if target_run.key_value {
        Box::new(MemdbKv)
    } else {
        Box::new(MemdbSql)
    };
    let oracle_run = run_case(oracle.as_ref(), case, label).await;
    compare(case, &oracle_run, &target_run, false)
}

/// Replays a case given as JSON on `target` (the body of a pasted regression test).
///
/// # Panics
///
/// This is a test entry point: it fails the calling `#[test]` by panicking when the case
/// diverges, is not valid JSON, or no runtime can start.
pub fn check_json(target: impl Backend, json: &str) {
    let case: Case = match serde_json::from_str(json) {
        Ok(c) => c,
        Err(e) => panic!("the regression case is not valid JSON: {e}"),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("could not start a Tokio runtime: {e}"),
    };
    if let Verdict::Diverge { op, message } = runtime.block_on(check(&target, &case, "regression"))
    {
        panic!("regression diverged at {op:?}: {message}");
    }
}

/// Replays a case given as JSON on a key-value `target` against an SQL `oracle` (the
/// comparison of the `memdb_kv_agrees_with_memdb_sql` campaign): the oracle expects the
/// key-value refusals (see [`run_case_expecting`]) and operations the target does not
/// support are not compared.
///
/// # Panics
///
/// This is a test entry point: it fails the calling `#[test]` by panicking when the case
/// diverges, is not valid JSON, or no runtime can start.
pub fn check_json_key_value_against_sql(target: impl Backend, oracle: impl Backend, json: &str) {
    let case: Case = match serde_json::from_str(json) {
        Ok(c) => c,
        Err(e) => panic!("the regression case is not valid JSON: {e}"),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("could not start a Tokio runtime: {e}"),
    };
    let verdict = runtime.block_on(async {
        let target_run = run_case(&target, &case, "regression").await;
        let oracle_run = run_case_expecting(&oracle, &case, "regression", true).await;
        compare(&case, &oracle_run, &target_run, true)
    });
    if let Verdict::Diverge { op, message } = verdict {
        panic!("regression diverged at {op:?}: {message}");
    }
}

/// Replays every saved case on `target` (the `saved_regressions` test of
/// `conformance_suite!`). An unavailable backend is skipped with a message.
///
/// # Panics
///
/// This is a test entry point: it fails the calling `#[test]` by panicking on the first
/// divergence, on an unreadable case file, and on an unavailable backend under
/// `CI=true`.
pub fn check_all(target: impl Backend) {
    let name = target.name().to_string();
    if let crate::Availability::Unavailable(why) = target.availability() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!("backend {name} is unavailable under CI=true: {why}");
        }
        eprintln!("skipping the saved regressions on {name}: {why}");
        return;
    }
    let cases = match load_all() {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("could not start a Tokio runtime: {e}"),
    };
    for (file, case) in cases {
        if let Verdict::Diverge { op, message } =
            runtime.block_on(check(&target, &case, "regression"))
        {
            panic!("{file} diverged on {name} at {op:?}: {message}");
        }
    }
}

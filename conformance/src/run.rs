//! Running one test on one backend.

use crate::{Availability, Backend, Test};
use std::sync::Arc;

/// Runs `test` on `backend` in a fresh Tokio runtime. An unavailable backend is
/// reported as skipped.
///
/// # Panics
///
/// This is the body of every generated `#[test]`: it fails the test by panicking when the
/// test returns an error, and when the backend is unavailable under `CI=true`.
pub fn run_test<B, F>(backend: B, name: &str, test: F)
where
    B: Backend,
    F: AsyncFnOnce(&mut Test) -> toasty::Result<()>,
{
    if let Availability::Unavailable(why) = backend.availability() {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true" || v == "1");
        if ci {
            panic!(
                "backend {} is unavailable under CI=true: {why}",
                backend.name()
            );
        }
        eprintln!("skipping {name} on {}: {why}", backend.name());
        return;
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("could not start a Tokio runtime: {e}"),
    };
    let backend_name = backend.name().to_string();
    let mut ctx = Test::new(Arc::new(backend), name);
    if let Err(e) = runtime.block_on(test(&mut ctx)) {
        panic!("{name} failed on {backend_name}: {e}");
    }
}

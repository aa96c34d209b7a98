//! Every saved regression case, replayed on memdb (both personas).

use toasty_conformance::backends::{MemdbKv, MemdbSql};
use toasty_conformance::harness::compare::Verdict;
use toasty_conformance::harness::regressions::{check, load_all};

#[test]
fn saved_regressions_agree() {
    let cases = load_all().unwrap_or_else(|e| panic!("{e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for (name, case) in cases {
        for backend in [&MemdbSql as &dyn toasty_conformance::Backend, &MemdbKv] {
            if let Verdict::Diverge { op, message } = rt.block_on(check(backend, &case, "reg")) {
                panic!("{name} diverged on {} at {op:?}: {message}", backend.name());
            }
        }
    }
}

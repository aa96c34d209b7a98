//! The conformance suite on memdb, both personas.

mod sql {
    toasty_conformance::conformance_suite!(toasty_conformance::backends::MemdbSql);
}

mod kv {
    toasty_conformance::conformance_suite!(toasty_conformance::backends::MemdbKv);
}

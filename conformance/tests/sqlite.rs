//! The conformance suite, a bounded differential campaign and the saved regressions on
//! in-memory SQLite (all from `conformance_suite!`).

toasty_conformance::conformance_suite!(toasty_conformance::backends::SqliteMemory);

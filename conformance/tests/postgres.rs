//! The conformance suite, a bounded differential campaign and the saved regressions on
//! PostgreSQL (all from `conformance_suite!`). The server comes from
//! `TOASTY_TEST_POSTGRES_URL`; without it the tests are skipped with the reason, and fail
//! under `CI=true`.

toasty_conformance::conformance_suite!(toasty_conformance::backends::Postgres);

//! The conformance suite, a bounded differential campaign and the saved regressions on
//! MySQL/MariaDB (all from `conformance_suite!`). The server comes from
//! `TOASTY_TEST_MYSQL_URL`; without it the tests are skipped with the reason, and fail
//! under `CI=true`.

toasty_conformance::conformance_suite!(toasty_conformance::backends::Mysql);

//! The conformance suite, a bounded differential campaign against memdb-kv and the saved
//! regressions on DynamoDB (all from `conformance_suite!`). The endpoint comes from
//! `TOASTY_TEST_DYNAMODB_URL` (moto's server or DynamoDB Local, started by
//! `scripts/test`); without it the tests are skipped with the reason, and fail under
//! `CI=true`.

toasty_conformance::conformance_suite!(toasty_conformance::backends::Dynamodb);

//! The Toasty conformance suite: one set of tests, run on every backend.
//!
//! * [`Backend`]: how to open an isolated [`toasty::Db`] for one test (memdb-sql,
//!   memdb-kv, and the real drivers).
//! * [`suite`]: the tests, written once as `async fn(&mut Test) -> toasty::Result<()>`.
//! * [`conformance_suite!`]: expands the whole suite into `#[test]` functions for one
//!   backend. A driver author adds one test file:
//!
//! ```ignore
//! toasty_conformance::conformance_suite!(my_driver_backend());
//! ```
//!
//! Tests never skip silently: a test whose feature the backend lacks runs its "clear
//! error" variant (asserting the `Unsupported` error), and a backend that cannot be
//! provisioned prints why it was skipped (and fails under `CI=true`).

mod backend;
pub mod backends;
#[cfg(feature = "containers")]
pub mod containers;
pub mod containers_spec;
pub mod harness;
mod run;
pub mod suite;
mod test_ctx;

pub use backend::{Availability, Backend};
pub use run::run_test;
pub use test_ctx::Test;

/// Expands every conformance test into a `#[test]` for `$backend` (an expression that
/// builds a value implementing [`Backend`]), plus two more: `differential_campaign` (a
/// bounded differential campaign against memdb of the backend's persona; set
/// `TOASTY_DIFF_CASES` for more cases) and `saved_regressions` (every case under
/// `conformance/regressions/`).
#[macro_export]
macro_rules! conformance_suite {
    ($backend:expr) => {
        $crate::for_each_conformance_test!($crate::__conformance_tests, $backend);

        #[test]
        fn differential_campaign() {
            $crate::harness::campaign::check_backend($backend);
        }

        #[test]
        fn saved_regressions() {
            $crate::harness::regressions::check_all($backend);
        }
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __conformance_tests {
    ($backend:expr; $($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                $crate::run_test(
                    $backend,
                    concat!(stringify!($module), "::", stringify!($name)),
                    $crate::suite::$module::$name,
                );
            }
        )*
    };
}

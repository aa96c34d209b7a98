//! The conformance tests, grouped by area. Every test is
//! `pub async fn name(t: &mut Test) -> toasty::Result<()>` and is listed in
//! [`crate::for_each_conformance_test!`].

pub mod crud;

/// Calls `$callback!($arg; module::test, ...)` with every conformance test. Add new tests
/// here (test names must be unique across modules).
#[macro_export]
macro_rules! for_each_conformance_test {
    ($callback:path, $arg:expr) => {
        $callback!($arg;
            crud::create_get_update_delete,
        );
    };
}

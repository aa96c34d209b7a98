//! The conformance tests, grouped by area. Every test is
//! `pub async fn name(t: &mut Test) -> toasty::Result<()>` and is listed in
//! [`crate::for_each_conformance_test!`].

pub mod create;
pub mod crud;
pub mod filter_ops;
pub mod get_by;
pub mod support;

/// Calls `$callback!($arg; module::test, ...)` with every conformance test. Add new tests
/// here (test names must be unique across modules).
#[macro_export]
macro_rules! for_each_conformance_test {
    ($callback:path, $arg:expr) => {
        $callback!($arg;
            crud::create_get_update_delete,
            create::create_with_builder,
            create::create_with_macro,
            create::create_batch_with_macro,
            create::create_batch_of_150,
            create::create_empty_batch,
            create::create_missing_required_field,
            get_by::get_by_composite_key,
            get_by::get_by_unique_field,
            get_by::filter_by_partition_field,
            get_by::filter_by_key_unique_and_indexes,
            get_by::update_by_generated_accessors,
            get_by::delete_by_generated_accessors,
            filter_ops::cmp_ops_bool,
            filter_ops::cmp_ops_i8,
            filter_ops::cmp_ops_i16,
            filter_ops::cmp_ops_i32,
            filter_ops::cmp_ops_i64,
            filter_ops::cmp_ops_u8,
            filter_ops::cmp_ops_u16,
            filter_ops::cmp_ops_u32,
            filter_ops::cmp_ops_u64,
            filter_ops::cmp_ops_f32,
            filter_ops::cmp_ops_f64,
            filter_ops::cmp_ops_string,
            filter_ops::cmp_ops_bytes,
            filter_ops::cmp_ops_uuid,
            filter_ops::cmp_ops_jiff_timestamp,
            filter_ops::cmp_ops_chrono_datetime,
            filter_ops::string_patterns_literal,
            filter_ops::string_patterns_unicode_and_empty,
            filter_ops::logical_nesting,
        );
    };
}

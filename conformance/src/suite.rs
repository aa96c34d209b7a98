//! The conformance tests, grouped by area. Every test is
//! `pub async fn name(t: &mut Test) -> toasty::Result<()>` and is listed in
//! [`crate::for_each_conformance_test!`].
//!
//! Areas: [`crud`] and [`create`] (single, builder, macro, batches past the kv limits),
//! [`get_by`] (generated accessors), [`filter_ops`] (every operator on every type),
//! [`like`] (`like` / `ilike` patterns), [`select`] (`.select(..)` projections),
//! [`column_types`] (`#[column(type = ..)]` limits), [`null_logic`] (three-valued logic),
//! [`order_limit`], [`paginate`], [`prepared`] (`db.prepare(..)` and the statement cache), [`update`], [`arith`] (relative numeric updates),
//! [`delete`], [`count_first_get`], [`types`] (boundary round-trips), [`keys`],
//! [`defaults`] (`#[default]`, `#[update]`), [`errors`] (the same error kind everywhere)
//! and [`kv_limits`] (what a key-value store refuses, and what it serves); [`limits`]
//! (the filter, value, limit and page-size limits of `toasty::limits`, and long filters
//! within them);
//! [`transactions`] (commit, rollback, savepoints, the abort rule, read-only, isolation),
//! [`batch`] (`toasty::batch`, statement atomicity), [`counts`] (what updates and deletes
//! return), [`concurrency`] (concurrent tasks on one database) and [`relations`]
//! (relation fields, nested creates, `.include(..)`, cascading deletes),
//! [`relation_filters`] (`.any(..)`, `.all(..)`, paths through relations) and
//! [`many_to_many`] (`#[has_many(via = ..)]` through a join model), [`linking`]
//! (`.insert(..)` / `.remove(..)` on a relation), [`has_one_update`] (replacing, linking
//! and unsetting a `#[has_one]` in an update), [`scoped_accessors`] (`get_by_*`,
//! `filter_by_*`, `update_by_*`, `delete_by_*` on `user.todos()`), [`raw_sql`]
//! (`toasty::sql` on SQL backends, `Unsupported` elsewhere) and [`now`] (`toasty::now()`,
//! one clock reading per statement). Tests pin a
//! key or index wherever the area allows, so they run unchanged on key-value backends;
//! where a key-value store must refuse, the test asserts the `Unsupported` error there
//! and the rows elsewhere. [`support`] holds shared assertions.

pub mod arith;
pub mod batch;
pub mod column_types;
pub mod concurrency;
pub mod connection;
pub mod count_first_get;
pub mod counts;
pub mod create;
pub mod crud;
pub mod defaults;
pub mod delete;
pub mod errors;
pub mod filter_ops;
pub mod get_by;
pub mod has_one_update;
pub mod keys;
pub mod kv_limits;
pub mod like;
pub mod limits;
pub mod linking;
pub mod many_to_many;
pub mod now;
pub mod null_logic;
pub mod order_limit;
pub mod paginate;
pub mod prepared;
pub mod raw_sql;
pub mod relation_filters;
pub mod relations;
pub mod scoped_accessors;
pub mod select;
pub mod support;
pub mod transactions;
pub mod types;
pub mod update;

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
            create::create_raw_identifier_fields,
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
            filter_ops::string_prefix_before_astral_char_on_index,
            filter_ops::logical_nesting,
            column_types::column_types_limits,
            column_types::column_types_misfit,
            select::select_fields_and_tuples,
            select::select_first_get_count,
            select::select_refusals,
            select::select_every_type,
            like::like_patterns,
            like::ilike_patterns,
            like::like_null_invalid_and_nul,
            filter_ops::field_to_field_comparisons,
            filter_ops::in_list_with_many_values,
            null_logic::null_is_none_is_some,
            null_logic::null_comparison_matches_neither_side,
            null_logic::null_compare_with_none_literal,
            null_logic::null_and_or_not,
            null_logic::null_empty_in_list,
            null_logic::null_update_to_none_and_back,
            order_limit::order_nulls_first_asc_last_desc,
            order_limit::order_single_key,
            order_limit::order_tuple_and_chained,
            order_limit::order_limit_offset,
            order_limit::order_first,
            paginate::paginate_asc_with_ties_and_nulls,
            paginate::paginate_desc_with_ties_and_nulls,
            paginate::paginate_by_key_with_filter,
            paginate::paginate_edge_sizes,
            paginate::paginate_stable_under_inserts,
            paginate::paginate_across_partitions,
            update::update_instance,
            update::update_macro,
            update::update_deleted_record_not_found,
            update::update_with_no_assignments,
            update::update_query_many,
            update::update_with_unchanged_values,
            update::update_limited_query_refused,
            prepared::prepared_reads_with_arguments,
            prepared::prepared_null_and_value_arguments,
            prepared::prepared_writes_and_errors,
            prepared::prepared_in_transaction_and_other_db,
            prepared::statement_cache_reuses_plans,
            arith::arith_basic_forms,
            arith::arith_integer_edges,
            arith::arith_floats,
            arith::arith_query_all_or_nothing,
            arith::arith_concurrent_increments,
            arith::arith_in_transaction,
            arith::arith_unique_field_one_record,
            arith::arith_range_error_before_unique_violation,
            now::now_in_defaults_and_filters,
            now::now_in_updates,
            now::now_frozen,
            raw_sql::raw_sql_query_and_statement,
            raw_sql::raw_sql_in_transaction,
            delete::delete_instance,
            delete::delete_query,
            delete::delete_with_limit_refused,
            delete::delete_then_recreate_same_key,
            count_first_get::count_with_filters,
            count_first_get::get_exactly_one,
            count_first_get::first_any_and_none,
            types::types_scalar_boundaries,
            types::types_negative_zero,
            types::types_timestamp_microseconds,
            types::types_optional_round_trip,
            types::types_nul_in_string,
            keys::keys_composite,
            keys::keys_auto_uuid,
            keys::keys_auto_increment,
            keys::keys_explicit_types,
            keys::keys_column_and_table_names,
            keys::keys_out_of_field_order,
            keys::keys_only_and_unnormalized,
            defaults::defaults_on_create,
            defaults::defaults_on_update,
            errors::errors_not_found_and_too_many,
            errors::errors_unique_on_create,
            errors::errors_unique_on_update,
            errors::errors_unique_in_batch_no_partial_write,
            errors::errors_u64_out_of_range,
            errors::errors_nan_and_infinity_rejected,
            errors::errors_timestamp_out_of_range,
            errors::errors_unique_nullable_and_composite,
            errors::errors_expression_assignment_refused,
            errors::errors_split_batch_no_partial_write,
            kv_limits::kv_full_scan,
            kv_limits::kv_filter_without_index,
            kv_limits::kv_or_with_unserved_branch,
            kv_limits::kv_writes_without_index,
            kv_limits::kv_residual_filters,
            kv_limits::kv_large_reads_and_writes,
            kv_limits::kv_sparse_composite_index,
            kv_limits::kv_item_size_limit,
            limits::limits_filter_depth,
            limits::limits_wide_filter_at_depth_limit,
            limits::limits_filter_nodes,
            limits::limits_long_or_chains,
            limits::limits_filter_values,
            limits::limits_limit_offset_page_size,
            limits::limits_errors_quote_sql_briefly,
            limits::limits_key_size,
            transactions::tx_commit_makes_writes_visible,
            transactions::tx_rollback_discards_writes,
            transactions::tx_drop_rolls_back,
            transactions::tx_reads_see_own_writes,
            transactions::tx_nested_commit_keeps_work,
            transactions::tx_nested_rollback_and_drop_undo_only_their_work,
            transactions::tx_unique_violation_aborts,
            transactions::tx_recover_with_nested_rollback,
            transactions::tx_error_before_database_does_not_abort,
            transactions::tx_empty_result_errors_do_not_abort,
            transactions::tx_read_only_refuses_writes,
            transactions::tx_isolation_levels_accepted,
            transactions::tx_every_terminal_accepts_tx,
            transactions::tx_kv_refused_sql_accepted,
            connection::conn_tx_commit_and_rollback,
            connection::conn_tx_nested,
            connection::conn_tx_drop_rolls_back,
            connection::conn_tx_abort_rule,
            connection::conn_tx_builder,
            batch::batch_tuple_mixed_models,
            batch::batch_vec_and_array,
            batch::batch_later_statements_see_earlier_writes,
            batch::batch_failure_leaves_nothing,
            batch::batch_multi_model_atomic,
            batch::batch_kv_item_limit,
            batch::batch_with_empty_create_many,
            batch::batch_inside_transaction,
            batch::atomic_auto_u8_overflow,
            counts::counts_update_by_filter,
            counts::counts_delete_by_filter,
            counts::counts_instance_update,
            counts::counts_untyped_limit_offset_refused,
            counts::counts_limit_refusal_message_well_formed,
            concurrency::concurrency_serializable_transfers,
            concurrency::concurrency_unique_race,
            relations::relations_issue_example,
            linking::relations_link_unlink,
            has_one_update::has_one_update_replace_with_create,
            has_one_update::has_one_update_link_existing,
            has_one_update::has_one_update_unset,
            has_one_update::has_one_update_macro,
            has_one_update::has_one_update_atomic,
            has_one_update::has_one_update_errors,
            scoped_accessors::scoped_get_and_filter,
            scoped_accessors::scoped_update_and_delete,
            relation_filters::relation_filter_any,
            relation_filters::relation_filter_all,
            relation_filters::relation_filter_path,
            relation_filters::relation_filter_update_delete,
            many_to_many::many_to_many_navigation,
            many_to_many::many_to_many_filter,
            many_to_many::many_to_many_include,
            many_to_many::many_to_many_write_rules,
            relations::relations_schema_errors,
            relations::relations_has_many_scope,
            relations::relations_belongs_to_and_has_one,
            relations::relations_nested_create,
            relations::relations_nested_create_atomic,
            relations::relations_include,
            relations::relations_delete_cascade,
            relations::relations_cascade_all_or_nothing,
            relations::relations_eager,
            relations::relations_composite_key,
            relations::relations_self_referential,
            relations::relations_include_in_batch,
            relations::relations_unlink_through_two_relations,
        );
    };
}

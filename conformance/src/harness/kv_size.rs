//! The key-value item size limit, as the harness expects it from a key-value target.
//!
//! A key-value backend stores a record of at most
//! [`Capability::max_item_bytes`](toasty_core::driver::Capability::max_item_bytes)
//! (DynamoDB's 400 KB, measured by [`toasty_core::driver::item_size`]); SQL backends
//! have no such limit. When the SQL oracle stands in for a key-value target
//! ([`super::exec::run_case_expecting`]), a create holding a larger record is not run:
//! its outcome is the refusal the key-value store gives (after any error the statement's
//! compilation finds first).

use super::case::{KeySpec, ModelSpec};
use toasty_core::driver::{item_size, Capability};
use toasty_core::schema::db::{Column, Index, Table, TableId};
use toasty_core::Value;

/// The size of the largest row of `rows` (a create of `spec`, one value or `None` per
/// field) when it is past the key-value limit, as the store would count it.
pub fn over_limit(spec: &ModelSpec, rows: &[Vec<Option<Value>>]) -> Option<usize> {
    let max = Capability::KV.max_item_bytes?;
    let table = table(spec);
    rows.iter()
        .map(|row| {
            let full: Vec<Value> = row
                .iter()
                .enumerate()
                .map(|(f, v)| match v {
                    Some(v) => v.clone(),
                    // A generated UUID key is stored too (auto integers are refused by
                    // key-value stores before any create).
                    None if spec.is_auto(f) && spec.key == KeySpec::AutoUuid => {
                        Value::Uuid(uuid::Uuid::nil())
                    }
                    None => Value::Null,
                })
                .collect();
            item_size(&table, &full)
        })
        .filter(|&size| size > max)
        .max()
}

/// The table of `spec` as the harness's models lower it (columns `f0`, `f1`, ...).
fn table(spec: &ModelSpec) -> Table {
    Table {
        id: TableId(0),
        name: String::new(),
        columns: spec
            .fields
            .iter()
            .enumerate()
            .map(|(f, field)| Column {
                name: format!("f{f}"),
                ty: field.ty,
                nullable: field.nullable,
                auto_increment: false,
                max_len: None,
            })
            .collect(),
        primary_key: spec.key_fields(),
        indices: spec
            .indices
            .iter()
            .map(|ix| Index {
                name: String::new(),
                columns: ix.fields.clone(),
                unique: ix.unique,
            })
            .collect(),
    }
}

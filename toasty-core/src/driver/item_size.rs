//! The size of a record as a key-value store counts it, for
//! [`Capability::max_item_bytes`](super::Capability::max_item_bytes).
//!
//! The measure is DynamoDB's: per attribute, its name (the column name) plus its value
//! in the encoding the DynamoDB driver writes (see `toasty-driver-dynamodb`'s codec):
//! strings and byte strings by their length in bytes (keyed ones with the escape of an
//! empty value or a leading NUL), integers and timestamps as decimal numbers (half their
//! digits plus 2, rounded down, DynamoDB's approximation rounded up), floats as 8 bytes,
//! UUIDs as 36 hyphenated characters, booleans as 1 byte (a keyed one as the number 0 or
//! 1). NULL is a missing attribute and counts nothing. The engine checks every record a
//! write would store against the capability with this function, so a key-value backend
//! and memdb emulating it refuse the same records.

use crate::schema::db::Table;
use crate::Value;

/// The bytes `row` (a full row of `table`) takes as a key-value item.
pub fn item_size(table: &Table, row: &[Value]) -> usize {
    row.iter()
        .enumerate()
        .filter(|(_, v)| !v.is_null())
        .map(|(col, value)| {
            let name = table.columns.get(col).map_or(0, |c| c.name.len());
            name + value_size(value, is_keyed(table, col))
        })
        .sum()
}

/// `true` if column `col` of `table` is in the primary key or in an index.
fn is_keyed(table: &Table, col: usize) -> bool {
    table.primary_key.contains(&col) || table.indices.iter().any(|i| i.columns.contains(&col))
}

/// The size of the decimal number `digits` long (DynamoDB's rule, rounded up).
fn number_size(digits: usize) -> usize {
    digits / 2 + 2
}

fn value_size(value: &Value, keyed: bool) -> usize {
    match value {
        Value::Null => 0,
        Value::Bool(_) if keyed => number_size(1),
        Value::Bool(_) => 1,
        Value::I64(v) => number_size(v.to_string().len()),
        Value::Timestamp(us) => number_size(us.to_string().len()),
        Value::F64(_) => 8,
        Value::String(s) => escaped_len(s.len(), s.as_bytes().first() == Some(&0), keyed),
        Value::Bytes(b) => escaped_len(b.len(), b.first() == Some(&0), keyed),
        Value::Uuid(_) => 36,
        // Never stored: refused by the value checks first.
        Value::U64(_) => 0,
    }
}

/// The length of a (byte) string of `len` bytes after the keyed escape.
fn escaped_len(len: usize, leading_nul: bool, keyed: bool) -> usize {
    match (keyed, len, leading_nul) {
        (true, 0, _) => 1,
        (true, _, true) => len + 2,
        _ => len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::db::{Column, TableId};
    use crate::Type;

    fn table() -> Table {
        let col = |name: &str, ty| Column {
            name: name.to_string(),
            ty,
            nullable: true,
            auto_increment: false,
            max_len: None,
        };
        Table {
            id: TableId(0),
            name: "t".to_string(),
            columns: vec![
                col("id", Type::String),
                col("body", Type::String),
                col("n", Type::I64),
                col("f", Type::F64),
                col("b", Type::Bool),
            ],
            primary_key: vec![0],
            indices: vec![],
        }
    }

    #[test]
    fn counts_names_and_values() {
        let t = table();
        let row = vec![
            Value::String(String::new()),
            Value::String("é".repeat(10)),
            Value::I64(-12345),
            Value::F64(1.5),
            Value::Bool(true),
        ];
        // "id" + "\0", "body" + 20 bytes, "n" + 6/2+2, "f" + 8, "b" + 1
        assert_eq!(item_size(&t, &row), 3 + 24 + 6 + 9 + 2);
    }

    #[test]
    fn null_counts_nothing_and_keyed_nul_is_escaped() {
        let t = table();
        let row = vec![
            Value::String("\0x".to_string()),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ];
        assert_eq!(item_size(&t, &row), 2 + 4);
    }
}

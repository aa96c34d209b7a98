//! Native column types per dialect (the table in the crate docs) and the bind type of a
//! value compared with or stored into a column.

use crate::Dialect;
use toasty_core::schema::db::Table;
use toasty_core::{Type, Value};

/// The length of a MySQL `VARCHAR` / `VARBINARY` used for string and byte columns that
/// are part of the primary key or of an index (MySQL cannot index an unbounded `TEXT`
/// or `BLOB` without a prefix length, and a prefix would break uniqueness).
pub const MYSQL_KEY_LENGTH: usize = 255;

/// The default MySQL collation for string columns: MySQL 8's binary, no-pad UTF-8
/// collation (compares by code point, case-sensitively, without padding). On MariaDB
/// use `utf8mb4_nopad_bin` via [`crate::Serializer::with_mysql_collation`].
pub const MYSQL_DEFAULT_COLLATION: &str = "utf8mb4_0900_bin";

/// `true` when column `col` of `table` is in the primary key or any index.
pub(crate) fn is_keyed(table: &Table, col: usize) -> bool {
    table.primary_key.contains(&col) || table.indices.iter().any(|i| i.columns.contains(&col))
}

/// The native type of a column of type `ty` in `dialect`.
///
/// `keyed` says whether the column is in the primary key or an index (only MySQL cares),
/// `collation` is the MySQL collation for strings.
pub(crate) fn native_type(dialect: Dialect, ty: Type, keyed: bool, collation: &str) -> String {
    match dialect {
        Dialect::Sqlite => match ty {
            Type::Bool
            | Type::I8
            | Type::I16
            | Type::I32
            | Type::I64
            | Type::U8
            | Type::U16
            | Type::U32
            | Type::U64
            | Type::Timestamp => "INTEGER",
            Type::F32 | Type::F64 => "REAL",
            Type::String => "TEXT",
            Type::Bytes | Type::Uuid => "BLOB",
        }
        .to_string(),
        Dialect::Postgres => match ty {
            Type::Bool => "BOOLEAN",
            Type::I8 | Type::I16 | Type::U8 => "SMALLINT",
            Type::I32 | Type::U16 => "INTEGER",
            Type::I64 | Type::U32 | Type::U64 => "BIGINT",
            Type::F32 => "REAL",
            Type::F64 => "DOUBLE PRECISION",
            Type::String => "TEXT COLLATE \"C\"",
            Type::Bytes => "BYTEA",
            Type::Uuid => "UUID",
            Type::Timestamp => "TIMESTAMPTZ",
        }
        .to_string(),
        Dialect::Mysql => match ty {
            Type::Bool => "BOOLEAN".to_string(),
            Type::I8 => "TINYINT".to_string(),
            Type::I16 => "SMALLINT".to_string(),
            Type::I32 => "INT".to_string(),
            Type::I64 | Type::U64 => "BIGINT".to_string(),
            Type::U8 => "TINYINT UNSIGNED".to_string(),
            Type::U16 => "SMALLINT UNSIGNED".to_string(),
            Type::U32 => "INT UNSIGNED".to_string(),
            Type::F32 => "FLOAT".to_string(),
            Type::F64 => "DOUBLE".to_string(),
            Type::String if keyed => {
                format!("VARCHAR({MYSQL_KEY_LENGTH}) CHARACTER SET utf8mb4 COLLATE {collation}")
            }
            Type::String => format!("LONGTEXT CHARACTER SET utf8mb4 COLLATE {collation}"),
            Type::Bytes if keyed => format!("VARBINARY({MYSQL_KEY_LENGTH})"),
            Type::Bytes => "LONGBLOB".to_string(),
            Type::Uuid => "BINARY(16)".to_string(),
            Type::Timestamp => "DATETIME(6)".to_string(),
        },
    }
}

/// The most characters of a MySQL `VARCHAR(N)` (and bytes of a `VARBINARY(N)`) declared
/// for `#[column(type = varchar(N))]`: longer limits are declared `LONGTEXT` /
/// `LONGBLOB` (the engine enforces the limit either way), so many such columns stay
/// within MySQL's 65,535-byte row size.
pub const MYSQL_MAX_VARCHAR: u32 = 255;

/// The declared type of a column in `CREATE TABLE`: [`native_type`], or with a length
/// limit (`max_len`, from `varchar(N)` / `binary(N)`) `VARCHAR(N)` on PostgreSQL and
/// MySQL (`VARBINARY(N)` on MySQL for bytes) where the dialect has it. SQLite has no
/// length-limited types (`TEXT`, `BLOB`). The engine checks the limit before any value
/// reaches a database, so the declared type only documents it.
pub(crate) fn declared_type(
    dialect: Dialect,
    ty: Type,
    max_len: Option<u32>,
    keyed: bool,
    collation: &str,
) -> String {
    let Some(n) = max_len else {
        return native_type(dialect, ty, keyed, collation);
    };
    match (dialect, ty) {
        (Dialect::Postgres, Type::String) => format!("VARCHAR({n}) COLLATE \"C\""),
        (Dialect::Mysql, Type::String) if n <= MYSQL_MAX_VARCHAR => {
            format!("VARCHAR({n}) CHARACTER SET utf8mb4 COLLATE {collation}")
        }
        (Dialect::Mysql, Type::Bytes) if n <= MYSQL_MAX_VARCHAR => format!("VARBINARY({n})"),
        _ => native_type(dialect, ty, keyed, collation),
    }
}

/// The natural type of a literal with no column to take a type from.
pub(crate) fn value_type(value: &Value) -> Type {
    match value {
        Value::Bool(_) => Type::Bool,
        Value::Null | Value::I64(_) | Value::U64(_) => Type::I64,
        Value::F64(_) => Type::F64,
        Value::String(_) => Type::String,
        Value::Bytes(_) => Type::Bytes,
        Value::Uuid(_) => Type::Uuid,
        Value::Timestamp(_) => Type::Timestamp,
    }
}

/// The bind type of `value` stored into or compared with a column of type `column`:
/// the column type when the value belongs to its family and fits it exactly (NULL
/// included), else the value's own type. An integer literal outside an `i8` column's
/// range, or a float that an `f32` cannot hold exactly, keeps its own 64-bit type so the
/// comparison happens without rounding or overflow, as in the reference evaluator.
pub(crate) fn bind_type(column: Type, value: &Value) -> Type {
    let fits = match value {
        Value::Null => true,
        Value::Bool(_) => column == Type::Bool,
        Value::I64(v) => column
            .int_range()
            .is_some_and(|(lo, hi)| (lo..=hi).contains(v)),
        Value::U64(_) => false,
        Value::F64(v) => match column {
            Type::F64 => true,
            Type::F32 => (*v as f32) as f64 == *v || v.is_nan(),
            _ => false,
        },
        Value::String(_) => column == Type::String,
        Value::Bytes(_) => column == Type::Bytes,
        Value::Uuid(_) => column == Type::Uuid,
        Value::Timestamp(_) => column == Type::Timestamp,
    };
    if fits {
        column
    } else {
        value_type(value)
    }
}

/// The PostgreSQL type name used in `CAST($n AS ...)` for a parameter of type `ty`.
pub(crate) fn postgres_cast_type(ty: Type) -> &'static str {
    match ty {
        Type::Bool => "BOOLEAN",
        Type::I8 | Type::I16 | Type::U8 => "SMALLINT",
        Type::I32 | Type::U16 => "INTEGER",
        Type::I64 | Type::U32 | Type::U64 => "BIGINT",
        Type::F32 => "REAL",
        Type::F64 => "DOUBLE PRECISION",
        Type::String => "TEXT",
        Type::Bytes => "BYTEA",
        Type::Uuid => "UUID",
        Type::Timestamp => "TIMESTAMPTZ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bind_type_keeps_exactness() {
        assert_eq!(bind_type(Type::I8, &Value::I64(5)), Type::I8);
        assert_eq!(bind_type(Type::I8, &Value::I64(1000)), Type::I64);
        assert_eq!(bind_type(Type::U8, &Value::I64(-1)), Type::I64);
        assert_eq!(bind_type(Type::F32, &Value::F64(0.5)), Type::F32);
        assert_eq!(bind_type(Type::F32, &Value::F64(0.1)), Type::F64);
        assert_eq!(bind_type(Type::I32, &Value::F64(0.5)), Type::F64);
        assert_eq!(bind_type(Type::String, &Value::Null), Type::String);
        assert_eq!(bind_type(Type::Uuid, &Value::from("x")), Type::String);
    }
}

//! Binding [`toasty_sql::Param`]s as PostgreSQL parameters.
//!
//! Each parameter is declared with the PostgreSQL type of its [`Param::ty`]
//! ([`pg_type`]) when the statement is prepared, and encoded in PostgreSQL's binary
//! format by [`Bound`]. Values are checked here, before anything is sent: integers must
//! fit the declared width, an `f32` column's value must be exactly representable, and
//! strings must not contain NUL (PostgreSQL `TEXT` cannot store it). An array
//! parameter (`column = ANY($n)`) is declared as the array type of its elements' type
//! ([`param_type`]) and each element is checked the same way.

use bytes::{BufMut, BytesMut};
use std::error::Error as StdError;
use toasty_core::{Error, Result, Type, Value};
use toasty_sql::Param;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type as PgType};

/// Microseconds between the Unix epoch and PostgreSQL's epoch (2000-01-01T00:00:00Z).
pub(crate) const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;

/// The PostgreSQL type a parameter of Toasty type `ty` is declared as (the same as the
/// column type `toasty-sql` creates for `ty`).
pub(crate) fn pg_type(ty: Type) -> PgType {
    match ty {
        Type::Bool => PgType::BOOL,
        Type::I8 | Type::I16 | Type::U8 => PgType::INT2,
        Type::I32 | Type::U16 => PgType::INT4,
        Type::I64 | Type::U32 | Type::U64 => PgType::INT8,
        Type::F32 => PgType::FLOAT4,
        Type::F64 => PgType::FLOAT8,
        Type::String => PgType::TEXT,
        Type::Bytes => PgType::BYTEA,
        Type::Uuid => PgType::UUID,
        Type::Timestamp => PgType::TIMESTAMPTZ,
    }
}

/// The PostgreSQL type `param` is declared as: [`pg_type`] of its type, or the array
/// of that type for an array parameter.
pub(crate) fn param_type(param: &Param) -> PgType {
    let element = pg_type(param.ty);
    if param.array.is_none() {
        return element;
    }
    match element {
        PgType::BOOL => PgType::BOOL_ARRAY,
        PgType::INT2 => PgType::INT2_ARRAY,
        PgType::INT4 => PgType::INT4_ARRAY,
        PgType::INT8 => PgType::INT8_ARRAY,
        PgType::FLOAT4 => PgType::FLOAT4_ARRAY,
        PgType::FLOAT8 => PgType::FLOAT8_ARRAY,
        PgType::BYTEA => PgType::BYTEA_ARRAY,
        PgType::UUID => PgType::UUID_ARRAY,
        PgType::TIMESTAMPTZ => PgType::TIMESTAMPTZ_ARRAY,
        _ => PgType::TEXT_ARRAY,
    }
}

/// A parameter value ready to be written in binary format.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Bound<'a> {
    /// SQL NULL (of the declared type).
    Null,
    /// `BOOLEAN`
    Bool(bool),
    /// `SMALLINT`
    I16(i16),
    /// `INTEGER`
    I32(i32),
    /// `BIGINT`
    I64(i64),
    /// `REAL`
    F32(f32),
    /// `DOUBLE PRECISION`
    F64(f64),
    /// `TEXT`
    Text(&'a str),
    /// `BYTEA`
    Bytes(&'a [u8]),
    /// `UUID`
    Uuid(uuid::Uuid),
    /// `TIMESTAMPTZ`: microseconds since 2000-01-01T00:00:00Z.
    Timestamp(i64),
    /// A one-dimensional array of elements of one type (NULLs allowed).
    Array(Vec<Bound<'a>>),
}

/// Encodes `param` (the `n`-th parameter, 1-based, for messages) for its declared type.
pub(crate) fn bind(param: &Param, n: usize) -> Result<Bound<'_>> {
    match &param.array {
        None => bind_value(&param.value, param.ty, n),
        Some(elements) => Ok(Bound::Array(
            elements
                .iter()
                .map(|v| bind_value(v, param.ty, n))
                .collect::<Result<_>>()?,
        )),
    }
}

/// Encodes one value of parameter `n` (or one element of it) as type `ty`.
fn bind_value(value: &Value, ty: Type, n: usize) -> Result<Bound<'_>> {
    let out_of_range = |v: &dyn std::fmt::Display| {
        Error::out_of_range(format!(
            "parameter ${n}: {v} does not fit the PostgreSQL {} it is bound as",
            pg_type(ty)
        ))
    };
    Ok(match (value, ty) {
        (Value::Null, _) => Bound::Null,
        (Value::Bool(b), Type::Bool) => Bound::Bool(*b),
        (Value::I64(v), Type::I8 | Type::I16 | Type::U8) => {
            Bound::I16(i16::try_from(*v).map_err(|_| out_of_range(v))?)
        }
        (Value::I64(v), Type::I32 | Type::U16) => {
            Bound::I32(i32::try_from(*v).map_err(|_| out_of_range(v))?)
        }
        (Value::I64(v), Type::I64 | Type::U32 | Type::U64) => Bound::I64(*v),
        (Value::I64(v), Type::F64) => Bound::F64(*v as f64),
        (Value::F64(v), Type::F64) => Bound::F64(*v),
        (Value::F64(v), Type::F32) => {
            let narrow = *v as f32;
            if f64::from(narrow) != *v && !v.is_nan() {
                return Err(out_of_range(v));
            }
            Bound::F32(narrow)
        }
        (Value::U64(v), _) => return Err(out_of_range(v)),
        (Value::String(s), Type::String) => {
            if let Some(at) = s.find('\0') {
                return Err(Error::invalid_value(format!(
                    "parameter ${n}: the string contains a NUL character ('\\0') at byte {at}, \
                     which PostgreSQL TEXT cannot store; remove it, or store the data as \
                     Vec<u8> (BYTEA)"
                )));
            }
            Bound::Text(s)
        }
        (Value::Bytes(b), Type::Bytes) => Bound::Bytes(b),
        (Value::Uuid(u), Type::Uuid) => Bound::Uuid(*u),
        (Value::Timestamp(us), Type::Timestamp) => Bound::Timestamp(
            us.checked_sub(PG_EPOCH_OFFSET_MICROS)
                .ok_or_else(|| out_of_range(us))?,
        ),
        (value, ty) => {
            return Err(Error::invalid_value(format!(
                "parameter ${n}: cannot bind {} as the PostgreSQL {} of a {ty} value",
                value.type_name(),
                pg_type(ty)
            )))
        }
    })
}

impl ToSql for Bound<'_> {
    fn to_sql(
        &self,
        ty: &PgType,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn StdError + Sync + Send>> {
        match self {
            Bound::Null => return Ok(IsNull::Yes),
            Bound::Bool(v) => return v.to_sql(ty, out),
            Bound::I16(v) => out.put_i16(*v),
            Bound::I32(v) => out.put_i32(*v),
            Bound::I64(v) => out.put_i64(*v),
            Bound::F32(v) => out.put_f32(*v),
            Bound::F64(v) => out.put_f64(*v),
            Bound::Text(s) => out.put_slice(s.as_bytes()),
            Bound::Bytes(b) => out.put_slice(b),
            Bound::Uuid(u) => out.put_slice(u.as_bytes()),
            Bound::Timestamp(us) => out.put_i64(*us),
            Bound::Array(elements) => return elements.to_sql(ty, out),
        }
        Ok(IsNull::No)
    }

    fn accepts(_ty: &PgType) -> bool {
        // The declared type of every parameter comes from the same `Param::ty` that
        // `bind` encoded for, so any type the statement reports is the one we wrote.
        true
    }

    to_sql_checked!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(value: Value, ty: Type) -> Param {
        Param::scalar(value, ty)
    }

    #[test]
    fn integers_are_checked_against_their_width() {
        assert_eq!(bind(&p(Value::I64(7), Type::U8), 1).unwrap(), Bound::I16(7));
        assert_eq!(
            bind(&p(Value::I64(70_000), Type::I32), 1).unwrap(),
            Bound::I32(70_000)
        );
        let err = bind(&p(Value::I64(70_000), Type::I16), 2).unwrap_err();
        assert_eq!(err.kind(), toasty_core::ErrorKind::ValueOutOfRange);
        assert!(err.message().contains("$2"), "{err}");
    }

    #[test]
    fn nul_strings_are_rejected_before_sending() {
        let err = bind(&p(Value::String("a\0b".into()), Type::String), 1).unwrap_err();
        assert_eq!(err.kind(), toasty_core::ErrorKind::InvalidValue);
        assert!(err.message().contains("NUL"), "{err}");
    }

    #[test]
    fn timestamps_shift_to_the_postgres_epoch() {
        assert_eq!(
            bind(
                &p(Value::Timestamp(PG_EPOCH_OFFSET_MICROS), Type::Timestamp),
                1
            )
            .unwrap(),
            Bound::Timestamp(0)
        );
    }

    #[test]
    fn f32_values_must_be_exact() {
        assert_eq!(
            bind(&p(Value::F64(0.5), Type::F32), 1).unwrap(),
            Bound::F32(0.5)
        );
        assert!(bind(&p(Value::F64(0.1), Type::F32), 1).is_err());
    }

    #[test]
    fn array_parameters_check_every_element() {
        let ok = Param::array(vec![Value::I64(1), Value::Null], Type::I16);
        assert_eq!(param_type(&ok), PgType::INT2_ARRAY);
        assert_eq!(
            bind(&ok, 1).unwrap(),
            Bound::Array(vec![Bound::I16(1), Bound::Null])
        );
        let err = bind(
            &Param::array(vec![Value::I64(1), Value::I64(70_000)], Type::I16),
            3,
        )
        .unwrap_err();
        assert_eq!(err.kind(), toasty_core::ErrorKind::ValueOutOfRange);
        assert!(err.message().contains("$3"), "{err}");
        let text = Param::array(vec![Value::String("a".into())], Type::String);
        assert_eq!(param_type(&text), PgType::TEXT_ARRAY);
        assert_eq!(param_type(&p(Value::I64(1), Type::I64)), PgType::INT8);
    }

    #[test]
    fn mismatched_families_are_invalid() {
        let err = bind(&p(Value::Bool(true), Type::I64), 1).unwrap_err();
        assert_eq!(err.kind(), toasty_core::ErrorKind::InvalidValue);
    }
}

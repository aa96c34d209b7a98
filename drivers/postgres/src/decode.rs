//! Decoding result columns back into [`Value`]s, using the column types the serializer
//! reported ([`toasty_sql::Output::Rows`]).
//!
//! [`Cell`] reads any column Toasty creates (by its PostgreSQL type); [`decode_row`]
//! then checks each value against the Toasty column type.

use crate::bind::PG_EPOCH_OFFSET_MICROS;
use std::error::Error as StdError;
use toasty_core::{Error, Result, Type, Value};
use tokio_postgres::types::{FromSql, Type as PgType};
use tokio_postgres::Row;

/// One decoded column value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell(pub(crate) Value);

type DecodeResult<T> = std::result::Result<T, Box<dyn StdError + Sync + Send>>;

impl<'a> FromSql<'a> for Cell {
    fn from_sql(ty: &PgType, raw: &'a [u8]) -> DecodeResult<Cell> {
        let value = match *ty {
            PgType::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            PgType::INT2 => Value::I64(i16::from_sql(ty, raw)?.into()),
            PgType::INT4 => Value::I64(i32::from_sql(ty, raw)?.into()),
            PgType::INT8 => Value::I64(i64::from_sql(ty, raw)?),
            PgType::FLOAT4 => Value::F64(f32::from_sql(ty, raw)?.into()),
            PgType::FLOAT8 => Value::F64(f64::from_sql(ty, raw)?),
            PgType::TEXT | PgType::VARCHAR | PgType::BPCHAR | PgType::NAME => {
                Value::String(<&str>::from_sql(ty, raw)?.to_string())
            }
            PgType::BYTEA => Value::Bytes(raw.to_vec()),
            PgType::UUID => Value::Uuid(uuid::Uuid::from_slice(raw)?),
            PgType::TIMESTAMPTZ | PgType::TIMESTAMP => {
                let pg = i64::from_sql(&PgType::INT8, raw)?;
                Value::Timestamp(
                    pg.checked_add(PG_EPOCH_OFFSET_MICROS)
                        .ok_or("timestamp out of range")?,
                )
            }
            _ => return Err(format!("Toasty does not read PostgreSQL type {ty}").into()),
        };
        Ok(Cell(value))
    }

    fn from_sql_null(_ty: &PgType) -> DecodeResult<Cell> {
        Ok(Cell(Value::Null))
    }

    fn accepts(_ty: &PgType) -> bool {
        true
    }
}

/// Decodes every column of `row` and appends the values to `out`; `types` are the
/// Toasty types of the columns.
/// Decodes every cell of `row` by its PostgreSQL type (raw SQL without column types).
pub(crate) fn infer_row(row: &Row, out: &mut Vec<Value>) -> Result<()> {
    for i in 0..row.len() {
        let Cell(value) = row.try_get::<_, Cell>(i).map_err(|e| {
            Error::invalid_value(format!(
                "result column #{i} (`{}`) could not be read: {e}; cast it to a type Toasty \
                 reads (such as ::text) or give .column_types(..)",
                row.columns()[i].name()
            ))
        })?;
        out.push(value);
    }
    Ok(())
}

pub(crate) fn decode_row(row: &Row, types: &[Type], out: &mut Vec<Value>) -> Result<()> {
    if row.len() != types.len() {
        return Err(Error::driver(format!(
            "PostgreSQL returned {} columns where {} were expected",
            row.len(),
            types.len()
        )));
    }
    for (i, &ty) in types.iter().enumerate() {
        decode_cell(row, i, ty, out)?;
    }
    Ok(())
}

/// Decodes column `i` as Toasty type `ty` and appends it to `out`.
///
/// The fast path reads the PostgreSQL type Toasty creates for `ty` (see
/// [`crate::bind::pg_type`]) directly, for the types whose column holds exactly the
/// values `ty` allows. Others (a `u8` lives in a `SMALLINT`, floats may hold NaN,
/// timestamps need converting), and a column of another type (a table changed by hand),
/// go through [`Cell`], which reads any type Toasty knows, and the full check.
///
/// Each value is built where it is pushed: moving `Value`s through `Result`s and
/// `Option`s here cost more than reading the column (partial copies of the enum stall
/// the CPU's store forwarding).
fn decode_cell(row: &Row, i: usize, ty: Type, out: &mut Vec<Value>) -> Result<()> {
    macro_rules! fast {
        ($rust:ty, $some:expr) => {
            match row.try_get::<_, Option<$rust>>(i) {
                Ok(Some(v)) => out.push($some(v)),
                Ok(None) => out.push(Value::Null),
                Err(_) => out.push(decode_checked(row, i, ty)?),
            }
        };
    }
    match ty {
        Type::Bool => fast!(bool, Value::Bool),
        Type::I16 => fast!(i16, |n: i16| Value::I64(n.into())),
        Type::I32 => fast!(i32, |n: i32| Value::I64(n.into())),
        Type::I64 => fast!(i64, Value::I64),
        Type::String => fast!(&str, |s: &str| Value::String(s.to_owned())),
        Type::Bytes => fast!(&[u8], |b: &[u8]| Value::Bytes(b.to_vec())),
        _ => out.push(decode_checked(row, i, ty)?),
    }
    Ok(())
}

/// Reads column `i` whatever its PostgreSQL type and checks it against `ty`.
fn decode_checked(row: &Row, i: usize, ty: Type) -> Result<Value> {
    let Cell(value) = row.try_get::<_, Cell>(i).map_err(|e| {
        Error::invalid_value(format!(
            "result column #{i} (`{}`) could not be read as a {ty}: {e}",
            row.columns()[i].name()
        ))
    })?;
    check(value, ty, i)
}

/// Checks a decoded value against its Toasty column type.
fn check(value: Value, ty: Type, index: usize) -> Result<Value> {
    ty.check_with(&value, || format!("result column #{index}"))
        .map_err(|e| {
            Error::new(
                e.kind(),
                format!(
                    "{}; was the table written by something other than Toasty?",
                    e.message()
                ),
            )
        })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(ty: PgType, raw: &[u8]) -> Value {
        Cell::from_sql(&ty, raw).unwrap().0
    }

    #[test]
    fn decodes_binary_values() {
        assert_eq!(cell(PgType::BOOL, &[1]), Value::Bool(true));
        assert_eq!(cell(PgType::INT2, &[0xff, 0xfe]), Value::I64(-2));
        assert_eq!(cell(PgType::INT4, &[0, 0, 1, 0]), Value::I64(256));
        assert_eq!(cell(PgType::FLOAT4, &0.5f32.to_be_bytes()), Value::F64(0.5));
        assert_eq!(cell(PgType::TEXT, b"hi"), Value::String("hi".into()));
        assert_eq!(cell(PgType::BYTEA, &[0, 1]), Value::Bytes(vec![0, 1]));
        assert_eq!(
            cell(PgType::TIMESTAMPTZ, &0i64.to_be_bytes()),
            Value::Timestamp(PG_EPOCH_OFFSET_MICROS)
        );
        let u = uuid::Uuid::from_u128(9);
        assert_eq!(cell(PgType::UUID, u.as_bytes()), Value::Uuid(u));
    }

    #[test]
    fn rejects_malformed_data() {
        assert!(Cell::from_sql(&PgType::UUID, &[1, 2]).is_err());
        assert!(Cell::from_sql(&PgType::JSON, b"{}").is_err());
        assert!(check(Value::I64(300), Type::U8, 0).is_err());
        assert!(check(Value::String("x".into()), Type::I64, 0).is_err());
        assert_eq!(check(Value::Null, Type::I64, 0).unwrap(), Value::Null);
    }
}

//! Field and column types.

use crate::{Error, Result, Value};
use std::fmt;

/// The earliest storable timestamp, 1000-01-01T00:00:00Z, in microseconds since the
/// Unix epoch (MySQL's `DATETIME` lower bound, applied on every backend alike).
pub const TIMESTAMP_MIN_MICROS: i64 = -30_610_224_000_000_000;
/// The latest storable timestamp, 9999-12-31T23:59:59.999999Z, in microseconds.
pub const TIMESTAMP_MAX_MICROS: i64 = 253_402_300_799_999_999;

/// The type of a field (and of the column that stores it).
///
/// Nullability is not part of the type: it is a flag on the field and the column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Type {
    /// `bool`
    Bool,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `u8`
    U8,
    /// `u16`
    U16,
    /// `u32`
    U32,
    /// `u64`, limited to `0..=i64::MAX` because every backend stores it signed.
    U64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `String`
    String,
    /// `Vec<u8>`
    Bytes,
    /// `uuid::Uuid`
    Uuid,
    /// A UTC timestamp with microsecond precision.
    Timestamp,
}

impl Type {
    /// Every type, in declaration order (used by generators and DDL tests).
    pub const ALL: [Type; 15] = [
        Type::Bool,
        Type::I8,
        Type::I16,
        Type::I32,
        Type::I64,
        Type::U8,
        Type::U16,
        Type::U32,
        Type::U64,
        Type::F32,
        Type::F64,
        Type::String,
        Type::Bytes,
        Type::Uuid,
        Type::Timestamp,
    ];

    /// The inclusive range of an integer type, or `None` for other types.
    pub fn int_range(self) -> Option<(i64, i64)> {
        Some(match self {
            Type::I8 => (i8::MIN as i64, i8::MAX as i64),
            Type::I16 => (i16::MIN as i64, i16::MAX as i64),
            Type::I32 => (i32::MIN as i64, i32::MAX as i64),
            Type::I64 => (i64::MIN, i64::MAX),
            Type::U8 => (0, u8::MAX as i64),
            Type::U16 => (0, u16::MAX as i64),
            Type::U32 => (0, u32::MAX as i64),
            Type::U64 => (0, i64::MAX),
            _ => return None,
        })
    }

    /// Returns `true` for the integer types.
    pub fn is_integer(self) -> bool {
        self.int_range().is_some()
    }

    /// Returns `true` for `f32` and `f64`.
    pub fn is_float(self) -> bool {
        matches!(self, Type::F32 | Type::F64)
    }

    /// The Rust spelling of the type, for messages.
    pub fn rust_name(self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::I8 => "i8",
            Type::I16 => "i16",
            Type::I32 => "i32",
            Type::I64 => "i64",
            Type::U8 => "u8",
            Type::U16 => "u16",
            Type::U32 => "u32",
            Type::U64 => "u64",
            Type::F32 => "f32",
            Type::F64 => "f64",
            Type::String => "String",
            Type::Bytes => "Vec<u8>",
            Type::Uuid => "uuid::Uuid",
            Type::Timestamp => "timestamp",
        }
    }

    /// [`Type::check`] with the field's name built only when the check fails: for hot
    /// paths that check every value read or written.
    pub fn check_with(self, value: &Value, what: impl FnOnce() -> String) -> Result<()> {
        if self.check(value, "").is_ok() {
            return Ok(());
        }
        self.check(value, &what())
    }

    /// Checks that a non-null `value` is acceptable for a field of this type.
    ///
    /// This is the single place that defines the write-time rules of the semantics
    /// contract: integers within the Rust type's range (and `u64` at most `i64::MAX`),
    /// floats finite, values of the matching variant. `what` names the field for messages.
    pub fn check(self, value: &Value, what: &str) -> Result<()> {
        match (self, value) {
            (_, Value::Null) => Ok(()),
            (Type::Bool, Value::Bool(_)) => Ok(()),
            (t, Value::I64(v)) if t.is_integer() => {
                let (lo, hi) = t.int_range().unwrap_or((i64::MIN, i64::MAX));
                if *v < lo || *v > hi {
                    Err(Error::out_of_range(format!(
                        "{v} does not fit {what} of type {}; the range is {lo}..={hi}",
                        t.rust_name()
                    )))
                } else {
                    Ok(())
                }
            }
            (t, Value::U64(v)) if t.is_integer() => Err(Error::out_of_range(format!(
                "{v} does not fit {what}: Toasty stores integers as signed 64-bit values on every \
                 backend, so the largest storable value is {}",
                i64::MAX
            ))),
            (t, Value::F64(v)) if t.is_float() => {
                if !v.is_finite() {
                    Err(Error::invalid_value(format!(
                        "{v} cannot be stored in {what}: NaN and infinities are rejected on every \
                         backend"
                    )))
                } else if t == Type::F32 && (*v as f32) as f64 != *v {
                    Err(Error::out_of_range(format!(
                        "{v} is not exactly representable as the f32 of {what}"
                    )))
                } else {
                    Ok(())
                }
            }
            (Type::String, Value::String(_)) => Ok(()),
            (Type::Bytes, Value::Bytes(_)) => Ok(()),
            (Type::Uuid, Value::Uuid(_)) => Ok(()),
            (Type::Timestamp, Value::Timestamp(us)) => {
                if (TIMESTAMP_MIN_MICROS..=TIMESTAMP_MAX_MICROS).contains(us) {
                    Ok(())
                } else {
                    Err(Error::out_of_range(format!(
                        "the timestamp of {what} is outside the supported range \
                         1000-01-01T00:00:00Z..=9999-12-31T23:59:59.999999Z"
                    )))
                }
            }
            (t, v) => Err(Error::invalid_value(format!(
                "{what} has type {} but was given {}",
                t.rust_name(),
                v.type_name()
            ))),
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.rust_name())
    }
}

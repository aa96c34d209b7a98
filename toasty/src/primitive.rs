//! Rust types that can be stored in a field, and their conversion to and from [`Value`].

use crate::{Error, Result, Type, Value};

/// A non-nullable Rust type that maps to one [`Type`].
///
/// Implemented for `bool`, the integer types, `f32`, `f64`, `String`, `Vec<u8>`,
/// `uuid::Uuid`, and (behind features) `jiff::Timestamp` and `chrono::DateTime<Utc>`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a Toasty field",
    note = "supported field types: bool, i8..i64, isize, u8..u64, usize, f32, f64, String, Vec<u8>, \
            uuid::Uuid, jiff::Timestamp (feature `jiff`), chrono::DateTime<Utc> (feature \
            `chrono`), and Option<T> of each"
)]
pub trait Scalar: Sized + Clone + Send + Sync + 'static {
    /// The field type.
    const TYPE: Type;

    /// Converts to a value (may be out of range: checked by the engine).
    fn to_value(&self) -> Value;

    /// Converts a value read from a driver; errors name the problem.
    fn from_value(value: Value) -> Result<Self>;

    /// Like [`Scalar::from_value`], taking the value out of `value` (leaving it NULL or
    /// unspecified). Loading a record uses this: taking a `String` out of its slot moves
    /// three words, where moving the whole [`Value`] through calls costs more than the
    /// conversion.
    #[inline]
    fn take_value(value: &mut Value) -> Result<Self> {
        Self::from_value(std::mem::replace(value, Value::Null))
    }
}

/// A Rust type that can be a model field: a [`Scalar`] or an `Option` of one.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be stored in a Toasty field",
    note = "supported field types: bool, i8..i64, isize, u8..u64, usize, f32, f64, String, Vec<u8>, \
            uuid::Uuid, jiff::Timestamp (feature `jiff`), chrono::DateTime<Utc> (feature \
            `chrono`), and Option<T> of each"
)]
pub trait Primitive: Sized + Send + Sync + 'static {
    /// The field type.
    const TYPE: Type;
    /// `true` for `Option<T>`.
    const NULLABLE: bool;

    /// Converts to a value.
    fn to_value(&self) -> Value;

    /// Converts from a value read from a driver.
    fn from_value(value: Value) -> Result<Self>;

    /// Like [`Primitive::from_value`], taking the value out of `value` (see
    /// [`Scalar::take_value`]).
    #[inline]
    fn take_value(value: &mut Value) -> Result<Self> {
        Self::from_value(std::mem::replace(value, Value::Null))
    }
}

impl<T: Scalar> Primitive for T {
    const TYPE: Type = T::TYPE;
    const NULLABLE: bool = false;

    fn to_value(&self) -> Value {
        Scalar::to_value(self)
    }

    fn from_value(value: Value) -> Result<Self> {
        if value.is_null() {
            return Err(Error::invalid_value(format!(
                "the database returned NULL for a non-optional {} field",
                T::TYPE
            )));
        }
        Scalar::from_value(value)
    }

    #[inline]
    fn take_value(value: &mut Value) -> Result<Self> {
        if value.is_null() {
            return <Self as Primitive>::from_value(Value::Null);
        }
        Scalar::take_value(value)
    }
}

impl<T: Scalar> Primitive for Option<T> {
    const TYPE: Type = T::TYPE;
    const NULLABLE: bool = true;

    fn to_value(&self) -> Value {
        match self {
            Some(v) => Scalar::to_value(v),
            None => Value::Null,
        }
    }

    fn from_value(value: Value) -> Result<Self> {
        if value.is_null() {
            Ok(None)
        } else {
            Scalar::from_value(value).map(Some)
        }
    }

    #[inline]
    fn take_value(value: &mut Value) -> Result<Self> {
        if value.is_null() {
            Ok(None)
        } else {
            Scalar::take_value(value).map(Some)
        }
    }
}

#[cold]
fn mismatch<T>(expected: Type, got: &Value) -> Result<T> {
    Err(Error::invalid_value(format!(
        "expected a {expected} value from the database, got {}",
        got.type_name()
    )))
}

impl Scalar for bool {
    const TYPE: Type = Type::Bool;
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bool(b) => Ok(b),
            Value::I64(0) => Ok(false),
            Value::I64(1) => Ok(true),
            other => mismatch(Type::Bool, &other),
        }
    }
}

macro_rules! int_scalar {
    ($($t:ty => $ty:ident),*) => {$(
        impl Scalar for $t {
            const TYPE: Type = Type::$ty;
            fn to_value(&self) -> Value {
                Value::from(*self)
            }
            fn from_value(value: Value) -> Result<Self> {
                match value {
                    Value::I64(v) => <$t>::try_from(v).map_err(|_| {
                        Error::out_of_range(format!(
                            "the database returned {v}, which does not fit {}",
                            stringify!($t)
                        ))
                    }),
                    other => mismatch(Type::$ty, &other),
                }
            }
            #[inline]
            fn take_value(value: &mut Value) -> Result<Self> {
                match value {
                    Value::I64(v) => match <$t>::try_from(*v) {
                        Ok(n) => Ok(n),
                        Err(_) => <Self as Scalar>::from_value(Value::I64(*v)),
                    },
                    other => mismatch(Type::$ty, other),
                }
            }
        }
    )*};
}
int_scalar!(i8 => I8, i16 => I16, i32 => I32, i64 => I64, u8 => U8, u16 => U16, u32 => U32, u64 => U64);

/// `isize` and `usize` are stored as `i64` and `u64` (with their range rules: a `usize`
/// above `i64::MAX` is `ValueOutOfRange` on every backend), and read back checked
/// against the platform's width.
macro_rules! size_scalar {
    ($($t:ty as $wide:ty => $ty:ident),*) => {$(
        impl Scalar for $t {
            const TYPE: Type = Type::$ty;
            fn to_value(&self) -> Value {
                Value::from(*self as $wide)
            }
            fn from_value(value: Value) -> Result<Self> {
                let wide = <$wide as Scalar>::from_value(value)?;
                <$t>::try_from(wide).map_err(|_| {
                    Error::out_of_range(format!(
                        "the database returned {wide}, which does not fit {}",
                        stringify!($t)
                    ))
                })
            }
        }
    )*};
}
size_scalar!(isize as i64 => I64, usize as u64 => U64);

impl Scalar for f32 {
    const TYPE: Type = Type::F32;
    fn to_value(&self) -> Value {
        Value::F64(*self as f64)
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::F64(v) => Ok(v as f32),
            other => mismatch(Type::F32, &other),
        }
    }
}

impl Scalar for f64 {
    const TYPE: Type = Type::F64;
    fn to_value(&self) -> Value {
        Value::F64(*self)
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::F64(v) => Ok(v),
            other => mismatch(Type::F64, &other),
        }
    }
}

impl Scalar for String {
    const TYPE: Type = Type::String;
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::String(v) => Ok(v),
            other => mismatch(Type::String, &other),
        }
    }
    #[inline]
    fn take_value(value: &mut Value) -> Result<Self> {
        match value {
            Value::String(v) => Ok(std::mem::take(v)),
            other => mismatch(Type::String, other),
        }
    }
}

impl Scalar for Vec<u8> {
    const TYPE: Type = Type::Bytes;
    fn to_value(&self) -> Value {
        Value::Bytes(self.clone())
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Bytes(v) => Ok(v),
            other => mismatch(Type::Bytes, &other),
        }
    }
    #[inline]
    fn take_value(value: &mut Value) -> Result<Self> {
        match value {
            Value::Bytes(v) => Ok(std::mem::take(v)),
            other => mismatch(Type::Bytes, other),
        }
    }
}

impl Scalar for uuid::Uuid {
    const TYPE: Type = Type::Uuid;
    fn to_value(&self) -> Value {
        Value::Uuid(*self)
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Uuid(v) => Ok(v),
            Value::Bytes(b) => uuid::Uuid::from_slice(&b)
                .map_err(|e| Error::invalid_value(format!("malformed UUID bytes: {e}"))),
            other => mismatch(Type::Uuid, &other),
        }
    }
}

#[cfg(feature = "jiff")]
impl Scalar for jiff::Timestamp {
    const TYPE: Type = Type::Timestamp;
    fn to_value(&self) -> Value {
        // Sub-microsecond precision is truncated: timestamps are stored in microseconds.
        let micros = self.as_microsecond();
        Value::Timestamp(micros)
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            // Built from seconds and nanoseconds: `from_microsecond` rejects the last
            // second of jiff's range, which `as_microsecond` produces.
            Value::Timestamp(us) => jiff::Timestamp::new(
                us.div_euclid(1_000_000),
                (us.rem_euclid(1_000_000) * 1_000) as i32,
            )
            .map_err(|e| Error::out_of_range(format!("timestamp out of range: {e}"))),
            other => mismatch(Type::Timestamp, &other),
        }
    }
}

#[cfg(feature = "chrono")]
impl Scalar for chrono::DateTime<chrono::Utc> {
    const TYPE: Type = Type::Timestamp;
    fn to_value(&self) -> Value {
        Value::Timestamp(self.timestamp_micros())
    }
    fn from_value(value: Value) -> Result<Self> {
        match value {
            Value::Timestamp(us) => chrono::DateTime::<chrono::Utc>::from_timestamp_micros(us)
                .ok_or_else(|| Error::out_of_range(format!("timestamp {us}us is out of range"))),
            other => mismatch(Type::Timestamp, &other),
        }
    }
}

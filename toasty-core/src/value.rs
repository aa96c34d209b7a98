//! Values exchanged between the engine and drivers, and their total order.

use std::cmp::Ordering;
use std::fmt;

/// A single value: a field of a record, a column of a row, or a literal in an expression.
///
/// Every integer type is carried as `I64`. A `u64` larger than `i64::MAX` is carried as
/// `U64` only so that the engine can report it as [`crate::ErrorKind::ValueOutOfRange`]
/// with the real number in the message; no driver ever receives a `U64`.
///
/// Timestamps are microseconds since the Unix epoch, UTC.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// SQL NULL / `None`.
    Null,
    /// A boolean.
    Bool(bool),
    /// Any integer that fits `i64`.
    I64(i64),
    /// A `u64` above `i64::MAX` (never stored; see the type docs).
    U64(u64),
    /// A float (`f32` values are widened exactly).
    F64(f64),
    /// A UTF-8 string.
    String(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
    /// A UUID.
    Uuid(uuid::Uuid),
    /// Microseconds since 1970-01-01T00:00:00Z.
    Timestamp(i64),
}

impl Value {
    /// Returns `true` for [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Builds a value from a `u64`, keeping it as `I64` when it fits.
    pub fn from_u64(v: u64) -> Value {
        match i64::try_from(v) {
            Ok(v) => Value::I64(v),
            Err(_) => Value::U64(v),
        }
    }

    /// The name of the variant, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "a bool",
            Value::I64(_) | Value::U64(_) => "an integer",
            Value::F64(_) => "a float",
            Value::String(_) => "a string",
            Value::Bytes(_) => "bytes",
            Value::Uuid(_) => "a UUID",
            Value::Timestamp(_) => "a timestamp",
        }
    }

    /// Compares two non-null values of the same family under the semantics contract.
    ///
    /// * strings: by Unicode scalar value, case-sensitive, no padding (UTF-8 byte order);
    /// * bytes and UUIDs: bytewise;
    /// * integers numerically; floats numerically with `-0.0 == 0.0`; integers and floats
    ///   compare with each other numerically;
    /// * `false < true`.
    ///
    /// Returns `None` when either side is NULL or the two are not comparable.
    pub fn compare(&self, other: &Value) -> Option<Ordering> {
        use Value::*;
        match (self, other) {
            (Null, _) | (_, Null) => None,
            (Bool(a), Bool(b)) => Some(a.cmp(b)),
            (I64(a), I64(b)) => Some(a.cmp(b)),
            (U64(a), U64(b)) => Some(a.cmp(b)),
            (I64(_), U64(_)) => Some(Ordering::Less),
            (U64(_), I64(_)) => Some(Ordering::Greater),
            (F64(a), F64(b)) => a.partial_cmp(b),
            (I64(a), F64(b)) => (*a as f64).partial_cmp(b),
            (F64(a), I64(b)) => a.partial_cmp(&(*b as f64)),
            (U64(a), F64(b)) => (*a as f64).partial_cmp(b),
            (F64(a), U64(b)) => a.partial_cmp(&(*b as f64)),
            (String(a), String(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Bytes(a), Bytes(b)) => Some(a.cmp(b)),
            (Uuid(a), Uuid(b)) => Some(a.as_bytes().cmp(b.as_bytes())),
            (Timestamp(a), Timestamp(b)) => Some(a.cmp(b)),
            _ => None,
        }
    }

    /// The total order used for sorting: NULL before every other value, then
    /// [`Value::compare`]. Incomparable values fall back to an arbitrary but fixed order.
    pub fn sort_cmp(&self, other: &Value) -> Ordering {
        match (self.is_null(), other.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self
                .compare(other)
                .unwrap_or_else(|| self.variant_rank().cmp(&other.variant_rank())),
        }
    }

    fn variant_rank(&self) -> u8 {
        match self {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::I64(_) | Value::U64(_) | Value::F64(_) => 2,
            Value::String(_) => 3,
            Value::Bytes(_) => 4,
            Value::Uuid(_) => 5,
            Value::Timestamp(_) => 6,
        }
    }

    /// Equality under the contract (`-0.0 == 0.0`, NULL equal to NULL), used to
    /// compare keys and normalized results. This is not SQL `=`: see
    /// [`crate::stmt::eval`] for three-valued comparison.
    pub fn same_as(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            _ => self.compare(other) == Some(Ordering::Equal),
        }
    }

    /// The string, if this is a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The integer, if this is a [`Value::I64`].
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::I64(v) => Some(*v),
            _ => None,
        }
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("NULL"),
            Value::Bool(v) => write!(f, "{v}"),
            Value::I64(v) => write!(f, "{v}"),
            Value::U64(v) => write!(f, "{v}u64"),
            Value::F64(v) => write!(f, "{v:?}f"),
            Value::String(v) => write!(f, "{v:?}"),
            Value::Bytes(v) => write!(f, "b{v:?}"),
            Value::Uuid(v) => write!(f, "uuid({v})"),
            Value::Timestamp(v) => write!(f, "ts({v}us)"),
        }
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

macro_rules! from_small_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Self {
                Value::I64(v as i64)
            }
        }
    )*};
}
from_small_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<u64> for Value {
    fn from(v: u64) -> Self {
        Value::from_u64(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::F64(v as f64)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::F64(v)
    }
}

impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_string())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<uuid::Uuid> for Value {
    fn from(v: uuid::Uuid) -> Self {
        Value::Uuid(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        match v {
            Some(v) => v.into(),
            None => Value::Null,
        }
    }
}

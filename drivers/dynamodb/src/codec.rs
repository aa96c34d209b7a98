//! Values to DynamoDB attributes and back (the type mapping of the crate docs).
//!
//! This module owns the one encoding of each column type. Every other module encodes
//! through it, so an item, a key, a condition, a key condition and a claim always agree.
//!
//! Encodings are chosen so that DynamoDB's own order on `S` (UTF-8 bytes), `N` (numeric)
//! and `B` (unsigned bytes) is the contract's order on the values, which makes sort-key
//! conditions exact:
//!
//! * **keyed** columns (in the primary key or in an index) must be `S`, `N` or `B` and
//!   non-empty, so booleans are `N` 0/1 there, and strings and byte strings are escaped:
//!   the empty value is `"\0"` (`[0]`), a value starting with NUL gets the prefix
//!   `"\0\x01"` (`[0, 1]`), anything else is stored as is. The escape is injective and
//!   keeps the order.
//! * floats are `B`: 8 bytes of the IEEE 754 bits, big-endian, with the sign bit flipped
//!   for positive values and every bit flipped for negative ones (an order-preserving
//!   encoding of every finite `f64`; DynamoDB's `N` stops at 9.99e125 and 1e-130).
//!   `-0.0` is stored as `0.0`: the contract makes them equal.
//! * NULL is a missing attribute.

use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{AttributeValue, ScalarAttributeType};
use toasty_core::schema::db;
use toasty_core::{Error, Result, Type, Value};

/// DynamoDB's item size limit, taken as 400,000 bytes: the "400 KB" of its documentation
/// read in decimal, which every DynamoDB we test against accepts (the service itself
/// allows 409,600; the moto emulator refuses items above 405,000).
pub(crate) const MAX_ITEM_BYTES: usize = 400_000;

/// `true` if column `col` of `table` is in the primary key or in an index (its attribute
/// may be a key attribute of the table, of a global secondary index or of a claim table).
pub(crate) fn is_keyed(table: &db::Table, col: usize) -> bool {
    table.primary_key.contains(&col) || table.indices.iter().any(|i| i.columns.contains(&col))
}

/// The scalar type of a key attribute holding a column of type `ty`.
pub(crate) fn scalar_type(ty: Type) -> ScalarAttributeType {
    match ty {
        Type::String | Type::Uuid => ScalarAttributeType::S,
        Type::Bytes | Type::F32 | Type::F64 => ScalarAttributeType::B,
        _ => ScalarAttributeType::N,
    }
}

/// Encodes a stored (already checked) non-NULL value of a column of type `ty`. NULL
/// gives `None` (the attribute is left out).
pub(crate) fn encode(ty: Type, keyed: bool, value: &Value) -> Result<Option<AttributeValue>> {
    let av = match (ty, value) {
        (_, Value::Null) => return Ok(None),
        (Type::Bool, Value::Bool(b)) => {
            if keyed {
                AttributeValue::N(if *b { "1" } else { "0" }.to_string())
            } else {
                AttributeValue::Bool(*b)
            }
        }
        (t, Value::I64(v)) if t.is_integer() => AttributeValue::N(v.to_string()),
        (t, Value::F64(v)) if t.is_float() => AttributeValue::B(Blob::new(float_bytes(*v))),
        (Type::String, Value::String(s)) => {
            AttributeValue::S(if keyed { escape_str(s) } else { s.clone() })
        }
        (Type::Bytes, Value::Bytes(b)) => {
            AttributeValue::B(Blob::new(if keyed { escape_bytes(b) } else { b.clone() }))
        }
        (Type::Uuid, Value::Uuid(u)) => AttributeValue::S(u.hyphenated().to_string()),
        (Type::Timestamp, Value::Timestamp(us)) => AttributeValue::N(us.to_string()),
        (t, v) => {
            return Err(Error::invalid_value(format!(
                "a column of type {} cannot store {}",
                t.rust_name(),
                v.type_name()
            )))
        }
    };
    Ok(Some(av))
}

/// What a value looked up in a key attribute of type `ty` becomes.
pub(crate) enum Lookup {
    /// The attribute value equal to it.
    Exact(AttributeValue),
    /// No stored value can equal it (NULL, `2.5` in an integer column, ...).
    Nothing,
}

/// Encodes `value` to find it in a keyed column of type `ty`: the value may be of another
/// numeric variant than the column stores (the contract compares numbers numerically).
/// Values of another kind (a string for an integer column) are `InvalidStatement`, as
/// comparing them is.
pub(crate) fn lookup(ty: Type, value: &Value) -> Result<Lookup> {
    let same = match (ty, value) {
        (_, Value::Null) => return Ok(Lookup::Nothing),
        (t, Value::U64(_)) if t.is_integer() => return Ok(Lookup::Nothing),
        (t, Value::F64(f)) if t.is_integer() => {
            // Exactly an integer, or nothing stored can equal it.
            if f.fract() != 0.0 || !f.is_finite() || *f < -9.2e18 || *f > 9.2e18 {
                return Ok(Lookup::Nothing);
            }
            Value::I64(*f as i64)
        }
        (t, Value::I64(i)) if t.is_float() => Value::F64(*i as f64),
        (t, Value::U64(u)) if t.is_float() => Value::F64(*u as f64),
        (t, Value::F64(f)) if t.is_float() && f.is_nan() => return Ok(Lookup::Nothing),
        (_, v) => v.clone(),
    };
    match encode(ty, true, &same) {
        Ok(Some(av)) => Ok(Lookup::Exact(av)),
        Ok(None) => Ok(Lookup::Nothing),
        Err(_) => Err(Error::invalid_statement(format!(
            "cannot compare {} with a column of type {}",
            value.type_name(),
            ty.rust_name()
        ))),
    }
}

/// Decodes the attribute of a column of type `ty` (`None`: the attribute is missing, so
/// the value is NULL). Also reads the plain forms other writers may have used (`BOOL` or
/// `N` for booleans, `N` for floats, unescaped keyed strings are read as they are).
pub(crate) fn decode(
    ty: Type,
    keyed: bool,
    av: Option<&AttributeValue>,
    what: &dyn Fn() -> String,
) -> Result<Value> {
    let Some(av) = av else {
        return Ok(Value::Null);
    };
    let bad = || {
        Error::driver(format!(
            "{} holds {} but the column has type {}; the item was not written by Toasty",
            what(),
            describe(av),
            ty.rust_name()
        ))
    };
    Ok(match (ty, av) {
        (_, AttributeValue::Null(true)) => Value::Null,
        (Type::Bool, AttributeValue::Bool(b)) => Value::Bool(*b),
        (Type::Bool, AttributeValue::N(n)) => match n.as_str() {
            "0" => Value::Bool(false),
            "1" => Value::Bool(true),
            _ => return Err(bad()),
        },
        (t, AttributeValue::N(n)) if t.is_integer() => {
            Value::I64(n.trim().parse::<i64>().map_err(|_| bad())?)
        }
        (t, AttributeValue::B(b)) if t.is_float() => {
            let bytes: [u8; 8] = b.as_ref().try_into().map_err(|_| bad())?;
            Value::F64(float_from_bytes(bytes))
        }
        (t, AttributeValue::N(n)) if t.is_float() => {
            Value::F64(n.trim().parse::<f64>().map_err(|_| bad())?)
        }
        (Type::String, AttributeValue::S(s)) => {
            Value::String(if keyed { unescape_str(s) } else { s.clone() })
        }
        (Type::Bytes, AttributeValue::B(b)) => Value::Bytes(if keyed {
            unescape_bytes(b.as_ref())
        } else {
            b.as_ref().to_vec()
        }),
        (Type::Uuid, AttributeValue::S(s)) => {
            Value::Uuid(uuid::Uuid::parse_str(s).map_err(|_| bad())?)
        }
        (Type::Uuid, AttributeValue::B(b)) => {
            Value::Uuid(uuid::Uuid::from_slice(b.as_ref()).map_err(|_| bad())?)
        }
        (Type::Timestamp, AttributeValue::N(n)) => {
            Value::Timestamp(n.trim().parse::<i64>().map_err(|_| bad())?)
        }
        _ => return Err(bad()),
    })
}

fn describe(av: &AttributeValue) -> &'static str {
    match av {
        AttributeValue::S(_) => "a string (S)",
        AttributeValue::N(_) => "a number (N)",
        AttributeValue::B(_) => "binary data (B)",
        AttributeValue::Bool(_) => "a boolean (BOOL)",
        AttributeValue::Null(_) => "NULL",
        AttributeValue::L(_) => "a list (L)",
        AttributeValue::M(_) => "a map (M)",
        AttributeValue::Ss(_) | AttributeValue::Ns(_) | AttributeValue::Bs(_) => "a set",
        _ => "an unknown attribute type",
    }
}

/// The order-preserving 8-byte form of a float (see the module docs).
pub(crate) fn float_bytes(v: f64) -> Vec<u8> {
    let v = if v == 0.0 { 0.0 } else { v };
    let bits = v.to_bits();
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    ordered.to_be_bytes().to_vec()
}

fn float_from_bytes(bytes: [u8; 8]) -> f64 {
    let ordered = u64::from_be_bytes(bytes);
    let bits = if ordered >> 63 == 1 {
        ordered & !(1 << 63)
    } else {
        !ordered
    };
    f64::from_bits(bits)
}

/// The keyed form of a string (see the module docs).
pub(crate) fn escape_str(s: &str) -> String {
    if s.is_empty() {
        "\0".to_string()
    } else if s.starts_with('\0') {
        format!("\0\u{1}{s}")
    } else {
        s.to_string()
    }
}

fn unescape_str(s: &str) -> String {
    if s == "\0" {
        String::new()
    } else if let Some(rest) = s.strip_prefix("\0\u{1}") {
        rest.to_string()
    } else {
        s.to_string()
    }
}

/// The keyed form of a byte string (see the module docs).
pub(crate) fn escape_bytes(b: &[u8]) -> Vec<u8> {
    if b.is_empty() {
        vec![0]
    } else if b[0] == 0 {
        let mut out = Vec::with_capacity(b.len() + 2);
        out.extend_from_slice(&[0, 1]);
        out.extend_from_slice(b);
        out
    } else {
        b.to_vec()
    }
}

fn unescape_bytes(b: &[u8]) -> Vec<u8> {
    if b == [0] {
        Vec::new()
    } else if b.len() >= 2 && b[0] == 0 && b[1] == 1 {
        b[2..].to_vec()
    } else {
        b.to_vec()
    }
}

/// The size DynamoDB counts for an attribute (name plus value), rounded up where
/// DynamoDB's rule is approximate (numbers).
pub(crate) fn attribute_size(name: &str, av: &AttributeValue) -> usize {
    name.len()
        + match av {
            AttributeValue::S(s) => s.len(),
            AttributeValue::N(n) => n.len() / 2 + 2,
            AttributeValue::B(b) => b.as_ref().len(),
            AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
            // Toasty writes no other types.
            _ => 0,
        }
}

/// A byte string identifying a key (a list of key attributes in key order), for maps.
pub(crate) fn key_id<'a>(values: impl Iterator<Item = Option<&'a AttributeValue>>) -> Vec<u8> {
    let mut id = Vec::new();
    for av in values {
        let (tag, bytes): (u8, &[u8]) = match av {
            Some(AttributeValue::S(s)) => (b'S', s.as_bytes()),
            Some(AttributeValue::N(n)) => (b'N', n.as_bytes()),
            Some(AttributeValue::B(b)) => (b'B', b.as_ref()),
            _ => (b'?', &[]),
        };
        id.push(tag);
        id.extend_from_slice(&(bytes.len() as u64).to_be_bytes());
        id.extend_from_slice(bytes);
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cmp::Ordering;

    fn floats() -> Vec<f64> {
        vec![
            f64::MIN,
            -1e300,
            -2.5,
            -1.0,
            -1e-300,
            -5e-324,
            0.0,
            5e-324,
            1e-300,
            0.5,
            1.0,
            2.5,
            1e300,
            f64::MAX,
        ]
    }

    #[test]
    fn floats_keep_their_order_and_value() {
        let all = floats();
        for a in &all {
            let back = float_from_bytes(float_bytes(*a).try_into().expect("8 bytes"));
            assert_eq!(back.to_bits(), a.to_bits(), "{a}");
            for b in &all {
                assert_eq!(
                    float_bytes(*a).cmp(&float_bytes(*b)),
                    a.partial_cmp(b).expect("finite"),
                    "{a} vs {b}"
                );
            }
        }
        assert_eq!(float_bytes(-0.0), float_bytes(0.0));
    }

    #[test]
    fn keyed_strings_keep_their_order_and_value() {
        let all = [
            "", "\0", "\0\0", "\0\u{1}", "\0a", "\u{1}", "a", "a ", "b", "é", "🎉",
        ];
        for a in all {
            assert_eq!(unescape_str(&escape_str(a)), a, "{a:?}");
            assert!(!escape_str(a).is_empty());
            for b in all {
                assert_eq!(
                    escape_str(a).as_bytes().cmp(escape_str(b).as_bytes()),
                    a.as_bytes().cmp(b.as_bytes()),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn keyed_bytes_keep_their_order_and_value() {
        let all: Vec<Vec<u8>> = vec![
            vec![],
            vec![0],
            vec![0, 0],
            vec![0, 1],
            vec![0, 1, 0],
            vec![1],
            vec![1, 2],
            vec![255],
        ];
        for a in &all {
            assert_eq!(&unescape_bytes(&escape_bytes(a)), a);
            for b in &all {
                assert_eq!(
                    escape_bytes(a).cmp(&escape_bytes(b)),
                    a.cmp(b),
                    "{a:?} vs {b:?}"
                );
            }
        }
    }

    #[test]
    fn uuids_as_strings_keep_byte_order() {
        let all = [0u128, 1, 255, 256, u128::MAX / 3, u128::MAX];
        for a in all {
            for b in all {
                let (x, y) = (uuid::Uuid::from_u128(a), uuid::Uuid::from_u128(b));
                let sx = x.hyphenated().to_string();
                let sy = y.hyphenated().to_string();
                assert_eq!(sx.cmp(&sy), x.as_bytes().cmp(y.as_bytes()));
            }
        }
    }

    #[test]
    fn every_type_round_trips() {
        let cases = [
            (Type::Bool, Value::Bool(true)),
            (Type::I8, Value::I64(-128)),
            (Type::I64, Value::I64(i64::MIN)),
            (Type::U64, Value::I64(i64::MAX)),
            (Type::F64, Value::F64(f64::MAX)),
            (Type::F32, Value::F64(f32::MIN_POSITIVE as f64)),
            (Type::String, Value::String(String::new())),
            (Type::String, Value::String("a\0b".into())),
            (Type::Bytes, Value::Bytes(vec![])),
            (Type::Uuid, Value::Uuid(uuid::Uuid::from_u128(7))),
            (Type::Timestamp, Value::Timestamp(-30_610_224_000_000_000)),
        ];
        for keyed in [false, true] {
            for (ty, v) in &cases {
                let av = encode(*ty, keyed, v).expect("encodes").expect("not null");
                let back = decode(*ty, keyed, Some(&av), &|| "x".into()).expect("decodes");
                assert_eq!(
                    back.compare(v),
                    Some(Ordering::Equal),
                    "{ty:?} {v:?} {keyed}"
                );
            }
        }
    }

    #[test]
    fn lookups_across_numeric_variants() {
        assert!(matches!(
            lookup(Type::I64, &Value::F64(2.5)),
            Ok(Lookup::Nothing)
        ));
        assert!(matches!(
            lookup(Type::I64, &Value::F64(2.0)),
            Ok(Lookup::Exact(AttributeValue::N(n))) if n == "2"
        ));
        assert!(matches!(
            lookup(Type::I64, &Value::Null),
            Ok(Lookup::Nothing)
        ));
        assert!(lookup(Type::I64, &Value::String("a".into())).is_err());
    }
}

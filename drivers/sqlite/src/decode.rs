//! Decoding SQLite values back into [`Value`]s using the column types the serializer
//! reported ([`toasty_sql::Output::Rows`]).

use rusqlite::types::ValueRef;
use toasty_core::{Error, Result, Type, Value};

/// Decodes one cell of type `ty` (`index` is the result column, for messages).
pub(crate) fn decode(v: ValueRef<'_>, ty: Type, index: usize) -> Result<Value> {
    let value = match (ty, v) {
        (_, ValueRef::Null) => Value::Null,
        (Type::Bool, ValueRef::Integer(0)) => Value::Bool(false),
        (Type::Bool, ValueRef::Integer(1)) => Value::Bool(true),
        (t, ValueRef::Integer(i)) if t.is_integer() => Value::I64(i),
        (Type::F32 | Type::F64, ValueRef::Real(f)) => Value::F64(f),
        // A REAL column may hand back an integral value stored compactly as an integer.
        (Type::F32 | Type::F64, ValueRef::Integer(i)) => Value::F64(i as f64),
        (Type::String, ValueRef::Text(bytes)) => {
            Value::String(String::from_utf8(bytes.to_vec()).map_err(|_| {
                Error::invalid_value(format!(
                    "result column #{index} holds text that is not valid UTF-8"
                ))
            })?)
        }
        (Type::Bytes, ValueRef::Blob(b)) => Value::Bytes(b.to_vec()),
        (Type::Uuid, ValueRef::Blob(b)) => {
            Value::Uuid(uuid::Uuid::from_slice(b).map_err(|_| {
                Error::invalid_value(format!(
                    "result column #{index} should hold a 16-byte UUID but holds {} bytes",
                    b.len()
                ))
            })?)
        }
        (Type::Timestamp, ValueRef::Integer(us)) => Value::Timestamp(us),
        (ty, other) => {
            return Err(Error::invalid_value(format!(
                "result column #{index} should hold a {ty} but SQLite returned a {:?} value; \
                 was the table written by something other than Toasty?",
                other.data_type()
            )))
        }
    };
    ty.check_with(&value, || format!("result column #{index}"))
        .map_err(|e| Error::new(e.kind(), e.message().to_string()))?;
    Ok(value)
}

/// Decodes one cell by its SQLite storage class (raw SQL without column types):
/// INTEGER as `I64`, REAL as `F64`, TEXT as `String`, BLOB as `Bytes`.
pub(crate) fn infer(v: ValueRef<'_>, index: usize) -> Result<Value> {
    Ok(match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::I64(i),
        ValueRef::Real(f) => Value::F64(f),
        ValueRef::Text(bytes) => {
            Value::String(String::from_utf8(bytes.to_vec()).map_err(|_| {
                Error::invalid_value(format!(
                    "result column #{index} holds text that is not valid UTF-8"
                ))
            })?)
        }
        ValueRef::Blob(b) => Value::Bytes(b.to_vec()),
    })
}

/// Decodes one cell of type `ty` and appends it to `out`.
///
/// The common cells (NULL, in-range integers, text, blobs) are built where they are
/// pushed: moving `Value`s through `Result`s costs more than decoding them. Everything
/// else goes through [`decode`].
pub(crate) fn decode_into(
    v: ValueRef<'_>,
    ty: Type,
    index: usize,
    out: &mut Vec<Value>,
) -> Result<()> {
    match (ty, v) {
        (_, ValueRef::Null) => out.push(Value::Null),
        (t, ValueRef::Integer(i))
            if t.is_integer() && t.int_range().is_some_and(|(lo, hi)| lo <= i && i <= hi) =>
        {
            out.push(Value::I64(i))
        }
        (Type::String, ValueRef::Text(bytes)) => match std::str::from_utf8(bytes) {
            Ok(s) => out.push(Value::String(s.to_owned())),
            Err(_) => out.push(decode(v, ty, index)?),
        },
        (Type::Bytes, ValueRef::Blob(b)) => out.push(Value::Bytes(b.to_vec())),
        _ => out.push(decode(v, ty, index)?),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_decode() {
        let cells = [
            (ValueRef::Null, Type::I64),
            (ValueRef::Integer(5), Type::I32),
            (ValueRef::Integer(300), Type::U8),
            (ValueRef::Integer(-1), Type::U32),
            (ValueRef::Text(b"hi"), Type::String),
            (ValueRef::Text(&[0xff, 0xfe]), Type::String),
            (ValueRef::Blob(&[1, 2]), Type::Bytes),
            (ValueRef::Integer(1), Type::Bool),
            (ValueRef::Real(0.5), Type::F64),
        ];
        for (cell, ty) in cells {
            let mut out = Vec::new();
            let fast = decode_into(cell, ty, 0, &mut out).map(|()| out);
            let slow = decode(cell, ty, 0).map(|v| vec![v]);
            match (fast, slow) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{cell:?} as {ty}"),
                (Err(a), Err(b)) => assert_eq!(a.kind(), b.kind(), "{cell:?} as {ty}"),
                (a, b) => panic!("{cell:?} as {ty}: fast {a:?}, slow {b:?}"),
            }
        }
    }

    #[test]
    fn decodes_each_type() {
        assert_eq!(
            decode(ValueRef::Integer(1), Type::Bool, 0).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            decode(ValueRef::Real(0.5), Type::F32, 0).unwrap(),
            Value::F64(0.5)
        );
        assert_eq!(
            decode(ValueRef::Integer(3), Type::F64, 0).unwrap(),
            Value::F64(3.0)
        );
        assert_eq!(decode(ValueRef::Null, Type::Uuid, 0).unwrap(), Value::Null);
        let u = uuid::Uuid::from_u128(5);
        assert_eq!(
            decode(ValueRef::Blob(u.as_bytes()), Type::Uuid, 0).unwrap(),
            Value::Uuid(u)
        );
        assert_eq!(
            decode(ValueRef::Integer(-7), Type::Timestamp, 0).unwrap(),
            Value::Timestamp(-7)
        );
    }

    #[test]
    fn rejects_foreign_data() {
        assert!(decode(ValueRef::Integer(2), Type::Bool, 0).is_err());
        assert!(decode(ValueRef::Integer(300), Type::U8, 0).is_err());
        assert!(decode(ValueRef::Blob(&[1, 2]), Type::Uuid, 0).is_err());
        assert!(decode(ValueRef::Text(b"x"), Type::I64, 0).is_err());
        assert!(decode(ValueRef::Text(&[0xff]), Type::String, 0).is_err());
    }
}

//! Decoding MySQL binary-protocol values into [`Value`]s using the column types the
//! serializer reported ([`toasty_sql::Output::Rows`]).

use crate::time::{self, DateTime};
use mysql_async::Value as My;
use toasty_core::{Error, Result, Type, Value};

/// Decodes one cell of type `ty` and appends it to `out` (`index` is the result column,
/// for messages).
///
/// The common cells (NULL, in-range integers, text, bytes) are built where they are
/// pushed: moving `Value`s through `Result`s costs more than decoding them (partial
/// copies of the enum stall the CPU's store forwarding). Everything else goes through
/// [`decode`].
pub(crate) fn decode_into(v: My, ty: Type, index: usize, out: &mut Vec<Value>) -> Result<()> {
    match (ty, v) {
        (_, My::NULL) => out.push(Value::Null),
        (t, My::Int(i)) if t.is_integer() && fits(t, i) => out.push(Value::I64(i)),
        (Type::String, My::Bytes(bytes)) => match String::from_utf8(bytes) {
            Ok(s) => out.push(Value::String(s)),
            Err(e) => out.push(decode(My::Bytes(e.into_bytes()), ty, index)?),
        },
        (Type::Bytes, My::Bytes(b)) => out.push(Value::Bytes(b)),
        (_, other) => out.push(decode(other, ty, index)?),
    }
    Ok(())
}

/// `true` when integer type `t` holds `i`.
fn fits(t: Type, i: i64) -> bool {
    t.int_range().is_some_and(|(lo, hi)| lo <= i && i <= hi)
}

/// Decodes one cell of type `ty` (`index` is the result column, for messages).
pub(crate) fn decode(v: My, ty: Type, index: usize) -> Result<Value> {
    let value = match (ty, v) {
        (_, My::NULL) => Value::Null,
        (Type::Bool, My::Int(0) | My::UInt(0)) => Value::Bool(false),
        (Type::Bool, My::Int(1) | My::UInt(1)) => Value::Bool(true),
        (t, My::Int(i)) if t.is_integer() => Value::I64(i),
        (t, My::UInt(u)) if t.is_integer() => Value::I64(i64::try_from(u).map_err(|_| {
            Error::out_of_range(format!(
                "result column #{index} holds {u}, larger than any integer Toasty stores"
            ))
        })?),
        (Type::F32 | Type::F64, My::Float(f)) => Value::F64(f64::from(f)),
        (Type::F32 | Type::F64, My::Double(f)) => Value::F64(f),
        (Type::String, My::Bytes(bytes)) => {
            Value::String(String::from_utf8(bytes).map_err(|_| {
                Error::invalid_value(format!(
                    "result column #{index} holds text that is not valid UTF-8"
                ))
            })?)
        }
        (Type::Bytes, My::Bytes(b)) => Value::Bytes(b),
        (Type::Uuid, My::Bytes(b)) => Value::Uuid(uuid::Uuid::from_slice(&b).map_err(|_| {
            Error::invalid_value(format!(
                "result column #{index} should hold a 16-byte UUID but holds {} bytes",
                b.len()
            ))
        })?),
        (Type::Timestamp, My::Date(year, month, day, hour, minute, second, micros)) => {
            Value::Timestamp(time::from_datetime(DateTime {
                year,
                month,
                day,
                hour,
                minute,
                second,
                micros,
            }))
        }
        (ty, other) => {
            return Err(Error::invalid_value(format!(
                "result column #{index} should hold a {ty} but MySQL returned {other:?}; was \
                 the table written by something other than Toasty?"
            )))
        }
    };
    // The message is only formatted on failure: this runs for every cell.
    ty.check(&value, "the value")
        .map_err(|e| Error::new(e.kind(), format!("result column #{index}: {}", e.message())))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_path_agrees_with_decode() {
        let cells = [
            (My::NULL, Type::I64),
            (My::Int(5), Type::I32),
            (My::Int(300), Type::U8),
            (My::Int(-1), Type::U32),
            (My::Bytes(b"hi".to_vec()), Type::String),
            (My::Bytes(vec![0xff, 0xfe]), Type::String),
            (My::Bytes(vec![1, 2]), Type::Bytes),
            (My::Int(1), Type::Bool),
            (My::Double(0.5), Type::F64),
        ];
        for (cell, ty) in cells {
            let mut out = Vec::new();
            let fast = decode_into(cell.clone(), ty, 0, &mut out).map(|()| out);
            let slow = decode(cell.clone(), ty, 0).map(|v| vec![v]);
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
            decode(My::Int(1), Type::Bool, 0).unwrap(),
            Value::Bool(true)
        );
        assert_eq!(
            decode(My::UInt(65535), Type::U16, 0).unwrap(),
            Value::I64(65535)
        );
        assert_eq!(
            decode(My::Float(0.1), Type::F32, 0).unwrap(),
            Value::F64(f64::from(0.1f32))
        );
        assert_eq!(decode(My::NULL, Type::Uuid, 0).unwrap(), Value::Null);
        let u = uuid::Uuid::from_u128(5);
        assert_eq!(
            decode(My::Bytes(u.as_bytes().to_vec()), Type::Uuid, 0).unwrap(),
            Value::Uuid(u)
        );
        assert_eq!(
            decode(My::Date(1970, 1, 1, 0, 0, 1, 5), Type::Timestamp, 0).unwrap(),
            Value::Timestamp(1_000_005)
        );
    }

    #[test]
    fn rejects_foreign_data() {
        assert!(decode(My::Int(2), Type::Bool, 0).is_err());
        assert!(decode(My::Int(300), Type::U8, 0).is_err());
        assert!(decode(My::UInt(u64::MAX), Type::U64, 0).is_err());
        assert!(decode(My::Bytes(vec![1, 2]), Type::Uuid, 0).is_err());
        assert!(decode(My::Bytes(vec![0xff]), Type::String, 0).is_err());
        assert!(decode(My::Bytes(b"1".to_vec()), Type::I64, 0).is_err());
    }
}

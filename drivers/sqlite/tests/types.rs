//! Every type round-trips through SQLite, boundary values included, and compares as the
//! contract says.

mod common;

use common::*;
use toasty_core::driver::{Operation, Update};
use toasty_core::stmt::{BinaryOp, Expr};
use toasty_core::{Type, Value, TIMESTAMP_MAX_MICROS, TIMESTAMP_MIN_MICROS};

/// Interesting values per type.
fn samples(ty: Type) -> Vec<Value> {
    match ty {
        Type::Bool => vec![false.into(), true.into()],
        Type::F32 => [
            0.0f32,
            -0.0,
            1.5,
            -1.5,
            f32::MIN,
            f32::MAX,
            f32::MIN_POSITIVE,
            f32::EPSILON,
            1e-45,
            16_777_217.0,
        ]
        .into_iter()
        .map(Value::from)
        .collect(),
        Type::F64 => [
            0.0f64,
            -0.0,
            0.1,
            -1e300,
            f64::MIN,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            f64::EPSILON,
        ]
        .into_iter()
        .map(Value::from)
        .collect(),
        Type::String => [
            "",
            " ",
            "a",
            "A",
            "trailing  ",
            "ß",
            "日本語",
            "🦀 emoji",
            "nul\0inside",
            "quote ' \" `",
            "50%_\\",
        ]
        .into_iter()
        .map(Value::from)
        .collect(),
        Type::Bytes => vec![
            Value::Bytes(vec![]),
            Value::Bytes(vec![0]),
            Value::Bytes(vec![0, 255, 1, 254]),
            Value::Bytes((0..=255).collect()),
            Value::Bytes(b"text".to_vec()),
        ],
        Type::Uuid => vec![
            Value::Uuid(uuid::Uuid::nil()),
            Value::Uuid(uuid::Uuid::max()),
            Value::Uuid(uuid::Uuid::from_u128(
                0x0123_4567_89ab_cdef_0011_2233_4455_6677,
            )),
        ],
        Type::Timestamp => vec![
            Value::Timestamp(0),
            Value::Timestamp(-1),
            Value::Timestamp(1),
            Value::Timestamp(1_700_000_000_123_456),
            Value::Timestamp(TIMESTAMP_MIN_MICROS),
            Value::Timestamp(TIMESTAMP_MAX_MICROS),
        ],
        int => {
            let (lo, hi) = int.int_range().unwrap();
            let mut v = vec![Value::I64(lo), Value::I64(hi), Value::I64(0), Value::I64(1)];
            if lo < 0 {
                v.push(Value::I64(-1));
            }
            v
        }
    }
}

/// Inserts one row per sample of each type (other columns get a fixed value) and reads
/// everything back.
#[tokio::test]
async fn every_type_round_trips() {
    for mut db in both().await {
        let mut key = 0i64;
        let mut expected = Vec::new();
        for ty in Type::ALL {
            for sample in samples(ty) {
                let mut row = vec![Value::I64(key)];
                for other in Type::ALL {
                    let value = if other == ty {
                        sample.clone()
                    } else {
                        samples(other)[0].clone()
                    };
                    row.push(value.clone());
                    // The nullable twin holds NULL on even keys and the value on odd.
                    row.push(if key % 2 == 0 { Value::Null } else { value });
                }
                expected.push(row);
                key += 1;
            }
        }
        let width = expected[0].len();
        db.insert(TYPES, (0..width).collect(), expected.clone())
            .await;
        let got = db.all(TYPES).await;
        assert_eq!(got.len(), expected.len());
        for (g, e) in got.iter().zip(&expected) {
            for (i, (gv, ev)) in g.iter().zip(e).enumerate() {
                assert!(
                    gv.same_as(ev),
                    "{}: column {i}: got {gv:?}, wrote {ev:?}",
                    db.label
                );
                // Exact variant and bits, except that SQLite may return -0.0 as 0.0.
                match (gv, ev) {
                    (Value::F64(a), Value::F64(b)) if *b == 0.0 => assert_eq!(a.abs(), 0.0),
                    (Value::F64(a), Value::F64(b)) => assert_eq!(a.to_bits(), b.to_bits()),
                    _ => assert_eq!(gv, ev, "{}: column {i}", db.label),
                }
            }
        }
        // Every sample is found by equality on its own column.
        for ty in Type::ALL {
            let column = type_col(ty, false);
            for sample in samples(ty) {
                let filter = Expr::eq(Expr::Column(column), Expr::Value(sample.clone()));
                let op = select(TYPES, filter);
                let want = oracle(&got, &op);
                let rows = db.rows(Operation::Select(op)).await;
                assert!(
                    same_multiset(&rows, &want),
                    "{}: {ty} = {sample:?}: {} rows, expected {}",
                    db.label,
                    rows.len(),
                    want.len()
                );
            }
        }
        // Ordering comparisons agree with the contract for every type.
        for ty in Type::ALL {
            let column = type_col(ty, true);
            for sample in samples(ty) {
                for op in [BinaryOp::Lt, BinaryOp::Ge, BinaryOp::Ne] {
                    let filter =
                        Expr::binary(op, Expr::Column(column), Expr::Value(sample.clone()));
                    let select_op = select(TYPES, filter);
                    let want = oracle(&got, &select_op);
                    let rows = db.rows(Operation::Select(select_op)).await;
                    assert!(
                        same_multiset(&rows, &want),
                        "{}: {ty} {op:?} {sample:?}",
                        db.label
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn updates_write_every_type() {
    for mut db in both().await {
        let mut row = vec![Value::I64(1)];
        for ty in Type::ALL {
            row.push(samples(ty)[0].clone());
            row.push(Value::Null);
        }
        let width = row.len();
        db.insert(TYPES, (0..width).collect(), vec![row]).await;
        let assignments: Vec<(usize, Value)> = Type::ALL
            .iter()
            .map(|&ty| (type_col(ty, true), samples(ty).pop().unwrap()))
            .collect();
        let updated = db
            .rows(Operation::Update(Update {
                table: TYPES,
                filter: Expr::true_(),
                assignments: assignments.clone(),
                arithmetic: Vec::new(),
                returning: true,
            }))
            .await;
        for (c, v) in assignments {
            assert_eq!(updated[0][c], v, "{}: column {c}", db.label);
        }
    }
}

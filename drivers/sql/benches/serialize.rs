//! What serializing one operation costs, per dialect: the `get_by_id` select (filter on
//! the key, `LIMIT`) and a 100-row insert. Every SQL driver pays this on every
//! operation, so it is part of the per-driver overheads in `docs/benchmarks.md`.
//!
//! `cargo bench -p toasty-sql --bench serialize`

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use toasty_core::driver::{Insert, Operation, Select};
use toasty_core::schema::db::{Column, Schema, Table, TableId};
use toasty_core::stmt::{BinaryOp, Expr, Select as Projection};
use toasty_core::{Type, Value};
use toasty_sql::{Dialect, Serializer};

fn col(name: &str, ty: Type, nullable: bool) -> Column {
    Column {
        name: name.to_string(),
        ty,
        nullable,
        auto_increment: false,
        max_len: None,
    }
}

fn schema() -> Schema {
    let mut id = col("id", Type::I64, false);
    id.auto_increment = true;
    Schema {
        tables: vec![Table {
            id: TableId(0),
            name: "users".into(),
            columns: vec![
                id,
                col("name", Type::String, false),
                col("hair_color", Type::String, true),
                col("age", Type::I32, false),
            ],
            primary_key: vec![0],
            indices: vec![],
        }],
    }
}

fn get_by_id() -> Operation {
    Operation::Select(Select {
        table: TableId(0),
        filter: Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(7))),
        order_by: vec![],
        limit: Some(2),
        offset: None,
        projection: Projection::Records,
    })
}

fn insert_100() -> Operation {
    Operation::Insert(Insert {
        table: TableId(0),
        columns: vec![1, 2, 3],
        rows: (0..100)
            .map(|i| {
                vec![
                    Value::String(format!("user {i}")),
                    Value::Null,
                    Value::I64(i),
                ]
            })
            .collect(),
        returning: vec![0],
    })
}

fn bench(c: &mut Criterion) {
    let schema = schema();
    let mut group = c.benchmark_group("serialize");
    for (name, dialect) in [
        ("sqlite", Dialect::Sqlite),
        ("postgres", Dialect::Postgres),
        ("mysql", Dialect::Mysql),
    ] {
        let serializer = Serializer::new(dialect);
        let op = get_by_id();
        group.bench_with_input(BenchmarkId::new("get_by_id", name), &op, |b, op| {
            b.iter(|| serializer.serialize(&schema, op).expect("serialize"))
        });
        let op = insert_100();
        group.bench_with_input(BenchmarkId::new("insert 100", name), &op, |b, op| {
            b.iter(|| serializer.serialize(&schema, op).expect("serialize"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Differential checks against memdb over every column type (filters with literals of
//! the column's type and of neighbouring numeric types) and over composite keys
//! (`GetByKey`, `QueryPk` on the primary key and on an index).

mod common;

use common::*;
use proptest::prelude::*;
use toasty_core::driver::{
    Connection, CreateTable, Driver, GetByKey, Insert, Operation, QueryPk, Response, Select,
};
use toasty_core::schema::db::Schema;
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy, PatternOp, Select as Projection};
use toasty_core::{Result, Type, Value};
use toasty_memdb::MemDb;
use toasty_sqlite::Sqlite;

/// A value of `ty` from a small pool, so equal values recur.
fn value_of(ty: Type) -> BoxedStrategy<Value> {
    match ty {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::F32 => prop::sample::select(vec![0.0f32, -0.0, 0.5, -1.25, f32::MAX, 1e-45])
            .prop_map(Value::from)
            .boxed(),
        Type::F64 => prop::sample::select(vec![0.0f64, -0.0, 0.1, -1e300, 2.5])
            .prop_map(Value::F64)
            .boxed(),
        Type::String => prop::sample::select(vec!["", "a", "A", "ab", "a%", "b_", "é", "a\0"])
            .prop_map(Value::from)
            .boxed(),
        Type::Bytes => {
            prop::sample::select(vec![vec![], vec![0u8], vec![0, 1], vec![255], vec![1]])
                .prop_map(Value::Bytes)
                .boxed()
        }
        Type::Uuid => (0u128..4)
            .prop_map(|n| Value::Uuid(uuid::Uuid::from_u128(n << 100 | n)))
            .boxed(),
        Type::Timestamp => prop::sample::select(vec![0i64, -1, 1, 1_700_000_000_000_000])
            .prop_map(Value::Timestamp)
            .boxed(),
        int => {
            let (lo, hi) = int.int_range().unwrap();
            prop::sample::select(vec![lo, hi, 0, 1, lo.max(-1)])
                .prop_map(Value::I64)
                .boxed()
        }
    }
}

/// A literal to compare with a column of `ty`: usually of its type, sometimes an integer
/// or float outside it.
fn literal_for(ty: Type) -> BoxedStrategy<Value> {
    if ty.is_integer() || ty.is_float() {
        prop_oneof![
            3 => value_of(ty),
            1 => prop::sample::select(vec![-1000i64, 1000, i64::MAX, i64::MIN]).prop_map(Value::I64),
            1 => prop::sample::select(vec![0.1f64, -0.5, 1e20]).prop_map(Value::F64),
        ]
        .boxed()
    } else {
        value_of(ty)
    }
}

fn typed_row(key: i64) -> impl Strategy<Value = Vec<Value>> {
    let cells: Vec<BoxedStrategy<(Value, Value)>> = Type::ALL
        .iter()
        .map(|&ty| {
            (value_of(ty), prop::option::weighted(0.7, value_of(ty)))
                .prop_map(|(v, n)| (v, n.unwrap_or(Value::Null)))
                .boxed()
        })
        .collect();
    cells.prop_map(move |pairs| {
        let mut row = vec![Value::I64(key)];
        for (v, n) in pairs {
            row.push(v);
            row.push(n);
        }
        row
    })
}

fn typed_filter() -> impl Strategy<Value = Expr> {
    let leaf = (
        prop::sample::select(Type::ALL.to_vec()),
        any::<bool>(),
        prop::sample::select(BinaryOp::ALL.to_vec()),
    )
        .prop_flat_map(|(ty, nullable, op)| {
            let col = type_col(ty, nullable);
            let cmp = literal_for(ty)
                .prop_map(move |v| Expr::binary(op, Expr::Column(col), Expr::Value(v)))
                .boxed();
            let list = prop::collection::vec(literal_for(ty), 0..3)
                .prop_map(move |list| Expr::InList {
                    expr: Box::new(Expr::Column(col)),
                    list,
                })
                .boxed();
            let null = Just(Expr::IsNull(Box::new(Expr::Column(col)))).boxed();
            if ty == Type::String {
                let pat = (
                    prop::sample::select(vec![
                        PatternOp::StartsWith,
                        PatternOp::EndsWith,
                        PatternOp::Contains,
                    ]),
                    prop::sample::select(vec!["", "a", "A", "%", "_", "\0", "é"]),
                )
                    .prop_map(move |(op, p)| Expr::Pattern {
                        op,
                        expr: Box::new(Expr::Column(col)),
                        pattern: p.into(),
                    })
                    .boxed();
                prop_oneof![cmp, list, null, pat].boxed()
            } else {
                prop_oneof![cmp, list, null].boxed()
            }
        });
    leaf.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::Or),
            inner.prop_map(|e| e.not()),
        ]
    })
}

fn agree(a: &Result<Response>, b: &Result<Response>) -> bool {
    match (&row_vecs(a), &row_vecs(b)) {
        (Ok(Response::Count(x)), Ok(Response::Count(y))) => x == y,
        (Ok(Response::Rows(x)), Ok(Response::Rows(y))) => same_rows(x, y),
        (Err(x), Err(y)) => x.kind() == y.kind(),
        _ => false,
    }
}

async fn pair(schema: &Schema) -> (Box<dyn Connection>, Box<dyn Connection>) {
    let memdb = MemDb::new();
    let sqlite = Sqlite::in_memory().unwrap();
    let mut a = memdb.connect().await.unwrap();
    let mut b = sqlite.connect().await.unwrap();
    for t in &schema.tables {
        a.exec(schema, Operation::CreateTable(CreateTable { table: t.id }))
            .await
            .unwrap();
        b.exec(schema, Operation::CreateTable(CreateTable { table: t.id }))
            .await
            .unwrap();
    }
    (a, b)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn typed_filters_agree_with_memdb(
        rows in (0usize..6).prop_flat_map(|n| (0..n as i64).map(typed_row).collect::<Vec<_>>()),
        filters in prop::collection::vec(typed_filter(), 1..6),
        order_col in prop::sample::select(Type::ALL.to_vec()),
        desc in any::<bool>(),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let schema = schema();
            let (mut memdb, mut sqlite) = pair(&schema).await;
            let width = 1 + 2 * Type::ALL.len();
            let insert = Operation::Insert(Insert { table: TYPES, columns: (0..width).collect(), rows: rows.clone(), returning: vec![] });
            let want = memdb.exec(&schema, insert.clone()).await;
            let got = sqlite.exec(&schema, insert).await;
            prop_assert!(agree(&want, &got), "insert: {want:?} vs {got:?}");
            for filter in &filters {
                let direction = if desc { Direction::Desc } else { Direction::Asc };
                let op = Operation::Select(Select {
                    table: TYPES,
                    filter: filter.clone(),
                    order_by: vec![OrderBy { target: type_col(order_col, true), direction }, OrderBy { target: 0, direction: Direction::Asc }],
                    limit: None,
                    offset: None,
                    projection: Projection::Records,
                });
                let want = memdb.exec(&schema, op.clone()).await;
                let got = sqlite.exec(&schema, op.clone()).await;
                prop_assert!(agree(&want, &got), "{op:?}\n memdb:  {want:?}\n sqlite: {got:?}");
            }
            Ok(())
        })?;
    }

    #[test]
    fn composite_keys_agree_with_memdb(
        rows in prop::collection::vec((0u128..3, 0i64..5, prop::sample::select(vec!["a", "b", "A"])), 0..10),
        keys in prop::collection::vec((0u128..4, 0i64..6), 0..5),
        queries in prop::collection::vec((0u128..4, prop::option::of((prop::sample::select(vec![BinaryOp::Eq, BinaryOp::Lt, BinaryOp::Le, BinaryOp::Gt, BinaryOp::Ge]), 0i64..5)), any::<bool>()), 1..5),
    ) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let schema = schema();
            let (mut memdb, mut sqlite) = pair(&schema).await;
            let org = |n: u128| Value::Uuid(uuid::Uuid::from_u128(n));
            // One insert per row, so duplicates fail alone.
            for (o, u, role) in &rows {
                let op = Operation::Insert(Insert { table: MEMBERS, columns: vec![0, 1, 2], rows: vec![vec![org(*o), Value::I64(*u), (*role).into()]], returning: vec![] });
                let want = memdb.exec(&schema, op.clone()).await;
                let got = sqlite.exec(&schema, op).await;
                prop_assert!(agree(&want, &got), "insert: {want:?} vs {got:?}");
            }
            let get = Operation::GetByKey(GetByKey { table: MEMBERS, keys: keys.iter().map(|(o, u)| vec![org(*o), Value::I64(*u)]).collect() });
            let want = memdb.exec(&schema, get.clone()).await;
            let got = sqlite.exec(&schema, get.clone()).await;
            prop_assert!(agree(&want, &got), "{get:?}\n memdb:  {want:?}\n sqlite: {got:?}");
            for (o, sort, by_index) in &queries {
                let sort = sort.map(|(op, v)| Expr::binary(op, Expr::Column(1), Expr::Value(Value::I64(v))));
                let op = if *by_index {
                    let role = ["a", "b", "A", "c"][*o as usize];
                    Operation::QueryPk(QueryPk { table: MEMBERS, index: Some(0), partition: role.into(), sort })
                } else {
                    Operation::QueryPk(QueryPk { table: MEMBERS, index: None, partition: org(*o), sort })
                };
                let want = memdb.exec(&schema, op.clone()).await;
                let got = sqlite.exec(&schema, op.clone()).await;
                prop_assert!(agree(&want, &got), "{op:?}\n memdb:  {want:?}\n sqlite: {got:?}");
            }
            Ok(())
        })?;
    }
}

/// `r` with a row set turned into one `Vec` per row, to compare drivers that return
/// rows either way.
fn row_vecs(r: &Result<Response>) -> std::result::Result<Response, &toasty_core::Error> {
    r.as_ref().map(|r| r.clone().into_row_vecs())
}

//! Random operation sequences run on memdb (the reference) and on SQLite; every
//! response must agree (rows compared in order when the operation orders them, as
//! multisets otherwise; errors by kind).

mod common;

use common::*;
use proptest::prelude::*;
use toasty_core::driver::{
    Connection, CreateTable, Delete, DeleteByKey, Driver, GetByKey, Insert, Operation, QueryPk,
    Response, Select, Update, UpdateByKey,
};
use toasty_core::schema::db::Schema;
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy, PatternOp, Select as Projection};
use toasty_core::{Result, Value};
use toasty_memdb::MemDb;
use toasty_sqlite::Sqlite;

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "a", "A", "ab", "aB", "b", "b%", "b_", "", "é", "a b", "z",
    ])
    .prop_map(str::to_string)
}

fn age() -> impl Strategy<Value = Option<i64>> {
    prop::option::weighted(
        0.7,
        prop_oneof![Just(i32::MIN as i64), Just(i32::MAX as i64), -3i64..4],
    )
}

fn score() -> impl Strategy<Value = Option<f64>> {
    prop::option::weighted(0.7, prop::sample::select(vec![0.0, -0.0, 1.5, -2.0, 1e300]))
}

fn literal(col: usize) -> BoxedStrategy<Value> {
    match col {
        ID => (0i64..8).prop_map(Value::I64).boxed(),
        NAME | EMAIL => name().prop_map(Value::from).boxed(),
        AGE => age().prop_map(|a| Value::from(a.unwrap_or(0))).boxed(),
        SCORE => score().prop_map(|s| Value::from(s.unwrap_or(0.5))).boxed(),
        _ => any::<bool>().prop_map(Value::Bool).boxed(),
    }
}

fn leaf() -> BoxedStrategy<Expr> {
    let column = prop::sample::select(vec![ID, NAME, EMAIL, AGE, SCORE, ACTIVE]);
    let op = prop::sample::select(BinaryOp::ALL.to_vec());
    prop_oneof![
        (column.clone(), op).prop_flat_map(|(c, op)| literal(c).prop_map(move |v| Expr::binary(
            op,
            Expr::Column(c),
            Expr::Value(v)
        ))),
        column
            .clone()
            .prop_map(|c| Expr::IsNull(Box::new(Expr::Column(c)))),
        column.prop_flat_map(
            |c| prop::collection::vec(literal(c), 0..3).prop_map(move |list| {
                Expr::InList {
                    expr: Box::new(Expr::Column(c)),
                    list,
                }
            })
        ),
        (
            prop::sample::select(vec![
                PatternOp::StartsWith,
                PatternOp::EndsWith,
                PatternOp::Contains
            ]),
            prop::sample::select(vec![NAME, EMAIL]),
            name(),
        )
            .prop_map(|(op, c, p)| Expr::Pattern {
                op,
                expr: Box::new(Expr::Column(c)),
                pattern: p
            }),
        Just(Expr::Column(ACTIVE)),
    ]
    .boxed()
}

fn filter() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 0..3).prop_map(Expr::Or),
            inner.prop_map(|e| e.not()),
        ]
    })
}

/// Sort keys ending in the primary key (a total order), or none at all.
fn order_by() -> impl Strategy<Value = Vec<OrderBy>> {
    let keys = prop::collection::vec(
        (
            prop::sample::select(vec![NAME, AGE, SCORE, ACTIVE]),
            prop::sample::select(vec![Direction::Asc, Direction::Desc]),
        ),
        0..3,
    )
    .prop_map(|keys| {
        let mut out: Vec<OrderBy> = Vec::new();
        for (target, direction) in keys {
            if !out.iter().any(|o| o.target == target) {
                out.push(OrderBy { target, direction });
            }
        }
        out.push(OrderBy {
            target: ID,
            direction: Direction::Asc,
        });
        out
    });
    prop_oneof![3 => keys, 1 => Just(Vec::new())]
}

fn user_row() -> impl Strategy<Value = Vec<Value>> {
    (name(), name(), age(), score(), any::<bool>()).prop_map(|(n, e, a, s, b)| {
        vec![
            n.into(),
            format!("{e}@x").into(),
            a.into(),
            s.into(),
            b.into(),
        ]
    })
}

fn key() -> impl Strategy<Value = Vec<Value>> {
    (0i64..8).prop_map(|k| vec![Value::I64(k)])
}

/// One operation, and whether its rows come in a defined order.
fn operation() -> impl Strategy<Value = (Operation, bool)> {
    prop_oneof![
        3 => (prop::collection::vec(user_row(), 1..4), any::<bool>()).prop_map(|(rows, ret)| (
            Operation::Insert(Insert {
                table: USERS,
                columns: vec![NAME, EMAIL, AGE, SCORE, ACTIVE],
                rows,
                returning: if ret { vec![ID, NAME] } else { vec![] },
            }),
            true
        )),
        4 => (filter(), order_by(), prop::option::of(0u64..4), prop::option::of(0u64..3), any::<bool>())
            .prop_map(|(filter, order_by, limit, offset, count)| {
                // Unordered reads without a limit compare as multisets.
                let ordered = !order_by.is_empty() || limit.is_some() || offset.is_some();
                (
                    Operation::Select(Select {
                        table: USERS,
                        filter,
                        order_by,
                        limit,
                        offset,
                        projection: if count { Projection::Count } else { Projection::Records },
                    }),
                    ordered,
                )
            }),
        2 => (filter(), prop::sample::select(vec![NAME, AGE, SCORE, ACTIVE]), any::<bool>())
            .prop_flat_map(|(filter, col, returning)| literal(col).prop_map(move |v| (
                Operation::Update(Update {
                    table: USERS,
                    filter: filter.clone(),
                    assignments: vec![(col, v)],
                    arithmetic: Vec::new(),
                    returning,
                }),
                true
            ))),
        1 => filter().prop_map(|filter| (Operation::Delete(Delete { table: USERS, filter }), true)),
        1 => prop::collection::vec(key(), 0..4).prop_map(|keys| (Operation::GetByKey(GetByKey { table: USERS, keys }), true)),
        1 => (prop::collection::vec(key(), 0..4), literal(AGE)).prop_map(|(keys, v)| (
            Operation::UpdateByKey(UpdateByKey { table: USERS, keys, assignments: vec![(AGE, v)] }),
            true
        )),
        1 => prop::collection::vec(key(), 0..3).prop_map(|keys| (Operation::DeleteByKey(DeleteByKey { table: USERS, keys }), true)),
        1 => (name(), prop::option::of(leaf_on_age())).prop_map(|(n, sort)| (
            Operation::QueryPk(QueryPk { table: USERS, index: Some(1), partition: n.into(), sort }),
            true
        )),
    ]
}

fn leaf_on_age() -> impl Strategy<Value = Expr> {
    (
        prop::sample::select(vec![BinaryOp::Eq, BinaryOp::Lt, BinaryOp::Ge]),
        -3i64..4,
    )
        .prop_map(|(op, v)| Expr::binary(op, Expr::Column(AGE), Expr::Value(Value::I64(v))))
}

fn agree(ordered: bool, a: &Result<Response>, b: &Result<Response>) -> bool {
    match (&row_vecs(a), &row_vecs(b)) {
        (Ok(Response::Count(x)), Ok(Response::Count(y))) => x == y,
        (Ok(Response::Rows(x)), Ok(Response::Rows(y))) => {
            if ordered {
                same_rows(x, y)
            } else {
                same_multiset(x, y)
            }
        }
        (Err(x), Err(y)) => x.kind() == y.kind(),
        _ => false,
    }
}

async fn open(driver: &dyn Driver, schema: &Schema) -> Box<dyn Connection> {
    let mut conn = driver.connect().await.unwrap();
    conn.exec(schema, Operation::CreateTable(CreateTable { table: USERS }))
        .await
        .unwrap();
    conn
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn sqlite_agrees_with_memdb(ops in prop::collection::vec(operation(), 1..16)) {
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        rt.block_on(async {
            let schema = schema();
            let memdb = MemDb::new();
            let sqlite = Sqlite::in_memory().unwrap();
            let mut reference = open(&memdb, &schema).await;
            let mut target = open(&sqlite, &schema).await;
            for (i, (op, ordered)) in ops.iter().enumerate() {
                let want = reference.exec(&schema, op.clone()).await;
                let got = target.exec(&schema, op.clone()).await;
                prop_assert!(
                    agree(*ordered, &want, &got),
                    "step {i}: {op:?}\n memdb:  {want:?}\n sqlite: {got:?}"
                );
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

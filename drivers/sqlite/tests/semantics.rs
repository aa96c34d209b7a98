//! The semantics contract through the driver: every result is compared with what the
//! reference evaluator (`toasty_core::stmt::eval`, memdb's definition) gives on the
//! same rows.

mod common;

use common::*;
use toasty_core::driver::{Insert, Operation, Select, Update};
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy, Select as Projection};
use toasty_core::{ErrorKind, Value};

fn c(i: usize) -> Expr {
    Expr::Column(i)
}

fn v(x: impl Into<Value>) -> Expr {
    Expr::Value(x.into())
}

fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    Expr::binary(op, l, r)
}

/// Users with NULLs, duplicates, negative numbers, -0.0 and case variants.
async fn seed(db: &mut Db) {
    let row = |name: &str, age: Option<i64>, score: Option<f64>, active: bool| {
        vec![
            Value::from(name),
            Value::from(format!("{name}@x")),
            Value::from(age),
            Value::from(score),
            Value::Bool(active),
        ]
    };
    db.insert(
        USERS,
        vec![NAME, EMAIL, AGE, SCORE, ACTIVE],
        vec![
            row("alice", Some(30), Some(1.5), true),
            row("Alice", None, Some(-0.0), false),
            row("bob", Some(20), None, true),
            row("Bob", Some(30), Some(0.0), false),
            row("carol", None, None, true),
            row("dave", Some(-5), Some(-2.25), false),
            row("éve", Some(41), Some(1e300), true),
            row("zed ", Some(0), Some(-1e-300), false),
        ],
    )
    .await;
}

fn filters() -> Vec<Expr> {
    use BinaryOp::*;
    let in_list = |e: Expr, list: Vec<Value>| Expr::InList {
        expr: Box::new(e),
        list,
    };
    let mut out = Vec::new();
    for op in BinaryOp::ALL {
        out.push(bin(op, c(AGE), v(30i64)));
        out.push(bin(op, c(NAME), v("bob")));
        out.push(bin(op, c(SCORE), v(0.0f64)));
        out.push(bin(op, c(ACTIVE), v(true)));
        out.push(bin(op, c(AGE), v(20.5f64)));
        out.push(bin(op, v(25i64), c(AGE)));
    }
    out.extend([
        Expr::true_(),
        v(false),
        Expr::And(vec![]),
        Expr::Or(vec![]),
        c(ACTIVE),
        Expr::Not(Box::new(c(ACTIVE))),
        Expr::IsNull(Box::new(c(AGE))),
        Expr::IsNull(Box::new(c(AGE))).not(),
        bin(Eq, c(AGE), Expr::Value(Value::Null)),
        bin(Eq, c(AGE), Expr::Value(Value::Null)).not(),
        bin(Ne, c(AGE), v(30i64)).not(),
        in_list(c(AGE), vec![]),
        in_list(c(AGE), vec![]).not(),
        in_list(c(NAME), vec![]).not(),
        in_list(c(AGE), vec![30i64.into(), 20i64.into()]),
        in_list(c(AGE), vec![30i64.into(), 20i64.into()]).not(),
        in_list(c(AGE), vec![30i64.into(), Value::Null]),
        in_list(c(AGE), vec![30i64.into(), Value::Null]).not(),
        in_list(c(NAME), vec!["alice".into(), "BOB".into()]),
        bin(Gt, c(AGE), v(10i64)).and(bin(Lt, c(SCORE), v(1.0f64))),
        bin(Gt, c(AGE), v(10i64)).or(bin(Lt, c(SCORE), v(1.0f64))),
        bin(Gt, c(AGE), v(10i64))
            .and(bin(Lt, c(SCORE), v(1.0f64)))
            .not(),
        bin(Gt, c(AGE), v(10i64))
            .or(bin(Lt, c(SCORE), v(1.0f64)))
            .not(),
        Expr::Or(vec![
            Expr::And(vec![c(ACTIVE), Expr::IsNull(Box::new(c(SCORE)))]),
            Expr::Not(Box::new(Expr::Or(vec![
                bin(Ge, c(NAME), v("c")),
                bin(Eq, c(AGE), v(30i64)),
            ]))),
        ]),
        bin(Eq, c(SCORE), v(-0.0f64)),
        bin(Lt, c(NAME), v("b")),
        bin(Gt, c(NAME), v("zed")),
        bin(Eq, c(NAME), v("zed")),
    ]);
    out
}

#[tokio::test]
async fn filters_match_the_reference_evaluator() {
    for mut db in both().await {
        seed(&mut db).await;
        let all = db.all(USERS).await;
        for filter in filters() {
            let op = select(USERS, filter.clone());
            let expected = oracle(&all, &op);
            let got = db.rows(Operation::Select(op)).await;
            assert!(
                same_multiset(&got, &expected),
                "{}: filter {filter:?}\n got {got:?}\n expected {expected:?}",
                db.label
            );
            let count = db
                .count(Operation::Select(Select {
                    projection: Projection::Count,
                    ..select(USERS, filter.clone())
                }))
                .await;
            assert_eq!(
                count as usize,
                expected.len(),
                "{}: count of {filter:?}",
                db.label
            );
        }
    }
}

#[tokio::test]
async fn ordering_puts_nulls_first_ascending_and_last_descending() {
    let key = |target, direction| OrderBy { target, direction };
    use Direction::*;
    for mut db in both().await {
        seed(&mut db).await;
        let all = db.all(USERS).await;
        let orders = vec![
            vec![key(AGE, Asc), key(ID, Asc)],
            vec![key(AGE, Desc), key(ID, Asc)],
            vec![key(SCORE, Asc), key(ID, Desc)],
            vec![key(SCORE, Desc), key(ID, Asc)],
            vec![key(NAME, Asc)],
            vec![key(NAME, Desc)],
            vec![key(ACTIVE, Desc), key(AGE, Asc), key(ID, Desc)],
        ];
        for order_by in orders {
            let op = Select {
                order_by: order_by.clone(),
                ..select(USERS, Expr::true_())
            };
            let expected = oracle(&all, &op);
            let got = db.rows(Operation::Select(op)).await;
            // Rows equal under the order keys must match; ties are broken by the keys
            // listed, all of which end in a unique column except NAME (unique here).
            assert!(
                same_rows(&got, &expected),
                "{}: order {order_by:?}\n got {got:?}\n expected {expected:?}",
                db.label
            );
        }
        // Spot check the contract directly.
        let asc = db
            .rows(Operation::Select(Select {
                order_by: vec![key(AGE, Asc), key(ID, Asc)],
                ..select(USERS, Expr::true_())
            }))
            .await;
        assert!(asc[0][AGE].is_null() && asc[1][AGE].is_null());
        let desc = db
            .rows(Operation::Select(Select {
                order_by: vec![key(AGE, Desc), key(ID, Asc)],
                ..select(USERS, Expr::true_())
            }))
            .await;
        assert!(desc[desc.len() - 1][AGE].is_null());
        assert_eq!(desc[0][AGE], Value::I64(41));
    }
}

#[tokio::test]
async fn limit_offset_and_pagination() {
    use Direction::*;
    for mut db in both().await {
        seed(&mut db).await;
        let all = db.all(USERS).await;
        let order = vec![
            OrderBy {
                target: AGE,
                direction: Asc,
            },
            OrderBy {
                target: ID,
                direction: Asc,
            },
        ];
        for (limit, offset) in [
            (Some(3), None),
            (Some(3), Some(2)),
            (None, Some(6)),
            (Some(0), None),
            (Some(10), Some(100)),
            (None, Some(0)),
        ] {
            let op = Select {
                order_by: order.clone(),
                limit,
                offset,
                ..select(USERS, Expr::true_())
            };
            let expected = oracle(&all, &op);
            let got = db.rows(Operation::Select(op)).await;
            assert!(
                same_rows(&got, &expected),
                "{}: limit {limit:?} offset {offset:?}",
                db.label
            );
        }
        // Keyset pagination over (age, id), NULL ages first.
        let mut seen = Vec::new();
        let mut cursor: Option<(Value, Value)> = None;
        loop {
            let filter = match &cursor {
                None => Expr::true_(),
                Some((age, id)) if age.is_null() => Expr::Or(vec![
                    Expr::IsNull(Box::new(c(AGE))).not(),
                    Expr::IsNull(Box::new(c(AGE))).and(bin(
                        BinaryOp::Gt,
                        c(ID),
                        Expr::Value(id.clone()),
                    )),
                ]),
                Some((age, id)) => Expr::Or(vec![
                    bin(BinaryOp::Gt, c(AGE), Expr::Value(age.clone())),
                    bin(BinaryOp::Eq, c(AGE), Expr::Value(age.clone())).and(bin(
                        BinaryOp::Gt,
                        c(ID),
                        Expr::Value(id.clone()),
                    )),
                ]),
            };
            let page = db
                .rows(Operation::Select(Select {
                    order_by: order.clone(),
                    limit: Some(3),
                    ..select(USERS, filter)
                }))
                .await;
            if page.is_empty() {
                break;
            }
            let last = page.last().unwrap();
            cursor = Some((last[AGE].clone(), last[ID].clone()));
            seen.extend(page);
        }
        let expected = oracle(
            &all,
            &Select {
                order_by: order.clone(),
                ..select(USERS, Expr::true_())
            },
        );
        assert!(same_rows(&seen, &expected), "{}: pagination", db.label);
    }
}

#[tokio::test]
async fn unique_violations_and_not_null() {
    for mut db in both().await {
        seed(&mut db).await;
        let insert = |id: Option<i64>, email: &str| {
            let mut columns = vec![NAME, EMAIL, ACTIVE];
            let mut row = vec![Value::from("x"), Value::from(email), Value::Bool(true)];
            if let Some(id) = id {
                columns.push(ID);
                row.push(Value::I64(id));
            }
            Operation::Insert(Insert {
                table: USERS,
                columns,
                rows: vec![row],
                returning: vec![],
            })
        };
        // Unique index.
        let err = db.exec(insert(None, "bob@x")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
        assert!(err.message().contains("users.email"), "{err}");
        // Primary key (an INTEGER PRIMARY KEY alias of the rowid).
        let err = db.exec(insert(Some(1), "new@x")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
        // Composite primary key.
        let org = Value::Uuid(uuid::Uuid::from_u128(1));
        db.insert(
            MEMBERS,
            vec![0, 1, 2],
            vec![vec![org.clone(), Value::I64(1), "a".into()]],
        )
        .await;
        let err = db
            .exec(Operation::Insert(Insert {
                table: MEMBERS,
                columns: vec![0, 1, 2],
                rows: vec![
                    vec![org.clone(), Value::I64(2), "b".into()],
                    vec![org, Value::I64(1), "c".into()],
                ],
                returning: vec![],
            }))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UniqueViolation, "{err}");
        assert!(err.message().contains("memberships"), "{err}");
        assert_eq!(
            db.all(MEMBERS).await.len(),
            1,
            "a failed batch inserts nothing"
        );
        // Update into a duplicate.
        let err = db
            .exec(Operation::Update(Update {
                table: USERS,
                filter: bin(BinaryOp::Eq, c(NAME), v("alice")),
                assignments: vec![(EMAIL, "bob@x".into())],
                arithmetic: Vec::new(),
                returning: false,
            }))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UniqueViolation);
        // NOT NULL.
        let err = db
            .exec(Operation::Update(Update {
                table: USERS,
                filter: Expr::true_(),
                assignments: vec![(NAME, Value::Null)],
                arithmetic: Vec::new(),
                returning: true,
            }))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidValue, "{err}");
        assert!(err.message().contains("users.name"), "{err}");
        // The failed writes changed nothing.
        assert_eq!(db.all(USERS).await.len(), 8);
    }
}

#[tokio::test]
async fn u64_above_i64_max_is_out_of_range() {
    for mut db in both().await {
        let err = db
            .exec(Operation::Select(select(
                TYPES,
                bin(BinaryOp::Eq, c(0), Expr::Value(Value::U64(u64::MAX))),
            )))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ValueOutOfRange);
    }
}

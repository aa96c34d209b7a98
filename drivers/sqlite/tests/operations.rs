//! Every operation through the driver, on an in-memory and a file database.

mod common;

use common::*;
use toasty_core::driver::{
    CreateTable, Delete, DeleteByKey, DropTable, GetByKey, Insert, Operation, QueryPk, Response,
    Update, UpdateByKey,
};
use toasty_core::stmt::{BinaryOp, Expr, PatternOp, Select as Projection};
use toasty_core::{ErrorKind, Value};

fn user(name: &str, email: &str, age: Option<i64>, score: Option<f64>, active: bool) -> Vec<Value> {
    vec![
        name.into(),
        email.into(),
        age.into(),
        score.into(),
        active.into(),
    ]
}

const USER_COLS: [usize; 5] = [NAME, EMAIL, AGE, SCORE, ACTIVE];

async fn seed_users(db: &mut Db) -> Vec<i64> {
    let rows = db
        .rows(Operation::Insert(Insert {
            table: USERS,
            columns: USER_COLS.to_vec(),
            rows: vec![
                user("ann", "ann@x", Some(30), Some(1.5), true),
                user("bob", "bob@x", None, None, false),
                user("cid", "cid@x", Some(20), Some(-2.0), true),
            ],
            returning: vec![ID],
        }))
        .await;
    rows.iter().map(|r| r[0].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn insert_returns_auto_increment_keys_for_single_and_batch() {
    for mut db in both().await {
        let ids = seed_users(&mut db).await;
        assert_eq!(ids, vec![1, 2, 3], "{}", db.label);
        let one = db
            .rows(Operation::Insert(Insert {
                table: USERS,
                columns: USER_COLS.to_vec(),
                rows: vec![user("dee", "dee@x", None, None, true)],
                returning: vec![ID, NAME],
            }))
            .await;
        assert_eq!(one, vec![vec![Value::I64(4), "dee".into()]]);
        // Without returning: the count of inserted rows.
        let n = db
            .count(Operation::Insert(Insert {
                table: USERS,
                columns: USER_COLS.to_vec(),
                rows: vec![
                    user("e", "e@x", None, None, true),
                    user("f", "f@x", None, None, true),
                ],
                returning: vec![],
            }))
            .await;
        assert_eq!(n, 2);
        // An insert of no rows does nothing.
        let none = db
            .exec(Operation::Insert(Insert {
                table: USERS,
                columns: USER_COLS.to_vec(),
                rows: vec![],
                returning: vec![ID],
            }))
            .await
            .unwrap();
        assert_eq!(none, Response::Rows(vec![]));
        assert_eq!(db.all(USERS).await.len(), 6);
    }
}

#[tokio::test]
async fn large_batch_insert_is_split_and_atomic() {
    for mut db in both().await {
        let rows: Vec<Vec<Value>> = (0..12_000i64)
            .map(|i| vec![Value::I64(i), Value::from(format!("s{i}"))])
            .collect();
        let returned = db
            .rows(Operation::Insert(Insert {
                table: TEXTS,
                columns: vec![0, 1],
                rows: rows.clone(),
                returning: vec![0],
            }))
            .await;
        assert_eq!(returned.len(), 12_000);
        assert_eq!(returned[11_999], vec![Value::I64(11_999)]);
        // A duplicate in the last chunk rolls back the earlier chunks too.
        let mut again: Vec<Vec<Value>> = (20_000..32_000i64)
            .map(|i| vec![Value::I64(i), Value::Null])
            .collect();
        again.push(vec![Value::I64(5), Value::Null]);
        let err = db
            .exec(Operation::Insert(Insert {
                table: TEXTS,
                columns: vec![0, 1],
                rows: again,
                returning: vec![],
            }))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::UniqueViolation);
        assert_eq!(db.all(TEXTS).await.len(), 12_000, "{}", db.label);
    }
}

#[tokio::test]
async fn select_update_delete() {
    for mut db in both().await {
        seed_users(&mut db).await;
        let active = Expr::eq(Expr::Column(ACTIVE), Expr::Value(true.into()));
        let rows = db
            .rows(Operation::Select(select(USERS, active.clone())))
            .await;
        assert_eq!(rows.len(), 2);

        let n = db
            .count(Operation::Update(Update {
                table: USERS,
                filter: active.clone(),
                assignments: vec![(SCORE, Value::F64(9.0)), (AGE, Value::Null)],
                arithmetic: Vec::new(),
                returning: false,
            }))
            .await;
        assert_eq!(n, 2);

        let updated = db
            .rows(Operation::Update(Update {
                table: USERS,
                filter: Expr::Pattern {
                    op: PatternOp::StartsWith,
                    expr: Box::new(Expr::Column(NAME)),
                    pattern: "c".into(),
                },
                assignments: vec![(NAME, "cyd".into())],
                arithmetic: Vec::new(),
                returning: true,
            }))
            .await;
        assert_eq!(
            updated,
            vec![vec![
                Value::I64(3),
                "cyd".into(),
                "cid@x".into(),
                Value::Null,
                Value::F64(9.0),
                true.into()
            ]]
        );

        // Update with no assignments changes nothing and counts matches.
        let n = db
            .count(Operation::Update(Update {
                table: USERS,
                filter: Expr::true_(),
                assignments: vec![],
                arithmetic: Vec::new(),
                returning: false,
            }))
            .await;
        assert_eq!(n, 3);

        let n = db
            .count(Operation::Delete(Delete {
                table: USERS,
                filter: Expr::IsNull(Box::new(Expr::Column(AGE))),
            }))
            .await;
        assert_eq!(n, 3);
        assert!(db.all(USERS).await.is_empty());
    }
}

#[tokio::test]
async fn key_value_operations() {
    for mut db in both().await {
        seed_users(&mut db).await;
        let key = |i: i64| vec![Value::I64(i)];
        // Rows in key order; missing keys skipped; duplicates once.
        let rows = db
            .rows(Operation::GetByKey(GetByKey {
                table: USERS,
                keys: vec![key(3), key(99), key(1), key(3)],
            }))
            .await;
        assert_eq!(project(&rows, &[ID]), vec![key(3), key(1)]);
        let none = db
            .rows(Operation::GetByKey(GetByKey {
                table: USERS,
                keys: vec![],
            }))
            .await;
        assert!(none.is_empty());

        let n = db
            .count(Operation::UpdateByKey(UpdateByKey {
                table: USERS,
                keys: vec![key(1), key(2), key(42)],
                assignments: vec![(ACTIVE, false.into())],
            }))
            .await;
        assert_eq!(n, 2);
        let err = db
            .exec(Operation::UpdateByKey(UpdateByKey {
                table: USERS,
                keys: vec![key(1)],
                assignments: vec![(ID, Value::I64(7))],
            }))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Unsupported);

        let n = db
            .count(Operation::DeleteByKey(DeleteByKey {
                table: USERS,
                keys: vec![key(2), key(77)],
            }))
            .await;
        assert_eq!(n, 1);
        assert_eq!(project(&db.all(USERS).await, &[ID]).len(), 2);
    }
}

#[tokio::test]
async fn composite_keys_and_query_pk() {
    for mut db in both().await {
        let org = |n: u128| Value::Uuid(uuid::Uuid::from_u128(n));
        let rows = vec![
            vec![org(1), Value::I64(3), "admin".into()],
            vec![org(1), Value::I64(1), "member".into()],
            vec![org(1), Value::I64(2), "admin".into()],
            vec![org(2), Value::I64(1), "admin".into()],
        ];
        db.insert(MEMBERS, vec![0, 1, 2], rows).await;

        // Partition only: ordered by the sort key.
        let got = db
            .rows(Operation::QueryPk(QueryPk {
                table: MEMBERS,
                index: None,
                partition: org(1),
                sort: None,
            }))
            .await;
        assert_eq!(
            project(&got, &[1]),
            vec![
                vec![Value::I64(1)],
                vec![Value::I64(2)],
                vec![Value::I64(3)]
            ]
        );

        // With a sort-key condition.
        let got = db
            .rows(Operation::QueryPk(QueryPk {
                table: MEMBERS,
                index: None,
                partition: org(1),
                sort: Some(Expr::binary(
                    BinaryOp::Ge,
                    Expr::Column(1),
                    Expr::Value(Value::I64(2)),
                )),
            }))
            .await;
        assert_eq!(
            project(&got, &[1]),
            vec![vec![Value::I64(2)], vec![Value::I64(3)]]
        );

        // Through the (role, user) index: sorted by user, ties by primary key.
        let got = db
            .rows(Operation::QueryPk(QueryPk {
                table: MEMBERS,
                index: Some(0),
                partition: "admin".into(),
                sort: None,
            }))
            .await;
        assert_eq!(
            project(&got, &[0, 1]),
            vec![
                vec![org(2), Value::I64(1)],
                vec![org(1), Value::I64(2)],
                vec![org(1), Value::I64(3)],
            ]
        );

        let rows = db
            .rows(Operation::GetByKey(GetByKey {
                table: MEMBERS,
                keys: vec![
                    vec![org(2), Value::I64(1)],
                    vec![org(1), Value::I64(2)],
                    vec![org(9), Value::I64(2)],
                ],
            }))
            .await;
        assert_eq!(
            project(&rows, &[0, 1]),
            vec![vec![org(2), Value::I64(1)], vec![org(1), Value::I64(2)]]
        );

        let n = db
            .count(Operation::UpdateByKey(UpdateByKey {
                table: MEMBERS,
                keys: vec![vec![org(1), Value::I64(1)]],
                assignments: vec![(2, "owner".into())],
            }))
            .await;
        assert_eq!(n, 1);
        let n = db
            .count(Operation::DeleteByKey(DeleteByKey {
                table: MEMBERS,
                keys: vec![vec![org(1), Value::I64(1)], vec![org(1), Value::I64(3)]],
            }))
            .await;
        assert_eq!(n, 2);
        assert_eq!(db.all(MEMBERS).await.len(), 2);
    }
}

#[tokio::test]
async fn drop_and_recreate_table() {
    for mut db in both().await {
        seed_users(&mut db).await;
        assert_eq!(
            db.count(Operation::DropTable(DropTable { table: USERS }))
                .await,
            0
        );
        // Dropping again is fine (IF EXISTS).
        db.exec(Operation::DropTable(DropTable { table: USERS }))
            .await
            .unwrap();
        let err = db
            .exec(Operation::Select(select(USERS, Expr::true_())))
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Driver);
        assert!(err.message().contains("users"), "{err}");
        db.exec(Operation::CreateTable(CreateTable { table: USERS }))
            .await
            .unwrap();
        // The auto-increment counter starts over with the new table.
        assert_eq!(seed_users(&mut db).await, vec![1, 2, 3]);
    }
}

#[tokio::test]
async fn count_ignores_order_limit_offset() {
    for mut db in both().await {
        seed_users(&mut db).await;
        let op = toasty_core::driver::Select {
            projection: Projection::Count,
            limit: Some(1),
            offset: Some(1),
            ..select(USERS, Expr::true_())
        };
        assert_eq!(db.count(Operation::Select(op)).await, 3);
    }
}

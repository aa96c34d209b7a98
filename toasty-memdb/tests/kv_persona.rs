//! What only the kv persona does: refuse SQL operations, enforce DynamoDB's limits and
//! table shapes, and skip unique secondary indexes.

mod common;
use common::*;
use toasty_core::driver::{CreateTable, Driver, DriverKind, Operation};
use toasty_core::schema::{app, Schema, SchemaOptions};
use toasty_core::stmt::Expr;
use toasty_core::{ErrorKind, Type, Value};
use toasty_memdb::MemDb;

#[tokio::test]
async fn capability_of_kv_persona() {
    let db = MemDb::kv();
    let cap = db.capability();
    assert_eq!(cap.name, "memdb-kv");
    assert_eq!(cap.kind, DriverKind::KeyValue);
    assert!(!cap.auto_increment);
    assert_eq!(cap.max_insert_rows, Some(100));
    assert_eq!(cap.max_get_keys, Some(100));
    assert_eq!(cap.max_write_keys, Some(25));
    assert_eq!(cap.max_key_columns, Some(2));
}

#[tokio::test]
async fn select_update_and_delete_are_unsupported() {
    let mut t = T::new(MemDb::kv()).await;
    t.ok(insert(PAIRS, vec![0], vec![vec![s("a")]])).await;
    for (op, name) in [
        (select(PAIRS, Expr::true_()), "select"),
        (count(PAIRS, Expr::true_()), "select"),
        (
            update(PAIRS, Expr::true_(), vec![(1, v(1i64))], false),
            "update",
        ),
        (delete(PAIRS, Expr::true_()), "delete"),
    ] {
        let e = t.err(op).await;
        assert_kind(&e, ErrorKind::Unsupported);
        assert!(e.message().contains(name), "{e}");
        assert!(e.message().contains("only key and index access"), "{e}");
    }
    // Nothing changed.
    assert_eq!(t.rows(get(PAIRS, vec![vec![s("a")]])).await.len(), 1);
}

fn pair_rows(n: usize) -> Vec<Vec<Value>> {
    (0..n).map(|i| vec![s(&format!("k{i:03}"))]).collect()
}

fn pair_keys(n: usize) -> Vec<Vec<Value>> {
    pair_rows(n)
}

fn assert_limit(e: &toasty_core::Error, limit: &str) {
    assert_kind(e, ErrorKind::Unsupported);
    assert!(e.message().contains("DynamoDB"), "{e}");
    assert!(e.message().contains(limit), "{e}");
    assert!(e.message().contains("must split the batch"), "{e}");
}

#[tokio::test]
async fn insert_is_limited_to_100_rows() {
    let mut t = T::new(MemDb::kv()).await;
    let e = t.err(insert(PAIRS, vec![0], pair_rows(101))).await;
    assert_limit(&e, "TransactWriteItems");
    assert_eq!(t.rows(get(PAIRS, pair_keys(100))).await.len(), 0);
    assert_eq!(t.count(insert(PAIRS, vec![0], pair_rows(100))).await, 100);
    // The sql persona has no limit.
    let mut t = T::new(MemDb::new()).await;
    assert_eq!(t.count(insert(PAIRS, vec![0], pair_rows(500))).await, 500);
}

#[tokio::test]
async fn get_is_limited_to_100_keys() {
    let mut t = T::new(MemDb::kv()).await;
    t.ok(insert(PAIRS, vec![0], pair_rows(100))).await;
    let e = t.err(get(PAIRS, pair_keys(101))).await;
    assert_limit(&e, "BatchGetItem");
    assert_eq!(t.rows(get(PAIRS, pair_keys(100))).await.len(), 100);
}

#[tokio::test]
async fn writes_by_key_are_limited_to_25_keys() {
    let mut t = T::new(MemDb::kv()).await;
    t.ok(insert(PAIRS, vec![0], pair_rows(30))).await;
    let e = t
        .err(update_by_key(PAIRS, pair_keys(26), vec![(1, v(1i64))]))
        .await;
    assert_limit(&e, "25");
    let e = t.err(delete_by_key(PAIRS, pair_keys(26))).await;
    assert_limit(&e, "25");
    assert_eq!(t.rows(get(PAIRS, pair_keys(30))).await.len(), 30);
    assert_eq!(
        t.count(update_by_key(PAIRS, pair_keys(25), vec![(1, v(1i64))]))
            .await,
        25
    );
    assert_eq!(t.count(delete_by_key(PAIRS, pair_keys(25))).await, 25);
    assert_eq!(t.rows(get(PAIRS, pair_keys(30))).await.len(), 5);
}

#[tokio::test]
async fn three_column_primary_key_is_unsupported_on_kv_only() {
    let mut t = T::new(MemDb::kv()).await;
    let e = t
        .err(Operation::CreateTable(CreateTable { table: TRIPLES }))
        .await;
    assert_kind(&e, ErrorKind::Unsupported);
    assert!(e.message().contains("at most 2"), "{e}");
    let mut t = T::new(MemDb::new()).await;
    t.ok(Operation::CreateTable(CreateTable { table: TRIPLES }))
        .await;
}

#[tokio::test]
async fn auto_increment_is_unsupported_on_kv() {
    let mut t = T::new(MemDb::kv()).await;
    let e = t
        .err(Operation::CreateTable(CreateTable { table: USERS }))
        .await;
    assert_kind(&e, ErrorKind::Unsupported);
    assert!(e.message().contains("users.id"), "{e}");
    assert!(e.message().contains("#[auto] on a uuid::Uuid key"), "{e}");
}

#[tokio::test]
async fn three_column_index_is_unsupported_on_kv() {
    let m = model(
        "Wide",
        vec![
            field("id", Type::I64, false),
            field("a", Type::I64, false),
            field("b", Type::I64, false),
            field("c", Type::I64, false),
        ],
        vec![0],
        vec![index(vec![1, 2, 3], false)],
    );
    let schema = Schema::build(vec![m], &SchemaOptions::default()).unwrap();
    let mut conn = MemDb::kv().connect().await.unwrap();
    let e = conn
        .exec(
            &schema.db,
            Operation::CreateTable(CreateTable { table: TableId(0) }),
        )
        .await
        .unwrap_err();
    assert_kind(&e, ErrorKind::Unsupported);
    assert!(e.message().contains("index_wides_by_a_and_b_and_c"), "{e}");
}

#[tokio::test]
async fn kv_rejects_duplicate_primary_keys_but_not_duplicate_unique_values() {
    let mut t = T::new(MemDb::kv()).await;
    t.ok(insert(
        PAIRS,
        vec![0, 1, 2],
        vec![vec![s("p"), v(1i64), s("u")]],
    ))
    .await;
    let e = t
        .err(insert(
            PAIRS,
            vec![0, 1, 2],
            vec![vec![s("p"), v(2i64), s("v")]],
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    let e = t
        .err(insert(PAIRS, vec![0], vec![vec![s("q")], vec![s("q")]]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // The unique index (a, b) is not enforced: DynamoDB cannot.
    t.ok(insert(
        PAIRS,
        vec![0, 1, 2],
        vec![vec![s("r"), v(1i64), s("u")]],
    ))
    .await;
    let rows = t.rows(query(PAIRS, Some(0), v(1i64), None)).await;
    assert_eq!(rows.len(), 2);
}

#[tokio::test]
async fn kv_uuid_keys_work() {
    let mut id = field("id", Type::Uuid, false);
    id.auto = Some(app::Auto::UuidV7);
    let m = model(
        "Doc",
        vec![id, field("body", Type::String, false)],
        vec![0],
        vec![],
    );
    let schema = Schema::build(vec![m], &SchemaOptions::default()).unwrap();
    let mut conn = MemDb::kv().connect().await.unwrap();
    conn.exec(
        &schema.db,
        Operation::CreateTable(CreateTable { table: TableId(0) }),
    )
    .await
    .unwrap();
    let key = Value::Uuid(uuid::Uuid::from_u128(42));
    conn.exec(
        &schema.db,
        insert(TableId(0), vec![0, 1], vec![vec![key.clone(), s("hi")]]),
    )
    .await
    .unwrap();
    let r = conn
        .exec(&schema.db, get(TableId(0), vec![vec![key.clone()]]))
        .await
        .unwrap();
    assert_eq!(
        r,
        toasty_core::driver::Response::Rows(vec![vec![key, s("hi")]])
    );
}

//! CreateTable, DropTable and Insert on the sql persona (plus store sharing).

mod common;
use common::*;
use toasty_core::driver::{CreateTable, Driver, DropTable, Operation, Response};
use toasty_core::{ErrorKind, Value};
use toasty_memdb::MemDb;

#[tokio::test]
async fn capability_of_sql_persona() {
    let db = MemDb::new();
    assert_eq!(db.capability().name, "memdb-sql");
    assert!(db.capability().is_sql());
    assert!(db.capability().auto_increment);
    assert_eq!(db.capability().max_insert_rows, None);
}

#[tokio::test]
async fn create_twice_is_a_driver_error_and_drop_is_idempotent() {
    let mut t = T::new(MemDb::new()).await;
    let e = t
        .err(Operation::CreateTable(CreateTable { table: USERS }))
        .await;
    assert_kind(&e, ErrorKind::Driver);
    assert!(e.message().contains("`users` already exists"), "{e}");

    assert_eq!(
        t.count(Operation::DropTable(DropTable { table: TRIPLES }))
            .await,
        0
    );
    t.ok(Operation::DropTable(DropTable { table: USERS })).await;
    t.ok(Operation::DropTable(DropTable { table: USERS })).await;
    let e = t.err(select(USERS, Expr::true_())).await;
    assert_kind(&e, ErrorKind::Driver);
    assert!(e.message().contains("does not exist"), "{e}");
}

use toasty_core::stmt::Expr;

#[tokio::test]
async fn drop_and_recreate_starts_empty_with_a_fresh_counter() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(USERS, vec![1], vec![vec![s("a")], vec![s("b")]]))
        .await;
    t.ok(Operation::DropTable(DropTable { table: USERS })).await;
    t.ok(Operation::CreateTable(CreateTable { table: USERS }))
        .await;
    assert_eq!(t.all(USERS).await, Vec::<Vec<Value>>::new());
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("c")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(1i64)]]);
}

#[tokio::test]
async fn auto_increment_starts_at_one_and_never_reuses() {
    let mut t = T::new(MemDb::new()).await;
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("a")], vec![s("b")], vec![s("c")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(1i64)], vec![v(2i64)], vec![v(3i64)]]);
    assert_eq!(t.count(delete(USERS, Expr::true_())).await, 3);
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("d")]],
            vec![0, 1],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(4i64), s("d")]]);
}

#[tokio::test]
async fn explicit_auto_value_is_stored_and_the_counter_moves_past_it() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(USERS, vec![0, 1], vec![vec![v(10i64), s("x")]]))
        .await;
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("y")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(11i64)]]);
    // An explicit value below the counter does not move it back.
    t.ok(insert(USERS, vec![0, 1], vec![vec![v(5i64), s("z")]]))
        .await;
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("w")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(12i64)]]);
}

#[tokio::test]
async fn unlisted_columns_are_null_and_count_is_returned() {
    let mut t = T::new(MemDb::new()).await;
    let n = t
        .count(insert(
            USERS,
            vec![1, 3],
            vec![vec![s("a"), v(30i64)], vec![s("b"), NULL]],
        ))
        .await;
    assert_eq!(n, 2);
    assert_eq!(
        t.all(USERS).await,
        vec![user(1, "a", None, Some(30)), user(2, "b", None, None)]
    );
}

#[tokio::test]
async fn returning_follows_insert_order_and_column_order() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(PAIRS, vec![0], vec![vec![s("m")]])).await;
    let rows = t
        .rows(insert_returning(
            PAIRS,
            vec![0, 1],
            vec![vec![s("z"), v(1i64)], vec![s("a"), v(2i64)]],
            vec![1, 0],
        ))
        .await;
    assert_eq!(rows, vec![vec![v(1i64), s("z")], vec![v(2i64), s("a")]]);
}

#[tokio::test]
async fn null_into_non_nullable_column_is_invalid_value() {
    let mut t = T::new(MemDb::new()).await;
    let e = t.err(insert(USERS, vec![1], vec![vec![NULL]])).await;
    assert_kind(&e, ErrorKind::InvalidValue);
    assert!(e.message().contains("users.name"), "{e}");
    // Leaving a non-nullable column out is the same error.
    let e = t.err(insert(USERS, vec![2], vec![vec![s("a@b")]])).await;
    assert_kind(&e, ErrorKind::InvalidValue);
    assert!(e.message().contains("users.name"), "{e}");
    assert_eq!(t.all(USERS).await.len(), 0);
}

#[tokio::test]
async fn values_are_checked_with_type_check() {
    let mut t = T::new(MemDb::new()).await;
    let e = t
        .err(insert(
            USERS,
            vec![1, 3],
            vec![vec![s("a"), v(i64::from(i32::MAX) + 1)]],
        ))
        .await;
    assert_kind(&e, ErrorKind::ValueOutOfRange);
    assert!(e.message().contains("users.age"), "{e}");
    let e = t
        .err(insert(USERS, vec![1, 3], vec![vec![s("a"), s("old")]]))
        .await;
    assert_kind(&e, ErrorKind::InvalidValue);
    let e = t
        .err(insert(
            USERS,
            vec![1, 3],
            vec![vec![s("a"), Value::U64(u64::MAX)]],
        ))
        .await;
    assert_kind(&e, ErrorKind::ValueOutOfRange);
    let e = t.err(insert(USERS, vec![1], vec![vec![v(7i64)]])).await;
    assert_kind(&e, ErrorKind::InvalidValue);
    assert_eq!(t.all(USERS).await.len(), 0);
}

#[tokio::test]
async fn malformed_inserts_are_invalid_statements() {
    let mut t = T::new(MemDb::new()).await;
    let e = t.err(insert(USERS, vec![1, 3], vec![vec![s("a")]])).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t.err(insert(USERS, vec![9], vec![vec![s("a")]])).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t
        .err(insert(USERS, vec![1, 1], vec![vec![s("a"), s("b")]]))
        .await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t
        .err(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("a")]],
            vec![4],
        ))
        .await;
    assert_kind(&e, ErrorKind::InvalidStatement);
}

#[tokio::test]
async fn duplicate_primary_key_against_existing_rows() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(PAIRS, vec![0], vec![vec![s("k")]])).await;
    let e = t
        .err(insert(PAIRS, vec![0], vec![vec![s("j")], vec![s("k")]]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert_eq!(t.all(PAIRS).await, vec![vec![s("k"), NULL, NULL]]);
    // Case matters: "K" is another key.
    t.ok(insert(PAIRS, vec![0], vec![vec![s("K")]])).await;
    assert_eq!(t.all(PAIRS).await.len(), 2);
}

#[tokio::test]
async fn duplicate_primary_key_within_a_batch_writes_nothing() {
    let mut t = T::new(MemDb::new()).await;
    let e = t
        .err(insert(
            PAIRS,
            vec![0],
            vec![vec![s("a")], vec![s("b")], vec![s("a")]],
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert_eq!(t.all(PAIRS).await.len(), 0);
}

#[tokio::test]
async fn failed_insert_does_not_advance_the_counter() {
    let mut t = T::new(MemDb::new()).await;
    let e = t
        .err(insert(
            USERS,
            vec![1, 2],
            vec![vec![s("a"), s("x")], vec![s("b"), s("x")]],
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("c")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(1i64)]]);
}

#[tokio::test]
async fn unique_index_on_sql_persona() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(USERS, vec![1, 2], vec![vec![s("a"), s("a@x")]]))
        .await;
    let e = t
        .err(insert(USERS, vec![1, 2], vec![vec![s("b"), s("a@x")]]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert!(e.message().contains("index_users_by_email"), "{e}");
    // Case-sensitive and no padding: these are different values.
    t.ok(insert(
        USERS,
        vec![1, 2],
        vec![vec![s("c"), s("A@x")], vec![s("d"), s("a@x ")]],
    ))
    .await;
    // NULL never conflicts.
    t.ok(insert(
        USERS,
        vec![1, 2],
        vec![vec![s("e"), NULL], vec![s("f"), NULL]],
    ))
    .await;
    // A non-unique index allows duplicates.
    t.ok(insert(
        USERS,
        vec![1, 3],
        vec![vec![s("g"), v(5i64)], vec![s("h"), v(5i64)]],
    ))
    .await;
    assert_eq!(t.all(USERS).await.len(), 7);
}

#[tokio::test]
async fn composite_unique_index_ignores_entries_with_null() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(
        PAIRS,
        vec![0, 1, 2],
        vec![
            vec![s("1"), v(1i64), NULL],
            vec![s("2"), v(1i64), NULL],
            vec![s("3"), NULL, s("x")],
            vec![s("4"), NULL, s("x")],
            vec![s("5"), v(1i64), s("x")],
            vec![s("6"), v(2i64), s("x")],
        ],
    ))
    .await;
    let e = t
        .err(insert(
            PAIRS,
            vec![0, 1, 2],
            vec![vec![s("7"), v(1i64), s("x")]],
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    let e = t
        .err(insert(
            PAIRS,
            vec![0, 1, 2],
            vec![vec![s("8"), v(9i64), s("y")], vec![s("9"), v(9i64), s("y")]],
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert_eq!(t.all(PAIRS).await.len(), 6);
}

#[tokio::test]
async fn connections_and_clones_share_one_store() {
    let db = MemDb::new();
    let mut a = T::new(db.clone()).await;
    a.ok(insert(PAIRS, vec![0], vec![vec![s("shared")]])).await;
    let mut conn = db.clone().connect().await.unwrap();
    let r = conn
        .exec(&a.schema.db, get(PAIRS, vec![vec![s("shared")]]))
        .await
        .unwrap();
    assert_eq!(r, Response::Rows(vec![vec![s("shared"), NULL, NULL]]));
    // A separate MemDb has its own store.
    let mut other = MemDb::new().connect().await.unwrap();
    let e = other
        .exec(&a.schema.db, get(PAIRS, vec![vec![s("shared")]]))
        .await
        .unwrap_err();
    assert_kind(&e, ErrorKind::Driver);
}

#[tokio::test]
async fn a_table_used_with_another_definition_is_a_driver_error() {
    let mut t = T::new(MemDb::new()).await;
    let mut changed = t.schema.db.clone();
    changed.tables[PAIRS.0].columns[1].nullable = false;
    let e = t
        .conn
        .exec(&changed, get(PAIRS, vec![vec![s("x")]]))
        .await
        .unwrap_err();
    assert_kind(&e, ErrorKind::Driver);
    assert!(e.message().contains("different definition"), "{e}");
}

#[tokio::test]
async fn an_exhausted_counter_is_value_out_of_range() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(USERS, vec![0, 1], vec![vec![v(i64::MAX), s("max")]]))
        .await;
    let e = t.err(insert(USERS, vec![1], vec![vec![s("next")]])).await;
    assert_kind(&e, ErrorKind::ValueOutOfRange);
    assert!(e.message().contains("users.id"), "{e}");
    assert_eq!(t.all(USERS).await.len(), 1);
}

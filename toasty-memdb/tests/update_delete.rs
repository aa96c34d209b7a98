//! Update and Delete by filter on the sql persona.

mod common;
use common::*;
use toasty_core::stmt::{BinaryOp, Expr};
use toasty_core::{ErrorKind, Value};
use toasty_memdb::MemDb;

async fn users() -> T {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(
        USERS,
        vec![1, 2, 3],
        vec![
            vec![s("ann"), s("a@x"), v(30i64)],
            vec![s("bob"), NULL, NULL],
            vec![s("cid"), s("c@x"), v(25i64)],
        ],
    ))
    .await;
    t
}

#[tokio::test]
async fn update_returns_count_of_matched_rows() {
    let mut t = users().await;
    let n = t
        .count(update(
            USERS,
            cmp(BinaryOp::Lt, 3, 99i64),
            vec![(3, v(40i64))],
            false,
        ))
        .await;
    assert_eq!(n, 2);
    assert_eq!(
        t.all(USERS).await,
        vec![
            user(1, "ann", Some("a@x"), Some(40)),
            user(2, "bob", None, None),
            user(3, "cid", Some("c@x"), Some(40)),
        ]
    );
    // Rows that already hold the value still count as matched.
    let n = t
        .count(update(
            USERS,
            cmp(BinaryOp::Eq, 3, 40i64),
            vec![(3, v(40i64))],
            false,
        ))
        .await;
    assert_eq!(n, 2);
    let n = t
        .count(update(
            USERS,
            cmp(BinaryOp::Eq, 3, 1i64),
            vec![(3, v(2i64))],
            false,
        ))
        .await;
    assert_eq!(n, 0);
}

#[tokio::test]
async fn update_returning_gives_full_rows_in_key_order() {
    let mut t = users().await;
    let rows = t
        .rows(update(
            USERS,
            Expr::IsNull(Box::new(col(3))).not(),
            vec![(1, s("z")), (3, NULL)],
            true,
        ))
        .await;
    assert_eq!(
        rows,
        vec![
            user(1, "z", Some("a@x"), None),
            user(3, "z", Some("c@x"), None)
        ]
    );
}

#[tokio::test]
async fn update_checks_values_like_insert() {
    let mut t = users().await;
    let before = t.all(USERS).await;
    let e = t
        .err(update(USERS, Expr::true_(), vec![(1, NULL)], false))
        .await;
    assert_kind(&e, ErrorKind::InvalidValue);
    assert!(e.message().contains("users.name"), "{e}");
    let e = t
        .err(update(
            USERS,
            Expr::true_(),
            vec![(3, v(1i64 << 40))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::ValueOutOfRange);
    let e = t
        .err(update(USERS, Expr::true_(), vec![(3, s("x"))], false))
        .await;
    assert_kind(&e, ErrorKind::InvalidValue);
    let e = t
        .err(update(
            USERS,
            Expr::true_(),
            vec![(3, v(1i64)), (3, v(2i64))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t
        .err(update(USERS, Expr::true_(), vec![(8, v(1i64))], false))
        .await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    assert_eq!(t.all(USERS).await, before);
}

#[tokio::test]
async fn update_unique_index_checked_against_final_state() {
    let mut t = users().await;
    let before = t.all(USERS).await;
    // Two rows would get the same email.
    let e = t
        .err(update(
            USERS,
            cmp(BinaryOp::Ne, 1, "bob"),
            vec![(2, s("same"))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // One row would take another's email.
    let e = t
        .err(update(
            USERS,
            cmp(BinaryOp::Eq, 1, "bob"),
            vec![(2, s("a@x"))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert_eq!(t.all(USERS).await, before);
    // Setting several emails to NULL is fine.
    let n = t
        .count(update(USERS, Expr::true_(), vec![(2, NULL)], false))
        .await;
    assert_eq!(n, 3);
    // Now "a@x" is free again.
    t.ok(update(
        USERS,
        cmp(BinaryOp::Eq, 1, "bob"),
        vec![(2, s("a@x"))],
        false,
    ))
    .await;
}

#[tokio::test]
async fn update_may_move_a_row_to_a_free_primary_key_but_not_onto_another() {
    let mut t = users().await;
    let e = t
        .err(update(
            USERS,
            cmp(BinaryOp::Eq, 0, 1i64),
            vec![(0, v(3i64))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // Two rows moved to the same key.
    let e = t
        .err(update(
            USERS,
            cmp(BinaryOp::Le, 0, 2i64),
            vec![(0, v(9i64))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    let rows = t
        .rows(update(
            USERS,
            cmp(BinaryOp::Eq, 0, 1i64),
            vec![(0, v(7i64))],
            true,
        ))
        .await;
    assert_eq!(rows, vec![user(7, "ann", Some("a@x"), Some(30))]);
    let ids: Vec<Value> = t
        .all(USERS)
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(ids, vec![v(2i64), v(3i64), v(7i64)]);
}

#[tokio::test]
async fn delete_returns_count_and_keeps_the_counter() {
    let mut t = users().await;
    assert_eq!(t.count(delete(USERS, cmp(BinaryOp::Gt, 3, 26i64))).await, 1);
    assert_eq!(t.count(delete(USERS, cmp(BinaryOp::Gt, 3, 26i64))).await, 0);
    assert_eq!(t.count(delete(USERS, Expr::true_())).await, 2);
    assert_eq!(t.all(USERS).await.len(), 0);
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("new")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(4i64)]]);
}

#[tokio::test]
async fn delete_with_a_failing_filter_removes_nothing() {
    let mut t = users().await;
    // Evaluating `name > 1` fails (string vs integer) on the first row.
    let e = t.err(delete(USERS, cmp(BinaryOp::Gt, 1, 1i64))).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    assert_eq!(t.all(USERS).await.len(), 3);
}

#[tokio::test]
async fn assigning_the_auto_column_moves_the_counter_past_it() {
    let mut t = users().await;
    t.ok(update(
        USERS,
        cmp(BinaryOp::Eq, 0, 2i64),
        vec![(0, v(20i64))],
        false,
    ))
    .await;
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("new")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(21i64)]]);
    // A failed update leaves the counter alone.
    let e = t
        .err(update(
            USERS,
            cmp(BinaryOp::Eq, 0, 1i64),
            vec![(0, v(3i64))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // An update that matches nothing does not move it either.
    t.ok(update(
        USERS,
        cmp(BinaryOp::Eq, 0, 99i64),
        vec![(0, v(50i64))],
        false,
    ))
    .await;
    let ids = t
        .rows(insert_returning(
            USERS,
            vec![1],
            vec![vec![s("newer")]],
            vec![0],
        ))
        .await;
    assert_eq!(ids, vec![vec![v(22i64)]]);
}

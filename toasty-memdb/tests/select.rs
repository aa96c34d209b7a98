//! Select and counts on the sql persona.

mod common;
use common::*;
use toasty_core::stmt::{BinaryOp, Direction, Expr, PatternOp};
use toasty_core::{ErrorKind, Value};
use toasty_memdb::MemDb;

/// users: 1 ann 30, 2 bob NULL, 3 cid 25, 4 dan 30, 5 eve NULL
async fn users() -> T {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(
        USERS,
        vec![1, 2, 3],
        vec![
            vec![s("ann"), s("ann@x"), v(30i64)],
            vec![s("bob"), NULL, NULL],
            vec![s("cid"), s("cid@x"), v(25i64)],
            vec![s("dan"), s("Dan@x"), v(30i64)],
            vec![s("eve"), NULL, NULL],
        ],
    ))
    .await;
    t
}

fn ids(rows: &[Vec<Value>]) -> Vec<i64> {
    rows.iter().map(|r| r[0].as_i64().unwrap()).collect()
}

#[tokio::test]
async fn filter_uses_three_valued_logic() {
    let mut t = users().await;
    let r = t.all(USERS).await;
    assert_eq!(ids(&r), vec![1, 2, 3, 4, 5]);
    let r = t.rows(select(USERS, cmp(BinaryOp::Eq, 3, 30i64))).await;
    assert_eq!(ids(&r), vec![1, 4]);
    // NOT (age = 30) excludes the NULL ages as well.
    let r = t
        .rows(select(USERS, cmp(BinaryOp::Eq, 3, 30i64).not()))
        .await;
    assert_eq!(ids(&r), vec![3]);
    let r = t.rows(select(USERS, Expr::IsNull(Box::new(col(3))))).await;
    assert_eq!(ids(&r), vec![2, 5]);
    // Comparing with a NULL literal matches nothing.
    let r = t.rows(select(USERS, cmp(BinaryOp::Ne, 3, NULL))).await;
    assert_eq!(ids(&r), Vec::<i64>::new());
    // IN () matches nothing; NOT IN () every non-NULL value.
    let empty_in = Expr::InList {
        expr: Box::new(col(3)),
        list: vec![],
    };
    assert_eq!(t.rows(select(USERS, empty_in.clone())).await.len(), 0);
    assert_eq!(
        ids(&t.rows(select(USERS, empty_in.not())).await),
        vec![1, 3, 4]
    );
    // Patterns are case-sensitive.
    let pat = Expr::Pattern {
        op: PatternOp::StartsWith,
        expr: Box::new(col(2)),
        pattern: "d".into(),
    };
    assert_eq!(t.rows(select(USERS, pat)).await.len(), 0);
}

#[tokio::test]
async fn order_nulls_first_ascending_last_descending_ties_by_key() {
    let mut t = users().await;
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            vec![(3, Direction::Asc)],
            None,
            None,
        ))
        .await;
    assert_eq!(ids(&r), vec![2, 5, 3, 1, 4]);
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            vec![(3, Direction::Desc)],
            None,
            None,
        ))
        .await;
    assert_eq!(ids(&r), vec![1, 4, 3, 2, 5]);
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            vec![(3, Direction::Desc), (1, Direction::Desc)],
            None,
            None,
        ))
        .await;
    assert_eq!(ids(&r), vec![4, 1, 3, 5, 2]);
    // Strings by byte order: "Dan@x" < "ann@x" < "cid@x"; NULLs first.
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            vec![(2, Direction::Asc)],
            None,
            None,
        ))
        .await;
    assert_eq!(ids(&r), vec![2, 5, 4, 1, 3]);
}

#[tokio::test]
async fn offset_then_limit() {
    let mut t = users().await;
    let order = || vec![(3, Direction::Asc)];
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            order(),
            Some(2),
            Some(1),
        ))
        .await;
    assert_eq!(ids(&r), vec![5, 3]);
    let r = t
        .rows(select_ordered(USERS, Expr::true_(), order(), Some(0), None))
        .await;
    assert_eq!(r.len(), 0);
    let r = t
        .rows(select_ordered(USERS, Expr::true_(), order(), None, Some(4)))
        .await;
    assert_eq!(ids(&r), vec![4]);
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            order(),
            Some(u64::MAX),
            Some(u64::MAX),
        ))
        .await;
    assert_eq!(r.len(), 0);
    // Without order_by: primary-key order, then offset and limit.
    let r = t
        .rows(select_ordered(
            USERS,
            Expr::true_(),
            vec![],
            Some(2),
            Some(2),
        ))
        .await;
    assert_eq!(ids(&r), vec![3, 4]);
}

#[tokio::test]
async fn count_ignores_order_limit_and_offset() {
    let mut t = users().await;
    assert_eq!(t.count(count(USERS, Expr::true_())).await, 5);
    assert_eq!(t.count(count(USERS, cmp(BinaryOp::Ge, 3, 25i64))).await, 3);
    assert_eq!(t.count(count(USERS, cmp(BinaryOp::Gt, 3, 99i64))).await, 0);
}

#[tokio::test]
async fn without_order_rows_come_in_primary_key_order() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(
        PAIRS,
        vec![0],
        vec![
            vec![s("b")],
            vec![s("a")],
            vec![s("B")],
            vec![s("é")],
            vec![s("")],
        ],
    ))
    .await;
    let keys: Vec<Value> = t
        .all(PAIRS)
        .await
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(keys, vec![s(""), s("B"), s("a"), s("b"), s("é")]);
}

#[tokio::test]
async fn bad_selects_are_invalid_statements() {
    let mut t = users().await;
    let e = t
        .err(select_ordered(
            USERS,
            Expr::true_(),
            vec![(7, Direction::Asc)],
            None,
            None,
        ))
        .await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t.err(select(USERS, cmp(BinaryOp::Eq, 1, 3i64))).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t.err(select(USERS, col(1))).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    let e = t.err(select(USERS, Expr::Field(0))).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
}

#[tokio::test]
async fn select_on_a_missing_table_is_a_driver_error() {
    let mut t = T::new(MemDb::new()).await;
    let e = t.err(select(TRIPLES, Expr::true_())).await;
    assert_kind(&e, ErrorKind::Driver);
}

#[tokio::test]
async fn malformed_filters_fail_even_on_an_empty_table() {
    let mut t = T::new(MemDb::new()).await;
    for filter in [Expr::Field(0), cmp(BinaryOp::Eq, 9, 1i64), col(4).not()] {
        let e = t.err(select(USERS, filter.clone())).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        let e = t.err(count(USERS, filter.clone())).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        let e = t.err(update(USERS, filter.clone(), vec![], false)).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        let e = t.err(delete(USERS, filter)).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
    }
}

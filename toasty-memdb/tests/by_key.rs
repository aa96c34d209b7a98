//! GetByKey, QueryPk, UpdateByKey and DeleteByKey, on both personas.

mod common;
use common::*;
use toasty_core::stmt::{BinaryOp, Expr, PatternOp};
use toasty_core::{ErrorKind, Value};
use toasty_memdb::MemDb;

fn personas() -> [MemDb; 2] {
    [MemDb::new(), MemDb::kv()]
}

/// items (owner, seq, title, category, rank):
/// (1,1,"a","x",3) (1,2,"b","x",NULL) (1,3,"c",NULL,1) (2,1,"d","x",1) (1,10,"ab","y",3)
async fn items(db: MemDb) -> T {
    let mut t = T::new(db).await;
    t.ok(insert(
        ITEMS,
        vec![0, 1, 2, 3, 4],
        vec![
            item(1, 1, "a", Some("x"), Some(3)),
            item(1, 2, "b", Some("x"), None),
            item(1, 3, "c", None, Some(1)),
            item(2, 1, "d", Some("x"), Some(1)),
            item(1, 10, "ab", Some("y"), Some(3)),
        ],
    ))
    .await;
    t
}

fn k(owner: i64, seq: i64) -> Vec<Value> {
    vec![v(owner), v(seq)]
}

fn keys_of(rows: &[Vec<Value>]) -> Vec<(i64, i64)> {
    rows.iter()
        .map(|r| (r[0].as_i64().unwrap(), r[1].as_i64().unwrap()))
        .collect()
}

#[tokio::test]
async fn get_by_key_follows_key_order_skips_missing_and_dedups() {
    for db in personas() {
        let mut t = items(db).await;
        let rows = t
            .rows(get(
                ITEMS,
                vec![k(2, 1), k(9, 9), k(1, 1), k(2, 1), k(1, 3)],
            ))
            .await;
        assert_eq!(
            rows,
            vec![
                item(2, 1, "d", Some("x"), Some(1)),
                item(1, 1, "a", Some("x"), Some(3)),
                item(1, 3, "c", None, Some(1)),
            ]
        );
        assert_eq!(t.rows(get(ITEMS, vec![])).await.len(), 0);
        assert_eq!(t.rows(get(ITEMS, vec![vec![v(1i64), NULL]])).await.len(), 0);
        let e = t.err(get(ITEMS, vec![vec![v(1i64)]])).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
    }
}

#[tokio::test]
async fn query_primary_key_partition_ordered_by_sort_key() {
    for db in personas() {
        let mut t = items(db).await;
        let rows = t.rows(query(ITEMS, None, v(1i64), None)).await;
        assert_eq!(keys_of(&rows), vec![(1, 1), (1, 2), (1, 3), (1, 10)]);
        let rows = t.rows(query(ITEMS, None, v(3i64), None)).await;
        assert_eq!(rows.len(), 0);
        let rows = t.rows(query(ITEMS, None, NULL, None)).await;
        assert_eq!(rows.len(), 0);
    }
}

#[tokio::test]
async fn query_sort_key_conditions() {
    for db in personas() {
        let mut t = items(db).await;
        let q = |sort| query(ITEMS, None, v(1i64), Some(sort));
        let r = t.rows(q(cmp(BinaryOp::Ge, 1, 2i64))).await;
        assert_eq!(keys_of(&r), vec![(1, 2), (1, 3), (1, 10)]);
        let r = t.rows(q(cmp(BinaryOp::Eq, 1, 3i64))).await;
        assert_eq!(keys_of(&r), vec![(1, 3)]);
        // Literal on the left: 3 > seq.
        let r = t
            .rows(q(Expr::binary(BinaryOp::Gt, lit(3i64), col(1))))
            .await;
        assert_eq!(keys_of(&r), vec![(1, 1), (1, 2)]);
        let range = cmp(BinaryOp::Gt, 1, 1i64).and(cmp(BinaryOp::Le, 1, 10i64));
        let r = t.rows(q(range)).await;
        assert_eq!(keys_of(&r), vec![(1, 2), (1, 3), (1, 10)]);
        // A NULL literal matches nothing.
        let r = t.rows(q(cmp(BinaryOp::Lt, 1, NULL))).await;
        assert_eq!(r.len(), 0);
    }
}

#[tokio::test]
async fn query_rejects_conditions_dynamodb_cannot_express() {
    for db in personas() {
        let mut t = items(db).await;
        let q = |sort| query(ITEMS, None, v(1i64), Some(sort));
        let bad = vec![
            cmp(BinaryOp::Ne, 1, 2i64),
            cmp(BinaryOp::Eq, 2, "a"),
            cmp(BinaryOp::Eq, 1, 1i64).or(cmp(BinaryOp::Eq, 1, 2i64)),
            cmp(BinaryOp::Eq, 1, 1i64).not(),
            Expr::IsNull(Box::new(col(1))),
            Expr::InList {
                expr: Box::new(col(1)),
                list: vec![v(1i64)],
            },
            Expr::And(vec![
                cmp(BinaryOp::Gt, 1, 1i64),
                cmp(BinaryOp::Lt, 1, 5i64),
                cmp(BinaryOp::Lt, 1, 4i64),
            ]),
            Expr::And(vec![cmp(BinaryOp::Gt, 1, 1i64)]),
            Expr::binary(BinaryOp::Eq, col(1), col(0)),
            Expr::Pattern {
                op: PatternOp::EndsWith,
                expr: Box::new(col(1)),
                pattern: "1".into(),
            },
        ];
        for sort in bad {
            let e = t.err(q(sort.clone())).await;
            assert_kind(&e, ErrorKind::Unsupported);
            assert!(e.message().contains("key condition"), "{sort:?}: {e}");
        }
    }
}

#[tokio::test]
async fn query_index_is_sparse_and_ordered_by_index_sort_key() {
    for db in personas() {
        let mut t = items(db).await;
        // index 0 = (category, rank): (1,2) has rank NULL and (1,3) category NULL.
        let r = t.rows(query(ITEMS, Some(0), s("x"), None)).await;
        assert_eq!(keys_of(&r), vec![(2, 1), (1, 1)]);
        let r = t
            .rows(query(
                ITEMS,
                Some(0),
                s("x"),
                Some(cmp(BinaryOp::Gt, 4, 1i64)),
            ))
            .await;
        assert_eq!(keys_of(&r), vec![(1, 1)]);
        let r = t.rows(query(ITEMS, Some(0), NULL, None)).await;
        assert_eq!(r.len(), 0);
        // index 1 = (title): no sort key.
        let r = t.rows(query(ITEMS, Some(1), s("ab"), None)).await;
        assert_eq!(keys_of(&r), vec![(1, 10)]);
        let r = t.rows(query(ITEMS, Some(1), s("A"), None)).await;
        assert_eq!(r.len(), 0);
        let e = t
            .err(query(
                ITEMS,
                Some(1),
                s("a"),
                Some(cmp(BinaryOp::Eq, 2, "a")),
            ))
            .await;
        assert_kind(&e, ErrorKind::Unsupported);
        assert!(e.message().contains("no sort column"), "{e}");
        let e = t.err(query(ITEMS, Some(5), s("a"), None)).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
    }
}

#[tokio::test]
async fn query_starts_with_on_a_string_sort_key() {
    for db in personas() {
        let mut t = T::new(db).await;
        // pairs' unique index (a, b) has a string sort key b.
        t.ok(insert(
            PAIRS,
            vec![0, 1, 2],
            vec![
                vec![s("1"), v(7i64), s("ab")],
                vec![s("2"), v(7i64), s("a%")],
                vec![s("3"), v(7i64), s("b")],
                vec![s("4"), v(7i64), s("A")],
                vec![s("5"), v(8i64), s("abc")],
                vec![s("6"), v(7i64), s("abc")],
            ],
        ))
        .await;
        let sw = |p: &str| Expr::Pattern {
            op: PatternOp::StartsWith,
            expr: Box::new(col(2)),
            pattern: p.into(),
        };
        let r = t.rows(query(PAIRS, Some(0), v(7i64), Some(sw("a")))).await;
        let ids: Vec<Value> = r.iter().map(|r| r[0].clone()).collect();
        assert_eq!(ids, vec![s("2"), s("1"), s("6")]);
        let r = t.rows(query(PAIRS, Some(0), v(7i64), Some(sw("a%")))).await;
        assert_eq!(r.len(), 1);
        let r = t.rows(query(PAIRS, Some(0), v(7i64), None)).await;
        let ids: Vec<Value> = r.iter().map(|r| r[0].clone()).collect();
        assert_eq!(ids, vec![s("4"), s("2"), s("1"), s("6"), s("3")]);
    }
}

#[tokio::test]
async fn update_by_key_skips_missing_keys_and_counts_once() {
    for db in personas() {
        let mut t = items(db).await;
        let n = t
            .count(update_by_key(
                ITEMS,
                vec![k(1, 1), k(9, 9), k(1, 1), k(2, 1)],
                vec![(2, s("new")), (4, NULL)],
            ))
            .await;
        assert_eq!(n, 2);
        let rows = t.rows(get(ITEMS, vec![k(1, 1), k(2, 1), k(1, 2)])).await;
        assert_eq!(
            rows,
            vec![
                item(1, 1, "new", Some("x"), None),
                item(2, 1, "new", Some("x"), None),
                item(1, 2, "b", Some("x"), None),
            ]
        );
        assert_eq!(
            t.count(update_by_key(ITEMS, vec![], vec![(2, s("z"))]))
                .await,
            0
        );
    }
}

#[tokio::test]
async fn update_by_key_rejects_key_columns_and_bad_values() {
    for db in personas() {
        let mut t = items(db).await;
        let e = t
            .err(update_by_key(ITEMS, vec![k(1, 1)], vec![(1, v(5i64))]))
            .await;
        assert_kind(&e, ErrorKind::Unsupported);
        assert!(e.message().contains("items.seq"), "{e}");
        let e = t
            .err(update_by_key(ITEMS, vec![k(1, 1)], vec![(2, NULL)]))
            .await;
        assert_kind(&e, ErrorKind::InvalidValue);
        let e = t
            .err(update_by_key(ITEMS, vec![k(1, 1)], vec![(4, s("x"))]))
            .await;
        assert_kind(&e, ErrorKind::InvalidValue);
        let e = t
            .err(update_by_key(ITEMS, vec![vec![v(1i64)]], vec![(2, s("x"))]))
            .await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        let rows = t.rows(get(ITEMS, vec![k(1, 1)])).await;
        assert_eq!(rows, vec![item(1, 1, "a", Some("x"), Some(3))]);
    }
}

#[tokio::test]
async fn update_by_key_unique_index_sql_only() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(
        PAIRS,
        vec![0, 1, 2],
        vec![vec![s("p"), v(1i64), s("u")], vec![s("q"), v(2i64), s("u")]],
    ))
    .await;
    let e = t
        .err(update_by_key(PAIRS, vec![vec![s("q")]], vec![(1, v(1i64))]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);

    let mut t = T::new(MemDb::kv()).await;
    t.ok(insert(
        PAIRS,
        vec![0, 1, 2],
        vec![vec![s("p"), v(1i64), s("u")], vec![s("q"), v(2i64), s("u")]],
    ))
    .await;
    let n = t
        .count(update_by_key(PAIRS, vec![vec![s("q")]], vec![(1, v(1i64))]))
        .await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn delete_by_key_counts_removed_rows() {
    for db in personas() {
        let mut t = items(db).await;
        let n = t
            .count(delete_by_key(
                ITEMS,
                vec![k(1, 1), k(9, 9), k(1, 1), k(1, 10)],
            ))
            .await;
        assert_eq!(n, 2);
        let r = t.rows(query(ITEMS, None, v(1i64), None)).await;
        assert_eq!(keys_of(&r), vec![(1, 2), (1, 3)]);
        assert_eq!(t.count(delete_by_key(ITEMS, vec![k(1, 1)])).await, 0);
        let e = t.err(delete_by_key(ITEMS, vec![vec![v(1i64)]])).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
    }
}

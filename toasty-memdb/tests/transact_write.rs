//! `TransactWrite` on both personas: all or nothing, conditions, claims and limits.

mod common;
use common::*;
use toasty_core::driver::{CreateTable, DropTable, Operation, WriteItem};
use toasty_core::{ErrorKind, Value};
use toasty_memdb::MemDb;

/// A pairs row: (id, a, b).
fn p(id: &str, a: Option<i64>, b: Option<&str>) -> Vec<Value> {
    vec![s(id), v(a), b.map(s).unwrap_or(NULL)]
}

fn key(id: &str) -> Vec<Value> {
    vec![s(id)]
}

fn claim_ab(a: i64, b: &str, id: &str) -> WriteItem {
    claim(PAIRS, 0, vec![v(a), s(b)], key(id))
}

fn release_ab(a: i64, b: &str, id: &str) -> WriteItem {
    release(PAIRS, 0, vec![v(a), s(b)], key(id))
}

async fn pairs(t: &mut T, ids: &[&str]) -> Vec<Vec<Value>> {
    t.rows(get(PAIRS, ids.iter().map(|id| key(id)).collect()))
        .await
}

/// Both personas, each with pairs `x` = (x, 1, "one") claiming (1, "one"), `y` = (y)
/// and `v` = (v).
async fn seeded() -> Vec<T> {
    let mut all = Vec::new();
    for db in [MemDb::kv(), MemDb::new()] {
        let mut t = T::new(db).await;
        t.ok(transact(vec![
            put(PAIRS, p("x", Some(1), Some("one"))),
            claim_ab(1, "one", "x"),
            put(PAIRS, p("y", None, None)),
            put(PAIRS, p("v", None, None)),
        ]))
        .await;
        all.push(t);
    }
    all
}

#[tokio::test]
async fn puts_claims_updates_and_deletes_apply_together() {
    for mut t in seeded().await {
        let n = t
            .count(transact(vec![
                put(PAIRS, p("z", Some(2), Some("two"))),
                claim_ab(2, "two", "z"),
                put_update(
                    PAIRS,
                    key("y"),
                    p("y", None, None),
                    vec![(1, v(3i64)), (2, s("three"))],
                ),
                claim_ab(3, "three", "y"),
                put_delete(PAIRS, key("x"), p("x", Some(1), Some("one"))),
                release_ab(1, "one", "x"),
            ]))
            .await;
        assert_eq!(n, 6);
        assert_eq!(
            pairs(&mut t, &["x", "y", "z"]).await,
            vec![p("y", Some(3), Some("three")), p("z", Some(2), Some("two"))]
        );
        // (1, "one") is free again; (2, "two") is held by z.
        t.ok(transact(vec![claim_ab(1, "one", "w")])).await;
        let e = t.err(transact(vec![claim_ab(2, "two", "w")])).await;
        assert_kind(&e, ErrorKind::UniqueViolation);
    }
}

#[tokio::test]
async fn empty_write_does_nothing() {
    for mut t in seeded().await {
        assert_eq!(t.count(transact(vec![])).await, 0);
    }
}

/// Items that succeed on the seeded store, to put in front of a failing one.
fn good_items() -> Vec<WriteItem> {
    vec![
        put(PAIRS, p("new", Some(5), Some("five"))),
        claim_ab(5, "five", "new"),
        put_update(PAIRS, key("y"), p("y", None, None), vec![(1, v(9i64))]),
        put_delete(PAIRS, key("x"), p("x", Some(1), Some("one"))),
        release_ab(1, "one", "x"),
    ]
}

async fn assert_unchanged(t: &mut T) {
    assert_eq!(
        pairs(t, &["x", "y", "new"]).await,
        vec![p("x", Some(1), Some("one")), p("y", None, None)]
    );
    // x still holds (1, "one"); (5, "five") was not claimed.
    assert_kind(
        &t.err(transact(vec![claim_ab(1, "one", "other")])).await,
        ErrorKind::UniqueViolation,
    );
    t.ok(transact(vec![claim_ab(5, "five", "other")])).await;
    t.ok(transact(vec![release_ab(5, "five", "other")])).await;
}

#[tokio::test]
async fn a_failing_item_of_each_kind_writes_nothing() {
    let failing: Vec<(WriteItem, ErrorKind)> = vec![
        // Put of an existing key.
        (put(PAIRS, p("v", None, None)), ErrorKind::UniqueViolation),
        // Update of a row that changed.
        (
            put_update(PAIRS, key("v"), p("v", Some(2), None), vec![(1, v(0i64))]),
            ErrorKind::SerializationFailure,
        ),
        // Update of a missing row.
        (
            put_update(
                PAIRS,
                key("gone"),
                p("gone", None, None),
                vec![(1, v(0i64))],
            ),
            ErrorKind::SerializationFailure,
        ),
        // Delete of a row that changed.
        (
            put_delete(PAIRS, key("v"), p("v", Some(1), None)),
            ErrorKind::SerializationFailure,
        ),
        // Delete of a missing row.
        (
            put_delete(PAIRS, key("zz"), p("zz", None, None)),
            ErrorKind::SerializationFailure,
        ),
        // Claim of a value another key holds.
        (claim_ab(1, "one", "new2"), ErrorKind::UniqueViolation),
        // Release on an index that is not unique: malformed.
        (
            release(ITEMS, 0, vec![s("c"), v(1i64)], vec![v(1i64), v(1i64)]),
            ErrorKind::InvalidStatement,
        ),
    ];
    for (item, kind) in failing {
        for mut t in seeded().await {
            let mut items = good_items();
            // The failing claim must not collide with good_items' release of (1, "one").
            if kind == ErrorKind::UniqueViolation && matches!(item, WriteItem::Claim { .. }) {
                items.pop();
            }
            items.push(item.clone());
            let e = t.err(transact(items)).await;
            assert_kind(&e, kind);
            assert_unchanged(&mut t).await;
        }
    }
}

#[tokio::test]
async fn the_first_failing_item_decides_the_error() {
    for mut t in seeded().await {
        let e = t
            .err(transact(vec![
                put_delete(PAIRS, key("y"), p("y", Some(1), None)),
                put(PAIRS, p("x", None, None)),
            ]))
            .await;
        assert_kind(&e, ErrorKind::SerializationFailure);
        let e = t
            .err(transact(vec![
                put(PAIRS, p("x", None, None)),
                put_delete(PAIRS, key("y"), p("y", Some(1), None)),
            ]))
            .await;
        assert_kind(&e, ErrorKind::UniqueViolation);
    }
}

#[tokio::test]
async fn expect_mismatch_is_a_serialization_failure() {
    for mut t in seeded().await {
        // Another writer changed y after it was read as (y, NULL, NULL).
        t.ok(transact(vec![put_update(
            PAIRS,
            key("y"),
            p("y", None, None),
            vec![(2, s("changed"))],
        )]))
        .await;
        let e = t
            .err(transact(vec![put_update(
                PAIRS,
                key("y"),
                p("y", None, None),
                vec![(1, v(1i64))],
            )]))
            .await;
        assert_kind(&e, ErrorKind::SerializationFailure);
        assert!(e.message().contains("changed since it was read"), "{e}");
        assert!(e.message().contains("`pairs`"), "{e}");
        assert!(e.message().contains("retry"), "{e}");
        let e = t
            .err(transact(vec![put_delete(
                PAIRS,
                key("y"),
                p("y", None, None),
            )]))
            .await;
        assert_kind(&e, ErrorKind::SerializationFailure);
        assert_eq!(
            pairs(&mut t, &["y"]).await,
            vec![p("y", None, Some("changed"))]
        );
        // With the current row as expect, both work.
        t.ok(transact(vec![put_delete(
            PAIRS,
            key("y"),
            p("y", None, Some("changed")),
        )]))
        .await;
        assert!(pairs(&mut t, &["y"]).await.is_empty());
        // A deleted row fails the condition too.
        let e = t
            .err(transact(vec![put_delete(
                PAIRS,
                key("y"),
                p("y", None, Some("changed")),
            )]))
            .await;
        assert_kind(&e, ErrorKind::SerializationFailure);
        assert!(e.message().contains("no longer exists"), "{e}");
    }
}

#[tokio::test]
async fn claims_conflict_between_keys() {
    for mut t in seeded().await {
        let e = t.err(transact(vec![claim_ab(1, "one", "y")])).await;
        assert_kind(&e, ErrorKind::UniqueViolation);
        assert!(e.message().contains("(a, b)"), "{e}");
        assert!(e.message().contains("`pairs`"), "{e}");
        // Claiming what you hold is fine.
        t.ok(transact(vec![claim_ab(1, "one", "x")])).await;
        // Another value of the same index, or the same value in another column order, is
        // a different claim.
        t.ok(transact(vec![claim_ab(1, "uno", "y")])).await;
        t.ok(transact(vec![claim_ab(2, "one", "y")])).await;
    }
}

#[tokio::test]
async fn release_then_reclaim() {
    for mut t in seeded().await {
        // Releasing by a key that does not hold the value does nothing.
        t.ok(transact(vec![release_ab(1, "one", "y")])).await;
        assert_kind(
            &t.err(transact(vec![claim_ab(1, "one", "y")])).await,
            ErrorKind::UniqueViolation,
        );
        // Releasing a value nobody holds does nothing either.
        t.ok(transact(vec![release_ab(7, "seven", "y")])).await;
        // The holder releases it; now y can claim it.
        t.ok(transact(vec![release_ab(1, "one", "x")])).await;
        t.ok(transact(vec![claim_ab(1, "one", "y")])).await;
        assert_kind(
            &t.err(transact(vec![claim_ab(1, "one", "x")])).await,
            ErrorKind::UniqueViolation,
        );
    }
}

#[tokio::test]
async fn claims_are_dropped_with_the_table() {
    for mut t in seeded().await {
        t.ok(Operation::DropTable(DropTable { table: PAIRS })).await;
        t.ok(Operation::CreateTable(CreateTable { table: PAIRS }))
            .await;
        t.ok(transact(vec![claim_ab(1, "one", "y")])).await;
    }
}

#[tokio::test]
async fn malformed_claims_are_invalid_statements() {
    for mut t in seeded().await {
        for item in [
            // ITEMS has no unique index.
            claim(ITEMS, 0, vec![s("c"), v(1i64)], vec![v(1i64), v(1i64)]),
            // Out of range.
            claim(PAIRS, 3, vec![v(1i64), s("one")], key("y")),
            // Wrong arity.
            claim(PAIRS, 0, vec![v(1i64)], key("y")),
            release(PAIRS, 0, vec![v(1i64)], key("y")),
            // NULL is never claimed.
            claim(PAIRS, 0, vec![v(1i64), NULL], key("y")),
            // Wrong key arity.
            claim(PAIRS, 0, vec![v(1i64), s("x")], vec![]),
        ] {
            let e = t.err(transact(vec![item])).await;
            assert_kind(&e, ErrorKind::InvalidStatement);
        }
        // A value that does not fit its column.
        let e = t
            .err(transact(vec![claim(
                PAIRS,
                0,
                vec![s("1"), s("one")],
                key("y"),
            )]))
            .await;
        assert_kind(&e, ErrorKind::InvalidValue);
    }
}

#[tokio::test]
async fn the_same_row_or_claim_twice_is_refused() {
    for mut t in seeded().await {
        for items in [
            vec![
                put_update(PAIRS, key("y"), p("y", None, None), vec![(1, v(1i64))]),
                put_delete(PAIRS, key("y"), p("y", None, None)),
            ],
            vec![
                put_delete(PAIRS, key("y"), p("y", None, None)),
                put(PAIRS, p("y", None, None)),
            ],
            vec![
                put(PAIRS, p("n", None, None)),
                put_delete(PAIRS, key("n"), p("n", None, None)),
            ],
            vec![release_ab(1, "one", "x"), claim_ab(1, "one", "y")],
            vec![claim_ab(1, "one", "x"), claim_ab(1, "one", "x")],
            vec![claim_ab(8, "eight", "y"), release_ab(8, "eight", "y")],
        ] {
            let e = t.err(transact(items)).await;
            assert_kind(&e, ErrorKind::InvalidStatement);
            assert!(e.message().contains("each"), "{e}");
            assert!(e.message().contains("may appear once"), "{e}");
        }
        // Two puts of one key, or two claims of one value by different keys, are the
        // unique violations they would be one after the other.
        let e = t
            .err(transact(vec![
                put(PAIRS, p("n", None, None)),
                put(PAIRS, p("n", Some(1), None)),
            ]))
            .await;
        assert_kind(&e, ErrorKind::UniqueViolation);
        let e = t
            .err(transact(vec![
                claim_ab(8, "eight", "m"),
                claim_ab(8, "eight", "n"),
            ]))
            .await;
        assert_kind(&e, ErrorKind::UniqueViolation);
        assert_unchanged(&mut t).await;
    }
}

#[tokio::test]
async fn updates_are_checked_like_updates_by_key() {
    for mut t in seeded().await {
        let e = t
            .err(transact(vec![put_update(
                PAIRS,
                key("y"),
                p("y", None, None),
                vec![(0, s("z"))],
            )]))
            .await;
        assert_kind(&e, ErrorKind::Unsupported);
        assert!(e.message().contains("pairs.id"), "{e}");
        let e = t
            .err(transact(vec![put_update(
                PAIRS,
                key("y"),
                p("y", None, None),
                vec![(1, s("not a number"))],
            )]))
            .await;
        assert_kind(&e, ErrorKind::InvalidValue);
        let e = t
            .err(transact(vec![put_update(
                PAIRS,
                key("y"),
                p("y", None, None),
                vec![(1, v(1i64)), (1, v(2i64))],
            )]))
            .await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        let e = t
            .err(transact(vec![put_update(
                PAIRS,
                key("y"),
                vec![s("y")],
                vec![(1, v(1i64))],
            )]))
            .await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        // Puts are checked like inserts.
        let e = t
            .err(transact(vec![put(
                ITEMS,
                vec![v(1i64), v(1i64), NULL, NULL, NULL],
            )]))
            .await;
        assert_kind(&e, ErrorKind::InvalidValue);
        assert!(e.message().contains("items.title"), "{e}");
        let e = t.err(transact(vec![put(PAIRS, vec![s("short")])])).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        assert_unchanged(&mut t).await;
    }
}

#[tokio::test]
async fn a_write_across_tables_is_atomic() {
    for mut t in seeded().await {
        let e = t
            .err(transact(vec![
                put(PAIRS, p("new", None, None)),
                put(ITEMS, item(1, 1, "a", None, None)),
                put(ITEMS, item(1, 1, "b", None, None)),
            ]))
            .await;
        assert_kind(&e, ErrorKind::UniqueViolation);
        assert!(pairs(&mut t, &["new"]).await.is_empty());
        assert!(t
            .rows(get(ITEMS, vec![vec![v(1i64), v(1i64)]]))
            .await
            .is_empty());
        t.ok(transact(vec![
            put(PAIRS, p("new", None, None)),
            put(ITEMS, item(1, 1, "a", None, None)),
        ]))
        .await;
        assert_eq!(
            t.rows(get(ITEMS, vec![vec![v(1i64), v(1i64)]])).await,
            vec![item(1, 1, "a", None, None)]
        );
    }
}

#[tokio::test]
async fn kv_persona_takes_at_most_100_items() {
    let rows = |n: usize| -> Vec<WriteItem> {
        (0..n)
            .map(|i| put(PAIRS, p(&format!("k{i:03}"), None, None)))
            .collect()
    };
    let mut t = T::new(MemDb::kv()).await;
    let e = t.err(transact(rows(101))).await;
    assert_kind(&e, ErrorKind::Unsupported);
    assert!(e.message().contains("TransactWriteItems"), "{e}");
    assert!(e.message().contains("100"), "{e}");
    assert!(e.message().contains("memdb-kv"), "{e}");
    assert!(pairs(&mut t, &["k000"]).await.is_empty());
    assert_eq!(t.count(transact(rows(100))).await, 100);
    // The sql persona has no limit.
    let mut t = T::new(MemDb::new()).await;
    assert_eq!(t.count(transact(rows(101))).await, 101);
}

#[tokio::test]
async fn kv_persona_enforces_unique_indexes_only_through_claims() {
    let mut t = T::new(MemDb::kv()).await;
    // Rows alone do not conflict (DynamoDB has no unique secondary indexes)...
    t.ok(transact(vec![
        put(PAIRS, p("a", Some(1), Some("one"))),
        put(PAIRS, p("b", Some(1), Some("one"))),
    ]))
    .await;
    // ...their claims do.
    t.ok(transact(vec![
        put(PAIRS, p("c", Some(2), Some("two"))),
        claim_ab(2, "two", "c"),
    ]))
    .await;
    let e = t
        .err(transact(vec![
            put(PAIRS, p("d", Some(2), Some("two"))),
            claim_ab(2, "two", "d"),
        ]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert!(pairs(&mut t, &["d"]).await.is_empty());
}

#[tokio::test]
async fn sql_persona_checks_unique_indexes_on_puts_and_updates() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(transact(vec![put(
        USERS,
        user(5, "ann", Some("a@x"), None),
    )]))
    .await;
    let e = t
        .err(transact(vec![put(
            USERS,
            user(6, "bob", Some("a@x"), None),
        )]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    t.ok(transact(vec![put(
        USERS,
        user(6, "bob", Some("b@x"), None),
    )]))
    .await;
    let e = t
        .err(transact(vec![put_update(
            USERS,
            vec![v(6i64)],
            user(6, "bob", Some("b@x"), None),
            vec![(2, s("a@x"))],
        )]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // A swap inside one write is checked on the final rows, so it is fine.
    t.ok(transact(vec![
        put_update(
            USERS,
            vec![v(5i64)],
            user(5, "ann", Some("a@x"), None),
            vec![(2, s("b@x"))],
        ),
        put_update(
            USERS,
            vec![v(6i64)],
            user(6, "bob", Some("b@x"), None),
            vec![(2, s("a@x"))],
        ),
    ]))
    .await;
    // A put with an explicit auto-increment value moves the counter past it.
    t.ok(insert(USERS, vec![1], vec![vec![s("cid")]])).await;
    assert_eq!(
        t.all(USERS).await,
        vec![
            user(5, "ann", Some("b@x"), None),
            user(6, "bob", Some("a@x"), None),
            user(7, "cid", None, None),
        ]
    );
}

fn transfer_ab(a: i64, b: &str, from: &str, to: &str) -> WriteItem {
    WriteItem::Transfer {
        table: PAIRS,
        index: 0,
        values: vec![v(a), s(b)],
        from: key(from),
        to: key(to),
    }
}

#[tokio::test]
async fn transfer_hands_a_claim_to_another_key() {
    for mut t in seeded().await {
        // x holds (1, "one"): after the transfer y does, and x cannot claim it back.
        t.ok(transact(vec![transfer_ab(1, "one", "x", "y")])).await;
        assert_kind(
            &t.err(transact(vec![claim_ab(1, "one", "x")])).await,
            ErrorKind::UniqueViolation,
        );
        t.ok(transact(vec![claim_ab(1, "one", "y")])).await;
        // A transfer of a free value claims it; one held by a third key is refused.
        t.ok(transact(vec![transfer_ab(5, "five", "x", "v")])).await;
        let e = t.err(transact(vec![transfer_ab(1, "one", "x", "v")])).await;
        assert_kind(&e, ErrorKind::UniqueViolation);
        // A transfer and another item on the same claim are refused.
        let e = t
            .err(transact(vec![
                transfer_ab(1, "one", "y", "v"),
                release_ab(1, "one", "y"),
            ]))
            .await;
        assert_kind(&e, ErrorKind::InvalidStatement);
    }
}

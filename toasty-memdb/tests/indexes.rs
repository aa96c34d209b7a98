//! The secondary-index maps only make lookups faster: after every kind of write, a
//! filter or a query through an index returns exactly what a scan of all rows returns,
//! and unique indexes see values freed and taken by updates, deletes and rollbacks.

mod common;
use common::*;
use toasty_core::driver::TransactionOp;
use toasty_core::stmt::{BinaryOp, Expr};
use toasty_core::{ErrorKind, Value};
use toasty_memdb::MemDb;

const CATEGORIES: [Option<&str>; 4] = [Some("a"), Some("b"), Some("c"), None];
const RANKS: [Option<i64>; 3] = [Some(1), Some(2), None];
const TITLES: [&str; 3] = ["x", "y", "z"];

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn and(a: Expr, b: Expr) -> Expr {
    Expr::And(vec![a, b])
}

fn in_list(c: usize, values: Vec<Value>) -> Expr {
    Expr::InList {
        expr: Box::new(col(c)),
        list: values,
    }
}

/// Rows of `all` for which `keep` holds, in primary-key order (what a scan returns).
fn scan(all: &[Vec<Value>], keep: impl Fn(&[Value]) -> bool) -> Vec<Vec<Value>> {
    all.iter().filter(|r| keep(r)).cloned().collect()
}

async fn check_lookups(t: &mut T) {
    let all = t.all(ITEMS).await;
    for cat in CATEGORIES.iter().flatten() {
        let want = scan(&all, |r| r[3] == s(cat));
        assert_eq!(
            t.rows(select(ITEMS, cmp(BinaryOp::Eq, 3, s(cat)))).await,
            want
        );
        // The kv query on index 0 (category, rank): ordered by rank, ties by key.
        let mut by_rank = scan(&all, |r| r[3] == s(cat) && !r[4].is_null());
        by_rank.sort_by(|a, b| a[4].sort_cmp(&b[4]));
        assert_eq!(t.rows(query(ITEMS, Some(0), s(cat), None)).await, by_rank);
        for rank in RANKS.iter().flatten() {
            let want = scan(&all, |r| r[3] == s(cat) && r[4] == v(*rank));
            let filter = and(cmp(BinaryOp::Eq, 4, *rank), cmp(BinaryOp::Eq, 3, s(cat)));
            assert_eq!(t.rows(select(ITEMS, filter)).await, want);
        }
    }
    let want = scan(&all, |r| r[2] == s("x") || r[2] == s("z"));
    let filter = in_list(2, vec![s("z"), s("x"), NULL, s("x")]);
    assert_eq!(t.rows(select(ITEMS, filter)).await, want);
    for title in TITLES {
        let want = scan(&all, |r| r[2] == s(title));
        assert_eq!(t.rows(query(ITEMS, Some(1), s(title), None)).await, want);
        // Counting and deleting through the index are checked by the writes below.
        let n = t.count(count(ITEMS, cmp(BinaryOp::Eq, 2, s(title)))).await;
        assert_eq!(n, want.len() as u64);
    }
    for owner in 0..4i64 {
        let want = scan(&all, |r| r[0] == v(owner));
        assert_eq!(t.rows(query(ITEMS, None, v(owner), None)).await, want);
    }
}

#[tokio::test]
async fn index_lookups_agree_with_scans_after_every_write() {
    let mut t = T::new(MemDb::new()).await;
    let mut rng = Rng(7);
    let mut seq = 0i64;
    for step in 0..300 {
        let cat = CATEGORIES[rng.next(4)].map(s).unwrap_or(NULL);
        let rank = v(RANKS[rng.next(3)]);
        let title = s(TITLES[rng.next(3)]);
        let owner = rng.next(4) as i64;
        let op = match rng.next(6) {
            0 | 1 => {
                seq += 1;
                insert(
                    ITEMS,
                    vec![0, 1, 2, 3, 4],
                    vec![vec![v(owner), v(seq), title, cat, rank]],
                )
            }
            2 => update(
                ITEMS,
                cmp(BinaryOp::Eq, 0, owner),
                vec![(3, cat), (2, title)],
                false,
            ),
            3 => update(ITEMS, cmp(BinaryOp::Eq, 3, cat), vec![(4, rank)], false),
            4 => delete(ITEMS, cmp(BinaryOp::Eq, 2, title)),
            _ => {
                // A write rolled back leaves the index maps as they were.
                t.ok(txn(TransactionOp::Begin {
                    isolation: None,
                    read_only: false,
                }))
                .await;
                t.ok(delete(ITEMS, Expr::true_())).await;
                t.ok(txn(TransactionOp::Rollback)).await;
                update_by_key(ITEMS, vec![vec![v(owner), v(seq)]], vec![(3, cat)])
            }
        };
        t.ok(op).await;
        if step % 5 == 0 {
            check_lookups(&mut t).await;
        }
    }
    check_lookups(&mut t).await;
    assert!(!t.all(ITEMS).await.is_empty());
}

#[tokio::test]
async fn unique_index_sees_values_freed_and_taken() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(insert(
        USERS,
        vec![1, 2],
        vec![vec![s("ann"), s("a@x")], vec![s("bob"), s("b@x")]],
    ))
    .await;
    // Taken by another row: refused.
    let e = t
        .err(insert(USERS, vec![1, 2], vec![vec![s("cid"), s("a@x")]]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // Two rows of one batch: refused, and neither is stored.
    let e = t
        .err(insert(
            USERS,
            vec![1, 2],
            vec![vec![s("cid"), s("c@x")], vec![s("dan"), s("c@x")]],
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    assert_eq!(t.all(USERS).await.len(), 2);
    // Moving a value: ann takes a new one, then cid can have ann's old one.
    t.ok(update(
        USERS,
        cmp(BinaryOp::Eq, 1, s("ann")),
        vec![(2, s("n@x"))],
        false,
    ))
    .await;
    t.ok(insert(USERS, vec![1, 2], vec![vec![s("cid"), s("a@x")]]))
        .await;
    // Giving two rows one value in one update is refused.
    let e = t
        .err(update(
            USERS,
            in_list(1, vec![s("ann"), s("bob")]),
            vec![(2, s("same@x"))],
            false,
        ))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    // A deleted row's value is free again; NULLs never conflict.
    t.ok(delete(USERS, cmp(BinaryOp::Eq, 1, s("bob")))).await;
    t.ok(insert(
        USERS,
        vec![1, 2],
        vec![
            vec![s("eve"), s("b@x")],
            vec![s("fay"), NULL],
            vec![s("gus"), NULL],
        ],
    ))
    .await;
    // A value freed inside a rolled-back transaction is taken again afterwards.
    t.ok(txn(TransactionOp::Begin {
        isolation: None,
        read_only: false,
    }))
    .await;
    t.ok(delete(USERS, cmp(BinaryOp::Eq, 1, s("eve")))).await;
    t.ok(txn(TransactionOp::Rollback)).await;
    let e = t
        .err(insert(USERS, vec![1, 2], vec![vec![s("hal"), s("b@x")]]))
        .await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    let by_email = t.rows(select(USERS, cmp(BinaryOp::Eq, 2, s("b@x")))).await;
    assert_eq!(by_email.len(), 1);
    assert_eq!(by_email[0][1], s("eve"));
}

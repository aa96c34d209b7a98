//! Interactive transactions (`Operation::Transaction`) on the sql persona, and their
//! refusal on the kv persona.

mod common;
use common::*;
use toasty_core::driver::{
    CreateTable, Driver, DropTable, IsolationLevel, Operation, TransactionOp,
};
use toasty_core::stmt::{BinaryOp, Expr};
use toasty_core::ErrorKind;
use toasty_memdb::MemDb;

fn add_user(name: &str, email: Option<&str>) -> Operation {
    insert(
        USERS,
        vec![1, 2],
        vec![vec![s(name), email.map(s).unwrap_or(NULL)]],
    )
}

fn add_pair(id: &str) -> Operation {
    insert(PAIRS, vec![0], vec![vec![s(id)]])
}

fn pair(id: &str) -> Vec<toasty_core::Value> {
    vec![s(id), NULL, NULL]
}

async fn names(t: &mut T) -> Vec<String> {
    t.all(USERS)
        .await
        .into_iter()
        .map(|row| row[1].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test]
async fn capabilities_of_the_personas() {
    assert!(MemDb::new().capability().interactive_transactions);
    assert_eq!(MemDb::new().capability().max_transact_items, None);
    assert!(!MemDb::kv().capability().interactive_transactions);
    assert_eq!(MemDb::kv().capability().max_transact_items, Some(100));
}

#[tokio::test]
async fn commit_makes_writes_visible_to_other_connections() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    t.ok(add_user("ann", Some("a@x"))).await;
    assert!(other.all(USERS).await.is_empty());
    assert_eq!(t.count(commit()).await, 0);
    assert_eq!(
        other.all(USERS).await,
        vec![user(1, "ann", Some("a@x"), None)]
    );
    // The connection is back in autocommit.
    t.ok(add_user("bob", None)).await;
    assert_eq!(names(&mut other).await, ["ann", "bob"]);
}

#[tokio::test]
async fn rollback_discards_writes_and_counter() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(add_user("ann", None)).await;
    t.ok(begin()).await;
    t.ok(add_user("bob", None)).await;
    t.ok(update(USERS, Expr::true_(), vec![(3, v(9i64))], false))
        .await;
    t.ok(delete_by_key(USERS, vec![vec![v(1i64)]])).await;
    t.ok(rollback()).await;
    assert_eq!(t.all(USERS).await, vec![user(1, "ann", None, None)]);
    // The auto-increment counter was part of the discarded copy.
    t.ok(add_user("cid", None)).await;
    assert_eq!(
        t.all(USERS).await,
        vec![user(1, "ann", None, None), user(2, "cid", None, None)]
    );
}

#[tokio::test]
async fn own_writes_are_visible_inside_the_transaction() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(add_user("ann", Some("a@x"))).await;
    t.ok(begin()).await;
    t.ok(add_user("bob", None)).await;
    t.ok(update(
        USERS,
        cmp(BinaryOp::Eq, 1, "ann"),
        vec![(3, v(30i64))],
        false,
    ))
    .await;
    assert_eq!(
        t.all(USERS).await,
        vec![
            user(1, "ann", Some("a@x"), Some(30)),
            user(2, "bob", None, None)
        ]
    );
    assert_eq!(
        t.rows(get(USERS, vec![vec![v(2i64)]])).await,
        vec![user(2, "bob", None, None)]
    );
    assert_eq!(t.count(count(USERS, Expr::true_())).await, 2);
    // Unique checks apply to the transaction's rows.
    let e = t.err(add_user("eve", Some("a@x"))).await;
    assert_kind(&e, ErrorKind::UniqueViolation);
    t.ok(commit()).await;
    assert_eq!(names(&mut t).await, ["ann", "bob"]);
}

#[tokio::test]
async fn other_connections_do_not_see_uncommitted_work() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    other.ok(add_user("ann", None)).await;
    t.ok(begin()).await;
    t.ok(delete(USERS, Expr::true_())).await;
    t.ok(add_pair("p")).await;
    assert_eq!(names(&mut other).await, ["ann"]);
    assert!(other.all(PAIRS).await.is_empty());
    assert!(t.all(USERS).await.is_empty());
    t.ok(rollback()).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    assert!(t.all(PAIRS).await.is_empty());
}

#[tokio::test]
async fn a_transaction_reads_a_table_as_of_its_first_use() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    assert!(t.all(USERS).await.is_empty());
    other.ok(add_user("ann", None)).await;
    // Still the copy taken at first use.
    assert!(t.all(USERS).await.is_empty());
    // A table first used now is copied now.
    other.ok(add_pair("p")).await;
    assert_eq!(t.all(PAIRS).await, vec![pair("p")]);
}

#[tokio::test]
async fn write_write_conflict_fails_at_commit() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    other.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    other.ok(add_user("bob", None)).await;
    other.ok(commit()).await;
    let e = t.err(commit()).await;
    assert_kind(&e, ErrorKind::SerializationFailure);
    assert!(
        e.message().contains("conflicted with a concurrent one"),
        "{e}"
    );
    assert!(e.message().contains("retry"), "{e}");
    // The store is as the other committer left it.
    assert_eq!(t.all(USERS).await, vec![user(1, "bob", None, None)]);
    // The failed transaction was rolled back: the connection has none open.
    assert_kind(&t.err(commit()).await, ErrorKind::InvalidStatement);
    t.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    t.ok(commit()).await;
    assert_eq!(names(&mut other).await, ["bob", "ann"]);
}

#[tokio::test]
async fn autocommit_writes_conflict_with_transactions() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    other
        .ok(update_by_key(
            USERS,
            vec![vec![v(7i64)]],
            vec![(3, v(1i64))],
        ))
        .await;
    assert_kind(&t.err(commit()).await, ErrorKind::SerializationFailure);
    assert!(t.all(USERS).await.is_empty());
}

#[tokio::test]
async fn failed_autocommit_writes_do_not_conflict() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    other.ok(add_user("ann", Some("a@x"))).await;
    t.ok(begin()).await;
    t.ok(add_user("bob", None)).await;
    assert_kind(
        &other.err(add_user("eve", Some("a@x"))).await,
        ErrorKind::UniqueViolation,
    );
    t.ok(commit()).await;
    assert_eq!(names(&mut t).await, ["ann", "bob"]);
}

#[tokio::test]
async fn read_write_conflict_fails_at_commit() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    // Reads users, writes pairs based on what it read.
    assert!(t.all(USERS).await.is_empty());
    t.ok(add_pair("no-users")).await;
    other.ok(add_user("ann", None)).await;
    let e = t.err(commit()).await;
    assert_kind(&e, ErrorKind::SerializationFailure);
    assert!(e.message().contains("users"), "{e}");
    assert!(t.all(PAIRS).await.is_empty());
    assert_eq!(names(&mut t).await, ["ann"]);
}

#[tokio::test]
async fn reads_in_a_rolled_back_savepoint_still_count() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    t.ok(savepoint(1)).await;
    assert!(t.all(USERS).await.is_empty());
    t.ok(rollback_to_savepoint(1)).await;
    t.ok(add_pair("no-users")).await;
    other.ok(add_user("ann", None)).await;
    assert_kind(&t.err(commit()).await, ErrorKind::SerializationFailure);
    assert!(t.all(PAIRS).await.is_empty());
}

#[tokio::test]
async fn transactions_on_different_tables_both_commit() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    other.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    other.ok(add_pair("p")).await;
    other.ok(commit()).await;
    t.ok(commit()).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    assert_eq!(t.all(PAIRS).await, vec![pair("p")]);
}

#[tokio::test]
async fn concurrent_readers_do_not_conflict() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(add_user("ann", None)).await;
    t.ok(begin()).await;
    other.ok(begin()).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    assert_eq!(names(&mut other).await, ["ann"]);
    t.ok(add_pair("t")).await;
    other
        .ok(insert(
            ITEMS,
            vec![0, 1, 2],
            vec![vec![v(1i64), v(1i64), s("x")]],
        ))
        .await;
    t.ok(commit()).await;
    other.ok(commit()).await;
}

#[tokio::test]
async fn a_dropped_and_recreated_table_conflicts() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    assert!(t.all(PAIRS).await.is_empty());
    t.ok(add_user("ann", None)).await;
    other
        .ok(Operation::DropTable(DropTable { table: PAIRS }))
        .await;
    other
        .ok(Operation::CreateTable(CreateTable { table: PAIRS }))
        .await;
    // Same (empty) contents, but a new version.
    assert_kind(&t.err(commit()).await, ErrorKind::SerializationFailure);
    assert!(t.all(USERS).await.is_empty());
}

#[tokio::test]
async fn ddl_inside_a_transaction() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    t.ok(Operation::CreateTable(CreateTable { table: TRIPLES }))
        .await;
    t.ok(insert(
        TRIPLES,
        vec![0, 1, 2],
        vec![vec![v(1i64), v(2i64), v(3i64)]],
    ))
    .await;
    t.ok(Operation::DropTable(DropTable { table: PAIRS })).await;
    assert_kind(
        &t.err(select(PAIRS, Expr::true_())).await,
        ErrorKind::Driver,
    );
    // Not visible outside yet.
    assert_kind(
        &other.err(select(TRIPLES, Expr::true_())).await,
        ErrorKind::Driver,
    );
    other.ok(select(PAIRS, Expr::true_())).await;
    // Creating a table that exists in the view is an error, as outside.
    assert_kind(
        &t.err(Operation::CreateTable(CreateTable { table: TRIPLES }))
            .await,
        ErrorKind::Driver,
    );
    t.ok(commit()).await;
    assert_eq!(other.all(TRIPLES).await.len(), 1);
    assert_kind(
        &other.err(select(PAIRS, Expr::true_())).await,
        ErrorKind::Driver,
    );

    // Rolled back DDL leaves the store alone.
    t.ok(begin()).await;
    t.ok(Operation::DropTable(DropTable { table: TRIPLES }))
        .await;
    t.ok(rollback()).await;
    assert_eq!(other.all(TRIPLES).await.len(), 1);
}

#[tokio::test]
async fn read_only_transactions_refuse_writes_and_ddl() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(add_user("ann", Some("a@x"))).await;
    t.ok(begin_read_only()).await;
    let writes = vec![
        add_user("bob", None),
        update(USERS, Expr::true_(), vec![(3, v(1i64))], false),
        delete(USERS, Expr::true_()),
        update_by_key(USERS, vec![vec![v(1i64)]], vec![(3, v(1i64))]),
        delete_by_key(USERS, vec![vec![v(1i64)]]),
        transact(vec![put(PAIRS, pair("p"))]),
        Operation::CreateTable(CreateTable { table: TRIPLES }),
        Operation::DropTable(DropTable { table: PAIRS }),
    ];
    for op in writes {
        let name = op.name();
        let e = t.err(op).await;
        assert_kind(&e, ErrorKind::ReadOnlyTransaction);
        assert!(e.message().contains(name), "{e}");
    }
    // Reads work.
    assert_eq!(names(&mut t).await, ["ann"]);
    t.ok(get(USERS, vec![vec![v(1i64)]])).await;
    t.ok(query(USERS, None, v(1i64), None)).await;
    t.ok(commit()).await;
    assert_eq!(t.all(USERS).await, vec![user(1, "ann", Some("a@x"), None)]);
    assert!(t.all(PAIRS).await.is_empty());
    assert_kind(
        &t.err(select(TRIPLES, Expr::true_())).await,
        ErrorKind::Driver,
    );
    // The next transaction is not read-only.
    t.ok(begin()).await;
    t.ok(add_user("bob", None)).await;
    t.ok(commit()).await;
}

#[tokio::test]
async fn every_isolation_level_is_accepted() {
    let mut t = T::new(MemDb::new()).await;
    for level in [
        IsolationLevel::ReadUncommitted,
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
        IsolationLevel::Serializable,
    ] {
        t.ok(txn(TransactionOp::Begin {
            isolation: Some(level),
            read_only: false,
        }))
        .await;
        t.ok(add_pair(level.sql_name())).await;
        t.ok(commit()).await;
    }
    assert_eq!(t.all(PAIRS).await.len(), 4);
}

#[tokio::test]
async fn savepoint_rollback_and_release() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    t.ok(savepoint(1)).await;
    t.ok(add_user("bob", None)).await;
    t.ok(rollback_to_savepoint(1)).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    // The savepoint stays defined after a rollback to it.
    t.ok(add_user("cid", None)).await;
    t.ok(rollback_to_savepoint(1)).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    // The counter was restored with the rows.
    t.ok(add_user("dan", None)).await;
    assert_eq!(
        t.all(USERS).await,
        vec![user(1, "ann", None, None), user(2, "dan", None, None)]
    );
    // Releasing keeps the work and forgets the savepoint.
    t.ok(release_savepoint(1)).await;
    assert_kind(
        &t.err(rollback_to_savepoint(1)).await,
        ErrorKind::InvalidStatement,
    );
    t.ok(commit()).await;
    assert_eq!(names(&mut t).await, ["ann", "dan"]);
}

#[tokio::test]
async fn nested_savepoints() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    t.ok(savepoint(1)).await;
    t.ok(add_user("bob", None)).await;
    t.ok(savepoint(2)).await;
    t.ok(add_user("cid", None)).await;
    t.ok(rollback_to_savepoint(2)).await;
    assert_eq!(names(&mut t).await, ["ann", "bob"]);
    t.ok(add_user("dan", None)).await;
    // Rolling back to 1 discards 2.
    t.ok(rollback_to_savepoint(1)).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    let e = t.err(rollback_to_savepoint(2)).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    assert!(e.message().contains("toasty_sp2"), "{e}");
    // Releasing 1 releases 2 as well and keeps the work of both.
    t.ok(savepoint(2)).await;
    t.ok(add_user("eve", None)).await;
    t.ok(savepoint(3)).await;
    t.ok(add_user("fay", None)).await;
    t.ok(release_savepoint(2)).await;
    assert_kind(
        &t.err(release_savepoint(3)).await,
        ErrorKind::InvalidStatement,
    );
    t.ok(rollback_to_savepoint(1)).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    t.ok(add_user("gus", None)).await;
    t.ok(savepoint(2)).await;
    t.ok(add_user("hal", None)).await;
    t.ok(release_savepoint(2)).await;
    t.ok(release_savepoint(1)).await;
    t.ok(commit()).await;
    assert_eq!(names(&mut t).await, ["ann", "gus", "hal"]);
}

#[tokio::test]
async fn a_savepoint_number_can_be_reused() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(begin()).await;
    t.ok(savepoint(1)).await;
    t.ok(add_user("ann", None)).await;
    // A second savepoint 1 hides the first (as in PostgreSQL and SQLite).
    t.ok(savepoint(1)).await;
    t.ok(add_user("bob", None)).await;
    t.ok(rollback_to_savepoint(1)).await;
    assert_eq!(names(&mut t).await, ["ann"]);
    // Releasing it uncovers the first one.
    t.ok(release_savepoint(1)).await;
    t.ok(rollback_to_savepoint(1)).await;
    assert!(names(&mut t).await.is_empty());
    t.ok(release_savepoint(1)).await;
    assert_kind(
        &t.err(release_savepoint(1)).await,
        ErrorKind::InvalidStatement,
    );
    t.ok(commit()).await;
}

#[tokio::test]
async fn misuse_is_invalid_statement() {
    let mut t = T::new(MemDb::new()).await;
    for op in [
        commit(),
        rollback(),
        savepoint(1),
        release_savepoint(1),
        rollback_to_savepoint(1),
    ] {
        let e = t.err(op).await;
        assert_kind(&e, ErrorKind::InvalidStatement);
        assert!(e.message().contains("no"), "{e}");
        assert!(e.message().contains("begin"), "{e}");
    }
    t.ok(begin()).await;
    t.ok(add_user("ann", None)).await;
    let e = t.err(begin()).await;
    assert_kind(&e, ErrorKind::InvalidStatement);
    assert!(e.message().contains("already open"), "{e}");
    // The open transaction is unaffected.
    assert_kind(
        &t.err(release_savepoint(4)).await,
        ErrorKind::InvalidStatement,
    );
    assert_kind(
        &t.err(rollback_to_savepoint(4)).await,
        ErrorKind::InvalidStatement,
    );
    t.ok(commit()).await;
    assert_eq!(names(&mut t).await, ["ann"]);
}

#[tokio::test]
async fn a_failed_statement_leaves_the_transaction_usable() {
    let mut t = T::new(MemDb::new()).await;
    t.ok(begin()).await;
    t.ok(add_user("ann", Some("a@x"))).await;
    assert_kind(
        &t.err(add_user("bob", Some("a@x"))).await,
        ErrorKind::UniqueViolation,
    );
    assert_kind(
        &t.err(insert(USERS, vec![1], vec![vec![NULL]])).await,
        ErrorKind::InvalidValue,
    );
    t.ok(add_user("cid", None)).await;
    t.ok(commit()).await;
    assert_eq!(
        t.all(USERS).await,
        vec![
            user(1, "ann", Some("a@x"), None),
            user(2, "cid", None, None)
        ]
    );
}

#[tokio::test]
async fn dropping_a_connection_discards_its_transaction() {
    let mut t = T::new(MemDb::new()).await;
    {
        let mut other = t.connect_again().await;
        other.ok(begin()).await;
        other.ok(add_user("ann", None)).await;
    }
    assert!(t.all(USERS).await.is_empty());
    t.ok(add_user("bob", None)).await;
    assert_eq!(t.all(USERS).await, vec![user(1, "bob", None, None)]);
}

#[tokio::test]
async fn transact_write_inside_a_transaction() {
    let mut t = T::new(MemDb::new()).await;
    let mut other = t.connect_again().await;
    t.ok(begin()).await;
    assert_eq!(
        t.count(transact(vec![put(PAIRS, pair("p")), put(PAIRS, pair("q"))]))
            .await,
        2
    );
    assert_eq!(t.all(PAIRS).await.len(), 2);
    assert!(other.all(PAIRS).await.is_empty());
    t.ok(commit()).await;
    assert_eq!(other.all(PAIRS).await, vec![pair("p"), pair("q")]);
}

#[tokio::test]
async fn kv_persona_has_no_interactive_transactions() {
    let mut t = T::new(MemDb::kv()).await;
    for op in [
        begin(),
        begin_read_only(),
        commit(),
        rollback(),
        savepoint(1),
        release_savepoint(1),
        rollback_to_savepoint(1),
    ] {
        let e = t.err(op).await;
        assert_kind(&e, ErrorKind::Unsupported);
        assert!(e.message().contains("memdb-kv"), "{e}");
        assert!(e.message().contains("no interactive transactions"), "{e}");
        assert!(e.message().contains("toasty::batch"), "{e}");
        assert!(e.message().contains("TransactWriteItems"), "{e}");
    }
    // Writes are still autocommit.
    t.ok(add_pair("p")).await;
    assert_eq!(
        t.rows(get(PAIRS, vec![vec![s("p")]])).await,
        vec![pair("p")]
    );
}

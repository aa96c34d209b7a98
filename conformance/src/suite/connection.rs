//! Transactions begun on a held connection (`db.connection()`, then
//! `conn.transaction()` / `conn.transaction_builder()`): they run on that connection,
//! follow every rule of `db.transaction()` (commit, rollback, drop, savepoints, the
//! abort rule, read-only), and when they end the connection is held again for the next
//! statements. Key-value backends refuse them with `Unsupported`, as `db.transaction()`,
//! and the connection stays usable.
//!
//! With a pool of one connection (in-memory SQLite) the `Db` waits while the connection
//! is held, so what others see is checked after the `Connection` is dropped.

use super::support::expect_err;
use crate::Test;
use toasty::{Connection, Db, ErrorKind, Executor, IsolationLevel, Result};

#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    id: i64,
    #[unique]
    name: String,
    balance: i64,
}

fn account(id: i64, name: &str) -> AccountCreate {
    Account::create().id(id).name(name).balance(0)
}

/// The ids of the stored accounts, sorted.
async fn ids(e: &mut dyn Executor) -> Result<Vec<i64>> {
    let mut v: Vec<i64> = Account::filter(Account::fields().id().in_list(0..100))
        .exec(e)
        .await?
        .into_iter()
        .map(|a| a.id)
        .collect();
    v.sort();
    Ok(v)
}

/// A database with account 1, and a connection held from it. On a key-value backend,
/// asserts that transactions on the connection are refused (and that the connection
/// still works afterwards) and returns `None`.
async fn open(t: &mut Test) -> Result<Option<(Db, Connection)>> {
    let mut db = t.setup_db(toasty::models!(Account)).await?;
    account(1, "a").exec(&mut db).await?;
    let mut conn = db.connection().await?;
    if t.is_kv() {
        expect_err(
            conn.transaction().await,
            ErrorKind::Unsupported,
            &["transaction", "toasty::batch"],
        );
        let r = conn
            .transaction_builder()
            .isolation(IsolationLevel::Serializable)
            .begin()
            .await;
        expect_err(r, ErrorKind::Unsupported, &["toasty::batch"]);
        assert!(conn.is_open(), "a refused transaction keeps the connection");
        account(2, "b").exec(&mut conn).await?;
        assert_eq!(ids(&mut conn).await?, [1, 2]);
        return Ok(None);
    }
    Ok(Some((db, conn)))
}

/// Commit keeps the transaction's writes, rollback discards them, and the connection
/// runs statements again after each.
pub async fn conn_tx_commit_and_rollback(t: &mut Test) -> Result<()> {
    let Some((mut db, mut conn)) = open(t).await? else {
        return Ok(());
    };
    let mut tx = conn.transaction().await?;
    account(2, "b").exec(&mut tx).await?;
    assert_eq!(
        ids(&mut tx).await?,
        [1, 2],
        "a transaction sees its own writes"
    );
    tx.commit().await?;
    assert_eq!(ids(&mut conn).await?, [1, 2]);

    let mut tx = conn.transaction().await?;
    account(3, "c").exec(&mut tx).await?;
    Account::filter_by_id(1).delete().exec(&mut tx).await?;
    tx.rollback().await?;
    assert_eq!(
        ids(&mut conn).await?,
        [1, 2],
        "the rolled-back work is gone"
    );

    // Statements on the connection between transactions are not in any transaction.
    account(4, "d").exec(&mut conn).await?;
    assert!(conn.is_open());
    drop(conn);
    assert_eq!(
        ids(&mut db).await?,
        [1, 2, 4],
        "committed work is visible to others"
    );
    Ok(())
}

/// Nested transactions are savepoints on the connection: a released one keeps its
/// work in the parent, a rolled-back (or dropped) one undoes only its own.
pub async fn conn_tx_nested(t: &mut Test) -> Result<()> {
    let Some((mut db, mut conn)) = open(t).await? else {
        return Ok(());
    };
    let mut tx = conn.transaction().await?;
    account(2, "b").exec(&mut tx).await?;
    {
        let mut nested = tx.transaction().await?;
        account(3, "c").exec(&mut nested).await?;
        nested.commit().await?;
    }
    {
        let mut nested = tx.transaction().await?;
        account(4, "d").exec(&mut nested).await?;
        nested.rollback().await?;
    }
    {
        let mut nested = tx.transaction().await?;
        account(5, "e").exec(&mut nested).await?;
    }
    assert_eq!(ids(&mut tx).await?, [1, 2, 3]);
    tx.commit().await?;
    assert_eq!(ids(&mut conn).await?, [1, 2, 3]);
    drop(conn);
    assert_eq!(ids(&mut db).await?, [1, 2, 3]);
    Ok(())
}

/// A transaction dropped without commit or rollback is rolled back before the
/// connection's next statement (and, when the connection itself is dropped first, by
/// closing it): nothing of it is ever visible.
pub async fn conn_tx_drop_rolls_back(t: &mut Test) -> Result<()> {
    let Some((mut db, mut conn)) = open(t).await? else {
        return Ok(());
    };
    {
        let mut tx = conn.transaction().await?;
        account(2, "b").exec(&mut tx).await?;
    }
    assert_eq!(
        ids(&mut conn).await?,
        [1],
        "the dropped transaction was rolled back"
    );
    // Dropped twice in a row, then a new transaction right away.
    for i in 0..2 {
        let mut tx = conn.transaction().await?;
        account(10 + i, &format!("x{i}")).exec(&mut tx).await?;
    }
    let mut tx = conn.transaction().await?;
    assert_eq!(ids(&mut tx).await?, [1]);
    account(3, "c").exec(&mut tx).await?;
    tx.commit().await?;
    // Dropped, then the connection dropped before any other statement.
    {
        let mut tx = conn.transaction().await?;
        account(4, "d").exec(&mut tx).await?;
    }
    drop(conn);
    assert_eq!(ids(&mut db).await?, [1, 3]);
    // The pool still serves connections that work.
    let mut conn = db.connection().await?;
    let mut tx = conn.transaction().await?;
    account(5, "e").exec(&mut tx).await?;
    tx.commit().await?;
    drop(conn);
    assert_eq!(ids(&mut db).await?, [1, 3, 5]);
    Ok(())
}

/// A statement that fails in the database aborts the transaction (later statements
/// and the commit are `TransactionAborted`); the connection is fine afterwards.
pub async fn conn_tx_abort_rule(t: &mut Test) -> Result<()> {
    let Some((mut db, mut conn)) = open(t).await? else {
        return Ok(());
    };
    let mut tx = conn.transaction().await?;
    account(2, "b").exec(&mut tx).await?;
    expect_err(
        account(3, "a").exec(&mut tx).await,
        ErrorKind::UniqueViolation,
        &[],
    );
    expect_err(
        ids(&mut tx).await,
        ErrorKind::TransactionAborted,
        &["roll it back"],
    );
    expect_err(tx.commit().await, ErrorKind::TransactionAborted, &[]);
    assert!(conn.is_open());
    assert_eq!(ids(&mut conn).await?, [1]);
    account(6, "f").exec(&mut conn).await?;
    drop(conn);
    assert_eq!(ids(&mut db).await?, [1, 6]);
    Ok(())
}

/// `transaction_builder()` on a connection: a read-only transaction refuses writes
/// before they reach the database; isolation levels are accepted.
pub async fn conn_tx_builder(t: &mut Test) -> Result<()> {
    let Some((mut db, mut conn)) = open(t).await? else {
        return Ok(());
    };
    let mut tx = conn.transaction_builder().read_only(true).begin().await?;
    assert_eq!(ids(&mut tx).await?, [1]);
    expect_err(
        account(2, "b").exec(&mut tx).await,
        ErrorKind::ReadOnlyTransaction,
        &["read-only"],
    );
    tx.rollback().await?;
    for level in [
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
        IsolationLevel::Serializable,
    ] {
        let mut tx = conn.transaction_builder().isolation(level).begin().await?;
        Account::filter_by_id(1)
            .update()
            .balance(7)
            .exec(&mut tx)
            .await?;
        tx.commit().await?;
    }
    drop(conn);
    let a = Account::get_by_id(&mut db, 1).await?;
    assert_eq!(a.balance, 7);
    Ok(())
}

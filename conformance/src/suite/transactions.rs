//! Interactive transactions: commit, rollback, drop, savepoints, the abort rule, read-only
//! transactions, isolation levels, and every terminal running on `&mut tx`.
//!
//! Key-value backends have none: there every test asserts that `db.transaction()` (and
//! the builder) is `Unsupported` and points at `toasty::batch`, which `batch.rs` covers.

use super::support::expect_err;
use crate::Test;
use std::time::Duration;
use toasty::{Db, ErrorKind, Executor, IsolationLevel, Result};

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    id: i64,
    #[unique]
    name: String,
    #[index]
    grp: String,
    qty: i64,
    big: Option<u64>,
}

/// Opens a database with `Item` and the records `(id, name, grp, qty)` of `seed`. On a
/// key-value backend, asserts that transactions are refused and returns `None`.
async fn open(t: &mut Test, seed: &[(i64, &str, &str, i64)]) -> Result<Option<Db>> {
    let mut db = t.setup_db(toasty::models!(Item)).await?;
    if !seed.is_empty() {
        let mut batch = Item::create_many();
        for &(id, name, grp, qty) in seed {
            batch = batch.item(Item::create().id(id).name(name).grp(grp).qty(qty));
        }
        batch.exec(&mut db).await?;
    }
    if t.is_kv() {
        expect_kv_refusal(&mut db).await;
        return Ok(None);
    }
    Ok(Some(db))
}

/// The key-value refusal: `Unsupported`, naming `toasty::batch`, for both ways to begin.
async fn expect_kv_refusal(db: &mut Db) {
    expect_err(
        db.transaction().await,
        ErrorKind::Unsupported,
        &["transaction", "toasty::batch"],
    );
    let r = db
        .transaction_builder()
        .isolation(IsolationLevel::Serializable)
        .begin()
        .await;
    expect_err(r, ErrorKind::Unsupported, &["toasty::batch"]);
}

/// `(id, name, qty)` of every stored item with an id in 0..100, by id.
async fn rows(e: &mut dyn Executor) -> Result<Vec<(i64, String, i64)>> {
    let mut v: Vec<(i64, String, i64)> = Item::filter(Item::fields().id().in_list(0..100))
        .exec(e)
        .await?
        .into_iter()
        .map(|i| (i.id, i.name, i.qty))
        .collect();
    v.sort();
    Ok(v)
}

/// The ids of the stored items (ids 0..100), sorted.
async fn ids(e: &mut dyn Executor) -> Result<Vec<i64>> {
    Ok(rows(e).await?.into_iter().map(|r| r.0).collect())
}

/// The ids another handle sees, or `None` if it could not read within a short while
/// (a backend with one connection, which the open transaction holds).
async fn ids_elsewhere(other: &mut Db) -> Result<Option<Vec<i64>>> {
    match tokio::time::timeout(Duration::from_millis(300), ids(other)).await {
        Ok(r) => Ok(Some(r?)),
        Err(_) => Ok(None),
    }
}

fn item(id: i64, name: &str) -> ItemCreate {
    Item::create().id(id).name(name).grp("g").qty(0)
}

/// Writes in a committed transaction (create, update, delete) become visible together;
/// another handle sees none of them before the commit.
pub async fn tx_commit_makes_writes_visible(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1), (2, "b", "g", 2)]).await? else {
        return Ok(());
    };
    let mut other = db.clone();
    let mut tx = db.transaction().await?;
    item(3, "c").exec(&mut tx).await?;
    assert_eq!(Item::update_by_id(1).qty(10).exec(&mut tx).await?, 1);
    assert_eq!(Item::delete_by_id(&mut tx, 2).await?, 1);
    if let Some(seen) = ids_elsewhere(&mut other).await? {
        assert_eq!(seen, [1, 2], "uncommitted writes are invisible elsewhere");
    }
    tx.commit().await?;
    assert_eq!(
        rows(&mut db).await?,
        [(1, "a".to_string(), 10), (3, "c".to_string(), 0)]
    );
    assert_eq!(
        ids(&mut other).await?,
        [1, 3],
        "other handles see the commit"
    );
    Ok(())
}

/// `rollback()` undoes every write of the transaction; the database is usable after.
pub async fn tx_rollback_discards_writes(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1), (2, "b", "g", 2)]).await? else {
        return Ok(());
    };
    let before = rows(&mut db).await?;
    let mut tx = db.transaction().await?;
    item(3, "c").exec(&mut tx).await?;
    Item::update_by_grp("g").qty(7).exec(&mut tx).await?;
    Item::delete_by_id(&mut tx, 1).await?;
    assert_eq!(
        ids(&mut tx).await?,
        [2, 3],
        "the transaction sees its writes"
    );
    tx.rollback().await?;
    assert_eq!(rows(&mut db).await?, before);
    // The key and the unique value of the rolled-back record are free again.
    item(3, "c").exec(&mut db).await?;
    assert_eq!(ids(&mut db).await?, [1, 2, 3]);
    Ok(())
}

/// Dropping a transaction without committing rolls it back, and the database is usable
/// right away (also with a pool of one connection, which the rollback must give back):
/// plain statements, a new transaction, and a dropped transaction that had failed.
pub async fn tx_drop_rolls_back(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1)]).await? else {
        return Ok(());
    };
    {
        let mut tx = db.transaction().await?;
        item(2, "b").exec(&mut tx).await?;
        Item::update_by_id(1).qty(5).exec(&mut tx).await?;
    }
    assert_eq!(rows(&mut db).await?, [(1, "a".to_string(), 1)]);
    item(2, "b").exec(&mut db).await?;
    {
        let mut tx = db.transaction().await?;
        Item::delete_by_id(&mut tx, 2).await?;
    }
    let mut tx = db.transaction().await?;
    assert_eq!(ids(&mut tx).await?, [1, 2], "the dropped delete was undone");
    item(3, "c").exec(&mut tx).await?;
    tx.commit().await?;
    {
        // An aborted transaction, dropped.
        let mut tx = db.transaction().await?;
        item(4, "d").exec(&mut tx).await?;
        let r = item(5, "a").exec(&mut tx).await;
        expect_err(r, ErrorKind::UniqueViolation, &[]);
    }
    assert_eq!(ids(&mut db).await?, [1, 2, 3]);
    // Dropped one after another, with no statement in between.
    for i in 0..3 {
        let mut tx = db.transaction().await?;
        item(10 + i, &format!("x{i}")).exec(&mut tx).await?;
    }
    assert_eq!(ids(&mut db).await?, [1, 2, 3]);
    Ok(())
}

/// Reads inside a transaction see its own creates, updates and deletes, through every
/// kind of read.
pub async fn tx_reads_see_own_writes(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1), (2, "b", "h", 2)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    item(3, "c").exec(&mut tx).await?;
    assert_eq!(Item::get_by_id(&mut tx, 3).await?.name, "c");
    assert_eq!(Item::get_by_name(&mut tx, "c").await?.id, 3);
    assert_eq!(Item::filter_by_grp("g").count().exec(&mut tx).await?, 2);
    Item::update_by_id(1).grp("h").qty(9).exec(&mut tx).await?;
    assert_eq!(Item::filter_by_grp("h").count().exec(&mut tx).await?, 2);
    let one = Item::filter_by_grp("h")
        .filter(Item::fields().qty().eq(9))
        .get(&mut tx)
        .await?;
    assert_eq!(one.id, 1);
    Item::delete_by_name(&mut tx, "b").await?;
    expect_err(Item::get_by_id(&mut tx, 2).await, ErrorKind::NotFound, &[]);
    assert_eq!(ids(&mut tx).await?, [1, 3]);
    tx.commit().await?;
    assert_eq!(
        rows(&mut db).await?,
        [(1, "a".to_string(), 9), (3, "c".to_string(), 0)]
    );
    Ok(())
}

/// A committed nested transaction (savepoint) keeps its work in the parent; committing
/// the parent stores it, rolling the parent back undoes it too.
pub async fn tx_nested_commit_keeps_work(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    item(2, "b").exec(&mut tx).await?;
    {
        let mut n = tx.transaction().await?;
        item(3, "c").exec(&mut n).await?;
        Item::update_by_id(1).qty(11).exec(&mut n).await?;
        {
            let mut nn = n.transaction().await?;
            item(4, "d").exec(&mut nn).await?;
            assert_eq!(ids(&mut nn).await?, [1, 2, 3, 4]);
            nn.commit().await?;
        }
        assert_eq!(ids(&mut n).await?, [1, 2, 3, 4]);
        n.commit().await?;
    }
    assert_eq!(ids(&mut tx).await?, [1, 2, 3, 4]);
    tx.commit().await?;
    assert_eq!(
        rows(&mut db).await?,
        [
            (1, "a".to_string(), 11),
            (2, "b".to_string(), 0),
            (3, "c".to_string(), 0),
            (4, "d".to_string(), 0)
        ]
    );

    // A committed savepoint is still undone by the parent's rollback.
    let mut tx = db.transaction().await?;
    {
        let mut n = tx.transaction().await?;
        item(5, "e").exec(&mut n).await?;
        n.commit().await?;
    }
    tx.rollback().await?;
    assert_eq!(ids(&mut db).await?, [1, 2, 3, 4]);
    Ok(())
}

/// Rolling back (or dropping) a nested transaction undoes only its own work, including
/// what was committed inside it; the parent goes on and commits the rest.
pub async fn tx_nested_rollback_and_drop_undo_only_their_work(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    item(2, "b").exec(&mut tx).await?;
    {
        let mut n = tx.transaction().await?;
        item(3, "c").exec(&mut n).await?;
        Item::update_by_id(2).qty(20).exec(&mut n).await?;
        Item::delete_by_id(&mut n, 1).await?;
        assert_eq!(ids(&mut n).await?, [2, 3]);
        n.rollback().await?;
    }
    assert_eq!(
        rows(&mut tx).await?,
        [(1, "a".to_string(), 1), (2, "b".to_string(), 0)]
    );
    {
        let mut n = tx.transaction().await?;
        item(4, "d").exec(&mut n).await?;
        // Dropped: undone before the parent's next statement.
    }
    assert_eq!(
        ids(&mut tx).await?,
        [1, 2],
        "the dropped savepoint was undone"
    );
    {
        let mut n = tx.transaction().await?;
        item(5, "e").exec(&mut n).await?;
        {
            let mut nn = n.transaction().await?;
            item(6, "f").exec(&mut nn).await?;
            nn.commit().await?;
        }
        assert_eq!(ids(&mut n).await?, [1, 2, 5, 6]);
        n.rollback().await?;
    }
    {
        let mut n = tx.transaction().await?;
        item(7, "g").exec(&mut n).await?;
        {
            let mut nn = n.transaction().await?;
            item(8, "h").exec(&mut nn).await?;
            // Dropped inside a savepoint that then commits.
        }
        n.commit().await?;
    }
    // The names of the undone records are free again.
    item(9, "c").exec(&mut tx).await?;
    assert_eq!(ids(&mut tx).await?, [1, 2, 7, 9]);
    tx.commit().await?;
    assert_eq!(ids(&mut db).await?, [1, 2, 7, 9]);
    Ok(())
}

/// A unique violation inside a transaction aborts it: later statements (reads and
/// writes) fail with `TransactionAborted`, `commit()` rolls back and returns
/// `TransactionAborted`, and nothing of the transaction is stored.
pub async fn tx_unique_violation_aborts(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    item(2, "b").exec(&mut tx).await?;
    Item::update_by_id(1).qty(5).exec(&mut tx).await?;
    let r = item(3, "a").exec(&mut tx).await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = Item::get_by_id(&mut tx, 1).await;
    let e = expect_err(r, ErrorKind::TransactionAborted, &[]);
    assert!(e.is_transaction_aborted());
    expect_err(
        item(4, "d").exec(&mut tx).await,
        ErrorKind::TransactionAborted,
        &[],
    );
    expect_err(
        Item::filter_by_grp("g").count().exec(&mut tx).await,
        ErrorKind::TransactionAborted,
        &[],
    );
    expect_err(tx.transaction().await, ErrorKind::TransactionAborted, &[]);
    expect_err(tx.commit().await, ErrorKind::TransactionAborted, &[]);
    assert_eq!(rows(&mut db).await?, [(1, "a".to_string(), 1)]);

    // The same with the key: a duplicate primary key.
    let mut tx = db.transaction().await?;
    item(2, "b").exec(&mut tx).await?;
    expect_err(
        item(1, "z").exec(&mut tx).await,
        ErrorKind::UniqueViolation,
        &[],
    );
    expect_err(tx.commit().await, ErrorKind::TransactionAborted, &[]);
    assert_eq!(ids(&mut db).await?, [1]);
    Ok(())
}

/// Running an expected failure in a nested transaction and rolling that back keeps the
/// outer transaction usable; its work commits. A failed savepoint cannot be committed
/// (`TransactionAborted`), which also leaves the parent usable.
pub async fn tx_recover_with_nested_rollback(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    item(2, "b").exec(&mut tx).await?;
    {
        let mut n = tx.transaction().await?;
        item(3, "c").exec(&mut n).await?;
        expect_err(
            item(4, "a").exec(&mut n).await,
            ErrorKind::UniqueViolation,
            &[],
        );
        expect_err(
            Item::get_by_id(&mut n, 3).await,
            ErrorKind::TransactionAborted,
            &[],
        );
        n.rollback().await?;
    }
    item(5, "e").exec(&mut tx).await?;
    {
        let mut n = tx.transaction().await?;
        expect_err(
            item(6, "b").exec(&mut n).await,
            ErrorKind::UniqueViolation,
            &[],
        );
        expect_err(n.commit().await, ErrorKind::TransactionAborted, &[]);
    }
    {
        let mut n = tx.transaction().await?;
        expect_err(
            item(1, "new").exec(&mut n).await,
            ErrorKind::UniqueViolation,
            &[],
        );
        // Dropped after the failure.
    }
    Item::update_by_id(2).qty(22).exec(&mut tx).await?;
    tx.commit().await?;
    assert_eq!(
        rows(&mut db).await?,
        [
            (1, "a".to_string(), 1),
            (2, "b".to_string(), 22),
            (5, "e".to_string(), 0)
        ]
    );
    Ok(())
}

/// Errors found before the database is reached (a value out of range, a missing
/// field) do not abort the transaction: its work commits.
pub async fn tx_error_before_database_does_not_abort(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    item(2, "b").exec(&mut tx).await?;
    expect_err(
        item(3, "c").big(u64::MAX).exec(&mut tx).await,
        ErrorKind::ValueOutOfRange,
        &["big"],
    );
    expect_err(
        Item::create().id(3).name("c").qty(0).exec(&mut tx).await,
        ErrorKind::InvalidStatement,
        &["grp"],
    );
    expect_err(
        Item::update_by_id(1).big(u64::MAX).exec(&mut tx).await,
        ErrorKind::ValueOutOfRange,
        &[],
    );
    expect_err(
        Item::filter(Item::fields().big().eq(u64::MAX))
            .exec(&mut tx)
            .await,
        ErrorKind::ValueOutOfRange,
        &[],
    );
    item(3, "c").big(7u64).exec(&mut tx).await?;
    tx.commit().await?;
    assert_eq!(ids(&mut db).await?, [1, 2, 3]);
    assert_eq!(Item::get_by_id(&mut db, 3).await?.big, Some(7));
    Ok(())
}

/// A statement whose database call succeeded but whose result is an error of the API
/// (`NotFound` from `get_by_*`/`.get()`, `TooManyRecords`, an instance update of a
/// deleted record) does not abort the transaction: the database saw no failure.
pub async fn tx_empty_result_errors_do_not_abort(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1), (2, "b", "g", 2)]).await? else {
        return Ok(());
    };
    let mut tx = db.transaction().await?;
    expect_err(Item::get_by_id(&mut tx, 99).await, ErrorKind::NotFound, &[]);
    expect_err(
        Item::filter_by_grp("none").get(&mut tx).await,
        ErrorKind::NotFound,
        &[],
    );
    expect_err(
        Item::filter_by_grp("g").get(&mut tx).await,
        ErrorKind::TooManyRecords,
        &[],
    );
    let mut gone = Item::get_by_id(&mut tx, 2).await?;
    assert_eq!(Item::delete_by_id(&mut tx, 2).await?, 1);
    expect_err(
        gone.update().qty(3).exec(&mut tx).await,
        ErrorKind::NotFound,
        &[],
    );
    item(3, "c").exec(&mut tx).await?;
    tx.commit().await?;
    assert_eq!(ids(&mut db).await?, [1, 3]);
    Ok(())
}

/// A read-only transaction refuses every kind of write with `ReadOnlyTransaction`
/// (before reaching the database: it stays usable) and serves reads.
pub async fn tx_read_only_refuses_writes(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1), (2, "b", "g", 2)]).await? else {
        return Ok(());
    };
    let mut rec = Item::get_by_id(&mut db, 1).await?;
    let mut tx = db.transaction_builder().read_only(true).begin().await?;
    let ro = ErrorKind::ReadOnlyTransaction;
    expect_err(item(3, "c").exec(&mut tx).await, ro, &["read-only"]);
    expect_err(
        toasty::create!(Item::[{ id: 3, name: "c", grp: "g", qty: 0 }])
            .exec(&mut tx)
            .await,
        ro,
        &[],
    );
    expect_err(Item::update_by_id(1).qty(5).exec(&mut tx).await, ro, &[]);
    expect_err(Item::update_by_grp("g").qty(5).exec(&mut tx).await, ro, &[]);
    expect_err(rec.update().qty(5).exec(&mut tx).await, ro, &[]);
    assert_eq!(rec.qty, 1, "the local value is unchanged");
    expect_err(Item::delete_by_id(&mut tx, 1).await, ro, &[]);
    expect_err(
        Item::filter_by_grp("g").delete().exec(&mut tx).await,
        ro,
        &[],
    );
    expect_err(rec.delete().exec(&mut tx).await, ro, &[]);
    let r = toasty::batch((Item::filter_by_id(1), item(3, "c")))
        .exec(&mut tx)
        .await;
    expect_err(r, ro, &[]);
    // Reads work, before and after the refusals.
    assert_eq!(Item::get_by_id(&mut tx, 2).await?.qty, 2);
    assert_eq!(Item::filter_by_grp("g").count().exec(&mut tx).await?, 2);
    let (first, n) = toasty::batch((
        Item::filter_by_grp("g")
            .order_by(Item::fields().id().desc())
            .first(),
        Item::filter_by_grp("g").count(),
    ))
    .exec(&mut tx)
    .await?;
    assert_eq!((first.map(|i| i.id), n), (Some(2), 2));
    {
        // A savepoint of a read-only transaction is read-only too.
        let mut n = tx.transaction().await?;
        expect_err(item(3, "c").exec(&mut n).await, ro, &[]);
        assert_eq!(ids(&mut n).await?, [1, 2]);
        n.commit().await?;
    }
    tx.commit().await?;
    assert_eq!(
        rows(&mut db).await?,
        [(1, "a".to_string(), 1), (2, "b".to_string(), 2)]
    );
    // An ordinary transaction afterwards writes again.
    let mut tx = db.transaction_builder().read_only(false).begin().await?;
    item(3, "c").exec(&mut tx).await?;
    tx.commit().await?;
    assert_eq!(ids(&mut db).await?, [1, 2, 3]);
    Ok(())
}

/// Every isolation level is accepted on every SQL backend (SQLite and memdb give
/// serializable, which satisfies each), read-only or not, and the transaction works.
pub async fn tx_isolation_levels_accepted(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 0)]).await? else {
        return Ok(());
    };
    let levels = [
        IsolationLevel::ReadUncommitted,
        IsolationLevel::ReadCommitted,
        IsolationLevel::RepeatableRead,
        IsolationLevel::Serializable,
    ];
    for (i, level) in levels.into_iter().enumerate() {
        let mut tx = db.transaction_builder().isolation(level).begin().await?;
        let mut rec = Item::get_by_id(&mut tx, 1).await?;
        let next = rec.qty + 1;
        rec.update().qty(next).exec(&mut tx).await?;
        item(10 + i as i64, &format!("n{i}")).exec(&mut tx).await?;
        tx.commit()
            .await
            .map_err(|e| toasty::Error::driver(format!("commit at {level:?} failed: {e}")))?;
        let mut ro = db
            .transaction_builder()
            .isolation(level)
            .read_only(true)
            .begin()
            .await?;
        assert_eq!(Item::get_by_id(&mut ro, 1).await?.qty, i as i64 + 1);
        ro.commit().await?;
    }
    // The level applies to one transaction only: the next default one works as usual.
    let mut tx = db.transaction().await?;
    assert_eq!(Item::get_by_id(&mut tx, 1).await?.qty, 4);
    tx.rollback().await?;
    assert_eq!(ids(&mut db).await?, [1, 10, 11, 12, 13]);
    Ok(())
}

/// Every terminal runs on `&mut tx`: the generated accessors, queries and their
/// `first`/`get`/`count`, pagination, `create!`, `create_many`, `update!`, instance update
/// and delete, batches, the untyped API and `explain`.
pub async fn tx_every_terminal_accepts_tx(t: &mut Test) -> Result<()> {
    let Some(mut db) = open(t, &[(1, "a", "g", 1), (2, "b", "g", 2)]).await? else {
        return Ok(());
    };
    let mut outer = db.transaction().await?;
    let tx = &mut outer;
    assert_eq!(Item::get_by_id(&mut *tx, 1).await?.name, "a");
    assert_eq!(Item::get_by_name(&mut *tx, "b").await?.id, 2);
    assert_eq!(Item::filter_by_grp("g").exec(&mut *tx).await?.len(), 2);
    assert_eq!(Item::filter_by_id(1).exec(&mut *tx).await?.len(), 1);
    assert_eq!(Item::filter_by_name("a").count().exec(&mut *tx).await?, 1);
    let first = Item::filter_by_grp("g")
        .order_by(Item::fields().qty().desc())
        .first()
        .exec(&mut *tx)
        .await?;
    assert_eq!(first.map(|i| i.id), Some(2));
    let got = Item::filter_by_grp("g")
        .filter(Item::fields().qty().eq(1))
        .get(&mut *tx)
        .await?;
    assert_eq!(got.id, 1);

    let mut c = toasty::create!(Item {
        id: 3,
        name: "c",
        grp: "g",
        qty: 3
    })
    .exec(&mut *tx)
    .await?;
    let many = toasty::create!(Item::[
        { id: 4, name: "d", grp: "h", qty: 4 },
        { id: 5, name: "e", grp: "h", qty: 5 },
    ])
    .exec(&mut *tx)
    .await?;
    assert_eq!(many.len(), 2);
    let built = Item::create_many()
        .item(item(6, "f"))
        .exec(&mut *tx)
        .await?;
    assert_eq!(built[0].id, 6);

    let page = Item::filter_by_grp("g")
        .order_by(Item::fields().id().asc())
        .paginate(2)
        .exec(&mut *tx)
        .await?;
    assert_eq!(page.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 2]);
    let next = page.next(&mut *tx).await?.expect("a second page");
    assert_eq!(next.iter().map(|i| i.id).collect::<Vec<_>>(), [3, 6]);
    assert!(!next.has_next());
    let back = next.prev(&mut *tx).await?.expect("the first page again");
    assert_eq!(back.iter().map(|i| i.id).collect::<Vec<_>>(), [1, 2]);

    assert_eq!(toasty::update!(c { qty: 30 }).exec(&mut *tx).await?, 1);
    assert_eq!(c.qty, 30);
    assert_eq!(c.update().name("cc").exec(&mut *tx).await?, 1);
    assert_eq!(Item::update_by_id(1).qty(10).exec(&mut *tx).await?, 1);
    assert_eq!(Item::update_by_name("b").qty(20).exec(&mut *tx).await?, 1);
    assert_eq!(Item::update_by_grp("h").qty(40).exec(&mut *tx).await?, 2);
    assert_eq!(Item::delete_by_name(&mut *tx, "e").await?, 1);
    assert_eq!(many[0].delete().exec(&mut *tx).await?, 1);
    assert_eq!(Item::delete_by_grp(&mut *tx, "none").await?, 0);
    assert_eq!(Item::filter_by_id(6).delete().exec(&mut *tx).await?, 1);
    let (n, all) = toasty::batch((
        Item::filter_by_grp("g").count(),
        Item::filter(Item::fields().id().in_list(0..100)),
    ))
    .exec(&mut *tx)
    .await?;
    assert_eq!((n, all.len()), (3, 3));

    let model = tx.schema().model_id("Item").expect("Item is in the schema");
    let untyped = tx.exec_query(toasty_core::stmt::Query::all(model)).await?;
    assert_eq!(untyped.len(), 3);
    let plan = Item::filter_by_id(1).explain(&*tx)?;
    assert!(!plan.is_empty());
    let plan = toasty::BatchItem::explain(Item::update_by_id(1).qty(1), &*tx)?;
    assert!(plan.contains("update"), "{plan}");

    let want = [
        (1, "a".to_string(), 10),
        (2, "b".to_string(), 20),
        (3, "cc".to_string(), 30),
    ];
    assert_eq!(rows(&mut *tx).await?, want);
    outer.commit().await?;
    assert_eq!(rows(&mut db).await?, want);
    Ok(())
}

/// On a key-value backend `db.transaction()` is `Unsupported` and names `toasty::batch`
/// (every test of this module checks it there); on SQL backends both ways of beginning
/// give a usable transaction, and a failed begin is not left behind.
pub async fn tx_kv_refused_sql_accepted(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Item)).await?;
    if t.is_kv() {
        expect_kv_refusal(&mut db).await;
        // Plain statements still work after the refusal.
        item(1, "a").exec(&mut db).await?;
        assert_eq!(Item::get_by_id(&mut db, 1).await?.name, "a");
        return Ok(());
    }
    let tx = db.transaction().await?;
    tx.commit().await?;
    let tx = db
        .transaction_builder()
        .isolation(IsolationLevel::Serializable)
        .read_only(true)
        .begin()
        .await?;
    tx.rollback().await?;
    item(1, "a").exec(&mut db).await?;
    assert_eq!(ids(&mut db).await?, [1]);
    Ok(())
}

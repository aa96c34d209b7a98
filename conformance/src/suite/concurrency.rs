//! Concurrent clients of one database, as Tokio tasks with a `Db` clone each (the suite
//! runs every test on a current-thread runtime, so tasks interleave at their awaits; the
//! tests yield between reads and writes to make them interleave).
//!
//! * Serializable transfers (SQL backends): every transfer happens exactly once and no
//!   update is lost, with conflicts retried on `SerializationFailure`.
//! * A race for one unique value (every backend; on key-value stores the claim items of
//!   the conditional write decide it): exactly one writer wins.

use super::support::expect_err;
use crate::Test;
use std::time::Duration;
use toasty::{Db, Error, ErrorKind, IsolationLevel, Result};

#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    id: i64,
    balance: i64,
}

/// One transfer, recorded in the transaction that moves the money.
#[derive(Debug, toasty::Model)]
#[key(worker, seq)]
struct Transfer {
    worker: i64,
    seq: i64,
    src: i64,
    dst: i64,
    amount: i64,
}

const WORKERS: i64 = 4;
const TRANSFERS: i64 = 10;
const ACCOUNTS: i64 = 3;
const INITIAL: i64 = 1_000;
const MAX_ATTEMPTS: u32 = 200;

/// The transfer `seq` of `worker`: (from, to, amount).
fn plan(worker: i64, seq: i64) -> (i64, i64, i64) {
    let src = (worker + seq) % ACCOUNTS;
    let dst = (src + 1 + seq % 2) % ACCOUNTS;
    (src, dst, 1 + (worker * TRANSFERS + seq) % 7)
}

/// One attempt: read both balances, write both, record the transfer, commit.
async fn try_transfer(db: &mut Db, worker: i64, seq: i64) -> Result<()> {
    let (src, dst, amount) = plan(worker, seq);
    let mut tx = db
        .transaction_builder()
        .isolation(IsolationLevel::Serializable)
        .begin()
        .await?;
    let mut from = Account::get_by_id(&mut tx, src).await?;
    tokio::task::yield_now().await;
    let mut to = Account::get_by_id(&mut tx, dst).await?;
    tokio::task::yield_now().await;
    let (debited, credited) = (from.balance - amount, to.balance + amount);
    from.update().balance(debited).exec(&mut tx).await?;
    tokio::task::yield_now().await;
    to.update().balance(credited).exec(&mut tx).await?;
    Transfer::create()
        .worker(worker)
        .seq(seq)
        .src(src)
        .dst(dst)
        .amount(amount)
        .exec(&mut tx)
        .await?;
    tokio::task::yield_now().await;
    tx.commit().await
}

/// Runs a worker's transfers, retrying each whole transaction on
/// `SerializationFailure`. Returns how many retries it needed.
async fn worker(mut db: Db, worker: i64) -> Result<u32> {
    let mut retries = 0;
    for seq in 0..TRANSFERS {
        let mut attempt = 0;
        loop {
            match try_transfer(&mut db, worker, seq).await {
                Ok(()) => break,
                Err(e) if e.is_serialization_failure() && attempt < MAX_ATTEMPTS => {
                    attempt += 1;
                    retries += 1;
                    let pause = 1 + (worker as u64 * 7 + u64::from(attempt)) % 5;
                    tokio::time::sleep(Duration::from_millis(pause)).await;
                }
                Err(e) => {
                    return Err(Error::driver(format!(
                        "worker {worker}, transfer {seq}, attempt {attempt}: {e}"
                    )))
                }
            }
        }
    }
    Ok(retries)
}

/// 4 tasks each make 10 transfers between 3 accounts in `Serializable` transactions,
/// retrying on `SerializationFailure`: afterwards every transfer is recorded exactly
/// once, each account's balance is what the recorded transfers say (no lost update),
/// and the total is preserved. Key-value backends refuse the transactions.
pub async fn concurrency_serializable_transfers(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(toasty::models!(Account, Transfer)).await?;
    let mut seed = Account::create_many();
    for id in 0..ACCOUNTS {
        seed = seed.item(Account::create().id(id).balance(INITIAL));
    }
    seed.exec(&mut db).await?;
    if t.is_kv() {
        let r = db
            .transaction_builder()
            .isolation(IsolationLevel::Serializable)
            .begin()
            .await;
        expect_err(r, ErrorKind::Unsupported, &["toasty::batch"]);
        return Ok(());
    }
    let handles: Vec<_> = (0..WORKERS)
        .map(|w| tokio::spawn(worker(db.clone(), w)))
        .collect();
    let mut retries = 0;
    for h in handles {
        retries += h
            .await
            .map_err(|e| Error::driver(format!("a worker task failed: {e}")))??;
    }

    let mut recorded = Vec::new();
    for w in 0..WORKERS {
        let mut mine: Vec<Transfer> = Transfer::filter(Transfer::fields().worker().eq(w))
            .exec(&mut db)
            .await?;
        mine.sort_by_key(|x| x.seq);
        let seqs: Vec<i64> = mine.iter().map(|x| x.seq).collect();
        assert_eq!(
            seqs,
            (0..TRANSFERS).collect::<Vec<_>>(),
            "worker {w}'s transfers"
        );
        for x in &mine {
            assert_eq!((x.src, x.dst, x.amount), plan(w, x.seq));
        }
        recorded.extend(mine);
    }
    let mut expected = vec![INITIAL; ACCOUNTS as usize];
    for x in &recorded {
        expected[x.src as usize] -= x.amount;
        expected[x.dst as usize] += x.amount;
    }
    let mut balances = Vec::new();
    for id in 0..ACCOUNTS {
        balances.push(Account::get_by_id(&mut db, id).await?.balance);
    }
    assert_eq!(
        balances, expected,
        "balances match the recorded transfers ({retries} retries)"
    );
    assert_eq!(balances.iter().sum::<i64>(), INITIAL * ACCOUNTS);
    Ok(())
}

#[derive(Debug, toasty::Model)]
struct Handle {
    #[key]
    id: i64,
    #[unique]
    name: String,
}

/// 4 tasks race to create a record with the same unique value under different keys:
/// exactly one succeeds, the others get `UniqueViolation`, and one record is stored.
/// Repeated for several values, on every backend.
pub async fn concurrency_unique_race(t: &mut Test) -> Result<()> {
    let db = t.setup_db(toasty::models!(Handle)).await?;
    for round in 0..5i64 {
        let name = format!("taken-{round}");
        let handles: Vec<_> = (0..WORKERS)
            .map(|w| {
                let mut db = db.clone();
                let name = name.clone();
                tokio::spawn(async move {
                    tokio::task::yield_now().await;
                    Handle::create()
                        .id(round * 100 + w)
                        .name(name)
                        .exec(&mut db)
                        .await
                })
            })
            .collect();
        let mut won = Vec::new();
        for h in handles {
            let r = h
                .await
                .map_err(|e| Error::driver(format!("a racing task failed: {e}")))?;
            match r {
                Ok(handle) => won.push(handle.id),
                Err(e) => assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}"),
            }
        }
        assert_eq!(won.len(), 1, "exactly one winner in round {round}: {won:?}");
        let mut db = db.clone();
        let stored = Handle::get_by_name(&mut db, name.as_str()).await?;
        assert_eq!(stored.id, won[0]);
        let ids: Vec<i64> = (0..WORKERS).map(|w| round * 100 + w).collect();
        let n = Handle::filter(Handle::fields().id().in_list(ids))
            .count()
            .exec(&mut db)
            .await?;
        assert_eq!(n, 1, "one record stored in round {round}");
    }
    Ok(())
}

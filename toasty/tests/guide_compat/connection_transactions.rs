//! "Transactions", started from a held connection: `db.connection()` then
//! `conn.transaction()` / `conn.transaction_builder()`, nested ones, rollback on drop,
//! and the connection used again after each transaction ends.

use toasty::{Executor, IsolationLevel};

#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    #[auto]
    id: u64,
    owner: String,
    balance: i64,
}

async fn open(e: &mut dyn Executor, owner: &str, balance: i64) -> toasty::Result<Account> {
    toasty::create!(Account {
        owner: owner,
        balance: balance
    })
    .exec(e)
    .await
}

async fn total(e: &mut dyn Executor) -> toasty::Result<i64> {
    Ok(Account::all()
        .exec(e)
        .await?
        .iter()
        .map(|a| a.balance)
        .sum())
}

#[tokio::test]
async fn transactions_on_a_connection() {
    crate::on_every_backend!(toasty::models!(Account), |db| {
        let mut conn = db.connection().await?;
        let alice = open(&mut conn, "alice", 100).await?;
        let bob = open(&mut conn, "bob", 0).await?;

        // A transfer: both updates or neither.
        let mut tx = conn.transaction().await?;
        Account::filter_by_id(alice.id)
            .update()
            .balance(60)
            .exec(&mut tx)
            .await?;
        Account::filter_by_id(bob.id)
            .update()
            .balance(40)
            .exec(&mut tx)
            .await?;
        tx.commit().await?;
        assert_eq!(Account::get_by_id(&mut conn, alice.id).await?.balance, 60);

        // Rolled back explicitly, and by dropping.
        let mut tx = conn.transaction().await?;
        open(&mut tx, "carol", 1_000).await?;
        tx.rollback().await?;
        {
            let mut tx = conn.transaction().await?;
            open(&mut tx, "dave", 1_000).await?;
        }
        assert_eq!(total(&mut conn).await?, 100);

        // Nested transactions are savepoints on the same connection.
        let mut tx = conn.transaction().await?;
        open(&mut tx, "erin", 5).await?;
        {
            let mut nested = tx.transaction().await?;
            open(&mut nested, "frank", 7).await?;
            nested.rollback().await?;
        }
        tx.commit().await?;
        assert_eq!(total(&mut conn).await?, 105);

        // The builder, with the guide's options.
        let mut tx = conn
            .transaction_builder()
            .isolation(IsolationLevel::Serializable)
            .read_only(true)
            .begin()
            .await?;
        assert_eq!(Account::all().exec(&mut tx).await?.len(), 3);
        tx.commit().await?;

        drop(conn);
        assert_eq!(total(&mut db).await?, 105);
        Ok(())
    });
}

//! "Transactions": begin, commit, rollback, rollback on drop, nested transactions,
//! the transaction builder.

use toasty::{Executor, IsolationLevel};

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
}

async fn add(e: &mut dyn Executor, name: &str) -> toasty::Result<User> {
    toasty::create!(User { name: name }).exec(e).await
}

#[tokio::test]
async fn transactions() {
    crate::on_every_backend!(toasty::models!(User), |db| {
        let mut tx = db.transaction().await?;
        toasty::create!(User { name: "Alice" })
            .exec(&mut tx)
            .await?;
        toasty::create!(User { name: "Bob" }).exec(&mut tx).await?;
        assert_eq!(User::all().exec(&mut tx).await?.len(), 2);
        tx.commit().await?;
        assert_eq!(User::all().exec(&mut db).await?.len(), 2);

        let mut tx = db.transaction().await?;
        add(&mut tx, "Carol").await?;
        tx.rollback().await?;
        assert_eq!(User::all().exec(&mut db).await?.len(), 2);

        {
            let mut tx = db.transaction().await?;
            add(&mut tx, "Dropped").await?;
        }
        assert_eq!(User::all().exec(&mut db).await?.len(), 2);

        let mut tx = db.transaction().await?;
        add(&mut tx, "Dave").await?;
        {
            let mut nested = tx.transaction().await?;
            add(&mut nested, "Erin").await?;
            nested.commit().await?;
        }
        {
            let mut nested = tx.transaction().await?;
            add(&mut nested, "Frank").await?;
            nested.rollback().await?;
        }
        tx.commit().await?;
        let mut names: Vec<String> = User::all()
            .exec(&mut db)
            .await?
            .into_iter()
            .map(|u| u.name)
            .collect();
        names.sort();
        assert_eq!(names, ["Alice", "Bob", "Dave", "Erin"]);

        let mut tx = db
            .transaction_builder()
            .isolation(IsolationLevel::Serializable)
            .read_only(true)
            .begin()
            .await?;
        assert_eq!(User::all().exec(&mut tx).await?.len(), 4);
        let err = add(&mut tx, "Nope").await.unwrap_err();
        assert!(err.is_read_only_transaction(), "{err}");
        tx.commit().await?;
        Ok(())
    });
}

//! "Updating Records": `update!` on an instance and on a query, `.update()` on a query,
//! `update_by_*`, counts.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    #[index]
    name: String,
    email: String,
    bio: Option<String>,
}

#[tokio::test]
async fn update_forms() {
    crate::on_every_backend!(toasty::models!(User), |db| {
        let mut user = toasty::create!(User {
            name: "Alice",
            email: "a@x"
        })
        .exec(&mut db)
        .await?;
        toasty::update!(user {
            name: "Alice Smith",
            email: "alice.smith@example.com"
        })
        .exec(&mut db)
        .await?;
        assert_eq!(user.name, "Alice Smith");

        let name = "Alice Jones".to_string();
        toasty::update!(user { name }).exec(&mut db).await?;
        assert_eq!(user.name, "Alice Jones");

        toasty::update!(user {
            bio: Option::<String>::None
        })
        .exec(&mut db)
        .await?;

        let id = user.id;
        let n = toasty::update!(User::filter_by_id(id) { name: "Bob" })
            .exec(&mut db)
            .await?;
        assert_eq!(n, 1);
        let n = User::filter_by_name("Bob")
            .update()
            .email("bob@example.com")
            .exec(&mut db)
            .await?;
        assert_eq!(n, 1);
        User::update_by_id(id).name("Carol").exec(&mut db).await?;
        let stored = User::get_by_id(&mut db, id).await?;
        assert_eq!(
            (stored.name.as_str(), stored.email.as_str()),
            ("Carol", "bob@example.com")
        );

        // Building an update programmatically.
        let mut user = stored;
        let mut builder = user.update().name("Dana");
        if true {
            builder = builder.bio(Some("set at runtime".to_string()));
        }
        builder.exec(&mut db).await?;
        assert_eq!(user.bio.as_deref(), Some("set at runtime"));
        Ok(())
    });
}

/// "Relative numeric updates": `field.add(..)`, `.subtract(..)`, `.increment()`,
/// `.decrement()` in `update!`, and `toasty::stmt::increment()` etc. as setter values.
#[derive(Debug, toasty::Model)]
struct Account {
    #[key]
    #[auto]
    id: u64,
    #[index]
    owner: String,
    balance: i64,
    login_count: i64,
    level: u8,
    score: f64,
}

#[tokio::test]
async fn relative_numeric_updates() {
    crate::on_every_backend!(toasty::models!(Account), |db| {
        let mut account = toasty::create!(Account {
            owner: "ada",
            balance: 1000,
            login_count: 0,
            level: 254,
            score: 1.5,
        })
        .exec(&mut db)
        .await?;

        // Credit an account by 100.
        toasty::update!(account { balance.add(100) })
            .exec(&mut db)
            .await?;
        // Debit by 25.
        toasty::update!(account { balance.subtract(25) })
            .exec(&mut db)
            .await?;
        // Bump a login counter.
        toasty::update!(account { login_count.increment() })
            .exec(&mut db)
            .await?;
        assert_eq!((account.balance, account.login_count), (1075, 1));

        // The builder form, mixed with a plain assignment.
        account
            .update()
            .login_count(toasty::stmt::increment())
            .score(toasty::stmt::add(0.25))
            .owner("ada lovelace")
            .exec(&mut db)
            .await?;
        assert_eq!(account.login_count, 2);
        assert_eq!(account.score, 1.75);
        assert_eq!(account.owner, "ada lovelace");

        // Past the field's type: refused, nothing written, the instance unchanged.
        toasty::update!(account { level.increment() })
            .exec(&mut db)
            .await?;
        assert_eq!(account.level, 255);
        let err = toasty::update!(account { level.increment() })
            .exec(&mut db)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), toasty::ErrorKind::ValueOutOfRange, "{err}");
        assert_eq!(account.level, 255);

        // On a query target, and with `.update()` on a query.
        let other = toasty::create!(Account {
            owner: "bob",
            balance: 5,
            login_count: 0,
            level: 0,
            score: 0.0,
        })
        .exec(&mut db)
        .await?;
        let n =
            toasty::update!(Account::filter_by_owner("bob") { balance.add(10), level.decrement() })
                .exec(&mut db)
                .await;
        assert_eq!(
            n.unwrap_err().kind(),
            toasty::ErrorKind::ValueOutOfRange,
            "0u8 - 1 is refused"
        );
        let n = toasty::update!(Account::filter_by_owner("bob") { balance.add(10) })
            .exec(&mut db)
            .await?;
        assert_eq!(n, 1);
        Account::filter(Account::fields().balance().lt(100))
            .update()
            .balance(toasty::stmt::subtract(3))
            .exec(&mut db)
            .await?;
        let stored = Account::get_by_id(&mut db, other.id).await?;
        assert_eq!((stored.balance, stored.level), (12, 0));
        let stored = Account::get_by_id(&mut db, account.id).await?;
        assert_eq!(
            (stored.balance, stored.login_count, stored.level),
            (1075, 2, 255)
        );
        Ok(())
    });
}

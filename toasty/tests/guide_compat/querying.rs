//! "Querying Records", section "Projecting columns with `.select()`": one field gives
//! `Vec<T>`, a tuple `Vec<(..)>`, after `all()`, `filter()` and `filter_by_*()`, and
//! `.first()` gives `Option<T>`.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[unique]
    email: String,
    nickname: Option<String>,
}

#[tokio::test]
async fn projecting_columns_with_select() {
    crate::on_every_backend!(toasty::models!(User), |db| {
        for (name, email) in [("Alice", "alice@example.com"), ("Bob", "bob@example.com")] {
            toasty::create!(User { name, email }).exec(&mut db).await?;
        }

        // Just the names.
        let mut names: Vec<String> = User::all()
            .select(User::fields().name())
            .exec(&mut db)
            .await?;
        names.sort();
        assert_eq!(names, ["Alice", "Bob"]);

        // A tuple of two fields.
        let pairs: Vec<(u64, String)> = User::all()
            .order_by(User::fields().id().asc())
            .select((User::fields().id(), User::fields().name()))
            .exec(&mut db)
            .await?;
        assert_eq!(pairs.len(), 2);
        assert_eq!(pairs[0].1, "Alice");
        assert!(pairs[0].0 < pairs[1].0);

        // After a generated filter, with `.first()`.
        let name: Option<String> = User::filter_by_email("alice@example.com")
            .select(User::fields().name())
            .first()
            .exec(&mut db)
            .await?;
        assert_eq!(name.as_deref(), Some("Alice"));

        // After `filter()`, an optional field, and `.count()` unaffected.
        let nicknames: Vec<Option<String>> = User::filter(User::fields().name().eq("Bob"))
            .select(User::fields().nickname())
            .exec(&mut db)
            .await?;
        assert_eq!(nicknames, [None]);
        let n = User::all()
            .select(User::fields().email())
            .count()
            .exec(&mut db)
            .await?;
        assert_eq!(n, 2);
        Ok(())
    });
}

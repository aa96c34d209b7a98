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

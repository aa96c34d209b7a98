//! "Creating Records": `create!` in all its forms, `create()` builders, `create_many`.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[unique]
    email: String,
    bio: Option<String>,
}

#[derive(Debug, toasty::Model)]
struct Post {
    #[key]
    #[auto]
    id: u64,
    title: String,
}

mod nested {
    #[derive(Debug, toasty::Model)]
    pub struct Tag {
        #[key]
        #[auto]
        pub id: u64,
        pub label: String,
    }
}

#[tokio::test]
async fn create_macro_forms() {
    crate::on_every_backend!(toasty::models!(User, Post, nested::Tag), |db| {
        let user = toasty::create!(User {
            name: "Alice",
            email: "alice@example.com",
        })
        .exec(&mut db)
        .await?;
        assert_eq!(user.name, "Alice");
        assert_eq!(user.bio, None);

        // Field shorthand.
        let name = "Bob".to_string();
        let email = "bob@example.com";
        let bob = toasty::create!(User { name, email }).exec(&mut db).await?;
        assert_eq!(bob.name, "Bob");

        // Same-model batch, also through a module path.
        let users = toasty::create!(User::[
            { name: "Carol", email: "carol@example.com" },
            { name: "Dan", email: "dan@example.com", bio: "hi" },
        ])
        .exec(&mut db)
        .await?;
        assert_eq!(users.len(), 2);
        let tags = toasty::create!(nested::Tag::[{ label: "a" }, { label: "b" }])
            .exec(&mut db)
            .await?;
        assert_eq!(tags.len(), 2);
        let tag = toasty::create!(nested::Tag { label: "c" })
            .exec(&mut db)
            .await?;
        assert_eq!(tag.label, "c");

        // Mixed-model batch returns a tuple.
        let (user, post) = toasty::create!((
            User {
                name: "Eve",
                email: "eve@example.com"
            },
            Post {
                title: "Hello World"
            },
        ))
        .exec(&mut db)
        .await?;
        assert_eq!(
            (user.name.as_str(), post.title.as_str()),
            ("Eve", "Hello World")
        );
        assert_eq!(User::all().count().exec(&mut db).await?, 5);
        Ok(())
    });
}

#[tokio::test]
async fn create_many_with_item() {
    crate::on_every_backend!(toasty::models!(User, Post, nested::Tag), |db| {
        let posts = Post::create_many()
            .item(toasty::create!(Post {
                title: "Buy groceries"
            }))
            .with_item(|c: PostCreate| c.title("Write docs"))
            .exec(&mut db)
            .await?;
        assert_eq!(posts.len(), 2);
        assert_eq!(posts[1].title, "Write docs");
        Ok(())
    });
}

//! "Batch Operations": `toasty::batch` with tuples, arrays, `Vec`s, queries and creates.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    #[index]
    name: String,
}

#[derive(Debug, toasty::Model)]
struct Post {
    #[key]
    #[auto]
    id: u64,
    #[index]
    title: String,
}

#[tokio::test]
async fn batch_forms() {
    crate::on_every_backend!(toasty::models!(User, Post), |db| {
        let (user, post): (User, Post) = toasty::batch((
            toasty::create!(User { name: "Alice" }),
            toasty::create!(Post { title: "Hello" }),
        ))
        .exec(&mut db)
        .await?;
        assert_eq!(
            (user.name.as_str(), post.title.as_str()),
            ("Alice", "Hello")
        );

        let (users, posts): (Vec<User>, Vec<Post>) = toasty::batch((
            User::filter_by_name("Alice"),
            Post::filter_by_title("Hello"),
        ))
        .exec(&mut db)
        .await?;
        assert_eq!((users.len(), posts.len()), (1, 1));

        let results: Vec<Vec<User>> =
            toasty::batch([User::filter_by_name("Alice"), User::filter_by_name("Bob")])
                .exec(&mut db)
                .await?;
        assert_eq!(results.len(), 2);
        assert_eq!((results[0].len(), results[1].len()), (1, 0));

        let names = ["Alice", "Bob", "Carol"];
        let queries: Vec<_> = names.iter().map(|n| User::filter_by_name(*n)).collect();
        let results: Vec<Vec<User>> = toasty::batch(queries).exec(&mut db).await?;
        assert_eq!(results.len(), 3);
        Ok(())
    });
}

//! "HasMany": querying, creating through and with the parent, linking and unlinking,
//! and the scoped queries of a relation accessor (`filter`, `get_by_id`,
//! `filter_by_id(..).update()`, `filter_by_id(..).delete()`).

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[has_many]
    posts: toasty::Deferred<Vec<Post>>,
}

#[derive(Debug, toasty::Model)]
struct Post {
    #[key]
    #[auto]
    id: u64,
    #[index]
    user_id: u64,
    #[belongs_to(key = user_id, references = id)]
    user: toasty::Deferred<User>,
    title: String,
    published: bool,
}

#[tokio::test]
async fn has_many_basics() {
    crate::on_every_backend!(toasty::models!(User, Post), |db| {
        let user = toasty::create!(User {
            name: "Alice",
            posts: [
                { title: "First post", published: true },
                { title: "Second post", published: false },
            ],
        })
        .exec(&mut db)
        .await?;
        let posts: Vec<Post> = user.posts().exec(&mut db).await?;
        assert_eq!(posts.len(), 2);

        let post = toasty::create!(in user.posts() { title: "Hello World", published: false })
            .exec(&mut db)
            .await?;
        assert_eq!(post.user_id, user.id);

        let other = toasty::create!(User { name: "Bob" }).exec(&mut db).await?;
        other.posts().insert(&mut db, &post).await?;
        assert_eq!(other.posts().count().exec(&mut db).await?, 1);
        other.posts().remove(&mut db, &post).await?;
        assert_eq!(Post::filter_by_id(post.id).count().exec(&mut db).await?, 0);
        Ok(())
    });
}

#[tokio::test]
async fn has_many_scoped_queries() {
    crate::on_every_backend!(toasty::models!(User, Post), |db| {
        let user = toasty::create!(User {
            name: "Alice",
            posts: [
                { title: "Draft", published: false },
                { title: "Live", published: true },
            ],
        })
        .exec(&mut db)
        .await?;
        let other = toasty::create!(User {
            name: "Bob",
            posts: [{ title: "Bob's", published: false }],
        })
        .exec(&mut db)
        .await?;

        let drafts = user
            .posts()
            .filter(Post::fields().published().eq(false))
            .exec(&mut db)
            .await?;
        assert_eq!(drafts.len(), 1);
        let post_id = drafts[0].id;

        let post = user.posts().get_by_id(&mut db, &post_id).await?;
        assert_eq!(post.title, "Draft");
        // A post of another user is not found through this user's scope.
        let bobs = other.posts().exec(&mut db).await?;
        let err = user.posts().get_by_id(&mut db, &bobs[0].id).await;
        assert!(err.is_err_and(|e| e.is_record_not_found()));

        user.posts()
            .filter_by_id(post_id)
            .update()
            .title("New title")
            .exec(&mut db)
            .await?;
        assert_eq!(Post::get_by_id(&mut db, post_id).await?.title, "New title");

        user.posts()
            .filter_by_id(post_id)
            .delete()
            .exec(&mut db)
            .await?;
        assert_eq!(user.posts().count().exec(&mut db).await?, 1);
        assert_eq!(other.posts().count().exec(&mut db).await?, 1);
        Ok(())
    });
}

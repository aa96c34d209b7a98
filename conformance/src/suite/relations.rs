//! Relations: `#[belongs_to]`, `#[has_many]`, `#[has_one]` (lazy and eager), navigation
//! (`author.posts()`, `post.author()`), creating through a relation and nested creates,
//! preloading with `.include(..)`, and what deleting a parent does to its children.
//!
//! The models use `#[auto]` UUID keys so every test runs on key-value stores too, where
//! a relation is served through the index on its foreign key; the example of the issue
//! (auto-increment keys) runs on SQL backends, and key-value stores refuse its schema.

use super::support::expect_err;
use crate::Test;
use toasty::{ErrorKind, Result};
use uuid::Uuid;

#[derive(Debug, toasty::Model)]
struct Author {
    #[key]
    #[auto]
    id: Uuid,
    #[unique]
    email: String,
    name: String,
    #[has_many]
    posts: toasty::HasMany<Post>,
    #[has_one]
    profile: toasty::HasOne<Option<Profile>>,
    #[has_many]
    notes: toasty::Deferred<Vec<Note>>,
}

#[derive(Debug, toasty::Model)]
struct Post {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    author_id: Uuid,
    #[belongs_to(key = author_id, references = id)]
    author: toasty::BelongsTo<Author>,
    title: String,
    #[has_many]
    comments: toasty::Deferred<Vec<Comment>>,
}

#[derive(Debug, toasty::Model)]
struct Comment {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    post_id: Uuid,
    #[belongs_to]
    post: toasty::Deferred<Post>,
    body: String,
}

/// An optional one-to-one child: its foreign key is unique and nullable.
#[derive(Debug, toasty::Model)]
struct Profile {
    #[key]
    #[auto]
    id: Uuid,
    #[unique]
    author_id: Option<Uuid>,
    #[belongs_to]
    author: toasty::Deferred<Option<Author>>,
    bio: String,
}

/// A child that can stand alone: its foreign key is optional.
#[derive(Debug, toasty::Model)]
struct Note {
    #[key]
    #[auto]
    id: Uuid,
    #[index]
    author_id: Option<Uuid>,
    #[belongs_to]
    author: toasty::BelongsTo<Option<Author>>,
    text: String,
}

fn blog() -> toasty::ModelSet {
    toasty::models!(Author, Post, Comment, Profile, Note)
}

fn sorted_titles(posts: &[Post]) -> Vec<String> {
    let mut v: Vec<String> = posts.iter().map(|p| p.title.clone()).collect();
    v.sort();
    v
}

/// The example of the issue: auto-increment keys, a nested create, navigation.
/// Key-value stores cannot generate integer keys and refuse the schema when the `Db`
/// is built.
pub async fn relations_issue_example(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct User {
        #[key]
        #[auto]
        id: u64,
        name: String,
        #[unique]
        email: String,
        #[has_many]
        todos: toasty::HasMany<Todo>,
    }
    #[derive(Debug, toasty::Model)]
    struct Todo {
        #[key]
        #[auto]
        id: u64,
        #[index]
        user_id: u64,
        #[belongs_to(key = user_id, references = id)]
        user: toasty::BelongsTo<User>,
        title: String,
    }
    #[derive(Debug, toasty::Model)]
    struct Probe {
        #[key]
        id: i64,
    }
    t.setup_db(toasty::models!(Probe)).await?;
    if t.is_kv() {
        let r = t.setup_db(toasty::models!(User, Todo)).await;
        expect_err(r, ErrorKind::Unsupported, &["auto", "uuid"]);
        return Ok(());
    }
    let mut db = t.setup_db(toasty::models!(User, Todo)).await?;
    let user = toasty::create!(User {
        name: "Ada",
        email: "ada@example.com",
        todos: [{ title: "Write docs" }, { title: "Ship release" }],
    })
    .exec(&mut db)
    .await?;
    // The created record holds the records created with it.
    let created: Vec<&str> = user.todos.get().iter().map(|t| t.title.as_str()).collect();
    assert_eq!(created, ["Write docs", "Ship release"]);
    assert!(user
        .todos
        .get()
        .iter()
        .all(|t| t.user_id == user.id && t.id > 0));

    let user = User::get_by_id(&mut db, &user.id).await?;
    assert!(
        user.todos.is_unloaded(),
        "a query leaves relations unloaded"
    );
    let todos = user.todos().exec(&mut db).await?;
    let mut titles: Vec<&str> = todos.iter().map(|t| t.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["Ship release", "Write docs"]);
    let owner = todos[0].user().exec(&mut db).await?;
    assert_eq!(owner.email, "ada@example.com");
    assert!(todos[0].user.is_unloaded());
    Ok(())
}

/// A relation that cannot be resolved is an `InvalidSchema` error when the `Db` is
/// built, on every backend, and the message names the fix.
pub async fn relations_schema_errors(t: &mut Test) -> Result<()> {
    mod unpaired {
        #[derive(Debug, toasty::Model)]
        pub struct Owner {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            #[has_many]
            pub pets: toasty::HasMany<Pet>,
        }
        #[derive(Debug, toasty::Model)]
        pub struct Pet {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            #[index]
            pub owner_id: uuid::Uuid,
        }
    }
    mod unindexed {
        #[derive(Debug, toasty::Model)]
        pub struct Owner {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            #[has_many]
            pub pets: toasty::HasMany<Pet>,
        }
        #[derive(Debug, toasty::Model)]
        pub struct Pet {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            pub owner_id: uuid::Uuid,
            #[belongs_to]
            pub owner: toasty::BelongsTo<Owner>,
        }
    }
    mod ambiguous {
        #[derive(Debug, toasty::Model)]
        pub struct Owner {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            #[has_many]
            pub pets: toasty::HasMany<Pet>,
        }
        #[derive(Debug, toasty::Model)]
        #[index(owner_id)]
        #[index(sitter_id)]
        pub struct Pet {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            pub owner_id: uuid::Uuid,
            #[belongs_to]
            pub owner: toasty::BelongsTo<Owner>,
            pub sitter_id: uuid::Uuid,
            #[belongs_to]
            pub sitter: toasty::BelongsTo<Owner>,
        }
    }
    mod unregistered {
        #[derive(Debug, toasty::Model)]
        pub struct Owner {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
        }
        #[derive(Debug, toasty::Model)]
        pub struct Pet {
            #[key]
            #[auto]
            pub id: uuid::Uuid,
            pub owner_id: uuid::Uuid,
            #[belongs_to]
            pub owner: toasty::BelongsTo<Owner>,
        }
    }
    let r = t
        .setup_db(toasty::models!(unpaired::Owner, unpaired::Pet))
        .await;
    expect_err(
        r,
        ErrorKind::InvalidSchema,
        &["Owner.pets", "#[belongs_to", "Pet"],
    );
    let r = t
        .setup_db(toasty::models!(unindexed::Owner, unindexed::Pet))
        .await;
    expect_err(
        r,
        ErrorKind::InvalidSchema,
        &["Owner.pets", "#[index]", "Pet.owner_id"],
    );
    let r = t
        .setup_db(toasty::models!(ambiguous::Owner, ambiguous::Pet))
        .await;
    expect_err(
        r,
        ErrorKind::InvalidSchema,
        &["Owner.pets", "pair = ", "sitter"],
    );
    let r = t.setup_db(toasty::models!(unregistered::Pet)).await;
    expect_err(r, ErrorKind::InvalidSchema, &["Owner", "models!"]);
    Ok(())
}

/// `author.posts()` is a query scoped to the author: filter, order, paginate, count,
/// update, delete, and create in it.
pub async fn relations_has_many_scope(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada"
    })
    .exec(&mut db)
    .await?;
    let bob = toasty::create!(Author {
        email: "bob@x",
        name: "Bob"
    })
    .exec(&mut db)
    .await?;
    let p1 = toasty::create!(in ada.posts() { title: "b" })
        .exec(&mut db)
        .await?;
    assert_eq!(p1.author_id, ada.id);
    ada.posts().create().title("a").exec(&mut db).await?;
    ada.posts().create().title("c").exec(&mut db).await?;
    toasty::create!(in bob.posts() { title: "a" })
        .exec(&mut db)
        .await?;

    assert_eq!(
        sorted_titles(&ada.posts().exec(&mut db).await?),
        ["a", "b", "c"]
    );
    assert_eq!(ada.posts().count().exec(&mut db).await?, 3);
    let ordered = ada
        .posts()
        .order_by(Post::fields().title().desc())
        .exec(&mut db)
        .await?;
    let titles: Vec<&str> = ordered.iter().map(|p| p.title.as_str()).collect();
    assert_eq!(titles, ["c", "b", "a"]);
    let filtered = ada
        .posts()
        .filter(Post::fields().title().ne("b"))
        .exec(&mut db)
        .await?;
    assert_eq!(sorted_titles(&filtered), ["a", "c"]);
    let page = ada
        .posts()
        .order_by(Post::fields().title().asc())
        .paginate(2)
        .exec(&mut db)
        .await?;
    assert_eq!(sorted_titles(&page), ["a", "b"]);
    let next = page.next(&mut db).await?.map(|p| sorted_titles(&p));
    assert_eq!(next, Some(vec!["c".to_string()]));

    // Updates and deletes stay inside the scope.
    let n = ada
        .posts()
        .filter(Post::fields().title().eq("a"))
        .update()
        .title("A")
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    assert_eq!(sorted_titles(&bob.posts().exec(&mut db).await?), ["a"]);
    let n = ada
        .posts()
        .filter(Post::fields().title().eq("c"))
        .delete()
        .exec(&mut db)
        .await?;
    assert_eq!(n, 1);
    assert_eq!(sorted_titles(&ada.posts().exec(&mut db).await?), ["A", "b"]);
    assert_eq!(bob.posts().count().exec(&mut db).await?, 1);

    // A scoped create may not point the record elsewhere.
    let r = toasty::create!(in ada.posts() { title: "x", author_id: bob.id })
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::InvalidStatement, &["Post"]);
    Ok(())
}

/// `post.author()` loads the parent; `author.profile()` the optional child;
/// `profile.author()` the optional parent.
pub async fn relations_belongs_to_and_has_one(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada"
    })
    .exec(&mut db)
    .await?;
    let post = toasty::create!(Post {
        title: "t",
        author: &ada
    })
    .exec(&mut db)
    .await?;
    assert_eq!(post.author_id, ada.id);
    let parent = post.author().exec(&mut db).await?;
    assert_eq!(parent.email, "ada@x");
    assert_eq!(post.author().get(&mut db).await?.id, ada.id);

    assert!(ada.profile().exec(&mut db).await?.is_none());
    let profile = toasty::create!(in ada.profile() { bio: "hi" })
        .exec(&mut db)
        .await?;
    assert_eq!(profile.author_id, Some(ada.id));
    let found = ada.profile().exec(&mut db).await?;
    assert_eq!(found.map(|p| p.bio), Some("hi".to_string()));
    let back = profile.author().exec(&mut db).await?;
    assert_eq!(back.map(|a| a.id), Some(ada.id));

    // A second profile for the same author breaks the unique foreign key.
    let r = toasty::create!(in ada.profile() { bio: "again" })
        .exec(&mut db)
        .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);

    // An optional relation that is not set has no parent.
    let orphan = toasty::create!(Note { text: "alone" })
        .exec(&mut db)
        .await?;
    assert_eq!(orphan.author_id, None);
    assert!(orphan.author().exec(&mut db).await?.is_none());
    let linked = toasty::create!(Note {
        text: "mine",
        author: &ada
    })
    .exec(&mut db)
    .await?;
    assert_eq!(
        linked.author().exec(&mut db).await?.map(|a| a.id),
        Some(ada.id)
    );

    // Pointing a relation elsewhere with an update.
    let bob = toasty::create!(Author {
        email: "bob@x",
        name: "Bob"
    })
    .exec(&mut db)
    .await?;
    let mut post = post;
    post.update().author(&bob).exec(&mut db).await?;
    assert_eq!(post.author_id, bob.id);
    assert_eq!(post.author().exec(&mut db).await?.email, "bob@x");
    Ok(())
}

/// Nested creates: a list for a `#[has_many]`, a record for a `#[has_one]` and for a
/// `#[belongs_to]`, two levels deep; the returned record holds what was created with it.
pub async fn relations_nested_create(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada",
        profile: { bio: "writer" },
        posts: [
            { title: "one", comments: [{ body: "c1" }, { body: "c2" }] },
            { title: "two" },
        ],
    })
    .exec(&mut db)
    .await?;
    let posts = ada.posts.get();
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|p| p.author_id == ada.id));
    assert_eq!(posts[0].comments.get().len(), 2);
    assert!(posts[0]
        .comments
        .get()
        .iter()
        .all(|c| c.post_id == posts[0].id));
    let profile = ada
        .profile
        .get()
        .as_ref()
        .map(|p| (p.bio.clone(), p.author_id));
    assert_eq!(profile, Some(("writer".to_string(), Some(ada.id))));

    // Everything is stored.
    let stored = ada.posts().exec(&mut db).await?;
    assert_eq!(sorted_titles(&stored), ["one", "two"]);
    let one = stored.iter().find(|p| p.title == "one").map(|p| p.id);
    let one = Post::get_by_id(&mut db, one.unwrap_or_default()).await?;
    assert_eq!(one.comments().count().exec(&mut db).await?, 2);
    let bio = ada.profile().exec(&mut db).await?.map(|p| p.bio);
    assert_eq!(bio, Some("writer".to_string()));

    // A parent given inline is created first.
    let post = toasty::create!(Post {
        title: "guest",
        author: { email: "bob@x", name: "Bob" },
    })
    .exec(&mut db)
    .await?;
    let bob = Author::get_by_email(&mut db, "bob@x").await?;
    assert_eq!(post.author_id, bob.id);
    assert_eq!(post.author.get().id, bob.id);

    // Builder form: the singular setter and the closure form.
    let carol = Author::create()
        .email("carol@x")
        .name("Carol")
        .post(Post::create().title("p1"))
        .with_posts(|p| p.title("p2"))
        .exec(&mut db)
        .await?;
    assert_eq!(sorted_titles(carol.posts.get()), ["p1", "p2"]);
    assert_eq!(carol.posts().count().exec(&mut db).await?, 2);

    // A nested record may not set the foreign key its parent gives it.
    let r = toasty::create!(Author {
        email: "dan@x",
        name: "Dan",
        posts: [{ title: "x", author_id: bob.id }],
    })
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::InvalidStatement, &["Post.author_id"]);
    Ok(())
}

/// A nested create is one atomic statement: when a child fails, the parent and the
/// other children are not stored either.
pub async fn relations_nested_create_atomic(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Team {
        #[key]
        #[auto]
        id: Uuid,
        #[unique]
        name: String,
        #[has_many]
        members: toasty::HasMany<Member>,
    }
    #[derive(Debug, toasty::Model)]
    struct Member {
        #[key]
        #[auto]
        id: Uuid,
        #[index]
        team_id: Uuid,
        #[belongs_to]
        team: toasty::BelongsTo<Team>,
        #[unique]
        handle: String,
    }
    let mut db = t.setup_db(toasty::models!(Team, Member)).await?;
    toasty::create!(Team {
        name: "first",
        members: [{ handle: "taken" }],
    })
    .exec(&mut db)
    .await?;
    let r = toasty::create!(Team {
        name: "second",
        members: [{ handle: "fresh" }, { handle: "taken" }],
    })
    .exec(&mut db)
    .await;
    expect_err(r, ErrorKind::UniqueViolation, &[]);
    let r = Team::get_by_name(&mut db, "second").await;
    expect_err(r, ErrorKind::NotFound, &[]);
    let r = Member::get_by_handle(&mut db, "fresh").await;
    expect_err(r, ErrorKind::NotFound, &[]);
    assert_eq!(
        Member::get_by_handle(&mut db, "taken").await?.handle,
        "taken"
    );
    Ok(())
}

/// `.include(..)` loads relations with the records: has many, belongs to, has one,
/// several at once and nested; `get()` and `try_get()` read them.
pub async fn relations_include(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada",
        profile: { bio: "writer" },
        posts: [
            { title: "one", comments: [{ body: "c1" }, { body: "c2" }] },
            { title: "two" },
        ],
    })
    .exec(&mut db)
    .await?;
    let bob = toasty::create!(Author {
        email: "bob@x",
        name: "Bob",
        posts: [{ title: "three" }],
    })
    .exec(&mut db)
    .await?;
    let ids = [ada.id, bob.id];

    let authors = Author::filter(Author::fields().id().in_list(ids))
        .order_by(Author::fields().email().asc())
        .include(Author::fields().posts())
        .include(Author::fields().profile())
        .exec(&mut db)
        .await?;
    assert_eq!(authors.len(), 2);
    assert_eq!(sorted_titles(authors[0].posts.get()), ["one", "two"]);
    assert_eq!(sorted_titles(authors[1].posts.get()), ["three"]);
    assert_eq!(
        authors[0].profile.get().as_ref().map(|p| p.bio.as_str()),
        Some("writer")
    );
    assert!(authors[1].profile.get().is_none(), "loaded, and empty");
    assert!(authors[0].notes.try_get().is_none(), "not included");
    assert!(authors[0]
        .posts
        .get()
        .iter()
        .all(|p| p.comments.is_unloaded()));

    // Nested: each post's comments and each comment's post.
    let ada2 = Author::filter_by_id(ada.id)
        .include(Author::fields().posts().comments().post())
        .get(&mut db)
        .await?;
    let mut counts: Vec<(String, usize)> = ada2
        .posts
        .get()
        .iter()
        .map(|p| (p.title.clone(), p.comments.get().len()))
        .collect();
    counts.sort();
    assert_eq!(counts, [("one".to_string(), 2), ("two".to_string(), 0)]);
    for p in ada2.posts.get() {
        for c in p.comments.get() {
            assert_eq!(c.post.get().id, p.id);
        }
    }

    // Belongs to, from the child side; records that share a parent each get it.
    let posts = Post::filter(Post::fields().author_id().eq(ada.id))
        .include(Post::fields().author())
        .exec(&mut db)
        .await?;
    assert_eq!(posts.len(), 2);
    assert!(posts.iter().all(|p| p.author.get().email == "ada@x"));

    // First and paginate load includes too.
    let first = Post::filter(Post::fields().author_id().eq(bob.id))
        .include(Post::fields().author())
        .first()
        .exec(&mut db)
        .await?;
    assert_eq!(
        first.map(|p| p.author.get().name.clone()),
        Some("Bob".into())
    );
    let page = ada
        .posts()
        .order_by(Post::fields().title().asc())
        .include(Post::fields().comments())
        .paginate(1)
        .exec(&mut db)
        .await?;
    assert_eq!(page[0].comments.get().len(), 2);

    // An optional parent that is not set is loaded as None.
    let note = toasty::create!(Note { text: "alone" })
        .exec(&mut db)
        .await?;
    let note = Note::filter_by_id(note.id)
        .include(Note::fields().author())
        .get(&mut db)
        .await?;
    assert!(note.author.get().is_none());
    Ok(())
}

/// Deleting a parent deletes the children whose foreign key is required (and theirs in
/// turn) and sets optional foreign keys to NULL, in the same atomic statement.
pub async fn relations_delete_cascade(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada",
        profile: { bio: "writer" },
        posts: [{ title: "one", comments: [{ body: "c1" }] }, { title: "two" }],
        notes: [{ text: "kept" }],
    })
    .exec(&mut db)
    .await?;
    let bob = toasty::create!(Author {
        email: "bob@x",
        name: "Bob",
        posts: [{ title: "three", comments: [{ body: "c2" }] }],
        notes: [{ text: "bob's" }],
    })
    .exec(&mut db)
    .await?;
    let ada_posts: Vec<Uuid> = ada.posts.get().iter().map(|p| p.id).collect();
    let comment = ada.posts.get()[0].comments.get()[0].id;
    let note = ada.notes.get()[0].id;
    let profile = ada.profile.get().as_ref().map(|p| p.id).unwrap_or_default();

    assert_eq!(ada.delete().exec(&mut db).await?, 1);
    expect_err(
        Author::get_by_id(&mut db, ada.id).await,
        ErrorKind::NotFound,
        &[],
    );
    for id in &ada_posts {
        expect_err(Post::get_by_id(&mut db, id).await, ErrorKind::NotFound, &[]);
    }
    expect_err(
        Comment::get_by_id(&mut db, comment).await,
        ErrorKind::NotFound,
        &[],
    );
    assert_eq!(Note::get_by_id(&mut db, note).await?.author_id, None);
    assert_eq!(Profile::get_by_id(&mut db, profile).await?.author_id, None);

    // Bob's records are untouched.
    assert_eq!(bob.posts().count().exec(&mut db).await?, 1);
    assert_eq!(bob.notes().count().exec(&mut db).await?, 1);

    // Deleting by filter cascades for every matched parent; deleting nothing is 0.
    assert_eq!(
        Author::filter_by_email("nobody@x")
            .delete()
            .exec(&mut db)
            .await?,
        0
    );
    assert_eq!(
        Author::filter_by_email("bob@x")
            .delete()
            .exec(&mut db)
            .await?,
        1
    );
    let left = Comment::filter(
        Comment::fields()
            .post_id()
            .in_list(bob.posts.get().iter().map(|p| p.id).collect::<Vec<_>>()),
    )
    .count()
    .exec(&mut db)
    .await?;
    assert_eq!(left, 0);
    Ok(())
}

/// On a key-value store the whole cascade is one `TransactWrite`: past its 100 items the
/// delete is refused and nothing is deleted. SQL backends delete everything.
pub async fn relations_cascade_all_or_nothing(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada"
    })
    .exec(&mut db)
    .await?;
    for chunk in 0..3 {
        let mut batch = toasty::CreateMany::<Post>::new();
        for i in 0..40 {
            batch = batch.item(ada.posts().create().title(format!("p{chunk}-{i}")));
        }
        batch.exec(&mut db).await?;
    }
    assert_eq!(ada.posts().count().exec(&mut db).await?, 120);
    let r = ada.delete().exec(&mut db).await;
    if t.is_kv() {
        expect_err(r, ErrorKind::Unsupported, &["100"]);
        assert_eq!(Author::get_by_id(&mut db, ada.id).await?.id, ada.id);
        assert_eq!(ada.posts().count().exec(&mut db).await?, 120);
    } else {
        assert_eq!(r?, 1);
        assert_eq!(ada.posts().count().exec(&mut db).await?, 0);
    }
    Ok(())
}

/// Eager relation fields (`Vec<T>`, `T`, `Option<T>` without `Deferred`) are loaded by
/// every query that returns their model, and by creates.
pub async fn relations_eager(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Shelf {
        #[key]
        #[auto]
        id: Uuid,
        #[unique]
        label: String,
        #[has_many]
        books: Vec<Book>,
    }
    #[derive(Debug, toasty::Model)]
    struct Book {
        #[key]
        #[auto]
        id: Uuid,
        #[index]
        shelf_id: Uuid,
        #[belongs_to]
        shelf: toasty::Deferred<Shelf>,
        title: String,
        #[index]
        cover_id: Option<Uuid>,
        #[belongs_to]
        cover: Option<Cover>,
    }
    #[derive(Debug, toasty::Model)]
    struct Cover {
        #[key]
        #[auto]
        id: Uuid,
        color: String,
    }
    let mut db = t.setup_db(toasty::models!(Shelf, Book, Cover)).await?;
    let red = toasty::create!(Cover { color: "red" })
        .exec(&mut db)
        .await?;
    let shelf = toasty::create!(Shelf {
        label: "a",
        books: [{ title: "x", cover: &red }, { title: "y" }],
    })
    .exec(&mut db)
    .await?;
    assert_eq!(shelf.books.len(), 2);
    let empty = toasty::create!(Shelf { label: "b" }).exec(&mut db).await?;
    assert!(empty.books.is_empty());

    let shelf = Shelf::get_by_label(&mut db, "a").await?;
    let mut books: Vec<(String, Option<String>)> = shelf
        .books
        .iter()
        .map(|b| (b.title.clone(), b.cover.as_ref().map(|c| c.color.clone())))
        .collect();
    books.sort();
    assert_eq!(
        books,
        [
            ("x".to_string(), Some("red".to_string())),
            ("y".to_string(), None)
        ]
    );
    assert!(shelf.books.iter().all(|b| b.shelf.is_unloaded()));
    let book = Book::filter(Book::fields().shelf_id().eq(shelf.id))
        .filter(Book::fields().title().eq("x"))
        .get(&mut db)
        .await?;
    assert_eq!(book.cover.map(|c| c.id), Some(red.id));
    Ok(())
}

/// A composite foreign key (`key = [..], references = [..]`) behaves like a single one.
pub async fn relations_composite_key(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    #[key(org, id)]
    struct Squad {
        org: i64,
        id: i64,
        name: String,
        #[has_many]
        players: toasty::HasMany<Player>,
    }
    #[derive(Debug, toasty::Model)]
    #[index(org, squad_id)]
    struct Player {
        #[key]
        #[auto]
        id: Uuid,
        org: i64,
        squad_id: i64,
        #[belongs_to(key = [org, squad_id], references = [org, id])]
        squad: toasty::BelongsTo<Squad>,
        name: String,
    }
    let mut db = t.setup_db(toasty::models!(Squad, Player)).await?;
    let a = toasty::create!(Squad {
        org: 1,
        id: 7,
        name: "a",
        players: [{ name: "p" }, { name: "q" }],
    })
    .exec(&mut db)
    .await?;
    toasty::create!(Squad {
        org: 2,
        id: 7,
        name: "other org",
        players: [{ name: "r" }],
    })
    .exec(&mut db)
    .await?;
    assert!(a
        .players
        .get()
        .iter()
        .all(|p| p.org == 1 && p.squad_id == 7));
    let mut names: Vec<String> = a
        .players()
        .exec(&mut db)
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    names.sort();
    assert_eq!(names, ["p", "q"]);
    let p = a.players().first().exec(&mut db).await?;
    let squad = match p {
        Some(p) => p.squad().exec(&mut db).await?,
        None => return Err(toasty::Error::not_found("no player")),
    };
    assert_eq!((squad.org, squad.id, squad.name.as_str()), (1, 7, "a"));
    let loaded = Squad::filter(Squad::fields().org().in_list([1, 2]))
        .filter(Squad::fields().id().eq(7))
        .include(Squad::fields().players())
        .exec(&mut db)
        .await?;
    let mut sizes: Vec<(i64, usize)> = loaded
        .iter()
        .map(|s| (s.org, s.players.get().len()))
        .collect();
    sizes.sort();
    assert_eq!(sizes, [(1, 2), (2, 1)]);
    assert_eq!(a.delete().exec(&mut db).await?, 1);
    let left = Player::filter(Player::fields().org().in_list([1, 2]))
        .count()
        .exec(&mut db)
        .await?;
    assert_eq!(left, 1);
    Ok(())
}

/// A model related to itself (an optional manager, the reports pointing at it):
/// deleting a manager unlinks the reports; deleting a whole team by filter, where some
/// of the deleted records are reports of others, deletes them all.
pub async fn relations_self_referential(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Employee {
        #[key]
        #[auto]
        id: Uuid,
        #[index]
        team: String,
        name: String,
        #[index]
        manager_id: Option<Uuid>,
        #[belongs_to(key = manager_id, references = id)]
        manager: toasty::BelongsTo<Option<Employee>>,
        #[has_many(pair = manager)]
        reports: toasty::HasMany<Employee>,
    }
    let mut db = t.setup_db(toasty::models!(Employee)).await?;
    let boss = toasty::create!(Employee {
        team: "a",
        name: "boss",
        reports: [{ team: "a", name: "r1" }, { team: "b", name: "r2" }],
    })
    .exec(&mut db)
    .await?;
    let r1 = Employee::filter_by_team("a")
        .filter(Employee::fields().name().eq("r1"))
        .include(Employee::fields().manager().reports())
        .get(&mut db)
        .await?;
    let manager = r1
        .manager
        .get()
        .as_ref()
        .map(|m| (m.id, m.reports.get().len()));
    assert_eq!(manager, Some((boss.id, 2)));

    // The boss and r1 are deleted together: r1 is only deleted, not also unlinked.
    assert_eq!(
        Employee::filter_by_team("a").delete().exec(&mut db).await?,
        2
    );
    let left = Employee::filter_by_team("b").exec(&mut db).await?;
    assert_eq!(left.len(), 1);
    assert_eq!(
        left[0].manager_id, None,
        "the report in another team is unlinked"
    );
    assert_eq!(
        Employee::filter_by_team("a").count().exec(&mut db).await?,
        0
    );
    Ok(())
}

/// In a batch, a query's included relations are read with the query: a later statement
/// of the batch does not change them.
pub async fn relations_include_in_batch(t: &mut Test) -> Result<()> {
    let mut db = t.setup_db(blog()).await?;
    let ada = toasty::create!(Author {
        email: "ada@x",
        name: "Ada",
        posts: [{ title: "one" }, { title: "two" }],
    })
    .exec(&mut db)
    .await?;
    let (loaded, deleted) = toasty::batch((
        Author::filter_by_email("ada@x").include(Author::fields().posts()),
        ada.posts().delete(),
    ))
    .exec(&mut db)
    .await?;
    assert_eq!(deleted, 2);
    assert_eq!(loaded.len(), 1);
    assert_eq!(sorted_titles(loaded[0].posts.get()), ["one", "two"]);
    assert_eq!(ada.posts().count().exec(&mut db).await?, 0);
    Ok(())
}

/// A child that refers to a deleted parent through two optional relations is unlinked
/// from both.
pub async fn relations_unlink_through_two_relations(t: &mut Test) -> Result<()> {
    #[derive(Debug, toasty::Model)]
    struct Person {
        #[key]
        #[auto]
        id: Uuid,
        #[unique]
        name: String,
        #[has_many(pair = writer)]
        written: toasty::HasMany<Doc>,
        #[has_many(pair = editor)]
        edited: toasty::HasMany<Doc>,
    }
    #[derive(Debug, toasty::Model)]
    struct Doc {
        #[key]
        #[auto]
        id: Uuid,
        #[index]
        writer_id: Option<Uuid>,
        #[belongs_to]
        writer: toasty::BelongsTo<Option<Person>>,
        #[index]
        editor_id: Option<Uuid>,
        #[belongs_to]
        editor: toasty::BelongsTo<Option<Person>>,
        title: String,
    }
    let mut db = t.setup_db(toasty::models!(Person, Doc)).await?;
    let ada = toasty::create!(Person {
        name: "ada",
        written: [{ title: "both" }, { title: "written" }],
    })
    .exec(&mut db)
    .await?;
    let both = ada.written.get()[0].id;
    Doc::filter_by_id(both)
        .update()
        .editor(&ada)
        .exec(&mut db)
        .await?;
    assert_eq!(ada.edited().count().exec(&mut db).await?, 1);
    assert_eq!(ada.delete().exec(&mut db).await?, 1);
    let doc = Doc::get_by_id(&mut db, both).await?;
    assert_eq!((doc.writer_id, doc.editor_id), (None, None));
    let other = Doc::get_by_id(&mut db, ada.written.get()[1].id).await?;
    assert_eq!(other.writer_id, None);
    Ok(())
}

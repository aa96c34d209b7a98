//! A walk through Toasty on the in-memory reference driver: create, query, update,
//! paginate, relations (nested create, navigation, preloading, cascading delete), a
//! transaction, a batch and delete.
//!
//! Run it with `cargo run -p toasty --example quickstart`.

use toasty::Model;

#[derive(Debug, Model)]
struct User {
    #[key]
    #[auto]
    id: u64,

    #[index]
    name: String,

    #[unique]
    email: String,

    age: Option<u8>,

    // A relation, not a column: the todos whose `user_id` is this user's id.
    #[has_many]
    todos: toasty::HasMany<Todo>,
}

#[derive(Debug, Model)]
struct Todo {
    #[key]
    #[auto]
    id: u64,

    // The foreign key, indexed so a user's todos are found without a scan.
    #[index]
    user_id: u64,

    #[belongs_to(key = user_id, references = id)]
    user: toasty::BelongsTo<User>,

    title: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> toasty::Result<()> {
    // The same code runs on "sqlite::memory:", "postgres://...", "mysql://..." once
    // those drivers are enabled; "memory:" needs nothing.
    let mut db = toasty::Db::builder()
        .models(toasty::models!(User, Todo))
        .connect("memory:")
        .await?;
    db.push_schema().await?;
    println!(
        "connected to {} and created the `users` and `todos` tables",
        db.capability().name
    );

    // Create: one record, then a batch.
    let mut ada = toasty::create!(User {
        name: "Ada",
        email: "ada@example.com",
        age: 36
    })
    .exec(&mut db)
    .await?;
    println!("created {ada:?}");

    let others = toasty::create!(User::[
        { name: "Grace", email: "grace@example.com", age: 45 },
        { name: "Alan", email: "alan@example.com" },
        { name: "Edsger", email: "edsger@example.com", age: 72 },
        { name: "Barbara", email: "barbara@example.com", age: 29 },
    ])
    .exec(&mut db)
    .await?;
    println!("created {} more users in one batch", others.len());

    // Query: by key, by a unique field, by a filter, in order.
    let found = User::get_by_id(&mut db, ada.id).await?;
    println!("get_by_id({}) -> {}", ada.id, found.name);

    let grace = User::get_by_email(&mut db, "grace@example.com").await?;
    println!(
        "get_by_email(grace@example.com) -> {} (age {:?})",
        grace.name, grace.age
    );

    let over_30 = User::filter(User::fields().age().gt(30))
        .order_by(User::fields().age().desc())
        .exec(&mut db)
        .await?;
    let names: Vec<&str> = over_30.iter().map(|u| u.name.as_str()).collect();
    println!("older than 30, oldest first: {names:?}");

    let unknown_age = User::filter(User::fields().age().is_none())
        .count()
        .exec(&mut db)
        .await?;
    println!("users without an age: {unknown_age}");

    let a_names = User::filter(User::fields().name().starts_with("A"))
        .order_by(User::fields().name().asc())
        .exec(&mut db)
        .await?;
    println!(
        "names starting with 'A': {:?}",
        a_names.iter().map(|u| &u.name).collect::<Vec<_>>()
    );

    // Update: the record in the database and the local value.
    toasty::update!(ada {
        name: "Ada Lovelace"
    })
    .exec(&mut db)
    .await?;
    println!("renamed user {} to {}", ada.id, ada.name);

    // Paginate: two users per page, by name, forward then back.
    let mut page = User::all()
        .order_by(User::fields().name().asc())
        .paginate(2)
        .exec(&mut db)
        .await?;
    let mut number = 1;
    loop {
        let names: Vec<&str> = page.iter().map(|u| u.name.as_str()).collect();
        println!("page {number}: {names:?}");
        match page.next(&mut db).await? {
            Some(next) => {
                page = next;
                number += 1;
            }
            None => break,
        }
    }
    if let Some(prev) = page.prev(&mut db).await? {
        let names: Vec<&str> = prev.iter().map(|u| u.name.as_str()).collect();
        println!("back to page {}: {names:?}", number - 1);
    }

    // Relations: a user created with its todos in one atomic statement (the todos get
    // the user's generated id as their foreign key).
    let linus = toasty::create!(User {
        name: "Linus",
        email: "linus@example.com",
        todos: [{ title: "Write docs" }, { title: "Ship release" }],
    })
    .exec(&mut db)
    .await?;
    println!(
        "created {} with {} todos",
        linus.name,
        linus.todos.get().len()
    );

    // `user.todos()` is a query scoped to the user; create in it, filter it, count it.
    toasty::create!(in linus.todos() { title: "Answer mail" })
        .exec(&mut db)
        .await?;
    let todos = linus
        .todos()
        .order_by(Todo::fields().title().asc())
        .exec(&mut db)
        .await?;
    let titles: Vec<&str> = todos.iter().map(|t| t.title.as_str()).collect();
    println!("{}'s todos: {titles:?}", linus.name);
    let owner = todos[0].user().exec(&mut db).await?;
    println!("the todo {:?} belongs to {}", todos[0].title, owner.name);

    // Preloading: one more read loads the todos of every user returned.
    let with_todos = User::filter(User::fields().name().starts_with("L"))
        .include(User::fields().todos())
        .exec(&mut db)
        .await?;
    for user in &with_todos {
        println!(
            "{} has {} todos (preloaded)",
            user.name,
            user.todos.get().len()
        );
    }

    // Deleting a user deletes its todos (their foreign key is required), atomically.
    linus.delete().exec(&mut db).await?;
    let orphans = Todo::all().count().exec(&mut db).await?;
    println!("after deleting {}: {orphans} todos left", linus.name);

    // Errors are values: a duplicate email is a unique violation.
    let err = User::create()
        .name("Impostor")
        .email("ada@example.com")
        .exec(&mut db)
        .await
        .unwrap_err();
    println!("creating a second ada@example.com fails: {err}");

    // A transaction: both creates happen, or neither. Dropping `tx` without commit()
    // would roll it back.
    let mut tx = db.transaction().await?;
    toasty::create!(User {
        name: "Margaret",
        email: "margaret@example.com",
        age: 28
    })
    .exec(&mut tx)
    .await?;
    toasty::create!(User {
        name: "Donald",
        email: "donald@example.com",
        age: 31
    })
    .exec(&mut tx)
    .await?;
    tx.commit().await?;

    // A batch: statements of any models, run together, all or nothing.
    let (margaret, young) = toasty::batch((
        User::filter_by_email("margaret@example.com").one(),
        User::filter(User::fields().age().lt(30)).count(),
    ))
    .exec(&mut db)
    .await?;
    println!(
        "batch: found {} (age {:?}); {young} user(s) under 30",
        margaret.name, margaret.age
    );

    // Delete: one record, then by a filter (which says how many it removed).
    ada.delete().exec(&mut db).await?;
    let removed = User::filter(User::fields().age().lt(30))
        .delete()
        .exec(&mut db)
        .await?;
    println!("deleted {removed} user(s) under 30");
    let left = User::all()
        .order_by(User::fields().name().asc())
        .exec(&mut db)
        .await?;
    println!(
        "after deleting Ada and everyone under 30: {:?}",
        left.iter().map(|u| &u.name).collect::<Vec<_>>()
    );
    Ok(())
}

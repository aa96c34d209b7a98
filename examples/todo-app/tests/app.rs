//! The application's tests, written once with `#[toasty::test]`: each runs on memdb and
//! on every backend the environment configures (`scripts/test` provisions SQLite,
//! PostgreSQL and MariaDB), reported per backend.

use toasty::Db;
use todo_app::{
    add_todos, complete_all, hand_over, open_todos, sign_up, sign_up_with_todos, users_with_todos,
    Todo, User,
};

async fn ada_with_three_todos(db: &mut Db) -> toasty::Result<()> {
    let ada = sign_up(db, "Ada", "ada@example.com").await?;
    add_todos(db, &ada, &["write docs", "ship", "rest"]).await?;
    Ok(())
}

async fn ada(db: &mut Db) -> toasty::Result<User> {
    User::get_by_email(db, "ada@example.com").await
}

#[toasty::test(models(User, Todo))]
async fn emails_are_unique(db: &mut Db) -> toasty::Result<()> {
    sign_up(db, "Ada", "ada@example.com").await?;
    let err = sign_up(db, "Impostor", "ada@example.com")
        .await
        .unwrap_err();
    assert!(err.is_unique_violation(), "{err}");
    assert_eq!(User::all().count().exec(db).await?, 1);
    Ok(())
}

#[toasty::test(models(User, Todo), fixtures(ada_with_three_todos))]
async fn completing_todos(db: &mut Db) -> toasty::Result<()> {
    let ada = ada(db).await?;
    assert_eq!(open_todos(db, &ada).await?.len(), 3);
    assert_eq!(complete_all(db, &ada).await?, 3);
    assert!(open_todos(db, &ada).await?.is_empty());
    assert_eq!(complete_all(db, &ada).await?, 0);
    Ok(())
}

#[toasty::test(models(User, Todo), fixtures(ada_with_three_todos))]
async fn handing_over_is_atomic(db: &mut Db) -> toasty::Result<()> {
    let ada = ada(db).await?;
    let grace = sign_up(db, "Grace", "grace@example.com").await?;
    assert_eq!(hand_over(db, &ada, &grace).await?, 3);
    assert_eq!(open_todos(db, &grace).await?.len(), 3);
    assert!(open_todos(db, &ada).await?.is_empty());
    Ok(())
}

/// Differential: what the app shows must be the same on every database, down to the
/// tables' contents.
#[toasty::test(
    models(User, Todo),
    fixtures(ada_with_three_todos),
    differential(tables)
)]
async fn the_open_list_is_the_same_everywhere(db: &mut Db) -> toasty::Result<Vec<String>> {
    let ada = ada(db).await?;
    let first = open_todos(db, &ada).await?.remove(0);
    toasty::update!(Todo::filter_by_id(first.id) { done: true })
        .exec(db)
        .await?;
    Ok(open_todos(db, &ada)
        .await?
        .into_iter()
        .map(|t| t.title)
        .collect())
}

#[toasty::test(models(User, Todo))]
async fn signing_up_with_a_list_is_one_statement(db: &mut Db) -> toasty::Result<()> {
    let ada = sign_up_with_todos(db, "Ada", "ada@example.com", "write docs", "ship").await?;
    assert_eq!(open_todos(db, &ada).await?.len(), 2);
    // The email is taken: neither the user nor any item is stored.
    let err = sign_up_with_todos(db, "Ada 2", "ada@example.com", "a", "b")
        .await
        .unwrap_err();
    assert!(err.is_unique_violation(), "{err}");
    assert_eq!(Todo::all().count().exec(db).await?, 2);
    Ok(())
}

#[toasty::test(models(User, Todo), fixtures(ada_with_three_todos))]
async fn loading_users_with_their_lists(db: &mut Db) -> toasty::Result<()> {
    let grace = sign_up(db, "Grace", "grace@example.com").await?;
    add_todos(db, &grace, &["review"]).await?;
    let users = users_with_todos(db).await?;
    let counts: Vec<(String, usize)> = users
        .iter()
        .map(|u| (u.name.clone(), u.todos.get().len()))
        .collect();
    assert_eq!(counts, [("Ada".to_string(), 3), ("Grace".to_string(), 1)]);
    // Deleting a user deletes their items (required children), atomically.
    ada(db).await?.delete().exec(db).await?;
    assert_eq!(Todo::all().count().exec(db).await?, 1);
    Ok(())
}

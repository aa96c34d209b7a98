//! A to-do list service: the kind of code an application keeps next to its models, and
//! that its tests (in `tests/`) exercise with `#[toasty::test]` on memdb and on every
//! configured database.

use toasty::{Db, Executor, Result};

/// Someone with a to-do list.
#[derive(Debug, toasty::Model)]
pub struct User {
    /// Generated.
    #[key]
    #[auto]
    pub id: u64,
    /// Display name.
    pub name: String,
    /// Unique sign-in address.
    #[unique]
    pub email: String,
    /// The user's items (deleting a user deletes them).
    #[has_many]
    pub todos: toasty::HasMany<Todo>,
}

/// One item of a list.
#[derive(Debug, toasty::Model)]
pub struct Todo {
    /// Generated.
    #[key]
    #[auto]
    pub id: u64,
    /// The owner's key.
    #[index]
    pub user_id: u64,
    /// The owner.
    #[belongs_to(key = user_id, references = id)]
    pub user: toasty::BelongsTo<User>,
    /// What to do.
    pub title: String,
    /// Done yet?
    #[default(false)]
    pub done: bool,
}

/// The models to register: `Db::builder().models(todo_app::models())`.
pub fn models() -> toasty::ModelSet {
    toasty::models!(User, Todo)
}

/// Signs a user up; a taken email is a unique violation.
pub async fn sign_up(db: &mut dyn Executor, name: &str, email: &str) -> Result<User> {
    toasty::create!(User { name, email }).exec(db).await
}

/// Signs a user up with a first list, in one atomic statement.
pub async fn sign_up_with_todos(
    db: &mut dyn Executor,
    name: &str,
    email: &str,
    first: &str,
    second: &str,
) -> Result<User> {
    toasty::create!(User {
        name,
        email,
        todos: [{ title: first }, { title: second }],
    })
    .exec(db)
    .await
}

/// Adds items to a user's list, all or none.
pub async fn add_todos(db: &mut dyn Executor, user: &User, titles: &[&str]) -> Result<Vec<Todo>> {
    let mut batch = Todo::create_many();
    for title in titles {
        batch = batch.item(user.todos().create().title(*title));
    }
    batch.exec(db).await
}

/// The open items of a user, oldest first.
pub async fn open_todos(db: &mut dyn Executor, user: &User) -> Result<Vec<Todo>> {
    user.todos()
        .filter(Todo::fields().done().eq(false))
        .order_by(Todo::fields().id().asc())
        .exec(db)
        .await
}

/// Marks every open item of a user done; returns how many changed.
pub async fn complete_all(db: &mut dyn Executor, user: &User) -> Result<u64> {
    user.todos()
        .filter(Todo::fields().done().eq(false))
        .update()
        .done(true)
        .exec(db)
        .await
}

/// Every user with their items loaded (one query per level), by email.
pub async fn users_with_todos(db: &mut dyn Executor) -> Result<Vec<User>> {
    User::all()
        .order_by(User::fields().email().asc())
        .include(User::fields().todos())
        .exec(db)
        .await
}

/// Moves every item of `from` to `to` in one transaction (SQL backends).
pub async fn hand_over(db: &mut Db, from: &User, to: &User) -> Result<u64> {
    let mut tx = db.transaction().await?;
    let moved = Todo::filter_by_user_id(from.id)
        .update()
        .user_id(to.id)
        .exec(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(moved)
}

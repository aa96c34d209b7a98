#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
    #[has_many]
    todos: toasty::Deferred<Vec<Todo>>,
}

#[derive(Debug, toasty::Model)]
struct Todo {
    #[key]
    #[auto]
    id: u64,
    #[index]
    user_id: u64,
    #[belongs_to(key = user_id, references = id)]
    user: toasty::Deferred<User>,
}

fn main() {
    // A relation is not a field: `.select(..)` takes field paths only.
    let _ = User::all().select(User::fields().todos());
    // Nor is a value.
    let _ = User::all().select("name");
    // A field of another model.
    let _ = User::all().select(Todo::fields().id());
}

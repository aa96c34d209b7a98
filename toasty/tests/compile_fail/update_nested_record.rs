#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
    name: String,
}

#[derive(Debug, toasty::Model)]
struct Todo {
    #[key]
    #[auto]
    id: u64,
    #[index]
    user_id: u64,
    #[belongs_to]
    user: toasty::BelongsTo<User>,
}

fn rename(mut todo: Todo) {
    let _ = toasty::update!(todo { user: { name: "x" } });
}

fn main() {}

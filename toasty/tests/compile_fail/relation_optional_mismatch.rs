#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
}

#[derive(Debug, toasty::Model)]
struct Todo {
    #[key]
    #[auto]
    id: u64,
    #[index]
    user_id: Option<u64>,
    #[belongs_to]
    user: toasty::BelongsTo<User>,
}

fn main() {}

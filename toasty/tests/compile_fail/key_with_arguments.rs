#[derive(Debug, toasty::Model)]
struct User {
    #[key(id)]
    id: u64,
}

fn main() {}

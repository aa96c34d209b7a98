#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    id: u64,
    #[uniqe]
    email: String,
}

fn main() {}

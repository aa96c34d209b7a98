#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: String,
}

fn main() {}

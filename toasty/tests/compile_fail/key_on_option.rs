#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    id: Option<u64>,
}

fn main() {}

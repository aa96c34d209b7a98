#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    id: u64,
    tags: Vec<String>,
}

fn main() {}

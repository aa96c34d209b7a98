#[derive(Debug, toasty::Model)]
struct User {
    name: String,
}

fn main() {}

#[derive(Debug, toasty::Model)]
#[index(name, nmae)]
struct User {
    #[key]
    id: u64,
    name: String,
}

fn main() {}

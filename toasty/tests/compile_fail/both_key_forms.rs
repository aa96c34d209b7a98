#[derive(Debug, toasty::Model)]
#[key(a, b)]
struct Pair {
    #[key]
    a: u64,
    b: u64,
}

fn main() {}

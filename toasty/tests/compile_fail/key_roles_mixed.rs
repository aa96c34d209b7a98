#[derive(toasty::Model)]
#[key(a, partition = b)]
struct Pair {
    a: i64,
    b: i64,
}

fn main() {}

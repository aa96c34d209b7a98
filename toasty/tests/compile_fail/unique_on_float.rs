#[derive(Debug, toasty::Model)]
struct Reading {
    #[key]
    id: u64,
    #[unique]
    value: f64,
}

fn main() {}

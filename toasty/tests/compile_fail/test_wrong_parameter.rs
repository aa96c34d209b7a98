#[toasty::test]
async fn wrong(count: u32) {
    let _ = count;
}

fn main() {}

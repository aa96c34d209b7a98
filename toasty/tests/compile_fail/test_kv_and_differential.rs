#[toasty::test(kv, differential)]
async fn both(db: &mut toasty::Db) {
    let _ = db;
}

fn main() {}

#[toasty::test(modles(User))]
async fn typo(db: &mut toasty::Db) {
    let _ = db;
}

fn main() {}

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    #[auto]
    id: u64,
}

#[toasty::test(models(User))]
fn not_async(db: &mut toasty::Db) {
    let _ = db;
}

fn main() {}

#[derive(Debug, toasty::Model)]
#[key(tenant, id)]
struct Item {
    tenant: String,
    #[auto]
    id: u64,
}

fn main() {}

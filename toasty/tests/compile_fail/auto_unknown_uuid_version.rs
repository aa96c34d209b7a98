#[derive(toasty::Model)]
struct Event {
    #[key]
    #[auto(uuid(v9))]
    id: uuid::Uuid,
}

fn main() {}

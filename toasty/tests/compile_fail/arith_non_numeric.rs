// `increment`/`add` need a numeric field; `field.op(..)` is for `update!` only.

#[derive(Debug, toasty::Model)]
struct User {
    #[key]
    id: i64,
    name: String,
    visits: Option<i64>,
}

fn main() {
    let _ = User::update_by_id(1).name(toasty::stmt::increment());
    let _ = User::update_by_id(1).visits(toasty::stmt::add(1));
    let _ = toasty::update!(User::filter_by_id(1) { name.add("x") });
    let _ = toasty::update!(User::filter_by_id(1) { id.push(1) });
    let _ = toasty::create!(User { id: 1, name.increment() });
}

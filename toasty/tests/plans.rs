//! Snapshots of the plans (`explain`) the engine compiles typical statements to, on
//! memdb's two personas: `memory:` (SQL kind: one driver operation per statement) and
//! `memory:kv` (key-value kind: fetches by key or index, the evaluator, one conditional
//! `TransactWrite`).
//!
//! Snapshots live in `/snapshots/plans/` at the workspace root. A changed plan is a
//! reviewable diff: run `cargo insta review` (or set `INSTA_UPDATE=always`) and read it.

use toasty::{BatchItem, Db};

/// A model every persona accepts (explicit key), with an index and a unique field.
#[derive(Debug, toasty::Model)]
struct Task {
    #[key]
    id: i64,
    #[index]
    queue: String,
    #[unique]
    code: String,
    priority: i64,
}

/// An auto-increment `u8` key (SQL kind only): the database assigns the key and the
/// engine checks that it fits the field.
#[derive(Debug, toasty::Model)]
struct Ticket {
    #[key]
    #[auto]
    id: u8,
    title: String,
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/plans");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

async fn open(url: &str, models: toasty::ModelSet) -> Db {
    let db = Db::builder()
        .models(models)
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    db.push_schema()
        .await
        .unwrap_or_else(|e| panic!("push_schema on {url}: {e}"));
    db
}

/// The plans shared by both personas, as `(snapshot name suffix, plan text)`.
fn task_plans(db: &Db) -> Vec<(&'static str, String)> {
    let explain = |r: toasty::Result<String>| r.unwrap_or_else(|e| panic!("explain: {e}"));
    vec![
        (
            "get_by_id",
            explain(Task::filter_by_id(7).one().explain(db)),
        ),
        (
            "filter_order_limit",
            explain(
                Task::filter_by_queue("inbox")
                    .filter(Task::fields().priority().ge(2))
                    .order_by(Task::fields().priority().desc())
                    .limit(10)
                    .explain(db),
            ),
        ),
        (
            "select_projection",
            explain(
                Task::filter_by_queue("inbox")
                    .select((Task::fields().code(), Task::fields().priority()))
                    .filter(Task::fields().priority().ge(2))
                    .order_by(Task::fields().priority().desc())
                    .limit(3)
                    .explain(db),
            ),
        ),
        (
            "count",
            explain(
                Task::filter_by_queue("inbox")
                    .filter(Task::fields().priority().lt(5))
                    .count()
                    .explain(db),
            ),
        ),
        (
            "update_by_filter",
            explain(
                TaskUpdate::from_query(
                    Task::filter_by_queue("inbox").filter(Task::fields().priority().eq(0)),
                )
                .priority(1)
                .code("moved")
                .explain(db),
            ),
        ),
        (
            "update_arith_by_filter",
            explain(
                TaskUpdate::from_query(Task::filter_by_queue("inbox"))
                    .priority(toasty::stmt::add(2))
                    .code("bumped")
                    .explain(db),
            ),
        ),
        (
            "delete_by_filter",
            explain(
                Task::filter_by_queue("done")
                    .filter(Task::fields().priority().gt(3))
                    .delete()
                    .explain(db),
            ),
        ),
        (
            "delete_by_key",
            explain(Task::filter_by_id(7).delete().explain(db)),
        ),
        (
            "create_two",
            explain(
                toasty::create!(Task::[
                    { id: 1, queue: "inbox", code: "a", priority: 0 },
                    { id: 2, queue: "inbox", code: "b", priority: 3 },
                ])
                .explain(db),
            ),
        ),
    ]
}

#[tokio::test]
async fn plans_memdb_sql() {
    let db = open("memory:", toasty::models!(Task, Ticket)).await;
    let mut plans = task_plans(&db);
    let tickets = toasty::create!(Ticket::[{ title: "first" }, { title: "second" }])
        .explain(&db)
        .unwrap_or_else(|e| panic!("explain: {e}"));
    plans.push(("create_two_auto_u8", tickets));
    settings().bind(|| {
        for (name, plan) in &plans {
            insta::assert_snapshot!(format!("sql_{name}"), plan);
        }
    });
}

#[tokio::test]
async fn plans_memdb_kv() {
    let db = open("memory:kv", toasty::models!(Task)).await;
    let plans = task_plans(&db);
    settings().bind(|| {
        for (name, plan) in &plans {
            insta::assert_snapshot!(format!("kv_{name}"), plan);
        }
    });
    // No auto-increment keys on a key-value store: the schema is refused when the Db
    // is built, so there is no plan to show.
    let refused = Db::builder()
        .models(toasty::models!(Ticket))
        .connect("memory:kv")
        .await;
    let Err(err) = refused else {
        panic!("an auto-increment key on memory:kv is refused");
    };
    assert!(err.is_unsupported(), "{err}");
}

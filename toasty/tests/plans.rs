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

/// A record with an optional `#[has_one]` whose foreign key is required (the old child
/// is deleted when replaced) and one whose foreign key is optional (unlinked).
#[derive(Debug, toasty::Model)]
struct Owner {
    #[key]
    id: i64,
    name: String,
    #[has_one]
    card: toasty::HasOne<Option<Card>>,
    #[has_one]
    tag: toasty::HasOne<Option<Tag>>,
}

#[derive(Debug, toasty::Model)]
struct Card {
    #[key]
    id: i64,
    #[unique]
    owner_id: i64,
    #[belongs_to]
    owner: toasty::BelongsTo<Owner>,
    number: String,
}

#[derive(Debug, toasty::Model)]
struct Tag {
    #[key]
    id: i64,
    #[unique]
    owner_id: Option<i64>,
    #[belongs_to]
    owner: toasty::BelongsTo<Option<Owner>>,
    label: String,
}

/// The plans of updates that point a `#[has_one]` elsewhere: a new child (with a field
/// of the record), an existing one, none.
fn has_one_plans(db: &Db) -> Vec<(&'static str, String)> {
    let explain = |r: toasty::Result<String>| r.unwrap_or_else(|e| panic!("explain: {e}"));
    let existing = Tag {
        id: 9,
        owner_id: None,
        owner: toasty::Deferred::unloaded(&toasty::codegen::RelationInfo {
            model: "Tag",
            field: "owner",
        }),
        label: "spare".into(),
    };
    vec![
        (
            "has_one_replace_create",
            explain(
                OwnerUpdate::from_query(Owner::filter_by_id(1))
                    .name("Ada")
                    .card(toasty::create!(Card {
                        id: 5,
                        number: "C5"
                    }))
                    .explain(db),
            ),
        ),
        (
            "has_one_link_existing",
            explain(
                OwnerUpdate::from_query(Owner::filter_by_id(1))
                    .tag(&existing)
                    .explain(db),
            ),
        ),
        (
            "has_one_unset",
            explain(
                OwnerUpdate::from_query(Owner::filter_by_id(1))
                    .card(None)
                    .explain(db),
            ),
        ),
    ]
}

#[tokio::test]
async fn plans_has_one_update() {
    let models = || toasty::models!(Owner, Card, Tag);
    let mut all = Vec::new();
    for (prefix, url) in [("sql", "memory:"), ("kv", "memory:kv")] {
        let db = open(url, models()).await;
        for (name, plan) in has_one_plans(&db) {
            all.push((format!("{prefix}_{name}"), plan));
        }
    }
    #[cfg(feature = "sqlite")]
    {
        let db = open("sqlite::memory:", models()).await;
        for (name, plan) in has_one_plans(&db) {
            all.push((format!("sqlite_{name}"), plan));
        }
    }
    settings().bind(|| {
        for (name, plan) in &all {
            insta::assert_snapshot!(name.clone(), plan);
        }
    });
}

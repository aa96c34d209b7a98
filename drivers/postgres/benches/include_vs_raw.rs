//! Preloading a has-many relation through Toasty's `.include(..)` side by side with the
//! same work written by hand against tokio-postgres: load 100 users, load their todos
//! (10 each) in one second query, and attach each todo to its user.
//!
//! Needs a server: `TOASTY_TEST_POSTGRES_URL=postgres://... cargo bench -p toasty-postgres
//! --bench include_vs_raw` (without the variable the bench prints why and does nothing).
//! Both sides read the same two tables, created and seeded by Toasty under a per-process
//! prefix and dropped at the end. The raw side uses prepared statements and
//! `user_id = ANY($1)` for the second query, and stitches the rows with a hash map, which
//! is what a careful hand-written version does.
//!
//! `TOASTY_BENCH_PROFILE=toasty:<n>` (or `raw:<n>`) runs only one side n times, for
//! `valgrind --tool=callgrind`.

mod support;

use criterion::{criterion_group, Criterion};
use std::collections::HashMap;
use std::time::Duration;
use support::{quantile, raw_client, rt, url};
use toasty::Db;
use tokio_postgres::{Client, Statement};

#[derive(Debug, toasty::Model)]
#[table = "users"]
struct User {
    #[key]
    #[auto]
    id: i64,
    name: String,
    #[has_many]
    todos: toasty::HasMany<Todo>,
}

#[derive(Debug, toasty::Model)]
#[table = "todos"]
struct Todo {
    #[key]
    #[auto]
    id: i64,
    #[index]
    user_id: i64,
    #[belongs_to(key = user_id, references = id)]
    user: toasty::BelongsTo<User>,
    title: String,
}

/// A user and its todos, loaded by hand.
#[allow(dead_code)]
#[derive(Debug)]
struct RawUser {
    id: i64,
    name: String,
    todos: Vec<RawTodo>,
}

/// A todo, loaded by hand.
#[allow(dead_code)]
#[derive(Debug)]
struct RawTodo {
    id: i64,
    user_id: i64,
    title: String,
}

/// Users loaded per iteration.
const USERS: usize = 100;
/// Todos per user.
const TODOS: usize = 10;
/// Users in the table (more than are loaded, so the second query has to select).
const SEEDED_USERS: usize = 300;

fn prefix() -> String {
    format!("benchinc{}_", std::process::id())
}

async fn toasty_db(url: &str) -> Db {
    let driver = toasty_postgres::Postgres::new(url).expect("url");
    let mut db = Db::builder()
        .models(toasty::models!(User, Todo))
        .table_prefix(prefix())
        .max_connections(1)
        .build(driver)
        .await
        .expect("db");
    db.reset_db().await.expect("schema");
    for u in 0..SEEDED_USERS {
        let user = User::create()
            .name(format!("user {u}"))
            .exec(&mut db)
            .await
            .expect("seed user");
        let mut todos = toasty::CreateMany::<Todo>::new();
        for t in 0..TODOS {
            todos = todos.item(
                Todo::create()
                    .user_id(user.id)
                    .title(format!("todo {t} of {u}")),
            );
        }
        todos.exec(&mut db).await.expect("seed todos");
    }
    db
}

/// The hand-written version: two prepared queries and a hash map.
async fn raw_load(raw: &Client, users: &Statement, todos: &Statement) -> Vec<RawUser> {
    let rows = raw.query(users, &[&(USERS as i64)]).await.expect("users");
    let mut loaded: Vec<RawUser> = rows
        .iter()
        .map(|r| RawUser {
            id: r.get(0),
            name: r.get(1),
            todos: Vec::new(),
        })
        .collect();
    let ids: Vec<i64> = loaded.iter().map(|u| u.id).collect();
    let at: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    for r in raw.query(todos, &[&ids]).await.expect("todos") {
        let todo = RawTodo {
            id: r.get(0),
            user_id: r.get(1),
            title: r.get(2),
        };
        if let Some(&i) = at.get(&todo.user_id) {
            loaded[i].todos.push(todo);
        }
    }
    loaded
}

async fn toasty_load(db: &mut Db) -> Vec<User> {
    User::all()
        .order_by(User::fields().id().asc())
        .limit(USERS)
        .include(User::fields().todos())
        .exec(db)
        .await
        .expect("load")
}

fn bench(c: &mut Criterion) {
    let Some(url) = url() else {
        eprintln!("skipping the include bench: TOASTY_TEST_POSTGRES_URL is not set");
        return;
    };
    let rt = rt();
    let mut db = rt.block_on(toasty_db(&url));
    let raw = rt.block_on(raw_client(&url));
    let p = prefix();
    let users: Statement = rt
        .block_on(raw.prepare(&format!(
            "SELECT id, name FROM \"{p}users\" ORDER BY id LIMIT $1"
        )))
        .expect("prepare");
    let todos: Statement = rt
        .block_on(raw.prepare(&format!(
            "SELECT id, user_id, title FROM \"{p}todos\" WHERE user_id = ANY($1)"
        )))
        .expect("prepare");

    // `TOASTY_BENCH_PROFILE=toasty:N` (or `raw:N`) runs only that side N times and
    // stops, for an instruction profile (`valgrind --tool=callgrind`).
    if let Ok(spec) = std::env::var("TOASTY_BENCH_PROFILE") {
        let (side, n) = spec.split_once(':').unwrap_or((spec.as_str(), "100"));
        let n: usize = n
            .parse()
            .expect("TOASTY_BENCH_PROFILE=<toasty|raw>:<iterations>");
        for _ in 0..n {
            if side == "raw" {
                rt.block_on(raw_load(&raw, &users, &todos));
            } else {
                rt.block_on(toasty_load(&mut db));
            }
        }
        rt.block_on(db.drop_schema()).expect("drop");
        return;
    }

    // Both sides load the same thing.
    let t = rt.block_on(toasty_load(&mut db));
    let r = rt.block_on(raw_load(&raw, &users, &todos));
    assert_eq!(t.len(), USERS);
    assert_eq!(r.len(), USERS);
    for (a, b) in t.iter().zip(&r) {
        assert_eq!(a.id, b.id);
        assert_eq!(a.todos.get().len(), TODOS);
        assert_eq!(b.todos.len(), TODOS);
    }

    let mut group = c.benchmark_group("include 100 users x 10 todos");
    group.bench_function("toasty", |b| b.iter(|| rt.block_on(toasty_load(&mut db))));
    group.bench_function("tokio-postgres", |b| {
        b.iter(|| rt.block_on(raw_load(&raw, &users, &todos)))
    });
    group.finish();

    interleaved(&rt, &mut db, &raw, &users, &todos);
    rt.block_on(db.drop_schema()).expect("drop");
}

/// Runs both variants in turn, one iteration each, many times, and prints the medians
/// and the median of the per-round ratios (steadier than criterion's back-to-back groups
/// on a shared machine: both variants see the same background load).
fn interleaved(
    rt: &tokio::runtime::Runtime,
    db: &mut Db,
    raw: &Client,
    users: &Statement,
    todos: &Statement,
) {
    const ITERS: usize = 1000;
    let time = |f: &mut dyn FnMut()| -> f64 {
        let start = std::time::Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1e6
    };
    let mut t = Vec::with_capacity(ITERS);
    let mut r = Vec::with_capacity(ITERS);
    for i in 0..ITERS {
        let mut toasty = || {
            rt.block_on(toasty_load(&mut *db));
        };
        let mut raw_side = || {
            rt.block_on(raw_load(raw, users, todos));
        };
        if i % 2 == 0 {
            t.push(time(&mut toasty));
            r.push(time(&mut raw_side));
        } else {
            r.push(time(&mut raw_side));
            t.push(time(&mut toasty));
        }
    }
    let per_round: Vec<f64> = t.iter().zip(&r).map(|(a, b)| a / b).collect();
    println!(
        "interleaved include 100 users x 10 todos: median toasty {:.1} µs, raw {:.1} µs; \
         p10 toasty {:.1} µs, raw {:.1} µs; median per-round ratio toasty/raw {:.3}x",
        quantile(&t, 0.5),
        quantile(&r, 0.5),
        quantile(&t, 0.1),
        quantile(&r, 0.1),
        quantile(&per_round, 0.5),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! Toasty on MySQL / MariaDB side by side with the same reads written directly against
//! `mysql_async` (prepared, cached statements, binary protocol) on the same table and
//! connection settings: `get_by_id` and loading 100 rows.
//!
//! Run with a server: `TOASTY_TEST_MYSQL_URL=mysql://... cargo bench -p toasty-mysql
//! --bench overhead`. Without the variable the bench says so and does nothing.

use criterion::{criterion_group, criterion_main, Criterion};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use toasty::Db;

#[derive(Debug, toasty::Model)]
#[table = "users"]
struct User {
    #[key]
    #[auto]
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

/// The same row, loaded by hand.
#[allow(dead_code)]
#[derive(Debug)]
struct RawUser {
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

const ROWS: usize = 1000;

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

struct Setup {
    db: Db,
    raw: Conn,
    table: String,
}

async fn setup(url: &str) -> Setup {
    let prefix = format!("bench{}_", std::process::id());
    let driver = toasty_mysql::Mysql::new(url).expect("url");
    let mut db = Db::builder()
        .models(toasty::models!(User))
        .table_prefix(prefix.clone())
        .build(driver)
        .await
        .expect("db");
    db.push_schema().await.expect("schema");
    let mut batch = toasty::CreateMany::<User>::new();
    for i in 0..ROWS {
        batch = batch.item(
            User::create()
                .name(format!("user {i}"))
                .hair_color(if i % 2 == 0 { Some("black") } else { None })
                .age((i % 90) as i32),
        );
    }
    batch.exec(&mut db).await.expect("seed");
    let raw = Conn::new(Opts::from_url(url).expect("url"))
        .await
        .expect("connect");
    Setup {
        db,
        raw,
        table: format!("{prefix}users"),
    }
}

fn raw_row(mut r: mysql_async::Row) -> RawUser {
    RawUser {
        id: r.take(0).expect("id"),
        name: r.take(1).expect("name"),
        hair_color: r.take(2).expect("hair_color"),
        age: r.take(3).expect("age"),
    }
}

fn benches(c: &mut Criterion) {
    let Ok(url) = std::env::var("TOASTY_TEST_MYSQL_URL") else {
        eprintln!("TOASTY_TEST_MYSQL_URL is not set; nothing to measure");
        return;
    };
    let rt = rt();
    let mut s = rt.block_on(setup(&url));
    let get_sql = format!(
        "SELECT `id`, `name`, `hair_color`, `age` FROM `{}` WHERE `id` = ?",
        s.table
    );
    let load_sql = format!(
        "SELECT `id`, `name`, `hair_color`, `age` FROM `{}` ORDER BY `id` ASC LIMIT ?",
        s.table
    );

    let mut group = c.benchmark_group("get_by_id");
    group.bench_function("toasty", |b| {
        let mut id = 0;
        b.iter(|| {
            id = id % ROWS as i64 + 1;
            rt.block_on(User::get_by_id(&mut s.db, id)).expect("get")
        })
    });
    group.bench_function("mysql_async", |b| {
        let mut id = 0i64;
        b.iter(|| {
            id = id % ROWS as i64 + 1;
            let row: Option<mysql_async::Row> = rt
                .block_on(s.raw.exec_first(get_sql.as_str(), (id,)))
                .expect("get");
            raw_row(row.expect("row"))
        })
    });
    group.finish();

    let mut group = c.benchmark_group("load_100");
    group.bench_function("toasty", |b| {
        b.iter(|| {
            rt.block_on(
                User::all()
                    .order_by(User::fields().id().asc())
                    .limit(100)
                    .exec(&mut s.db),
            )
            .expect("load")
        })
    });
    group.bench_function("mysql_async", |b| {
        b.iter(|| {
            let rows: Vec<mysql_async::Row> = rt
                .block_on(s.raw.exec(load_sql.as_str(), (100i64,)))
                .expect("load");
            rows.into_iter().map(raw_row).collect::<Vec<_>>()
        })
    });
    group.finish();

    rt.block_on(async {
        s.raw
            .query_drop(format!("DROP TABLE IF EXISTS `{}`", s.table))
            .await
            .expect("drop");
    });
}

criterion_group!(overhead, benches);
criterion_main!(overhead);

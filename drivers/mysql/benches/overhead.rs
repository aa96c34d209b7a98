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
    let mut raw = Conn::new(Opts::from_url(url).expect("url"))
        .await
        .expect("connect");
    // The session Toasty's driver sets up (strict mode, UTC, binary collation), so
    // both sides ask the server for the same work.
    let version: String = raw
        .query_first("SELECT VERSION()")
        .await
        .expect("version")
        .expect("a version");
    let collation = if version.contains("MariaDB") {
        toasty_mysql::MARIADB_COLLATION
    } else {
        toasty_mysql::MYSQL_COLLATION
    };
    raw.query_drop(format!(
        "SET SESSION sql_mode = '{}', time_zone = '+00:00', character_set_client = 'utf8mb4', \
         character_set_connection = 'utf8mb4', character_set_results = 'utf8mb4', \
         collation_connection = '{collation}'",
        toasty_mysql::SQL_MODE
    ))
    .await
    .expect("session");
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

    if let Ok(what) = std::env::var("TOASTY_BENCH_PROFILE") {
        profile_loop(&rt, &mut s, &get_sql, &what);
        rt.block_on(
            s.raw
                .query_drop(format!("DROP TABLE IF EXISTS `{}`", s.table)),
        )
        .expect("drop");
        return;
    }

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

    interleaved(&rt, &mut s, &get_sql, &load_sql);

    rt.block_on(async {
        s.raw
            .query_drop(format!("DROP TABLE IF EXISTS `{}`", s.table))
            .await
            .expect("drop");
    });
}

/// Runs Toasty and raw `mysql_async` in turn, one iteration each (alternating which
/// goes first), many times, and prints medians and the median of the per-round ratios:
/// each round compares the two under the same background load, which on a shared
/// machine is steadier than criterion's back-to-back groups.
fn interleaved(rt: &tokio::runtime::Runtime, s: &mut Setup, get_sql: &str, load_sql: &str) {
    const ITERS: usize = 3000;
    for (name, n) in [("get_by_id", 0usize), ("load 100", 100)] {
        let (mut t, mut r) = (Vec::with_capacity(ITERS), Vec::with_capacity(ITERS));
        for i in 0..ITERS {
            let id = (i % ROWS) as i64 + 1;
            let mut toasty = || {
                let start = std::time::Instant::now();
                if n == 0 {
                    rt.block_on(User::get_by_id(&mut s.db, id)).expect("get");
                } else {
                    rt.block_on(
                        User::all()
                            .order_by(User::fields().id().asc())
                            .limit(n)
                            .exec(&mut s.db),
                    )
                    .expect("load");
                }
                start.elapsed().as_secs_f64() * 1e6
            };
            let toasty_first = i % 2 == 0;
            if toasty_first {
                t.push(toasty());
            }
            let start = std::time::Instant::now();
            if n == 0 {
                let row: Option<mysql_async::Row> =
                    rt.block_on(s.raw.exec_first(get_sql, (id,))).expect("get");
                raw_row(row.expect("row"));
            } else {
                let rows: Vec<mysql_async::Row> = rt
                    .block_on(s.raw.exec(load_sql, (n as i64,)))
                    .expect("load");
                let _: Vec<RawUser> = rows.into_iter().map(raw_row).collect();
            }
            r.push(start.elapsed().as_secs_f64() * 1e6);
            if !toasty_first {
                t.push(toasty());
            }
        }
        let per_round: Vec<f64> = t.iter().zip(&r).map(|(a, b)| a / b).collect();
        println!(
            "interleaved {name}: median toasty {:.1} µs, raw {:.1} µs; p10 toasty {:.1} µs, \
             raw {:.1} µs; median per-round ratio toasty/raw {:.3}x",
            quantile(&t, 0.5),
            quantile(&r, 0.5),
            quantile(&t, 0.1),
            quantile(&r, 0.1),
            quantile(&per_round, 0.5),
        );
    }
}

/// Runs one side of `get_by_id` 20,000 times, for `perf record`:
/// `TOASTY_BENCH_PROFILE=<get|raw-get> perf record <bench binary> --bench`.
fn profile_loop(rt: &tokio::runtime::Runtime, s: &mut Setup, get_sql: &str, what: &str) {
    const ITERS: usize = 20_000;
    let start = std::time::Instant::now();
    for i in 0..ITERS {
        let id = (i % ROWS) as i64 + 1;
        if what == "raw-get" {
            let row: Option<mysql_async::Row> =
                rt.block_on(s.raw.exec_first(get_sql, (id,))).expect("get");
            raw_row(row.expect("row"));
        } else {
            rt.block_on(User::get_by_id(&mut s.db, id)).expect("get");
        }
    }
    println!(
        "profile {what}: {ITERS} iterations in {:?}",
        start.elapsed()
    );
}

/// The value at quantile `q` (0..=1) of `samples`.
fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[((sorted.len() - 1) as f64 * q) as usize]
}

criterion_group!(overhead, benches);
criterion_main!(overhead);

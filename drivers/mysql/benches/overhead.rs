//! Toasty on MySQL / MariaDB side by side with the same reads written directly against
//! `mysql_async` (prepared, cached statements, binary protocol) on the same table and
//! connection settings: `get_by_id` and loading 100 rows. A third variant, `driver`,
//! runs the table-level operation Toasty's engine produces directly on a driver
//! connection, to split the overhead between the engine and the driver.
//!
//! Run with a server: `TOASTY_TEST_MYSQL_URL=mysql://... cargo bench -p toasty-mysql
//! --bench overhead`. Without the variable the bench says so and does nothing.

use criterion::{criterion_group, criterion_main, Criterion};
use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Opts};
use toasty::Db;
use toasty_core::driver::{Connection, Driver, Operation, Select};
use toasty_core::schema::db::TableId;
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy};
use toasty_core::Value;

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
    /// A Toasty driver connection of its own, for the `driver` variant.
    conn: Box<dyn Connection>,
    db_schema: toasty_core::schema::db::Schema,
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
                .hair_color(if i % 2 == 0 {
                    Some("black".to_string())
                } else {
                    None
                })
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
    let conn = toasty_mysql::Mysql::new(url)
        .expect("url")
        .connect()
        .await
        .expect("driver connection");
    let db_schema = db.schema().db.clone();
    Setup {
        db,
        conn,
        db_schema,
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
        profile_loop(&rt, &mut s, &get_sql, &load_sql, &what);
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

/// A table-level select of whole rows, as the engine would send it.
fn select_op(
    table: TableId,
    filter: Expr,
    order_by: Vec<OrderBy>,
    limit: Option<u64>,
) -> Operation {
    Operation::Select(Select {
        order_by,
        limit,
        ..Select::records(table, filter)
    })
}

/// One read, `n == 0` meaning `get_by_id(id)` and otherwise loading `n` rows, run one of
/// three ways: through Toasty, as the table-level operation Toasty's engine produces run
/// directly on a driver connection (to split the overhead between the engine and the
/// driver), or with raw `mysql_async`.
fn run_variant(
    rt: &tokio::runtime::Runtime,
    s: &mut Setup,
    variant: Variant,
    get_sql: &str,
    load_sql: &str,
    id: i64,
    n: usize,
) {
    match variant {
        Variant::Toasty if n == 0 => {
            rt.block_on(User::get_by_id(&mut s.db, id)).expect("get");
        }
        Variant::Toasty => {
            rt.block_on(
                User::all()
                    .order_by(User::fields().id().asc())
                    .limit(n)
                    .exec(&mut s.db),
            )
            .expect("load");
        }
        Variant::Driver => {
            let schema = &s.db_schema;
            let table = schema.tables[0].id;
            let op = if n == 0 {
                let f = Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(id)));
                select_op(table, f, vec![], None)
            } else {
                let order = vec![OrderBy {
                    target: 0,
                    direction: Direction::Asc,
                }];
                select_op(table, Expr::true_(), order, Some(n as u64))
            };
            rt.block_on(s.conn.exec(schema, op)).expect("driver");
        }
        Variant::Raw if n == 0 => {
            let row: Option<mysql_async::Row> =
                rt.block_on(s.raw.exec_first(get_sql, (id,))).expect("get");
            raw_row(row.expect("row"));
        }
        Variant::Raw => {
            let rows: Vec<mysql_async::Row> = rt
                .block_on(s.raw.exec(load_sql, (n as i64,)))
                .expect("load");
            let _: Vec<RawUser> = rows.into_iter().map(raw_row).collect();
        }
    }
}

/// How a read is run (see [`run_variant`]).
#[derive(Clone, Copy)]
enum Variant {
    Toasty,
    Driver,
    Raw,
}

/// Runs the three variants in turn, one iteration each (rotating which goes first),
/// many times, and prints medians and the median of the per-round ratios: each round
/// compares them under the same background load, which on a shared machine is steadier
/// than criterion's back-to-back groups.
fn interleaved(rt: &tokio::runtime::Runtime, s: &mut Setup, get_sql: &str, load_sql: &str) {
    const ITERS: usize = 3000;
    let variants = [Variant::Toasty, Variant::Driver, Variant::Raw];
    for (name, n) in [("get_by_id", 0usize), ("load 100", 100)] {
        let mut samples = [Vec::new(), Vec::new(), Vec::new()];
        for i in 0..ITERS {
            let id = (i % ROWS) as i64 + 1;
            for k in 0..3 {
                let v = (i + k) % 3;
                let start = std::time::Instant::now();
                run_variant(rt, s, variants[v], get_sql, load_sql, id, n);
                samples[v].push(start.elapsed().as_secs_f64() * 1e6);
            }
        }
        let [t, d, r] = samples;
        let ratio = |a: &[f64]| {
            let per_round: Vec<f64> = a.iter().zip(&r).map(|(x, y)| x / y).collect();
            quantile(&per_round, 0.5)
        };
        println!(
            "interleaved {name}: median toasty {:.1} µs, driver {:.1} µs, raw {:.1} µs; \
             p10 toasty {:.1} µs, driver {:.1} µs, raw {:.1} µs; \
             median per-round ratio toasty/raw {:.3}x, driver/raw {:.3}x",
            quantile(&t, 0.5),
            quantile(&d, 0.5),
            quantile(&r, 0.5),
            quantile(&t, 0.1),
            quantile(&d, 0.1),
            quantile(&r, 0.1),
            ratio(&t),
            ratio(&d),
        );
    }
}

/// Runs one variant of one read `TOASTY_BENCH_ITERS` (default 20,000) times, for
/// `perf record`/`perf stat`:
/// `TOASTY_BENCH_PROFILE=<get|load|driver-get|driver-load|raw-get|raw-load> perf record
/// <bench binary> --bench`.
fn profile_loop(
    rt: &tokio::runtime::Runtime,
    s: &mut Setup,
    get_sql: &str,
    load_sql: &str,
    what: &str,
) {
    let iters: usize = std::env::var("TOASTY_BENCH_ITERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let variant = if what.starts_with("raw") {
        Variant::Raw
    } else if what.starts_with("driver") {
        Variant::Driver
    } else {
        Variant::Toasty
    };
    let n = if what.ends_with("load") { 100 } else { 0 };
    let start = std::time::Instant::now();
    for i in 0..iters {
        let id = (i % ROWS) as i64 + 1;
        run_variant(rt, s, variant, get_sql, load_sql, id, n);
    }
    println!(
        "profile {what}: {iters} iterations in {:?}",
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

//! Toasty on PostgreSQL side by side with the same work written directly against
//! tokio-postgres (prepared statements): `get_by_id`, loading 100 rows, and a
//! transaction that inserts one row (`BEGIN`, `INSERT .. RETURNING id`, `COMMIT`).
//!
//! Needs a server: `TOASTY_TEST_POSTGRES_URL=postgres://... cargo bench -p toasty-postgres
//! --bench toasty_vs_raw` (without the variable the bench prints why and does nothing).
//! Both sides read the same table, created and seeded by Toasty under a per-process
//! prefix and dropped at the end. A third variant, `driver`, runs the table-level
//! operation Toasty's engine produces directly on a driver connection, to split the
//! overhead between the engine and the driver.

mod support;

use criterion::{criterion_group, BenchmarkId, Criterion};
use std::time::Duration;
use support::{quantile, raw_client, rt, url};
use toasty::Db;
use toasty_core::driver::{Connection, Driver, Operation, Select};
use toasty_core::schema::db::TableId;
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy};
use toasty_core::Value;
use tokio_postgres::{Client, Statement};

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

fn table() -> String {
    format!("bench{}_users", std::process::id())
}

async fn toasty_db(url: &str) -> Db {
    let driver = toasty_postgres::Postgres::new(url).expect("url");
    let mut db = Db::builder()
        .models(toasty::models!(User))
        .table_prefix(format!("bench{}_", std::process::id()))
        .max_connections(1)
        .build(driver)
        .await
        .expect("db");
    db.reset_db().await.expect("schema");
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
    db
}

fn raw_user(r: &tokio_postgres::Row) -> RawUser {
    RawUser {
        id: r.get(0),
        name: r.get(1),
        hair_color: r.get(2),
        age: r.get(3),
    }
}

fn bench(c: &mut Criterion) {
    let Some(url) = url() else {
        eprintln!("skipping the postgres benches: TOASTY_TEST_POSTGRES_URL is not set");
        return;
    };
    let rt = rt();
    let mut db = rt.block_on(toasty_db(&url));
    if let Ok(what) = std::env::var("TOASTY_BENCH_PROFILE") {
        let raw = rt.block_on(raw_client(&url));
        profile_loop(&rt, &mut db, &raw, &what);
        rt.block_on(db.drop_schema()).expect("drop");
        return;
    }
    let raw = rt.block_on(raw_client(&url));
    let t = table();
    let by_id: Statement = rt
        .block_on(raw.prepare(&format!(
            "SELECT id, name, hair_color, age FROM \"{t}\" WHERE id = $1"
        )))
        .expect("prepare");
    let load: Statement = rt
        .block_on(raw.prepare(&format!(
            "SELECT id, name, hair_color, age FROM \"{t}\" ORDER BY id LIMIT $1"
        )))
        .expect("prepare");

    let db_schema = db.schema().db.clone();
    let mut conn: Box<dyn Connection> = rt
        .block_on(toasty_postgres::Postgres::new(&url).expect("url").connect())
        .expect("connect");

    let mut group = c.benchmark_group("get_by_id");
    group.bench_function("toasty", |b| {
        let mut id = 0;
        b.iter(|| {
            id = id % ROWS as i64 + 1;
            rt.block_on(User::get_by_id(&mut db, id)).expect("get")
        })
    });
    group.bench_function("driver", |b| {
        let mut id = 0;
        b.iter(|| {
            id = id % ROWS as i64 + 1;
            let filter = Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(id)));
            rt.block_on(conn.exec(
                &db_schema,
                select_op(db_schema.tables[0].id, filter, vec![], None),
            ))
            .expect("get")
        })
    });
    group.bench_function("tokio-postgres", |b| {
        let mut id = 0i64;
        b.iter(|| {
            id = id % ROWS as i64 + 1;
            let row = rt.block_on(raw.query_one(&by_id, &[&id])).expect("row");
            raw_user(&row)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("load");
    let n = 100usize;
    group.bench_with_input(BenchmarkId::new("toasty", n), &n, |b, &n| {
        b.iter(|| {
            rt.block_on(
                User::all()
                    .order_by(User::fields().id().asc())
                    .limit(n)
                    .exec(&mut db),
            )
            .expect("load")
        })
    });
    group.bench_with_input(BenchmarkId::new("driver", n), &n, |b, &n| {
        b.iter(|| {
            let order = vec![OrderBy {
                target: 0,
                direction: Direction::Asc,
            }];
            rt.block_on(conn.exec(
                &db_schema,
                select_op(db_schema.tables[0].id, Expr::true_(), order, Some(n as u64)),
            ))
            .expect("load")
        })
    });
    group.bench_with_input(BenchmarkId::new("tokio-postgres", n), &n, |b, &n| {
        b.iter(|| {
            let rows = rt.block_on(raw.query(&load, &[&(n as i64)])).expect("rows");
            rows.iter().map(raw_user).collect::<Vec<_>>()
        })
    });
    group.finish();

    interleaved(&rt, &mut db, &mut conn, &db_schema, &raw, &by_id, &load);
    interleaved_transaction(&rt, &mut db, &mut conn, &db_schema, &raw);
    rt.block_on(db.drop_schema()).expect("drop");
}

/// A transaction inserting one row, interleaved like [`interleaved`]: Toasty's
/// `db.transaction()` + `create!` + `commit()`, the same three operations sent to a
/// driver connection directly, and tokio-postgres's own transaction with a prepared
/// insert.
fn interleaved_transaction(
    rt: &tokio::runtime::Runtime,
    db: &mut Db,
    conn: &mut Box<dyn Connection>,
    db_schema: &toasty_core::schema::db::Schema,
    raw: &Client,
) {
    use toasty_core::driver::{Insert, TransactionOp};
    const ITERS: usize = 3000;
    let t = table();
    let insert: Statement = rt
        .block_on(raw.prepare(&format!(
            "INSERT INTO \"{t}\" (name, hair_color, age) VALUES ($1, $2, $3) RETURNING id"
        )))
        .expect("prepare");
    let table_id = db_schema.tables[0].id;
    let time = |f: &mut dyn FnMut()| -> f64 {
        let start = std::time::Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1e6
    };
    let mut samples = [Vec::new(), Vec::new(), Vec::new()];
    for i in 0..ITERS {
        let age = (i % 90) as i32;
        let mut toasty = || {
            rt.block_on(async {
                let mut tx = db.transaction().await.expect("begin");
                User::create()
                    .name("tx user")
                    .age(age)
                    .exec(&mut tx)
                    .await
                    .expect("insert");
                tx.commit().await.expect("commit");
            })
        };
        let mut driver = || {
            rt.block_on(async {
                let control = |op| Operation::Transaction(op);
                conn.exec(
                    db_schema,
                    control(TransactionOp::Begin {
                        isolation: None,
                        read_only: false,
                    }),
                )
                .await
                .expect("begin");
                conn.exec(
                    db_schema,
                    Operation::Insert(Insert {
                        table: table_id,
                        columns: vec![1, 2, 3],
                        rows: vec![vec![
                            Value::String("tx user".into()),
                            Value::Null,
                            Value::I64(age.into()),
                        ]],
                        returning: vec![0],
                    }),
                )
                .await
                .expect("insert");
                conn.exec(db_schema, control(TransactionOp::Commit))
                    .await
                    .expect("commit");
            })
        };
        let mut raw_side = || {
            rt.block_on(async {
                raw.batch_execute("BEGIN").await.expect("begin");
                let row = raw
                    .query_one(&insert, &[&"tx user", &None::<&str>, &age])
                    .await
                    .expect("insert");
                let _id: i64 = row.get(0);
                raw.batch_execute("COMMIT").await.expect("commit");
            })
        };
        let variants: [&mut dyn FnMut(); 3] = [&mut toasty, &mut driver, &mut raw_side];
        for k in 0..3 {
            let v = (i + k) % 3;
            samples[v].push(time(&mut *variants[v]));
        }
    }
    let [t, d, r] = samples;
    report("transaction inserting 1 row", &t, &d, &r);
}

/// Runs one side of one workload `TOASTY_BENCH_ITERS` (default 20,000) times, for
/// `perf stat`/`perf record`:
/// `TOASTY_BENCH_PROFILE=<get|load|driver-get|driver-load|raw-get|raw-load> perf stat -e instructions:u
/// <bench binary> --bench`. Instruction counts do not depend on the machine's load, so
/// comparing a Toasty run with a raw one shows Toasty's CPU overhead exactly.
fn profile_loop(rt: &tokio::runtime::Runtime, db: &mut Db, raw: &Client, what: &str) {
    let iters: usize = std::env::var("TOASTY_BENCH_ITERS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000);
    let t = table();
    let sql = if what.ends_with("load") {
        format!("SELECT id, name, hair_color, age FROM \"{t}\" ORDER BY id LIMIT $1")
    } else {
        format!("SELECT id, name, hair_color, age FROM \"{t}\" WHERE id = $1")
    };
    let prepared: Statement = rt.block_on(raw.prepare(&sql)).expect("prepare");
    let db_schema = db.schema().db.clone();
    let url = url().expect("url");
    let mut conn: Box<dyn Connection> = rt
        .block_on(toasty_postgres::Postgres::new(&url).expect("url").connect())
        .expect("connect");
    let start = std::time::Instant::now();
    for i in 0..iters {
        let id = (i % ROWS) as i64 + 1;
        match what {
            "load" => {
                rt.block_on(
                    User::all()
                        .order_by(User::fields().id().asc())
                        .limit(100)
                        .exec(&mut *db),
                )
                .expect("load");
            }
            "raw-load" => {
                let rows = rt.block_on(raw.query(&prepared, &[&100i64])).expect("rows");
                let _: Vec<RawUser> = rows.iter().map(raw_user).collect();
            }
            "driver-load" => {
                let order = vec![OrderBy {
                    target: 0,
                    direction: Direction::Asc,
                }];
                rt.block_on(conn.exec(
                    &db_schema,
                    select_op(db_schema.tables[0].id, Expr::true_(), order, Some(100)),
                ))
                .expect("load");
            }
            "driver-get" => {
                let f = Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(id)));
                rt.block_on(conn.exec(
                    &db_schema,
                    select_op(db_schema.tables[0].id, f, vec![], None),
                ))
                .expect("get");
            }
            "raw-get" => {
                let row = rt.block_on(raw.query_one(&prepared, &[&id])).expect("row");
                raw_user(&row);
            }
            _ => {
                rt.block_on(User::get_by_id(&mut *db, id)).expect("get");
            }
        }
    }
    println!(
        "profile {what}: {iters} iterations in {:?}",
        start.elapsed()
    );
}

/// Runs the three variants in turn, one iteration each, many times, and prints the
/// medians and ratios: on a shared, noisy machine this is steadier than criterion's
/// back-to-back groups, since every variant sees the same background load.
#[allow(clippy::too_many_arguments)]
fn interleaved(
    rt: &tokio::runtime::Runtime,
    db: &mut Db,
    conn: &mut Box<dyn Connection>,
    db_schema: &toasty_core::schema::db::Schema,
    raw: &Client,
    by_id: &Statement,
    load: &Statement,
) {
    const ITERS: usize = 3000;
    let table = db_schema.tables[0].id;
    let time = |f: &mut dyn FnMut()| -> f64 {
        let start = std::time::Instant::now();
        f();
        start.elapsed().as_secs_f64() * 1e6
    };
    for (name, n) in [("get_by_id", 0usize), ("load 100", 100)] {
        let mut samples = [Vec::new(), Vec::new(), Vec::new()];
        for i in 0..ITERS {
            let id = (i % ROWS) as i64 + 1;
            let mut toasty = || {
                if n == 0 {
                    rt.block_on(User::get_by_id(&mut *db, id)).expect("get");
                } else {
                    rt.block_on(
                        User::all()
                            .order_by(User::fields().id().asc())
                            .limit(n)
                            .exec(&mut *db),
                    )
                    .expect("load");
                }
            };
            let mut driver = || {
                if n == 0 {
                    let f =
                        Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(id)));
                    rt.block_on(conn.exec(db_schema, select_op(table, f, vec![], None)))
                        .expect("get");
                } else {
                    let order = vec![OrderBy {
                        target: 0,
                        direction: Direction::Asc,
                    }];
                    rt.block_on(conn.exec(
                        db_schema,
                        select_op(table, Expr::true_(), order, Some(n as u64)),
                    ))
                    .expect("load");
                }
            };
            let mut raw_side = || {
                if n == 0 {
                    let row = rt.block_on(raw.query_one(by_id, &[&id])).expect("row");
                    raw_user(&row);
                } else {
                    let rows = rt.block_on(raw.query(load, &[&(n as i64)])).expect("rows");
                    let _: Vec<RawUser> = rows.iter().map(raw_user).collect();
                }
            };
            // Rotate who goes first, so no variant always runs right after another.
            let variants: [&mut dyn FnMut(); 3] = [&mut toasty, &mut driver, &mut raw_side];
            for k in 0..3 {
                let v = (i + k) % 3;
                samples[v].push(time(&mut *variants[v]));
            }
        }
        let [t, d, r] = samples;
        report(name, &t, &d, &r);
    }
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

/// Prints medians, 10th percentiles and the median of the per-round ratios. Each round
/// runs the three variants back to back, so a round's ratio compares them under the same
/// background load: on a shared machine that is the figure to trust.
fn report(name: &str, t: &[f64], d: &[f64], r: &[f64]) {
    let ratio = |a: &[f64]| {
        let per_round: Vec<f64> = a.iter().zip(r).map(|(x, y)| x / y).collect();
        quantile(&per_round, 0.5)
    };
    println!(
        "interleaved {name}: median toasty {:.1} µs, driver {:.1} µs, raw {:.1} µs; \
         p10 toasty {:.1} µs, driver {:.1} µs, raw {:.1} µs; \
         median per-round ratio toasty/raw {:.3}x, driver/raw {:.3}x",
        quantile(t, 0.5),
        quantile(d, 0.5),
        quantile(r, 0.5),
        quantile(t, 0.1),
        quantile(d, 0.1),
        quantile(r, 0.1),
        ratio(t),
        ratio(d),
    );
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(50)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    targets = bench
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! Toasty on in-memory SQLite side by side with the same work written directly against
//! rusqlite (prepared, cached statements), in the style of diesel's bench workloads:
//! `get_by_id`; load 1, 100 and 10k rows; insert 1 row and a batch of 100.
//!
//! Run: `cargo bench -p toasty-sqlite --bench vs_rusqlite`. Ratios are recorded in
//! docs/benchmarks.md.
//!
//! With `TOASTY_BENCH_INTERLEAVED=<rounds>` it runs the interleaved comparison instead
//! of criterion: each round times a batch of calls of every variant (Toasty with the
//! statement cache off, with it on, a prepared statement, and rusqlite), in an order
//! that rotates from round to round, and the medians of the per-round ratios to
//! rusqlite are printed. The machine is shared, so only ratios within a round mean
//! much.
//!
//! With `TOASTY_BENCH_LOOP=<n>` and `TOASTY_BENCH_VARIANT=<variant>` it runs exactly `n`
//! calls of one variant after the same setup, for counting instructions with
//! `valgrind --tool=cachegrind` (per call: the difference of two counts divided by the
//! difference of their `n`): `get-off`, `get-on`, `get-prepared`, `get-raw` (`get_by_id`
//! with the statement cache off, on, prepared, rusqlite), `insert-off`, `insert-on`,
//! `insert-raw` (one-row inserts).

use criterion::{criterion_group, BenchmarkId, Criterion};
use rusqlite::{params, Connection};
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

/// The same row, loaded by hand from rusqlite.
#[allow(dead_code)]
#[derive(Debug)]
struct RawUser {
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

const CREATE: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, \
                      name TEXT NOT NULL, hair_color TEXT, age INTEGER NOT NULL)";

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn toasty_db(rows: usize) -> Db {
    let mut db = Db::builder()
        .models(toasty::models!(User))
        .connect("sqlite::memory:")
        .await
        .expect("sqlite");
    db.push_schema().await.expect("schema");
    if rows > 0 {
        let mut batch = toasty::CreateMany::<User>::new();
        for i in 0..rows {
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
    }
    db
}

fn raw_db(rows: usize) -> Connection {
    let conn = Connection::open_in_memory().expect("sqlite");
    conn.execute(CREATE, []).expect("schema");
    let mut insert = conn
        .prepare("INSERT INTO users (name, hair_color, age) VALUES (?1, ?2, ?3)")
        .expect("prepare");
    for i in 0..rows {
        let hair = if i % 2 == 0 { Some("black") } else { None };
        insert
            .execute(params![format!("user {i}"), hair, (i % 90) as i32])
            .expect("insert");
    }
    drop(insert);
    conn
}

fn raw_load(conn: &Connection, limit: usize) -> Vec<RawUser> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name, hair_color, age FROM users ORDER BY id LIMIT ?1")
        .expect("prepare");
    let rows = stmt
        .query_map([limit as i64], |r| {
            Ok(RawUser {
                id: r.get(0)?,
                name: r.get(1)?,
                hair_color: r.get(2)?,
                age: r.get(3)?,
            })
        })
        .expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

fn get_by_id(c: &mut Criterion) {
    let rt = rt();
    let mut db = rt.block_on(toasty_db(1000));
    let raw = raw_db(1000);
    let mut group = c.benchmark_group("get_by_id");
    group.bench_function("toasty", |b| {
        let mut id = 0;
        b.iter(|| {
            id = id % 1000 + 1;
            rt.block_on(User::get_by_id(&mut db, id)).expect("get")
        })
    });
    group.bench_function("rusqlite", |b| {
        let mut id = 0i64;
        b.iter(|| {
            id = id % 1000 + 1;
            let mut stmt = raw
                .prepare_cached("SELECT id, name, hair_color, age FROM users WHERE id = ?1")
                .expect("prepare");
            stmt.query_row([id], |r| {
                Ok(RawUser {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    hair_color: r.get(2)?,
                    age: r.get(3)?,
                })
            })
            .expect("row")
        })
    });
    group.finish();
}

fn load(c: &mut Criterion) {
    let rt = rt();
    let mut db = rt.block_on(toasty_db(10_000));
    let raw = raw_db(10_000);
    let mut group = c.benchmark_group("load");
    for n in [1usize, 100, 10_000] {
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
        group.bench_with_input(BenchmarkId::new("rusqlite", n), &n, |b, &n| {
            b.iter(|| raw_load(&raw, n))
        });
    }
    group.finish();
}

fn insert(c: &mut Criterion) {
    let rt = rt();
    let mut group = c.benchmark_group("insert");
    for n in [1usize, 100] {
        let mut db = rt.block_on(toasty_db(0));
        group.bench_with_input(BenchmarkId::new("toasty", n), &n, |b, &n| {
            b.iter(|| {
                let mut batch = toasty::CreateMany::<User>::new();
                for i in 0..n {
                    batch = batch.item(
                        User::create()
                            .name("new user")
                            .hair_color(if i % 2 == 0 {
                                Some("brown".to_string())
                            } else {
                                None
                            })
                            .age(30),
                    );
                }
                rt.block_on(batch.exec(&mut db)).expect("insert")
            })
        });
        let raw = raw_db(0);
        group.bench_with_input(BenchmarkId::new("rusqlite", n), &n, |b, &n| {
            b.iter(|| {
                // One multi-row INSERT ... RETURNING id, as Toasty issues.
                let mut sql = String::from("INSERT INTO users (name, hair_color, age) VALUES ");
                for i in 0..n {
                    if i > 0 {
                        sql.push_str(", ");
                    }
                    sql.push_str("(?, ?, ?)");
                }
                sql.push_str(" RETURNING id");
                let mut values: Vec<rusqlite::types::Value> = Vec::with_capacity(n * 3);
                for i in 0..n {
                    values.push("new user".to_string().into());
                    values.push(if i % 2 == 0 {
                        rusqlite::types::Value::Text("brown".into())
                    } else {
                        rusqlite::types::Value::Null
                    });
                    values.push(30i64.into());
                }
                let mut stmt = raw.prepare_cached(&sql).expect("prepare");
                let ids: Vec<i64> = stmt
                    .query_map(rusqlite::params_from_iter(values), |r| r.get(0))
                    .expect("insert")
                    .collect::<Result<_, _>>()
                    .expect("ids");
                ids
            })
        });
    }
    group.finish();
}

/// One variant of a workload: runs `calls` calls.
type Variant<'a> = (&'static str, Box<dyn FnMut(usize) + 'a>);

/// Medians of per-round ratios to the last variant (the raw one).
fn interleave(title: &str, rounds: usize, calls: usize, mut variants: Vec<Variant<'_>>) {
    let n = variants.len();
    let mut ratios: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    for (_, run) in variants.iter_mut() {
        run(calls); // warm-up
    }
    for round in 0..rounds {
        let mut times = vec![0f64; n];
        for k in 0..n {
            let i = (round + k) % n;
            let start = std::time::Instant::now();
            (variants[i].1)(calls);
            times[i] = start.elapsed().as_secs_f64();
        }
        for i in 0..n {
            ratios[i].push(times[i] / times[n - 1]);
        }
    }
    print!("interleaved {title} ({rounds} rounds x {calls} calls):");
    for (i, (name, _)) in variants.iter().enumerate() {
        let r = &mut ratios[i];
        r.sort_by(|a, b| a.total_cmp(b));
        print!("  {name} {:.3}x", r[r.len() / 2]);
    }
    println!();
}

fn interleaved(rounds: usize) {
    let rt = rt();
    let rt = &rt;
    let mut cold = rt.block_on(toasty_db(1000));
    cold.__statement_cache().set_capacity(0);
    let mut warm = rt.block_on(toasty_db(1000));
    let mut prepared_db = rt.block_on(toasty_db(1000));
    let by_id = prepared_db.prepare(|id: i64| User::filter_by_id(id).one());
    let raw = raw_db(1000);
    let raw_get = |id: i64| {
        let mut stmt = raw
            .prepare_cached("SELECT id, name, hair_color, age FROM users WHERE id = ?1")
            .expect("prepare");
        stmt.query_row([id], |r| {
            Ok(RawUser {
                id: r.get(0)?,
                name: r.get(1)?,
                hair_color: r.get(2)?,
                age: r.get(3)?,
            })
        })
        .expect("row")
    };
    interleave(
        "get_by_id",
        rounds,
        2000,
        vec![
            (
                "toasty (cache off)",
                Box::new(|calls| {
                    for i in 0..calls {
                        let id = (i % 1000 + 1) as i64;
                        rt.block_on(User::get_by_id(&mut cold, id)).expect("get");
                    }
                }),
            ),
            (
                "toasty (cache on)",
                Box::new(|calls| {
                    for i in 0..calls {
                        let id = (i % 1000 + 1) as i64;
                        rt.block_on(User::get_by_id(&mut warm, id)).expect("get");
                    }
                }),
            ),
            (
                "toasty prepared",
                Box::new(|calls| {
                    for i in 0..calls {
                        let id = (i % 1000 + 1) as i64;
                        rt.block_on(by_id.exec(&mut prepared_db, id)).expect("get");
                    }
                }),
            ),
            (
                "rusqlite",
                Box::new(|calls| {
                    for i in 0..calls {
                        raw_get((i % 1000 + 1) as i64);
                    }
                }),
            ),
        ],
    );

    let mut cold = rt.block_on(toasty_db(0));
    cold.__statement_cache().set_capacity(0);
    let mut warm = rt.block_on(toasty_db(0));
    let raw = raw_db(0);
    let create = |db: &mut Db| {
        rt.block_on(
            User::create()
                .name("new user")
                .hair_color(Some("brown".to_string()))
                .age(30)
                .exec(db),
        )
        .expect("insert");
    };
    interleave(
        "insert 1 row",
        rounds,
        1000,
        vec![
            (
                "toasty (cache off)",
                Box::new(|calls| {
                    for _ in 0..calls {
                        create(&mut cold);
                    }
                }),
            ),
            (
                "toasty (cache on)",
                Box::new(|calls| {
                    for _ in 0..calls {
                        create(&mut warm);
                    }
                }),
            ),
            (
                "rusqlite",
                Box::new(|calls| {
                    for _ in 0..calls {
                        let mut stmt = raw
                            .prepare_cached(
                                "INSERT INTO users (name, hair_color, age) VALUES (?, ?, ?) \
                                 RETURNING id",
                            )
                            .expect("prepare");
                        let id: i64 = stmt
                            .query_row(params!["new user", "brown", 30i64], |r| r.get(0))
                            .expect("insert");
                        std::hint::black_box(id);
                    }
                }),
            ),
        ],
    );
}

criterion_group!(benches, get_by_id, load, insert);

/// `TOASTY_BENCH_LOOP` (see the crate docs).
fn fixed_loop(n: usize, variant: &str) {
    let rt = rt();
    let mut db = rt.block_on(toasty_db(1000));
    if variant.ends_with("-off") {
        db.__statement_cache().set_capacity(0);
    }
    let by_id = db.prepare(|id: i64| User::filter_by_id(id).one());
    let raw = raw_db(1000);
    for i in 0..n {
        let id = (i % 1000 + 1) as i64;
        match variant {
            "get-off" | "get-on" => {
                std::hint::black_box(rt.block_on(User::get_by_id(&mut db, id)).expect("get"));
            }
            "get-prepared" => {
                std::hint::black_box(rt.block_on(by_id.exec(&mut db, id)).expect("get"));
            }
            "get-raw" => {
                let mut stmt = raw
                    .prepare_cached("SELECT id, name, hair_color, age FROM users WHERE id = ?1")
                    .expect("prepare");
                std::hint::black_box(
                    stmt.query_row([id], |r| {
                        Ok(RawUser {
                            id: r.get(0)?,
                            name: r.get(1)?,
                            hair_color: r.get(2)?,
                            age: r.get(3)?,
                        })
                    })
                    .expect("row"),
                );
            }
            "insert-off" | "insert-on" => {
                std::hint::black_box(
                    rt.block_on(
                        User::create()
                            .name("new user")
                            .hair_color(Some("brown".to_string()))
                            .age(30)
                            .exec(&mut db),
                    )
                    .expect("insert"),
                );
            }
            "insert-raw" => {
                let mut stmt = raw
                    .prepare_cached(
                        "INSERT INTO users (name, hair_color, age) VALUES (?, ?, ?) RETURNING id",
                    )
                    .expect("prepare");
                let id: i64 = stmt
                    .query_row(params!["new user", "brown", 30i64], |r| r.get(0))
                    .expect("insert");
                std::hint::black_box(id);
            }
            other => panic!("unknown TOASTY_BENCH_VARIANT {other}"),
        }
    }
}

fn main() {
    if let Some(n) = std::env::var("TOASTY_BENCH_LOOP")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    {
        let variant = std::env::var("TOASTY_BENCH_VARIANT").unwrap_or_else(|_| "get-on".into());
        fixed_loop(n, &variant);
        return;
    }
    if let Some(rounds) = std::env::var("TOASTY_BENCH_INTERLEAVED")
        .ok()
        .and_then(|r| r.parse::<usize>().ok())
    {
        interleaved(rounds);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! The engine's own cost, with the database taken out: a driver that answers every
//! `Select` with canned rows at once. What is left is what Toasty adds on every backend
//! (building the statement, verify, lower, simplify, the pool, turning rows into models),
//! so this is where the engine's share of the per-driver ratios in `docs/benchmarks.md`
//! is measured.
//!
//! `cargo bench -p toasty --bench engine`

use async_trait::async_trait;
use criterion::{criterion_group, Criterion};
use toasty::Db;
use toasty_core::driver::{Capability, Connection, Driver, Operation, Response};
use toasty_core::schema::db;
use toasty_core::{Result, Value};

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

/// Answers a select with `rows` copies of one row; anything else with a count of 0.
#[derive(Debug)]
struct Canned {
    rows: usize,
}

struct CannedConn {
    rows: usize,
}

#[async_trait]
impl Driver for Canned {
    fn capability(&self) -> &Capability {
        &Capability::SQL
    }

    async fn connect(&self) -> Result<Box<dyn Connection>> {
        Ok(Box::new(CannedConn { rows: self.rows }))
    }
}

#[async_trait]
impl Connection for CannedConn {
    async fn exec(&mut self, _schema: &db::Schema, op: Operation) -> Result<Response> {
        // A cache hit sends the template and the new values; answer it like the select
        // it stands for (a real SQL driver binds the values into the kept SQL text).
        let select = match &op {
            Operation::Select(_) => true,
            Operation::Cached(c) => matches!(c.template.op(), Operation::Select(_)),
            _ => false,
        };
        Ok(match select {
            true => Response::Rows(
                (0..self.rows)
                    .map(|i| {
                        vec![
                            Value::I64(i as i64 + 1),
                            Value::String(format!("user {i}")),
                            Value::Null,
                            Value::I64(42),
                        ]
                    })
                    .collect(),
            ),
            false => Response::Count(0),
        })
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn db(rows: usize) -> Db {
    Db::builder()
        .models(toasty::models!(User))
        .build(Canned { rows })
        .await
        .expect("db")
}

fn bench(c: &mut Criterion) {
    let rt = rt();
    let mut one = rt.block_on(db(1));
    let mut hundred = rt.block_on(db(100));
    let mut group = c.benchmark_group("engine");
    group.bench_function("get_by_id", |b| {
        b.iter(|| rt.block_on(User::get_by_id(&mut one, 7)).expect("get"))
    });
    group.bench_function("load 100", |b| {
        b.iter(|| {
            rt.block_on(
                User::all()
                    .order_by(User::fields().id().asc())
                    .limit(100)
                    .exec(&mut hundred),
            )
            .expect("load")
        })
    });
    group.bench_function("canned rows alone (100)", |b| {
        let mut conn = CannedConn { rows: 100 };
        let schema = one.schema().db.clone();
        b.iter(|| {
            rt.block_on(conn.exec(
                &schema,
                Operation::Select(toasty_core::driver::Select {
                    table: schema.tables[0].id,
                    filter: toasty_core::stmt::Expr::true_(),
                    order_by: vec![],
                    limit: None,
                    offset: None,
                    projection: toasty_core::stmt::Select::Records,
                }),
            ))
            .expect("rows")
        })
    });
    group.finish();
}

criterion_group!(benches, bench);

/// Criterion's benches, or with `TOASTY_BENCH_LOOP=N` exactly `N` `get_by_id` calls and
/// nothing else: a fixed workload (`TOASTY_BENCH_METRICS=1`: with
/// `Builder::metrics(true)`) whose instructions `valgrind --tool=cachegrind` counts,
/// which CPU contention does not disturb (see docs/benchmarks.md, "Overhead of
/// tracing").
fn main() {
    if let Some(n) = std::env::var("TOASTY_BENCH_LOOP")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        let rt = rt();
        // `TOASTY_BENCH_METRICS=1`: the same with metrics collected.
        let metrics = std::env::var_os("TOASTY_BENCH_METRICS").is_some();
        // `TOASTY_BENCH_CACHE=0`: with the statement cache off; `TOASTY_BENCH_PREPARED=1`:
        // through `db.prepare(..)`.
        let cache = std::env::var("TOASTY_BENCH_CACHE").map_or(512, |v| v.parse().unwrap_or(512));
        let prepared = std::env::var_os("TOASTY_BENCH_PREPARED").is_some();
        let mut one = rt
            .block_on(
                Db::builder()
                    .models(toasty::models!(User))
                    .metrics(metrics)
                    .statement_cache(cache)
                    .build(Canned { rows: 1 }),
            )
            .expect("db");
        if prepared {
            let by_id = one.prepare(|id: i64| User::filter_by_id(id).one());
            for _ in 0..n {
                rt.block_on(by_id.exec(&mut one, 7)).expect("get");
            }
            return;
        }
        for _ in 0..n {
            rt.block_on(User::get_by_id(&mut one, 7)).expect("get");
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

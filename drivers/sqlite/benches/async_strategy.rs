//! Measures how SQLite's synchronous calls should meet async: inline on the task,
//! `spawn_blocking`, or a dedicated thread fed through a channel.
//!
//! Run with `cargo bench -p toasty-sqlite --bench async_strategy`. Prints mean
//! microseconds per operation for each strategy, runtime flavour and workload.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use toasty_core::driver::{CreateTable, GetByKey, Insert, Operation, Response, Select};
use toasty_core::schema::db::{Column, Schema, Table, TableId};
use toasty_core::stmt::{BinaryOp, Expr, Select as Projection};
use toasty_core::{Result, Type, Value};
use toasty_sqlite::BlockingConnection;

type Job = (Operation, tokio::sync::oneshot::Sender<Result<Response>>);

fn schema() -> Schema {
    let col = |name: &str, ty| Column {
        name: name.into(),
        ty,
        nullable: false,
        auto_increment: false,
        max_len: None,
    };
    Schema {
        tables: vec![Table {
            id: TableId(0),
            name: "items".into(),
            columns: vec![
                col("id", Type::I64),
                col("name", Type::String),
                col("n", Type::I64),
            ],
            primary_key: vec![0],
            indices: vec![],
        }],
    }
}

fn insert(id: i64) -> Operation {
    Operation::Insert(Insert {
        table: TableId(0),
        columns: vec![0, 1, 2],
        rows: vec![vec![
            Value::I64(id),
            Value::from(format!("item {id}")),
            Value::I64(id % 7),
        ]],
        returning: vec![],
    })
}

fn get(id: i64) -> Operation {
    Operation::GetByKey(GetByKey {
        table: TableId(0),
        keys: vec![vec![Value::I64(id)]],
    })
}

fn scan() -> Operation {
    Operation::Select(Select {
        table: TableId(0),
        filter: Expr::binary(BinaryOp::Lt, Expr::Column(0), Expr::Value(Value::I64(100))),
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    })
}

#[derive(Clone)]
enum Strategy {
    Inline(Arc<Mutex<BlockingConnection>>),
    SpawnBlocking(Arc<Mutex<BlockingConnection>>),
    Thread(mpsc::Sender<Job>),
}

impl Strategy {
    fn name(&self) -> &'static str {
        match self {
            Strategy::Inline(_) => "inline",
            Strategy::SpawnBlocking(_) => "spawn_blocking",
            Strategy::Thread(_) => "dedicated thread",
        }
    }

    async fn exec(&self, schema: &Arc<Schema>, op: Operation) -> Result<Response> {
        match self {
            Strategy::Inline(conn) => conn.lock().unwrap().exec(schema, &op),
            Strategy::SpawnBlocking(conn) => {
                let conn = conn.clone();
                let schema = schema.clone();
                tokio::task::spawn_blocking(move || conn.lock().unwrap().exec(&schema, &op))
                    .await
                    .unwrap()
            }
            Strategy::Thread(tx) => {
                let (reply, rx) = tokio::sync::oneshot::channel();
                tx.send((op, reply)).unwrap();
                rx.await.unwrap()
            }
        }
    }
}

fn strategies(schema: &Arc<Schema>, dir: Option<&std::path::Path>) -> Vec<Strategy> {
    let counter = std::sync::atomic::AtomicUsize::new(0);
    let open = || {
        let mut conn = match dir {
            None => BlockingConnection::open_in_memory().unwrap(),
            Some(dir) => {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                BlockingConnection::open(&dir.join(format!("bench{n}.db"))).unwrap()
            }
        };
        conn.exec(
            schema,
            &Operation::CreateTable(CreateTable { table: TableId(0) }),
        )
        .unwrap();
        conn
    };
    let thread_conn = open();
    let (tx, rx) = mpsc::channel::<Job>();
    let thread_schema = schema.clone();
    std::thread::spawn(move || {
        let mut conn = thread_conn;
        for (op, reply) in rx {
            let _ = reply.send(conn.exec(&thread_schema, &op));
        }
    });
    vec![
        Strategy::Inline(Arc::new(Mutex::new(open()))),
        Strategy::SpawnBlocking(Arc::new(Mutex::new(open()))),
        Strategy::Thread(tx),
    ]
}

async fn measure(strategy: &Strategy, schema: &Arc<Schema>, tasks: usize, file: bool) -> [f64; 3] {
    let (inserts, gets, scans): (i64, i64, i64) = if file {
        (300, 5_000, 500)
    } else {
        (4_000, 20_000, 2_000)
    };
    let start = Instant::now();
    for id in 0..inserts {
        strategy.exec(schema, insert(id)).await.unwrap();
    }
    let insert_us = start.elapsed().as_secs_f64() * 1e6 / inserts as f64;

    let start = Instant::now();
    let mut handles = Vec::new();
    for t in 0..tasks as i64 {
        let s = strategy.clone();
        let schema = schema.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..gets / tasks as i64 {
                s.exec(&schema, get((i * 7 + t) % inserts)).await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let get_us = start.elapsed().as_secs_f64() * 1e6 / gets as f64;

    let start = Instant::now();
    for _ in 0..scans {
        strategy.exec(schema, scan()).await.unwrap();
    }
    let scan_us = start.elapsed().as_secs_f64() * 1e6 / scans as f64;
    [insert_us, get_us, scan_us]
}

fn main() {
    let schema = Arc::new(schema());
    let tmp = std::env::temp_dir().join(format!("toasty-sqlite-bench-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    println!("mean microseconds per operation");
    println!(
        "{:<7} {:<16} {:<14} {:>5} {:>10} {:>10} {:>12}",
        "db", "strategy", "runtime", "tasks", "insert", "get", "scan 100"
    );
    for (db, flavour, tasks) in [
        ("memory", "current_thread", 1),
        ("memory", "multi_thread", 1),
        ("memory", "multi_thread", 8),
        ("file", "current_thread", 1),
        ("file", "multi_thread", 8),
    ] {
        let file = db == "file";
        let rt = if flavour == "current_thread" {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
        } else {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap()
        };
        rt.block_on(async {
            let dir = tmp.join(format!("{db}-{flavour}-{tasks}"));
            std::fs::create_dir_all(&dir).unwrap();
            for strategy in strategies(&schema, file.then_some(dir.as_path())) {
                let [i, g, s] = measure(&strategy, &schema, tasks, file).await;
                println!(
                    "{:<7} {:<16} {:<14} {:>5} {:>10.2} {:>10.2} {:>12.2}",
                    db,
                    strategy.name(),
                    flavour,
                    tasks,
                    i,
                    g,
                    s
                );
            }
        });
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

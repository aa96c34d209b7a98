//! What both peer binaries share: the table, the seed rows, the rusqlite yardstick
//! for every workload, and the interleaved-ratio runner (the method of
//! `drivers/sqlite/benches/vs_rusqlite.rs` with `TOASTY_BENCH_INTERLEAVED`).
//!
//! The Diesel binary includes this file with `#[path]`; it compiles against
//! rusqlite 0.41 here and 0.40 there (the same API for what is used).

use rusqlite::{params, Connection};
use std::time::Instant;

/// The `users` table of diesel's own bench, with an autoincrement key.
pub const CREATE: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, \
                          name TEXT NOT NULL, hair_color TEXT, age INTEGER NOT NULL)";

/// Rows seeded for the load and filter workloads.
pub const ROWS: usize = 10_000;

/// Rows seeded for `get_by_id`.
pub const GET_ROWS: usize = 1_000;

/// Rows inserted per call by the batch insert workload.
pub const BATCH: usize = 100;

/// The filter workload: `age >= FILTER_AGE`, newest by age first, then by id, ten rows.
pub const FILTER_AGE: i32 = 45;

/// One row, loaded by hand.
#[allow(dead_code)]
#[derive(Debug)]
pub struct RawUser {
    pub id: i64,
    pub name: String,
    pub hair_color: Option<String>,
    pub age: i32,
}

/// The seed row `i`: the same values on every side.
pub fn seed_row(i: usize) -> (String, Option<&'static str>, i32) {
    let hair = if i.is_multiple_of(2) {
        Some("black")
    } else {
        None
    };
    (format!("user {i}"), hair, (i % 90) as i32)
}

/// The row `i` of an insert workload.
pub fn new_row(i: usize) -> (&'static str, Option<&'static str>, i32) {
    (
        "new user",
        if i.is_multiple_of(2) {
            Some("brown")
        } else {
            None
        },
        30,
    )
}

/// An in-memory rusqlite connection with the table and `rows` seed rows.
pub fn raw_db(rows: usize) -> Connection {
    let conn = Connection::open_in_memory().expect("sqlite");
    conn.execute(CREATE, []).expect("schema");
    let mut insert = conn
        .prepare("INSERT INTO users (name, hair_color, age) VALUES (?1, ?2, ?3)")
        .expect("prepare");
    for i in 0..rows {
        let (name, hair, age) = seed_row(i);
        insert.execute(params![name, hair, age]).expect("insert");
    }
    drop(insert);
    conn
}

fn raw_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RawUser> {
    Ok(RawUser {
        id: r.get(0)?,
        name: r.get(1)?,
        hair_color: r.get(2)?,
        age: r.get(3)?,
    })
}

/// `get_by_id` with a cached prepared statement.
pub fn raw_get(conn: &Connection, id: i64) -> RawUser {
    let mut stmt = conn
        .prepare_cached("SELECT id, name, hair_color, age FROM users WHERE id = ?1")
        .expect("prepare");
    stmt.query_row([id], raw_row).expect("row")
}

/// The first `limit` rows by id.
pub fn raw_load(conn: &Connection, limit: usize) -> Vec<RawUser> {
    let mut stmt = conn
        .prepare_cached("SELECT id, name, hair_color, age FROM users ORDER BY id LIMIT ?1")
        .expect("prepare");
    let rows = stmt.query_map([limit as i64], raw_row).expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

/// The filter + order + limit workload.
pub fn raw_filter(conn: &Connection) -> Vec<RawUser> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, name, hair_color, age FROM users WHERE age >= ?1 \
             ORDER BY age DESC, id ASC LIMIT 10",
        )
        .expect("prepare");
    let rows = stmt.query_map([FILTER_AGE], raw_row).expect("query");
    rows.collect::<Result<_, _>>().expect("rows")
}

/// Inserts `n` rows in one `INSERT ... RETURNING id`, as Toasty issues it.
pub fn raw_insert(conn: &Connection, n: usize) -> Vec<i64> {
    if n == 1 {
        let mut stmt = conn
            .prepare_cached(
                "INSERT INTO users (name, hair_color, age) VALUES (?1, ?2, ?3) RETURNING id",
            )
            .expect("prepare");
        let (name, hair, age) = new_row(0);
        let id: i64 = stmt
            .query_row(params![name, hair, age], |r| r.get(0))
            .expect("insert");
        return vec![id];
    }
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
        let (name, hair, age) = new_row(i);
        values.push(name.to_string().into());
        values.push(match hair {
            Some(h) => rusqlite::types::Value::Text(h.into()),
            None => rusqlite::types::Value::Null,
        });
        values.push(i64::from(age).into());
    }
    let mut stmt = conn.prepare_cached(&sql).expect("prepare");
    let ids = stmt
        .query_map(rusqlite::params_from_iter(values), |r| r.get(0))
        .expect("insert")
        .collect::<Result<Vec<i64>, _>>()
        .expect("ids");
    ids
}

/// One variant of a workload: runs `calls` calls.
pub type Variant<'a> = (&'static str, Box<dyn FnMut(usize) + 'a>);

/// The rusqlite yardstick for `get_by_id`: `n` lookups cycling through ids `1..=ids`.
pub fn raw_get_variant(raw: &Connection, ids: usize) -> Variant<'_> {
    (
        "rusqlite",
        Box::new(move |n| {
            for i in 0..n {
                std::hint::black_box(raw_get(raw, (i % ids + 1) as i64));
            }
        }),
    )
}

/// The rusqlite yardstick for loading `limit` rows, `n` times.
pub fn raw_load_variant(raw: &Connection, limit: usize) -> Variant<'_> {
    (
        "rusqlite",
        Box::new(move |n| {
            for _ in 0..n {
                let rows = raw_load(raw, limit);
                assert_eq!(rows.len(), limit);
                std::hint::black_box(rows);
            }
        }),
    )
}

/// The rusqlite yardstick for filter + order + limit 10, `n` times.
pub fn raw_filter_variant(raw: &Connection) -> Variant<'_> {
    (
        "rusqlite",
        Box::new(move |n| {
            for _ in 0..n {
                let rows = raw_filter(raw);
                assert_eq!(rows.len(), 10);
                std::hint::black_box(rows);
            }
        }),
    )
}

/// The rusqlite yardstick for inserting `batch` rows in one statement, `n` times.
pub fn raw_insert_variant(raw: &Connection, batch: usize) -> Variant<'_> {
    (
        "rusqlite",
        Box::new(move |n| {
            for _ in 0..n {
                let ids = raw_insert(raw, batch);
                assert_eq!(ids.len(), batch);
                std::hint::black_box(ids);
            }
        }),
    )
}

/// The result of one workload: per variant the median of its per-round ratios to the
/// last variant (the yardstick), and the yardstick's median time per call.
pub struct Outcome {
    pub workload: &'static str,
    pub ratios: Vec<(&'static str, f64)>,
    pub yardstick_us: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs `rounds` rounds; each round times `calls` calls of every variant in an order
/// that rotates from round to round. The machine is shared, so only ratios within a
/// round mean much: the medians of those ratios are reported.
pub fn interleave(
    workload: &'static str,
    rounds: usize,
    calls: usize,
    mut variants: Vec<Variant<'_>>,
) -> Outcome {
    let n = variants.len();
    let mut ratios: Vec<Vec<f64>> = vec![Vec::with_capacity(rounds); n];
    let mut yard = Vec::with_capacity(rounds);
    for (_, run) in variants.iter_mut() {
        run(calls); // warm-up
    }
    for round in 0..rounds {
        let mut times = vec![0f64; n];
        for k in 0..n {
            let i = (round + k) % n;
            let start = Instant::now();
            (variants[i].1)(calls);
            times[i] = start.elapsed().as_secs_f64();
        }
        for i in 0..n {
            ratios[i].push(times[i] / times[n - 1]);
        }
        yard.push(times[n - 1] / calls as f64 * 1e6);
    }
    Outcome {
        workload,
        ratios: variants
            .iter()
            .zip(ratios.iter_mut())
            .map(|((name, _), r)| (*name, median(r)))
            .collect(),
        yardstick_us: median(&mut yard),
    }
}

/// Prints the outcomes as a Markdown table.
pub fn print_table(title: &str, rounds: usize, outcomes: &[Outcome]) {
    let Some(first) = outcomes.first() else {
        return;
    };
    // The last variant is the yardstick itself (always 1.00x).
    let shown = first.ratios.len().saturating_sub(1);
    let names: Vec<&str> = first.ratios[..shown].iter().map(|(n, _)| *n).collect();
    println!(
        "{title}, SQLite {} ({rounds} rounds; medians of per-round ratios to rusqlite)",
        rusqlite::version()
    );
    println!();
    print!("| workload |");
    for n in &names {
        print!(" {n} |");
    }
    println!(" rusqlite per call |");
    print!("|---|");
    for _ in &names {
        print!("---|");
    }
    println!("---|");
    for o in outcomes {
        print!("| {} |", o.workload);
        for (_, r) in &o.ratios[..shown] {
            print!(" {r:.2}x |");
        }
        println!(" {:.1} µs |", o.yardstick_us);
    }
    println!();
}

/// Rounds from `PEERS_ROUNDS` (default 200).
pub fn rounds() -> usize {
    std::env::var("PEERS_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(200)
}

/// Calls per round of each workload: about the same wall time each.
pub mod calls {
    pub const GET: usize = 2000;
    pub const LOAD_1: usize = 2000;
    pub const LOAD_100: usize = 200;
    pub const LOAD_10K: usize = 3;
    pub const INSERT_1: usize = 1000;
    pub const INSERT_100: usize = 40;
    pub const FILTER: usize = 10;
}

//! Toasty on DynamoDB side by side with the same read written directly against
//! `aws-sdk-dynamodb`: `User::get_by_id` versus a `GetItem` on the same table, decoded
//! by hand into the same fields.
//!
//! Needs an endpoint: `TOASTY_TEST_DYNAMODB_URL=http://127.0.0.1:8000 cargo bench -p
//! toasty-dynamodb --bench toasty_vs_raw` (moto or DynamoDB Local; without the variable
//! the bench prints why and does nothing). Both sides read one table, created and
//! seeded by Toasty under a per-process prefix and dropped at the end, through SDK
//! clients configured alike (same region, dummy credentials, rustls on ring).
//! Besides criterion's groups, an interleaved run (one call of each side per round,
//! 2,000 rounds) prints medians and the median per-round ratio: on a shared machine
//! that is the figure to trust (`docs/benchmarks.md`).

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use criterion::{criterion_group, Criterion};
use std::collections::HashMap;
use std::time::Duration;
use toasty::Db;

#[derive(Debug, toasty::Model)]
#[table = "users"]
struct User {
    #[key]
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

/// The same item, decoded by hand.
#[allow(dead_code)]
#[derive(Debug)]
struct RawUser {
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

const ROWS: i64 = 500;

fn endpoint() -> Option<String> {
    std::env::var("TOASTY_TEST_DYNAMODB_URL").ok()
}

fn prefix() -> String {
    format!("bench{}_", std::process::id())
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn toasty_db(endpoint: &str) -> Db {
    let driver = toasty_dynamodb::DynamoDb::emulator(endpoint).expect("endpoint");
    let mut db = Db::builder()
        .models(toasty::models!(User))
        .table_prefix(prefix())
        .max_connections(1)
        .build(driver)
        .await
        .expect("db");
    db.reset_db().await.expect("schema");
    // DynamoDB writes at most 100 items atomically: seed in chunks.
    for chunk in (1..=ROWS).collect::<Vec<_>>().chunks(50) {
        let mut batch = toasty::CreateMany::<User>::new();
        for &i in chunk {
            batch = batch.item(
                User::create()
                    .id(i)
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

/// An SDK client as an application would build it for an emulator.
fn raw_client(endpoint: &str) -> aws_sdk_dynamodb::Client {
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = aws_sdk_dynamodb::config::Builder::new()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
        .endpoint_url(endpoint)
        .http_client(http)
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

async fn raw_get(client: &aws_sdk_dynamodb::Client, table: &str, id: i64) -> RawUser {
    let out = client
        .get_item()
        .table_name(table)
        .key("id", AttributeValue::N(id.to_string()))
        .consistent_read(true)
        .send()
        .await
        .expect("get_item");
    raw_user(out.item().expect("item"))
}

fn raw_user(item: &HashMap<String, AttributeValue>) -> RawUser {
    let n = |k: &str| -> i64 {
        item.get(k)
            .and_then(|v| v.as_n().ok())
            .and_then(|n| n.parse().ok())
            .expect("number")
    };
    let s = |k: &str| -> Option<String> { item.get(k).and_then(|v| v.as_s().ok()).cloned() };
    RawUser {
        id: n("id"),
        name: s("name").expect("name"),
        hair_color: s("hair_color"),
        age: n("age") as i32,
    }
}

fn bench(c: &mut Criterion) {
    let Some(endpoint) = endpoint() else {
        eprintln!("skipping the dynamodb benches: TOASTY_TEST_DYNAMODB_URL is not set");
        return;
    };
    let rt = rt();
    let mut db = rt.block_on(toasty_db(&endpoint));
    let raw = raw_client(&endpoint);
    let table = format!("{}users", prefix());

    // Both sides must read the same thing.
    let a = rt.block_on(User::get_by_id(&mut db, 7)).expect("get");
    let b = rt.block_on(raw_get(&raw, &table, 7));
    assert_eq!(
        (a.id, &a.name, &a.hair_color, a.age),
        (b.id, &b.name, &b.hair_color, b.age)
    );

    let mut group = c.benchmark_group("dynamodb get_by_id");
    group.bench_function("toasty", |bench| {
        let mut id = 0;
        bench.iter(|| {
            id = id % ROWS + 1;
            rt.block_on(User::get_by_id(&mut db, id)).expect("get")
        })
    });
    group.bench_function("aws-sdk GetItem", |bench| {
        let mut id = 0;
        bench.iter(|| {
            id = id % ROWS + 1;
            rt.block_on(raw_get(&raw, &table, id))
        })
    });
    group.finish();

    interleaved(&rt, &mut db, &raw, &table);
    rt.block_on(db.drop_schema()).expect("drop");
}

/// One call of each side per round, alternating who goes first.
fn interleaved(
    rt: &tokio::runtime::Runtime,
    db: &mut Db,
    raw: &aws_sdk_dynamodb::Client,
    table: &str,
) {
    const ROUNDS: usize = 2000;
    let mut toasty = Vec::with_capacity(ROUNDS);
    let mut sdk = Vec::with_capacity(ROUNDS);
    for i in 0..ROUNDS {
        let id = (i as i64) % ROWS + 1;
        let mut one = |which: usize| {
            let start = std::time::Instant::now();
            if which == 0 {
                rt.block_on(User::get_by_id(&mut *db, id)).expect("get");
            } else {
                rt.block_on(raw_get(raw, table, id));
            }
            start.elapsed().as_secs_f64() * 1e6
        };
        let first = i % 2;
        let a = one(first);
        let b = one(1 - first);
        let (t, r) = if first == 0 { (a, b) } else { (b, a) };
        toasty.push(t);
        sdk.push(r);
    }
    let ratios: Vec<f64> = toasty.iter().zip(&sdk).map(|(t, r)| t / r).collect();
    println!(
        "interleaved dynamodb get_by_id: median toasty {:.1} µs, aws-sdk {:.1} µs; \
         p10 toasty {:.1} µs, aws-sdk {:.1} µs; median per-round ratio toasty/aws-sdk {:.3}x",
        quantile(&toasty, 0.5),
        quantile(&sdk, 0.5),
        quantile(&toasty, 0.1),
        quantile(&sdk, 0.1),
        quantile(&ratios, 0.5),
    );
}

/// The value at quantile `q` (0..=1) of `samples`.
fn quantile(samples: &[f64], q: f64) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(|a, b| a.total_cmp(b));
    sorted[((sorted.len() - 1) as f64 * q) as usize]
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

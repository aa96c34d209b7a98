//! Criterion benchmarks of Toasty on memdb through the public API: `get_by_id`, an
//! indexed equality matching one row, a filtered, ordered and limited query over 10k
//! rows (through the category index), and `create` into an empty and a 10k-row table.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use toasty::Db;

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    #[auto]
    id: u64,
    #[index]
    category: String,
    #[unique]
    code: i64,
    price: i64,
    name: String,
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime")
}

async fn db_with(rows: usize) -> Db {
    let mut db = Db::builder()
        .models(toasty::models!(Item))
        .connect("memory:")
        .await
        .expect("memdb");
    db.push_schema().await.expect("schema");
    let mut batch = toasty::CreateMany::<Item>::new();
    for i in 0..rows {
        batch = batch.item(
            Item::create()
                .category(format!("c{}", i % 10))
                .code(i as i64)
                .price((i * 7919 % 1000) as i64)
                .name(format!("item {i}")),
        );
    }
    batch.exec(&mut db).await.expect("seed");
    db
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let mut db = rt.block_on(db_with(10_000));

    c.bench_function("memdb/get_by_id (10k rows)", |b| {
        let mut id = 0u64;
        b.iter(|| {
            id = id % 10_000 + 1;
            rt.block_on(Item::get_by_id(&mut db, id)).expect("found")
        })
    });

    c.bench_function("memdb/indexed equality, 1 match (10k rows)", |b| {
        let mut code = 0i64;
        b.iter(|| {
            code = (code + 7) % 10_000;
            rt.block_on(Item::get_by_code(&mut db, code))
                .expect("found")
        })
    });

    c.bench_function("memdb/filter+order_by+limit 10 (10k rows)", |b| {
        b.iter(|| {
            rt.block_on(
                Item::filter(
                    Item::fields()
                        .category()
                        .eq("c3")
                        .and(Item::fields().price().lt(500)),
                )
                .order_by(Item::fields().price().desc())
                .limit(10)
                .exec(&mut db),
            )
            .expect("query")
        })
    });

    c.bench_function("memdb/create", |b| {
        b.iter_batched(
            || rt.block_on(db_with(0)),
            |mut db| {
                rt.block_on(
                    Item::create()
                        .category("c1")
                        .code(-1)
                        .price(5)
                        .name("new")
                        .exec(&mut db),
                )
                .expect("create")
            },
            BatchSize::SmallInput,
        )
    });
}

/// `create` into a table that already holds 10,000 rows (the unique index is checked
/// through its entry map, not by a scan).
fn bench_create_large(c: &mut Criterion) {
    let rt = runtime();
    let mut db = rt.block_on(db_with(10_000));
    let mut code = 10_000i64;
    c.bench_function("memdb/create (10k rows)", |b| {
        b.iter(|| {
            code += 1;
            rt.block_on(
                Item::create()
                    .category("c1")
                    .code(code)
                    .price(5)
                    .name("new")
                    .exec(&mut db),
            )
            .expect("create")
        })
    });
}

criterion_group!(benches, bench, bench_create_large);
criterion_main!(benches);

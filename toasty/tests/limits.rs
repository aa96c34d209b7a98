//! The limits of `toasty::limits` on small stacks: a filter 100,000 levels deep is
//! built, refused with `InvalidStatement` and dropped on a thread with a 256 KiB stack
//! (a recursive pass over it would overflow long before), and a filter at the depth
//! limit is answered on a 1 MiB stack, on memdb and (with the `sqlite` feature) SQLite.

use toasty::limits::MAX_FILTER_DEPTH;
use toasty::{Db, ErrorKind, Expr};

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    id: i64,
    n: i64,
}

/// The stack a refused statement is run on.
const SMALL: usize = 256 * 1024;

/// The stack a statement at the limits is run on: half of what every thread Rust or
/// Tokio starts has (2 MiB). A debug build needs about 512 KiB for a filter at the
/// depth limit on SQLite (each level of the evaluator and the serializer is a few KiB
/// unoptimized), far less when optimized.
const AT_LIMIT: usize = 1024 * 1024;

/// Runs `f` to completion on a fresh thread with a `stack`-byte stack and a
/// single-threaded runtime.
fn on_stack<F, Fut>(stack: usize, f: F)
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(Box::pin(f()));
        })
        .expect("spawn")
        .join()
        .expect("the small-stack thread finished without panicking");
}

/// `levels` alternating `and`/`or` levels around `n == 0`, built with the typed API.
fn nested(levels: usize) -> Expr<bool> {
    let n = || Item::fields().n();
    let mut f = n().eq(0);
    for i in 0..levels {
        f = if i % 2 == 0 {
            n().ge(-1).and(f)
        } else {
            n().eq(i as i64 + 1).or(f)
        };
    }
    f
}

async fn open(url: &str) -> Db {
    let mut db = Db::builder()
        .models(toasty::models!(Item))
        .connect(url)
        .await
        .unwrap_or_else(|e| panic!("connect {url}: {e}"));
    db.push_schema().await.expect("push_schema");
    for id in 0..5 {
        Item::create()
            .id(id)
            .n(id)
            .exec(&mut db)
            .await
            .expect("create");
    }
    db
}

async fn deep_filters_are_refused(url: &'static str) {
    let mut db = open(url).await;
    for levels in [MAX_FILTER_DEPTH + 1, 10_000, 100_000] {
        let err = Item::filter(nested(levels))
            .exec(&mut db)
            .await
            .expect_err("too deep");
        assert_eq!(err.kind(), ErrorKind::InvalidStatement, "{err}");
        assert!(err.message().contains("MAX_FILTER_DEPTH"), "{err}");
        let err = Item::filter(nested(levels))
            .delete()
            .exec(&mut db)
            .await
            .expect_err("too deep");
        assert_eq!(err.kind(), ErrorKind::InvalidStatement, "{err}");
        let err = Item::filter(nested(levels))
            .update()
            .n(1)
            .exec(&mut db)
            .await
            .expect_err("too deep");
        assert_eq!(err.kind(), ErrorKind::InvalidStatement, "{err}");
    }
    // Built, cloned and dropped without running it.
    let deep = nested(100_000);
    drop(deep.clone());
    drop(deep);
    let all = Item::filter(Item::fields().id().in_list(0..5));
    assert_eq!(all.count().exec(&mut db).await.expect("count"), 5);
}

async fn filters_at_the_limit_are_answered(url: &'static str) {
    let mut db = open(url).await;
    // id IN (..) AND nested(60): n == 0, or n == 2, 4, ...
    let filter = Item::fields()
        .id()
        .in_list(0..5)
        .and(nested(MAX_FILTER_DEPTH - 4));
    let rows = Item::filter(filter)
        .exec(&mut db)
        .await
        .expect("within the limit");
    let mut ids: Vec<i64> = rows.into_iter().map(|i| i.id).collect();
    ids.sort();
    assert_eq!(ids, [0, 2, 4]);
}

#[test]
fn memdb_refuses_deep_filters_on_a_small_stack() {
    on_stack(SMALL, || deep_filters_are_refused("memory:"));
    on_stack(AT_LIMIT, || filters_at_the_limit_are_answered("memory:"));
}

#[test]
fn memdb_kv_refuses_deep_filters_on_a_small_stack() {
    on_stack(SMALL, || deep_filters_are_refused("memory:kv"));
    on_stack(AT_LIMIT, || filters_at_the_limit_are_answered("memory:kv"));
}

#[cfg(feature = "sqlite")]
#[test]
fn sqlite_refuses_deep_filters_on_a_small_stack() {
    on_stack(SMALL, || deep_filters_are_refused("sqlite::memory:"));
    on_stack(AT_LIMIT, || {
        filters_at_the_limit_are_answered("sqlite::memory:")
    });
}

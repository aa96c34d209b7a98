//! `Db::metrics`: the counts of statements, driver operations and phases after known
//! workloads, on memdb (both personas) and SQLite; nothing is collected unless asked.

use std::time::Duration;
use toasty::metrics::{Phase, StatementKind};

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    #[auto]
    id: u64,
    #[unique]
    name: String,
    price: i64,
}

/// A model a key-value store can hold (no auto-increment key).
#[derive(Debug, toasty::Model)]
struct Tag {
    #[key]
    #[auto]
    id: uuid::Uuid,
    #[unique]
    name: String,
}

async fn open(url: &str, metrics: bool) -> toasty::Db {
    let db = toasty::Db::builder()
        .models(toasty::models!(Item))
        .metrics(metrics)
        .connect(url)
        .await
        .expect("open");
    db.push_schema().await.expect("push schema");
    db
}

/// Three creates, a lookup by key, a filter, a failing create, an update, a delete.
async fn workload(db: &mut toasty::Db) -> u64 {
    let mut first = 0;
    for (i, name) in ["a", "b", "c"].into_iter().enumerate() {
        let item = toasty::create!(Item {
            name: name,
            price: i as i64
        })
        .exec(db)
        .await
        .expect("create");
        if i == 0 {
            first = item.id;
        }
    }
    Item::get_by_id(db, first).await.expect("get");
    let cheap = Item::filter(Item::fields().price().lt(2))
        .exec(db)
        .await
        .expect("filter");
    assert_eq!(cheap.len(), 2);
    let dup = toasty::create!(Item {
        name: "a",
        price: 9
    })
    .exec(db)
    .await;
    assert!(dup.is_err_and(|e| e.is_unique_violation()));
    Item::update_by_id(first)
        .price(5)
        .exec(db)
        .await
        .expect("update");
    Item::delete_by_id(db, first).await.expect("delete");
    first
}

#[tokio::test]
async fn off_by_default_and_all_zero() {
    let mut db = open("memory:", false).await;
    workload(&mut db).await;
    let m = db.metrics();
    assert!(!m.is_enabled());
    assert_eq!(m.statements().count(), 0);
    assert_eq!(m.operations().count(), 0);
    for phase in Phase::ALL {
        assert_eq!(m.phase(phase).count(), 0);
    }
    assert!(m.to_string().contains("metrics are off"));
}

#[tokio::test]
async fn memdb_sql_persona_counts_every_statement_and_operation() {
    let mut db = open("memory:", true).await;
    workload(&mut db).await;
    let m = db.metrics();
    assert!(m.is_enabled());

    let create = m.statement(StatementKind::Create);
    assert_eq!(create.count(), 4);
    assert_eq!(create.errors(), 1);
    assert_eq!(create.rows(), 3);
    let query = m.statement(StatementKind::Query);
    assert_eq!(query.count(), 2);
    assert_eq!(query.errors(), 0);
    assert_eq!(query.rows(), 3, "one record by key, two by the filter");
    assert_eq!(m.statement(StatementKind::Update).count(), 1);
    assert_eq!(m.statement(StatementKind::Update).rows(), 1);
    assert_eq!(m.statement(StatementKind::Delete).count(), 1);
    assert_eq!(m.statement(StatementKind::Batch).count(), 0);

    // The SQL persona gets one table-level operation per statement.
    assert_eq!(m.operation("insert").count(), 4);
    assert_eq!(m.operation("insert").errors(), 1);
    assert_eq!(m.operation("select").count(), 2);
    assert_eq!(m.operation("select").rows(), 3);
    assert_eq!(m.operation("update").count(), 1);
    assert_eq!(m.operation("delete").count(), 1);
    assert_eq!(m.operation("get by key").count(), 0);
    assert_eq!(m.operation("no such operation").count(), 0);
    let names: Vec<_> = m.operations().map(|(n, _)| n).collect();
    assert_eq!(names, ["insert", "select", "update", "delete"]);

    // Every statement was built and planned; each driver operation is a driver sample;
    // the failed create was never loaded.
    assert_eq!(m.phase(Phase::Build).count(), 8);
    assert_eq!(m.phase(Phase::Plan).count(), 8);
    assert_eq!(m.phase(Phase::Driver).count(), 8);
    assert_eq!(m.phase(Phase::Load).count(), 7);
    for phase in Phase::ALL {
        let h = m.phase(phase);
        assert!(h.sum() >= h.max());
        assert!(h.quantile(0.5) <= h.max());
        assert_eq!(h.buckets().map(|(_, n)| n).sum::<u64>(), h.count());
    }
    let statements: Duration = m.statements().map(|(_, c)| c.duration().sum()).sum();
    assert!(statements >= m.phase(Phase::Driver).sum());

    let table = m.to_string();
    for line in [
        "phase build",
        "phase plan",
        "phase driver",
        "phase load",
        "statement create",
        "statement query",
        "op insert",
        "op select",
    ] {
        assert!(table.contains(line), "{line} missing from\n{table}");
    }
    assert!(!table.contains("statement batch"));

    db.reset_metrics();
    let m = db.metrics();
    assert!(m.is_enabled());
    assert_eq!(m.statements().count(), 0);
    assert_eq!(m.phase(Phase::Plan).count(), 0);
}

#[tokio::test]
async fn memdb_kv_persona_counts_key_value_operations() {
    let mut db = toasty::Db::builder()
        .models(toasty::models!(Tag))
        .metrics(true)
        .connect("memory:kv")
        .await
        .expect("open");
    db.push_schema().await.expect("push schema");
    let first = toasty::create!(Tag { name: "a" })
        .exec(&mut db)
        .await
        .expect("create");
    Tag::get_by_id(&mut db, first.id).await.expect("get");
    Tag::get_by_name(&mut db, "a").await.expect("get by name");
    let m = db.metrics();
    assert_eq!(m.statement(StatementKind::Create).count(), 1);
    assert_eq!(m.statement(StatementKind::Query).count(), 2);
    assert_eq!(m.operation("transactional write").count(), 1);
    assert_eq!(m.operation("get by key").count(), 1);
    assert_eq!(m.operation("query by partition key").count(), 1);
    assert_eq!(m.operation("insert").count(), 0);
}

#[tokio::test]
async fn batches_transactions_and_clones_share_the_counts() {
    let mut db = open("memory:", true).await;
    let mut other = db.clone();
    let (a, b) = toasty::batch((
        toasty::create!(Item {
            name: "a",
            price: 1
        }),
        toasty::create!(Item {
            name: "b",
            price: 2
        }),
    ))
    .exec(&mut db)
    .await
    .expect("batch");
    let mut tx = other.transaction().await.expect("begin");
    Item::get_by_id(&mut tx, a.id).await.expect("get in tx");
    Item::delete_by_id(&mut tx, b.id)
        .await
        .expect("delete in tx");
    tx.commit().await.expect("commit");

    let m = db.metrics();
    let batch = m.statement(StatementKind::Batch);
    assert_eq!(batch.count(), 1);
    assert_eq!(batch.rows(), 2);
    assert_eq!(m.statement(StatementKind::Create).count(), 0);
    assert_eq!(m.statement(StatementKind::Query).count(), 1);
    assert_eq!(m.statement(StatementKind::Delete).count(), 1);
    assert_eq!(m.operation("insert").count(), 2);
    // One build and one load for the whole batch, one plan per statement in it.
    assert_eq!(m.phase(Phase::Build).count(), 3);
    assert_eq!(m.phase(Phase::Plan).count(), 4);
    assert_eq!(m.phase(Phase::Load).count(), 3);
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn sqlite_counts_statements_and_raw_sql() {
    let mut db = open("sqlite::memory:", true).await;
    let first = workload(&mut db).await;
    let changed = toasty::sql::statement("UPDATE items SET price = price + 1")
        .exec(&mut db)
        .await
        .expect("raw statement");
    assert_eq!(changed, 2);
    let rows = toasty::sql::query("SELECT name FROM items WHERE id > ?")
        .bind(first as i64)
        .exec(&mut db)
        .await
        .expect("raw query");
    assert_eq!(rows.len(), 2);
    let bad = toasty::sql::statement("UPDATE no_such_table SET x = 1")
        .exec(&mut db)
        .await;
    assert!(bad.is_err());

    let m = db.metrics();
    assert_eq!(m.statement(StatementKind::Create).count(), 4);
    assert_eq!(m.statement(StatementKind::Create).errors(), 1);
    assert_eq!(m.statement(StatementKind::Query).rows(), 3);
    let raw = m.statement(StatementKind::RawSql);
    assert_eq!(raw.count(), 3);
    assert_eq!(raw.errors(), 1);
    assert_eq!(raw.rows(), 4, "2 rows changed, 2 rows read");
    assert_eq!(m.operation("raw sql").count(), 3);
    assert_eq!(m.operation("raw sql").errors(), 1);
    assert_eq!(m.operation("insert").count(), 4);
    assert_eq!(m.phase(Phase::Driver).count(), 8 + 3);
}

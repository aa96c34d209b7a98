//! Interactive transactions against a real server (`TOASTY_TEST_POSTGRES_URL`): commit
//! and rollback seen from another session, savepoints, a split insert inside a
//! transaction, read-only refusal, a serialization conflict between two serializable
//! transactions, recovery after a failed statement, and misuse. Without the variable
//! the tests print why and pass, except under `CI=true`.

use toasty_core::driver::{
    Connection, CreateTable, Driver, DropTable, Insert, IsolationLevel, Operation, Response,
    Select, TransactWrite, TransactionOp, Update, WriteItem,
};
use toasty_core::schema::db::{Column, Schema, Table, TableId};
use toasty_core::stmt::{BinaryOp, Expr, Select as Projection};
use toasty_core::{ErrorKind, Result, Type, Value};
use toasty_postgres::Postgres;

const T: TableId = TableId(0);

fn url(test: &str) -> Option<String> {
    match std::env::var("TOASTY_TEST_POSTGRES_URL") {
        Ok(url) => Some(url),
        Err(_) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("TOASTY_TEST_POSTGRES_URL is not set under CI=true");
            }
            eprintln!("skipping {test}: TOASTY_TEST_POSTGRES_URL is not set");
            None
        }
    }
}

/// `id BIGINT` primary key and a nullable `n BIGINT`.
fn schema(test: &str) -> Schema {
    let column = |name: &str, nullable| Column {
        name: name.into(),
        ty: Type::I64,
        nullable,
        auto_increment: false,
        max_len: None,
    };
    Schema {
        tables: vec![Table {
            id: T,
            name: format!("tx{}_{test}", std::process::id()),
            columns: vec![column("id", false), column("n", true)],
            primary_key: vec![0],
            indices: vec![],
        }],
    }
}

/// A driver, a fresh table and two connections.
async fn setup(url: &str, schema: &Schema) -> (Postgres, Box<dyn Connection>, Box<dyn Connection>) {
    let driver = Postgres::new(url).unwrap();
    let mut a = driver.connect().await.unwrap();
    a.exec(schema, Operation::DropTable(DropTable { table: T }))
        .await
        .unwrap();
    a.exec(schema, Operation::CreateTable(CreateTable { table: T }))
        .await
        .unwrap();
    let b = driver.connect().await.unwrap();
    (driver, a, b)
}

async fn teardown(mut conn: Box<dyn Connection>, schema: &Schema) {
    conn.exec(schema, Operation::DropTable(DropTable { table: T }))
        .await
        .unwrap();
}

fn begin(isolation: Option<IsolationLevel>, read_only: bool) -> Operation {
    Operation::Transaction(TransactionOp::Begin {
        isolation,
        read_only,
    })
}

fn step(op: TransactionOp) -> Operation {
    Operation::Transaction(op)
}

fn insert(ids: std::ops::Range<i64>) -> Operation {
    Operation::Insert(Insert {
        table: T,
        columns: vec![0, 1],
        rows: ids.map(|i| vec![Value::I64(i), Value::I64(0)]).collect(),
        returning: vec![],
    })
}

fn bump(id: i64) -> Operation {
    Operation::Update(Update {
        table: T,
        filter: Expr::binary(BinaryOp::Eq, Expr::Column(0), Expr::Value(Value::I64(id))),
        assignments: vec![(1, Value::I64(1))],
        arithmetic: Vec::new(),
        returning: true,
    })
}

async fn ids(conn: &mut Box<dyn Connection>, schema: &Schema) -> Result<Vec<i64>> {
    let op = Operation::Select(Select {
        table: T,
        filter: Expr::true_(),
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    });
    let Response::Rows(rows) = conn.exec(schema, op).await?.into_row_vecs() else {
        panic!("a select returns rows");
    };
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| match r[0] {
            Value::I64(i) => i,
            ref v => panic!("id {v:?}"),
        })
        .collect();
    ids.sort();
    Ok(ids)
}

fn kind(r: Result<Response>) -> ErrorKind {
    match r {
        Ok(resp) => panic!("expected an error, got {resp:?}"),
        Err(e) => e.kind(),
    }
}

#[tokio::test]
async fn commit_is_seen_by_another_session_only_after_commit_and_rollback_leaves_nothing() {
    let Some(url) = url("commit_and_rollback") else {
        return;
    };
    let schema = schema("commit");
    let (driver, mut a, mut b) = setup(&url, &schema).await;
    assert!(driver.capability().interactive_transactions);

    a.exec(&schema, begin(None, false)).await.unwrap();
    a.exec(&schema, insert(0..3)).await.unwrap();
    assert_eq!(ids(&mut a, &schema).await.unwrap(), vec![0, 1, 2]);
    assert_eq!(ids(&mut b, &schema).await.unwrap(), Vec::<i64>::new());
    a.exec(&schema, step(TransactionOp::Rollback))
        .await
        .unwrap();
    assert_eq!(ids(&mut a, &schema).await.unwrap(), Vec::<i64>::new());

    a.exec(&schema, begin(Some(IsolationLevel::ReadCommitted), false))
        .await
        .unwrap();
    a.exec(&schema, insert(5..7)).await.unwrap();
    assert_eq!(ids(&mut b, &schema).await.unwrap(), Vec::<i64>::new());
    assert_eq!(
        a.exec(&schema, step(TransactionOp::Commit)).await.unwrap(),
        Response::Count(0)
    );
    assert_eq!(ids(&mut b, &schema).await.unwrap(), vec![5, 6]);
    teardown(a, &schema).await;
}

#[tokio::test]
async fn savepoints_roll_back_nested_work_and_recover_a_failed_statement() {
    let Some(url) = url("savepoints") else {
        return;
    };
    let schema = schema("savepoints");
    let (_driver, mut a, mut b) = setup(&url, &schema).await;
    a.exec(&schema, begin(None, false)).await.unwrap();
    a.exec(&schema, insert(0..1)).await.unwrap();
    a.exec(&schema, step(TransactionOp::Savepoint(1)))
        .await
        .unwrap();
    a.exec(&schema, insert(1..2)).await.unwrap();
    a.exec(&schema, step(TransactionOp::RollbackToSavepoint(1)))
        .await
        .unwrap();
    // A failed statement aborts the transaction; rolling back to the savepoint
    // (still defined after the first rollback to it) makes it usable again.
    let e = a.exec(&schema, insert(0..1)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    let e = ids(&mut a, &schema).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TransactionAborted, "{e}");
    assert_eq!(
        kind(a.exec(&schema, step(TransactionOp::Savepoint(2))).await),
        ErrorKind::TransactionAborted
    );
    a.exec(&schema, step(TransactionOp::RollbackToSavepoint(1)))
        .await
        .unwrap();
    a.exec(&schema, insert(2..3)).await.unwrap();
    a.exec(&schema, step(TransactionOp::ReleaseSavepoint(1)))
        .await
        .unwrap();
    a.exec(&schema, step(TransactionOp::Commit)).await.unwrap();
    assert_eq!(ids(&mut b, &schema).await.unwrap(), vec![0, 2]);
    teardown(a, &schema).await;
}

#[tokio::test]
async fn a_failed_statement_makes_commit_roll_back() {
    let Some(url) = url("failed_commit") else {
        return;
    };
    let schema = schema("failed_commit");
    let (_driver, mut a, mut b) = setup(&url, &schema).await;
    a.exec(&schema, insert(0..1)).await.unwrap();
    a.exec(&schema, begin(None, false)).await.unwrap();
    a.exec(&schema, insert(1..2)).await.unwrap();
    let e = a.exec(&schema, insert(0..1)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UniqueViolation, "{e}");
    let e = a
        .exec(&schema, step(TransactionOp::Commit))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::TransactionAborted, "{e}");
    assert!(e.message().contains("not committed"), "{e}");
    // Nothing of the transaction is kept, and the connection is out of it.
    assert_eq!(ids(&mut b, &schema).await.unwrap(), vec![0]);
    assert_eq!(
        kind(a.exec(&schema, step(TransactionOp::Rollback)).await),
        ErrorKind::InvalidStatement
    );
    a.exec(&schema, insert(3..4)).await.unwrap();
    assert_eq!(ids(&mut b, &schema).await.unwrap(), vec![0, 3]);
    teardown(a, &schema).await;
}

#[tokio::test]
async fn a_multi_statement_insert_inside_a_transaction_is_rolled_back_with_it() {
    let Some(url) = url("split_insert") else {
        return;
    };
    let schema = schema("split_insert");
    let (_driver, mut a, mut b) = setup(&url, &schema).await;
    let big = insert(0..40_000);
    let statements = toasty_sql::Serializer::new(toasty_sql::Dialect::Postgres)
        .serialize(&schema, &big)
        .unwrap();
    assert!(statements.len() > 1, "the insert is split");
    a.exec(&schema, begin(None, false)).await.unwrap();
    assert_eq!(
        a.exec(&schema, big.clone()).await.unwrap(),
        Response::Count(40_000)
    );
    // Still inside the transaction: the other session sees nothing.
    assert_eq!(ids(&mut b, &schema).await.unwrap(), Vec::<i64>::new());
    a.exec(&schema, step(TransactionOp::Rollback))
        .await
        .unwrap();
    assert_eq!(ids(&mut b, &schema).await.unwrap(), Vec::<i64>::new());
    // Outside a transaction it commits on its own.
    a.exec(&schema, big).await.unwrap();
    assert_eq!(ids(&mut b, &schema).await.unwrap().len(), 40_000);
    teardown(a, &schema).await;
}

#[tokio::test]
async fn a_read_only_transaction_refuses_writes() {
    let Some(url) = url("read_only") else {
        return;
    };
    let schema = schema("read_only");
    let (_driver, mut a, _b) = setup(&url, &schema).await;
    a.exec(&schema, insert(0..1)).await.unwrap();
    a.exec(&schema, begin(Some(IsolationLevel::RepeatableRead), true))
        .await
        .unwrap();
    assert_eq!(ids(&mut a, &schema).await.unwrap(), vec![0]);
    let e = a.exec(&schema, bump(0)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ReadOnlyTransaction, "{e}");
    assert!(e.message().contains("read-only"), "{e}");
    a.exec(&schema, step(TransactionOp::Rollback))
        .await
        .unwrap();
    a.exec(&schema, bump(0)).await.unwrap();
    teardown(a, &schema).await;
}

#[tokio::test]
async fn conflicting_serializable_transactions_fail_one_with_a_serialization_failure() {
    let Some(url) = url("serializable") else {
        return;
    };
    let schema = schema("serializable");
    let (_driver, mut a, mut b) = setup(&url, &schema).await;
    a.exec(&schema, insert(0..1)).await.unwrap();
    let serializable = || begin(Some(IsolationLevel::Serializable), false);
    a.exec(&schema, serializable()).await.unwrap();
    b.exec(&schema, serializable()).await.unwrap();
    // Both read the row, then both write it.
    assert_eq!(ids(&mut a, &schema).await.unwrap(), vec![0]);
    assert_eq!(ids(&mut b, &schema).await.unwrap(), vec![0]);
    a.exec(&schema, bump(0)).await.unwrap();
    a.exec(&schema, step(TransactionOp::Commit)).await.unwrap();
    let e = b.exec(&schema, bump(0)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::SerializationFailure, "{e}");
    assert!(e.message().contains("retry"), "{e}");
    // Only a rollback is accepted now.
    assert_eq!(
        kind(ids(&mut b, &schema).await.map(|_| Response::Count(0))),
        ErrorKind::TransactionAborted
    );
    b.exec(&schema, step(TransactionOp::Rollback))
        .await
        .unwrap();
    // The retry succeeds.
    b.exec(&schema, serializable()).await.unwrap();
    b.exec(&schema, bump(0)).await.unwrap();
    b.exec(&schema, step(TransactionOp::Commit)).await.unwrap();
    teardown(a, &schema).await;
}

#[tokio::test]
async fn misuse_is_refused_without_reaching_the_server() {
    let Some(url) = url("misuse") else {
        return;
    };
    let schema = schema("misuse");
    let (_driver, mut a, _b) = setup(&url, &schema).await;
    for op in [
        TransactionOp::Commit,
        TransactionOp::Rollback,
        TransactionOp::Savepoint(1),
        TransactionOp::ReleaseSavepoint(1),
        TransactionOp::RollbackToSavepoint(1),
    ] {
        let e = a.exec(&schema, step(op)).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{op:?}: {e}");
    }
    a.exec(&schema, begin(None, false)).await.unwrap();
    let e = a.exec(&schema, begin(None, true)).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidStatement, "{e}");
    assert_eq!(
        kind(
            a.exec(&schema, step(TransactionOp::ReleaseSavepoint(1)))
                .await
        ),
        ErrorKind::InvalidStatement
    );
    // The refusals did not disturb the transaction.
    a.exec(&schema, insert(0..1)).await.unwrap();
    a.exec(&schema, step(TransactionOp::Commit)).await.unwrap();
    assert_eq!(ids(&mut a, &schema).await.unwrap(), vec![0]);
    let e = a
        .exec(
            &schema,
            Operation::TransactWrite(TransactWrite {
                items: vec![WriteItem::Put {
                    table: T,
                    row: vec![Value::I64(1), Value::Null],
                }],
            }),
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unsupported, "{e}");
    assert!(e.message().contains("key-value operation"), "{e}");
    teardown(a, &schema).await;
}

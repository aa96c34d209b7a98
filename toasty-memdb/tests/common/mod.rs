//! Shared fixtures: hand-written app models, schema building and a small executor.
#![allow(dead_code)]

use toasty_core::driver::{
    CreateTable, Delete, DeleteByKey, Driver, GetByKey, Insert, Operation, QueryPk, Response,
    Select, Update, UpdateByKey,
};
use toasty_core::schema::{app, Schema, SchemaOptions};
use toasty_core::stmt::{BinaryOp, Direction, Expr, OrderBy, Select as Projection};
use toasty_core::{ErrorKind, Type, Value};
use toasty_memdb::MemDb;

pub use toasty_core::schema::db::TableId;

pub fn field(name: &str, ty: Type, nullable: bool) -> app::Field {
    app::Field {
        name: name.into(),
        column_name: name.into(),
        ty,
        nullable,
        auto: None,
        column_type: None,
    }
}

pub fn model(
    name: &str,
    fields: Vec<app::Field>,
    pk: Vec<usize>,
    indices: Vec<app::Index>,
) -> app::Model {
    app::Model {
        name: name.into(),
        table_name: app::default_table_name(name),
        fields,
        primary_key: pk,
        indices,
    }
}

pub fn index(fields: Vec<usize>, unique: bool) -> app::Index {
    app::Index {
        fields,
        unique,
        primary: false,
        name: None,
    }
}

/// users(id i64 auto pk, name String, email Option<String> unique, age Option<i32>),
/// index on age (non-unique).
pub fn user_model() -> app::Model {
    let mut id = field("id", Type::I64, false);
    id.auto = Some(app::Auto::Increment);
    model(
        "User",
        vec![
            id,
            field("name", Type::String, false),
            field("email", Type::String, true),
            field("age", Type::I32, true),
        ],
        vec![0],
        vec![index(vec![2], true), index(vec![3], false)],
    )
}

/// items(owner i64, seq i64, title String, category Option<String>, rank Option<i64>),
/// key (owner, seq); index 0 = (category, rank) non-unique; index 1 = (title) non-unique.
pub fn item_model() -> app::Model {
    model(
        "Item",
        vec![
            field("owner", Type::I64, false),
            field("seq", Type::I64, false),
            field("title", Type::String, false),
            field("category", Type::String, true),
            field("rank", Type::I64, true),
        ],
        vec![0, 1],
        vec![index(vec![3, 4], false), index(vec![2], false)],
    )
}

/// pairs(id String pk, a Option<i64>, b Option<String>), unique (a, b).
pub fn pair_model() -> app::Model {
    model(
        "Pair",
        vec![
            field("id", Type::String, false),
            field("a", Type::I64, true),
            field("b", Type::String, true),
        ],
        vec![0],
        vec![index(vec![1, 2], true)],
    )
}

/// triples(a, b, c i64) keyed by all three columns.
pub fn triple_model() -> app::Model {
    model(
        "Triple",
        vec![
            field("a", Type::I64, false),
            field("b", Type::I64, false),
            field("c", Type::I64, false),
        ],
        vec![0, 1, 2],
        vec![],
    )
}

pub const USERS: TableId = TableId(0);
pub const ITEMS: TableId = TableId(1);
pub const PAIRS: TableId = TableId(2);
pub const TRIPLES: TableId = TableId(3);

pub fn schema() -> Schema {
    Schema::build(
        vec![user_model(), item_model(), pair_model(), triple_model()],
        &SchemaOptions::default(),
    )
    .unwrap()
}

/// A connection plus the schema, with helpers that unwrap responses.
pub struct T {
    pub db: MemDb,
    pub conn: Box<dyn toasty_core::driver::Connection>,
    pub schema: Schema,
}

impl T {
    /// A fresh database of the given persona with users, items and pairs created.
    pub async fn new(db: MemDb) -> T {
        let conn = db.connect().await.unwrap();
        let mut t = T {
            db,
            conn,
            schema: schema(),
        };
        for table in [USERS, ITEMS, PAIRS] {
            if t.db.capability().auto_increment || table != USERS {
                t.ok(Operation::CreateTable(CreateTable { table })).await;
            }
        }
        t
    }

    pub async fn exec(&mut self, op: Operation) -> toasty_core::Result<Response> {
        self.conn.exec(&self.schema.db, op).await
    }

    pub async fn ok(&mut self, op: Operation) -> Response {
        match self.exec(op).await {
            Ok(r) => r,
            Err(e) => panic!("unexpected error: {e}"),
        }
    }

    pub async fn err(&mut self, op: Operation) -> toasty_core::Error {
        match self.exec(op).await {
            Ok(r) => panic!("expected an error, got {r:?}"),
            Err(e) => e,
        }
    }

    pub async fn rows(&mut self, op: Operation) -> Vec<Vec<Value>> {
        match self.ok(op).await {
            Response::Rows(rows) => rows,
            other => panic!("expected rows, got {other:?}"),
        }
    }

    pub async fn count(&mut self, op: Operation) -> u64 {
        match self.ok(op).await {
            Response::Count(n) => n,
            other => panic!("expected a count, got {other:?}"),
        }
    }

    /// Every row of `table`, in primary-key order (sql persona only).
    pub async fn all(&mut self, table: TableId) -> Vec<Vec<Value>> {
        self.rows(select(table, Expr::true_())).await
    }
}

pub fn v<T: Into<Value>>(x: T) -> Value {
    x.into()
}

pub fn s(x: &str) -> Value {
    Value::String(x.into())
}

pub const NULL: Value = Value::Null;

pub fn col(i: usize) -> Expr {
    Expr::Column(i)
}

pub fn lit(x: impl Into<Value>) -> Expr {
    Expr::Value(x.into())
}

pub fn cmp(op: BinaryOp, c: usize, x: impl Into<Value>) -> Expr {
    Expr::binary(op, col(c), lit(x))
}

pub fn insert(table: TableId, columns: Vec<usize>, rows: Vec<Vec<Value>>) -> Operation {
    Operation::Insert(Insert {
        table,
        columns,
        rows,
        returning: vec![],
    })
}

pub fn insert_returning(
    table: TableId,
    columns: Vec<usize>,
    rows: Vec<Vec<Value>>,
    returning: Vec<usize>,
) -> Operation {
    Operation::Insert(Insert {
        table,
        columns,
        rows,
        returning,
    })
}

pub fn select(table: TableId, filter: Expr) -> Operation {
    Operation::Select(Select {
        table,
        filter,
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    })
}

pub fn select_ordered(
    table: TableId,
    filter: Expr,
    order_by: Vec<(usize, Direction)>,
    limit: Option<u64>,
    offset: Option<u64>,
) -> Operation {
    Operation::Select(Select {
        table,
        filter,
        order_by: order_by
            .into_iter()
            .map(|(target, direction)| OrderBy { target, direction })
            .collect(),
        limit,
        offset,
        projection: Projection::Records,
    })
}

pub fn count(table: TableId, filter: Expr) -> Operation {
    Operation::Select(Select {
        table,
        filter,
        order_by: vec![],
        limit: Some(1),
        offset: Some(5),
        projection: Projection::Count,
    })
}

pub fn update(
    table: TableId,
    filter: Expr,
    assignments: Vec<(usize, Value)>,
    returning: bool,
) -> Operation {
    Operation::Update(Update {
        table,
        filter,
        assignments,
        arithmetic: Vec::new(),
        returning,
    })
}

pub fn delete(table: TableId, filter: Expr) -> Operation {
    Operation::Delete(Delete { table, filter })
}

pub fn get(table: TableId, keys: Vec<Vec<Value>>) -> Operation {
    Operation::GetByKey(GetByKey { table, keys })
}

pub fn query(
    table: TableId,
    index: Option<usize>,
    partition: Value,
    sort: Option<Expr>,
) -> Operation {
    Operation::QueryPk(QueryPk {
        table,
        index,
        partition,
        sort,
    })
}

pub fn update_by_key(
    table: TableId,
    keys: Vec<Vec<Value>>,
    assignments: Vec<(usize, Value)>,
) -> Operation {
    Operation::UpdateByKey(UpdateByKey {
        table,
        keys,
        assignments,
    })
}

pub fn delete_by_key(table: TableId, keys: Vec<Vec<Value>>) -> Operation {
    Operation::DeleteByKey(DeleteByKey { table, keys })
}

pub fn assert_kind(e: &toasty_core::Error, kind: ErrorKind) {
    assert_eq!(e.kind(), kind, "wrong kind for error: {e}");
}

/// A user row as stored: (id, name, email, age).
pub fn user(id: i64, name: &str, email: Option<&str>, age: Option<i64>) -> Vec<Value> {
    vec![v(id), s(name), email.map(s).unwrap_or(NULL), v(age)]
}

/// An item row as stored: (owner, seq, title, category, rank).
pub fn item(
    owner: i64,
    seq: i64,
    title: &str,
    category: Option<&str>,
    rank: Option<i64>,
) -> Vec<Value> {
    vec![
        v(owner),
        v(seq),
        s(title),
        category.map(s).unwrap_or(NULL),
        v(rank),
    ]
}

impl T {
    /// Another connection to the same database (tables are not created again).
    pub async fn connect_again(&self) -> T {
        T {
            db: self.db.clone(),
            conn: self.db.connect().await.unwrap(),
            schema: schema(),
        }
    }
}

pub fn txn(op: toasty_core::driver::TransactionOp) -> Operation {
    Operation::Transaction(op)
}

pub fn begin() -> Operation {
    txn(toasty_core::driver::TransactionOp::Begin {
        isolation: None,
        read_only: false,
    })
}

pub fn begin_read_only() -> Operation {
    txn(toasty_core::driver::TransactionOp::Begin {
        isolation: None,
        read_only: true,
    })
}

pub fn commit() -> Operation {
    txn(toasty_core::driver::TransactionOp::Commit)
}

pub fn rollback() -> Operation {
    txn(toasty_core::driver::TransactionOp::Rollback)
}

pub fn savepoint(n: u32) -> Operation {
    txn(toasty_core::driver::TransactionOp::Savepoint(n))
}

pub fn release_savepoint(n: u32) -> Operation {
    txn(toasty_core::driver::TransactionOp::ReleaseSavepoint(n))
}

pub fn rollback_to_savepoint(n: u32) -> Operation {
    txn(toasty_core::driver::TransactionOp::RollbackToSavepoint(n))
}

pub fn transact(items: Vec<toasty_core::driver::WriteItem>) -> Operation {
    Operation::TransactWrite(toasty_core::driver::TransactWrite { items })
}

pub fn put(table: TableId, row: Vec<Value>) -> toasty_core::driver::WriteItem {
    toasty_core::driver::WriteItem::Put { table, row }
}

pub fn put_update(
    table: TableId,
    key: Vec<Value>,
    expect: Vec<Value>,
    assignments: Vec<(usize, Value)>,
) -> toasty_core::driver::WriteItem {
    toasty_core::driver::WriteItem::Update {
        table,
        key,
        expect,
        assignments,
    }
}

pub fn put_delete(
    table: TableId,
    key: Vec<Value>,
    expect: Vec<Value>,
) -> toasty_core::driver::WriteItem {
    toasty_core::driver::WriteItem::Delete { table, key, expect }
}

pub fn claim(
    table: TableId,
    index: usize,
    values: Vec<Value>,
    key: Vec<Value>,
) -> toasty_core::driver::WriteItem {
    toasty_core::driver::WriteItem::Claim {
        table,
        index,
        values,
        key,
    }
}

pub fn release(
    table: TableId,
    index: usize,
    values: Vec<Value>,
    key: Vec<Value>,
) -> toasty_core::driver::WriteItem {
    toasty_core::driver::WriteItem::Release {
        table,
        index,
        values,
        key,
    }
}

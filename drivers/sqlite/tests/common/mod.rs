//! Shared fixtures: a schema, a driver per storage kind, and an oracle built on
//! `toasty_core::stmt::eval` (the semantics contract memdb implements literally).
#![allow(dead_code)]

use std::cmp::Ordering;
use toasty_core::driver::{Connection, CreateTable, Driver, Insert, Operation, Response, Select};
use toasty_core::schema::db::{Column, Index, Schema, Table, TableId};
use toasty_core::stmt::{Expr, Select as Projection};
use toasty_core::{Result, Type, Value};
use toasty_sqlite::Sqlite;

pub const USERS: TableId = TableId(0);
pub const TYPES: TableId = TableId(1);
pub const MEMBERS: TableId = TableId(2);
pub const TEXTS: TableId = TableId(3);

pub const ID: usize = 0;
pub const NAME: usize = 1;
pub const EMAIL: usize = 2;
pub const AGE: usize = 3;
pub const SCORE: usize = 4;
pub const ACTIVE: usize = 5;

pub fn col(name: &str, ty: Type, nullable: bool) -> Column {
    Column {
        name: name.to_string(),
        ty,
        nullable,
        auto_increment: false,
        max_len: None,
    }
}

/// Column position of the non-null (`nullable == false`) or nullable column of `ty` in
/// the all-types table.
pub fn type_col(ty: Type, nullable: bool) -> usize {
    let i = Type::ALL.iter().position(|t| *t == ty).unwrap();
    1 + 2 * i + usize::from(nullable)
}

pub fn schema() -> Schema {
    let mut id = col("id", Type::I64, false);
    id.auto_increment = true;
    let users = Table {
        id: USERS,
        name: "users".into(),
        columns: vec![
            id,
            col("name", Type::String, false),
            col("email", Type::String, false),
            col("age", Type::I32, true),
            col("score", Type::F64, true),
            col("active", Type::Bool, false),
        ],
        primary_key: vec![ID],
        indices: vec![
            Index {
                name: "users_email_key".into(),
                columns: vec![EMAIL],
                unique: true,
            },
            Index {
                name: "users_name_age_idx".into(),
                columns: vec![NAME, AGE],
                unique: false,
            },
        ],
    };
    let mut columns = vec![col("key", Type::I64, false)];
    for ty in Type::ALL {
        columns.push(col(&format!("c_{}", ty.rust_name()), ty, false));
        columns.push(col(&format!("n_{}", ty.rust_name()), ty, true));
    }
    let types = Table {
        id: TYPES,
        name: "all_types".into(),
        columns,
        primary_key: vec![0],
        indices: vec![],
    };
    let members = Table {
        id: MEMBERS,
        name: "memberships".into(),
        columns: vec![
            col("org", Type::Uuid, false),
            col("user", Type::I64, false),
            col("role", Type::String, false),
        ],
        primary_key: vec![0, 1],
        indices: vec![Index {
            name: "memberships_role_user_idx".into(),
            columns: vec![2, 1],
            unique: false,
        }],
    };
    let texts = Table {
        id: TEXTS,
        name: "texts".into(),
        columns: vec![col("id", Type::I64, false), col("s", Type::String, true)],
        primary_key: vec![0],
        indices: vec![],
    };
    Schema {
        tables: vec![users, types, members, texts],
    }
}

/// A driver, one connection and the schema, with every table created.
pub struct Db {
    pub label: &'static str,
    pub driver: Sqlite,
    pub conn: Box<dyn Connection>,
    pub schema: Schema,
    _dir: Option<tempfile::TempDir>,
}

impl Db {
    pub async fn exec(&mut self, op: Operation) -> Result<Response> {
        self.conn
            .exec(&self.schema, op)
            .await
            .map(Response::into_row_vecs)
    }

    pub async fn rows(&mut self, op: Operation) -> Vec<Vec<Value>> {
        match self.exec(op).await.unwrap() {
            Response::Rows(rows) => rows,
            other => panic!("{}: expected rows, got {other:?}", self.label),
        }
    }

    pub async fn count(&mut self, op: Operation) -> u64 {
        match self.exec(op).await.unwrap() {
            Response::Count(n) => n,
            other => panic!("{}: expected a count, got {other:?}", self.label),
        }
    }

    pub async fn insert(&mut self, table: TableId, columns: Vec<usize>, rows: Vec<Vec<Value>>) {
        self.exec(Operation::Insert(Insert {
            table,
            columns,
            rows,
            returning: vec![],
        }))
        .await
        .unwrap();
    }

    pub async fn all(&mut self, table: TableId) -> Vec<Vec<Value>> {
        self.rows(Operation::Select(select(table, Expr::true_())))
            .await
    }
}

async fn setup(label: &'static str, driver: Sqlite, dir: Option<tempfile::TempDir>) -> Db {
    let schema = schema();
    let mut conn = driver.connect().await.unwrap();
    for t in &schema.tables {
        conn.exec(&schema, Operation::CreateTable(CreateTable { table: t.id }))
            .await
            .unwrap();
    }
    Db {
        label,
        driver,
        conn,
        schema,
        _dir: dir,
    }
}

/// An in-memory database and a temp-file database, each with every table created.
pub async fn both() -> Vec<Db> {
    let dir = tempfile::tempdir().unwrap();
    let file = Sqlite::open(dir.path().join("test.db")).unwrap();
    vec![
        setup("memory", Sqlite::in_memory().unwrap(), None).await,
        setup("file", file, Some(dir)).await,
    ]
}

pub fn select(table: TableId, filter: Expr) -> Select {
    Select {
        table,
        filter,
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    }
}

/// What the contract says a select returns, computed from all rows with the reference
/// evaluator.
pub fn oracle(all: &[Vec<Value>], op: &Select) -> Vec<Vec<Value>> {
    let selection = toasty_core::stmt::RowSelection {
        filter: &op.filter,
        order_by: &op.order_by,
        offset: op.offset,
        limit: op.limit,
    };
    toasty_core::stmt::select_rows(selection, all.iter().cloned()).unwrap()
}

/// Compares two row lists as multisets under the contract's equality.
pub fn same_multiset(a: &[Vec<Value>], b: &[Vec<Value>]) -> bool {
    let sort = |rows: &[Vec<Value>]| {
        let mut rows = rows.to_vec();
        rows.sort_by(|x, y| cmp_row(x, y));
        rows
    };
    same_rows(&sort(a), &sort(b))
}

/// Compares two row lists in order under the contract's equality.
pub fn same_rows(a: &[Vec<Value>], b: &[Vec<Value>]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.len() == y.len() && x.iter().zip(y).all(|(p, q)| p.same_as(q)))
}

fn cmp_row(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.sort_cmp(y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// Only the columns in `cols` of each row.
pub fn project(rows: &[Vec<Value>], cols: &[usize]) -> Vec<Vec<Value>> {
    rows.iter()
        .map(|r| cols.iter().map(|&c| r[c].clone()).collect())
        .collect()
}

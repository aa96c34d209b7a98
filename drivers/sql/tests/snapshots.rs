//! Snapshot corpus: a fixed set of operations serialized for every dialect.
//!
//! Snapshots live in `/snapshots/sql/` at the workspace root, one file per operation
//! holding the SQL, parameters and output of all three dialects.

use toasty_core::driver::{
    CreateTable, Delete, DeleteByKey, DropTable, GetByKey, Insert, IsolationLevel, Operation,
    QueryPk, Select, TransactWrite, TransactionOp, Update, UpdateByKey, WriteItem,
};
use toasty_core::schema::db::{Column, Index, Schema, Table, TableId};
use toasty_core::stmt::{
    Arith, BinaryOp, Direction, Expr, OrderBy, PatternOp, Select as Projection, SubSelect,
};
use toasty_core::{Type, Value};
use toasty_sql::{Dialect, Serializer, TransactionState};

const USERS: TableId = TableId(0);
const ALL_TYPES: TableId = TableId(1);
const MEMBERS: TableId = TableId(2);
const WEIRD: TableId = TableId(3);
const EVENTS: TableId = TableId(4);
const LIMITED: TableId = TableId(5);

// users columns
const ID: usize = 0;
const NAME: usize = 1;
const EMAIL: usize = 2;
const AGE: usize = 3;
const SCORE: usize = 4;
const ACTIVE: usize = 5;
const CREATED: usize = 6;

fn col(name: &str, ty: Type, nullable: bool) -> Column {
    Column {
        name: name.to_string(),
        ty,
        nullable,
        auto_increment: false,
        max_len: None,
    }
}

fn schema() -> Schema {
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
            col("created_at", Type::Timestamp, true),
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
    let mut columns = vec![col("key", Type::String, false)];
    for ty in Type::ALL {
        columns.push(col(&format!("c_{}", short(ty)), ty, false));
        columns.push(col(&format!("n_{}", short(ty)), ty, true));
    }
    let all_types = Table {
        id: ALL_TYPES,
        name: "all_types".into(),
        columns,
        primary_key: vec![0],
        indices: vec![Index {
            name: "all_types_c_bytes_key".into(),
            columns: vec![1 + 2 * 12],
            unique: true,
        }],
    };
    let members = Table {
        id: MEMBERS,
        name: "memberships".into(),
        columns: vec![
            col("org_id", Type::Uuid, false),
            col("user_id", Type::I64, false),
            col("role", Type::String, false),
            col("since", Type::Timestamp, false),
        ],
        primary_key: vec![0, 1],
        indices: vec![Index {
            name: "memberships_user_id_idx".into(),
            columns: vec![1],
            unique: false,
        }],
    };
    let weird = Table {
        id: WEIRD,
        name: "we\"ird`table".into(),
        columns: vec![col("k\"ey", Type::U8, false), col("va`l", Type::F32, true)],
        primary_key: vec![0],
        indices: vec![],
    };
    let events = Table {
        id: EVENTS,
        name: "events".into(),
        columns: vec![
            col("stream", Type::String, false),
            col("seq", Type::I64, false),
            col("kind", Type::String, false),
            col("at", Type::Timestamp, false),
        ],
        primary_key: vec![0, 1],
        indices: vec![Index {
            name: "events_kind_at_idx".into(),
            columns: vec![2, 3],
            unique: false,
        }],
    };
    // `#[column(type = ..)]`: varchar(N) / binary(N) limits and a narrower integer.
    let limited_col = |name: &str, ty: Type, max_len: Option<u32>| Column {
        max_len,
        ..col(name, ty, false)
    };
    let limited = Table {
        id: LIMITED,
        name: "limited".into(),
        columns: vec![
            limited_col("id", Type::I64, None),
            limited_col("code", Type::String, Some(10)),
            limited_col("tag", Type::String, Some(40)),
            limited_col("long_text", Type::String, Some(1000)),
            limited_col("keyed_long", Type::String, Some(1000)),
            limited_col("raw", Type::Bytes, Some(8)),
            limited_col("small", Type::I8, None),
        ],
        primary_key: vec![0],
        indices: vec![Index {
            name: "limited_tag_keyed_long_idx".into(),
            columns: vec![2, 4],
            unique: false,
        }],
    };
    Schema {
        tables: vec![users, all_types, members, weird, events, limited],
    }
}

fn short(ty: Type) -> &'static str {
    match ty {
        Type::Bytes => "bytes",
        Type::Uuid => "uuid",
        Type::Timestamp => "ts",
        Type::String => "string",
        other => other.rust_name(),
    }
}

fn c(i: usize) -> Expr {
    Expr::Column(i)
}

fn v(x: impl Into<Value>) -> Expr {
    Expr::Value(x.into())
}

fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
    Expr::binary(op, l, r)
}

fn pat(op: PatternOp, i: usize, p: &str) -> Expr {
    Expr::Pattern {
        op,
        expr: Box::new(c(i)),
        pattern: p.into(),
    }
}

fn select(table: TableId, filter: Expr) -> Select {
    Select {
        table,
        filter,
        order_by: vec![],
        limit: None,
        offset: None,
        projection: Projection::Records,
    }
}

fn users_where(filter: Expr) -> Operation {
    Operation::Select(select(USERS, filter))
}

fn asc(target: usize) -> OrderBy {
    OrderBy {
        target,
        direction: Direction::Asc,
    }
}

fn desc(target: usize) -> OrderBy {
    OrderBy {
        target,
        direction: Direction::Desc,
    }
}

fn uuid(n: u128) -> Value {
    Value::Uuid(uuid::Uuid::from_u128(n))
}

fn in_select(lhs: Vec<Expr>, table: TableId, columns: Vec<usize>, filter: Expr) -> Expr {
    Expr::InSelect {
        lhs,
        select: Box::new(SubSelect {
            source: table.0,
            columns,
            filter,
        }),
    }
}

fn corpus() -> Vec<(&'static str, Operation)> {
    use BinaryOp::*;
    let mut out: Vec<(&'static str, Operation)> = vec![
        // DDL
        (
            "ddl_create_users_auto_increment",
            Operation::CreateTable(CreateTable { table: USERS }),
        ),
        (
            "ddl_create_column_types",
            Operation::CreateTable(CreateTable { table: LIMITED }),
        ),
        (
            "ddl_create_all_types",
            Operation::CreateTable(CreateTable { table: ALL_TYPES }),
        ),
        (
            "ddl_create_composite_key",
            Operation::CreateTable(CreateTable { table: MEMBERS }),
        ),
        (
            "ddl_create_quoted_names",
            Operation::CreateTable(CreateTable { table: WEIRD }),
        ),
        (
            "ddl_create_events",
            Operation::CreateTable(CreateTable { table: EVENTS }),
        ),
        (
            "ddl_drop_table",
            Operation::DropTable(DropTable { table: USERS }),
        ),
        (
            "ddl_drop_quoted",
            Operation::DropTable(DropTable { table: WEIRD }),
        ),
        // Select: every comparison operator
        ("select_all", users_where(Expr::true_())),
        (
            "select_eq_string",
            users_where(bin(Eq, c(NAME), v("alice"))),
        ),
        ("select_ne_int", users_where(bin(Ne, c(AGE), v(30i64)))),
        ("select_lt_float", users_where(bin(Lt, c(SCORE), v(1.5f64)))),
        (
            "select_le_timestamp",
            users_where(bin(
                Le,
                c(CREATED),
                v(Value::Timestamp(1_700_000_000_000_000)),
            )),
        ),
        (
            "select_gt_int_float_literal",
            users_where(bin(Gt, c(AGE), v(20.5f64))),
        ),
        (
            "select_ge_literal_on_left",
            users_where(bin(Ge, v(40i64), c(AGE))),
        ),
        ("select_eq_bool", users_where(bin(Eq, c(ACTIVE), v(true)))),
        ("select_bool_column_as_condition", users_where(c(ACTIVE))),
        (
            "select_column_vs_column",
            users_where(bin(Lt, c(NAME), c(EMAIL))),
        ),
        (
            "select_eq_null_literal",
            users_where(bin(Eq, c(AGE), Expr::Value(Value::Null))),
        ),
        (
            "select_is_null",
            users_where(Expr::IsNull(Box::new(c(AGE)))),
        ),
        (
            "select_is_not_null",
            users_where(Expr::IsNull(Box::new(c(SCORE))).not()),
        ),
        ("select_false", users_where(v(false))),
        ("select_empty_and", users_where(Expr::And(vec![]))),
        ("select_empty_or", users_where(Expr::Or(vec![]))),
        (
            "select_and",
            users_where(bin(Eq, c(ACTIVE), v(true)).and(bin(Gt, c(AGE), v(18i64)))),
        ),
        (
            "select_or",
            users_where(bin(Eq, c(NAME), v("a")).or(bin(Eq, c(NAME), v("b")))),
        ),
        ("select_not", users_where(bin(Eq, c(NAME), v("a")).not())),
        (
            "select_nested_and_or_not",
            users_where(Expr::And(vec![
                Expr::Or(vec![
                    bin(Lt, c(AGE), v(10i64)),
                    Expr::Not(Box::new(Expr::And(vec![
                        bin(Ge, c(SCORE), v(0.0f64)),
                        Expr::IsNull(Box::new(c(CREATED))),
                    ]))),
                ]),
                bin(Ne, c(EMAIL), v("x@y")),
            ])),
        ),
        (
            "select_single_item_and",
            users_where(Expr::And(vec![bin(Eq, c(ID), v(1i64))])),
        ),
        // IN
        (
            "select_in_list",
            users_where(Expr::InList {
                expr: Box::new(c(ID)),
                list: vec![1i64.into(), 2i64.into(), 3i64.into()],
            }),
        ),
        (
            "select_in_list_with_null",
            users_where(Expr::InList {
                expr: Box::new(c(AGE)),
                list: vec![1i64.into(), Value::Null],
            }),
        ),
        (
            // A float among an i32 column's values: no single element type, so
            // PostgreSQL gets a parameter per value (the float cast to its own type)
            // instead of `= ANY($n)`.
            "select_in_list_mixed_families",
            users_where(Expr::InList {
                expr: Box::new(c(AGE)),
                list: vec![1i64.into(), Value::F64(1.5)],
            }),
        ),
        (
            "select_in_empty",
            users_where(Expr::InList {
                expr: Box::new(c(AGE)),
                list: vec![],
            }),
        ),
        (
            "select_not_in_empty",
            users_where(
                Expr::InList {
                    expr: Box::new(c(AGE)),
                    list: vec![],
                }
                .not(),
            ),
        ),
        (
            "select_not_in_list",
            users_where(
                Expr::InList {
                    expr: Box::new(c(NAME)),
                    list: vec!["a".into(), "b".into()],
                }
                .not(),
            ),
        ),
        // Patterns
        (
            "select_starts_with",
            users_where(pat(PatternOp::StartsWith, NAME, "Al")),
        ),
        (
            "select_ends_with",
            users_where(pat(PatternOp::EndsWith, EMAIL, "@example.com")),
        ),
        (
            "select_contains",
            users_where(pat(PatternOp::Contains, NAME, "li")),
        ),
        (
            "select_starts_with_wildcards",
            users_where(pat(PatternOp::StartsWith, NAME, "50%_off!\\'")),
        ),
        (
            "select_contains_empty_pattern",
            users_where(pat(PatternOp::Contains, NAME, "")),
        ),
        (
            "select_not_ends_with_unicode",
            users_where(pat(PatternOp::EndsWith, NAME, "é🦀").not()),
        ),
        (
            "select_like",
            users_where(pat(PatternOp::Like, NAME, "A_i%\\%!")),
        ),
        (
            "select_ilike",
            users_where(pat(PatternOp::ILike, NAME, "al%Ä\\_")),
        ),
        // Order, limit, offset, pagination, count
        (
            "select_order_asc_not_null",
            Operation::Select(Select {
                order_by: vec![asc(NAME)],
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_order_desc_nullable",
            Operation::Select(Select {
                order_by: vec![desc(AGE)],
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_order_asc_nullable",
            Operation::Select(Select {
                order_by: vec![asc(SCORE)],
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_order_several",
            Operation::Select(Select {
                order_by: vec![desc(ACTIVE), asc(AGE), desc(ID)],
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_limit",
            Operation::Select(Select {
                limit: Some(10),
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_offset_only",
            Operation::Select(Select {
                offset: Some(5),
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_limit_offset_ordered",
            Operation::Select(Select {
                order_by: vec![asc(ID)],
                limit: Some(10),
                offset: Some(20),
                ..select(USERS, bin(Eq, c(ACTIVE), v(true)))
            }),
        ),
        (
            "select_pagination_keyset",
            Operation::Select(Select {
                order_by: vec![asc(AGE), asc(ID)],
                limit: Some(25),
                ..select(
                    USERS,
                    Expr::Or(vec![
                        bin(Gt, c(AGE), v(30i64)),
                        Expr::And(vec![bin(Eq, c(AGE), v(30i64)), bin(Gt, c(ID), v(100i64))]),
                    ]),
                )
            }),
        ),
        (
            "select_pagination_keyset_desc",
            Operation::Select(Select {
                order_by: vec![desc(NAME), desc(ID)],
                limit: Some(25),
                ..select(
                    USERS,
                    Expr::Or(vec![
                        bin(Lt, c(NAME), v("m")),
                        Expr::And(vec![bin(Eq, c(NAME), v("m")), bin(Lt, c(ID), v(7i64))]),
                    ]),
                )
            }),
        ),
        (
            "select_count_all",
            Operation::Select(Select {
                projection: Projection::Count,
                ..select(USERS, Expr::true_())
            }),
        ),
        (
            "select_count_filtered_ignores_order_limit",
            Operation::Select(Select {
                projection: Projection::Count,
                order_by: vec![asc(ID)],
                limit: Some(3),
                offset: Some(1),
                ..select(USERS, bin(Ge, c(AGE), v(21i64)))
            }),
        ),
        // `.select(..)` projections: only the projected columns, in projection order.
        (
            "select_projection_one_column",
            Operation::Select(Select {
                projection: Projection::Fields(vec![NAME]),
                ..select(USERS, bin(Eq, c(EMAIL), v("a@b")))
            }),
        ),
        (
            "select_projection_tuple_ordered_limited",
            Operation::Select(Select {
                projection: Projection::Fields(vec![AGE, ID, NAME, AGE]),
                order_by: vec![desc(AGE)],
                limit: Some(5),
                offset: Some(2),
                ..select(USERS, bin(Ge, c(AGE), v(21i64)))
            }),
        ),
        (
            "select_projection_limit_without_order",
            Operation::Select(Select {
                projection: Projection::Fields(vec![CREATED]),
                limit: Some(1),
                ..select(USERS, Expr::true_())
            }),
        ),
        // Other value types in filters
        (
            "select_uuid_and_timestamp",
            Operation::Select(select(
                MEMBERS,
                bin(Eq, c(0), v(uuid(42))).and(bin(Ge, c(3), v(Value::Timestamp(-1)))),
            )),
        ),
        (
            "select_all_types_bytes_f32_u8",
            Operation::Select(select(
                ALL_TYPES,
                Expr::And(vec![
                    bin(Eq, c(1 + 2 * 12), v(vec![0u8, 255, 39])),
                    bin(Lt, c(1 + 2 * 9), v(0.5f64)),
                    bin(Eq, c(1 + 2 * 5), v(255i64)),
                    bin(Eq, c(1), v(false)),
                ]),
            )),
        ),
        (
            "select_quoted_names",
            Operation::Select(Select {
                order_by: vec![desc(1)],
                ..select(
                    WEIRD,
                    bin(Gt, c(0), v(3i64)).and(Expr::IsNull(Box::new(c(1)))),
                )
            }),
        ),
        (
            "select_literal_vs_literal",
            users_where(bin(Lt, v("a"), v("b"))),
        ),
        (
            "select_pattern_on_nullable_not",
            Operation::Select(select(
                ALL_TYPES,
                pat(PatternOp::Contains, 1 + 2 * 11 + 1, "x").not(),
            )),
        ),
        // Insert
        (
            "insert_single_returning_auto_id",
            Operation::Insert(Insert {
                table: USERS,
                columns: vec![NAME, EMAIL, AGE, SCORE, ACTIVE, CREATED],
                rows: vec![vec![
                    "ann".into(),
                    "ann@x".into(),
                    31i64.into(),
                    2.5f64.into(),
                    true.into(),
                    Value::Timestamp(0),
                ]],
                returning: vec![ID],
            }),
        ),
        (
            "insert_batch_returning_auto_id",
            Operation::Insert(Insert {
                table: USERS,
                columns: vec![NAME, EMAIL, AGE, SCORE, ACTIVE, CREATED],
                rows: vec![
                    vec![
                        "a".into(),
                        "a@x".into(),
                        Value::Null,
                        Value::Null,
                        true.into(),
                        Value::Null,
                    ],
                    vec![
                        "b".into(),
                        "b@x".into(),
                        2i64.into(),
                        (-0.0f64).into(),
                        false.into(),
                        Value::Timestamp(-5),
                    ],
                    vec![
                        "c".into(),
                        "c@x".into(),
                        3i64.into(),
                        1e300f64.into(),
                        true.into(),
                        Value::Timestamp(7),
                    ],
                ],
                returning: vec![ID, NAME],
            }),
        ),
        (
            "insert_no_returning",
            Operation::Insert(Insert {
                table: MEMBERS,
                columns: vec![0, 1, 2, 3],
                rows: vec![vec![
                    uuid(1),
                    5i64.into(),
                    "owner".into(),
                    Value::Timestamp(1),
                ]],
                returning: vec![],
            }),
        ),
        (
            "insert_all_types",
            Operation::Insert(Insert {
                table: ALL_TYPES,
                columns: (0..31).collect(),
                rows: vec![{
                    let mut row = vec![Value::from("k")];
                    let samples = [
                        Value::Bool(true),
                        Value::I64(-128),
                        Value::I64(i16::MIN as i64),
                        Value::I64(i32::MAX as i64),
                        Value::I64(i64::MIN),
                        Value::I64(255),
                        Value::I64(65535),
                        Value::I64(u32::MAX as i64),
                        Value::I64(i64::MAX),
                        Value::F64(0.25),
                        Value::F64(-1.5e-300),
                        Value::from("s"),
                        Value::Bytes(vec![]),
                        uuid(7),
                        Value::Timestamp(1),
                    ];
                    for s in samples {
                        row.push(s);
                        row.push(Value::Null);
                    }
                    row
                }],
                returning: vec![],
            }),
        ),
        (
            "insert_only_generated_columns",
            Operation::Insert(Insert {
                table: WEIRD,
                columns: vec![],
                rows: vec![vec![], vec![]],
                returning: vec![0],
            }),
        ),
        (
            "insert_no_rows",
            Operation::Insert(Insert {
                table: USERS,
                columns: vec![NAME],
                rows: vec![],
                returning: vec![],
            }),
        ),
        // Update / delete
        (
            "update_by_filter",
            Operation::Update(Update {
                table: USERS,
                filter: bin(Eq, c(ID), v(1i64)),
                assignments: vec![(NAME, "bob".into()), (AGE, Value::Null)],
                arithmetic: Vec::new(),
                returning: false,
            }),
        ),
        (
            "update_returning",
            Operation::Update(Update {
                table: USERS,
                filter: pat(PatternOp::StartsWith, EMAIL, "admin_"),
                assignments: vec![(ACTIVE, false.into()), (SCORE, 0.0f64.into())],
                arithmetic: Vec::new(),
                returning: true,
            }),
        ),
        (
            "update_all_rows",
            Operation::Update(Update {
                table: USERS,
                filter: Expr::true_(),
                assignments: vec![(ACTIVE, true.into())],
                arithmetic: Vec::new(),
                returning: false,
            }),
        ),
        (
            "update_no_assignments_counts",
            Operation::Update(Update {
                table: USERS,
                filter: bin(Gt, c(AGE), v(1i64)),
                assignments: vec![],
                arithmetic: Vec::new(),
                returning: false,
            }),
        ),
        (
            "update_arith_returning",
            Operation::Update(Update {
                table: USERS,
                filter: bin(Eq, c(ID), v(1i64)),
                assignments: vec![(NAME, "bob".into())],
                arithmetic: vec![
                    (AGE, Arith::add(Value::I64(1))),
                    (SCORE, Arith::subtract(Value::F64(0.5))),
                ],
                returning: true,
            }),
        ),
        (
            "update_arith_only",
            Operation::Update(Update {
                table: USERS,
                filter: bin(Gt, c(AGE), v(1i64)),
                assignments: vec![],
                arithmetic: vec![(AGE, Arith::subtract(Value::I64(25)))],
                returning: false,
            }),
        ),
        (
            // MySQL writes it as an addition (MariaDB wraps `0 - i64::MIN`).
            "update_arith_subtract_i64_min",
            Operation::Update(Update {
                table: ALL_TYPES,
                filter: bin(Eq, c(0), v("k")),
                assignments: vec![],
                arithmetic: vec![(1 + 2 * 4, Arith::subtract(Value::I64(i64::MIN)))],
                returning: false,
            }),
        ),
        (
            "delete_by_filter",
            Operation::Delete(Delete {
                table: USERS,
                filter: Expr::InList {
                    expr: Box::new(c(ID)),
                    list: vec![4i64.into(), 5i64.into()],
                },
            }),
        ),
        (
            "delete_all",
            Operation::Delete(Delete {
                table: USERS,
                filter: Expr::true_(),
            }),
        ),
        (
            "delete_where_not_in_empty",
            Operation::Delete(Delete {
                table: USERS,
                filter: Expr::InList {
                    expr: Box::new(c(EMAIL)),
                    list: vec![],
                }
                .not(),
            }),
        ),
        // Key-value operations
        (
            "kv_get_by_key_single",
            Operation::GetByKey(GetByKey {
                table: USERS,
                keys: vec![vec![1i64.into()], vec![2i64.into()]],
            }),
        ),
        (
            "kv_get_by_key_composite",
            Operation::GetByKey(GetByKey {
                table: MEMBERS,
                keys: vec![vec![uuid(1), 1i64.into()], vec![uuid(2), 2i64.into()]],
            }),
        ),
        (
            "kv_get_by_key_no_keys",
            Operation::GetByKey(GetByKey {
                table: USERS,
                keys: vec![],
            }),
        ),
        (
            "kv_query_pk_partition_only",
            Operation::QueryPk(QueryPk {
                table: EVENTS,
                index: None,
                partition: "s1".into(),
                sort: None,
            }),
        ),
        (
            "kv_query_pk_sort_condition",
            Operation::QueryPk(QueryPk {
                table: EVENTS,
                index: None,
                partition: "s1".into(),
                sort: Some(bin(Ge, c(1), v(10i64))),
            }),
        ),
        (
            "kv_query_index_partition",
            Operation::QueryPk(QueryPk {
                table: EVENTS,
                index: Some(0),
                partition: "click".into(),
                sort: None,
            }),
        ),
        (
            "kv_query_index_single_column",
            Operation::QueryPk(QueryPk {
                table: USERS,
                index: Some(0),
                partition: "a@x".into(),
                sort: None,
            }),
        ),
        (
            "kv_query_pk_composite_sort_lt",
            Operation::QueryPk(QueryPk {
                table: MEMBERS,
                index: None,
                partition: uuid(9),
                sort: Some(bin(Lt, c(1), v(100i64))),
            }),
        ),
        (
            "kv_query_index_sparse_nullable_sort",
            Operation::QueryPk(QueryPk {
                table: USERS,
                index: Some(1),
                partition: "bob".into(),
                sort: Some(bin(Ge, c(AGE), v(18i64))),
            }),
        ),
        (
            "select_literals_outside_column_type",
            Operation::Select(select(
                ALL_TYPES,
                Expr::And(vec![
                    bin(BinaryOp::Eq, c(1 + 2 * 9), v(0.1f64)),
                    bin(BinaryOp::Lt, c(3), v(1000i64)),
                    bin(BinaryOp::Ge, c(1 + 2 * 5), v(-1i64)),
                ]),
            )),
        ),
        (
            "kv_update_by_key",
            Operation::UpdateByKey(UpdateByKey {
                table: MEMBERS,
                keys: vec![vec![uuid(1), 1i64.into()]],
                assignments: vec![(2, "admin".into())],
            }),
        ),
        (
            "kv_update_by_key_many",
            Operation::UpdateByKey(UpdateByKey {
                table: USERS,
                keys: vec![vec![1i64.into()], vec![2i64.into()], vec![3i64.into()]],
                assignments: vec![(SCORE, 9.75f64.into()), (CREATED, Value::Timestamp(1))],
            }),
        ),
        (
            "kv_delete_by_key_single",
            Operation::DeleteByKey(DeleteByKey {
                table: USERS,
                keys: vec![vec![9i64.into()]],
            }),
        ),
        (
            "kv_delete_by_key_composite",
            Operation::DeleteByKey(DeleteByKey {
                table: EVENTS,
                keys: vec![vec!["s".into(), 1i64.into()], vec!["s".into(), 2i64.into()]],
            }),
        ),
        // Transaction control (see also `transaction_plans`).
        (
            "tx_begin",
            Operation::Transaction(TransactionOp::Begin {
                isolation: None,
                read_only: false,
            }),
        ),
        (
            "tx_begin_read_only",
            Operation::Transaction(TransactionOp::Begin {
                isolation: None,
                read_only: true,
            }),
        ),
        (
            "tx_begin_serializable",
            Operation::Transaction(TransactionOp::Begin {
                isolation: Some(IsolationLevel::Serializable),
                read_only: false,
            }),
        ),
        (
            "tx_begin_read_committed_read_only",
            Operation::Transaction(TransactionOp::Begin {
                isolation: Some(IsolationLevel::ReadCommitted),
                read_only: true,
            }),
        ),
        (
            "tx_begin_read_uncommitted",
            Operation::Transaction(TransactionOp::Begin {
                isolation: Some(IsolationLevel::ReadUncommitted),
                read_only: false,
            }),
        ),
        (
            "tx_begin_repeatable_read",
            Operation::Transaction(TransactionOp::Begin {
                isolation: Some(IsolationLevel::RepeatableRead),
                read_only: false,
            }),
        ),
        ("tx_commit", Operation::Transaction(TransactionOp::Commit)),
        (
            "tx_rollback",
            Operation::Transaction(TransactionOp::Rollback),
        ),
        (
            "tx_savepoint",
            Operation::Transaction(TransactionOp::Savepoint(1)),
        ),
        (
            "tx_release_savepoint",
            Operation::Transaction(TransactionOp::ReleaseSavepoint(2)),
        ),
        (
            "tx_rollback_to_savepoint",
            Operation::Transaction(TransactionOp::RollbackToSavepoint(12)),
        ),
        (
            "transact_write_is_unsupported",
            Operation::TransactWrite(TransactWrite {
                items: vec![WriteItem::Put {
                    table: WEIRD,
                    row: vec![1i64.into(), Value::Null],
                }],
            }),
        ),
        // Sub-selects (filters through relations).
        (
            "select_in_select",
            users_where(in_select(
                vec![c(ID)],
                MEMBERS,
                vec![1],
                bin(Eq, c(2), v("owner")),
            )),
        ),
        (
            "select_in_select_nested_and_negated",
            users_where(
                in_select(
                    vec![c(ID)],
                    MEMBERS,
                    vec![1],
                    in_select(vec![c(0)], MEMBERS, vec![0], bin(Eq, c(2), v("admin"))),
                )
                .not(),
            ),
        ),
        (
            "select_in_select_composite",
            Operation::Select(select(
                MEMBERS,
                in_select(
                    vec![c(0), c(1)],
                    MEMBERS,
                    vec![0, 1],
                    Expr::IsNull(Box::new(bin(Eq, c(2), v("x")))),
                ),
            )),
        ),
        (
            "delete_in_select_same_table",
            Operation::Delete(Delete {
                table: MEMBERS,
                filter: in_select(vec![c(1)], MEMBERS, vec![1], bin(Eq, c(2), v("gone"))),
            }),
        ),
    ];
    out.sort_by_key(|(name, _)| *name);
    out
}

fn render(schema: &Schema, op: &Operation) -> String {
    let mut out = String::new();
    for dialect in Dialect::ALL {
        out.push_str(&format!("-- {}\n", dialect.name()));
        match Serializer::new(dialect).serialize(schema, op) {
            Err(e) => out.push_str(&format!("error: {e}\n")),
            Ok(statements) if statements.is_empty() => out.push_str("(no statements)\n"),
            Ok(statements) => {
                for s in statements {
                    out.push_str(&s.sql);
                    out.push('\n');
                    if !s.params.is_empty() {
                        let params: Vec<String> = s
                            .params
                            .iter()
                            .map(|p| match &p.array {
                                Some(elements) => format!("{elements:?}: {}[]", p.ty),
                                None => format!("{:?}: {}", p.value, p.ty),
                            })
                            .collect();
                        out.push_str(&format!("  params: [{}]\n", params.join(", ")));
                    }
                    out.push_str(&format!("  output: {:?}\n", s.output));
                }
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn sql_corpus() {
    let schema = schema();
    let corpus = corpus();
    assert!(
        corpus.len() >= 60,
        "the corpus has {} operations",
        corpus.len()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../../snapshots/sql");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, op) in &corpus {
            insta::assert_snapshot!(*name, render(&schema, op));
        }
    });
}

#[test]
fn no_value_is_spliced_into_sql() {
    let schema = schema();
    let marker = "zz'marker";
    for dialect in Dialect::ALL {
        let op = users_where(bin(BinaryOp::Eq, c(NAME), v(marker)));
        let statements = Serializer::new(dialect).serialize(&schema, &op).unwrap();
        assert!(!statements[0].sql.contains("marker"));
        assert_eq!(statements[0].params[0].value, Value::from(marker));
    }
}

#[test]
fn large_inserts_are_split_under_the_parameter_limit() {
    let schema = schema();
    let rows: Vec<Vec<Value>> = (0..20_000i64)
        .map(|i| vec![uuid(i as u128), i.into(), "r".into(), Value::Timestamp(i)])
        .collect();
    let op = Operation::Insert(Insert {
        table: MEMBERS,
        columns: vec![0, 1, 2, 3],
        rows,
        returning: vec![],
    });
    for dialect in Dialect::ALL {
        let statements = Serializer::new(dialect).serialize(&schema, &op).unwrap();
        assert!(statements.len() > 1);
        assert!(statements
            .iter()
            .all(|s| s.params.len() <= dialect.max_params()));
        let total: usize = statements.iter().map(|s| s.params.len()).sum();
        assert_eq!(total, 80_000);
    }
}

#[test]
fn misuse_is_an_error_not_a_panic() {
    let schema = schema();
    let s = Serializer::new(Dialect::Postgres);
    let bad_column = users_where(bin(BinaryOp::Eq, c(99), v(1i64)));
    assert_eq!(
        s.serialize(&schema, &bad_column).unwrap_err().kind(),
        toasty_core::ErrorKind::InvalidStatement
    );
    let field = users_where(bin(BinaryOp::Eq, Expr::Field(0), v(1i64)));
    assert_eq!(
        s.serialize(&schema, &field).unwrap_err().kind(),
        toasty_core::ErrorKind::InvalidStatement
    );
    let big = users_where(bin(BinaryOp::Eq, c(ID), v(Value::U64(u64::MAX))));
    assert_eq!(
        s.serialize(&schema, &big).unwrap_err().kind(),
        toasty_core::ErrorKind::ValueOutOfRange
    );
    let key_assign = Operation::UpdateByKey(UpdateByKey {
        table: USERS,
        keys: vec![vec![1i64.into()]],
        assignments: vec![(ID, 2i64.into())],
    });
    assert!(s.serialize(&schema, &key_assign).is_err());
    assert!(Serializer::new(Dialect::Mysql)
        .with_mysql_collation("x; DROP")
        .is_err());
    let maria = Serializer::new(Dialect::Mysql)
        .with_mysql_collation("utf8mb4_nopad_bin")
        .unwrap();
    let ddl = maria
        .serialize(
            &schema,
            &Operation::CreateTable(CreateTable { table: USERS }),
        )
        .unwrap();
    assert!(ddl[0].sql.contains("COLLATE utf8mb4_nopad_bin"));
}

#[test]
fn written_values_are_checked_like_memdb() {
    use toasty_core::ErrorKind;
    let schema = schema();
    let s = Serializer::new(Dialect::Sqlite);
    let insert = |columns: Vec<usize>, row: Vec<Value>| {
        Operation::Insert(Insert {
            table: ALL_TYPES,
            columns,
            rows: vec![row],
            returning: vec![],
        })
    };
    let i8_col = 3; // key, c_bool, n_bool, c_i8
    let f64_col = 1 + 2 * 10;
    let kind = |op: Operation| s.serialize(&schema, &op).unwrap_err().kind();
    assert_eq!(
        kind(insert(vec![0, i8_col], vec!["k".into(), Value::I64(1000)])),
        ErrorKind::ValueOutOfRange
    );
    assert_eq!(
        kind(insert(
            vec![0, f64_col],
            vec!["k".into(), Value::F64(f64::NAN)]
        )),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        kind(insert(vec![0, i8_col], vec!["k".into(), Value::Null])),
        ErrorKind::InvalidValue
    );
    assert_eq!(
        kind(insert(vec![0, 0], vec!["k".into(), "k".into()])),
        ErrorKind::InvalidStatement
    );
    assert_eq!(
        kind(insert(vec![0, i8_col], vec!["k".into(), "text".into()])),
        ErrorKind::InvalidValue
    );
    let update = Operation::Update(Update {
        table: USERS,
        filter: Expr::true_(),
        assignments: vec![(NAME, "a".into()), (NAME, "b".into())],
        arithmetic: Vec::new(),
        returning: false,
    });
    assert_eq!(kind(update), ErrorKind::InvalidStatement);
    let update = Operation::UpdateByKey(UpdateByKey {
        table: USERS,
        keys: vec![vec![1i64.into()]],
        assignments: vec![(AGE, Value::I64(i64::MAX))],
    });
    assert_eq!(kind(update), ErrorKind::ValueOutOfRange);
    // A nullable column accepts NULL.
    let ok = insert(vec![0, i8_col + 1], vec!["k".into(), Value::Null]);
    assert!(s.serialize(&schema, &ok).is_ok());
}

/// Transaction control as drivers run it: each step through a [`TransactionState`], with
/// the statements sent, the cleanup run if they fail, and any refusal. Every step's
/// statements succeed; before step `failure` a statement fails and aborts the
/// transaction.
fn render_plans(steps: &[TransactionOp], failure: Option<usize>) -> String {
    let mut out = String::new();
    for dialect in Dialect::ALL {
        out.push_str(&format!("-- {}\n", dialect.name()));
        let serializer = Serializer::new(dialect);
        let mut state = TransactionState::new();
        for (i, op) in steps.iter().enumerate() {
            if failure == Some(i) {
                out.push_str("(a statement fails: the database aborts the transaction)\n");
                state.mark_failed();
            }
            out.push_str(&format!("{op:?}:\n"));
            match state.plan(&serializer, op) {
                Err(e) => out.push_str(&format!("  refused: {e}\n")),
                Ok(plan) => {
                    for s in &plan.statements {
                        out.push_str(&format!("  {}\n", s.sql));
                    }
                    if !plan.cleanup.is_empty() {
                        let cleanup: Vec<&str> =
                            plan.cleanup.iter().map(|s| s.sql.as_str()).collect();
                        out.push_str(&format!("  on failure: {}\n", cleanup.join("; ")));
                    }
                    if let Some(e) = &plan.refusal {
                        out.push_str(&format!("  then reports: {e}\n"));
                    }
                    state.finish(op, true);
                }
            }
        }
        out.push('\n');
    }
    out
}

#[test]
fn transaction_plans() {
    use TransactionOp::*;
    let read_only = Begin {
        isolation: Some(IsolationLevel::RepeatableRead),
        read_only: true,
    };
    let read_write = Begin {
        isolation: Some(IsolationLevel::Serializable),
        read_only: false,
    };
    let cases: Vec<(&str, Vec<TransactionOp>, Option<usize>)> = vec![
        ("tx_plan_read_only_commit", vec![read_only, Commit], None),
        (
            "tx_plan_read_only_rollback",
            vec![read_only, Rollback],
            None,
        ),
        (
            "tx_plan_nested",
            vec![
                read_write,
                Savepoint(1),
                Savepoint(2),
                RollbackToSavepoint(2),
                ReleaseSavepoint(1),
                ReleaseSavepoint(2),
                Commit,
            ],
            None,
        ),
        (
            "tx_plan_commit_after_failure",
            vec![read_write, Savepoint(1), Commit],
            Some(2),
        ),
        (
            "tx_plan_misuse",
            vec![
                Commit,
                Rollback,
                Savepoint(1),
                read_write,
                read_only,
                RollbackToSavepoint(1),
                Rollback,
            ],
            None,
        ),
    ];
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../../snapshots/sql");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (name, steps, failure) in &cases {
            insta::assert_snapshot!(*name, render_plans(steps, *failure));
        }
    });
}

/// A value of the same kind as `v` but different (sometimes far outside a small
/// column's range, so bind types change), `k` choosing which.
fn vary(v: &Value, k: i64) -> Value {
    match v {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(!b),
        Value::I64(i) => Value::I64(if k % 2 == 0 {
            i.wrapping_add(k)
        } else {
            i.wrapping_mul(1000).wrapping_add(k)
        }),
        Value::U64(u) => Value::U64(u.wrapping_add(k as u64)),
        Value::F64(f) => Value::F64(if k % 2 == 0 { f + 0.5 } else { f + 0.1 }),
        Value::String(s) => Value::String(format!("{s}x{k}")),
        Value::Bytes(b) => {
            let mut b = b.clone();
            b.push(k as u8);
            Value::Bytes(b)
        }
        Value::Uuid(_) => uuid(k as u128 + 77),
        Value::Timestamp(t) => Value::Timestamp(t + k),
    }
}

#[test]
fn templates_bind_what_the_serializer_binds() {
    use std::sync::Arc;
    use toasty_core::driver::{params, Cached, Template};
    let schema = schema();
    let mut templates = 0;
    for dialect in Dialect::ALL {
        let s = Serializer::new(dialect);
        for (name, op) in corpus() {
            let Some(template) = s.template(&schema, &op) else {
                continue;
            };
            templates += 1;
            let mut values = Vec::new();
            params(&op, &mut |v| values.push(v.clone()));
            for k in 0..4 {
                let new: Vec<Value> = if k == 0 {
                    values.clone()
                } else {
                    values.iter().map(|v| vary(v, k)).collect()
                };
                let fresh = Cached {
                    template: Arc::new(Template::new(op.clone())),
                    params: new.clone(),
                }
                .into_operation()
                .expect("same number of values");
                let serialized = s.serialize(&schema, &fresh);
                match template.check(&schema, &new) {
                    Ok(true) => {
                        let statements = serialized.expect("the template accepted the values");
                        assert_eq!(statements.len(), 1, "{name} {dialect:?}");
                        let st = &statements[0];
                        assert_eq!(template.sql, st.sql, "{name} {dialect:?} k={k}");
                        assert_eq!(template.output, st.output, "{name} {dialect:?}");
                        let bound: Vec<(Value, Type)> =
                            template.params(&new).map(|(v, t)| (v.clone(), t)).collect();
                        let expected: Vec<(Value, Type)> =
                            st.params.iter().map(|p| (p.value.clone(), p.ty)).collect();
                        assert_eq!(bound, expected, "{name} {dialect:?} k={k}");
                    }
                    Ok(false) => assert!(k > 0, "{name} {dialect:?}: its own values rejected"),
                    Err(e) => {
                        let fresh_err = serialized.expect_err("the template refused the values");
                        assert_eq!(e.kind(), fresh_err.kind(), "{name} {dialect:?}");
                    }
                }
            }
        }
    }
    assert!(templates >= 20, "only {templates} templates in the corpus");
}

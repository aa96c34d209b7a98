//! Peer benchmark, Diesel side: Diesel 2.3 and raw rusqlite 0.40 (sharing
//! libsqlite3-sys 0.38, bundled) on in-memory SQLite, the same workloads and the
//! same rusqlite yardstick as the Toasty side (`../src/common.rs`). Run both with
//! `benches/peers/run.sh`.

#[path = "../../src/common.rs"]
mod common;

use common::{calls, interleave, new_row, raw_db, seed_row, Outcome, Variant};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

diesel::table! {
    users (id) {
        id -> BigInt,
        name -> Text,
        hair_color -> Nullable<Text>,
        age -> Integer,
    }
}

#[allow(dead_code)]
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
struct User {
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

/// `None` is written as NULL (not DEFAULT), so a batch is one statement on SQLite.
#[derive(Insertable)]
#[diesel(table_name = users)]
#[diesel(treat_none_as_default_value = false)]
struct NewUser<'a> {
    name: &'a str,
    hair_color: Option<&'a str>,
    age: i32,
}

fn diesel_db(rows: usize) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(":memory:").expect("sqlite");
    diesel::sql_query(common::CREATE)
        .execute(&mut conn)
        .expect("schema");
    let seed: Vec<(String, Option<&str>, i32)> = (0..rows).map(seed_row).collect();
    for chunk in seed.chunks(1000) {
        let batch: Vec<NewUser<'_>> = chunk
            .iter()
            .map(|(name, hair, age)| NewUser {
                name,
                hair_color: *hair,
                age: *age,
            })
            .collect();
        diesel::insert_into(users::table)
            .values(&batch)
            .execute(&mut conn)
            .expect("seed");
    }
    conn
}

fn main() {
    let rounds = common::rounds();
    let mut out: Vec<Outcome> = Vec::new();

    // get_by_id
    let mut conn = diesel_db(common::GET_ROWS);
    let raw = raw_db(common::GET_ROWS);
    let ids = common::GET_ROWS;
    out.push(interleave(
        "get_by_id",
        rounds,
        calls::GET,
        vec![
            (
                "Diesel",
                Box::new(|n| {
                    for i in 0..n {
                        let id = (i % ids + 1) as i64;
                        // `get_result`: the same SQL as the yardstick (no LIMIT).
                        let user: User = users::table
                            .find(id)
                            .select(User::as_select())
                            .get_result(&mut conn)
                            .expect("get");
                        std::hint::black_box(user);
                    }
                }),
            ),
            common::raw_get_variant(&raw, ids),
        ],
    ));
    // The idiom of Diesel's guide, `.find(id).first()`, adds a bound `LIMIT ?`;
    // on SQLite that costs far more per call (see docs/benchmarks.md).
    out.push(interleave(
        "get_by_id with `.first()`",
        rounds,
        calls::GET,
        vec![
            (
                "Diesel",
                Box::new(|n| {
                    for i in 0..n {
                        let id = (i % ids + 1) as i64;
                        let user: User = users::table
                            .find(id)
                            .select(User::as_select())
                            .first(&mut conn)
                            .expect("get");
                        std::hint::black_box(user);
                    }
                }),
            ),
            common::raw_get_variant(&raw, ids),
        ],
    ));
    drop(conn);

    // load 1, 100, 10,000 rows
    let mut conn = diesel_db(common::ROWS);
    let raw = raw_db(common::ROWS);
    for (label, limit, per_round) in [
        ("load 1 row", 1usize, calls::LOAD_1),
        ("load 100 rows", 100, calls::LOAD_100),
        ("load 10,000 rows", 10_000, calls::LOAD_10K),
    ] {
        let variants: Vec<Variant<'_>> = vec![
            (
                "Diesel",
                Box::new(|n| {
                    for _ in 0..n {
                        let rows: Vec<User> = users::table
                            .order(users::id.asc())
                            .limit(limit as i64)
                            .select(User::as_select())
                            .load(&mut conn)
                            .expect("load");
                        assert_eq!(rows.len(), limit);
                        std::hint::black_box(rows);
                    }
                }),
            ),
            common::raw_load_variant(&raw, limit),
        ];
        out.push(interleave(label, rounds, per_round, variants));
    }

    // filter + order + limit 10 on 10,000 rows
    out.push(interleave(
        "filter + order + limit 10 on 10,000 rows",
        rounds,
        calls::FILTER,
        vec![
            (
                "Diesel",
                Box::new(|n| {
                    for _ in 0..n {
                        let rows: Vec<User> = users::table
                            .filter(users::age.ge(common::FILTER_AGE))
                            .order((users::age.desc(), users::id.asc()))
                            .limit(10)
                            .select(User::as_select())
                            .load(&mut conn)
                            .expect("filter");
                        assert_eq!(rows.len(), 10);
                        std::hint::black_box(rows);
                    }
                }),
            ),
            common::raw_filter_variant(&raw),
        ],
    ));
    drop(conn);

    // insert 1 row, insert 100 rows in one statement (both returning the new ids,
    // as Toasty and the rusqlite yardstick do)
    for (label, batch, per_round) in [
        ("insert 1 row", 1usize, calls::INSERT_1),
        (
            "insert 100 rows, one statement",
            common::BATCH,
            calls::INSERT_100,
        ),
    ] {
        let mut conn = diesel_db(0);
        let raw = raw_db(0);
        let variants: Vec<Variant<'_>> = vec![
            (
                "Diesel",
                Box::new(|n| {
                    for _ in 0..n {
                        if batch == 1 {
                            let (name, hair_color, age) = new_row(0);
                            let id: i64 = diesel::insert_into(users::table)
                                .values(&NewUser {
                                    name,
                                    hair_color,
                                    age,
                                })
                                .returning(users::id)
                                .get_result(&mut conn)
                                .expect("insert");
                            std::hint::black_box(id);
                        } else {
                            let rows: Vec<NewUser<'_>> = (0..batch)
                                .map(|i| {
                                    let (name, hair_color, age) = new_row(i);
                                    NewUser {
                                        name,
                                        hair_color,
                                        age,
                                    }
                                })
                                .collect();
                            let ids: Vec<i64> = diesel::insert_into(users::table)
                                .values(&rows)
                                .returning(users::id)
                                .get_results(&mut conn)
                                .expect("insert");
                            assert_eq!(ids.len(), batch);
                            std::hint::black_box(ids);
                        }
                    }
                }),
            ),
            common::raw_insert_variant(&raw, batch),
        ];
        out.push(interleave(label, rounds, per_round, variants));
    }

    common::print_table("Diesel 2.3.14 vs rusqlite 0.40", rounds, &out);
}

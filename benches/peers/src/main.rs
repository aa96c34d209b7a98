//! Peer benchmark, Toasty side: Toasty and raw rusqlite 0.41 on in-memory SQLite,
//! diesel's bench workloads, medians of interleaved per-round ratios to rusqlite.
//! The Diesel side is `diesel/` (a second binary: Diesel 2.3 cannot link the
//! libsqlite3-sys of rusqlite 0.41). Run both with `benches/peers/run.sh`.

mod common;

use common::{calls, interleave, new_row, raw_db, seed_row, Outcome, Variant};
use toasty::Db;

#[derive(Debug, toasty::Model)]
#[table = "users"]
struct User {
    #[key]
    #[auto]
    id: i64,
    name: String,
    hair_color: Option<String>,
    age: i32,
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn toasty_db(rows: usize) -> Db {
    let mut db = Db::builder()
        .models(toasty::models!(User))
        .connect("sqlite::memory:")
        .await
        .expect("sqlite");
    db.push_schema().await.expect("schema");
    if rows > 0 {
        let mut batch = toasty::CreateMany::<User>::new();
        for i in 0..rows {
            let (name, hair, age) = seed_row(i);
            batch = batch.item(
                User::create()
                    .name(name)
                    .hair_color(hair.map(str::to_string))
                    .age(age),
            );
        }
        batch.exec(&mut db).await.expect("seed");
    }
    db
}

fn main() {
    let rounds = common::rounds();
    let rt = rt();
    let rt = &rt;
    let mut out: Vec<Outcome> = Vec::new();

    // get_by_id
    let mut db = rt.block_on(toasty_db(common::GET_ROWS));
    let raw = raw_db(common::GET_ROWS);
    let ids = common::GET_ROWS;
    out.push(interleave(
        "get_by_id",
        rounds,
        calls::GET,
        vec![
            (
                "Toasty",
                Box::new(|n| {
                    for i in 0..n {
                        let id = (i % ids + 1) as i64;
                        std::hint::black_box(
                            rt.block_on(User::get_by_id(&mut db, id)).expect("get"),
                        );
                    }
                }),
            ),
            common::raw_get_variant(&raw, ids),
        ],
    ));
    drop(db);

    // load 1, 100, 10,000 rows
    let mut db = rt.block_on(toasty_db(common::ROWS));
    let raw = raw_db(common::ROWS);
    for (label, limit, per_round) in [
        ("load 1 row", 1usize, calls::LOAD_1),
        ("load 100 rows", 100, calls::LOAD_100),
        ("load 10,000 rows", 10_000, calls::LOAD_10K),
    ] {
        let variants: Vec<Variant<'_>> = vec![
            (
                "Toasty",
                Box::new(|n| {
                    for _ in 0..n {
                        let rows = rt
                            .block_on(
                                User::all()
                                    .order_by(User::fields().id().asc())
                                    .limit(limit)
                                    .exec(&mut db),
                            )
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
                "Toasty",
                Box::new(|n| {
                    for _ in 0..n {
                        let rows = rt
                            .block_on(
                                User::filter(User::fields().age().ge(common::FILTER_AGE))
                                    .order_by((
                                        User::fields().age().desc(),
                                        User::fields().id().asc(),
                                    ))
                                    .limit(10)
                                    .exec(&mut db),
                            )
                            .expect("filter");
                        assert_eq!(rows.len(), 10);
                        std::hint::black_box(rows);
                    }
                }),
            ),
            common::raw_filter_variant(&raw),
        ],
    ));
    drop(db);

    // insert 1 row, insert 100 rows in one statement
    for (label, batch, per_round) in [
        ("insert 1 row", 1usize, calls::INSERT_1),
        (
            "insert 100 rows, one statement",
            common::BATCH,
            calls::INSERT_100,
        ),
    ] {
        let mut db = rt.block_on(toasty_db(0));
        let raw = raw_db(0);
        let variants: Vec<Variant<'_>> = vec![
            (
                "Toasty",
                Box::new(|n| {
                    for _ in 0..n {
                        if batch == 1 {
                            let (name, hair, age) = new_row(0);
                            let user = rt
                                .block_on(
                                    User::create()
                                        .name(name)
                                        .hair_color(hair.map(str::to_string))
                                        .age(age)
                                        .exec(&mut db),
                                )
                                .expect("insert");
                            std::hint::black_box(user);
                        } else {
                            let mut many = toasty::CreateMany::<User>::new();
                            for i in 0..batch {
                                let (name, hair, age) = new_row(i);
                                many = many.item(
                                    User::create()
                                        .name(name)
                                        .hair_color(hair.map(str::to_string))
                                        .age(age),
                                );
                            }
                            let users = rt.block_on(many.exec(&mut db)).expect("insert");
                            assert_eq!(users.len(), batch);
                            std::hint::black_box(users);
                        }
                    }
                }),
            ),
            common::raw_insert_variant(&raw, batch),
        ];
        out.push(interleave(label, rounds, per_round, variants));
    }

    common::print_table("Toasty vs rusqlite 0.41", rounds, &out);
}

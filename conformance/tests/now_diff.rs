//! `toasty::now()` in the differential harness: `Lit::Now` in created rows, filters and
//! assignments binds the operation's frozen instant (`case::now_at`) on every backend,
//! so memdb and SQLite agree exactly and runs are repeatable; the generator emits it.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use toasty::Type;
use toasty_conformance::backends::{MemdbKv, MemdbSql, SqliteMemory};
use toasty_conformance::harness::case::{now_at, Case, FieldSpec, Filter, KeySpec, Lit};
use toasty_conformance::harness::case::{ModelSpec, Op};
use toasty_conformance::harness::compare::{compare, Verdict};
use toasty_conformance::harness::exec::{run_case, Outcome};
use toasty_conformance::harness::gen::{self, GenConfig};
use toasty_core::stmt::BinaryOp;

/// `Event { f0: i64 key, f1: timestamp, f2: Option<timestamp> }`.
fn case() -> Case {
    let ts = |nullable| FieldSpec {
        ty: Type::Timestamp,
        nullable,
        max_len: None,
    };
    Case {
        models: vec![ModelSpec {
            fields: vec![
                FieldSpec {
                    ty: Type::I64,
                    nullable: false,
                    max_len: None,
                },
                ts(false),
                ts(true),
            ],
            key: KeySpec::Single,
            indices: vec![],
            relations: vec![],
        }],
        ops: vec![
            // #0: one row at now() (= now_at(0)), one at a fixed instant after it.
            Op::Create {
                model: 0,
                rows: vec![
                    vec![Some(Lit::Int(1)), Some(Lit::Now), None],
                    vec![Some(Lit::Int(2)), Some(Lit::Timestamp(now_at(5))), None],
                ],
            },
            // #1: now() is now_at(1): only row 1 lies before it.
            Op::Query {
                model: 0,
                filter: Filter::Cmp(1, BinaryOp::Lt, Lit::Now),
                order: vec![],
                limit: None,
                offset: None,
                select: None,
            },
            // #2: set f2 = now() where f1 <= now().
            Op::Update {
                model: 0,
                filter: Filter::Cmp(1, BinaryOp::Le, Lit::Now),
                set: vec![(2, Lit::Now)],
                arith: vec![],
                returning: false,
            },
            // #3: the row updated at #2 has f2 = now_at(2).
            Op::Query {
                model: 0,
                filter: Filter::Cmp(2, BinaryOp::Eq, Lit::Timestamp(now_at(2))),
                order: vec![],
                limit: None,
                offset: None,
                select: None,
            },
        ],
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

#[test]
fn now_binds_the_frozen_instant_of_each_operation() {
    let case = case();
    let run = rt().block_on(run_case(&MemdbSql, &case, "now"));
    assert!(run.setup_error.is_none(), "{:?}", run.setup_error);
    let o = &run.outcomes;
    match &o[0] {
        Outcome::Created(rows) => {
            assert_eq!(rows[0][1], Lit::Timestamp(now_at(0)));
            assert_eq!(rows[1][1], Lit::Timestamp(now_at(5)));
        }
        other => panic!("create: {other:?}"),
    }
    match &o[1] {
        Outcome::Rows { rows, .. } => {
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0][0], Lit::Int(1));
        }
        other => panic!("query: {other:?}"),
    }
    assert!(matches!(o[2], Outcome::Count(1)), "update: {:?}", o[2]);
    match &o[3] {
        Outcome::Rows { rows, .. } => {
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0][2], Lit::Timestamp(now_at(2)));
        }
        other => panic!("query: {other:?}"),
    }
    // The same case again: the same outcomes (nothing depends on the clock).
    let again = rt().block_on(run_case(&MemdbSql, &case, "now-again"));
    assert_eq!(
        format!("{:?}", again.outcomes),
        format!("{:?}", run.outcomes)
    );
}

#[test]
fn memdb_and_sqlite_agree_on_now() {
    let case = case();
    let rt = rt();
    let oracle = rt.block_on(run_case(&MemdbSql, &case, "now-oracle"));
    for target in [
        rt.block_on(run_case(&SqliteMemory, &case, "now-sqlite")),
        rt.block_on(run_case(&MemdbKv, &case, "now-kv")),
    ] {
        match compare(&case, &oracle, &target, true) {
            Verdict::Agree { compared, .. } => assert!(compared > 0),
            Verdict::Diverge { op, message } => panic!("diverged at {op:?}: {message}"),
        }
    }
}

#[test]
fn the_generator_emits_now() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = gen::case(GenConfig::default());
    let mut with_now = 0;
    for _ in 0..200 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        let json = serde_json::to_string(&case).expect("json");
        if json.contains("\"Now\"") {
            with_now += 1;
        }
    }
    assert!(with_now > 20, "only {with_now} of 200 cases use now()");
}

//! Relative numeric updates in the differential harness: the generator emits them (by
//! key and by query, returning the record, at each type's edges, in hostile sizes), the
//! harness runs them with the contract's outcomes on memdb, and memdb-kv and SQLite
//! agree with memdb-sql on a hand-written case that overflows.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use toasty::{ErrorKind, Type};
use toasty_conformance::backends::{MemdbKv, MemdbSql, SqliteMemory};
use toasty_conformance::harness::case::{ArithLit, Case, FieldSpec, Filter, KeySpec, Lit};
use toasty_conformance::harness::case::{IndexSpec, ModelSpec, Op};
use toasty_conformance::harness::compare::{compare, Verdict};
use toasty_conformance::harness::exec::{run_case, Outcome};
use toasty_conformance::harness::gen::{self, GenConfig};
use toasty_core::stmt::BinaryOp;

fn field(ty: Type) -> FieldSpec {
    FieldSpec {
        ty,
        nullable: false,
        max_len: None,
    }
}

fn by_key(id: i64) -> Filter {
    Filter::And(vec![Filter::Cmp(0, BinaryOp::Eq, Lit::Int(id))])
}

fn change(f: usize, sub: bool, amount: Lit) -> (usize, ArithLit) {
    (f, ArithLit { sub, amount })
}

/// `M0 { f0: i64 key, f1: u8, f2: i64 #[unique], f3: f32 }` with two records, then
/// relative changes in range, past each type's range, by key with the record returned,
/// over several records of the unique field, and in a batch.
fn case() -> Case {
    let update = |filter, set, arith, returning| Op::Update {
        model: 0,
        filter,
        set,
        arith,
        returning,
    };
    Case {
        models: vec![ModelSpec {
            fields: vec![
                field(Type::I64),
                field(Type::U8),
                field(Type::I64),
                field(Type::F32),
            ],
            key: KeySpec::Single,
            indices: vec![IndexSpec {
                fields: vec![2],
                unique: true,
            }],
            relations: vec![],
        }],
        ops: vec![
            // #0
            Op::Create {
                model: 0,
                rows: vec![
                    vec![
                        Some(Lit::Int(1)),
                        Some(Lit::Int(250)),
                        Some(Lit::Int(i64::MAX - 1)),
                        Some(Lit::Float(1.5)),
                    ],
                    vec![
                        Some(Lit::Int(2)),
                        Some(Lit::Int(0)),
                        Some(Lit::Int(0)),
                        Some(Lit::Float(f32::MAX as f64)),
                    ],
                ],
            },
            // #1: in range for both records.
            update(
                Filter::InList(0, vec![Lit::Int(1), Lit::Int(2)]),
                vec![],
                vec![change(1, false, Lit::Int(5))],
                false,
            ),
            // #2: 255 + 1 leaves u8: nothing written, for both records.
            update(
                Filter::InList(0, vec![Lit::Int(1), Lit::Int(2)]),
                vec![],
                vec![change(1, false, Lit::Int(1))],
                false,
            ),
            // #3: by key, returning: i64::MAX - 1 + 1.
            update(by_key(1), vec![], vec![change(2, false, Lit::Int(1))], true),
            // #4: one more overflows i64.
            update(by_key(1), vec![], vec![change(2, false, Lit::Int(1))], true),
            // #5: f32::MAX + f32::MAX is infinite.
            update(
                by_key(2),
                vec![],
                vec![change(3, false, Lit::Float(f32::MAX as f64))],
                false,
            ),
            // #6: the unique field over several records.
            update(
                Filter::InList(0, vec![Lit::Int(1), Lit::Int(2)]),
                vec![],
                vec![change(2, true, Lit::Int(1))],
                false,
            ),
            // #7: a batch whose second statement overflows: nothing of it is written.
            Op::Batch(vec![
                update(by_key(2), vec![(3, Lit::Float(2.0))], vec![], false),
                update(
                    by_key(1),
                    vec![],
                    vec![change(1, false, Lit::Int(255))],
                    false,
                ),
            ]),
            // #8
            Op::Query {
                model: 0,
                filter: Filter::True,
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

fn error_kind(o: &Outcome) -> Option<ErrorKind> {
    match o {
        Outcome::Error(kind, _) => Some(*kind),
        Outcome::Snapshot(inner, _) => error_kind(inner),
        _ => None,
    }
}

#[test]
fn memdb_runs_the_contract() {
    let case = case();
    let run = rt().block_on(run_case(&MemdbSql, &case, "arith-memdb"));
    assert!(run.setup_error.is_none(), "{:?}", run.setup_error);
    let o = &run.outcomes;
    assert!(matches!(o[1], Outcome::Count(2)), "in range: {:?}", o[1]);
    assert_eq!(
        error_kind(&o[2]),
        Some(ErrorKind::ValueOutOfRange),
        "{:?}",
        o[2]
    );
    match &o[3] {
        Outcome::Rows { rows, .. } => {
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0][2], Lit::Int(i64::MAX));
        }
        other => panic!("returning update: {other:?}"),
    }
    assert_eq!(
        error_kind(&o[4]),
        Some(ErrorKind::ValueOutOfRange),
        "{:?}",
        o[4]
    );
    assert_eq!(
        error_kind(&o[5]),
        Some(ErrorKind::ValueOutOfRange),
        "{:?}",
        o[5]
    );
    assert_eq!(
        error_kind(&o[6]),
        Some(ErrorKind::InvalidStatement),
        "{:?}",
        o[6]
    );
    assert_eq!(
        error_kind(&o[7]),
        Some(ErrorKind::ValueOutOfRange),
        "{:?}",
        o[7]
    );
    match &o[8] {
        Outcome::Rows { rows, .. } => {
            let mut rows = rows.clone();
            rows.sort_by_key(|r| format!("{:?}", r[0]));
            assert_eq!(rows[0][1], Lit::Int(255), "only #1 changed f1");
            assert_eq!(rows[1][1], Lit::Int(5));
            assert_eq!(rows[0][2], Lit::Int(i64::MAX));
            assert_eq!(
                rows[1][3],
                Lit::Float(f32::MAX as f64),
                "the batch wrote nothing"
            );
        }
        other => panic!("query: {other:?}"),
    }
}

#[test]
fn memdb_kv_and_sqlite_agree_on_arithmetic() {
    let case = case();
    let rt = rt();
    let oracle = rt.block_on(run_case(&MemdbSql, &case, "arith-oracle"));
    for target in [
        rt.block_on(run_case(&SqliteMemory, &case, "arith-sqlite")),
        rt.block_on(run_case(&MemdbKv, &case, "arith-kv")),
    ] {
        match compare(&case, &oracle, &target, true) {
            Verdict::Agree { compared, .. } => assert!(compared > 0),
            Verdict::Diverge { op, message } => panic!("diverged at {op:?}: {message}"),
        }
    }
}

#[test]
fn the_generator_emits_arithmetic() {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let strategy = gen::case(GenConfig::default());
    let (mut updates, mut returning, mut mixed, mut edges) = (0, 0, 0, 0);
    let mut visit = |op: &Op| {
        if let Op::Update {
            arith,
            set,
            returning: r,
            ..
        } = op
        {
            if arith.is_empty() {
                return;
            }
            updates += 1;
            returning += usize::from(*r);
            mixed += usize::from(!set.is_empty());
            edges += arith
                .iter()
                .filter(|(_, a)| {
                    matches!(a.amount, Lit::Int(i) if i.unsigned_abs() >= i8::MAX as u64)
                        || matches!(a.amount, Lit::Float(x) if x.abs() >= f32::MAX as f64)
                })
                .count();
        }
    };
    for _ in 0..200 {
        let case = strategy.new_tree(&mut runner).expect("a case").current();
        for op in &case.ops {
            match op {
                Op::Batch(ops) => ops.iter().for_each(&mut visit),
                op => visit(op),
            }
        }
    }
    assert!(
        updates > 100,
        "only {updates} relative updates in 200 cases"
    );
    assert!(returning > 10, "only {returning} return their record");
    assert!(mixed > 10, "only {mixed} mix in a plain assignment");
    assert!(edges > 30, "only {edges} amounts at a type's edge");
}

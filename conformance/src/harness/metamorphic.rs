//! Metamorphic checks: a backend (memdb first of all) agrees with itself.
//!
//! * **Ternary logic partitioning** (after SQLancer's TLP): for any predicate `p`, the
//!   records matching `p`, `NOT p` and `p IS NULL` partition the table exactly.
//! * **Equivalent rewrites** (in the spirit of NoREC): `p`, `NOT NOT p`, `p AND true`,
//!   `p OR p`, De Morgan forms and `IN` expanded to `OR` select the same records.

use super::case::{Case, Op};
use super::compare::same_multiset;
use super::exec::{filter_to_expr, lit, models};
use super::gen::{self, GenConfig};
use crate::Backend;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use toasty::{Db, Value};
use toasty_core::schema::app::ModelId;
use toasty_core::stmt::{self, Expr};

/// Checks every filter of `case` on `backend`, after running the case's creates.
pub async fn check_case(backend: &dyn Backend, case: &Case, label: &str) -> Result<usize, String> {
    // One instant for the whole check: `p`, `NOT p` and `p IS NULL` must see the same
    // `now()` to partition the table.
    let _now = toasty::testing::freeze_now(super::case::now_at(0));
    let mut db = match backend.setup(models(case), label).await {
        Ok(db) => db,
        Err(_) => return Ok(0),
    };
    for op in &case.ops {
        if let Op::Create { model, rows } = op {
            let rows = rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|v| v.as_ref().map(crate::harness::exec::value_of))
                        .collect()
                })
                .collect();
            // Failures (unique violations, range errors) are fine: they insert nothing.
            let _ = db
                .exec_insert(stmt::Insert {
                    model: ModelId(*model),
                    rows,
                })
                .await;
        }
    }
    let mut checks = 0;
    for op in &case.ops {
        let (model, filter) = match op {
            Op::Query { model, filter, .. }
            | Op::Count { model, filter }
            | Op::Update { model, filter, .. }
            | Op::Delete { model, filter }
            | Op::Paginate { model, filter, .. } => (*model, filter),
            _ => continue,
        };
        if case.models.get(model).is_none() {
            continue;
        }
        let p = filter_to_expr(&case.models, model, filter);
        let all = match select(&mut db, model, Expr::true_()).await {
            Ok(rows) => rows,
            Err(e) if e.is_unsupported() => continue,
            Err(e) => return Err(format!("select all failed: {e}")),
        };
        let Ok(yes) = select(&mut db, model, p.clone()).await else {
            // An error for p (say, a range error) must also be an error for its rewrites;
            // that is checked by the differential harness, not here.
            continue;
        };
        let no = select(&mut db, model, p.clone().not())
            .await
            .map_err(|e| format!("NOT p failed where p succeeded: {e}"))?;
        let unknown = select(&mut db, model, Expr::IsNull(Box::new(p.clone())))
            .await
            .map_err(|e| format!("p IS NULL failed where p succeeded: {e}"))?;
        let mut union = yes.clone();
        union.extend(no);
        union.extend(unknown);
        if !same_multiset(&union, &all) {
            return Err(format!(
                "TLP: rows(p) + rows(NOT p) + rows(p IS NULL) != all rows for p = {p:?}\n  \
                 union: {union:?}\n  all: {all:?}"
            ));
        }
        checks += 1;
        for (name, rewrite) in rewrites(&p) {
            let got = select(&mut db, model, rewrite.clone())
                .await
                .map_err(|e| format!("rewrite {name} failed where p succeeded: {e}"))?;
            if !same_multiset(&got, &yes) {
                return Err(format!(
                    "rewrite {name} of p = {p:?} selected {got:?}, p selected {yes:?}"
                ));
            }
            checks += 1;
        }
    }
    Ok(checks)
}

async fn select(
    db: &mut Db,
    model: usize,
    filter: Expr,
) -> toasty::Result<Vec<Vec<super::case::Lit>>> {
    let mut q = stmt::Query::all(ModelId(model));
    q.filter = Some(filter);
    let rows = db.exec_query(q).await?;
    Ok(rows
        .into_iter()
        .map(|r| r.into_iter().map(lit).collect())
        .collect())
}

fn rewrites(p: &Expr) -> Vec<(&'static str, Expr)> {
    let mut out = vec![
        ("NOT NOT p", p.clone().not().not()),
        ("p AND true", Expr::And(vec![p.clone(), Expr::true_()])),
        ("p OR p", Expr::Or(vec![p.clone(), p.clone()])),
        (
            "p OR false",
            Expr::Or(vec![p.clone(), Expr::Value(Value::Bool(false))]),
        ),
    ];
    match p {
        Expr::And(items) if !items.is_empty() => out.push((
            "De Morgan (AND)",
            Expr::Or(items.iter().map(|i| i.clone().not()).collect()).not(),
        )),
        Expr::Or(items) if !items.is_empty() => out.push((
            "De Morgan (OR)",
            Expr::And(items.iter().map(|i| i.clone().not()).collect()).not(),
        )),
        Expr::InList { expr, list } if !list.is_empty() => out.push((
            "IN as OR",
            Expr::Or(
                list.iter()
                    .map(|v| Expr::eq((**expr).clone(), Expr::Value(v.clone())))
                    .collect(),
            ),
        )),
        _ => {}
    }
    out
}

/// Statistics of a metamorphic campaign.
#[derive(Debug, Clone, Default)]
pub struct MetamorphicReport {
    /// Cases run.
    pub cases: u64,
    /// Checks made (partitions and rewrites).
    pub checks: u64,
    /// The first failure, shrunk: the case and the message.
    pub failure: Option<(Case, String)>,
}

/// Runs `cases` generated cases of metamorphic checks on `backend`.
pub fn run_metamorphic(
    backend: &dyn Backend,
    cases: u32,
    seed: u64,
    gen: GenConfig,
) -> MetamorphicReport {
    run_metamorphic_with_progress(backend, cases, seed, gen, &|| {})
}

/// [`run_metamorphic`], calling `progress` after each generated case has been checked.
pub fn run_metamorphic_with_progress(
    backend: &dyn Backend,
    cases: u32,
    seed: u64,
    gen: GenConfig,
    progress: &dyn Fn(),
) -> MetamorphicReport {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return MetamorphicReport {
                failure: Some((
                    Case {
                        models: vec![],
                        ops: vec![],
                    },
                    format!("could not start a Tokio runtime: {e}"),
                )),
                ..Default::default()
            }
        }
    };
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let count = std::sync::atomic::AtomicU64::new(0);
    let checks = std::sync::atomic::AtomicU64::new(0);
    let result = runner.run(&gen::case(gen), |case| {
        let n = count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let checked = runtime.block_on(check_case(backend, &case, &format!("mm{n}")));
        progress();
        match checked {
            Ok(c) => {
                checks.fetch_add(c as u64, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            }
            Err(msg) => Err(TestCaseError::fail(msg)),
        }
    });
    MetamorphicReport {
        cases: count.load(std::sync::atomic::Ordering::Relaxed),
        checks: checks.load(std::sync::atomic::Ordering::Relaxed),
        failure: match result {
            Ok(()) => None,
            Err(TestError::Fail(msg, case)) => Some((case, msg.to_string())),
            Err(TestError::Abort(msg)) => Some((
                Case {
                    models: vec![],
                    ops: vec![],
                },
                msg.to_string(),
            )),
        },
    }
}

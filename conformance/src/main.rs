//! The conformance CLI: long differential and metamorphic campaigns.
//!
//! ```text
//! cargo run -p toasty-conformance -- diff --backend memdb-kv --cases 10000 --seed 42
//! cargo run -p toasty-conformance -- metamorphic --backend memdb-sql --cases 2000
//! cargo run -p toasty-conformance -- regressions --backend memdb-kv
//! cargo run -p toasty-conformance -- faults
//! ```
//!
//! `diff` compares memdb-kv with memdb-sql by default (`Unsupported` on the kv side is
//! "not applicable", and the generator leaves transactions out, since nothing after a
//! `Begin` that memdb-kv refuses could be compared); `--oracle memdb-kv` compares it
//! with itself, transactions included (refused alike on both sides), which still
//! exercises the engine: plans, batches, the 100-item limit, unique claims.
//!
//! With the `containers` feature it also provisions test servers in Docker (what
//! `scripts/test` runs when a Docker engine answers; see `docs/testing.md`):
//!
//! ```text
//! cargo run -p toasty-conformance --features containers -- containers postgres mysql
//! ```

use clap::{Args as ClapArgs, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use toasty_conformance::backends::{by_name, MemdbKv, MemdbSql, NAMES};
use toasty_conformance::harness::compare::Verdict;
use toasty_conformance::harness::diff::{run_diff_with_progress, DiffConfig};
use toasty_conformance::harness::faults::run_faults;
use toasty_conformance::harness::gen::GenConfig;
use toasty_conformance::harness::metamorphic::run_metamorphic_with_progress;
use toasty_conformance::harness::regressions;
use toasty_conformance::harness::{campaign, coverage};
use toasty_conformance::{Availability, Backend};

/// Long differential and metamorphic campaigns of the Toasty conformance harness, fault
/// injection, and (feature `containers`) test servers in Docker.
#[derive(Parser, Debug)]
#[command(name = "toasty-conformance", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Differential campaign: generated cases run on each backend and on its memdb
    /// oracle, results compared; a divergence is shrunk and printed.
    Diff(Args),
    /// Metamorphic campaign: generated cases checked against rewritten forms of
    /// themselves on each backend.
    Metamorphic(Args),
    /// Replays the saved regression cases (conformance/regressions/*.json) on each
    /// backend against its oracle.
    Regressions(Args),
    /// Fault injection at every operation of multi-operation statements, transactions
    /// and batches.
    Faults,
    /// Starts test servers in Docker containers for the named backends (postgres,
    /// mysql, dynamodb) until stdin closes (feature `containers`; scripts/test runs it).
    /// `--ignore-stdin` keeps them until the process is signalled.
    #[command(disable_help_flag = true)]
    Containers {
        /// Backends, and `--ignore-stdin`; passed on as given.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

/// Options of `diff`, `metamorphic` and `regressions` (each takes the ones it uses).
#[derive(ClapArgs, Debug)]
struct Args {
    /// A backend to run on (repeat for several; default memdb-kv).
    #[arg(long = "backend", value_name = "NAME", value_parser = clap::builder::PossibleValuesParser::new(NAMES))]
    backends: Vec<String>,
    /// Generated cases per backend (diff, metamorphic).
    #[arg(long, default_value_t = 1000)]
    cases: u32,
    /// The seed: the same seed generates the same cases (diff, metamorphic).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Save a diverging case to conformance/regressions/ (diff).
    #[arg(long)]
    save: bool,
    /// The oracle to compare with, instead of memdb of the backend's persona (diff).
    #[arg(long, value_name = "NAME", value_parser = ["memdb-sql", "memdb-kv"])]
    oracle: Option<String>,
    /// Mix hostile operations into the cases: sizes at and past every documented limit
    /// (long ORs, deep nesting, huge IN lists and creates, long strings, extreme
    /// limits) (diff).
    #[arg(long)]
    hostile: bool,
}

/// What to run on each backend.
#[derive(Clone, Copy)]
enum Campaign {
    Diff,
    Metamorphic,
    Regressions,
}

struct Row {
    backend: String,
    cases: u64,
    ops: u64,
    compared: u64,
    not_applicable: u64,
    hits: u64,
    errors: u64,
    transactions: u64,
    batches: u64,
    aborted: u64,
    divergences: u64,
    elapsed: Duration,
}

/// `toasty-conformance containers ...` (see `toasty_conformance::containers::serve`).
#[cfg(feature = "containers")]
fn containers(args: &[String]) -> ExitCode {
    ExitCode::from(toasty_conformance::containers::serve(args))
}

/// Without the `containers` feature the subcommand only says how to get it.
#[cfg(not(feature = "containers"))]
fn containers(_args: &[String]) -> ExitCode {
    eprintln!(
        "this toasty-conformance was built without Docker support; build it with \
         `cargo build -p toasty-conformance --features containers`"
    );
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (campaign, mut args) = match cli.command {
        Command::Containers { args } => return containers(&args),
        Command::Faults => return faults(),
        Command::Diff(args) => (Campaign::Diff, args),
        Command::Metamorphic(args) => (Campaign::Metamorphic, args),
        Command::Regressions(args) => (Campaign::Regressions, args),
    };
    if args.backends.is_empty() {
        args.backends.push("memdb-kv".into());
    }
    let mut rows = Vec::new();
    let mut coverages = Vec::new();
    let mut failed = false;
    for name in &args.backends {
        let Some(target) = by_name(name) else {
            eprintln!("unknown backend `{name}` (backends: {})", NAMES.join(", "));
            return ExitCode::from(2);
        };
        if let Availability::Unavailable(why) = target.availability() {
            eprintln!("backend {name} is unavailable: {why}");
            failed = true;
            continue;
        }
        let row = match campaign {
            Campaign::Diff => {
                coverage::reset();
                let name = target.name().to_string();
                let row = diff(target, &args);
                coverages.push((name, coverage::tally()));
                row
            }
            Campaign::Metamorphic => metamorphic(target.as_ref(), &args),
            Campaign::Regressions => replay(target.as_ref()),
        };
        failed |= row.divergences > 0;
        rows.push(row);
    }
    println!();
    println!(
        "{:<12} {:>8} {:>9} {:>9} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7} {:>11} {:>8}",
        "backend",
        "cases",
        "ops",
        "compared",
        "n/a",
        "hits",
        "errors",
        "tx",
        "batches",
        "aborted",
        "divergences",
        "time"
    );
    for r in &rows {
        println!(
            "{:<12} {:>8} {:>9} {:>9} {:>7} {:>8} {:>7} {:>7} {:>7} {:>7} {:>11} {:>7.1}s",
            r.backend,
            r.cases,
            r.ops,
            r.compared,
            r.not_applicable,
            r.hits,
            r.errors,
            r.transactions,
            r.batches,
            r.aborted,
            r.divergences,
            r.elapsed.as_secs_f64()
        );
    }
    println!(
        "(tx: top-level transactions, savepoints not counted; aborted: statements and \
         commits refused with TransactionAborted on the oracle)"
    );
    for (name, c) in &coverages {
        println!("\n[{name}] {}", c.report());
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// The oracle for a target: memdb with the target's persona; memdb-kv itself is checked
/// against memdb-sql on the queries it supports (unless `--oracle` says otherwise).
fn oracle_for(target: &dyn Backend, sql: bool, choice: Option<&str>) -> (Arc<dyn Backend>, bool) {
    match choice {
        Some("memdb-kv") => return (Arc::new(MemdbKv), false),
        Some("memdb-sql") => return (Arc::new(MemdbSql), !sql),
        _ => {}
    }
    if target.name() == "memdb-kv" {
        (Arc::new(MemdbSql), true)
    } else if sql {
        (Arc::new(MemdbSql), false)
    } else {
        (Arc::new(MemdbKv), false)
    }
}

/// Whether `target` is an SQL-kind backend (learned by opening a database on it).
fn is_sql(target: &dyn Backend) -> Result<bool, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("could not start a Tokio runtime: {e}"))?;
    runtime
        .block_on(campaign::is_key_value(target))
        .map(|kv| !kv)
        .map_err(|e| format!("could not open a database on {}: {e}", target.name()))
}

fn failed_row(target: &dyn Backend, why: &str) -> Row {
    eprintln!("{why}");
    Row {
        backend: target.name().to_string(),
        cases: 0,
        ops: 0,
        compared: 0,
        not_applicable: 0,
        hits: 0,
        errors: 0,
        transactions: 0,
        batches: 0,
        aborted: 0,
        divergences: 1,
        elapsed: Duration::ZERO,
    }
}

/// A progress bar on stderr for `len` cases on `backend`; hidden (drawing nothing) when
/// stderr is not a terminal, so logs and CI output only get the summary lines.
fn progress_bar(len: u64, backend: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    let style = ProgressStyle::with_template(
        "{prefix:>12} [{elapsed_precise}] {wide_bar} {pos}/{len} cases ({per_sec}, eta {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_prefix(backend.to_string());
    bar
}

/// Prints a line on stderr without tearing the progress bar.
fn say(bar: &ProgressBar, line: impl std::fmt::Display) {
    bar.suspend(|| eprintln!("{line}"));
}

fn diff(target: Arc<dyn Backend>, args: &Args) -> Row {
    let sql = match is_sql(target.as_ref()) {
        Ok(sql) => sql,
        Err(why) => return failed_row(target.as_ref(), &why),
    };
    if let Some(o) = args.oracle.as_deref() {
        if o != "memdb-kv" && o != "memdb-sql" {
            return failed_row(
                target.as_ref(),
                &format!("--oracle must be memdb-sql or memdb-kv, not `{o}`"),
            );
        }
    }
    let (oracle, allow_unsupported) = oracle_for(target.as_ref(), sql, args.oracle.as_deref());
    eprintln!(
        "[{}] oracle: {}{}",
        target.name(),
        oracle.name(),
        if allow_unsupported {
            " (Unsupported on the target is not applicable)"
        } else {
            ""
        }
    );
    let gen = GenConfig {
        auto_increment: sql,
        kv_friendly: !sql,
        nul_in_strings: target.stores_nul(),
        // A target that refuses transactions cannot be compared with an oracle that
        // runs them (the rest of the case would be "not applicable").
        transactions: !allow_unsupported,
        hostile: args.hostile,
        ..GenConfig::default()
    };
    let chunks = 10u32.min(args.cases.max(1));
    let per_chunk = args.cases.div_ceil(chunks);
    let bar = progress_bar(u64::from(per_chunk) * u64::from(chunks), target.name());
    let mut row = Row {
        backend: target.name().to_string(),
        cases: 0,
        ops: 0,
        compared: 0,
        not_applicable: 0,
        hits: 0,
        errors: 0,
        transactions: 0,
        batches: 0,
        aborted: 0,
        divergences: 0,
        elapsed: Duration::ZERO,
    };
    for chunk in 0..chunks {
        let config = DiffConfig {
            cases: per_chunk,
            seed: args.seed.wrapping_add(chunk as u64 * 1_000_003),
            gen,
            allow_unsupported,
            ..DiffConfig::default()
        };
        let report =
            run_diff_with_progress(target.clone(), oracle.clone(), &config, &|| bar.inc(1));
        row.cases += report.cases;
        row.ops += report.ops;
        row.compared += report.compared;
        row.not_applicable += report.not_applicable;
        row.hits += report.nonempty_reads;
        row.errors += report.errors;
        row.transactions += report.transactions;
        row.batches += report.batches;
        row.aborted += report.aborted;
        row.elapsed += report.elapsed;
        say(
            &bar,
            format_args!(
                "[{}] chunk {}/{chunks}: {} cases, {} ops, {} transactions ({} savepoints), {} \
             batches, {} plans from the statement cache in warm runs, {:.1}s",
                target.name(),
                chunk + 1,
                report.cases,
                report.ops,
                report.transactions,
                report.savepoints,
                report.batches,
                report.warm_cache_hits,
                report.elapsed.as_secs_f64()
            ),
        );
        if let Some(d) = report.divergence {
            bar.abandon();
            row.divergences += 1;
            eprintln!("\nDIVERGENCE on {}: {}\n", target.name(), d.message);
            eprintln!(
                "minimal case ({} operations):\n{}\n",
                d.case.ops.len(),
                d.json()
            );
            eprintln!(
                "regression test:\n{}",
                d.regression_test(&format!(
                    "toasty_conformance::backends::by_name(\"{}\").unwrap()",
                    target.name()
                ))
            );
            if args.save {
                match regressions::save(&d.case) {
                    Ok(p) => eprintln!("saved to {}", p.display()),
                    Err(e) => eprintln!("could not save the case: {e}"),
                }
            }
            break;
        }
    }
    bar.finish_and_clear();
    row
}

fn metamorphic(target: &dyn Backend, args: &Args) -> Row {
    let sql = match is_sql(target) {
        Ok(sql) => sql,
        Err(why) => return failed_row(target, &why),
    };
    let gen = GenConfig {
        auto_increment: sql,
        kv_friendly: !sql,
        nul_in_strings: target.stores_nul(),
        ..GenConfig::default()
    };
    let start = std::time::Instant::now();
    let bar = progress_bar(u64::from(args.cases), target.name());
    let report = run_metamorphic_with_progress(target, args.cases, args.seed, gen, &|| bar.inc(1));
    bar.finish_and_clear();
    let mut divergences = 0;
    if let Some((case, msg)) = &report.failure {
        divergences = 1;
        eprintln!("\nMETAMORPHIC FAILURE on {}: {msg}", target.name());
        eprintln!("{}", serde_json::to_string_pretty(case).unwrap_or_default());
    }
    Row {
        backend: target.name().to_string(),
        cases: report.cases,
        ops: report.checks,
        compared: report.checks,
        not_applicable: 0,
        hits: 0,
        errors: 0,
        transactions: 0,
        batches: 0,
        aborted: 0,
        divergences,
        elapsed: start.elapsed(),
    }
}

fn replay(target: &dyn Backend) -> Row {
    let start = std::time::Instant::now();
    let mut row = Row {
        backend: target.name().to_string(),
        cases: 0,
        ops: 0,
        compared: 0,
        not_applicable: 0,
        hits: 0,
        errors: 0,
        transactions: 0,
        batches: 0,
        aborted: 0,
        divergences: 0,
        elapsed: Duration::ZERO,
    };
    let cases = match regressions::load_all() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            row.divergences = 1;
            return row;
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("could not start a Tokio runtime: {e}");
            row.divergences = 1;
            return row;
        }
    };
    let bar = progress_bar(cases.len() as u64, target.name());
    for (name, case) in cases {
        bar.inc(1);
        row.cases += 1;
        row.ops += case.ops.len() as u64;
        match runtime.block_on(regressions::check(target, &case, "regression")) {
            Verdict::Agree { compared, .. } => row.compared += compared as u64,
            Verdict::Diverge { op, message } => {
                row.divergences += 1;
                say(&bar, format_args!("{name} diverged at {op:?}: {message}"));
            }
        }
    }
    bar.finish_and_clear();
    row.elapsed = start.elapsed();
    row
}

/// `toasty-conformance faults`: fault injection at every operation of multi-operation
/// statements, transactions and batches (see `harness::faults`).
fn faults() -> ExitCode {
    let report = run_faults();
    for f in &report.failures {
        eprintln!("{f}\n");
    }
    println!(
        "{} scenarios, {} faults injected: {} rolled back, {} committed (answer lost after \
         the work was done), {} partial writes, {} problems, {:.1}s",
        report.scenarios,
        report.faults,
        report.rolled_back,
        report.committed,
        report.partial_writes,
        report.failures.len(),
        report.elapsed.as_secs_f64()
    );
    if report.failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

//! With the `metrics` feature, what `Builder::metrics(true)` collects also reaches the
//! `metrics` crate's recorder: a recording recorder installed for the test's thread
//! sees the counters and histograms under their documented names and labels.

use metrics::{Counter, CounterFn, Gauge, Histogram, HistogramFn, Key, KeyName, Metadata};
use metrics::{Recorder, SharedString, Unit};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

#[derive(Debug, toasty::Model)]
struct Item {
    #[key]
    #[auto]
    id: u64,
    name: String,
}

/// Per `name{label=value,..}`: the counter total, or the number of histogram samples.
#[derive(Default, Clone)]
struct Recording(Arc<Mutex<BTreeMap<String, u64>>>);

struct Cell(Arc<Mutex<BTreeMap<String, u64>>>, String);

impl CounterFn for Cell {
    fn increment(&self, value: u64) {
        *self.0.lock().unwrap().entry(self.1.clone()).or_default() += value;
    }
    fn absolute(&self, value: u64) {
        self.0.lock().unwrap().insert(self.1.clone(), value);
    }
}

impl HistogramFn for Cell {
    fn record(&self, _value: f64) {
        *self.0.lock().unwrap().entry(self.1.clone()).or_default() += 1;
    }
}

fn key_text(key: &Key) -> String {
    let labels: Vec<String> = key
        .labels()
        .map(|l| format!("{}={}", l.key(), l.value()))
        .collect();
    format!("{}{{{}}}", key.name(), labels.join(","))
}

impl Recorder for Recording {
    fn describe_counter(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_gauge(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn describe_histogram(&self, _: KeyName, _: Option<Unit>, _: SharedString) {}
    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        Counter::from_arc(Arc::new(Cell(self.0.clone(), key_text(key))))
    }
    fn register_gauge(&self, _: &Key, _: &Metadata<'_>) -> Gauge {
        Gauge::noop()
    }
    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        Histogram::from_arc(Arc::new(Cell(self.0.clone(), key_text(key))))
    }
}

async fn workload(metrics: bool) {
    let mut db = toasty::Db::builder()
        .models(toasty::models!(Item))
        .metrics(metrics)
        .connect("memory:")
        .await
        .expect("open");
    db.push_schema().await.expect("push schema");
    let a = toasty::create!(Item { name: "a" })
        .exec(&mut db)
        .await
        .expect("create");
    Item::get_by_id(&mut db, a.id).await.expect("get");
    Item::get_by_id(&mut db, a.id + 1)
        .await
        .expect_err("no such record");
}

fn record(metrics: bool) -> BTreeMap<String, u64> {
    let recording = Recording::default();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    metrics::with_local_recorder(&recording, || runtime.block_on(workload(metrics)));
    let seen = recording.0.lock().unwrap().clone();
    seen
}

#[test]
fn the_facade_gets_the_same_counts() {
    let seen = record(true);
    let get = |k: &str| seen.get(k).copied().unwrap_or(0);
    assert_eq!(get("toasty_statements_total{kind=create}"), 1, "{seen:#?}");
    assert_eq!(get("toasty_statements_total{kind=query}"), 2);
    assert_eq!(get("toasty_statement_rows_total{kind=create}"), 1);
    assert_eq!(get("toasty_statement_rows_total{kind=query}"), 1);
    assert_eq!(get("toasty_statement_duration_seconds{kind=query}"), 2);
    assert_eq!(get("toasty_driver_operations_total{op=insert}"), 1);
    assert_eq!(get("toasty_driver_operations_total{op=select}"), 2);
    assert_eq!(
        get("toasty_driver_operation_duration_seconds{op=select}"),
        2
    );
    assert_eq!(get("toasty_phase_duration_seconds{phase=plan}"), 3);
    assert_eq!(get("toasty_phase_duration_seconds{phase=driver}"), 3);
    assert_eq!(get("toasty_phase_duration_seconds{phase=build}"), 3);
    // The missing record is the terminal's error, found while loading: the statement
    // itself succeeded (with no row).
    assert_eq!(get("toasty_phase_duration_seconds{phase=load}"), 3);
    assert_eq!(get("toasty_statement_errors_total{kind=query}"), 0);
}

#[test]
fn nothing_reaches_the_facade_when_collection_is_off() {
    assert!(record(false).is_empty());
}

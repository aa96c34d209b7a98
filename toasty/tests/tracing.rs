//! What Toasty tells a `tracing` subscriber: a capturing layer records every span and
//! event, and the tests assert the events of a create, a query, a failed statement and
//! a transaction, and that no value (and never a `#[sensitive]` one) is logged unless
//! asked for.
#![cfg(feature = "sqlite")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

#[derive(toasty::Model)]
struct Member {
    #[key]
    #[auto]
    id: u64,
    #[index]
    name: String,
    #[unique]
    #[sensitive]
    ssn: String,
    #[sensitive]
    password: String,
}

/// One captured event: target, level, fields (the message is `message`), and the
/// fields of the spans it happened in (innermost last, each as `span.field`).
#[derive(Debug, Clone)]
struct Captured {
    target: String,
    level: tracing::Level,
    fields: BTreeMap<String, String>,
    spans: Vec<(String, BTreeMap<String, String>)>,
}

impl Captured {
    fn message(&self) -> &str {
        self.fields.get("message").map_or("", String::as_str)
    }

    fn field(&self, name: &str) -> Option<&str> {
        self.fields.get(name).map(String::as_str)
    }

    fn in_statement(&self) -> Option<&BTreeMap<String, String>> {
        self.spans
            .iter()
            .rev()
            .find(|(n, _)| n == "statement")
            .map(|(_, f)| f)
    }

    /// Everything logged with the event, as one text.
    fn text(&self) -> String {
        format!("{:?} {:?}", self.fields, self.spans)
    }
}

#[derive(Default)]
struct Fields(BTreeMap<String, String>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

struct SpanFields(BTreeMap<String, String>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        attrs.record(&mut fields);
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(SpanFields(fields.0));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let mut fields = Fields::default();
            values.record(&mut fields);
            if let Some(existing) = span.extensions_mut().get_mut::<SpanFields>() {
                existing.0.extend(fields.0);
            }
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let spans = ctx
            .event_scope(event)
            .map(|scope| {
                scope
                    .from_root()
                    .map(|span| {
                        let fields = span
                            .extensions()
                            .get::<SpanFields>()
                            .map(|f| f.0.clone())
                            .unwrap_or_default();
                        (span.name().to_string(), fields)
                    })
                    .collect()
            })
            .unwrap_or_default();
        if let Ok(mut all) = self.0.lock() {
            all.push(Captured {
                target: event.metadata().target().to_string(),
                level: *event.metadata().level(),
                fields: fields.0,
                spans,
            });
        }
    }
}

impl Capture {
    fn take(&self) -> Vec<Captured> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// The tests run one at a time: `tracing` caches per call site whether any subscriber
/// is interested, and subscribers set and dropped on parallel threads race with that
/// cache.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn db(builder: toasty::Builder) -> toasty::Db {
    let db = builder
        .models(toasty::models!(Member))
        .connect("sqlite::memory:")
        .await
        .unwrap();
    db.push_schema().await.unwrap();
    db
}

const SSN: &str = "078-05-1120";
const PASSWORD: &str = "hunter2-correct-horse";

#[test]
fn create_query_and_failure_are_logged_without_values() {
    let _serial = serial();
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    runtime().block_on(async {
        let mut db = db(toasty::Db::builder()).await;
        let opened = capture.take();
        assert!(
            opened
                .iter()
                .any(|e| e.target == "toasty::pool" && e.message() == "connection opened"),
            "{opened:#?}"
        );

        // A create: one span, the SQL text, the driver operation; no value.
        let ada = toasty::create!(Member {
            name: "Ada",
            ssn: SSN,
            password: PASSWORD
        })
        .exec(&mut db)
        .await
        .unwrap();
        let events = capture.take();
        let sql = events
            .iter()
            .find(|e| e.target == "toasty::sql")
            .unwrap_or_else(|| panic!("no SQL event: {events:#?}"));
        let text = sql.field("sql").unwrap();
        assert!(text.starts_with("INSERT INTO \"members\""), "{text}");
        assert_eq!(sql.field("params"), Some("3"));
        let span = sql.in_statement().expect("the SQL event is in the statement span");
        assert_eq!(span.get("model").map(String::as_str), Some("Member"));
        assert_eq!(span.get("kind").map(String::as_str), Some("create"));
        assert_eq!(span.get("plan").map(String::as_str), Some("insert members"));
        let op = events
            .iter()
            .find(|e| e.target == "toasty::driver")
            .expect("a driver operation event");
        assert_eq!(op.field("op"), Some("insert"));
        assert_eq!(op.field("table"), Some("members"));
        assert_eq!(op.field("params"), Some("3"));
        assert_eq!(op.field("rows"), Some("1"));
        assert!(op.field("duration_us").is_some());
        assert!(op.field("values").is_none(), "values are off by default");
        let done = events
            .iter()
            .find(|e| e.message() == "statement done")
            .expect("a statement done event");
        assert_eq!(done.level, tracing::Level::DEBUG);
        assert_eq!(done.field("rows"), Some("1"));
        for e in &events {
            let t = e.text();
            assert!(!t.contains("Ada") && !t.contains(SSN) && !t.contains(PASSWORD), "{t}");
        }

        // A query.
        let found = Member::filter_by_name("Ada").exec(&mut db).await.unwrap();
        assert_eq!(found.len(), 1);
        let events = capture.take();
        let sql = events
            .iter()
            .find(|e| e.target == "toasty::sql")
            .expect("an SQL event");
        let text = sql.field("sql").unwrap();
        assert!(text.starts_with("SELECT ") && text.contains("WHERE"), "{text}");
        assert_eq!(sql.field("params"), Some("1"));
        let span = sql.in_statement().unwrap();
        assert_eq!(span.get("kind").map(String::as_str), Some("query"));
        assert_eq!(span.get("plan").map(String::as_str), Some("select members"));
        assert!(events
            .iter()
            .any(|e| e.message() == "statement done" && e.field("rows") == Some("1")));
        assert!(events.iter().all(|e| !e.text().contains("Ada")));

        // A failed statement: the duplicate unique (sensitive) value appears neither in
        // the error nor in any event.
        let err = toasty::create!(Member {
            name: "Eve",
            ssn: SSN,
            password: "other"
        })
        .exec(&mut db)
        .await
        .unwrap_err();
        assert!(err.is_unique_violation(), "{err}");
        assert!(!err.to_string().contains(SSN), "{err}");
        let events = capture.take();
        assert!(
            events
                .iter()
                .any(|e| e.target == "toasty::sql" && e.field("sql").unwrap().starts_with("INSERT")),
            "{events:#?}"
        );
        let failed = events
            .iter()
            .find(|e| e.message() == "statement failed")
            .unwrap_or_else(|| panic!("{events:#?}"));
        assert_eq!(failed.field("error_kind"), Some("unique violation"));
        let op = events
            .iter()
            .find(|e| e.message() == "driver operation failed")
            .unwrap();
        assert_eq!(op.field("error_kind"), Some("unique violation"));
        for e in &events {
            let t = e.text();
            assert!(!t.contains(SSN) && !t.contains("Eve"), "{t}");
        }

        // The model's Debug redacts sensitive fields.
        let debug = format!("{ada:?}");
        assert!(debug.contains("name: \"Ada\""), "{debug}");
        assert!(debug.contains("ssn: [redacted]"), "{debug}");
        assert!(!debug.contains(SSN) && !debug.contains(PASSWORD), "{debug}");

        // A transaction logs begin and commit, and its statements.
        let mut tx = db.transaction().await.unwrap();
        Member::filter_by_name("Ada").count().exec(&mut tx).await.unwrap();
        tx.commit().await.unwrap();
        let events = capture.take();
        let tx_events: Vec<&str> = events
            .iter()
            .filter(|e| e.target == "toasty::transaction")
            .map(|e| e.message())
            .collect();
        assert_eq!(tx_events, ["begin", "commit"], "{events:#?}");
        assert!(events
            .iter()
            .any(|e| e.target == "toasty::sql" && e.field("sql").unwrap().starts_with("SELECT COUNT")));
    });
}

#[test]
fn parameters_are_logged_only_when_asked_and_sensitive_ones_never() {
    let _serial = serial();
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(capture.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    runtime().block_on(async {
        let mut db = db(toasty::Db::builder().log_parameters(true)).await;
        toasty::create!(Member {
            name: "Grace",
            ssn: SSN,
            password: PASSWORD
        })
        .exec(&mut db)
        .await
        .unwrap();
        Member::get_by_ssn(&mut db, SSN).await.unwrap();
        let events = capture.take();
        let ops: Vec<&Captured> = events
            .iter()
            .filter(|e| e.target == "toasty::driver")
            .collect();
        assert_eq!(ops.len(), 2, "{events:#?}");
        let insert = ops[0].field("values").unwrap();
        assert!(insert.contains("Grace"), "{insert}");
        assert_eq!(insert.matches("[redacted]").count(), 2, "{insert}");
        let select = ops[1].field("values").unwrap();
        assert_eq!(select, "[[redacted]]");
        for e in &events {
            let t = e.text();
            assert!(!t.contains(SSN) && !t.contains(PASSWORD), "{t}");
        }
    });
}

#[test]
fn slow_statements_are_warned_about() {
    let _serial = serial();
    let capture = Capture::default();
    let subscriber = tracing_subscriber::registry().with(
        capture
            .clone()
            .with_filter(tracing_subscriber::filter::LevelFilter::WARN),
    );
    let _guard = tracing::subscriber::set_default(subscriber);
    runtime().block_on(async {
        let mut db = db(toasty::Db::builder().slow_statement_threshold(Duration::ZERO)).await;
        Member::filter_by_name("Ada").exec(&mut db).await.unwrap();
        let events = capture.take();
        let slow: Vec<&Captured> = events
            .iter()
            .filter(|e| e.message() == "slow statement")
            .collect();
        assert_eq!(slow.len(), 1, "{events:#?}");
        assert_eq!(slow[0].level, tracing::Level::WARN);
        assert_eq!(slow[0].target, "toasty::statement");
        assert_eq!(slow[0].field("model"), Some("Member"));
        assert_eq!(slow[0].field("kind"), Some("query"));
        assert_eq!(slow[0].field("plan"), Some("select members"));
        assert!(slow[0].field("duration_ms").is_some());
        // Only warnings reach this subscriber: no debug event was built for it.
        assert!(events.iter().all(|e| e.level == tracing::Level::WARN));

        // A statement under the threshold is not reported.
        let mut quick =
            self::db(toasty::Db::builder().slow_statement_threshold(Duration::from_secs(60))).await;
        Member::filter_by_name("Ada")
            .exec(&mut quick)
            .await
            .unwrap();
        assert!(capture.take().is_empty());
    });
}

#[test]
fn errors_that_would_quote_a_sensitive_value_do_not() {
    // memdb quotes the conflicting values in its unique-violation message.
    let _serial = serial();
    runtime().block_on(async {
        let mut db = toasty::Db::builder()
            .models(toasty::models!(Member))
            .connect("memory:")
            .await
            .unwrap();
        db.push_schema().await.unwrap();
        toasty::create!(Member {
            name: "Ada",
            ssn: SSN,
            password: PASSWORD
        })
        .exec(&mut db)
        .await
        .unwrap();
        let err = toasty::create!(Member {
            name: "Eve",
            ssn: SSN,
            password: "x"
        })
        .exec(&mut db)
        .await
        .unwrap_err();
        assert!(err.is_unique_violation(), "{err}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains(SSN), "{text}");
        assert!(text.contains("members"), "{text}");
    });
}

//! The server-loss scenario shared by the reconnect tests: with a private server that a
//! test can kill and restart, operations must fail with a connection error within the
//! pool timeout while it is down, and the same `Db` must work again once it is back,
//! with the data committed before the crash.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use toasty::{Db, ErrorKind};
use toasty_core::driver::Driver;

#[derive(Debug, toasty::Model)]
pub struct Note {
    #[key]
    #[auto]
    id: i64,
    text: String,
}

/// How long the pool waits for a free or new connection.
pub const POOL_TIMEOUT: Duration = Duration::from_secs(2);

/// The most a failing operation may take while the server is down: the pool timeout
/// plus generous slack for a loaded 2-core machine.
pub const FAIL_WITHIN: Duration = Duration::from_secs(12);

/// A server the test owns.
pub trait PrivateServer {
    /// Stops the server abruptly, as in a crash.
    fn kill(&self);
    /// Starts it again on the same data and port.
    fn restart(&self);
}

/// The repository root (for the provisioning scripts).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// A fresh directory for a private server of `what`.
pub fn server_dir(what: &str) -> Result<PathBuf, String> {
    let base = std::env::var_os("TMPDIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/tmp"));
    let dir = base.join(format!("toasty-reconnect-{what}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("mkdir {}: {e}", dir.display()))?;
    Ok(dir)
}

/// The started server, or `None` after printing why it is skipped. Under `CI=true` a
/// server that cannot start is a failure.
pub fn started_or_skip<S>(what: &str, started: Result<S, String>) -> Option<S> {
    match started {
        Ok(s) => Some(s),
        Err(why) => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("cannot start a private {what} server under CI=true: {why}");
            }
            eprintln!("skipping the {what} reconnect test: {why}");
            None
        }
    }
}

/// Runs one cheap operation that needs the server.
async fn touch(db: &mut Db) -> toasty::Result<u64> {
    Note::all().count().exec(db).await
}

/// Asserts that `result` is a connection error that took less than [`FAIL_WITHIN`].
fn assert_fails_fast<T: std::fmt::Debug>(what: &str, start: Instant, result: toasty::Result<T>) {
    let took = start.elapsed();
    let err = result.expect_err("an operation cannot succeed while the server is down");
    assert_eq!(err.kind(), ErrorKind::Connection, "{what}: {err}");
    assert!(
        took < FAIL_WITHIN,
        "{what} took {took:?} to fail (limit {FAIL_WITHIN:?}): {err}"
    );
    eprintln!("{what} failed in {took:?}: {err}");
}

/// The scenario. `flush_wait` is how long the server needs after a commit before a crash
/// cannot lose it (both private servers run with relaxed durability).
pub fn run(server: &impl PrivateServer, driver: impl Driver, flush_wait: Duration) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut db = Db::builder()
            .models(toasty::models!(Note))
            .pool_timeout(POOL_TIMEOUT)
            .max_connections(2)
            .build(driver)
            .await
            .unwrap();
        db.push_schema().await.unwrap();
        let before = toasty::create!(Note { text: "before" })
            .exec(&mut db)
            .await
            .unwrap();
        assert_eq!(
            Note::get_by_id(&mut db, before.id).await.unwrap().text,
            "before"
        );
        tokio::time::sleep(flush_wait).await;

        server.kill();

        // The pooled connection is dead, new connections are refused: every attempt
        // must fail with a connection error, quickly.
        for attempt in 0..3 {
            let start = Instant::now();
            assert_fails_fast(&format!("count #{attempt}"), start, touch(&mut db).await);
        }
        let start = Instant::now();
        let got = Note::get_by_id(&mut db, before.id).await;
        assert_fails_fast("get_by_id", start, got);
        let start = Instant::now();
        let created = toasty::create!(Note { text: "lost" }).exec(&mut db).await;
        assert_fails_fast("create", start, created);

        server.restart();

        // The same Db reconnects by itself.
        let mut ok = None;
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            match touch(&mut db).await {
                Ok(n) => {
                    ok = Some(n);
                    break;
                }
                Err(e) => {
                    assert_eq!(e.kind(), ErrorKind::Connection, "{e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        assert_eq!(ok, Some(1), "the restarted server should hold the one note");
        let after = toasty::create!(Note { text: "after" })
            .exec(&mut db)
            .await
            .unwrap();
        assert_eq!(
            Note::get_by_id(&mut db, after.id).await.unwrap().text,
            "after"
        );
        assert_eq!(
            Note::get_by_id(&mut db, before.id).await.unwrap().text,
            "before"
        );
        assert_eq!(touch(&mut db).await.unwrap(), 2);
    });
}

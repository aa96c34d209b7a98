//! Losing the PostgreSQL server and getting it back: operations fail with a connection
//! error within the pool timeout while the server is down, and the same `Db` works again
//! once it is back.
//!
//! The test starts a private server with `scripts/provision/postgres.sh` (so it never
//! disturbs the shared one), stops it abruptly (`pg_ctl stop -m immediate`: backends
//! are killed without a goodbye, as in a crash) and restarts it on the same data
//! directory and port. Where the script cannot start a server the test is skipped with
//! the reason, except under `CI=true`, where that is a failure.

mod common;

use common::reconnect::{self, PrivateServer};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long to wait after the last write before the kill: the WAL writer
/// (`synchronous_commit=off`) flushes committed rows within this, so the restarted
/// server replays them.
const WAL_FLUSH_WAIT: Duration = Duration::from_millis(600);

fn script() -> PathBuf {
    reconnect::repo_root().join("scripts/provision/postgres.sh")
}

/// A private server; stopped and removed on drop.
struct Server {
    dir: PathBuf,
    url: String,
}

impl Server {
    /// Starts a server; `Err` carries the reason it could not.
    fn start() -> Result<Server, String> {
        let dir = reconnect::server_dir("postgres")?;
        let mut server = Server {
            dir,
            url: String::new(),
        };
        let out = Command::new("bash")
            .arg(script())
            .arg("start")
            .arg(&server.dir)
            .output()
            .map_err(|e| format!("could not run {}: {e}", script().display()))?;
        if !out.status.success() {
            return Err(format!(
                "{} start failed: {}",
                script().display(),
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        server.url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(server)
    }

    fn data(&self) -> PathBuf {
        self.dir.join("postgres/data")
    }

    /// Runs `pg_ctl` (from the server's own bin dir) as the service user the script
    /// runs the server as, through the script's own helper. Its output is shown only
    /// when it fails (`restart` after a crash warns that the PID file is gone).
    fn pg_ctl(&self, args: &[&str]) {
        let bindir = std::fs::read_to_string(self.dir.join("postgres/bindir"))
            .expect("the provision script records the server's bin dir");
        let pg_ctl = Path::new(bindir.trim()).join("pg_ctl");
        let lib = reconnect::repo_root().join("scripts/provision/lib.sh");
        let out = Command::new("bash")
            .arg("-c")
            .arg("source \"$0\"; as_service_user \"$@\"")
            .arg(&lib)
            .arg(&pg_ctl)
            .arg("-D")
            .arg(self.data())
            .args(args)
            .output()
            .expect("run pg_ctl");
        assert!(
            out.status.success(),
            "pg_ctl {args:?} failed: {}: {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl PrivateServer for Server {
    /// Stops the server abruptly: every backend exits at once, clients see their
    /// sockets closed.
    fn kill(&self) {
        self.pg_ctl(&["-m", "immediate", "-w", "-t", "30", "-s", "stop"]);
    }

    /// Starts the server again with the options it had (pg_ctl reads them back from
    /// `postmaster.opts`): same data directory, same port.
    fn restart(&self) {
        let log = self.dir.join("postgres/server.log");
        let log = log.to_string_lossy().to_string();
        self.pg_ctl(&["-l", &log, "-w", "-t", "60", "-s", "restart"]);
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(script())
            .arg("stop")
            .arg(&self.dir)
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn same_db_fails_fast_while_the_server_is_down_and_recovers() {
    let Some(server) = reconnect::started_or_skip("PostgreSQL", Server::start()) else {
        return;
    };
    let driver = toasty_postgres::Postgres::new(&server.url).unwrap();
    reconnect::run(&server, driver, WAL_FLUSH_WAIT);
}

//! Losing the MySQL/MariaDB server and getting it back: operations fail with a
//! connection error within the pool timeout while the server is down, and the same `Db`
//! works again once it is back.
//!
//! The test starts a private MariaDB with `scripts/provision/mariadb.sh` (its own temp
//! dir and port, so it never disturbs the shared server of a `scripts/test` run), kills
//! it with SIGKILL (`mariadb.sh kill`: a crash, clients see their sockets reset) and
//! starts it again on the same data directory and port (`mariadb.sh restart`). Where the
//! script cannot start a server the test is skipped with the reason, except under
//! `CI=true`, where that is a failure.

mod common;

use common::reconnect::{self, PrivateServer};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// How long to wait after the last write before the kill. The private server runs with
/// `innodb_flush_log_at_trx_commit=0`: InnoDB writes its log out once a second, so a
/// commit younger than that may die with the process, as in a real crash.
const LOG_FLUSH_WAIT: Duration = Duration::from_millis(2500);

fn script() -> PathBuf {
    reconnect::repo_root().join("scripts/provision/mariadb.sh")
}

/// Runs `mariadb.sh <command> <dir>`; `Err` carries the script's stderr.
fn run_script(command: &str, dir: &Path) -> Result<String, String> {
    let out = Command::new("bash")
        .arg(script())
        .arg(command)
        .arg(dir)
        .output()
        .map_err(|e| format!("could not run {}: {e}", script().display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} {command} failed: {}",
            script().display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A private server; stopped and removed on drop.
struct Server {
    dir: PathBuf,
    url: String,
}

impl Server {
    /// Starts a server; `Err` carries the reason it could not.
    fn start() -> Result<Server, String> {
        let dir = reconnect::server_dir("mysql")?;
        let mut server = Server {
            dir,
            url: String::new(),
        };
        server.url = run_script("start", &server.dir)?;
        Ok(server)
    }
}

impl PrivateServer for Server {
    /// Kills `mariadbd` with SIGKILL, as in a crash.
    fn kill(&self) {
        if let Err(e) = run_script("kill", &self.dir) {
            panic!("{e}");
        }
    }

    /// Starts the server again on the same data directory and port.
    fn restart(&self) {
        match run_script("restart", &self.dir) {
            Ok(url) => assert_eq!(url, self.url, "the restart keeps the port"),
            Err(e) => panic!("{e}"),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = run_script("stop", &self.dir);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
fn same_db_fails_fast_while_the_server_is_down_and_recovers() {
    let Some(server) = reconnect::started_or_skip("MariaDB", Server::start()) else {
        return;
    };
    let driver = toasty_mysql::Mysql::new(&server.url).unwrap();
    reconnect::run(&server, driver, LOG_FLUSH_WAIT);
}

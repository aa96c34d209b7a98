//! Containers for a lone test process: with the `containers` feature, a server backend
//! whose URL variable is not set (no `scripts/test`) runs `toasty-conformance containers
//! <backend>` as a child and takes the URL it prints. The child's stdin is a pipe whose
//! write end this process keeps open until it exits, however it exits (even SIGKILL):
//! then the child sees end-of-file and removes the container. So the container lives
//! exactly as long as the test process, one per backend per test binary.
//!
//! The command is the `toasty-conformance` binary of the same build directory (cargo
//! builds it, with the same features, for the package's integration tests), or the one
//! named by `TOASTY_CONFORMANCE_BIN`.

use super::docker;
use super::service::Service;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// The running children; never dropped, so their stdin stays open until process exit.
static CHILDREN: Mutex<Vec<Child>> = Mutex::new(Vec::new());

/// Starts a container for `service` through a child `toasty-conformance containers` and
/// returns its URL; `Err` says why there is none (no Docker engine, no binary, the
/// container did not start).
pub fn url_for(service: Service) -> Result<String, String> {
    if std::env::var("TOASTY_TEST_USE_TESTCONTAINERS").is_ok_and(|v| v == "0") {
        return Err("TOASTY_TEST_USE_TESTCONTAINERS=0".to_string());
    }
    if docker::docker_host().is_none() {
        return Err(
            "no Docker engine (DOCKER_HOST is not set and no Docker socket was found)".to_string(),
        );
    }
    url_from(&cli_path()?, service)
}

/// Runs `bin containers <service>` and reads its URL (see [`url_for`]).
fn url_from(bin: &Path, service: Service) -> Result<String, String> {
    let mut child = Command::new(bin)
        .arg("containers")
        .arg(service.name())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("could not run {}: {e}", bin.display()))?;
    let prefix = format!("{}=", service.env_var());
    let mut url = None;
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line == "READY" {
                break;
            }
            if let Some(u) = line.strip_prefix(&prefix) {
                url = Some(u.to_string());
            }
        }
    }
    match url {
        Some(url) => {
            CHILDREN
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .push(child);
            Ok(url)
        }
        None => {
            drop(child.stdin.take());
            let status = child
                .wait()
                .map(|s| s.to_string())
                .unwrap_or_else(|e| e.to_string());
            Err(format!(
                "`{} containers {}` gave no URL ({status}; its messages are above)",
                bin.display(),
                service.name()
            ))
        }
    }
}

/// `TOASTY_CONFORMANCE_BIN`, or `toasty-conformance` next to the `deps` directory the
/// running test binary is in.
fn cli_path() -> Result<PathBuf, String> {
    if let Some(bin) = std::env::var_os("TOASTY_CONFORMANCE_BIN") {
        return Ok(PathBuf::from(bin));
    }
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("toasty-conformance"))
        .filter(|bin| bin.is_file())
        .ok_or_else(|| {
            "no toasty-conformance binary next to this test binary; build it with \
             `cargo build -p toasty-conformance --features containers` or set \
             TOASTY_CONFORMANCE_BIN"
                .to_string()
        })?;
    Ok(bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Held while a fake is written and run: a fork in another test while a fake is
    /// still open for writing would make running it fail with "text file busy".
    static SPAWN: Mutex<()> = Mutex::new(());

    fn fake_cli(name: &str, body: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("toasty-fake-cli-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        let mut perms = std::fs::metadata(&path).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&path, perms).unwrap();
        path
    }

    #[test]
    fn takes_the_url_and_keeps_the_child() {
        let _serial = SPAWN.lock().unwrap_or_else(|p| p.into_inner());
        let bin = fake_cli(
            "ok",
            "echo 'TOASTY_TEST_MYSQL_URL=mysql://a:b@127.0.0.1:1/x'; echo READY; cat >/dev/null",
        );
        let url = url_from(&bin, Service::Mysql).unwrap();
        let _ = std::fs::remove_file(&bin);
        let _ = std::fs::remove_dir(bin.parent().unwrap());
        assert_eq!(url, "mysql://a:b@127.0.0.1:1/x");
        let mut children = CHILDREN.lock().unwrap();
        let child = children.last_mut().unwrap();
        assert!(child.stdin.is_some(), "its stdin stays open");
        assert!(child.try_wait().unwrap().is_none(), "it keeps running");
    }

    #[test]
    fn a_child_that_prints_no_url_is_an_error() {
        let _serial = SPAWN.lock().unwrap_or_else(|p| p.into_inner());
        let bin = fake_cli("fail", "echo 'no engine' >&2; exit 3");
        let err = url_from(&bin, Service::Postgres).unwrap_err();
        let _ = std::fs::remove_file(&bin);
        let _ = std::fs::remove_dir(bin.parent().unwrap());
        assert!(err.contains("gave no URL"), "{err}");
        assert!(err.contains("exit status: 3"), "{err}");
        let missing = url_from(
            Path::new("/nonexistent/toasty-conformance"),
            Service::Postgres,
        )
        .unwrap_err();
        assert!(missing.contains("could not run"), "{missing}");
    }
}

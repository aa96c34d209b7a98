//! `toasty-conformance containers [--ignore-stdin] BACKEND...`: starts one container per
//! backend, waits until each server answers, prints `TOASTY_TEST_<BACKEND>_URL=<url>`
//! lines and then `READY` on stdout, and stays up until its stdin reaches end-of-file
//! (the owner closed its end of the pipe, or died) or it gets SIGTERM, SIGINT or SIGHUP;
//! then it removes the containers. Progress and errors go to stderr.
//!
//! Exit status: 0 after a normal end, 1 when a container could not be started or the run
//! was interrupted while starting, 2 for a usage error, [`NO_DOCKER`] when no Docker
//! engine answers (`scripts/test` then falls back to local servers).

use super::docker;
use super::service::{Service, Started};
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use testcontainers::runners::AsyncRunner;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// Exit status when no Docker engine answers.
pub const NO_DOCKER: u8 = 3;

/// How long the engine may take to answer a ping.
const PING_TIMEOUT: Duration = Duration::from_secs(10);

/// The most removing one container (or sweeping a run) may take.
const REMOVE_TIMEOUT: Duration = Duration::from_secs(60);

/// The usage line.
pub const USAGE: &str = "usage: toasty-conformance containers [--ignore-stdin] \
<postgres|mysql|dynamodb>...";

fn say(message: impl std::fmt::Display) {
    eprintln!("[containers] {message}");
}

/// Runs the command with its arguments (after `containers`); returns the exit status.
pub fn serve(args: &[String]) -> u8 {
    let mut services = Vec::new();
    let mut watch_stdin = true;
    for arg in args {
        match arg.as_str() {
            "--ignore-stdin" => watch_stdin = false,
            "-h" | "--help" => {
                eprintln!("{USAGE}");
                return 0;
            }
            name => match Service::parse(name) {
                Some(s) if !services.contains(&s) => services.push(s),
                Some(_) => {}
                None => {
                    eprintln!("unknown backend `{name}`\n{USAGE}");
                    return 2;
                }
            },
        }
    }
    if services.is_empty() {
        eprintln!("name at least one backend\n{USAGE}");
        return 2;
    }
    let Some(host) = docker::docker_host() else {
        say("no Docker engine: DOCKER_HOST is not set and no Docker socket was found");
        return NO_DOCKER;
    };
    // testcontainers finds the engine by itself; make sure it uses the one pinged here.
    // Set before the runtime starts any thread.
    std::env::set_var("DOCKER_HOST", &host);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            say(format!("could not start a Tokio runtime: {e}"));
            return 1;
        }
    };
    let status = runtime.block_on(run(services, watch_stdin, host));
    // The stdin watcher is a plain thread blocked in read(); do not wait for it.
    runtime.shutdown_timeout(Duration::from_secs(5));
    status
}

/// Why the command should end: a signal's name or "stdin closed".
struct Shutdown {
    rx: mpsc::UnboundedReceiver<&'static str>,
}

impl Shutdown {
    /// Starts listening for the signals (and for end-of-file on stdin when asked).
    /// Must run inside the runtime.
    fn install(watch_stdin: bool) -> Result<Shutdown, String> {
        let (tx, rx) = mpsc::unbounded_channel();
        for (kind, name) in [
            (SignalKind::terminate(), "SIGTERM"),
            (SignalKind::interrupt(), "SIGINT"),
            (SignalKind::hangup(), "SIGHUP"),
        ] {
            let mut stream =
                signal(kind).map_err(|e| format!("could not listen for {name}: {e}"))?;
            let tx = tx.clone();
            tokio::spawn(async move {
                while stream.recv().await.is_some() {
                    let _ = tx.send(name);
                }
            });
        }
        if watch_stdin {
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut std::io::stdin().lock(), &mut std::io::sink());
                let _ = tx.send("stdin closed");
            });
        }
        Ok(Shutdown { rx })
    }

    /// Waits for the next reason to end (cancel-safe).
    async fn next(&mut self) -> &'static str {
        self.rx.recv().await.unwrap_or("no more shutdown sources")
    }
}

async fn run(services: Vec<Service>, watch_stdin: bool, host: String) -> u8 {
    let mut shutdown = match Shutdown::install(watch_stdin) {
        Ok(s) => s,
        Err(e) => {
            say(e);
            return 1;
        }
    };
    let docker = match docker::ping(&host, PING_TIMEOUT).await {
        Ok(d) => d,
        Err(e) => {
            say(e);
            return NO_DOCKER;
        }
    };
    let run_id = format!(
        "{}-{}",
        std::process::id(),
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    );
    let within = provision_timeout();
    let mut tasks = JoinSet::new();
    for &service in &services {
        let run_id = run_id.clone();
        tasks.spawn(async move { start(service, &run_id, within).await });
    }
    let mut started: Vec<Started> = Vec::new();
    let mut failures = Vec::new();
    let mut interrupted = None;
    loop {
        tokio::select! {
            next = tasks.join_next() => match next {
                None => break,
                Some(Ok(Ok(s))) => started.push(s),
                Some(Ok(Err(e))) => failures.push(e),
                Some(Err(e)) => failures.push(format!("a container start failed: {e}")),
            },
            why = shutdown.next() => {
                interrupted = Some(why);
                // Dropping a task drops its container (which removes it); one not yet
                // handed over by testcontainers is caught by the sweep below.
                tasks.abort_all();
                while tasks.join_next().await.is_some() {}
                break;
            }
        }
    }
    if interrupted.is_none() && failures.is_empty() {
        started.sort_by_key(|s| services.iter().position(|&x| x == s.service));
        let mut out = std::io::stdout().lock();
        let mut lines = String::new();
        for s in &started {
            lines.push_str(&format!("{}={}\n", s.service.env_var(), s.url));
        }
        lines.push_str("READY\n");
        if let Err(e) = out.write_all(lines.as_bytes()).and_then(|()| out.flush()) {
            say(format!("could not write the URLs: {e}"));
            failures.push("stdout is gone".to_string());
        } else {
            drop(out);
            let why = shutdown.next().await;
            say(format!("{why}: removing the containers"));
        }
    } else if let Some(why) = interrupted {
        say(format!("{why} while starting: removing the containers"));
    }
    for failure in &failures {
        say(failure);
    }
    remove_all(&docker, started, &run_id).await;
    if interrupted.is_some() || !failures.is_empty() {
        1
    } else {
        0
    }
}

/// Starts `service`'s container and waits until its server answers.
async fn start(service: Service, run_id: &str, within: Duration) -> Result<Started, String> {
    let t0 = Instant::now();
    say(format!(
        "starting {} ({}; the first start pulls the image)",
        service.name(),
        service.image()
    ));
    let container = service.request(run_id).start().await.map_err(|e| {
        format!(
            "could not start the {} container ({}): {e}",
            service.name(),
            service.image()
        )
    })?;
    let port = match container.get_host_port_ipv4(service.container_port()).await {
        Ok(p) => p,
        Err(e) => {
            let _ = container.rm().await;
            return Err(format!(
                "the {} container publishes no port for {}: {e}",
                service.name(),
                service.container_port()
            ));
        }
    };
    let url = service.url(port);
    if let Err(e) = super::ready::wait(service, &url, within).await {
        let _ = container.rm().await;
        return Err(e);
    }
    say(format!(
        "{} ready at {url} ({:.1}s)",
        service.name(),
        t0.elapsed().as_secs_f64()
    ));
    Ok(Started {
        service,
        url,
        container,
    })
}

/// Removes the started containers, then anything else labelled with the run id.
async fn remove_all(docker: &testcontainers::bollard::Docker, started: Vec<Started>, run_id: &str) {
    let mut removed = 0;
    for s in started {
        match tokio::time::timeout(REMOVE_TIMEOUT, s.remove()).await {
            Ok(Ok(())) => removed += 1,
            Ok(Err(e)) => say(e),
            Err(_) => say(format!("removing a container took over {REMOVE_TIMEOUT:?}")),
        }
    }
    match tokio::time::timeout(REMOVE_TIMEOUT, docker::remove_run(docker, run_id)).await {
        Ok(Ok(n)) => removed += n,
        Ok(Err(e)) => say(e),
        Err(_) => say(format!(
            "sweeping run {run_id} took over {REMOVE_TIMEOUT:?}"
        )),
    }
    say(format!("removed {removed} container(s)"));
}

/// `TOASTY_PROVISION_TIMEOUT` seconds (default 90): how long a started server may take
/// to answer (image pulls come before and are not counted).
fn provision_timeout() -> Duration {
    let secs = std::env::var("TOASTY_PROVISION_TIMEOUT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(90);
    Duration::from_secs(secs)
}

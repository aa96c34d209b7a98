//! Finding the Docker engine, asking whether it answers, and removing whatever one run
//! left behind (by its [`RUN_LABEL`](super::service::RUN_LABEL)).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;
use testcontainers::bollard::query_parameters::{
    ListContainersOptionsBuilder, RemoveContainerOptionsBuilder,
};
use testcontainers::bollard::Docker;

/// The Docker engine's address: `DOCKER_HOST` when set, otherwise the first socket
/// that exists among the usual places (system-wide, then the rootless and Docker
/// Desktop ones). `None` when there is none, which means no engine, quickly.
pub fn docker_host() -> Option<String> {
    if let Some(host) = std::env::var("DOCKER_HOST").ok().filter(|h| !h.is_empty()) {
        return Some(host);
    }
    let mut candidates = vec![PathBuf::from("/var/run/docker.sock")];
    if let Some(run) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        candidates.push(run.join("docker.sock"));
        candidates.push(run.join(".docker/run/docker.sock"));
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        candidates.push(home.join(".docker/run/docker.sock"));
        candidates.push(home.join(".docker/desktop/docker.sock"));
    }
    candidates
        .into_iter()
        .find(|p| p.exists())
        .map(|p| format!("unix://{}", p.display()))
}

/// Connects to the engine at `host` and pings it, waiting at most `within`.
pub async fn ping(host: &str, within: Duration) -> Result<Docker, String> {
    let docker = Docker::connect_with_host(host)
        .map_err(|e| format!("cannot connect to the Docker engine at {host}: {e}"))?;
    match tokio::time::timeout(within, docker.ping()).await {
        Ok(Ok(_)) => Ok(docker),
        Ok(Err(e)) => Err(format!("the Docker engine at {host} does not answer: {e}")),
        Err(_) => Err(format!(
            "the Docker engine at {host} did not answer within {within:?}"
        )),
    }
}

/// Force-removes every container labelled with run id `run` (running or not); returns
/// how many. Used last, for containers whose start was interrupted before
/// testcontainers handed them over.
pub async fn remove_run(docker: &Docker, run: &str) -> Result<usize, String> {
    let filters: HashMap<&str, Vec<String>> = HashMap::from([(
        "label",
        vec![format!("{}={run}", super::service::RUN_LABEL)],
    )]);
    let list = ListContainersOptionsBuilder::new()
        .all(true)
        .filters(&filters)
        .build();
    let found = docker
        .list_containers(Some(list))
        .await
        .map_err(|e| format!("could not list the containers of run {run}: {e}"))?;
    let mut removed = 0;
    for container in found {
        let Some(id) = container.id else { continue };
        let options = RemoveContainerOptionsBuilder::new()
            .force(true)
            .v(true)
            .build();
        match docker.remove_container(&id, Some(options)).await {
            Ok(()) => removed += 1,
            Err(e) => eprintln!("[containers] could not remove container {id}: {e}"),
        }
    }
    Ok(removed)
}

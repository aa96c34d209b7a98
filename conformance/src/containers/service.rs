//! [`Service::request`]: one server backend's container as a `testcontainers` request,
//! built from the plain settings in [`crate::containers_spec`] (image, environment,
//! command, tmpfs, init files, port), which `compose.yaml` is checked against.

use std::time::Duration;
use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::{IntoContainerPort, Mount};
use testcontainers::{ContainerAsync, ContainerRequest, GenericImage, ImageExt};

pub use crate::containers_spec::Service;

/// The label every container of one `serve` run carries (value: the run's id), so that
/// anything left behind by an interrupted start can be found and removed.
pub const RUN_LABEL: &str = "dev.toasty.test-run";

impl Service {
    /// The container to start, labelled with `run` (see [`RUN_LABEL`]). The settings are
    /// those of `compose.yaml`: durability traded for speed, data in tmpfs.
    pub fn request(self, run: &str) -> ContainerRequest<GenericImage> {
        let image = self.image();
        // The tag follows the last `:` after the last `/` (a registry may have a port).
        let (name, tag) = match image.rsplit_once(':') {
            Some((name, tag)) if !tag.contains('/') => (name.to_string(), tag.to_string()),
            _ => (image.clone(), "latest".to_string()),
        };
        let port = self.container_port();
        let mut request = GenericImage::new(name, tag)
            .with_exposed_port(port.tcp())
            .with_cmd(self.cmd().iter().copied());
        for &(key, value) in self.env() {
            request = request.with_env_var(key, value);
        }
        if let Some(dir) = self.tmpfs() {
            request = request.with_mount(Mount::tmpfs_mount(dir));
        }
        for &(path, contents) in self.init_files() {
            request = request.with_copy_to(path, contents.as_bytes().to_vec());
        }
        request
            .with_label(RUN_LABEL, run)
            // Readiness is checked by `ready` with a real client; this bounds only
            // testcontainers' own start (not the image pull).
            .with_startup_timeout(Duration::from_secs(120))
            .with_host_config_modifier(move |host: &mut HostConfig| {
                // Published on 127.0.0.1 only (testcontainers would publish on every
                // interface), on a port Docker picks.
                host.publish_all_ports = Some(false);
                host.port_bindings = Some(
                    [(
                        format!("{port}/tcp"),
                        Some(vec![PortBinding {
                            host_ip: Some("127.0.0.1".into()),
                            host_port: Some(String::new()),
                        }]),
                    )]
                    .into_iter()
                    .collect(),
                );
            })
    }
}

/// A started, ready container and the URL of its server.
pub struct Started {
    /// Which backend it serves.
    pub service: Service,
    /// The server's URL, on 127.0.0.1.
    pub url: String,
    /// The container; removed when dropped (inside a Tokio runtime) or by [`Started::remove`].
    pub container: ContainerAsync<GenericImage>,
}

impl Started {
    /// Removes the container.
    pub async fn remove(self) -> Result<(), String> {
        let id = self.container.id().to_string();
        self.container.rm().await.map_err(|e| {
            format!(
                "could not remove the {} container {id}: {e}",
                self.service.name()
            )
        })
    }
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("service", &self.service)
            .field("url", &self.url)
            .field("container", &self.container.id())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_image_label_settings_and_localhost_ports() {
        for s in Service::ALL {
            let request = s.request("run-1");
            assert_eq!(request.descriptor(), s.image(), "{s:?}");
            assert_eq!(
                request.labels().get(RUN_LABEL).map(String::as_str),
                Some("run-1")
            );
            assert_eq!(request.expose_ports(), &[s.container_port().tcp()]);
            let modifier = request
                .host_config_modifier()
                .expect("a host config modifier");
            let mut host = HostConfig {
                publish_all_ports: Some(true),
                ..HostConfig::default()
            };
            modifier(&mut host);
            assert_eq!(host.publish_all_ports, Some(false));
            let bindings = host.port_bindings.expect("port bindings");
            let binding = bindings[&format!("{}/tcp", s.container_port())]
                .as_ref()
                .expect("a binding");
            assert_eq!(binding[0].host_ip.as_deref(), Some("127.0.0.1"));
            assert_eq!(binding[0].host_port.as_deref(), Some(""));
        }
        let pg = Service::Postgres.request("r");
        let env: Vec<(String, String)> = pg
            .env_vars()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        assert!(env.contains(&("POSTGRES_USER".into(), "toasty".into())));
        assert!(pg.cmd().any(|c| c == "fsync=off"));
        let mysql = Service::Mysql.request("r");
        assert_eq!(mysql.copy_to_sources().count(), 1, "the grants script");
        assert!(mysql.cmd().any(|c| c == "--skip-log-bin"));
    }
}

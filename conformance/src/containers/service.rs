//! [`Service`]: one server backend's container: image and tag, server settings, the
//! port it serves on and the URL the tests get.

use std::time::Duration;
use testcontainers::bollard::models::{HostConfig, PortBinding};
use testcontainers::core::{IntoContainerPort, Mount};
use testcontainers::{ContainerAsync, ContainerRequest, GenericImage, ImageExt};

/// The label every container of one `serve` run carries (value: the run's id), so that
/// anything left behind by an interrupted start can be found and removed.
pub const RUN_LABEL: &str = "dev.toasty.test-run";

/// Run as a MySQL init script: the tests create a database each, so `toasty` needs more
/// than the rights on its own database that `MYSQL_USER` gets.
const MYSQL_GRANTS: &str = "GRANT ALL PRIVILEGES ON *.* TO 'toasty'@'%' WITH GRANT OPTION;\n";

/// A backend that needs a server, and so a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// PostgreSQL 16 (`postgres:16`).
    Postgres,
    /// MySQL 8.4 (`mysql:8.4`).
    Mysql,
    /// DynamoDB Local (`amazon/dynamodb-local`), in memory.
    Dynamodb,
}

impl Service {
    /// Every service, in the order they are listed.
    pub const ALL: [Service; 3] = [Service::Postgres, Service::Mysql, Service::Dynamodb];

    /// Parses a backend name as `scripts/test` spells it (`postgres`, `pg`, `mysql`,
    /// `mariadb`, `dynamodb`, ...).
    pub fn parse(name: &str) -> Option<Service> {
        match name {
            "postgres" | "postgresql" | "pg" => Some(Service::Postgres),
            "mysql" | "mariadb" => Some(Service::Mysql),
            "dynamodb" | "dynamo" | "ddb" => Some(Service::Dynamodb),
            _ => None,
        }
    }

    /// The backend's name.
    pub fn name(self) -> &'static str {
        match self {
            Service::Postgres => "postgres",
            Service::Mysql => "mysql",
            Service::Dynamodb => "dynamodb",
        }
    }

    /// The environment variable the tests read the server's URL from.
    pub fn env_var(self) -> &'static str {
        match self {
            Service::Postgres => "TOASTY_TEST_POSTGRES_URL",
            Service::Mysql => "TOASTY_TEST_MYSQL_URL",
            Service::Dynamodb => "TOASTY_TEST_DYNAMODB_URL",
        }
    }

    /// The image, as `name:tag`.
    pub fn image(self) -> &'static str {
        match self {
            Service::Postgres => "postgres:16",
            Service::Mysql => "mysql:8.4",
            Service::Dynamodb => "amazon/dynamodb-local:latest",
        }
    }

    /// The port the server listens on inside the container.
    pub fn container_port(self) -> u16 {
        match self {
            Service::Postgres => 5432,
            Service::Mysql => 3306,
            Service::Dynamodb => 8000,
        }
    }

    /// The URL of the server published on `host_port` of 127.0.0.1.
    pub fn url(self, host_port: u16) -> String {
        match self {
            Service::Postgres => format!("postgres://toasty:toasty@127.0.0.1:{host_port}/toasty"),
            Service::Mysql => format!("mysql://toasty:toasty@127.0.0.1:{host_port}/toasty"),
            Service::Dynamodb => format!("http://127.0.0.1:{host_port}"),
        }
    }

    /// The container to start, labelled with `run` (see [`RUN_LABEL`]). The settings are
    /// those of `compose.yaml`: durability traded for speed, data in tmpfs.
    pub fn request(self, run: &str) -> ContainerRequest<GenericImage> {
        let (name, tag) = self
            .image()
            .split_once(':')
            .unwrap_or((self.image(), "latest"));
        let port = self.container_port();
        let image = GenericImage::new(name, tag).with_exposed_port(port.tcp());
        let request = match self {
            Service::Postgres => image
                .with_env_var("POSTGRES_USER", "toasty")
                .with_env_var("POSTGRES_PASSWORD", "toasty")
                .with_env_var("POSTGRES_DB", "toasty")
                .with_mount(Mount::tmpfs_mount("/var/lib/postgresql/data"))
                .with_cmd([
                    "postgres",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=200",
                ]),
            Service::Mysql => image
                .with_env_var("MYSQL_ROOT_PASSWORD", "toasty-root")
                .with_env_var("MYSQL_USER", "toasty")
                .with_env_var("MYSQL_PASSWORD", "toasty")
                .with_env_var("MYSQL_DATABASE", "toasty")
                .with_mount(Mount::tmpfs_mount("/var/lib/mysql"))
                .with_copy_to(
                    "/docker-entrypoint-initdb.d/10-grants.sql",
                    MYSQL_GRANTS.as_bytes().to_vec(),
                )
                .with_cmd([
                    "--innodb-flush-log-at-trx-commit=0",
                    "--innodb-doublewrite=OFF",
                    "--skip-log-bin",
                    "--performance-schema=OFF",
                    "--max-connections=300",
                ]),
            Service::Dynamodb => {
                image.with_cmd(["-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"])
            }
        };
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
    fn names_parse_back() {
        for s in Service::ALL {
            assert_eq!(Service::parse(s.name()), Some(s));
        }
        assert_eq!(Service::parse("mariadb"), Some(Service::Mysql));
        assert_eq!(Service::parse("pg"), Some(Service::Postgres));
        assert_eq!(Service::parse("sqlite"), None);
        assert_eq!(
            Service::Mysql.url(3307),
            "mysql://toasty:toasty@127.0.0.1:3307/toasty"
        );
        assert_eq!(Service::Dynamodb.env_var(), "TOASTY_TEST_DYNAMODB_URL");
    }

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

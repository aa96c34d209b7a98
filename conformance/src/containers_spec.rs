//! What each server backend's container is: image (configurable), environment, command,
//! tmpfs, init files, port and the URL the tests get. Plain data, compiled without the
//! `containers` feature, so that `compose.yaml` can be checked against it by a test
//! (`conformance/tests/compose.rs`) on every machine; [`crate::containers`] turns it
//! into `testcontainers` requests.
//!
//! Official images cannot be pulled everywhere, so each image can be replaced through
//! an environment variable ([`Service::image_var`]): `scripts/containers/build-images.sh`
//! builds stand-ins from Debian packages and PyPI under the names those variables give.

/// A backend that needs a server, and so a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    /// PostgreSQL (`postgres:16` by default).
    Postgres,
    /// MySQL (`mysql:8.4` by default).
    Mysql,
    /// DynamoDB Local (`amazon/dynamodb-local:latest` by default), in memory.
    Dynamodb,
}

/// Run as a MySQL init script: the tests create a database each, so `toasty` needs more
/// than the rights on its own database that `MYSQL_USER` gets.
pub const MYSQL_GRANTS: &str = "GRANT ALL PRIVILEGES ON *.* TO 'toasty'@'%' WITH GRANT OPTION;\n";

/// Where the MySQL container finds [`MYSQL_GRANTS`].
pub const MYSQL_GRANTS_PATH: &str = "/docker-entrypoint-initdb.d/10-grants.sql";

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

    /// The environment variable that names another image for this service (`name:tag`),
    /// e.g. a stand-in built by `scripts/containers/build-images.sh`.
    pub fn image_var(self) -> &'static str {
        match self {
            Service::Postgres => "TOASTY_IMAGE_POSTGRES",
            Service::Mysql => "TOASTY_IMAGE_MYSQL",
            Service::Dynamodb => "TOASTY_IMAGE_DYNAMODB",
        }
    }

    /// The official image, used when [`Service::image_var`] is not set.
    pub fn default_image(self) -> &'static str {
        match self {
            Service::Postgres => "postgres:16",
            Service::Mysql => "mysql:8.4",
            Service::Dynamodb => "amazon/dynamodb-local:latest",
        }
    }

    /// The image to run, as `name:tag`: [`Service::image_var`] when set and not empty,
    /// else [`Service::default_image`].
    pub fn image(self) -> String {
        self.image_or(std::env::var(self.image_var()).ok())
    }

    /// The image to run when [`Service::image_var`] has the value `configured`: that
    /// value unless it is missing or blank, else [`Service::default_image`].
    pub fn image_or(self, configured: Option<String>) -> String {
        configured
            .map(|image| image.trim().to_string())
            .filter(|image| !image.is_empty())
            .unwrap_or_else(|| self.default_image().to_string())
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

    /// The container's environment: the test credentials (user `toasty`, password
    /// `toasty`, database `toasty`).
    pub fn env(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Service::Postgres => &[
                ("POSTGRES_USER", "toasty"),
                ("POSTGRES_PASSWORD", "toasty"),
                ("POSTGRES_DB", "toasty"),
            ],
            Service::Mysql => &[
                ("MYSQL_ROOT_PASSWORD", "toasty-root"),
                ("MYSQL_USER", "toasty"),
                ("MYSQL_PASSWORD", "toasty"),
                ("MYSQL_DATABASE", "toasty"),
            ],
            Service::Dynamodb => &[],
        }
    }

    /// The container's command: the server with durability traded for speed (test data
    /// is disposable).
    pub fn cmd(self) -> &'static [&'static str] {
        match self {
            Service::Postgres => &[
                "postgres",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            Service::Mysql => &[
                "--innodb-flush-log-at-trx-commit=0",
                "--innodb-doublewrite=OFF",
                "--skip-log-bin",
                "--performance-schema=OFF",
                "--max-connections=300",
            ],
            Service::Dynamodb => &["-jar", "DynamoDBLocal.jar", "-inMemory", "-sharedDb"],
        }
    }

    /// The data directory, mounted as a tmpfs (nothing is kept).
    pub fn tmpfs(self) -> Option<&'static str> {
        match self {
            Service::Postgres => Some("/var/lib/postgresql/data"),
            Service::Mysql => Some("/var/lib/mysql"),
            Service::Dynamodb => None,
        }
    }

    /// Files copied into the container before it starts, as `(path, contents)`.
    pub fn init_files(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Service::Mysql => &[(MYSQL_GRANTS_PATH, MYSQL_GRANTS)],
            Service::Postgres | Service::Dynamodb => &[],
        }
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
    fn images_are_the_official_ones_unless_a_variable_names_another() {
        for s in Service::ALL {
            assert_eq!(s.image_or(None), s.default_image());
            assert_eq!(
                s.image_or(Some("  ".into())),
                s.default_image(),
                "blank is unset"
            );
            assert_eq!(
                s.image_or(Some("toasty-standin/x:1".into())),
                "toasty-standin/x:1"
            );
            assert!(s.image_var().starts_with("TOASTY_IMAGE_"));
        }
    }

    #[test]
    fn every_url_has_the_test_credentials() {
        for s in [Service::Postgres, Service::Mysql] {
            assert!(s.url(1).contains("toasty:toasty@127.0.0.1:1/toasty"));
            assert!(s.env().iter().any(|&(_, v)| v == "toasty"));
        }
    }
}

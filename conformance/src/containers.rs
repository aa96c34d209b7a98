//! Throwaway Docker containers for the server backends (cargo feature `containers`),
//! started through the `testcontainers` crate: PostgreSQL 16, MySQL 8.4 and DynamoDB
//! Local, or the images `TOASTY_IMAGE_POSTGRES`, `TOASTY_IMAGE_MYSQL` and
//! `TOASTY_IMAGE_DYNAMODB` name (e.g. the stand-ins `scripts/containers/build-images.sh`
//! builds), each with its port published on 127.0.0.1 only and the test credentials
//! (user `toasty`, password `toasty`, database `toasty`, which the user may create more
//! of). The settings themselves are plain data in [`crate::containers_spec`].
//!
//! `toasty-conformance containers` ([`serve`]) does the work: `scripts/test` runs it when
//! a Docker engine answers and no URL is given, reads the URLs it prints, and ends it
//! when the run ends. One process owns the containers of a whole run because a run is
//! many test processes sharing one server per backend.
//!
//! * [`service`]: each backend's container as a `testcontainers` request.
//! * [`docker`]: finding and pinging the Docker engine, removing a run's containers.
//! * [`ready`]: telling when a started server really answers.
//! * [`serve`]: the CLI command: start, print URLs, wait for the end, remove.
//! * [`child`]: the same command run as a child by a lone test process (no
//!   `scripts/test`), so that `cargo test -p toasty-conformance --features containers`
//!   works with only Docker.

pub mod child;
pub mod docker;
pub mod ready;
pub mod serve;
pub mod service;

pub use serve::serve;
pub use service::Service;

//! Helpers shared by the integration tests in this directory.

pub mod reconnect;

//! The DynamoDB driver for Toasty.
//!
//! [`DynamoDb`] implements [`toasty_core::driver::Driver`] on the official
//! `aws-sdk-dynamodb` crate. It is a key-value driver: it serves the operations of
//! memdb's kv persona (create and drop table, insert, get by key, query by partition
//! key, update and delete by key, and the atomic conditional `TransactWrite`) with the
//! same answers, and its [`Capability`](toasty_core::driver::Capability) carries
//! DynamoDB's real limits (`Capability::KV`: 100 keys per `BatchGetItem`, 25 per batch
//! write, 100 items per `TransactWriteItems`, keys of at most two columns, no
//! auto-increment, no interactive transactions).
//!
//! ```no_run
//! # async fn f() -> toasty_core::Result<()> {
//! // Region in the URL; credentials from the standard AWS configuration.
//! let driver = toasty_dynamodb::DynamoDb::new("dynamodb://us-east-1")?;
//! // An emulator (moto, DynamoDB Local): dummy credentials, region us-east-1.
//! let local = toasty_dynamodb::DynamoDb::emulator("http://127.0.0.1:8000")?;
//! # Ok(()) }
//! ```
//!
//! With `toasty`'s `dynamodb` feature, `Db::builder().connect("dynamodb://us-east-1")`
//! does the same.
//!
//! # Configuration
//!
//! The URL is `dynamodb://<region>`, or `dynamodb://` for the region of the AWS
//! configuration. Everything else comes from the standard AWS configuration, resolved
//! once by `aws-config` at the first connection: credentials (`AWS_ACCESS_KEY_ID` /
//! `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`, `AWS_PROFILE` and
//! `~/.aws/{config,credentials}`, SSO, web identity, container and instance roles), the
//! region (`AWS_REGION`) and the endpoint (`AWS_ENDPOINT_URL_DYNAMODB` or
//! `AWS_ENDPOINT_URL`, for an emulator). A missing region or missing credentials are
//! [`ErrorKind::Config`](toasty_core::ErrorKind::Config) errors at the first connection.
//!
//! HTTP goes through rustls (with `ring`, like the other drivers) and the system's root
//! certificates. Each Toasty connection has its own HTTP client, so its sockets belong
//! to the Tokio runtime that uses it.
//!
//! # Storage
//!
//! | Toasty type | attribute | in a key or index |
//! |---|---|---|
//! | `bool` | `BOOL` | `N` 0 or 1 |
//! | integers | `N` (decimal) | `N` |
//! | `f32`, `f64` | `B`: 8 order-preserving bytes of the IEEE 754 value | same |
//! | `String` | `S` | `S`, escaped (below) |
//! | `Vec<u8>` | `B` | `B`, escaped |
//! | `uuid::Uuid` | `S`, hyphenated lower case | same |
//! | timestamp | `N`: microseconds since 1970-01-01 UTC | same |
//! | NULL | no attribute | (a sparse index leaves the item out) |
//!
//! Every encoding orders like the contract, so sort-key conditions are exact: DynamoDB
//! compares `S` by UTF-8 bytes (which is the order of Unicode scalar values), `N`
//! numerically and `B` by unsigned bytes. Floats are binary because `N` cannot hold
//! `f64`'s range (it stops at 9.99e125 and 1e-130); `-0.0` is stored as `0.0`, which
//! the contract makes equal. DynamoDB refuses empty strings and byte strings in key
//! attributes, so in keyed columns (primary key or any index) the empty value is stored
//! as `"\0"` (`[0]`), a value starting with NUL gets the prefix `"\0\x01"` (`[0, 1]`),
//! and every other value is stored as it is: readable data stays readable, and the
//! order is kept.
//!
//! Each column is an attribute of its name. The table's key schema is the primary key;
//! each secondary index is a global secondary index of the same name projecting every
//! attribute; each unique index also has a claim table `<table>.<index>` holding, per
//! value taken, the key of the record that holds it (`owner:<column>` attributes).
//! Tables are created with on-demand billing.
//!
//! # Operations
//!
//! See the modules for the exact rules: [`read`] (`BatchGetItem`, `Query`), [`write`]
//! (`TransactWriteItems` and its errors), [`ddl`] (tables, claim tables, waiting until
//! active). Reads of the table are strongly consistent; reads through a global
//! secondary index are eventually consistent (DynamoDB has nothing else), so on AWS an
//! index query right after a write may miss it. A write through the engine is still
//! safe then: it is conditioned on the record being unchanged, and fails with
//! `SerializationFailure` (retry) rather than losing an update.
//!
//! # Errors and time limits
//!
//! See [`error`]. Throttled and transiently failing requests are retried by the SDK
//! (standard mode, [`DEFAULT_MAX_ATTEMPTS`] attempts with exponential backoff); a
//! request gets a 5 s connect timeout and a 30 s attempt timeout, and a whole operation
//! (all pages and retries) fails with a `Connection` error after
//! [`DEFAULT_OPERATION_TIMEOUT`] (creating and dropping tables:
//! [`DEFAULT_DDL_TIMEOUT`]), measured with `toasty_core::driver::OperationClock` like
//! the other networked drivers.

#![warn(missing_docs)]

mod check;
mod codec;
mod connection;
pub mod ddl;
mod driver;
pub mod error;
mod item;
pub mod read;
pub mod write;

pub use connection::DdbConnection;
pub use driver::{DynamoDb, DEFAULT_DDL_TIMEOUT, DEFAULT_MAX_ATTEMPTS, DEFAULT_OPERATION_TIMEOUT};

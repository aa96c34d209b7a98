//! [`DdbConnection`]: admission, the operation's time limit, dispatch.

use crate::{check, ddl, read, write};
use async_trait::async_trait;
use std::sync::Arc;
use std::time::Duration;
use toasty_core::driver::{Capability, Connection, Operation, OperationClock, Response};
use toasty_core::schema::db;
use toasty_core::{Error, Result};

/// What an operation needs to talk to DynamoDB.
pub(crate) struct Ctx<'a> {
    pub(crate) client: &'a aws_sdk_dynamodb::Client,
    /// Where requests go, for messages.
    pub(crate) target: &'a str,
}

/// One connection to DynamoDB: an SDK client with its own HTTP connection pool.
///
/// DynamoDB is stateless HTTP, so a connection holds no session: it is only the client
/// its operations use and the clocks that limit them.
pub struct DdbConnection {
    client: aws_sdk_dynamodb::Client,
    target: Arc<str>,
    capability: Capability,
    clock: OperationClock,
    ddl_clock: OperationClock,
}

impl std::fmt::Debug for DdbConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DdbConnection")
            .field("target", &self.target)
            .finish()
    }
}

impl DdbConnection {
    pub(crate) fn new(
        client: aws_sdk_dynamodb::Client,
        target: Arc<str>,
        capability: Capability,
        operation_timeout: Duration,
        ddl_timeout: Duration,
    ) -> DdbConnection {
        DdbConnection {
            client,
            target,
            capability,
            clock: OperationClock::new(operation_timeout),
            ddl_clock: OperationClock::new(ddl_timeout),
        }
    }

    /// The SDK client this connection sends with (for operations Toasty does not make).
    pub fn client(&self) -> &aws_sdk_dynamodb::Client {
        &self.client
    }

    async fn dispatch(&self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let ctx = Ctx {
            client: &self.client,
            target: &self.target,
        };
        match op {
            Operation::CreateTable(op) => {
                ddl::create_table(&ctx, &self.capability, schema.table(op.table)?).await
            }
            Operation::DropTable(op) => ddl::drop_table(&ctx, schema.table(op.table)?).await,
            Operation::Insert(op) => write::insert(&ctx, schema.table(op.table)?, op).await,
            Operation::GetByKey(op) => read::get_by_key(&ctx, schema.table(op.table)?, op).await,
            Operation::QueryPk(op) => read::query_pk(&ctx, schema.table(op.table)?, op).await,
            Operation::UpdateByKey(op) => {
                write::update_by_key(&ctx, schema.table(op.table)?, op).await
            }
            Operation::DeleteByKey(op) => {
                write::delete_by_key(&ctx, schema.table(op.table)?, op).await
            }
            Operation::TransactWrite(op) => write::transact_write(&ctx, schema, op).await,
            Operation::Select(_)
            | Operation::Update(_)
            | Operation::Delete(_)
            | Operation::Cached(_)
            | Operation::Transaction(_) => Err(Error::invalid_statement(
                "an operation DynamoDB does not serve reached the dispatcher",
            )),
        }
    }
}

#[async_trait]
impl Connection for DdbConnection {
    async fn exec(&mut self, schema: &db::Schema, op: Operation) -> Result<Response> {
        let op = op.uncached()?;
        check::admit(&self.capability, &op)?;
        let ddl = matches!(op, Operation::CreateTable(_) | Operation::DropTable(_));
        let name = op.name();
        let clock = if ddl { &self.ddl_clock } else { &self.clock };
        match clock.run(self.dispatch(schema, op)).await {
            Ok(result) => result,
            Err(_expired) => Err(Error::connection(format!(
                "the DynamoDB {name} did not finish within {:?} (at {}); the endpoint may be \
                 unreachable or throttling; it may or may not have been applied",
                clock.limit(),
                self.target
            ))),
        }
    }
}

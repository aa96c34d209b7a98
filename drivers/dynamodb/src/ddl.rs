//! `CreateTable` and `DropTable` (memdb's `ops::ddl` on the kv persona).
//!
//! * `CreateTable` refuses what DynamoDB cannot hold (more than two key columns in the
//!   primary key or an index, an auto-increment column, more than 20 indexes:
//!   `Unsupported`; names DynamoDB does not accept: `InvalidSchema`), then creates the
//!   table (on-demand billing) with one global secondary index per secondary index
//!   (projecting every attribute), and one claim table per unique index (see
//!   [`crate::item`]), and waits until all of them are `ACTIVE`. A table that exists is
//!   a `Driver` error (`ResourceInUseException`); if a claim table cannot be created,
//!   the tables created so far are deleted again.
//! * `DropTable` deletes the table and its claim tables and waits until they are gone;
//!   a table that does not exist is not an error.
//! * Both respond with `Count(0)`.

use crate::check;
use crate::codec;
use crate::connection::Ctx;
use crate::error::Failure;
use crate::item::{claim_table, claim_tables};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, IndexStatus, KeySchemaElement, KeyType,
    Projection, ProjectionType, TableStatus,
};
use std::time::Duration;
use toasty_core::driver::{Capability, Response};
use toasty_core::schema::db;
use toasty_core::{Error, Result};

fn built(e: aws_sdk_dynamodb::error::BuildError) -> Error {
    Error::driver(format!("building a DynamoDB table definition failed: {e}"))
}

/// The key schema and attribute definitions for `columns` (partition, optional sort).
fn key_schema(
    def: &db::Table,
    columns: &[usize],
    defs: &mut Vec<AttributeDefinition>,
) -> Result<Vec<KeySchemaElement>> {
    let mut schema = Vec::with_capacity(columns.len());
    for (i, &col) in columns.iter().enumerate() {
        let column = check::column(def, col)?;
        schema.push(
            KeySchemaElement::builder()
                .attribute_name(&column.name)
                .key_type(if i == 0 {
                    KeyType::Hash
                } else {
                    KeyType::Range
                })
                .build()
                .map_err(built)?,
        );
        if !defs.iter().any(|d| d.attribute_name() == column.name) {
            defs.push(
                AttributeDefinition::builder()
                    .attribute_name(&column.name)
                    .attribute_type(codec::scalar_type(column.ty))
                    .build()
                    .map_err(built)?,
            );
        }
    }
    Ok(schema)
}

/// Creates `def` (see the module docs).
pub(crate) async fn create_table(
    ctx: &Ctx<'_>,
    cap: &Capability,
    def: &db::Table,
) -> Result<Response> {
    check::check_table(cap, def)?;
    for name in claim_tables(def) {
        if name.len() > 255 {
            return Err(Error::invalid_schema(format!(
                "the claim table `{name}` of a unique index of `{}` would have a name longer \
                 than DynamoDB's 255 characters; shorten the table or index name",
                def.name
            )));
        }
    }
    let mut defs = Vec::new();
    let key = key_schema(def, &def.primary_key, &mut defs)?;
    let mut gsis = Vec::with_capacity(def.indices.len());
    for index in &def.indices {
        gsis.push(
            GlobalSecondaryIndex::builder()
                .index_name(&index.name)
                .set_key_schema(Some(key_schema(def, &index.columns, &mut defs)?))
                .projection(
                    Projection::builder()
                        .projection_type(ProjectionType::All)
                        .build(),
                )
                .build()
                .map_err(built)?,
        );
    }
    let what = format!("create table `{}`", def.name);
    ctx.client
        .create_table()
        .table_name(&def.name)
        .set_key_schema(Some(key))
        .set_attribute_definitions(Some(defs))
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .map_err(|e| Failure::from_sdk(&e).into_error(&what, ctx.target))?;
    let mut created = vec![def.name.clone()];
    let result = create_claim_tables(ctx, def, &mut created).await;
    let result = match result {
        Ok(()) => {
            let mut waited = Ok(());
            for name in &created {
                waited = wait_active(ctx, name).await;
                if waited.is_err() {
                    break;
                }
            }
            waited
        }
        Err(e) => Err(e),
    };
    if let Err(e) = result {
        // Best effort: leave no half-created table behind.
        for name in &created {
            let _ = delete(ctx, name).await;
        }
        return Err(e);
    }
    Ok(Response::Count(0))
}

async fn create_claim_tables(
    ctx: &Ctx<'_>,
    def: &db::Table,
    created: &mut Vec<String>,
) -> Result<()> {
    for index in def.indices.iter().filter(|i| i.unique) {
        let name = claim_table(def, index);
        let mut defs = Vec::new();
        let key = key_schema(def, &index.columns, &mut defs)?;
        let what = format!(
            "create the claim table `{name}` of unique index `{}`",
            index.name
        );
        ctx.client
            .create_table()
            .table_name(&name)
            .set_key_schema(Some(key))
            .set_attribute_definitions(Some(defs))
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .map_err(|e| Failure::from_sdk(&e).into_error(&what, ctx.target))?;
        created.push(name);
    }
    Ok(())
}

/// Polls until `table` and its indexes are `ACTIVE`.
async fn wait_active(ctx: &Ctx<'_>, table: &str) -> Result<()> {
    let what = format!("waiting for table `{table}` to become active");
    let mut pause = Duration::from_millis(50);
    loop {
        let described = ctx
            .client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| Failure::from_sdk(&e).into_error(&what, ctx.target))?;
        let ready = described.table.as_ref().is_some_and(|t| {
            t.table_status == Some(TableStatus::Active)
                && t.global_secondary_indexes
                    .as_deref()
                    .unwrap_or_default()
                    .iter()
                    .all(|g| matches!(g.index_status, Some(IndexStatus::Active) | None))
        });
        if ready {
            return Ok(());
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}

/// Drops `def` and its claim tables (see the module docs).
pub(crate) async fn drop_table(ctx: &Ctx<'_>, def: &db::Table) -> Result<Response> {
    let mut names = claim_tables(def);
    names.push(def.name.clone());
    for name in &names {
        delete(ctx, name).await?;
    }
    Ok(Response::Count(0))
}

/// Deletes `table` if it exists and waits until it is gone.
async fn delete(ctx: &Ctx<'_>, table: &str) -> Result<()> {
    let what = format!("drop table `{table}`");
    let mut pause = Duration::from_millis(50);
    // Deleting a table that is being created or updated is refused: wait and retry.
    loop {
        match ctx.client.delete_table().table_name(table).send().await {
            Ok(_) => break,
            Err(e) => {
                let failure = Failure::from_sdk(&e);
                match failure.code() {
                    Some("ResourceNotFoundException") => return Ok(()),
                    Some("ResourceInUseException") => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_secs(2));
                    }
                    _ => return Err(failure.into_error(&what, ctx.target)),
                }
            }
        }
    }
    loop {
        match ctx.client.describe_table().table_name(table).send().await {
            Ok(_) => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(2));
            }
            Err(e) => {
                let failure = Failure::from_sdk(&e);
                if failure.code() == Some("ResourceNotFoundException") {
                    return Ok(());
                }
                return Err(failure.into_error(&what, ctx.target));
            }
        }
    }
}

//! Rejects schemas the driver cannot serve, at `connect`/`build` time rather than on the
//! first statement.

use toasty_core::driver::Capability;
use toasty_core::schema::{app::Auto, Schema};
use toasty_core::{Error, Result};

pub(crate) fn check_schema(schema: &Schema, capability: &Capability) -> Result<()> {
    for model in &schema.app {
        super::key_size::check_key_sizes(model)?;
        if let Some((i, Auto::Increment)) = model.auto_field() {
            if !capability.auto_increment {
                let field = model.fields.get(i).map(|f| f.name.as_str()).unwrap_or("?");
                return Err(Error::unsupported(format!(
                    "model `{}` uses #[auto] on the integer key `{field}`, but {} cannot \
                     assign auto-increment keys (DynamoDB has no sequences); use #[auto] on \
                     a uuid::Uuid key instead",
                    model.name, capability.name
                )));
            }
        }
        if let Some(max) = capability.max_key_columns {
            if model.primary_key.len() > max {
                return Err(Error::unsupported(format!(
                    "model `{}` has a primary key of {} fields, but {} supports at most {max} \
                     (a partition key and a sort key)",
                    model.name,
                    model.primary_key.len(),
                    capability.name
                )));
            }
        }
    }
    Ok(())
}

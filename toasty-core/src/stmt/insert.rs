//! Model-level inserts.

use crate::schema::app::ModelId;
use crate::Value;

/// Creates one or more records of one model.
///
/// Each row has one entry per field; `None` means "not given" and lets the engine fill
/// in `#[auto]` values (a missing non-nullable field without `#[auto]` is an error).
#[derive(Debug, Clone, PartialEq)]
pub struct Insert {
    /// The model.
    pub model: ModelId,
    /// The records, one `Option<Value>` per field.
    pub rows: Vec<Vec<Option<Value>>>,
}

//! Model-level deletes.

use super::Query;

/// Deletes every record a query selects.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// Which records (only `model` and `filter` are used).
    pub selection: Query,
}

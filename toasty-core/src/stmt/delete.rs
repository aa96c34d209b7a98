//! Model-level deletes.

use super::Query;

/// Deletes every record a query selects.
#[derive(Debug, Clone, PartialEq)]
pub struct Delete {
    /// Which records: `model` and `filter` (an order is ignored; a limit or an offset
    /// is refused with `InvalidStatement`).
    pub selection: Query,
}

//! Model-level updates.

use super::Query;
use crate::Value;

/// Sets fields on every record a query selects.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    /// Which records: `model` and `filter` (an order is ignored; a limit or an offset
    /// is refused with `InvalidStatement`).
    pub selection: Query,
    /// `(field position, new value)` pairs.
    pub assignments: Vec<(usize, Value)>,
    /// When `true`, the engine returns the updated records.
    pub returning: bool,
}

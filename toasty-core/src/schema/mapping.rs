//! How models and fields map onto tables and columns.

use super::db::TableId;

/// The mapping of one model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The table that stores the model.
    pub table: TableId,
    /// For each field position, the column position that stores it.
    pub columns: Vec<usize>,
}

/// The mapping of every model, indexed by model id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Mapping {
    /// One entry per model.
    pub models: Vec<Model>,
}

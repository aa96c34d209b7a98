//! Model-level queries.

use super::{Expr, OrderBy};
use crate::schema::app::ModelId;

/// What a query returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Select {
    /// Whole records.
    Records,
    /// The number of matching records.
    Count,
}

/// A query over one model: which records, in which order, how many.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The model queried.
    pub model: ModelId,
    /// The filter over fields; `None` means every record.
    pub filter: Option<Expr>,
    /// Sort keys over fields, most significant first.
    pub order_by: Vec<OrderBy>,
    /// At most this many records.
    pub limit: Option<u64>,
    /// Skip this many records first.
    pub offset: Option<u64>,
    /// Records or a count.
    pub select: Select,
}

impl Query {
    /// Every record of `model`.
    pub fn all(model: ModelId) -> Query {
        Query {
            model,
            filter: None,
            order_by: Vec::new(),
            limit: None,
            offset: None,
            select: Select::Records,
        }
    }

    /// Adds `expr` to the filter with AND.
    pub fn and_filter(&mut self, expr: Expr) {
        self.filter = Some(match self.filter.take() {
            None => expr,
            Some(existing) => existing.and(expr),
        });
    }
}

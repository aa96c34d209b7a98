//! Model-level queries.

use super::{Expr, OrderBy};
use crate::schema::app::ModelId;

/// What a query returns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Select {
    /// Whole records.
    Records,
    /// The number of matching records.
    Count,
    /// Only these values of each record, in this order (`.select(..)`): field positions
    /// in a model-level query, column positions in a table-level operation. A position
    /// may repeat. The rows returned hold exactly these values, in this order.
    Fields(Vec<usize>),
}

impl Select {
    /// The projected positions, when the query returns some values of each record.
    pub fn fields(&self) -> Option<&[usize]> {
        match self {
            Select::Fields(f) => Some(f),
            Select::Records | Select::Count => None,
        }
    }
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
    /// Records, some of their fields, or a count.
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

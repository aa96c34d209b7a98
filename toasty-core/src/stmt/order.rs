//! Sort keys.

/// Sort direction. Ascending puts NULL first; descending puts NULL last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first, NULL first.
    Asc,
    /// Largest first, NULL last.
    Desc,
}

/// One sort key: a field (model level) or a column (table level) and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrderBy {
    /// Field position (model level) or column position (table level).
    pub target: usize,
    /// The direction.
    pub direction: Direction,
}

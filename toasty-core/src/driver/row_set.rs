//! [`RowSet`]: rows of one width stored in a single buffer.
//!
//! A driver that reads many rows can hand them over without a `Vec` per row: loading a
//! 100-row result into `Vec<Vec<Value>>` costs 100 allocations and frees that the raw
//! client code it is compared with never makes. The engine loads models straight from
//! the rows' slices ([`RowSet::rows_mut`]).

use crate::Value;

/// Rows of `width` cells each, row after row in one buffer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RowSet {
    width: usize,
    rows: usize,
    cells: Vec<Value>,
}

impl RowSet {
    /// An empty set of rows of `width` cells, with room for `rows` rows.
    pub fn with_capacity(width: usize, rows: usize) -> RowSet {
        RowSet {
            width,
            rows: 0,
            cells: Vec::with_capacity(width.saturating_mul(rows)),
        }
    }

    /// Cells per row.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// `true` when there are no rows.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The buffer the next row's cells are pushed to; call [`RowSet::end_row`] after
    /// pushing exactly [`RowSet::width`] of them.
    pub fn cells_mut(&mut self) -> &mut Vec<Value> {
        &mut self.cells
    }

    /// Closes the row whose cells were just pushed. Pads with NULL or drops extra cells
    /// if the row did not get exactly `width` of them, so rows never run into each other.
    pub fn end_row(&mut self) {
        self.rows += 1;
        let cells = self.rows * self.width;
        // Almost every row has exactly `width` cells: skip the call then.
        if self.cells.len() != cells {
            self.cells.resize(cells, Value::Null);
        }
    }

    /// Appends a row (padded or truncated to the width).
    pub fn push_row(&mut self, row: impl IntoIterator<Item = Value>) {
        self.cells.extend(row.into_iter().take(self.width));
        self.end_row();
    }

    /// The rows, as slices.
    pub fn rows(&self) -> impl Iterator<Item = &[Value]> {
        self.slices().map(|r| &self.cells[r])
    }

    /// The rows, as mutable slices (to take values out).
    pub fn rows_mut(&mut self) -> RowsMut<'_> {
        // `end_row` pads or truncates every row to the width, so the cells split into
        // rows exactly; rows of width 0 are empty slices.
        let cells = self.rows.saturating_mul(self.width).min(self.cells.len());
        RowsMut {
            rest: &mut self.cells[..cells],
            width: self.width,
            left: self.rows,
        }
    }

    /// One `Vec` per row.
    pub fn into_vecs(self) -> Vec<Vec<Value>> {
        if self.width == 0 {
            return vec![Vec::new(); self.rows];
        }
        let mut out = Vec::with_capacity(self.rows);
        let mut cells = self.cells.into_iter();
        for _ in 0..self.rows {
            // Sized up front: collecting from `take` would grow the row step by step.
            let mut row = Vec::with_capacity(self.width);
            row.extend(cells.by_ref().take(self.width));
            out.push(row);
        }
        out
    }

    fn slices(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        (0..self.rows).map(move |i| i * self.width..(i + 1) * self.width)
    }
}

/// The rows of a [`RowSet`] as mutable slices, in order ([`RowSet::rows_mut`]).
#[derive(Debug)]
pub struct RowsMut<'a> {
    rest: &'a mut [Value],
    width: usize,
    left: usize,
}

impl<'a> Iterator for RowsMut<'a> {
    type Item = &'a mut [Value];

    #[inline]
    fn next(&mut self) -> Option<&'a mut [Value]> {
        self.left = self.left.checked_sub(1)?;
        let rest = std::mem::take(&mut self.rest);
        let (row, rest) = rest.split_at_mut(self.width.min(rest.len()));
        self.rest = rest;
        Some(row)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for RowsMut<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_keep_their_width() {
        let mut set = RowSet::with_capacity(2, 3);
        set.push_row([Value::I64(1), Value::I64(2)]);
        set.cells_mut().push(Value::I64(3));
        set.end_row(); // short: padded
        set.push_row([Value::I64(5), Value::I64(6), Value::I64(7)]); // long: truncated
        assert_eq!(set.len(), 3);
        let rows: Vec<&[Value]> = set.rows().collect();
        assert_eq!(rows[1], &[Value::I64(3), Value::Null][..]);
        for row in set.rows_mut() {
            row[0] = Value::Null;
        }
        assert_eq!(
            set.into_vecs(),
            vec![
                vec![Value::Null, Value::I64(2)],
                vec![Value::Null, Value::Null],
                vec![Value::Null, Value::I64(6)],
            ]
        );
    }

    #[test]
    fn zero_width_rows_are_counted() {
        let mut set = RowSet::with_capacity(0, 2);
        set.end_row();
        set.end_row();
        assert_eq!(set.len(), 2);
        assert_eq!(set.rows_mut().count(), 2);
        assert_eq!(set.into_vecs(), vec![Vec::<Value>::new(), Vec::new()]);
    }
}

//! `AND` / `OR` lists, written so that any list the engine accepts stays parseable
//! everywhere.
//!
//! SQLite parses `a OR b OR c` into a left-deep tree and refuses a tree deeper than 1000
//! ("Expression tree is too large"), so an `OR` of 1,000 conditions fails there while
//! PostgreSQL and MySQL answer. Two rewrites keep every backend answering:
//!
//! * in an `OR`, the equalities of one column with literals become one `col IN (..)`
//!   once there are at least [`IN_MIN`] of them (`x = a OR x = b` and `x IN (a, b)` have
//!   the same three-valued meaning: true if some value is equal, else NULL if `x` or a
//!   value is NULL, else false; the order of disjuncts does not matter);
//! * a list longer than [`GROUP`] is written as a balanced tree of parenthesized
//!   halves, so `n` conditions nest about `log2(n)` levels deep instead of `n`.
//!
//! Shorter lists are written as before: `(a AND b AND c)`.

use crate::expr::ExprWriter;
use crate::writer::Writer;
use toasty_core::stmt::{BinaryOp, Expr};
use toasty_core::{Result, Value};

/// Lists of at most this many conditions are written flat; longer ones are halved.
const GROUP: usize = 8;

/// A column compared for equality with at least this many literals in one `OR` is
/// written as `IN`.
const IN_MIN: usize = 8;

/// One condition of a list as it is written.
enum Part<'a> {
    /// A condition written as it is.
    Expr(&'a Expr),
    /// `column IN (values)`, from equalities of one `OR`.
    In {
        column: usize,
        values: Vec<&'a Value>,
    },
}

/// `Some((column, value))` if `e` is `column = literal` (either way round).
fn column_eq(e: &Expr) -> Option<(usize, &Value)> {
    match e {
        Expr::Binary {
            op: BinaryOp::Eq,
            lhs,
            rhs,
        } => match (&**lhs, &**rhs) {
            (Expr::Column(c), Expr::Value(v)) | (Expr::Value(v), Expr::Column(c)) => Some((*c, v)),
            _ => None,
        },
        _ => None,
    }
}

/// The parts of an `OR` of `items` with the equalities of each column that has at least
/// [`IN_MIN`] of them merged into one `IN`, placed where the column's first equality
/// was; `None` if no column has that many.
fn or_parts(items: &[Expr]) -> Option<Vec<Part<'_>>> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for (c, _) in items.iter().filter_map(column_eq) {
        match counts.iter_mut().find(|(col, _)| *col == c) {
            Some((_, n)) => *n += 1,
            None => counts.push((c, 1)),
        }
    }
    if !counts.iter().any(|&(_, n)| n >= IN_MIN) {
        return None;
    }
    let merged = |c: usize| counts.iter().any(|&(col, n)| col == c && n >= IN_MIN);
    let mut parts: Vec<Part<'_>> = Vec::with_capacity(items.len());
    for item in items {
        match column_eq(item) {
            Some((c, v)) if merged(c) => {
                let existing = parts
                    .iter_mut()
                    .find(|p| matches!(p, Part::In { column, .. } if *column == c));
                match existing {
                    Some(Part::In { values, .. }) => values.push(v),
                    _ => parts.push(Part::In {
                        column: c,
                        values: vec![v],
                    }),
                }
            }
            _ => parts.push(Part::Expr(item)),
        }
    }
    Some(parts)
}

impl ExprWriter<'_> {
    /// Writes an `AND` (`or == false`) or `OR` list; `empty` is the empty list's value.
    pub(crate) fn junction(
        &self,
        w: &mut Writer,
        items: &[Expr],
        or: bool,
        empty: &str,
    ) -> Result<()> {
        let sep = if or { " OR " } else { " AND " };
        match items {
            [] => {
                w.push(empty);
                Ok(())
            }
            [only] => self.predicate(w, only),
            _ => {
                let parts = match or.then(|| or_parts(items)).flatten() {
                    Some(parts) => parts,
                    None => items.iter().map(Part::Expr).collect(),
                };
                self.balanced(w, &parts, sep)
            }
        }
    }

    /// Writes `parts` joined by `sep`: flat and parenthesized up to [`GROUP`] parts,
    /// otherwise as two parenthesized halves (recursion depth `log2(parts)`).
    fn balanced(&self, w: &mut Writer, parts: &[Part<'_>], sep: &str) -> Result<()> {
        if let [only] = parts {
            return self.part(w, only);
        }
        w.push("(");
        if parts.len() <= GROUP {
            for (n, part) in parts.iter().enumerate() {
                if n > 0 {
                    w.push(sep);
                }
                self.part(w, part)?;
            }
        } else {
            let (left, right) = parts.split_at(parts.len() / 2);
            self.balanced(w, left, sep)?;
            w.push(sep);
            self.balanced(w, right, sep)?;
        }
        w.push(")");
        Ok(())
    }

    fn part(&self, w: &mut Writer, part: &Part<'_>) -> Result<()> {
        match part {
            Part::Expr(e) => self.predicate(w, e),
            Part::In { column, values } => {
                let ty = self.column_type(*column)?;
                w.push("(");
                self.column(w, *column)?;
                self.in_values(w, Some(ty), values)?;
                w.push(")");
                Ok(())
            }
        }
    }
}

//! Keyset pagination: [`Paginate`] runs the first page, [`Page`] walks forward and back.
//!
//! The query's order is extended with the primary key as a tie-breaker, so every record
//! has exactly one place. A page remembers its first and last record's sort values; the
//! next page is "records after the last one", the previous page "records before the first
//! one", expressed as plain comparisons that honour the NULL order of the contract
//! (NULL first ascending, last descending). Pages stay correct when records are inserted
//! or deleted between requests.

use super::query::model_id;
use super::Query;
use crate::engine::{Outcome, Statement};
use crate::{Error, Executor, Model, Result, Value};
use toasty_core::stmt::{self, Direction, Expr, OrderBy};

/// A paginated query. Created by [`Query::paginate`].
#[derive(Debug)]
pub struct Paginate<M> {
    query: Query<M>,
    per_page: usize,
}

impl<M: Model> Paginate<M> {
    pub(crate) fn new(mut query: Query<M>, per_page: usize) -> Self {
        for &k in M::PRIMARY_KEY {
            if !query.order_by.iter().any(|o| o.target == k) {
                query.order_by.push(OrderBy {
                    target: k,
                    direction: Direction::Asc,
                });
            }
        }
        query.limit = None;
        query.offset = None;
        Paginate { query, per_page }
    }

    /// Fetches the first page.
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Page<M>> {
        if self.per_page == 0 {
            return Err(Error::invalid_statement(
                "paginate needs a page size of at least 1",
            ));
        }
        fetch(db, self.query, self.per_page, None, Direction::Asc, false).await
    }
}

/// One page of records, with the means to fetch its neighbours.
///
/// Dereferences to a slice, so `page.len()`, `page.iter()` and `page[0]` work.
#[derive(Debug)]
pub struct Page<M> {
    items: Vec<M>,
    query: Query<M>,
    per_page: usize,
    first: Option<Vec<Value>>,
    last: Option<Vec<Value>>,
    has_next: bool,
    has_prev: bool,
}

impl<M: Model> Page<M> {
    /// The records of this page.
    pub fn items(&self) -> &[M] {
        &self.items
    }

    /// Takes the records out of the page.
    pub fn into_items(self) -> Vec<M> {
        self.items
    }

    /// `true` if there are records after this page.
    pub fn has_next(&self) -> bool {
        self.has_next
    }

    /// `true` if there are records before this page.
    pub fn has_prev(&self) -> bool {
        self.has_prev
    }

    /// The next page, or `None` after the last one.
    pub async fn next(&self, db: &mut dyn Executor) -> Result<Option<Page<M>>> {
        match (&self.last, self.has_next) {
            (Some(cursor), true) => fetch(
                db,
                self.query.clone(),
                self.per_page,
                Some(cursor.clone()),
                Direction::Asc,
                true,
            )
            .await
            .map(Some),
            _ => Ok(None),
        }
    }

    /// The previous page, or `None` before the first one.
    pub async fn prev(&self, db: &mut dyn Executor) -> Result<Option<Page<M>>> {
        match (&self.first, self.has_prev) {
            (Some(cursor), true) => fetch(
                db,
                self.query.clone(),
                self.per_page,
                Some(cursor.clone()),
                Direction::Desc,
                true,
            )
            .await
            .map(Some),
            _ => Ok(None),
        }
    }
}

impl<M> std::ops::Deref for Page<M> {
    type Target = [M];
    fn deref(&self) -> &[M] {
        &self.items
    }
}

impl<M> IntoIterator for Page<M> {
    type Item = M;
    type IntoIter = std::vec::IntoIter<M>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a, M> IntoIterator for &'a Page<M> {
    type Item = &'a M;
    type IntoIter = std::slice::Iter<'a, M>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Fetches one page. `way` is `Asc` for forward (after `cursor`) and `Desc` for backward
/// (before `cursor`); `from_neighbour` says a page exists on the side we came from.
async fn fetch<M: Model>(
    db: &mut dyn Executor,
    base: Query<M>,
    per_page: usize,
    cursor: Option<Vec<Value>>,
    way: Direction,
    from_neighbour: bool,
) -> Result<Page<M>> {
    let backward = way == Direction::Desc;
    let query = stmt::Query {
        model: model_id::<M>(db)?,
        filter: base.filter.clone(),
        order_by: base.order_by.clone(),
        limit: None,
        offset: None,
        select: stmt::Select::Records,
    };
    let (rows, more) = fetch_rows(db, query, per_page, cursor.as_deref(), backward).await?;
    let cursor_of = |row: &Vec<Value>| cursor_values(&base.order_by, row);
    let first = rows.first().map(cursor_of);
    let last = rows.last().map(cursor_of);
    let (has_next, has_prev) = if backward {
        (from_neighbour, more)
    } else {
        (more, from_neighbour)
    };
    let items = rows.into_iter().map(M::load).collect::<Result<Vec<M>>>()?;
    Ok(Page {
        items,
        query: base,
        per_page,
        first,
        last,
        has_next,
        has_prev,
    })
}

/// The values of `row` (a record in field order) for the sort keys `order_by`: the cursor
/// that [`fetch_rows`] continues from.
pub(crate) fn cursor_values(order_by: &[OrderBy], row: &[Value]) -> Vec<Value> {
    order_by
        .iter()
        .map(|o| row.get(o.target).cloned().unwrap_or(Value::Null))
        .collect()
}

/// Fetches up to `per_page` records of `query` (whose order must already end with the
/// primary key) strictly after `cursor` (or before it when `backward`), in the query's
/// order. Also says whether more records lie beyond the page in that direction.
pub(crate) async fn fetch_rows(
    db: &mut dyn Executor,
    query: stmt::Query,
    per_page: usize,
    cursor: Option<&[Value]>,
    backward: bool,
) -> Result<(Vec<Vec<Value>>, bool)> {
    let keys: Vec<OrderBy> = query
        .order_by
        .iter()
        .map(|o| OrderBy {
            target: o.target,
            direction: if backward {
                flip(o.direction)
            } else {
                o.direction
            },
        })
        .collect();
    let mut filter = query.filter;
    if let Some(cursor) = cursor {
        let after = after_cursor(&keys, cursor);
        filter = Some(match filter {
            Some(f) => f.and(after),
            None => after,
        });
    }
    let stmt = stmt::Query {
        model: query.model,
        filter,
        order_by: keys,
        limit: Some(per_page as u64 + 1),
        offset: None,
        select: stmt::Select::Records,
    };
    let mut rows = match db.__session().exec(Statement::Query(stmt)).await? {
        Outcome::Records(rows) => rows,
        Outcome::RecordSet(set) => set.into_vecs(),
        Outcome::Count(_) => {
            return Err(Error::driver(
                "expected records from the driver but got a count",
            ))
        }
    };
    let more = rows.len() > per_page;
    rows.truncate(per_page);
    if backward {
        rows.reverse();
    }
    Ok((rows, more))
}

fn flip(d: Direction) -> Direction {
    match d {
        Direction::Asc => Direction::Desc,
        Direction::Desc => Direction::Asc,
    }
}

/// "Strictly after `cursor` in the order `keys`", with NULL first ascending and last
/// descending: OR over i of (keys before i equal AND key i after).
fn after_cursor(keys: &[OrderBy], cursor: &[Value]) -> Expr {
    let mut branches = Vec::new();
    for (i, key) in keys.iter().enumerate() {
        let mut conj: Vec<Expr> = keys
            .iter()
            .zip(cursor)
            .take(i)
            .map(|(k, v)| same(k.target, v))
            .collect();
        let Some(v) = cursor.get(i) else { break };
        conj.push(after(key.target, key.direction, v));
        branches.push(Expr::And(conj));
    }
    Expr::Or(branches)
}

fn same(field: usize, v: &Value) -> Expr {
    if v.is_null() {
        Expr::IsNull(Box::new(Expr::Field(field)))
    } else {
        Expr::eq(Expr::Field(field), Expr::Value(v.clone()))
    }
}

fn after(field: usize, direction: Direction, v: &Value) -> Expr {
    let f = || Box::new(Expr::Field(field));
    match (direction, v.is_null()) {
        (Direction::Asc, true) => Expr::Not(Box::new(Expr::IsNull(f()))),
        (Direction::Asc, false) => Expr::binary(
            stmt::BinaryOp::Gt,
            Expr::Field(field),
            Expr::Value(v.clone()),
        ),
        (Direction::Desc, true) => Expr::Value(Value::Bool(false)),
        (Direction::Desc, false) => Expr::Or(vec![
            Expr::binary(
                stmt::BinaryOp::Lt,
                Expr::Field(field),
                Expr::Value(v.clone()),
            ),
            Expr::IsNull(f()),
        ]),
    }
}

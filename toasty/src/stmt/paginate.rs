//! Keyset pagination: [`Paginate`] runs the first page, [`Page`] walks forward and back.
//!
//! The query's order is extended with the primary key as a tie-breaker, so every record
//! has exactly one place. A page remembers its first and last record's sort values; the
//! next page is "records after the last one", the previous page "records before the first
//! one", expressed as plain comparisons that honour the NULL order of the contract
//! (NULL first ascending, last descending). Pages stay correct when records are inserted
//! or deleted between requests.

use super::Query;
use crate::engine::{Record, Statement};
use crate::{Error, Executor, Model, Result, Value};
use toasty_core::stmt::{self, Direction, Expr, OrderBy};

/// A paginated query. Created by [`Query::paginate`].
#[derive(Debug)]
pub struct Paginate<M> {
    query: Query<M>,
    per_page: usize,
    start: Option<(Cursor, Direction)>,
}

impl<M> Clone for Paginate<M> {
    fn clone(&self) -> Self {
        Paginate {
            query: self.query.clone(),
            per_page: self.per_page,
            start: self.start.clone(),
        }
    }
}

/// A position in a paginated query: the sort values of one record (the query's
/// `order_by` fields, then the primary key). [`Page::next_cursor`] and
/// [`Page::prev_cursor`] hand them out; [`Paginate::after`] and [`Paginate::before`]
/// start from one. A cursor may hold only a prefix of the sort values (for example just
/// the first `order_by` field's value): it then stands for every record with that prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor(Vec<Value>);

impl Cursor {
    /// A cursor from sort values, in the query's order.
    pub fn new(values: Vec<Value>) -> Cursor {
        Cursor(values)
    }

    /// The sort values.
    pub fn values(&self) -> &[Value] {
        &self.0
    }
}

/// A value that names a position for [`Paginate::after`] / [`Paginate::before`]: a
/// [`Cursor`], one sort value (`.after(90)`), or a tuple of sort values.
pub trait IntoCursor {
    /// The cursor.
    fn into_cursor(self) -> Cursor;
}

impl IntoCursor for Cursor {
    fn into_cursor(self) -> Cursor {
        self
    }
}

impl IntoCursor for Value {
    fn into_cursor(self) -> Cursor {
        Cursor(vec![self])
    }
}

macro_rules! into_cursor {
    ($($t:ty),*) => {$(
        impl IntoCursor for $t {
            fn into_cursor(self) -> Cursor {
                Cursor(vec![Value::from(self)])
            }
        }
    )*};
}

into_cursor!(
    bool,
    i8,
    i16,
    i32,
    i64,
    u8,
    u16,
    u32,
    u64,
    f32,
    f64,
    String,
    &str,
    Vec<u8>,
    uuid::Uuid
);

macro_rules! tuple_cursor {
    ($($t:ident $v:ident),+) => {
        impl<$($t: IntoCursor),+> IntoCursor for ($($t,)+) {
            fn into_cursor(self) -> Cursor {
                let ($($v,)+) = self;
                let mut values = Vec::new();
                $(values.extend($v.into_cursor().0);)+
                Cursor(values)
            }
        }
    };
}

tuple_cursor!(A a, B b);
tuple_cursor!(A a, B b, C c);
tuple_cursor!(A a, B b, C c, D d);

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
        Paginate {
            query,
            per_page,
            start: None,
        }
    }

    /// Starts with the records strictly after `cursor` in the query's order: a
    /// [`Cursor`] from a page, or the value(s) of the `order_by` field(s):
    /// `.order_by(Item::fields().order().desc()).paginate(10).after(90)`.
    pub fn after(mut self, cursor: impl IntoCursor) -> Self {
        self.start = Some((cursor.into_cursor(), Direction::Asc));
        self
    }

    /// Starts with the records strictly before `cursor` (the page that ends right
    /// before it, in the query's order).
    pub fn before(mut self, cursor: impl IntoCursor) -> Self {
        self.start = Some((cursor.into_cursor(), Direction::Desc));
        self
    }

    /// Fetches the first page (or the page after/before the starting cursor).
    pub async fn exec(self, db: &mut dyn Executor) -> Result<Page<M>> {
        if self.per_page == 0 {
            return Err(Error::invalid_statement(
                "paginate needs a page size of at least 1",
            ));
        }
        match self.start {
            None => fetch(db, self.query, self.per_page, None, Direction::Asc, false).await,
            // Records may lie on the other side of a cursor given by hand.
            Some((cursor, way)) => {
                fetch(db, self.query, self.per_page, Some(cursor.0), way, true).await
            }
        }
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

    /// Where the next page starts (pass it to [`Paginate::after`] later, e.g. from
    /// another request), or `None` after the last page.
    pub fn next_cursor(&self) -> Option<Cursor> {
        match (&self.last, self.has_next) {
            (Some(last), true) => Some(Cursor(last.clone())),
            _ => None,
        }
    }

    /// Where the previous page ends (pass it to [`Paginate::before`]), or `None` before
    /// the first page.
    pub fn prev_cursor(&self) -> Option<Cursor> {
        match (&self.first, self.has_prev) {
            (Some(first), true) => Some(Cursor(first.clone())),
            _ => None,
        }
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
            .map(non_empty),
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
            .map(non_empty),
            _ => Ok(None),
        }
    }
}

/// `None` for a page with no records (there was nothing on that side after all).
fn non_empty<M>(page: Page<M>) -> Option<Page<M>> {
    if page.items.is_empty() {
        None
    } else {
        Some(page)
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
    let include = base.include_paths()?;
    let mut query = base.clone().into_stmt(db, stmt::Select::Records)?;
    query.limit = None;
    query.offset = None;
    let (records, more) =
        fetch_records(db, query, include, per_page, cursor.as_deref(), backward).await?;
    let cursor_of = |r: &Record| cursor_values(&base.order_by, &r.values);
    let first = records.first().map(cursor_of);
    let last = records.last().map(cursor_of);
    let (has_next, has_prev) = if backward {
        (from_neighbour, more)
    } else {
        (more, from_neighbour)
    };
    let items = records
        .into_iter()
        .map(M::load_record)
        .collect::<Result<Vec<M>>>()?;
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
    let (records, more) = fetch_records(db, query, Vec::new(), per_page, cursor, backward).await?;
    Ok((records.into_iter().map(|r| r.values).collect(), more))
}

/// [`fetch_rows`], with the relations of `include` (and every eager relation) loaded.
pub(crate) async fn fetch_records(
    db: &mut dyn Executor,
    query: stmt::Query,
    include: Vec<Vec<usize>>,
    per_page: usize,
    cursor: Option<&[Value]>,
    backward: bool,
) -> Result<(Vec<Record>, bool)> {
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
        limit: Some((per_page as u64).saturating_add(1)),
        offset: None,
        select: stmt::Select::Records,
    };
    let outcome = db.__session().exec(Statement::Query(stmt, include)).await?;
    let mut records = outcome
        .into_records()
        .ok_or_else(|| Error::driver("expected records from the driver but got a count"))?;
    let more = records.len() > per_page;
    records.truncate(per_page);
    if backward {
        records.reverse();
    }
    Ok((records, more))
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

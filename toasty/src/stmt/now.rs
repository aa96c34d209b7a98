//! [`now`]: the current time in typed statements (filters, creates, updates,
//! `#[default(toasty::now())]`, `#[update(toasty::now())]`).
//!
//! `now()` is not evaluated where it is written: it is a marker the engine replaces,
//! when it prepares the statement, with one reading of the clock (UTC, whole
//! microseconds). Every `now()` of one statement therefore has the same value, and the
//! database's own clock is never used, so every backend (memdb included) agrees.

#[cfg(any(feature = "jiff", feature = "chrono"))]
use super::{Expr, IntoExpr};
use crate::engine::Statement;
use std::sync::atomic::{AtomicBool, Ordering};
use toasty_core::stmt;
use toasty_core::Value;

/// The marker `now()` stands for until the engine replaces it: a timestamp far outside
/// the range Toasty stores (before year 1000), which no user value can be.
pub(crate) const NOW_MARKER: i64 = i64::MIN;

/// Set once any `now()` was used: until then statements are not searched for it.
static USED: AtomicBool = AtomicBool::new(false);

/// The current time, evaluated once per statement by the engine. Use it wherever a
/// timestamp field's value goes:
///
#[cfg_attr(feature = "jiff", doc = "```")]
#[cfg_attr(not(feature = "jiff"), doc = "```ignore")]
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> toasty::Result<()> {
/// #[derive(Debug, toasty::Model)]
/// struct Post {
///     #[key]
///     #[auto]
///     id: u64,
///     #[default(toasty::now())]
///     created_at: jiff::Timestamp,
///     #[update(toasty::now())]
///     edited_at: jiff::Timestamp,
/// }
/// # let mut db = toasty::Db::builder().models(toasty::models!(Post)).connect("memory:").await?;
/// # db.push_schema().await?;
/// let mut post = Post::create().exec(&mut db).await?;
/// assert_eq!(post.created_at, post.edited_at); // one clock reading per statement
/// let old = Post::filter(Post::fields().created_at().le(toasty::now()))
///     .exec(&mut db)
///     .await?;
/// assert_eq!(old.len(), 1);
/// post.update().exec(&mut db).await?; // edited_at = now()
/// # Ok(())
/// # }
/// ```
pub fn now() -> Now {
    USED.store(true, Ordering::Relaxed);
    Now(())
}

/// The value of [`now()`]: converts into an expression of any timestamp type.
#[derive(Debug, Clone, Copy)]
pub struct Now(());

impl Now {
    /// The marker as an untyped value (for the untyped API).
    pub fn value(self) -> Value {
        Value::Timestamp(NOW_MARKER)
    }
}

#[cfg(any(feature = "jiff", feature = "chrono"))]
fn marker<T>() -> Expr<T> {
    Expr::from_untyped(stmt::Expr::Value(Value::Timestamp(NOW_MARKER)))
}

#[cfg(feature = "jiff")]
impl IntoExpr<jiff::Timestamp> for Now {
    fn into_expr(self) -> Expr<jiff::Timestamp> {
        marker()
    }
}

#[cfg(feature = "jiff")]
impl IntoExpr<Option<jiff::Timestamp>> for Now {
    fn into_expr(self) -> Expr<Option<jiff::Timestamp>> {
        marker()
    }
}

#[cfg(feature = "chrono")]
impl IntoExpr<chrono::DateTime<chrono::Utc>> for Now {
    fn into_expr(self) -> Expr<chrono::DateTime<chrono::Utc>> {
        marker()
    }
}

#[cfg(feature = "chrono")]
impl IntoExpr<Option<chrono::DateTime<chrono::Utc>>> for Now {
    fn into_expr(self) -> Expr<Option<chrono::DateTime<chrono::Utc>>> {
        marker()
    }
}

thread_local! {
    /// The value `now()` takes on this thread while frozen ([`freeze`]).
    static FROZEN: std::cell::Cell<Option<i64>> = const { std::cell::Cell::new(None) };
}

/// Makes `now()` in statements prepared on this thread take `micros` (since the epoch,
/// UTC) until the guard is dropped. See `crate::testing::freeze_now`.
pub(crate) fn freeze(micros: i64) -> FrozenNow {
    FrozenNow(FROZEN.with(|f| f.replace(Some(micros))))
}

/// The guard of `crate::testing::freeze_now`: dropping it restores the clock it
/// replaced (the real one, or an outer freeze).
#[derive(Debug)]
#[must_use = "the clock is frozen only while the guard lives"]
pub struct FrozenNow(Option<i64>);

impl Drop for FrozenNow {
    fn drop(&mut self) {
        let previous = self.0;
        FROZEN.with(|f| f.set(previous));
    }
}

/// The current time in microseconds since the epoch, UTC (or the frozen time).
fn clock() -> i64 {
    if let Some(frozen) = FROZEN.with(|f| f.get()) {
        return frozen;
    }
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}

/// Replaces every `now()` of `stmt` with one reading of the clock. Costs one atomic
/// load in programs that never call `now()`.
pub(crate) fn resolve(stmt: &mut Statement) {
    if !USED.load(Ordering::Relaxed) {
        return;
    }
    let mut at = None;
    let mut fix = |v: &mut Value| {
        if matches!(v, Value::Timestamp(NOW_MARKER)) {
            *v = Value::Timestamp(*at.get_or_insert_with(clock));
        }
    };
    match stmt {
        Statement::Query(q, _) => query(q, &mut fix),
        Statement::Insert(i) => {
            for v in i.rows.iter_mut().flatten().flatten() {
                fix(v);
            }
        }
        Statement::Create(tree) => {
            for n in &mut tree.rows {
                node(n, &mut fix);
            }
        }
        Statement::Update(u, changes) => {
            for (_, v) in &mut u.assignments {
                fix(v);
            }
            query(&mut u.selection, &mut fix);
            for change in changes {
                if let crate::engine::HasOneTo::Create(n) = &mut change.to {
                    node(n, &mut fix);
                }
            }
        }
        Statement::Delete(d) => query(&mut d.selection, &mut fix),
    }
}

/// [`resolve`] for an update's assignments and selection together (the typed update
/// keeps the assigned values for the local record).
pub(crate) fn resolve_update(assignments: &mut [(usize, Value)], selection: &mut stmt::Query) {
    if !USED.load(Ordering::Relaxed) {
        return;
    }
    let mut at = None;
    let mut fix = |v: &mut Value| {
        if matches!(v, Value::Timestamp(NOW_MARKER)) {
            *v = Value::Timestamp(*at.get_or_insert_with(clock));
        }
    };
    for (_, v) in assignments.iter_mut() {
        fix(v);
    }
    query(selection, &mut fix);
}

/// Fixes the values of a record being created and of the records created with it.
fn node(n: &mut crate::engine::CreateNode, fix: &mut impl FnMut(&mut Value)) {
    for v in n.values.iter_mut().flatten() {
        fix(v);
    }
    for (_, child) in &mut n.nested {
        node(child, fix);
    }
}

fn query(q: &mut stmt::Query, fix: &mut impl FnMut(&mut Value)) {
    if let Some(filter) = &mut q.filter {
        expr(filter, fix);
    }
}

/// Fixes every value of `e`, without recursion (it runs before the engine's depth
/// limit is checked).
fn expr(e: &mut stmt::Expr, fix: &mut impl FnMut(&mut Value)) {
    e.walk_mut(&mut |node| match node {
        stmt::Expr::Value(v) => fix(v),
        stmt::Expr::InList { list, .. } => list.iter_mut().for_each(&mut *fix),
        // The filters of sub-scopes are not walked: fixed here.
        stmt::Expr::Related { filter, .. } => expr(filter, &mut *fix),
        stmt::Expr::InSelect { select, .. } => expr(&mut select.filter, &mut *fix),
        _ => {}
    });
}

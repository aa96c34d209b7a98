//! Linking and unlinking existing records through a relation:
//! `user.todos().insert(&mut db, &todo)` and `user.todos().remove(&mut db, &todo)`.
//!
//! Both are one statement on the child model: `insert` sets the children's foreign key
//! to the parent's key (moving them from another parent if they had one); `remove`,
//! among the given records those that belong to this parent, deletes them when the
//! foreign key is required and sets it to NULL when it is optional.

use super::{Delete, Expr, Query, Update};
use crate::{Executor, Model, Result, Value};
use toasty_core::stmt;

/// Records that `.insert(..)` / `.remove(..)` of a relation take: `&todo`, `&[a, b]`,
/// `&vec`.
pub trait Linkable<M> {
    /// The primary keys of the records.
    fn keys(&self) -> Vec<Vec<Value>>;
}

impl<M: Model> Linkable<M> for &M {
    fn keys(&self) -> Vec<Vec<Value>> {
        vec![self.primary_key()]
    }
}

impl<M: Model> Linkable<M> for &[M] {
    fn keys(&self) -> Vec<Vec<Value>> {
        self.iter().map(Model::primary_key).collect()
    }
}

impl<M: Model, const N: usize> Linkable<M> for &[M; N] {
    fn keys(&self) -> Vec<Vec<Value>> {
        self.iter().map(Model::primary_key).collect()
    }
}

impl<M: Model> Linkable<M> for &Vec<M> {
    fn keys(&self) -> Vec<Vec<Value>> {
        self.iter().map(Model::primary_key).collect()
    }
}

/// The filter selecting the records with these primary keys.
fn keys_filter<M: Model>(keys: Vec<Vec<Value>>) -> Expr<bool> {
    Expr::from_untyped(keys_expr(M::PRIMARY_KEY, keys))
}

/// The filter selecting the records whose primary key (fields `primary_key`) is one of
/// `keys`.
fn keys_expr(primary_key: &[usize], keys: Vec<Vec<Value>>) -> stmt::Expr {
    let by_key = |key: Vec<Value>| {
        stmt::Expr::And(
            primary_key
                .iter()
                .zip(key)
                .map(|(&f, v)| stmt::Expr::eq(stmt::Expr::Field(f), stmt::Expr::Value(v)))
                .collect(),
        )
    };
    match primary_key {
        [field] => stmt::Expr::InList {
            expr: Box::new(stmt::Expr::Field(*field)),
            list: keys.into_iter().flatten().collect(),
        },
        _ => stmt::Expr::Or(keys.into_iter().map(by_key).collect()),
    }
}

/// The statement `.insert(..)` (`insert`) or `.remove(..)` of the relation `scope` runs
/// on the records with primary keys `keys`, for the untyped API: the same link
/// resolution and the same selection as the typed methods, as one update or delete
/// (`None` when there is nothing to do). Unlike the typed update it sets no
/// `#[update(..)]` fields, which untyped updates never do.
pub(crate) fn untyped_link(
    schema: &toasty_core::schema::Schema,
    scope: &super::scope::Scope,
    keys: Vec<Vec<Value>>,
    insert: bool,
) -> Result<Option<crate::UntypedStatement>> {
    let what = if insert { "insert" } else { "remove" };
    let link = super::scope::link_of(Some(scope), schema, what)?;
    if keys.is_empty() {
        return Ok(None);
    }
    let primary_key = schema.model(link.child)?.primary_key.clone();
    let mut selection = stmt::Query::all(link.child);
    let by_key = keys_expr(&primary_key, keys);
    let update = |selection: stmt::Query, assignments: Vec<(usize, Value)>| {
        crate::UntypedStatement::Update(stmt::Update {
            selection,
            assignments,
            arithmetic: Vec::new(),
            returning: false,
        })
    };
    if insert {
        selection.filter = Some(by_key);
        return Ok(Some(update(selection, link.assignments)));
    }
    selection.filter = Some(stmt::Expr::And(vec![scope.filter(schema)?, by_key]));
    Ok(Some(match link.unlink {
        None => crate::UntypedStatement::Delete(stmt::Delete { selection }),
        Some(nulls) => update(selection, nulls),
    }))
}

impl<M: Model> Query<M> {
    /// Links existing records to the record this relation query belongs to:
    /// `user.todos().insert(&mut db, &todo)` (or `&[a, b]`) sets their foreign key to
    /// `user`'s key, moving them from any other parent. One statement; records that no
    /// longer exist are skipped. Only on a `#[has_many]` / `#[has_one]` query
    /// (`InvalidStatement` elsewhere, and on a read-only `via` relation).
    pub async fn insert(&self, db: &mut dyn Executor, records: impl Linkable<M>) -> Result<()> {
        let link = super::scope::link_of(self.scope.as_ref(), db.schema(), "insert")?;
        let keys = records.keys();
        if keys.is_empty() {
            return Ok(());
        }
        let mut update = Update::<M>::from_query(Query::from_filter(keys_filter::<M>(keys)));
        for (field, value) in link.assignments {
            update.set(field, Expr::<()>::from_untyped(stmt::Expr::Value(value)));
        }
        update.exec(db).await.map(|_| ())
    }

    /// Unlinks records from the record this relation query belongs to:
    /// `user.todos().remove(&mut db, &todo)`. Of the given records, those related to it
    /// are deleted when the foreign key is required (with what deleting them cascades
    /// to), or get a NULL foreign key when it is optional; others are left alone. One
    /// statement.
    pub async fn remove(&self, db: &mut dyn Executor, records: impl Linkable<M>) -> Result<()> {
        let link = super::scope::link_of(self.scope.as_ref(), db.schema(), "remove")?;
        let keys = records.keys();
        if keys.is_empty() {
            return Ok(());
        }
        let selection = Query::scoped_like(self).filter(keys_filter::<M>(keys));
        match link.unlink {
            None => Delete::from_query(selection).exec(db).await.map(|_| ()),
            Some(nulls) => {
                let mut update = Update::<M>::from_query(selection);
                for (field, value) in nulls {
                    update.set(field, Expr::<()>::from_untyped(stmt::Expr::Value(value)));
                }
                update.exec(db).await.map(|_| ())
            }
        }
    }

    /// A query with the same relation scope and nothing else.
    fn scoped_like(other: &Query<M>) -> Query<M> {
        let mut q = Query::all();
        q.scope = other.scope.clone();
        q
    }
}

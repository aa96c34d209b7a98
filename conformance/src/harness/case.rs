//! One harness case: a schema and a sequence of operations, as plain serializable data.
//!
//! Cases are independent of any backend. Values of `#[auto]` keys differ between
//! backends (sequences, random UUIDs), so operations refer to them symbolically with
//! [`Lit::Auto`] (the n-th record created in that model) and outcomes report them the
//! same way.
//!
//! Models may be related ([`RelSpec`]): a `#[belongs_to]` names foreign-key fields of
//! its model that refer to the whole key of its target, and a `#[has_many]` /
//! `#[has_one]` of the target pairs with it. A foreign key that refers to an `#[auto]`
//! key is written [`Lit::AutoOf`] (the n-th record created in the parent model) and
//! reported the same way.
//!
//! Transactions are flat in the operation list: [`Op::Begin`] .. [`Op::Commit`] /
//! [`Op::Rollback`], with [`Op::Savepoint`] .. [`Op::ReleaseSavepoint`] /
//! [`Op::RollbackToSavepoint`] nested inside. A control operation that does not fit the
//! open transactions (which shrinking can produce) is skipped on every backend alike;
//! transactions still open at the end are dropped (which rolls them back).

use serde::{Deserialize, Serialize};
use toasty_core::stmt::{BinaryOp, Direction, PatternOp};
use toasty_core::Type;

/// A whole case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Case {
    /// The models (1 to 4).
    pub models: Vec<ModelSpec>,
    /// The operations, run in order.
    pub ops: Vec<Op>,
}

/// How a model's primary key is formed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeySpec {
    /// Field 0 is an `#[auto]` integer key.
    AutoInt,
    /// Field 0 is an `#[auto]` UUID key.
    AutoUuid,
    /// Field 0 is a key the operations provide.
    Single,
    /// Fields 0 and 1 form a composite key.
    Composite,
}

/// One field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSpec {
    /// The type.
    #[serde(with = "type_serde")]
    pub ty: Type,
    /// `Option<T>`.
    pub nullable: bool,
    /// `#[column(type = varchar(N))]` on a string field: at most `N` characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_len: Option<u32>,
}

/// One secondary index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexSpec {
    /// Field positions.
    pub fields: Vec<usize>,
    /// `#[unique]`.
    pub unique: bool,
}

/// One model. Fields are named `f0`, `f1`, ...; relations `r0`, `r1`, ...; the model
/// `M<i>` (table `m<i>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelSpec {
    /// The fields; the key fields come first.
    pub fields: Vec<FieldSpec>,
    /// The key.
    pub key: KeySpec,
    /// Secondary indexes.
    pub indices: Vec<IndexSpec>,
    /// Relation fields, in declaration order (a relation is addressed by its position).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub relations: Vec<RelSpec>,
}

/// One relation field of a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RelSpec {
    /// Its kind and target.
    pub kind: RelKind,
    /// Loaded with every query and create that returns the model.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub eager: bool,
}

/// The kind of a relation field and what it refers to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RelKind {
    /// `#[belongs_to(key = [f..], references = <target's key>)]`: `key[i]` refers to the
    /// i-th key field of `target`. Optional exactly when a key field is nullable.
    BelongsTo {
        /// Foreign-key fields of this model, in the order of the target's key fields.
        key: Vec<usize>,
        /// The parent model.
        target: usize,
    },
    /// `#[has_many]`: the records of `target` whose `#[belongs_to]` points back.
    HasMany {
        /// The child model.
        target: usize,
        /// `pair = r<i>`: the position of that `#[belongs_to]` among the target's
        /// relations (`None`: the only one pointing at this model).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pair: Option<usize>,
    },
    /// `#[has_one]`: like `HasMany`, for a unique foreign key.
    HasOne {
        /// The child model.
        target: usize,
        /// As for `HasMany`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pair: Option<usize>,
        /// `HasOne<Option<T>>`: a record may have none (a required one must be created
        /// with its parent).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        optional: bool,
    },
    /// `#[has_many(via = r<a>.r<b>)]`: the distinct records of `target` reached through
    /// relation `path[0]` of this model, then relation `path[1]` of that relation's
    /// target (direct relations of any kind). Read-only: it owns no foreign key, is never
    /// created through, and deleting cascades through the direct relations only.
    Via {
        /// Relation positions: the first in this model, the second in its target.
        path: Vec<usize>,
        /// The model at the end of the path.
        target: usize,
    },
}

impl RelKind {
    /// The model the relation holds records of.
    pub fn target(&self) -> usize {
        match self {
            RelKind::BelongsTo { target, .. }
            | RelKind::HasMany { target, .. }
            | RelKind::HasOne { target, .. }
            | RelKind::Via { target, .. } => *target,
        }
    }

    /// `true` for `#[belongs_to]`.
    pub fn is_belongs_to(&self) -> bool {
        matches!(self, RelKind::BelongsTo { .. })
    }

    /// `true` for a `#[has_many(via = ..)]` relation.
    pub fn is_via(&self) -> bool {
        matches!(self, RelKind::Via { .. })
    }

    /// `true` for `#[has_many]` / `#[has_one]`: the relation's records are the target's
    /// records whose foreign key points back (deleting cascades to them).
    pub fn is_has(&self) -> bool {
        matches!(self, RelKind::HasMany { .. } | RelKind::HasOne { .. })
    }
}

impl ModelSpec {
    /// Field positions of the primary key.
    pub fn key_fields(&self) -> Vec<usize> {
        match self.key {
            KeySpec::Composite => vec![0, 1],
            _ => vec![0],
        }
    }

    /// `true` if field `f` is generated (`#[auto]`).
    pub fn is_auto(&self, f: usize) -> bool {
        f == 0 && matches!(self.key, KeySpec::AutoInt | KeySpec::AutoUuid)
    }

    /// `true` if some `#[has_many]` / `#[has_one]` has children in another model (or
    /// this one): deleting its records cascades.
    pub fn has_children(&self) -> bool {
        self.relations.iter().any(|r| r.kind.is_has())
    }
}

impl Case {
    /// `true` if some model declares a relation.
    pub fn has_relations(&self) -> bool {
        self.models.iter().any(|m| !m.relations.is_empty())
    }

    /// See [`belongs_to_of`].
    pub fn belongs_to_of(&self, model: usize, rel: usize) -> Option<(usize, usize)> {
        belongs_to_of(&self.models, model, rel)
    }

    /// See [`foreign_key`].
    pub fn foreign_key(&self, model: usize, rel: usize) -> Option<ForeignKey> {
        foreign_key(&self.models, model, rel)
    }
}

/// Per model and field: the model whose `#[auto]` key the field holds as a foreign key,
/// directly or through a parent key field that is itself such a foreign key. Values a
/// database generates differ between backends, so such fields only get symbolic values
/// ([`Lit::AutoOf`]) and are reported the same way.
pub fn auto_refs(models: &[ModelSpec]) -> Vec<Vec<Option<usize>>> {
    let mut out: Vec<Vec<Option<usize>>> =
        models.iter().map(|m| vec![None; m.fields.len()]).collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (mi, m) in models.iter().enumerate() {
            for rel in &m.relations {
                let RelKind::BelongsTo { key, target } = &rel.kind else {
                    continue;
                };
                let Some(parent) = models.get(*target) else {
                    continue;
                };
                for (&f, p) in key.iter().zip(parent.key_fields()) {
                    let via = if parent.is_auto(p) {
                        Some(*target)
                    } else {
                        out.get(*target).and_then(|r| r.get(p)).copied().flatten()
                    };
                    if let (Some(x), Some(None)) = (via, out[mi].get(f).copied()) {
                        out[mi][f] = Some(x);
                        changed = true;
                    }
                }
            }
        }
    }
    out
}

/// The `#[belongs_to]` that relation `rel` of model `model` stands for: the relation
/// itself, or for a `#[has_many]` / `#[has_one]` its pair, as `(child model, relation
/// position in the child)`. `None` if it does not resolve (the schema is then
/// refused).
pub fn belongs_to_of(models: &[ModelSpec], model: usize, rel: usize) -> Option<(usize, usize)> {
    let r = models.get(model)?.relations.get(rel)?;
    match &r.kind {
        RelKind::BelongsTo { .. } => Some((model, rel)),
        RelKind::HasMany { target, pair } | RelKind::HasOne { target, pair, .. } => {
            let child = models.get(*target)?;
            let candidates: Vec<usize> = child
                .relations
                .iter()
                .enumerate()
                .filter(
                    |(_, b)| matches!(b.kind, RelKind::BelongsTo { target, .. } if target == model),
                )
                .map(|(j, _)| j)
                .collect();
            let j = match pair {
                Some(p) => candidates.contains(p).then_some(*p)?,
                None if candidates.len() == 1 => candidates[0],
                None => return None,
            };
            Some((*target, j))
        }
        RelKind::Via { .. } => None,
    }
}

/// A foreign key: `(child model, parent model, (child field, parent field) pairs)`.
pub type ForeignKey = (usize, usize, Vec<(usize, usize)>);

/// The foreign key of relation `rel` of `model`.
pub fn foreign_key(models: &[ModelSpec], model: usize, rel: usize) -> Option<ForeignKey> {
    let (child, b) = belongs_to_of(models, model, rel)?;
    let RelKind::BelongsTo { key, target } = &models.get(child)?.relations.get(b)?.kind else {
        return None;
    };
    let parent_key = models.get(*target)?.key_fields();
    if parent_key.len() != key.len() {
        return None;
    }
    Some((
        child,
        *target,
        key.iter().copied().zip(parent_key).collect(),
    ))
}

/// A literal value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Lit {
    /// NULL / None.
    Null,
    /// A bool.
    Bool(bool),
    /// An integer (any integer type; out-of-range values test range errors).
    Int(i64),
    /// A `u64` above `i64::MAX`.
    BigUint(u64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
    /// Bytes.
    Bytes(Vec<u8>),
    /// A UUID.
    Uuid(u128),
    /// A timestamp in microseconds.
    Timestamp(i64),
    /// `toasty::now()`. The harness freezes it per operation ([`now_at`]), so every
    /// backend binds the same instant and results compare exactly.
    Now,
    /// The auto key of the n-th record created in the model (per backend).
    Auto(usize),
    /// The auto key of the n-th record created in another model (a foreign key that
    /// refers to it).
    AutoOf {
        /// The model whose record it is.
        model: usize,
        /// Its creation index.
        n: usize,
    },
}

/// The instant `now()` takes during operation `op` (its position in [`Case::ops`]):
/// `op` seconds (and `op` µs) after the epoch, so it meets the generator's small
/// timestamps (multiples of 1,000,001 µs) and grows from one operation to the next.
pub fn now_at(op: usize) -> i64 {
    i64::try_from(op).unwrap_or(i64::MAX / 2_000_000) * 1_000_001
}

/// A filter over one model's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Filter {
    /// Every record.
    True,
    /// `field op literal`.
    Cmp(usize, #[serde(with = "op_serde")] BinaryOp, Lit),
    /// `field IN (list)`.
    InList(usize, Vec<Lit>),
    /// `field IS NULL`.
    IsNull(usize),
    /// A literal string test.
    Pattern(usize, #[serde(with = "pattern_serde")] PatternOp, String),
    /// All hold.
    And(Vec<Filter>),
    /// One holds.
    Or(Vec<Filter>),
    /// Negation.
    Not(Box<Filter>),
    /// A filter through relation `r` of the filtered model (`.any(..)`): at least one
    /// record related through it matches the inner filter, a filter over the relation's
    /// target. On a `#[belongs_to]` or `#[has_one]` this is a comparison through the path
    /// (`Todo::fields().user().name().eq(..)`). Never NULL.
    Any(usize, Box<Filter>),
    /// `.all(..)` on relation `r`: every related record matches the inner filter (one for
    /// which it is unknown does not), vacuously when there is none. Never NULL.
    All(usize, Box<Filter>),
}

impl Filter {
    /// `true` if the filter goes through a relation ([`Filter::Any`], [`Filter::All`]):
    /// it needs a sub-select, which key-value stores refuse with `Unsupported`.
    pub fn has_relation_filter(&self) -> bool {
        let mut stack = vec![self];
        while let Some(f) = stack.pop() {
            match f {
                Filter::Any(..) | Filter::All(..) => return true,
                Filter::And(items) | Filter::Or(items) => stack.extend(items),
                Filter::Not(inner) => stack.push(inner),
                _ => {}
            }
        }
        false
    }
}

/// A sort key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// Field position.
    pub field: usize,
    /// `true` for descending.
    pub desc: bool,
}

impl Order {
    /// The direction.
    pub fn direction(&self) -> Direction {
        if self.desc {
            Direction::Desc
        } else {
            Direction::Asc
        }
    }
}

/// One operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// Create records (one statement); each row has one literal per field (`None`: not
    /// given, for auto and nullable fields).
    Create {
        /// Model position.
        model: usize,
        /// Rows.
        rows: Vec<Vec<Option<Lit>>>,
    },
    /// Fetch by full primary key.
    Get {
        /// Model position.
        model: usize,
        /// Key values.
        key: Vec<Lit>,
        /// The limit the query carries: `Some(2)` is what `.get()` sends, `Some(1)` what
        /// `.first()` sends (the engine drops a limit on a pinned key; this checks that
        /// it changes nothing).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<u64>,
    },
    /// A query.
    Query {
        /// Model position.
        model: usize,
        /// Filter.
        filter: Filter,
        /// Sort keys.
        order: Vec<Order>,
        /// Limit.
        limit: Option<u64>,
        /// Offset.
        offset: Option<u64>,
        /// `.select(..)`: the field positions each record is projected to (a position
        /// may repeat); `None` returns whole records.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        select: Option<Vec<usize>>,
    },
    /// A count.
    Count {
        /// Model position.
        model: usize,
        /// Filter.
        filter: Filter,
    },
    /// Keyset pagination: the first page, then each move (`true`: next, `false`: prev).
    Paginate {
        /// Model position.
        model: usize,
        /// Filter.
        filter: Filter,
        /// Sort keys (the key is appended as a tie-breaker).
        order: Vec<Order>,
        /// Page size.
        per_page: usize,
        /// Moves after the first page.
        moves: Vec<bool>,
    },
    /// Update by filter.
    Update {
        /// Model position.
        model: usize,
        /// Filter.
        filter: Filter,
        /// `(field, value)` assignments.
        set: Vec<(usize, Lit)>,
        /// `(field, change)`: relative numeric updates (`field.add(v)`,
        /// `field.subtract(v)`, `increment()`, `decrement()`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        arith: Vec<(usize, ArithLit)>,
        /// Returns the updated records (what `instance.update()` sends) instead of the
        /// count. Ignored inside a batch.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        returning: bool,
    },
    /// Delete by filter.
    Delete {
        /// Model position.
        model: usize,
        /// Filter.
        filter: Filter,
    },
    /// Begins a top-level transaction (`db.transaction()`). Only valid outside a
    /// transaction; the operations up to the matching [`Op::Commit`] or [`Op::Rollback`]
    /// run in it (if it could not begin, they run outside, as a caller would go on).
    Begin,
    /// Begins a nested transaction (`tx.transaction()`, a savepoint) in the innermost
    /// open one. Only valid inside a transaction.
    Savepoint,
    /// Commits the innermost nested transaction (releases its savepoint). Only valid
    /// inside a nested transaction.
    ReleaseSavepoint,
    /// Rolls the innermost nested transaction back (to its savepoint). Only valid inside
    /// a nested transaction.
    RollbackToSavepoint,
    /// Commits the top-level transaction. Only valid when no nested one is open.
    Commit,
    /// Rolls the top-level transaction back. Only valid when no nested one is open.
    Rollback,
    /// Runs its operations as one atomic batch (`exec_untyped_batch`): creates,
    /// updates, deletes, queries, counts and gets, of any models.
    Batch(Vec<Op>),
    /// Creates records with records nested in them through relations (`exec_create`),
    /// as one statement.
    CreateNested {
        /// Model position.
        model: usize,
        /// The records.
        rows: Vec<NestedRow>,
    },
    /// A query that loads relation paths with the records (`exec_query_including`).
    QueryIncluding {
        /// Model position.
        model: usize,
        /// Filter.
        filter: Filter,
        /// Sort keys.
        order: Vec<Order>,
        /// Limit.
        limit: Option<u64>,
        /// Relation paths (relation positions from the queried model on).
        include: Vec<Vec<usize>>,
    },
    /// Links existing records to a parent through its `#[has_many]` / `#[has_one]`
    /// relation (`parent.children().insert(..)`, `exec_link`), or unlinks them
    /// (`.remove(..)`: deleted with a required foreign key, set to NULL with an optional
    /// one). One statement.
    Link {
        /// The parent's model position.
        model: usize,
        /// The relation's position in that model.
        rel: usize,
        /// The parent's primary key (it may name no record).
        parent: Vec<Lit>,
        /// Primary keys of records of the relation's target (some may name none).
        children: Vec<Vec<Lit>>,
        /// `true`: `.insert(..)`; `false`: `.remove(..)`.
        insert: bool,
    },
    /// Updates the record with `key` (`set`, possibly nothing) and points its
    /// `#[has_one]` `relation` at another record (`exec_update_has_one`).
    UpdateHasOne {
        /// Model position.
        model: usize,
        /// Key values of the record to update.
        key: Vec<Lit>,
        /// `(field, value)` assignments.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        set: Vec<(usize, Lit)>,
        /// The relation's position among the model's relations.
        relation: usize,
        /// What it gets.
        to: HasOneTo,
    },
}

/// What [`Op::UpdateHasOne`] gives the relation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum HasOneTo {
    /// A new record (its foreign key left out: the update fills it).
    Create(NestedRow),
    /// The existing record with this key (it may not exist).
    Link(Vec<Lit>),
    /// None (an optional `#[has_one]`).
    Unset,
}

/// A relative numeric change: `stored + amount`, or `stored - amount` when `sub`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArithLit {
    /// Subtract instead of add.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sub: bool,
    /// The amount (an integer for integer fields, a float for float fields; out of the
    /// field's range now and then, to compare the errors).
    pub amount: Lit,
}

/// One record of a nested create: a literal per field (`None`: not given; a foreign key
/// the relation fills must be left out) and the records created with it, by relation
/// position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NestedRow {
    /// One literal per field.
    pub values: Vec<Option<Lit>>,
    /// `(relation position, record)`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nested: Vec<(usize, NestedRow)>,
}

impl Op {
    /// The model the operation works on (`None` for transaction control and batches).
    pub fn model(&self) -> Option<usize> {
        match self {
            Op::Create { model, .. }
            | Op::Get { model, .. }
            | Op::Query { model, .. }
            | Op::Count { model, .. }
            | Op::Paginate { model, .. }
            | Op::Update { model, .. }
            | Op::Delete { model, .. }
            | Op::CreateNested { model, .. }
            | Op::QueryIncluding { model, .. }
            | Op::UpdateHasOne { model, .. }
            | Op::Link { model, .. } => Some(*model),
            Op::Begin
            | Op::Savepoint
            | Op::ReleaseSavepoint
            | Op::RollbackToSavepoint
            | Op::Commit
            | Op::Rollback
            | Op::Batch(_) => None,
        }
    }

    /// `true` for an operation that may change stored records (a write, a batch holding
    /// one, or transaction control).
    pub fn may_write(&self) -> bool {
        match self {
            Op::Create { .. }
            | Op::Update { .. }
            | Op::Delete { .. }
            | Op::CreateNested { .. }
            | Op::UpdateHasOne { .. }
            | Op::Link { .. } => true,
            Op::Get { .. }
            | Op::Query { .. }
            | Op::Count { .. }
            | Op::Paginate { .. }
            | Op::QueryIncluding { .. } => false,
            Op::Batch(ops) => ops.iter().any(Op::may_write),
            Op::Begin
            | Op::Savepoint
            | Op::ReleaseSavepoint
            | Op::RollbackToSavepoint
            | Op::Commit
            | Op::Rollback => true,
        }
    }

    /// `true` if the operation (or a statement of the batch) filters through a relation
    /// (see [`Filter::has_relation_filter`]).
    pub fn has_relation_filter(&self) -> bool {
        match self {
            Op::Query { filter, .. }
            | Op::Count { filter, .. }
            | Op::Paginate { filter, .. }
            | Op::Update { filter, .. }
            | Op::Delete { filter, .. }
            | Op::QueryIncluding { filter, .. } => filter.has_relation_filter(),
            Op::Batch(ops) => ops.iter().any(Op::has_relation_filter),
            _ => false,
        }
    }

    /// `true` for transaction control.
    pub fn is_control(&self) -> bool {
        matches!(
            self,
            Op::Begin
                | Op::Savepoint
                | Op::ReleaseSavepoint
                | Op::RollbackToSavepoint
                | Op::Commit
                | Op::Rollback
        )
    }
}

mod type_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use toasty_core::Type;

    pub(super) fn serialize<S: Serializer>(ty: &Type, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(ty.rust_name())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Type, D::Error> {
        let name = String::deserialize(d)?;
        Type::ALL
            .into_iter()
            .find(|t| t.rust_name() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown type `{name}`")))
    }
}

mod op_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use toasty_core::stmt::BinaryOp;

    pub(super) fn serialize<S: Serializer>(op: &BinaryOp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(op.as_sql())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<BinaryOp, D::Error> {
        let name = String::deserialize(d)?;
        BinaryOp::ALL
            .into_iter()
            .find(|o| o.as_sql() == name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown operator `{name}`")))
    }
}

mod pattern_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use toasty_core::stmt::PatternOp;

    pub(super) fn serialize<S: Serializer>(op: &PatternOp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(op.name())
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PatternOp, D::Error> {
        match String::deserialize(d)?.as_str() {
            "starts_with" => Ok(PatternOp::StartsWith),
            "ends_with" => Ok(PatternOp::EndsWith),
            "contains" => Ok(PatternOp::Contains),
            "like" => Ok(PatternOp::Like),
            "ilike" => Ok(PatternOp::ILike),
            other => Err(serde::de::Error::custom(format!(
                "unknown pattern `{other}`"
            ))),
        }
    }
}

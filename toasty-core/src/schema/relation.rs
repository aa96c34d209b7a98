//! Resolved relations: which model holds the foreign key, which fields it spans, and
//! which `#[belongs_to]` a `#[has_many]` / `#[has_one]` pairs with.
//!
//! [`super::Schema::build_with_relations`] resolves the declared [`app::Relation`]s of
//! every model; the checks (and their messages, which name the fix) are in
//! [`resolve`]. A relation is addressed by its model and its position among that
//! model's relation fields, in declaration order ([`RelationId`]).

use super::app::{self, ModelId, RelationKind};
use crate::{Error, Result};

/// A relation: the model that declares it and its position among that model's relation
/// fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelationId {
    /// The model that declares the relation field.
    pub model: ModelId,
    /// The position among its relation fields, in declaration order.
    pub index: usize,
}

/// One resolved relation field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The Rust field name.
    pub name: String,
    /// The attribute.
    pub kind: RelationKind,
    /// The model that declares the field.
    pub source: ModelId,
    /// The model the field holds records of.
    pub target: ModelId,
    /// The foreign key: `(child field, parent field)` pairs, where the child is the model
    /// holding the foreign key (`source` for `#[belongs_to]`, `target` otherwise) and the
    /// parent field is part of the parent's primary key.
    pub fk: Vec<(usize, usize)>,
    /// `#[has_many]` / `#[has_one]`: the position of the paired `#[belongs_to]` among the
    /// target's relations. `#[belongs_to]`: the position of a `#[has_many]`/`#[has_one]`
    /// of the target that pairs with it, if one does.
    pub pair: Option<usize>,
    /// The field type is an `Option`.
    pub optional: bool,
    /// Loaded with every query that returns the source model.
    pub eager: bool,
    /// At least one foreign-key field is an `Option`: deleting the parent sets the
    /// nullable foreign-key fields of its children to NULL instead of deleting them.
    pub fk_nullable: bool,
    /// `#[has_many(via = ..)]`: the direct relations the path follows, from the source
    /// model to the target (empty for a direct relation). Such a relation has no foreign
    /// key of its own (`fk` is empty), no pair, and is read-only.
    pub via: Vec<RelationId>,
}

impl Relation {
    /// The model holding the foreign key.
    pub fn child(&self) -> ModelId {
        match self.kind {
            RelationKind::BelongsTo => self.source,
            RelationKind::HasMany | RelationKind::HasOne => self.target,
        }
    }

    /// The model the foreign key refers to.
    pub fn parent(&self) -> ModelId {
        match self.kind {
            RelationKind::BelongsTo => self.target,
            RelationKind::HasMany | RelationKind::HasOne => self.source,
        }
    }

    /// The foreign-key fields of the child, in order.
    pub fn child_fields(&self) -> Vec<usize> {
        self.fk.iter().map(|&(c, _)| c).collect()
    }

    /// The parent fields the foreign key refers to, in the same order.
    pub fn parent_fields(&self) -> Vec<usize> {
        self.fk.iter().map(|&(_, p)| p).collect()
    }

    /// The fields of a source record whose values select the related records.
    pub fn source_fields(&self) -> Vec<usize> {
        match self.kind {
            RelationKind::BelongsTo => self.child_fields(),
            RelationKind::HasMany | RelationKind::HasOne => self.parent_fields(),
        }
    }

    /// The fields of a target record matched against [`Relation::source_fields`].
    pub fn target_fields(&self) -> Vec<usize> {
        match self.kind {
            RelationKind::BelongsTo => self.parent_fields(),
            RelationKind::HasMany | RelationKind::HasOne => self.child_fields(),
        }
    }

    /// `true` for `#[has_many]` (the field holds a list).
    pub fn is_many(&self) -> bool {
        self.kind == RelationKind::HasMany
    }

    /// `true` for a `#[has_many(via = ..)]` relation (derived from others, read-only).
    pub fn is_via(&self) -> bool {
        !self.via.is_empty()
    }
}

/// Resolves the declared relations of every model (`declared[i]` belongs to
/// `models[i]`).
pub(super) fn resolve(
    models: &[app::Model],
    declared: &[Vec<app::Relation>],
) -> Result<Vec<Vec<Relation>>> {
    let find = |name: &str| models.iter().position(|m| m.name == name).map(ModelId);
    // 1. Targets and the foreign keys of `#[belongs_to]`.
    let mut out: Vec<Vec<Relation>> = Vec::with_capacity(models.len());
    for (i, model) in models.iter().enumerate() {
        let rels = declared.get(i).map(Vec::as_slice).unwrap_or_default();
        let mut resolved = Vec::with_capacity(rels.len());
        for (r, rel) in rels.iter().enumerate() {
            if rels[..r].iter().any(|o| o.name == rel.name)
                || model.fields.iter().any(|f| f.name == rel.name)
            {
                return Err(Error::invalid_schema(format!(
                    "`{}.{}` is declared twice",
                    model.name, rel.name
                )));
            }
            let target = find(&rel.target).ok_or_else(|| {
                Error::invalid_schema(format!(
                    "`{}.{}` refers to the model `{}`, which is not registered; add it to \
                     toasty::models!(..)",
                    model.name, rel.name, rel.target
                ))
            })?;
            let mut relation = Relation {
                name: rel.name.clone(),
                kind: rel.kind,
                source: ModelId(i),
                target,
                fk: Vec::new(),
                pair: None,
                optional: rel.optional,
                eager: rel.eager,
                fk_nullable: false,
                via: Vec::new(),
            };
            if !rel.via.is_empty() {
                if rel.kind != RelationKind::HasMany {
                    return Err(Error::invalid_schema(format!(
                        "`{}.{}`: `via = ..` is only for #[has_many]",
                        model.name, rel.name
                    )));
                }
                if rel.eager {
                    return Err(Error::invalid_schema(format!(
                        "`{}.{}` is a #[has_many(via = ..)] relation, which is loaded only \
                         through .include(..); declare it as toasty::Deferred<Vec<{}>>",
                        model.name, rel.name, rel.target
                    )));
                }
                if rel.optional || rel.pair.is_some() {
                    return Err(Error::invalid_schema(format!(
                        "`{}.{}`: a #[has_many(via = ..)] relation takes no `pair` and holds a \
                         list",
                        model.name, rel.name
                    )));
                }
            }
            if rel.kind == RelationKind::BelongsTo {
                relation.fk = belongs_to_fk(models, model, rel, target)?;
                relation.fk_nullable = relation
                    .fk
                    .iter()
                    .any(|&(c, _)| model.fields.get(c).is_some_and(|f| f.nullable));
                if relation.fk_nullable != rel.optional {
                    return Err(optional_mismatch(model, rel, relation.fk_nullable));
                }
            }
            resolved.push(relation);
        }
        out.push(resolved);
    }

    // 2. Pair every `#[has_many]` / `#[has_one]` with the `#[belongs_to]` pointing back.
    for i in 0..out.len() {
        for r in 0..out[i].len() {
            let rel = &out[i][r];
            if rel.kind == RelationKind::BelongsTo || !declared[i][r].via.is_empty() {
                continue;
            }
            let model = &models[i];
            let target = rel.target;
            let target_model = &models[target.0];
            let decl = &declared[i][r];
            let candidates: Vec<usize> = out[target.0]
                .iter()
                .enumerate()
                .filter(|(_, b)| b.kind == RelationKind::BelongsTo && b.target == ModelId(i))
                .map(|(j, _)| j)
                .collect();
            let chosen = match &decl.pair {
                Some(pair) => {
                    let found = out[target.0].iter().position(|b| &b.name == pair);
                    match found {
                        Some(j) if candidates.contains(&j) => j,
                        _ => {
                            return Err(Error::invalid_schema(format!(
                                "`{}.{}` names `pair = {pair}`, but `{}` has no #[belongs_to] \
                                 field `{pair}` pointing at `{}`",
                                model.name, rel.name, target_model.name, model.name
                            )))
                        }
                    }
                }
                None => match candidates.as_slice() {
                    [one] => *one,
                    [] => {
                        return Err(Error::invalid_schema(format!(
                            "`{m}.{r}` is {attr} but `{t}` has no #[belongs_to] field pointing \
                             at `{m}`; add one to `{t}`, for example `#[belongs_to(key = {fk}, \
                             references = id)] {field}: toasty::BelongsTo<{m}>` with an indexed \
                             `{fk}` field",
                            m = model.name,
                            r = rel.name,
                            attr = rel.kind.attribute(),
                            t = target_model.name,
                            fk = format!("{}_id", snake(&model.name)),
                            field = snake(&model.name),
                        )))
                    }
                    several => {
                        let names: Vec<String> = several
                            .iter()
                            .map(|&j| format!("`{}`", out[target.0][j].name))
                            .collect();
                        return Err(Error::invalid_schema(format!(
                            "`{}.{}` could pair with any of the #[belongs_to] fields {} of `{}`; \
                             choose one with #[{}(pair = {})]",
                            model.name,
                            rel.name,
                            names.join(", "),
                            target_model.name,
                            rel.kind.name(),
                            out[target.0][several[0]].name
                        )));
                    }
                },
            };
            let belongs = &out[target.0][chosen];
            let fk = belongs.fk.clone();
            let fk_nullable = belongs.fk_nullable;
            check_indexed(model, &out[i][r], target_model, &fk)?;
            if rel.kind == RelationKind::HasOne {
                check_unique(model, &out[i][r], target_model, &fk)?;
            }
            let rel = &mut out[i][r];
            rel.fk = fk;
            rel.fk_nullable = fk_nullable;
            rel.pair = Some(chosen);
        }
    }
    // The `#[belongs_to]` side learns its pair, when it has one.
    for i in 0..out.len() {
        for r in 0..out[i].len() {
            let (kind, target, pair) = (out[i][r].kind, out[i][r].target, out[i][r].pair);
            if kind != RelationKind::BelongsTo {
                if let Some(p) = pair {
                    if let Some(b) = out[target.0].get_mut(p) {
                        if b.pair.is_some() && b.pair != Some(r) {
                            return Err(Error::invalid_schema(format!(
                                "`{}.{}` is the pair of two relations of `{}`; give each \
                                 #[has_many]/#[has_one] its own #[belongs_to] with `pair = ..`",
                                models[target.0].name, b.name, models[i].name
                            )));
                        }
                        b.pair = Some(r);
                    }
                }
            }
        }
    }
    // 3. The paths of `#[has_many(via = ..)]` relations.
    for i in 0..out.len() {
        for r in 0..out[i].len() {
            let names = &declared[i][r].via;
            if names.is_empty() {
                continue;
            }
            let mut at = ModelId(i);
            let mut steps = Vec::with_capacity(names.len());
            for name in names {
                let found = out[at.0].iter().position(|x| &x.name == name);
                let Some(index) = found else {
                    return Err(Error::invalid_schema(format!(
                        "`{}.{}`: `via = {}` names `{name}`, which is not a relation of `{}`",
                        models[i].name,
                        out[i][r].name,
                        names.join("."),
                        models[at.0].name
                    )));
                };
                if !declared[at.0][index].via.is_empty() {
                    return Err(Error::invalid_schema(format!(
                        "`{}.{}`: `via = {}` goes through `{}.{name}`, itself a `via` \
                         relation; name the direct relations of the path",
                        models[i].name,
                        out[i][r].name,
                        names.join("."),
                        models[at.0].name
                    )));
                }
                steps.push(RelationId { model: at, index });
                at = out[at.0][index].target;
            }
            if at != out[i][r].target {
                return Err(Error::invalid_schema(format!(
                    "`{}.{}`: `via = {}` ends at `{}`, but the field holds `{}`",
                    models[i].name,
                    out[i][r].name,
                    names.join("."),
                    models[at.0].name,
                    models[out[i][r].target.0].name
                )));
            }
            out[i][r].via = steps;
        }
    }
    check_eager_cycles(models, &out)?;
    Ok(out)
}

fn belongs_to_fk(
    models: &[app::Model],
    model: &app::Model,
    rel: &app::Relation,
    target: ModelId,
) -> Result<Vec<(usize, usize)>> {
    let target_model = &models[target.0];
    if rel.key.is_empty() || rel.key.len() != rel.references.len() {
        return Err(Error::invalid_schema(format!(
            "`{}.{}`: #[belongs_to] lists {} key field(s) and {} referenced field(s); list \
             one referenced field per key field",
            model.name,
            rel.name,
            rel.key.len(),
            rel.references.len()
        )));
    }
    let mut fk = Vec::with_capacity(rel.key.len());
    for (key, reference) in rel.key.iter().zip(&rel.references) {
        let c = model.field_index(key).ok_or_else(|| {
            Error::invalid_schema(format!(
                "`{}.{}`: the key field `{key}` does not exist on `{}`",
                model.name, rel.name, model.name
            ))
        })?;
        let p = target_model.field_index(reference).ok_or_else(|| {
            Error::invalid_schema(format!(
                "`{}.{}`: `{}` has no field `{reference}` to reference",
                model.name, rel.name, target_model.name
            ))
        })?;
        fk.push((c, p));
    }
    let mut referenced: Vec<usize> = fk.iter().map(|&(_, p)| p).collect();
    referenced.sort_unstable();
    let mut pk = target_model.primary_key.clone();
    pk.sort_unstable();
    if referenced != pk {
        let key: Vec<&str> = target_model
            .primary_key
            .iter()
            .filter_map(|&f| target_model.fields.get(f).map(|f| f.name.as_str()))
            .collect();
        return Err(Error::invalid_schema(format!(
            "`{}.{}` references {} of `{}`, but a #[belongs_to] must reference the whole \
             primary key of its target: `references = [{}]`",
            model.name,
            rel.name,
            rel.references
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", "),
            target_model.name,
            key.join(", ")
        )));
    }
    for &(c, p) in &fk {
        let (cf, pf) = (&model.fields[c], &target_model.fields[p]);
        if cf.ty != pf.ty {
            return Err(Error::invalid_schema(format!(
                "`{}.{}`: the key field `{}` is {} but `{}.{}` is {}; give them the same type",
                model.name, rel.name, cf.name, cf.ty, target_model.name, pf.name, pf.ty
            )));
        }
    }
    Ok(fk)
}

fn optional_mismatch(model: &app::Model, rel: &app::Relation, fk_nullable: bool) -> Error {
    if fk_nullable {
        Error::invalid_schema(format!(
            "`{}.{}`: its foreign key is an Option, so a record may have no `{}`; declare the \
             relation as `toasty::BelongsTo<Option<{}>>` (or `Deferred<Option<..>>`, \
             `Option<..>`), or make the key fields non-optional",
            model.name, rel.name, rel.target, rel.target
        ))
    } else {
        Error::invalid_schema(format!(
            "`{}.{}` is optional but its foreign key is not: make the key field(s) `Option<..>` \
             or declare the relation without `Option`",
            model.name, rel.name
        ))
    }
}

/// A `#[has_many]` / `#[has_one]` finds the target's records by foreign key, so the
/// target needs an index (or a primary key) whose leading fields are the foreign key:
/// on a key-value store nothing else can serve the lookup, and on every backend the
/// rule is the same.
fn check_indexed(
    model: &app::Model,
    rel: &Relation,
    target: &app::Model,
    fk: &[(usize, usize)],
) -> Result<()> {
    let mut wanted: Vec<usize> = fk.iter().map(|&(c, _)| c).collect();
    wanted.sort_unstable();
    let leads = |fields: &[usize]| {
        if fields.len() < wanted.len() {
            return false;
        }
        let mut lead = fields[..wanted.len()].to_vec();
        lead.sort_unstable();
        lead == wanted
    };
    if leads(&target.primary_key) || target.indices.iter().any(|i| leads(&i.fields)) {
        return Ok(());
    }
    let names: Vec<&str> = fk
        .iter()
        .filter_map(|&(c, _)| target.fields.get(c).map(|f| f.name.as_str()))
        .collect();
    let fix = if names.len() == 1 {
        format!(
            "add #[index] (or #[unique]) to `{}.{}`",
            target.name, names[0]
        )
    } else {
        format!(
            "add #[index({})] to the struct `{}`",
            names.join(", "),
            target.name
        )
    };
    Err(Error::invalid_schema(format!(
        "`{}.{}` finds `{}` records by the foreign key {}, which has no index; {fix} (the \
         index that finds a record's related records, needed on every backend and the only \
         way a key-value store can find them)",
        model.name,
        rel.name,
        target.name,
        names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// A `#[has_one]` holds at most one record: the foreign key must be unique.
fn check_unique(
    model: &app::Model,
    rel: &Relation,
    target: &app::Model,
    fk: &[(usize, usize)],
) -> Result<()> {
    let mut wanted: Vec<usize> = fk.iter().map(|&(c, _)| c).collect();
    wanted.sort_unstable();
    let same = |fields: &[usize]| {
        let mut f = fields.to_vec();
        f.sort_unstable();
        f == wanted
    };
    if same(&target.primary_key) || target.indices.iter().any(|i| i.unique && same(&i.fields)) {
        return Ok(());
    }
    let names: Vec<&str> = fk
        .iter()
        .filter_map(|&(c, _)| target.fields.get(c).map(|f| f.name.as_str()))
        .collect();
    let fix = if names.len() == 1 {
        format!("mark `{}.{}` #[unique]", target.name, names[0])
    } else {
        format!("add #[unique({})] to `{}`", names.join(", "), target.name)
    };
    Err(Error::invalid_schema(format!(
        "`{}.{}` is #[has_one], so each `{}` has at most one `{}`: {fix}, or use #[has_many]",
        model.name, rel.name, model.name, target.name
    )))
}

/// Eager relations load their target with every query; a cycle of them would never end.
fn check_eager_cycles(models: &[app::Model], rels: &[Vec<Relation>]) -> Result<()> {
    fn visit(
        models: &[app::Model],
        rels: &[Vec<Relation>],
        model: ModelId,
        path: &mut Vec<String>,
        on_path: &mut Vec<ModelId>,
    ) -> Result<()> {
        if on_path.contains(&model) {
            return Err(Error::invalid_schema(format!(
                "eager relations form a cycle ({}), so loading one record would never end; \
                 make one of them lazy with toasty::Deferred<..>",
                path.join(" -> ")
            )));
        }
        on_path.push(model);
        for rel in rels.get(model.0).into_iter().flatten().filter(|r| r.eager) {
            path.push(format!("{}.{}", models[model.0].name, rel.name));
            visit(models, rels, rel.target, path, on_path)?;
            path.pop();
        }
        on_path.pop();
        Ok(())
    }
    for i in 0..models.len() {
        visit(models, rels, ModelId(i), &mut Vec::new(), &mut Vec::new())?;
    }
    Ok(())
}

/// `BlogPost` -> `blog_post`.
fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Schema, SchemaOptions};
    use crate::schema::app::{self, RelationKind};
    use crate::{ErrorKind, Type};

    fn field(name: &str, ty: Type, nullable: bool) -> app::Field {
        app::Field {
            name: name.into(),
            column_name: name.into(),
            ty,
            nullable,
            auto: None,
            column_type: None,
        }
    }

    fn user() -> app::Model {
        app::Model {
            name: "User".into(),
            table_name: "users".into(),
            fields: vec![
                field("id", Type::U64, false),
                field("name", Type::String, false),
            ],
            primary_key: vec![0],
            indices: vec![],
        }
    }

    fn todo(indexed: bool, nullable: bool) -> app::Model {
        app::Model {
            name: "Todo".into(),
            table_name: "todos".into(),
            fields: vec![
                field("id", Type::U64, false),
                field("user_id", Type::U64, nullable),
                field("title", Type::String, false),
            ],
            primary_key: vec![0],
            indices: if indexed {
                vec![app::Index {
                    fields: vec![1],
                    unique: false,
                    primary: false,
                    name: None,
                }]
            } else {
                vec![]
            },
        }
    }

    fn rel(name: &str, kind: RelationKind, target: &str) -> app::Relation {
        app::Relation {
            name: name.into(),
            kind,
            target: target.into(),
            key: if kind == RelationKind::BelongsTo {
                vec!["user_id".into()]
            } else {
                vec![]
            },
            references: if kind == RelationKind::BelongsTo {
                vec!["id".into()]
            } else {
                vec![]
            },
            pair: None,
            optional: false,
            eager: false,
            via: Vec::new(),
        }
    }

    fn build(models: Vec<app::Model>, rels: Vec<Vec<app::Relation>>) -> crate::Result<Schema> {
        Schema::build_with_relations(models, rels, &SchemaOptions::default())
    }

    #[test]
    fn has_many_pairs_with_belongs_to() {
        let s = build(
            vec![user(), todo(true, false)],
            vec![
                vec![rel("todos", RelationKind::HasMany, "Todo")],
                vec![rel("user", RelationKind::BelongsTo, "User")],
            ],
        )
        .unwrap();
        let todos = &s.relations[0][0];
        assert_eq!(todos.fk, vec![(1, 0)]);
        assert_eq!(todos.pair, Some(0));
        assert_eq!(s.relations[1][0].pair, Some(0));
        assert_eq!(todos.source_fields(), vec![0]);
        assert_eq!(todos.target_fields(), vec![1]);
        // Relations are not columns.
        assert_eq!(s.db.tables[0].columns.len(), 2);
    }

    #[test]
    fn unpaired_has_many_names_the_fix() {
        let e = build(
            vec![user(), todo(true, false)],
            vec![vec![rel("todos", RelationKind::HasMany, "Todo")], vec![]],
        )
        .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidSchema);
        assert!(e.message().contains("#[belongs_to"), "{e}");
    }

    #[test]
    fn ambiguous_pair_names_pair() {
        let mut owner = rel("owner", RelationKind::BelongsTo, "User");
        owner.key = vec!["user_id".into()];
        let e = build(
            vec![user(), todo(true, false)],
            vec![
                vec![rel("todos", RelationKind::HasMany, "Todo")],
                vec![rel("user", RelationKind::BelongsTo, "User"), owner],
            ],
        )
        .unwrap_err();
        assert!(e.message().contains("pair = "), "{e}");
        let mut has = rel("todos", RelationKind::HasMany, "Todo");
        has.pair = Some("owner".into());
        let mut owner = rel("owner", RelationKind::BelongsTo, "User");
        owner.key = vec!["user_id".into()];
        let s = build(
            vec![user(), todo(true, false)],
            vec![
                vec![has],
                vec![rel("user", RelationKind::BelongsTo, "User"), owner],
            ],
        )
        .unwrap();
        assert_eq!(s.relations[0][0].pair, Some(1));
    }

    #[test]
    fn missing_index_names_the_index() {
        let e = build(
            vec![user(), todo(false, false)],
            vec![
                vec![rel("todos", RelationKind::HasMany, "Todo")],
                vec![rel("user", RelationKind::BelongsTo, "User")],
            ],
        )
        .unwrap_err();
        assert!(e.message().contains("#[index]"), "{e}");
        assert!(e.message().contains("Todo.user_id"), "{e}");
        // A one-sided belongs_to needs no index.
        build(
            vec![user(), todo(false, false)],
            vec![vec![], vec![rel("user", RelationKind::BelongsTo, "User")]],
        )
        .unwrap();
    }

    #[test]
    fn optional_must_match_foreign_key() {
        let e = build(
            vec![user(), todo(true, true)],
            vec![vec![], vec![rel("user", RelationKind::BelongsTo, "User")]],
        )
        .unwrap_err();
        assert!(e.message().contains("Option"), "{e}");
        let mut optional = rel("user", RelationKind::BelongsTo, "User");
        optional.optional = true;
        let s = build(vec![user(), todo(true, true)], vec![vec![], vec![optional]]).unwrap();
        assert!(s.relations[1][0].fk_nullable);
    }

    #[test]
    fn unregistered_target_and_bad_reference() {
        let e = build(
            vec![todo(true, false)],
            vec![vec![rel("user", RelationKind::BelongsTo, "User")]],
        )
        .unwrap_err();
        assert!(e.message().contains("models!"), "{e}");
        let mut bad = rel("user", RelationKind::BelongsTo, "User");
        bad.references = vec!["name".into()];
        let e = build(vec![user(), todo(true, false)], vec![vec![], vec![bad]]).unwrap_err();
        assert!(e.message().contains("primary key"), "{e}");
    }

    #[test]
    fn eager_cycle_is_refused() {
        let mut has = rel("todos", RelationKind::HasMany, "Todo");
        has.eager = true;
        let mut belongs = rel("user", RelationKind::BelongsTo, "User");
        belongs.eager = true;
        let e = build(
            vec![user(), todo(true, false)],
            vec![vec![has], vec![belongs]],
        )
        .unwrap_err();
        assert!(e.message().contains("cycle"), "{e}");
        assert!(e.message().contains("Deferred"), "{e}");
    }

    #[test]
    fn has_one_needs_unique_key() {
        let e = build(
            vec![user(), todo(true, false)],
            vec![
                vec![rel("todo", RelationKind::HasOne, "Todo")],
                vec![rel("user", RelationKind::BelongsTo, "User")],
            ],
        )
        .unwrap_err();
        assert!(e.message().contains("#[unique]"), "{e}");
    }
}

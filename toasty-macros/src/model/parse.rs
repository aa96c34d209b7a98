//! Parsing `#[derive(Model)]` input and checking everything that can be checked at
//! compile time. Errors carry the span of the attribute or field at fault.

use super::{ty, AutoKind, FieldDef, IndexDef, ModelDef, RelKind, RelationDef};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, Result};

pub(crate) fn parse(input: &syn::DeriveInput) -> Result<ModelDef> {
    if !input.generics.params.is_empty() {
        return Err(Error::new(
            input.generics.span(),
            "#[derive(toasty::Model)] does not support generic structs",
        ));
    }
    let syn::Data::Struct(data) = &input.data else {
        return Err(Error::new(
            input.ident.span(),
            "#[derive(toasty::Model)] needs a struct with named fields",
        ));
    };
    let syn::Fields::Named(named) = &data.fields else {
        return Err(Error::new(
            input.ident.span(),
            "#[derive(toasty::Model)] needs a struct with named fields",
        ));
    };

    let mut fields = Vec::new();
    let mut field_keys: Vec<(usize, proc_macro2::Span)> = Vec::new();
    let mut indices = Vec::new();
    let mut auto_spans = Vec::new();
    let mut pending: Vec<RawRelation> = Vec::new();
    let mut order = Vec::new();

    for f in named.named.iter() {
        let ident = f
            .ident
            .clone()
            .ok_or_else(|| Error::new(f.span(), "fields must be named"))?;
        let name = ident.to_string().trim_start_matches("r#").to_string();
        if let Some(raw) = parse_relation(f, &ident, &name)? {
            order.push(Err(pending.len()));
            pending.push(raw);
            continue;
        }
        let pos = fields.len();
        order.push(Ok(pos));
        let mut def = FieldDef {
            ident,
            name,
            ty: f.ty.clone(),
            column: None,
            column_type: None,
            auto: None,
            default: None,
            update: None,
            sensitive: false,
        };
        let mut seen: Vec<String> = Vec::new();
        for attr in &f.attrs {
            let Some(attr_name) = attr.path().get_ident().map(|i| i.to_string()) else {
                continue;
            };
            let ours = matches!(
                attr_name.as_str(),
                "key"
                    | "auto"
                    | "unique"
                    | "index"
                    | "default"
                    | "update"
                    | "column"
                    | "table"
                    | "sensitive"
            );
            if !ours {
                continue;
            }
            if seen.contains(&attr_name) {
                return Err(Error::new(
                    attr.path().span(),
                    format!("#[{attr_name}] is given twice on `{}`", def.name),
                ));
            }
            seen.push(attr_name.clone());
            match attr_name.as_str() {
                "key" => {
                    require_bare(
                        attr,
                        "key",
                        "on a field; for a composite key write #[key(a, b)] on the struct",
                    )?;
                    if ty::is_float(&def.ty) {
                        return Err(Error::new(
                            attr.path().span(),
                            format!("`{}` is a float and cannot be a key: float equality is not a reliable identity", def.name),
                        ));
                    }
                    if ty::option_inner(&def.ty).is_some() {
                        return Err(Error::new(
                            attr.path().span(),
                            format!("`{}` is an Option and cannot be a key", def.name),
                        ));
                    }
                    field_keys.push((pos, attr.path().span()));
                }
                "auto" => {
                    let kind = parse_auto(attr)?;
                    let fits = match kind {
                        AutoKind::Infer => ty::is_integer(&def.ty) || ty::is_uuid(&def.ty),
                        AutoKind::Increment => ty::is_integer(&def.ty),
                        AutoKind::UuidV4 | AutoKind::UuidV7 => ty::is_uuid(&def.ty),
                    };
                    if !fits || ty::option_inner(&def.ty).is_some() {
                        return Err(Error::new(
                            attr.path().span(),
                            format!(
                                "#[auto] needs an integer field (auto-increment) or a uuid::Uuid field (UUID v7), but `{}` is `{}`",
                                def.name,
                                quote::ToTokens::to_token_stream(&def.ty)
                            ),
                        ));
                    }
                    def.auto = Some(kind);
                    auto_spans.push((pos, attr.path().span()));
                }
                "unique" | "index" => {
                    require_bare(attr, &attr_name, "on a field; for a multi-field index write it on the struct with field names")?;
                    let unique = attr_name == "unique";
                    if unique && ty::is_float(&def.ty) {
                        return Err(Error::new(
                            attr.path().span(),
                            format!("#[unique] is not supported on the float field `{}`: float equality is not a reliable identity", def.name),
                        ));
                    }
                    indices.push(IndexDef {
                        fields: vec![pos],
                        unique,
                        span: attr.path().span(),
                        name: None,
                    });
                }
                "default" => def.default = Some(parse_expr_arg(attr, "default")?),
                "update" => def.update = Some(parse_expr_arg(attr, "update")?),
                "column" => {
                    let (name, column_type) = parse_column(attr, &def.ty)?;
                    def.column = name.or(def.column.take());
                    def.column_type = column_type.or(def.column_type.take());
                }
                "sensitive" => {
                    require_bare(attr, "sensitive", "on a field")?;
                    def.sensitive = true;
                }
                _ => {
                    return Err(Error::new(
                        attr.path().span(),
                        format!("#[{attr_name}] belongs on the struct, not on a field"),
                    ))
                }
            }
        }
        if def.auto.is_some() && def.default.is_some() {
            return Err(Error::new(
                f.span(),
                format!("`{}` cannot have both #[auto] and #[default]", def.name),
            ));
        }
        fields.push(def);
    }

    let mut table = None;
    let mut struct_key: Option<(Vec<usize>, proc_macro2::Span)> = None;
    for attr in &input.attrs {
        let Some(attr_name) = attr.path().get_ident().map(|i| i.to_string()) else {
            continue;
        };
        match attr_name.as_str() {
            "table" => {
                if table.is_some() {
                    return Err(Error::new(attr.path().span(), "#[table] is given twice"));
                }
                table = Some(parse_str_arg(attr, "table")?);
            }
            "key" | "index" | "unique" => {
                let (positions, index_name) = parse_field_list(attr, &attr_name, &fields)?;
                if attr_name == "key" && index_name.is_some() {
                    return Err(Error::new(
                        attr.path().span(),
                        "#[key(...)] takes no name: the primary key is not a named index",
                    ));
                }
                if attr_name == "key" {
                    if struct_key.is_some() {
                        return Err(Error::new(attr.path().span(), "#[key(...)] is given twice"));
                    }
                    for &p in &positions {
                        if let Some(f) = fields.get(p) {
                            if ty::is_float(&f.ty) {
                                return Err(Error::new(
                                    attr.path().span(),
                                    format!("`{}` is a float and cannot be part of a key", f.name),
                                ));
                            }
                        }
                    }
                    struct_key = Some((positions, attr.path().span()));
                } else {
                    let unique = attr_name == "unique";
                    if unique {
                        for &p in &positions {
                            if let Some(f) = fields.get(p) {
                                if ty::is_float(&f.ty) {
                                    return Err(Error::new(
                                        attr.path().span(),
                                        format!(
                                            "#[unique] is not supported on the float field `{}`",
                                            f.name
                                        ),
                                    ));
                                }
                            }
                        }
                    }
                    indices.push(IndexDef {
                        fields: positions,
                        unique,
                        span: attr.path().span(),
                        name: index_name,
                    });
                }
            }
            "auto" | "default" | "update" | "column" | "sensitive" => {
                return Err(Error::new(
                    attr.path().span(),
                    format!("#[{attr_name}] belongs on a field, not on the struct"),
                ))
            }
            _ => {}
        }
    }

    let key = match (struct_key, field_keys.is_empty()) {
        (Some((_, span)), false) => {
            return Err(Error::new(
                span,
                "declare the key either with #[key] on fields or with #[key(...)] on the struct, not both",
            ))
        }
        (Some((positions, _)), true) => positions,
        (None, false) => field_keys.iter().map(|(p, _)| *p).collect(),
        (None, true) => {
            return Err(Error::new(
                input.ident.span(),
                format!(
                    "model `{}` has no primary key: add #[key] to a field, or #[key(a, b)] to the struct",
                    input.ident
                ),
            ))
        }
    };

    for (pos, span) in &auto_spans {
        let f = &fields[*pos];
        if ty::is_integer(&f.ty) && key != [*pos] {
            return Err(Error::new(
                *span,
                format!("#[auto] on the integer field `{}` needs it to be the whole primary key (#[key])", f.name),
            ));
        }
    }
    if auto_spans.len() > 1 {
        return Err(Error::new(
            auto_spans[1].1,
            "a model can have only one #[auto] field",
        ));
    }
    for index in &indices {
        if index.fields.is_empty() {
            return Err(Error::new(index.span, "an index needs at least one field"));
        }
    }

    let relations = pending
        .into_iter()
        .map(|raw| resolve_relation(raw, &fields))
        .collect::<Result<Vec<_>>>()?;

    Ok(ModelDef {
        ident: input.ident.clone(),
        vis: input.vis.clone(),
        table,
        fields,
        relations,
        order,
        key,
        indices,
    })
}

/// A relation field before its foreign-key fields are looked up.
struct RawRelation {
    ident: syn::Ident,
    name: String,
    kind: RelKind,
    ty: syn::Type,
    target: syn::Type,
    optional: bool,
    eager: bool,
    key: Option<Vec<syn::Ident>>,
    references: Option<Vec<syn::Ident>>,
    pair: Option<String>,
    via: Vec<String>,
    span: proc_macro2::Span,
}

/// The generic argument of `ty`'s last path segment named one of `names`.
fn wrapper<'a>(ty: &'a syn::Type, names: &[&str]) -> Option<(String, &'a syn::Type)> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    let name = seg.ident.to_string();
    if !names.contains(&name.as_str()) {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    if args.args.len() != 1 {
        return None;
    }
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some((name, t)),
        _ => None,
    }
}

/// Parses a relation field (one with `#[belongs_to]`, `#[has_many]` or `#[has_one]`),
/// or returns `None` for a stored field.
fn parse_relation(f: &syn::Field, ident: &syn::Ident, name: &str) -> Result<Option<RawRelation>> {
    let mut found: Option<(RelKind, &syn::Attribute)> = None;
    for attr in &f.attrs {
        let kind = if attr.path().is_ident("belongs_to") {
            RelKind::BelongsTo
        } else if attr.path().is_ident("has_many") {
            RelKind::HasMany
        } else if attr.path().is_ident("has_one") {
            RelKind::HasOne
        } else {
            continue;
        };
        if found.is_some() {
            return Err(Error::new(
                attr.path().span(),
                format!("`{name}` has more than one relation attribute"),
            ));
        }
        found = Some((kind, attr));
    }
    let Some((kind, attr)) = found else {
        return Ok(None);
    };
    for other in &f.attrs {
        let n = other.path().get_ident().map(|i| i.to_string());
        if matches!(
            n.as_deref(),
            Some(
                "key" | "auto" | "unique" | "index" | "default" | "update" | "column" | "sensitive"
            )
        ) {
            return Err(Error::new(
                other.path().span(),
                format!(
                    "`{name}` is a relation, not a stored field: put #[{}] on its foreign-key \
                     field instead",
                    n.unwrap_or_default()
                ),
            ));
        }
    }
    let span = attr.path().span();
    let ty = f.ty.clone();
    // The shape of the field type: lazy wrappers, or the eager value itself.
    let lazy = wrapper(&ty, &["Deferred", "HasMany", "BelongsTo", "HasOne"]);
    let (eager, many, optional, target) = match lazy {
        Some((wrap, inner)) => {
            let wrong = match wrap.as_str() {
                "HasMany" => kind != RelKind::HasMany,
                "BelongsTo" => kind != RelKind::BelongsTo,
                "HasOne" => kind != RelKind::HasOne,
                _ => false,
            };
            if wrong {
                return Err(Error::new(
                    f.ty.span(),
                    format!(
                        "`{name}` is #[{}] but its type is `{wrap}<..>`; use the type that \
                         matches the attribute",
                        kind.name()
                    ),
                ));
            }
            if wrap == "HasMany" {
                (false, true, false, inner.clone())
            } else if let Some((_, t)) = wrapper(inner, &["Vec"]) {
                (false, true, false, t.clone())
            } else if let Some(t) = ty::option_inner(inner) {
                (false, false, true, t.clone())
            } else {
                (false, false, false, inner.clone())
            }
        }
        None => {
            if let Some((_, t)) = wrapper(&ty, &["Vec"]) {
                (true, true, false, t.clone())
            } else if let Some(t) = ty::option_inner(&ty) {
                (true, false, true, t.clone())
            } else {
                (true, false, false, ty.clone())
            }
        }
    };
    if many != (kind == RelKind::HasMany) {
        let want = if kind == RelKind::HasMany {
            "toasty::HasMany<T>, toasty::Deferred<Vec<T>> or Vec<T>"
        } else {
            "toasty::Deferred<T>, toasty::Deferred<Option<T>>, T or Option<T>"
        };
        return Err(Error::new(
            f.ty.span(),
            format!(
                "`{name}` is #[{}], so its type is one of {want}",
                kind.name()
            ),
        ));
    }
    if kind == RelKind::HasMany && optional {
        return Err(Error::new(
            f.ty.span(),
            "a #[has_many] list cannot be optional",
        ));
    }
    let mut raw = RawRelation {
        ident: ident.clone(),
        name: name.to_string(),
        kind,
        ty,
        target,
        optional,
        eager,
        key: None,
        references: None,
        pair: None,
        via: Vec::new(),
        span,
    };
    if let syn::Meta::List(list) = &attr.meta {
        let items = attr.parse_args_with(Punctuated::<RelArg, syn::Token![,]>::parse_terminated)?;
        let _ = list;
        for item in items {
            let option = item.name.to_string();
            match (kind, option.as_str()) {
                (RelKind::BelongsTo, "key") => raw.key = Some(item.idents),
                (RelKind::BelongsTo, "references") => raw.references = Some(item.idents),
                (RelKind::HasMany | RelKind::HasOne, "pair") => {
                    if item.idents.len() != 1 {
                        return Err(Error::new(item.name.span(), "`pair` names one field"));
                    }
                    raw.pair = Some(
                        item.idents[0]
                            .to_string()
                            .trim_start_matches("r#")
                            .to_string(),
                    );
                }
                (RelKind::HasMany, "via") => {
                    if item.idents.len() < 2 || !item.dotted {
                        return Err(Error::new(
                            item.name.span(),
                            "`via` names a path of relations, such as `via = memberships.group`",
                        ));
                    }
                    raw.via = item
                        .idents
                        .iter()
                        .map(|i| i.to_string().trim_start_matches("r#").to_string())
                        .collect();
                }
                (RelKind::HasOne, "via") => {
                    return Err(Error::new(
                        item.name.span(),
                        "`via = ..` is only for #[has_many]; query the intermediate relation \
                         instead",
                    ))
                }
                _ => {
                    let allowed = if kind == RelKind::BelongsTo {
                        "`key = ..` and `references = ..`"
                    } else {
                        "`pair = ..`"
                    };
                    return Err(Error::new(
                        item.name.span(),
                        format!("#[{}] takes {allowed}, not `{option}`", kind.name()),
                    ));
                }
            }
        }
    }
    Ok(Some(raw))
}

/// `name = ident` or `name = [ident, ..]` inside a relation attribute.
struct RelArg {
    name: syn::Ident,
    idents: Vec<syn::Ident>,
    /// Written as a dotted path (`a.b`).
    dotted: bool,
}

impl syn::parse::Parse for RelArg {
    fn parse(input: syn::parse::ParseStream) -> Result<Self> {
        let name: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
        input.parse::<syn::Token![=]>()?;
        let idents = if input.peek(syn::token::Bracket) {
            let content;
            syn::bracketed!(content in input);
            Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated_with(
                &content,
                syn::ext::IdentExt::parse_any,
            )?
            .into_iter()
            .collect()
        } else {
            let mut path = vec![input.call(syn::ext::IdentExt::parse_any)?];
            while input.peek(syn::Token![.]) {
                input.parse::<syn::Token![.]>()?;
                path.push(input.call(syn::ext::IdentExt::parse_any)?);
            }
            path
        };
        let dotted = idents.len() > 1 && !matches!(name.to_string().as_str(), "key" | "references");
        Ok(RelArg {
            name,
            idents,
            dotted,
        })
    }
}

/// Looks up the foreign-key fields of a `#[belongs_to]` (defaults: `<field>_id` and
/// `id`) and checks that the relation's optionality matches them.
fn resolve_relation(raw: RawRelation, fields: &[FieldDef]) -> Result<RelationDef> {
    let mut key = Vec::new();
    let mut references = Vec::new();
    if raw.kind == RelKind::BelongsTo {
        let key_names: Vec<(String, proc_macro2::Span)> = match &raw.key {
            Some(idents) => idents
                .iter()
                .map(|i| (i.to_string().trim_start_matches("r#").to_string(), i.span()))
                .collect(),
            None => vec![(format!("{}_id", raw.name), raw.span)],
        };
        references = match &raw.references {
            Some(idents) => idents
                .iter()
                .map(|i| i.to_string().trim_start_matches("r#").to_string())
                .collect(),
            None if key_names.len() == 1 => vec!["id".to_string()],
            None => {
                return Err(Error::new(
                    raw.span,
                    "a composite foreign key needs `references = [..]` naming the target's key fields in the same order",
                ))
            }
        };
        if references.len() != key_names.len() {
            return Err(Error::new(
                raw.span,
                format!(
                    "#[belongs_to] on `{}` lists {} key field(s) and {} referenced field(s); give one referenced field per key field",
                    raw.name,
                    key_names.len(),
                    references.len()
                ),
            ));
        }
        for (k, span) in &key_names {
            let pos = fields.iter().position(|f| &f.name == k).ok_or_else(|| {
                let hint = if raw.key.is_none() {
                    format!(
                        "; add a field `{k}` for the foreign key, or name it with #[belongs_to(key = .., references = ..)]"
                    )
                } else {
                    String::new()
                };
                Error::new(
                    *span,
                    format!("#[belongs_to] on `{}` needs the field `{k}`, which does not exist{hint}", raw.name),
                )
            })?;
            if key.contains(&pos) {
                return Err(Error::new(*span, format!("`{k}` is listed twice")));
            }
            key.push(pos);
        }
        let nullable = key
            .iter()
            .any(|&p| ty::option_inner(&fields[p].ty).is_some());
        if nullable != raw.optional {
            let msg = if nullable {
                format!(
                    "the foreign key of `{}` is an Option, so the relation is optional: declare it `toasty::BelongsTo<Option<..>>` (or `Deferred<Option<..>>`, `Option<..>`)",
                    raw.name
                )
            } else {
                format!(
                    "`{}` is optional but its foreign key is not: make the key field an Option, or drop the Option from the relation",
                    raw.name
                )
            };
            return Err(Error::new(raw.ty.span(), msg));
        }
    }
    Ok(RelationDef {
        ident: raw.ident,
        name: raw.name,
        kind: raw.kind,
        ty: raw.ty,
        target: raw.target,
        optional: raw.optional,
        eager: raw.eager,
        key,
        references,
        pair: raw.pair,
        via: raw.via,
    })
}

fn require_bare(attr: &syn::Attribute, name: &str, hint: &str) -> Result<()> {
    match &attr.meta {
        syn::Meta::Path(_) => Ok(()),
        _ => Err(Error::new(
            attr.path().span(),
            format!("#[{name}] takes no arguments {hint}")
                .trim_end()
                .to_string(),
        )),
    }
}

fn parse_expr_arg(attr: &syn::Attribute, name: &str) -> Result<syn::Expr> {
    match &attr.meta {
        syn::Meta::List(_) => attr.parse_args::<syn::Expr>(),
        _ => Err(Error::new(
            attr.path().span(),
            format!("#[{name}] needs an expression: #[{name}(expr)]"),
        )),
    }
}

/// `#[column = "name"]`, `#[column("name")]`, `#[column(type = ..)]` or
/// `#[column("name", type = ..)]`: the column name and the column type expression.
fn parse_column(
    attr: &syn::Attribute,
    field_ty: &syn::Type,
) -> Result<(Option<String>, Option<proc_macro2::TokenStream>)> {
    if !matches!(attr.meta, syn::Meta::List(_)) {
        return Ok((Some(parse_str_arg(attr, "column")?), None));
    }
    attr.parse_args_with(|input: syn::parse::ParseStream| {
        let mut name = None;
        if input.peek(syn::LitStr) {
            let lit: syn::LitStr = input.parse()?;
            if lit.value().is_empty() {
                return Err(Error::new(lit.span(), "#[column] cannot be empty"));
            }
            name = Some(lit.value());
            if input.is_empty() {
                return Ok((name, None));
            }
            input.parse::<syn::Token![,]>()?;
        }
        if !input.peek(syn::Token![type]) {
            return Err(Error::new(
                input.span(),
                "expected #[column(\"name\")], #[column(type = ..)] or \
                 #[column(\"name\", type = ..)]",
            ));
        }
        input.parse::<syn::Token![type]>()?;
        input.parse::<syn::Token![=]>()?;
        let ty = parse_column_type(input, field_ty)?;
        if !input.is_empty() {
            return Err(Error::new(
                input.span(),
                "unexpected tokens after the column type",
            ));
        }
        Ok((name, Some(ty)))
    })
}

/// One `#[column(type = ..)]` type, checked against the field's Rust type where the
/// tokens decide it (a type alias is checked when the `Db` is built).
fn parse_column_type(
    input: syn::parse::ParseStream,
    field_ty: &syn::Type,
) -> Result<proc_macro2::TokenStream> {
    use quote::quote;
    if input.peek(syn::LitStr) {
        let lit: syn::LitStr = input.parse()?;
        return Err(Error::new(
            lit.span(),
            "a database-specific column type cannot give the same answer on every backend; \
             use one of boolean, i8..i64, int(N), u8..u64, uint(N), text, varchar(N), blob, \
             binary(N), timestamp(6), datetime(6)",
        ));
    }
    let ident: syn::Ident = if input.peek(syn::Token![enum]) {
        let kw: syn::Token![enum] = input.parse()?;
        return Err(Error::new(
            kw.span,
            "`enum` column types need enum fields, which this project does not have yet",
        ));
    } else {
        syn::ext::IdentExt::parse_any(input)?
    };
    let span = ident.span();
    let kw = ident.to_string();
    let arg = |input: syn::parse::ParseStream, what: &str| -> Result<Vec<u32>> {
        if !input.peek(syn::token::Paren) {
            return Err(Error::new(span, format!("`{kw}` needs {what}: `{kw}(..)`")));
        }
        let content;
        syn::parenthesized!(content in input);
        let list = Punctuated::<syn::LitInt, syn::Token![,]>::parse_terminated(&content)?;
        list.iter().map(|l| l.base10_parse::<u32>()).collect()
    };
    let one = |input: syn::parse::ParseStream, what: &str| -> Result<u32> {
        let args = arg(input, what)?;
        match args.as_slice() {
            [n] => Ok(*n),
            _ => Err(Error::new(span, format!("`{kw}` takes one number: {what}"))),
        }
    };
    let base = ty::base_name(field_ty);
    let is_string = matches!(base.as_deref(), Some("String"));
    let is_bytes = matches!(base.as_deref(), Some("Vec"));
    let known = ty::is_integer(field_ty)
        || ty::is_float(field_ty)
        || ty::is_uuid(field_ty)
        || matches!(
            base.as_deref(),
            Some("bool" | "String" | "Vec" | "Timestamp" | "DateTime")
        );
    let mismatch = |needs: &str| -> Error {
        Error::new(
            span,
            format!(
                "#[column(type = {kw}..)] needs {needs} field; this field is `{}`",
                quote!(#field_ty)
            ),
        )
    };
    let int = |signed: bool, bytes: u32| -> Result<proc_macro2::TokenStream> {
        if ![1, 2, 4, 8].contains(&bytes) {
            return Err(Error::new(span, "an integer column has 1, 2, 4 or 8 bytes"));
        }
        if known && !ty::is_integer(field_ty) {
            return Err(mismatch("an integer"));
        }
        let n = bytes as u8;
        Ok(if signed {
            quote!(toasty::codegen::app::ColumnType::Int(#n))
        } else {
            quote!(toasty::codegen::app::ColumnType::UInt(#n))
        })
    };
    let needs = |ok: bool, what: &str, tokens: proc_macro2::TokenStream| {
        if known && !ok {
            Err(mismatch(what))
        } else {
            Ok(tokens)
        }
    };
    let length = |n: u32| -> Result<()> {
        if n == 0 || n > 10_485_760 {
            Err(Error::new(
                span,
                format!("the length of `{kw}` is 1 to 10485760"),
            ))
        } else {
            Ok(())
        }
    };
    let tokens = match kw.as_str() {
        "boolean" => needs(
            matches!(base.as_deref(), Some("bool")),
            "a bool",
            quote!(toasty::codegen::app::ColumnType::Boolean),
        )?,
        "i8" => int(true, 1)?,
        "i16" => int(true, 2)?,
        "i32" => int(true, 4)?,
        "i64" => int(true, 8)?,
        "u8" => int(false, 1)?,
        "u16" => int(false, 2)?,
        "u32" => int(false, 4)?,
        "u64" => int(false, 8)?,
        "int" | "uint" if !input.peek(syn::token::Paren) => int(kw == "int", 8)?,
        "int" => int(true, one(input, "the size in bytes")?)?,
        "uint" => int(false, one(input, "the size in bytes")?)?,
        "text" => needs(
            is_string,
            "a String",
            quote!(toasty::codegen::app::ColumnType::Text),
        )?,
        "varchar" => {
            let n = one(input, "the most characters")?;
            length(n)?;
            needs(
                is_string,
                "a String",
                quote!(toasty::codegen::app::ColumnType::VarChar(#n)),
            )?
        }
        "blob" => needs(
            is_bytes,
            "a Vec<u8>",
            quote!(toasty::codegen::app::ColumnType::Blob),
        )?,
        "binary" => {
            let n = one(input, "the most bytes")?;
            length(n)?;
            needs(
                is_bytes,
                "a Vec<u8>",
                quote!(toasty::codegen::app::ColumnType::Binary(#n)),
            )?
        }
        "timestamp" | "datetime" => {
            let p = one(input, "the precision")?;
            if p != 6 {
                return Err(Error::new(
                    span,
                    format!(
                        "timestamps have microsecond precision on every backend: \
                         use `{kw}(6)`, not `{kw}({p})`"
                    ),
                ));
            }
            needs(
                matches!(base.as_deref(), Some("Timestamp" | "DateTime")),
                "a timestamp (jiff::Timestamp or chrono::DateTime<Utc>)",
                quote!(toasty::codegen::app::ColumnType::Timestamp(6)),
            )?
        }
        "date" | "time" => {
            return Err(Error::new(
                span,
                format!(
                    "`{kw}` columns need date or time fields, which this project does not have yet"
                ),
            ))
        }
        "numeric" => {
            return Err(Error::new(
                span,
                "`numeric` columns need a decimal field type, which this project does not have yet",
            ))
        }
        "json" | "jsonb" => {
            return Err(Error::new(
                span,
                format!("`{kw}` columns need JSON fields, which this project does not have yet"),
            ))
        }
        "cidr" | "inet" | "macaddr" | "macaddr8" => {
            return Err(Error::new(
                span,
                format!(
                "`{kw}` columns need network address fields, which this project does not have yet"
            ),
            ))
        }
        "f32" | "f64" => {
            return Err(Error::new(
                span,
                "float columns take their type from the field (`f32` or `f64`); leave out \
                 #[column(type = ..)]",
            ))
        }
        _ => {
            return Err(Error::new(
                span,
                format!(
                    "unknown column type `{kw}`; use one of boolean, i8..i64, int(N), u8..u64, \
                     uint(N), text, varchar(N), blob, binary(N), timestamp(6), datetime(6)"
                ),
            ))
        }
    };
    Ok(quote!(::std::option::Option::Some(#tokens)))
}

fn parse_str_arg(attr: &syn::Attribute, name: &str) -> Result<String> {
    let lit: syn::LitStr = match &attr.meta {
        syn::Meta::List(_) => attr.parse_args()?,
        syn::Meta::NameValue(nv) => match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => s.clone(),
            other => {
                return Err(Error::new(
                    other.span(),
                    format!("#[{name}] needs a string: #[{name} = \"...\"]"),
                ))
            }
        },
        syn::Meta::Path(_) => {
            return Err(Error::new(
                attr.path().span(),
                format!("#[{name}] needs a name: #[{name} = \"...\"] or #[{name}(\"...\")]"),
            ))
        }
    };
    let value = lit.value();
    if value.is_empty() {
        return Err(Error::new(lit.span(), format!("#[{name}] cannot be empty")));
    }
    Ok(value)
}

/// `#[auto]`, `#[auto(increment)]`, `#[auto(uuid)]`, `#[auto(uuid(v7))]`,
/// `#[auto(uuid(v4))]`.
fn parse_auto(attr: &syn::Attribute) -> Result<AutoKind> {
    let syn::Meta::List(list) = &attr.meta else {
        require_bare(attr, "auto", "")?;
        return Ok(AutoKind::Infer);
    };
    let bad = || {
        Error::new(
            list.tokens.span(),
            "#[auto(..)] takes `increment`, `uuid`, `uuid(v7)` or `uuid(v4)`",
        )
    };
    let meta: syn::Meta = syn::parse2(list.tokens.clone()).map_err(|_| bad())?;
    match &meta {
        syn::Meta::Path(p) if p.is_ident("increment") => Ok(AutoKind::Increment),
        syn::Meta::Path(p) if p.is_ident("uuid") => Ok(AutoKind::UuidV7),
        syn::Meta::List(l) if l.path.is_ident("uuid") => {
            let version: syn::Ident = syn::parse2(l.tokens.clone()).map_err(|_| bad())?;
            match version.to_string().as_str() {
                "v7" => Ok(AutoKind::UuidV7),
                "v4" => Ok(AutoKind::UuidV4),
                other => Err(Error::new(
                    version.span(),
                    format!("UUID version `{other}` is not supported: use v7 (time-ordered) or v4 (random)"),
                )),
            }
        }
        _ => Err(bad()),
    }
}

/// One item of a struct-level `#[key(..)]` / `#[index(..)]` / `#[unique(..)]`.
enum ListItem {
    Field(syn::Ident),
    Name(syn::LitStr),
    Role(syn::Ident, Vec<syn::Ident>),
}

impl syn::parse::Parse for ListItem {
    fn parse(input: syn::parse::ParseStream) -> Result<Self> {
        let ident: syn::Ident = input.call(syn::ext::IdentExt::parse_any)?;
        if !input.peek(syn::Token![=]) {
            return Ok(ListItem::Field(ident));
        }
        input.parse::<syn::Token![=]>()?;
        match ident.to_string().as_str() {
            "name" => Ok(ListItem::Name(input.parse()?)),
            "partition" | "local" => {
                if input.peek(syn::token::Bracket) {
                    let content;
                    syn::bracketed!(content in input);
                    let idents = Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated(&content)?;
                    Ok(ListItem::Role(ident, idents.into_iter().collect()))
                } else {
                    Ok(ListItem::Role(ident, vec![input.parse()?]))
                }
            }
            other => Err(Error::new(
                ident.span(),
                format!("unknown option `{other}`: expected a field name, `name = \"..\"`, `partition = ..` or `local = ..`"),
            )),
        }
    }
}

/// The fields (positions, in order) and the optional name of a struct-level key or
/// index. Fields are listed plainly (`#[index(a, b)]`) or by role
/// (`#[key(partition = a, local = [b, c])]`: partition fields first), not both.
fn parse_field_list(
    attr: &syn::Attribute,
    name: &str,
    fields: &[FieldDef],
) -> Result<(Vec<usize>, Option<String>)> {
    let syn::Meta::List(_) = &attr.meta else {
        return Err(Error::new(
            attr.path().span(),
            format!("on the struct, #[{name}] lists fields: #[{name}(a, b)]"),
        ));
    };
    let items = attr.parse_args_with(Punctuated::<ListItem, syn::Token![,]>::parse_terminated)?;
    let mut plain: Vec<syn::Ident> = Vec::new();
    let mut partition: Vec<syn::Ident> = Vec::new();
    let mut local: Vec<syn::Ident> = Vec::new();
    let mut index_name = None;
    let mut roles = false;
    for item in items {
        match item {
            ListItem::Field(i) => plain.push(i),
            ListItem::Name(lit) => {
                if lit.value().is_empty() {
                    return Err(Error::new(lit.span(), "an index name cannot be empty"));
                }
                index_name = Some(lit.value());
            }
            ListItem::Role(role, idents) => {
                roles = true;
                if role == "partition" {
                    partition.extend(idents);
                } else {
                    local.extend(idents);
                }
            }
        }
    }
    if roles && !plain.is_empty() {
        return Err(Error::new(
            plain[0].span(),
            format!("#[{name}(...)] lists fields either plainly or with `partition =` / `local =`, not both"),
        ));
    }
    if roles && partition.is_empty() {
        return Err(Error::new(
            attr.path().span(),
            format!("#[{name}(...)] with `local =` needs `partition =` too"),
        ));
    }
    let idents: Vec<syn::Ident> = if roles {
        partition.into_iter().chain(local).collect()
    } else {
        plain
    };
    let mut positions = Vec::new();
    for ident in idents {
        let n = ident.to_string().trim_start_matches("r#").to_string();
        let pos = fields.iter().position(|f| f.name == n).ok_or_else(|| {
            Error::new(
                ident.span(),
                format!("#[{name}(...)] names `{n}`, which is not a field"),
            )
        })?;
        if positions.contains(&pos) {
            return Err(Error::new(ident.span(), format!("`{n}` is listed twice")));
        }
        positions.push(pos);
    }
    if positions.is_empty() {
        return Err(Error::new(
            attr.path().span(),
            format!("#[{name}(...)] needs at least one field"),
        ));
    }
    Ok((positions, index_name))
}

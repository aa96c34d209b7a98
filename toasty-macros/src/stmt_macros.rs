//! `create!` and `update!`: struct-literal syntax that expands to builder calls.
//!
//! ```text
//! create!(User { name: "Ada", email })          User::create().name("Ada").email(email)
//! create!(m::User::[{ .. }, { .. }])            CreateMany::<m::User>::new().item(..).item(..)
//! create!((User { .. }, Post { .. }))           toasty::batch((User::create().., Post::create()..))
//! update!(user { name: "Bob", email })          (user).update().name("Bob").email(email)
//! update!(User::filter_by_id(1) { name: "B" })  (User::filter_by_id(1)).update().name("B")
//! update!(user { count.add(5) })                (user).update().count(toasty::stmt::add(5))
//! create!(in user.todos() { title: "x" })      (user.todos()).create().title("x")
//! create!(User { todos: [{ title: "a" }] })     User::create().with_todos(|c| c.title("a"))
//! create!(Todo { user: { name: "Ada" } })       Todo::create().with_user(|c| c.name("Ada"))
//! update!(user { profile: { bio: "x" } })       (user).update().with_profile(|c| c.bio("x"))
//! ```
//!
//! Field values are any expressions; `field` alone means `field: field`. A value written
//! `{ .. }` is a related record created with this one (a `#[belongs_to]` or `#[has_one]`
//! relation), and `[{ .. }, { .. }]` a list of them (a `#[has_many]` relation); to give a
//! field a value computed in a block, wrap the block in parentheses. In `update!`,
//! `field.increment()`, `field.decrement()`, `field.add(v)` and `field.subtract(v)`
//! change a numeric field relative to its stored value (`.field(toasty::stmt::add(v))`);
//! in `create!` they are compile errors.

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Error, Result, Token};

/// `field` or `field: value`.
struct FieldInit {
    name: syn::Ident,
    value: InitValue,
}

/// What a field is given.
enum InitValue {
    /// A value.
    Expr(syn::Expr),
    /// `{ .. }`: a related record created with this one.
    One(Vec<FieldInit>),
    /// `[{ .. }, ..]`: related records created with this one.
    Many(Vec<Vec<FieldInit>>),
    /// `field.op(args)`: a change relative to the stored value (`update!` only).
    Op(syn::Ident, Vec<syn::Expr>),
}

impl Parse for FieldInit {
    fn parse(input: ParseStream) -> Result<Self> {
        let name: syn::Ident = input.parse()?;
        if input.peek(Token![.]) {
            input.parse::<Token![.]>()?;
            let op: syn::Ident = input.parse()?;
            let content;
            syn::parenthesized!(content in input);
            let args = Punctuated::<syn::Expr, Token![,]>::parse_terminated(&content)?;
            let args: Vec<syn::Expr> = args.into_iter().collect();
            let expected = match op.to_string().as_str() {
                "increment" | "decrement" => 0,
                "add" | "subtract" => 1,
                other => {
                    return Err(Error::new(
                        op.span(),
                        format!(
                            "`{name}.{other}(..)` is not an update operation; a numeric field \
                             takes `{name}.increment()`, `{name}.decrement()`, \
                             `{name}.add(value)` or `{name}.subtract(value)`"
                        ),
                    ))
                }
            };
            if args.len() != expected {
                return Err(Error::new(
                    op.span(),
                    format!(
                        "`{name}.{op}` takes {expected} argument{}",
                        if expected == 1 { "" } else { "s" }
                    ),
                ));
            }
            return Ok(FieldInit {
                name,
                value: InitValue::Op(op, args),
            });
        }
        if input.peek(Token![:]) {
            input.parse::<Token![:]>()?;
            if input.peek(syn::token::Brace) {
                let content;
                syn::braced!(content in input);
                let inner: TokenStream = content.parse()?;
                return Ok(FieldInit {
                    name,
                    value: InitValue::One(parse_fields(inner)?),
                });
            }
            if input.peek(syn::token::Bracket) {
                let fork = input.fork();
                let content;
                syn::bracketed!(content in fork);
                let inner: TokenStream = content.parse()?;
                let parts = split_commas(inner.clone());
                let records: Option<Vec<TokenStream>> = parts
                    .iter()
                    .map(|part| {
                        let mut trees = part.clone().into_iter();
                        match (trees.next(), trees.next()) {
                            (Some(TokenTree::Group(g)), None)
                                if g.delimiter() == Delimiter::Brace =>
                            {
                                Some(g.stream())
                            }
                            _ => None,
                        }
                    })
                    .collect();
                if let Some(records) = records.filter(|r| !r.is_empty()) {
                    use syn::parse::discouraged::Speculative;
                    input.advance_to(&fork);
                    let records = records
                        .into_iter()
                        .map(parse_fields)
                        .collect::<Result<Vec<_>>>()?;
                    return Ok(FieldInit {
                        name,
                        value: InitValue::Many(records),
                    });
                }
            }
            let value: syn::Expr = input.parse()?;
            Ok(FieldInit {
                name,
                value: InitValue::Expr(value),
            })
        } else {
            let value = syn::Expr::Path(syn::ExprPath {
                attrs: Vec::new(),
                qself: None,
                path: name.clone().into(),
            });
            Ok(FieldInit {
                name,
                value: InitValue::Expr(value),
            })
        }
    }
}

/// `{ field: value, .. }`.
fn parse_fields(tokens: TokenStream) -> Result<Vec<FieldInit>> {
    let fields =
        syn::parse::Parser::parse2(Punctuated::<FieldInit, Token![,]>::parse_terminated, tokens)?;
    let mut seen: Vec<String> = Vec::new();
    for f in &fields {
        let n = f.name.to_string();
        if seen.contains(&n) {
            return Err(Error::new(f.name.span(), format!("`{n}` is given twice")));
        }
        seen.push(n);
    }
    Ok(fields.into_iter().collect())
}

/// [`setters`] for a create: a change relative to a stored value is an error there.
fn create_setters(fields: &[FieldInit]) -> Result<TokenStream> {
    fn check(fields: &[FieldInit]) -> Result<()> {
        for f in fields {
            match &f.value {
                InitValue::Op(op, _) => {
                    return Err(Error::new(
                        op.span(),
                        format!(
                            "`{}.{op}(..)` changes a stored value, so it belongs in `update!`; \
                             a new record needs a value: `{}: <value>`",
                            f.name, f.name
                        ),
                    ))
                }
                InitValue::One(inner) => check(inner)?,
                InitValue::Many(records) => records.iter().try_for_each(|r| check(r))?,
                InitValue::Expr(_) => {}
            }
        }
        Ok(())
    }
    check(fields)?;
    Ok(setters(fields))
}

fn setters(fields: &[FieldInit]) -> TokenStream {
    let calls = fields.iter().map(|f| {
        let name = &f.name;
        let with = quote::format_ident!(
            "with_{}",
            name.to_string().trim_start_matches("r#"),
            span = name.span()
        );
        match &f.value {
            InitValue::Expr(value) => quote_spanned!(name.span()=> .#name(#value)),
            InitValue::Op(op, args) => {
                quote_spanned!(op.span()=> .#name(toasty::stmt::#op(#(#args),*)))
            }
            InitValue::One(fields) => {
                let set = setters(fields);
                quote_spanned!(name.span()=> .#with(|__toasty_c| __toasty_c #set))
            }
            InitValue::Many(records) => {
                let calls = records.iter().map(|fields| {
                    let set = setters(fields);
                    quote_spanned!(name.span()=> .#with(|__toasty_c| __toasty_c #set))
                });
                quote!(#(#calls)*)
            }
        }
    });
    quote!(#(#calls)*)
}

/// Splits `tokens` into what comes before a trailing `{ .. }` group, and that group's
/// contents.
fn split_trailing_brace(tokens: TokenStream, what: &str) -> Result<(TokenStream, TokenStream)> {
    let mut all: Vec<TokenTree> = tokens.into_iter().collect();
    match all.pop() {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
            if all.is_empty() {
                return Err(Error::new(
                    g.span(),
                    format!("{what} needs a target before the braces"),
                ));
            }
            Ok((all.into_iter().collect(), g.stream()))
        }
        Some(other) => Err(Error::new(
            other.span(),
            format!("{what} ends with `{{ field: value, .. }}`"),
        )),
        None => Err(Error::new(
            proc_macro2::Span::call_site(),
            format!("{what} needs a target and `{{ field: value, .. }}`"),
        )),
    }
}

/// One `Path { .. }` create.
fn create_one(tokens: TokenStream) -> Result<TokenStream> {
    let (path, body) = split_trailing_brace(tokens, "create!")?;
    let path: syn::Path = syn::parse2(path)?;
    let set = create_setters(&parse_fields(body)?)?;
    Ok(quote!(<#path>::create() #set))
}

pub(crate) fn create(input: TokenStream) -> Result<TokenStream> {
    let tokens: Vec<TokenTree> = input.clone().into_iter().collect();
    // `in scope { .. }`: a record created through a relation (`in user.todos() { .. }`).
    if let Some(TokenTree::Ident(i)) = tokens.first() {
        if i == "in" {
            let rest: TokenStream = tokens[1..].iter().cloned().collect();
            let (scope, body) = split_trailing_brace(rest, "create!(in ..)")?;
            let scope: syn::Expr = syn::parse2(scope)?;
            let set = create_setters(&parse_fields(body)?)?;
            return Ok(quote!((#scope).create() #set));
        }
    }
    // `(A { .. }, B { .. })`: a batch of creates of any models.
    if let [TokenTree::Group(g)] = tokens.as_slice() {
        if g.delimiter() == Delimiter::Parenthesis {
            let parts = split_commas(g.stream());
            let creates = parts
                .into_iter()
                .map(create_one)
                .collect::<Result<Vec<_>>>()?;
            return Ok(quote!(toasty::batch((#(#creates,)*))));
        }
    }
    // `Path::[ { .. }, { .. } ]`: many records of one model.
    if let Some(TokenTree::Group(g)) = tokens.last() {
        if g.delimiter() == Delimiter::Bracket {
            let n = tokens.len();
            let sep_ok = n >= 3
                && matches!(&tokens[n - 2], TokenTree::Punct(p) if p.as_char() == ':')
                && matches!(&tokens[n - 3], TokenTree::Punct(p) if p.as_char() == ':');
            if !sep_ok {
                return Err(Error::new(
                    g.span(),
                    "several records are written `Model::[{ .. }, { .. }]`",
                ));
            }
            let path: TokenStream = tokens[..n - 3].iter().cloned().collect();
            let path: syn::Path = syn::parse2(path)?;
            let mut items = Vec::new();
            for part in split_commas(g.stream()) {
                let mut trees = part.clone().into_iter();
                match (trees.next(), trees.next()) {
                    (Some(TokenTree::Group(b)), None) if b.delimiter() == Delimiter::Brace => {
                        let set = create_setters(&parse_fields(b.stream())?)?;
                        items.push(quote!(.item(<#path>::create() #set)));
                    }
                    _ => {
                        return Err(Error::new(
                            part.span(),
                            "each record of `Model::[..]` is `{ field: value, .. }`",
                        ))
                    }
                }
            }
            return Ok(quote!(toasty::CreateMany::<#path>::new() #(#items)*));
        }
    }
    create_one(input)
}

pub(crate) fn update(input: TokenStream) -> Result<TokenStream> {
    let (target, body) = split_trailing_brace(input, "update!")?;
    let target: syn::Expr = syn::parse2(target)?;
    let fields = parse_fields(body)?;
    for f in &fields {
        match &f.value {
            InitValue::Expr(_) | InitValue::Op(..) => {}
            // A `#[has_one]` replaced by a new record (`profile: { bio: ".." }`).
            InitValue::One(inner) => {
                create_setters(inner)?;
            }
            InitValue::Many(_) => {
                return Err(Error::new(
                    f.name.span(),
                    format!(
                        "update! cannot create a list of related records (`{}: [..]`); create \
                         them through the relation (`create!(in record.{}() {{ .. }})`)",
                        f.name, f.name
                    ),
                ))
            }
        }
    }
    let set = setters(&fields);
    Ok(quote!((#target).update() #set))
}

/// Splits a token stream at top-level commas, dropping empty parts (a trailing comma).
fn split_commas(tokens: TokenStream) -> Vec<TokenStream> {
    let mut parts = Vec::new();
    let mut current = Vec::new();
    for tree in tokens {
        match &tree {
            TokenTree::Punct(p) if p.as_char() == ',' => {
                if !current.is_empty() {
                    parts.push(std::mem::take(&mut current).into_iter().collect());
                }
            }
            _ => current.push(tree),
        }
    }
    if !current.is_empty() {
        parts.push(current.into_iter().collect());
    }
    parts
}

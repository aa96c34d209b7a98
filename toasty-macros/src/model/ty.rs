//! Syntactic classification of field types, for compile-time checks.
//!
//! Only what can be decided from the tokens is decided here (a type alias hides the real
//! type; the runtime schema validation catches those cases).

/// The last path segment's name, looking through `Option<...>`.
pub(crate) fn base_name(ty: &syn::Type) -> Option<String> {
    let inner = option_inner(ty).unwrap_or(ty);
    match inner {
        syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` if `ty` is `Option<T>`.
pub(crate) fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

pub(crate) fn is_float(ty: &syn::Type) -> bool {
    matches!(base_name(ty).as_deref(), Some("f32" | "f64"))
}

pub(crate) fn is_integer(ty: &syn::Type) -> bool {
    matches!(
        base_name(ty).as_deref(),
        Some("i8" | "i16" | "i32" | "i64" | "isize" | "u8" | "u16" | "u32" | "u64" | "usize")
    )
}

pub(crate) fn is_uuid(ty: &syn::Type) -> bool {
    matches!(base_name(ty).as_deref(), Some("Uuid"))
}

//! The size of a key or index, the same rule on every backend.
//!
//! MySQL and MariaDB (InnoDB) refuse an index whose columns take more than
//! [`MAX_KEY_BYTES`](crate::limits::MAX_KEY_BYTES) bytes ("Specified key was too long; max key length is 3072
//! bytes"), and a keyed `String` is `VARCHAR(255)` in `utf8mb4`, 1,020 bytes: four of
//! them do not fit. Rather than one backend failing at `push_schema`, every backend
//! refuses such a schema when the `Db` is built (`InvalidSchema`, naming the model, the
//! key and its size), with the sizes MySQL counts.

use crate::limits::MAX_KEY_BYTES;
use toasty_core::schema::app::Model;
use toasty_core::{Error, Result, Type};

/// The bytes field type `ty` takes in a key, as MySQL counts them: a keyed `String` is
/// `VARCHAR(255)` in `utf8mb4` (4 bytes per character), a keyed `Vec<u8>` is
/// `VARBINARY(255)`.
pub(crate) fn key_bytes(ty: Type) -> usize {
    match ty {
        Type::Bool | Type::I8 | Type::U8 => 1,
        Type::I16 | Type::U16 => 2,
        Type::I32 | Type::U32 | Type::F32 => 4,
        Type::I64 | Type::U64 | Type::F64 | Type::Timestamp => 8,
        Type::Uuid => 16,
        Type::Bytes => crate::limits::MAX_KEYED_LEN,
        Type::String => crate::limits::MAX_KEYED_LEN * 4,
    }
}

/// Refuses a primary key or index of `model` larger than [`MAX_KEY_BYTES`].
pub(crate) fn check_key_sizes(model: &Model) -> Result<()> {
    let keys = std::iter::once(("primary key", &model.primary_key))
        .chain(model.indices.iter().map(|i| ("index", &i.fields)));
    for (what, fields) in keys {
        let bytes: usize = fields
            .iter()
            .filter_map(|&f| model.fields.get(f))
            .map(|f| key_bytes(f.ty))
            .sum();
        if bytes > MAX_KEY_BYTES {
            let names: Vec<&str> = fields
                .iter()
                .filter_map(|&f| model.fields.get(f))
                .map(|f| f.name.as_str())
                .collect();
            return Err(Error::invalid_schema(format!(
                "the {what} ({}) of model `{}` takes {bytes} bytes, more than the \
                 {MAX_KEY_BYTES} (toasty::limits::MAX_KEY_BYTES) one key or index may take \
                 on every backend (MySQL's limit, counted as MySQL counts: a String 1020 \
                 bytes, a Vec<u8> 255, a Uuid 16, other types 8 or less); put at most three \
                 String fields in one key or index",
                names.join(", "),
                model.name
            )));
        }
    }
    Ok(())
}

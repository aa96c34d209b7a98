//! URL redaction: the one implementation lives in `toasty_core::redact`, shared with the
//! other network drivers and `toasty`'s URL dispatch.

pub(crate) use toasty_core::redact::redact_url;

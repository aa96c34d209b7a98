//! Assertion helpers shared by the conformance tests (not tests themselves).

use toasty::{Error, ErrorKind, Result};

/// Asserts that `result` failed with `kind`, and that the message contains every string of
/// `mentions` (case-insensitive). Returns the error for further checks.
pub fn expect_err<T: std::fmt::Debug>(
    result: Result<T>,
    kind: ErrorKind,
    mentions: &[&str],
) -> Error {
    let err = match result {
        Ok(v) => panic!("expected a {kind} error, got Ok({v:?})"),
        Err(e) => e,
    };
    assert_eq!(err.kind(), kind, "wrong error kind: {err}");
    let msg = err.message().to_lowercase();
    for m in mentions {
        assert!(
            msg.contains(&m.to_lowercase()),
            "the error message should mention {m:?}: {err}"
        );
    }
    err
}

/// Asserts the kv "no access path" error: `Unsupported`, naming `field` and telling the
/// user to add an index.
pub fn expect_needs_index<T: std::fmt::Debug>(result: Result<T>, field: &str) -> Error {
    expect_err(result, ErrorKind::Unsupported, &[field, "index"])
}

/// Sorts a list of values for multiset comparison of unordered results.
pub fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
    v.sort();
    v
}

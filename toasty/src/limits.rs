//! The limits every statement keeps, the same on every backend.
//!
//! A statement beyond a limit fails with [`ErrorKind::InvalidStatement`] (the message
//! names the limit and its value) when it is compiled, before anything reaches a
//! database, so it fails the same way everywhere instead of inside one driver. Within
//! the limits every backend answers: SQLite included (a long `OR` of equalities on one
//! field is sent as `IN`, and long `AND`/`OR` lists are grouped so the SQL stays within
//! SQLite's expression depth of 1000).
//!
//! Filters of any size can be built, measured, refused, cloned, compared, printed with
//! `{:?}` and dropped without deep recursion, so even a filter nested 100,000 levels
//! deep gives an error, not a stack overflow.
//!
//! | limit | value | applies to |
//! |---|---|---|
//! | [`MAX_FILTER_DEPTH`] | 64 levels | the filter of a query, update or delete |
//! | [`MAX_FILTER_NODES`] | 10,000 nodes | the same |
//! | [`MAX_FILTER_VALUES`] | 30,000 values | the same, `in_list` entries included |
//! | [`MAX_LIMIT`] | `i64::MAX` | `limit`, `offset`; a page size is at most one less |
//! | [`MAX_KEYED_LEN`] | 255 | characters (bytes) of a value in a key or indexed field |
//! | [`MAX_KEY_BYTES`] | 3,072 bytes | the fields of one primary key or index, checked when the `Db` is built |
//!
//! [`ErrorKind::InvalidStatement`]: crate::ErrorKind::InvalidStatement

/// The deepest filter a statement may have, counted in levels of its expression tree:
/// each `and`, `or`, `not`, comparison, `in_list`, pattern test and `is_none` is a level,
/// and the field or value it tests is one more. `age.eq(1)` is 2 levels deep,
/// `age.eq(1).and(name.eq("a"))` 3, and `a.and(b.or(c))` with comparisons `a`, `b`, `c`
/// is 4 (`and` of many conditions is one level, however many).
///
/// Chosen so that the SQL of any filter within the limit stays below SQLite's default
/// expression depth of 1000 and far from the stack limits of every database.
pub const MAX_FILTER_DEPTH: usize = 64;

/// The most nodes a filter's expression tree may have (every `and`, `or`, `not`,
/// comparison, pattern test, `in_list`, field and value counts once; the values inside
/// an `in_list` are counted by [`MAX_FILTER_VALUES`] instead). An `or` of 1,000
/// equalities is 3,001 nodes.
pub const MAX_FILTER_NODES: usize = 10_000;

/// The most literal values one filter may hold, `in_list` entries included: below the
/// bind-parameter limits of SQLite (32,766), PostgreSQL and MySQL (65,535), so a large
/// `in_list` fails the same way on every backend instead of inside one driver. Split a
/// longer list into several queries.
pub const MAX_FILTER_VALUES: usize = 30_000;

/// The largest `limit` or `offset` a query may have: the largest value every database
/// takes (PostgreSQL's `LIMIT` is a signed 64-bit integer). A page of `paginate` fetches
/// one record more than its size, so a page size is at most `MAX_LIMIT - 1`; a page size
/// of 0 is refused too.
pub const MAX_LIMIT: u64 = i64::MAX as u64;

/// The longest string (in characters) or byte string (in bytes) a key or indexed field
/// may hold, on every backend (MySQL indexes `VARCHAR(255)`; DynamoDB and PostgreSQL
/// allow more, but the contract is the same everywhere). Longer values are
/// `ValueOutOfRange`.
pub const MAX_KEYED_LEN: usize = 255;

/// The most bytes the fields of one primary key or index may take, counted as MySQL and
/// MariaDB (InnoDB) count them: a `String` is `VARCHAR(255)` in `utf8mb4`, 1,020 bytes;
/// a `Vec<u8>` 255; a `Uuid` 16; `i64`, `u64`, `f64` and timestamps 8; `i32`, `u32` and
/// `f32` 4; `i16` and `u16` 2; `bool`, `i8` and `u8` 1.
///
/// InnoDB refuses a larger index ("Specified key was too long"), so a schema with one is
/// refused on every backend when the `Db` is built (`InvalidSchema`, naming the model,
/// the fields and their size) rather than only on MySQL at `push_schema`: at most three
/// `String` fields fit in one key or index.
pub const MAX_KEY_BYTES: usize = 3072;

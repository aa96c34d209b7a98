//! [`RawSql`]: SQL text the user passed explicitly (`toasty::sql`), with its values.

use crate::{Type, Value};

/// A raw SQL statement: text written by the user, run as it is on an SQL driver
/// ([`super::Connection::exec_sql`]). Drivers that do not speak SQL refuse it with
/// `Unsupported`.
///
/// Placeholders are written `?` in every dialect (`??` for a literal `?`, such as
/// PostgreSQL's JSON operators); the driver translates them to its own form (`$1`, `$2`
/// on PostgreSQL). A `?` inside a string literal, a quoted identifier or a comment is
/// not a placeholder. Every value is a bind parameter, never spliced into the text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSql {
    /// The SQL text, with `?` placeholders.
    pub sql: String,
    /// The values, one per placeholder in order, each with the type to bind it as.
    pub params: Vec<(Value, Type)>,
    /// `true` for a query: the response is its rows. `false`: the number of affected
    /// rows ([`super::Response::Count`]).
    pub rows: bool,
    /// The types to decode the result columns as; `None`: from what the database says
    /// about each column.
    pub column_types: Option<Vec<Type>>,
}
